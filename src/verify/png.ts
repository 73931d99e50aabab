// A small, valid PNG made in code (no binary fixture): the image `verify` uploads as image/png and reads
// back with Accept: image/png. PNG: signature, IHDR, one zlib-compressed IDAT, IEND (RFC 2083 / ISO 15948),
// each chunk with its CRC-32 over type and data.
import { deflateSync } from "node:zlib";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (ISO 3309, the one PNG and zlib use). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * A `size`×`size` 8-bit RGBA image: a diagonal gradient, so every byte value of the image data varies and a
 * corrupted transfer (text re-encoding, base64) cannot go unnoticed.
 */
export function tinyPng(size = 4): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, filter 0, no interlace
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0); // filter type None
    for (let x = 0; x < size; x++) rows.push((x * 255) / Math.max(1, size - 1), (y * 255) / Math.max(1, size - 1), 0x80 + x + y, 0xff);
  }
  const pixels = deflateSync(Uint8Array.from(rows.map(Math.round)));
  return Buffer.concat([Uint8Array.from(SIGNATURE), chunk("IHDR", header), chunk("IDAT", pixels), chunk("IEND", new Uint8Array())]);
}
