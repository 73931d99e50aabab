// Hostile inputs the fixture files cannot hold: bytes that are not UTF-8, UTF-16 and UTF-32, values of
// megabytes (generated, not committed), and the decoder checked against the platform's own. Each row says
// why it is there; each expects the exact issues (line:column field: message) or that the file loads.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeManifest, firstInvalidUtf8 } from "../../src/manifest/decode.ts";
import { ManifestError, MAX_MESSAGE_LENGTH, type ManifestIssue } from "../../src/manifest/issues.ts";
import { parseManifests, type LoadedManifests } from "../../src/manifest/load.ts";
import { policySize } from "../../src/manifest/policy-checks.ts";
import { apisOf } from "./support/models.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
const MB5 = 5 * 1024 * 1024;

/** A small valid RestApi; `description` is written as given at 6:16, `extra` lines go before resources. */
const api = (description: string, extra = "") =>
  `apiVersion: apigw-reconciler/v1\nkind: RestApi\nmetadata:\n  name: tiny\nspec:\n  description: ${description}\n${extra}  resources:\n    /:\n      methods:\n        GET:\n          integration:\n            type: MOCK\n`;

function utf16(text: string, littleEndian: boolean, bom = true): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + text.length * 2);
  const view = new DataView(out.buffer);
  if (bom) view.setUint16(0, 0xfeff, littleEndian);
  for (let i = 0; i < text.length; i++) view.setUint16((bom ? 2 : 0) + 2 * i, text.charCodeAt(i), littleEndian);
  return out;
}

/** The bytes of `text` with the byte at the first occurrence of `marker` (plus `offset`) changed by `edit`. */
function damaged(text: string, marker: string, edit: (byte: number) => number, offset = 0): Uint8Array {
  const bytes = utf8(text);
  const at = utf8(text.slice(0, text.indexOf(marker))).length + offset;
  bytes[at] = edit(bytes[at] ?? 0);
  return bytes;
}

const show = (issue: ManifestIssue) => `${issue.line}:${issue.column} ${issue.field}: ${issue.message}`;

function outcome(text: string | Uint8Array): { loaded: LoadedManifests } | { issues: ManifestIssue[] } {
  try {
    return { loaded: parseManifests([{ file: "hostile.yaml", text }]) };
  } catch (error) {
    if (error instanceof ManifestError) return { issues: [...error.issues] };
    throw error;
  }
}

interface Row {
  name: string;
  reason: string;
  input: () => string | Uint8Array;
  /** The exact issues, or the description the loaded API must have. */
  expected: string[] | { description: string };
}

const ROWS: Row[] = [
  // ------------------------------------------------ encodings
  { name: "UTF-8 byte-order mark", reason: "editors on Windows write one; it is not part of the text", input: () => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(api("bom"))]), expected: { description: "bom" } },
  { name: "UTF-16 LE with its mark", reason: "decoded as UTF-16, not read as UTF-8 full of NULs; a surrogate pair survives", input: () => utf16(api("Grüße 日本 😀"), true), expected: { description: "Grüße 日本 😀" } },
  { name: "UTF-16 BE with its mark", reason: "the other byte order", input: () => utf16(api("Grüße 😀"), false), expected: { description: "Grüße 😀" } },
  {
    name: "the flipped bit of the bug report",
    reason: "AmazonS3ReadOnlyAcc\u00e5ss: 'e' with its high bit set was read as U+FFFD and sent to AWS",
    input: () => damaged(api("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"), "ess", (b) => b | 0x80),
    expected: ["6:59 (file): not UTF-8: byte 0xE5 starts a 3-byte sequence, but 0x73 follows; save the file as UTF-8"],
  },
  { name: "stray continuation byte", reason: "a byte 0x80-0xBF with no lead byte", input: () => damaged(api("plain"), "plain", () => 0xa9, 2), expected: ["6:18 (file): not UTF-8: stray continuation byte 0xA9; save the file as UTF-8"] },
  { name: "overlong encoding", reason: "C0 AF would be '/': overlong forms are refused (they hide characters from checks)", input: () => utf8(api("a__b")).map((b, i, all) => (i === all.indexOf(0x5f) ? 0xc0 : i === all.indexOf(0x5f) + 1 ? 0xaf : b)), expected: ["6:17 (file): not UTF-8: byte 0xC0 never occurs in UTF-8; save the file as UTF-8"] },
  { name: "encoded surrogate", reason: "ED A0 80 is U+D800, which UTF-8 may not encode", input: () => new Uint8Array([...utf8("a: 1\nb: "), 0xed, 0xa0, 0x80]), expected: ["2:4 (file): not UTF-8: byte 0xED starts a 3-byte sequence, but 0xA0 follows; save the file as UTF-8"] },
  { name: "beyond U+10FFFF", reason: "F4 90 80 80 would be U+110000", input: () => new Uint8Array([...utf8("a: 1\n"), 0xf4, 0x90, 0x80, 0x80]), expected: ["2:1 (file): not UTF-8: byte 0xF4 starts a 4-byte sequence, but 0x90 follows; save the file as UTF-8"] },
  { name: "truncated at the end", reason: "a file cut inside a character (an interrupted copy)", input: () => utf8(api("café")).slice(0, utf8(api("café")).indexOf(0xa9)), expected: ["6:19 (file): not UTF-8: the file ends inside the 2-byte sequence started by 0xC3; save the file as UTF-8"] },
  { name: "columns count UTF-16 units", reason: "as the YAML parser and editors do: 日 and 本 are one each, 😀 two", input: () => damaged(api("日本😀X"), "X", () => 0xff), expected: ["6:20 (file): not UTF-8: byte 0xFF never occurs in UTF-8; save the file as UTF-8"] },
  { name: "invalid byte on line 1", reason: "the first byte of the file (no line before it)", input: () => new Uint8Array([0xff, ...utf8(api("x"))]), expected: ["1:1 (file): not UTF-8: byte 0xFF never occurs in UTF-8; save the file as UTF-8"] },
  { name: "UTF-16 without its mark", reason: "reads as UTF-8 with a NUL every other byte: one problem, not thousands", input: () => utf16(api("x"), true, false), expected: ["1:2 (file): NUL character (U+0000): is the file UTF-16 without a byte-order mark, or binary? Save it as UTF-8 text (and 185 more such characters in this file)"] },
  { name: "UTF-16 with an unpaired surrogate", reason: "half a character, at its place", input: () => utf16(api("a\ud800b"), true), expected: ["6:17 (file): unpaired surrogate U+D800 is not a character"] },
  { name: "UTF-16 with an odd byte count", reason: "the last character is cut in half", input: () => new Uint8Array([...utf16("a: 1\nb: 2", true), 0x41]), expected: ["2:5 (file): the UTF-16 text ends in half a character (an odd number of bytes)"] },
  { name: "UTF-32", reason: "its mark starts like UTF-16 LE's; not supported", input: () => new Uint8Array([0xff, 0xfe, 0, 0, 0x61, 0, 0, 0]), expected: ["1:1 (file): the file is UTF-32 (by its byte-order mark); save it as UTF-8"] },
  // ------------------------------------------------ characters
  { name: "replacement character", reason: "U+FFFD in valid UTF-8: an earlier tool already damaged the text", input: () => api("Acc\ufffdss"), expected: ["6:19 (file): replacement character U+FFFD: the text was damaged by an earlier decoding (a byte that was not UTF-8); restore the original character"] },
  { name: "DEL", reason: "U+007F is a control character", input: () => api("a\u007fb"), expected: ['6:17 (file): control character U+007F is not allowed in YAML text; if it is meant, write it escaped in a double-quoted string ("\\u007F")'] },
  { name: "NEL", reason: "U+0085 is a C1 control character (YAML 1.1 read it as a line break)", input: () => api("a\u0085b"), expected: ['6:17 (file): control character U+0085 is not allowed in YAML text; if it is meant, write it escaped in a double-quoted string ("\\u0085")'] },
  {
    name: "many control characters",
    reason: "five listed, the rest counted",
    input: () => api("\x01\x02\x03\x04\x05\x06\x07"),
    expected: [1, 2, 3, 4, 5].map((n) => `6:${15 + n} (file): control character U+000${n} is not allowed in YAML text; if it is meant, write it escaped in a double-quoted string ("\\u000${n}")${n === 5 ? " (and 2 more such characters in this file)" : ""}`),
  },
  { name: "escaped control character", reason: "written escaped in a double-quoted string, it is deliberate", input: () => api('"bell\\x07"'), expected: { description: "bell\x07" } },
  { name: "tab and CRLF", reason: "tab, LF and CR are text", input: () => api('"a\tb"').replace(/\n/g, "\r\n"), expected: { description: "a\tb" } },
  // ------------------------------------------------ huge values: the message quotes a prefix
  {
    name: "5 MB kind",
    reason: "the bug report: a 5 MB value made a 5-million-character message",
    input: () => `apiVersion: apigw-reconciler/v1\nkind: ${"K".repeat(MB5)}\n`,
    expected: [`2:7 kind: unknown kind "${"K".repeat(60)}"… (5242880 characters); expected one of RestApi, IamRole, UsagePlan, DomainName, S3Proxy`],
  },
  {
    name: "5 MB key",
    reason: "the field path quotes a prefix of the key too (an explicit key: implicit ones stop at 1024 characters)",
    input: () => api("x", `  ? ${"q".repeat(MB5)}\n  : 1\n`),
    expected: [`7:5 spec["${"q".repeat(60)}"… (5242880 characters)]: unknown field "${"q".repeat(60)}"… (5242880 characters)`],
  },
  { name: "5 MB unknown placeholder", reason: "the placeholder's name is quoted, clipped", input: () => api("${" + "P".repeat(MB5) + "}"), expected: [`6:16 spec.description: unknown placeholder \${${"P".repeat(38)}… (5242880 characters)}; known: \${AWS_REGION}, \${AWS_ACCOUNT_ID}, \${AWS_PARTITION}`] },
  {
    name: "5 MB regular expression",
    reason: "the message names the problem and its index, never the pattern",
    input: () => api("x").replace("type: MOCK\n", `type: MOCK\n            responses:\n              "200":\n                selectionPattern: "(${"a".repeat(MB5)}"\n          responses:\n            "200": {}\n`),
    expected: ['15:35 spec.resources["/"].methods.GET.integration.responses["200"].selectionPattern: is not a valid Java regular expression (API Gateway evaluates selection patterns with Java): Unclosed group at 0'],
  },
  { name: "5 MB tag value", reason: "a limit, named without the value", input: () => api("x", `  tags:\n    big: ${"t".repeat(MB5)}\n`), expected: ["8:10 spec.tags.big: tag values are at most 256 characters"] },
  { name: "5 MB description", reason: "valid as far as the manifest goes: it loads (AWS has the last word)", input: () => api("y".repeat(MB5)), expected: { description: "y".repeat(MB5) } },
  // ------------------------------------------------ aliases that are fine
  {
    name: "one anchor, 150 aliases",
    reason: "the YAML library's own limit (100) refused this; only expansion size and cycles are limits now",
    input: () => api("&d hello", `  stages:\n    prod:\n      variables: {${Array.from({ length: 150 }, (_, i) => `v${i}: *d`).join(", ")}}\n`),
    expected: { description: "hello" },
  },
];

describe("hostile inputs: each row loads, or reports exactly its issues", () => {
  it.each(ROWS.map((row) => [row.name, row] as const))("%s", (_name, row) => {
    const started = performance.now();
    const result = outcome(row.input());
    expect(performance.now() - started, row.reason).toBeLessThan(5_000);
    if (Array.isArray(row.expected)) {
      expect("issues" in result ? result.issues.map(show) : "loaded", row.reason).toEqual(row.expected);
      for (const issue of "issues" in result ? result.issues : []) expect(issue.message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    } else {
      expect("loaded" in result ? apisOf(result.loaded.desired)[0]?.model.description : result.issues.map(show), row.reason).toEqual(row.expected.description);
    }
  });
});

describe("a file with thousands of problems", () => {
  it("lists the first 50 and counts the rest, in a second or so (locating each of 50,000 took half a minute)", () => {
    const tags = Array.from({ length: 50_000 }, (_, i) => `aws:t${i}: x`).join(", ");
    const started = performance.now();
    const result = outcome(api("x", `  tags: {${tags}}\n`));
    expect(performance.now() - started).toBeLessThan(5_000);
    const issues = "issues" in result ? result.issues.map(show) : [];
    expect(issues).toHaveLength(51);
    expect(issues[0]).toBe("7:9 spec.tags: at most 45 tags (AWS allows 50; the reconciler keeps 5 for itself)");
    expect(issues[50]).toMatch(/^7:\d+ \(file\): and 49951 more problems in this file \(the first 50 are listed\)$/);
  });
});

describe("the UTF-8 check agrees with the platform's decoder", () => {
  const platform = (bytes: Uint8Array) => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      return true;
    } catch {
      return false;
    }
  };
  // Valid text with a few bytes changed: mostly near-valid sequences, where the edge cases are.
  const nearUtf8 = fc
    .tuple(fc.string({ unit: "binary", maxLength: 40 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }))
    .map(([text, edits]) => {
      const bytes = utf8(text);
      for (const [at, byte] of edits) if (bytes.length > 0) bytes[at % bytes.length] = byte;
      return bytes;
    });

  it("valid exactly when TextDecoder (fatal) decodes, on random and on damaged text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 24 }), nearUtf8), (bytes) => {
        expect(firstInvalidUtf8(bytes) === undefined).toBe(platform(bytes));
      }),
      { numRuns: 2_000 },
    );
  });

  it("the prefix before the reported offset is valid", () => {
    fc.assert(
      fc.property(nearUtf8, (bytes) => {
        const bad = firstInvalidUtf8(bytes);
        if (bad) expect(platform(bytes.subarray(0, bad.offset))).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });

  it("decodes what it accepts exactly as TextDecoder does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (text) => {
        const decoded = decodeManifest(utf8(text));
        if (decoded.text !== undefined) expect(decoded.text).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe("policy size, as IAM counts it", () => {
  const ROWS: { reason: string; policy: object; size: number }[] = [
    { reason: "compact JSON, as the reconciler sends it", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }, size: 96 },
    { reason: "whitespace inside strings is not counted either", policy: { Statement: { Sid: "A", Effect: "Allow", Action: "s3:Get *", Resource: "a b" } }, size: 77 },
    { reason: "${AWS_ACCOUNT_ID} counts as the 12 digits it becomes", policy: { Statement: { Effect: "Allow", Action: "x", Resource: "${AWS_ACCOUNT_ID}" } }, size: 71 },
    { reason: "${AWS_REGION} counts as the longest Region name (14)", policy: { Statement: { Effect: "Allow", Action: "x", Resource: "${AWS_REGION}" } }, size: 73 },
  ];
  it.each(ROWS.map((row) => [row.reason, row] as const))("%s", (_reason, row) => {
    expect(policySize(row.policy as Parameters<typeof policySize>[0])).toBe(row.size);
  });
});
