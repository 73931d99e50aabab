// Manifest bytes → text, refusing what is not text. A lenient decoder turns a damaged byte into U+FFFD and
// lets it through to AWS (a flipped bit once wrote `AmazonS3ReadOnlyAcc\uFFFDss`); here every byte that is not
// UTF-8 (or UTF-16 behind its byte-order mark), and every character YAML does not allow unescaped, is a
// problem at its line and column. Columns count UTF-16 code units, as the YAML parser's do.

export interface TextProblem {
  line: number;
  column: number;
  message: string;
}

export type Decoded = { text: string; problems: [] } | { text: undefined; problems: TextProblem[] };

/** A binary file has a problem in every line: the first few say enough. */
const MAX_CHARACTER_PROBLEMS = 5;

export function decodeManifest(bytes: Uint8Array): Decoded {
  if (startsWith(bytes, [0xff, 0xfe, 0x00, 0x00]) || startsWith(bytes, [0x00, 0x00, 0xfe, 0xff])) {
    return failed([{ line: 1, column: 1, message: "the file is UTF-32 (by its byte-order mark); save it as UTF-8" }]);
  }
  if (startsWith(bytes, [0xff, 0xfe])) return decodeUtf16(bytes.subarray(2), true);
  if (startsWith(bytes, [0xfe, 0xff])) return decodeUtf16(bytes.subarray(2), false);
  const body = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? bytes.subarray(3) : bytes;
  const bad = firstInvalidUtf8(body);
  if (bad !== undefined) return failed([utf8Problem(body, bad)]);
  // Validated above; not fatal, so that a disagreement with the validator still surfaces (as U+FFFD, refused below).
  return checkText(new TextDecoder("utf-8", { ignoreBOM: true }).decode(body));
}

/** The text of bytes that did not decode, as well as it goes: to search, never to load. */
export function lenientText(bytes: Uint8Array): string {
  const encoding = startsWith(bytes, [0xff, 0xfe]) ? "utf-16le" : startsWith(bytes, [0xfe, 0xff]) ? "utf-16be" : "utf-8";
  return new TextDecoder(encoding).decode(bytes);
}

/**
 * Characters outside YAML's printable set, and two inside it: NEL (U+0085, a C1 control character that YAML 1.1
 * read as a line break) and U+FFFD. Left: tab, LF, CR and the printable characters.
 */
const NOT_ALLOWED = /[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffc\u{10000}-\u{10ffff}]/gu;

/** The characters YAML refuses unescaped, and the replacement character, each at its line and column. */
export function checkText(text: string): Decoded {
  const problems: TextProblem[] = [];
  let count = 0;
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  let nul = false;
  for (const match of text.matchAll(NOT_ALLOWED)) {
    count++;
    // One NUL says "binary or UTF-16" well enough; a UTF-16 file without its mark has one every other byte.
    const isNul = match[0] === "\0";
    if (problems.length === MAX_CHARACTER_PROBLEMS || (isNul && nul)) continue;
    nul ||= isNul;
    for (let i = text.indexOf("\n", scanned); i !== -1 && i < match.index; i = text.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    scanned = match.index;
    problems.push({ line, column: match.index - lineStart + 1, message: characterProblem(match[0].charCodeAt(0)) });
  }
  const last = problems[problems.length - 1];
  if (last && count > problems.length) last.message += ` (and ${count - problems.length} more such characters in this file)`;
  return last ? failed(problems) : { text, problems: [] };
}

function characterProblem(code: number): string {
  const name = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (code === 0) return "NUL character (U+0000): is the file UTF-16 without a byte-order mark, or binary? Save it as UTF-8 text";
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `control character ${name} is not allowed in YAML text; if it is meant, write it escaped in a double-quoted string ("\\u${name.slice(2)}")`;
  if (code === 0xfffd) return "replacement character U+FFFD: the text was damaged by an earlier decoding (a byte that was not UTF-8); restore the original character";
  if (code >= 0xd800 && code <= 0xdfff) return `unpaired surrogate ${name} is not a character`;
  return `${name} is not a character YAML allows`;
}

function failed(problems: TextProblem[]): Decoded {
  return { text: undefined, problems };
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

interface Utf8Error {
  /** Where the malformed sequence starts. */
  offset: number;
  reason: string;
}

const hex = (byte: number) => `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;

/** The sequence length a lead byte announces and the range of its second byte (no overlongs, surrogates, > U+10FFFF). */
function sequenceOf(lead: number): [length: number, low: number, high: number] | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead >= 0xe0 && lead <= 0xef) return [3, lead === 0xe0 ? 0xa0 : 0x80, lead === 0xed ? 0x9f : 0xbf];
  if (lead >= 0xf0 && lead <= 0xf4) return [4, lead === 0xf0 ? 0x90 : 0x80, lead === 0xf4 ? 0x8f : 0xbf];
  return undefined;
}

/** The first malformed UTF-8 sequence, by the rules of the WHATWG decoder, or undefined. */
export function firstInvalidUtf8(bytes: Uint8Array): Utf8Error | undefined {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const sequence = sequenceOf(lead);
    if (!sequence) {
      const reason = lead <= 0xbf ? `stray continuation byte ${hex(lead)}` : `byte ${hex(lead)} never occurs in UTF-8`;
      return { offset: i, reason };
    }
    const [length, low, high] = sequence;
    for (let k = 1; k < length; k++) {
      const byte = bytes[i + k];
      if (byte === undefined) return { offset: i, reason: `the file ends inside the ${length}-byte sequence started by ${hex(lead)}` };
      if (byte < (k === 1 ? low : 0x80) || byte > (k === 1 ? high : 0xbf)) return { offset: i, reason: `byte ${hex(lead)} starts a ${length}-byte sequence, but ${hex(byte)} follows` };
    }
    i += length;
  }
  return undefined;
}

function utf8Problem(bytes: Uint8Array, { offset, reason }: Utf8Error): TextProblem {
  const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < lineStart; i = bytes.indexOf(0x0a, i + 1)) line++;
  // Everything before `offset` is valid UTF-8: decode it to count columns as the YAML parser does.
  const before = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes.subarray(lineStart, offset));
  return { line, column: before.length + 1, message: `not UTF-8: ${reason}; save the file as UTF-8` };
}

function decodeUtf16(bytes: Uint8Array, littleEndian: boolean): Decoded {
  const units = Math.floor(bytes.length / 2);
  let text = "";
  const chunk: number[] = [];
  for (let i = 0; i < units; i++) {
    const lo = bytes[2 * i] ?? 0;
    const hi = bytes[2 * i + 1] ?? 0;
    chunk.push(littleEndian ? lo | (hi << 8) : (lo << 8) | hi);
    if (chunk.length === 8192) text += String.fromCharCode(...chunk.splice(0));
  }
  text += String.fromCharCode(...chunk);
  if (bytes.length % 2 === 1) {
    const lines = text.split("\n");
    return failed([{ line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1, message: "the UTF-16 text ends in half a character (an odd number of bytes)" }]);
  }
  // Unpaired surrogates are reported by the character check, at their place.
  return checkText(text);
}
