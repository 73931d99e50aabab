// contentHash values are stored (the spec-hash and deployed tags on AWS objects, the state file): a
// change of the text they hash is a breaking change. These values were written by the original
// JSON.stringify-with-sorted-copies writer (canonicalJson); the fast writer must give the same.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { restApiHashes } from "../../src/kinds/rest-api/diff.ts";
import { canonicalJson, canonicalText, contentHash } from "../../src/model/hash.ts";
import { apisOf, seedDesired } from "./support/models.ts";

const withProto = (value: string): Record<string, unknown> => Object.fromEntries([["__proto__", value], ["b", 1]]) as Record<string, unknown>;

describe("contentHash", () => {
  it.each([
    ["an empty object", {}, "44136fa355b3678a"],
    ["null", null, "74234e98afe7498f"],
    ["undefined (as null)", undefined, "74234e98afe7498f"],
    ["a string with escapes, non-ASCII and a lone surrogate", 'a"b\\c\n\u0001é😀\ud800', "aba451df52e3fea1"],
    ["numbers, -0 and non-finite", [0, -0, 1.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY, -3], "1d002ab1054068ba"],
    ["keys out of order, undefined members", { b: 1, a: [1, "x", null, true, undefined], c: undefined, Z: false }, "c57bcca53aa27365"],
    // Array-index keys come first, in numeric order (the order of the sorted copy canonicalJson builds).
    ["status-code and index-like keys", { "500": { x: 1 }, "200": { y: 2 }, "10": {}, "9": [], a: 1, "09": 2, "4294967295": 3, "4294967294": 4, B: { d: 1, c: 2 } }, "235c5520cbe8413c"],
    ["an own __proto__ entry", withProto("a"), "d65c103a4a7f80f2"],
    ["a Date (not plain data: JSON's own rules)", { when: new Date(0), d: 1 }, "18ccaf258045b7a6"],
    ["nested arrays and objects", [[{ z: 1, y: [{ b: 2, a: 1 }] }]], "ddc247e0cc096cce"],
  ])("of %s is pinned", (_name, value, expected) => {
    expect(contentHash(value)).toBe(expected);
  });

  it("of the seed API's model, and its spec and config hashes, are pinned", () => {
    const [api] = apisOf(seedDesired());
    if (!api) throw new Error("seed: no RestApi");
    expect(contentHash(api.model)).toBe("301d6cb0c1c955dd");
    expect(contentHash(api.model.resources)).toBe("a024ef8e173a9109");
    expect(restApiHashes(api.model)).toEqual({ configHash: "980bfc6802dabdb5", specHash: "b994088c7be41924" });
  });

  it("writes the same text as canonicalJson for any JSON-like value", () => {
    const key = fc.oneof(fc.string(), fc.constantFrom("200", "400", "9", "10", "09", "-1", "4294967294", "4294967295", "__proto__", "toString"));
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
      node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(key, tie("node"), { maxKeys: 5 })),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalText(v)).toBe(canonicalJson(v));
      }),
      { numRuns: 500 },
    );
  });
});
