// What keeps a large estate's models small in memory (shown by `npm run bench`'s CLI RSS at 500 APIs) must
// not change the data: compactRecord / compactIntegerKeys (src/model/own.ts) rebuild status-code maps (same
// entries, same order, same own keys), and resolvePlaceholders shares what it does not change.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compactIntegerKeys, compactRecord } from "../../src/model/own.ts";
import { resolvePlaceholders } from "../../src/model/placeholders.ts";
import type { DesiredState } from "../../src/model/types.ts";

describe("compactRecord", () => {
  const rows: { reason: string; entries: [string, unknown][] }[] = [
    { reason: "the usual status codes", entries: [["200", { a: 1 }], ["400", { a: 2 }], ["500", { a: 3 }]] },
    { reason: "one code", entries: [["500", "x"]] },
    { reason: "no entries", entries: [] },
    { reason: "names and codes mixed (integer keys first, as JavaScript orders them)", entries: [["b", 1], ["404", 2], ["a", 3], ["2", 4]] },
    { reason: "a key JSON must escape", entries: [['say "hi"\n', 1], ["\u2028", 2]] },
    { reason: "__proto__ stays an own entry, the prototype untouched", entries: [["__proto__", { polluted: true }], ["200", 1]] },
    { reason: "a code-like key that is not an array index", entries: [["01", 1], ["4294967295", 2], ["-1", 3]] },
  ];
  it.each(rows)("$reason", ({ entries }) => {
    const record = compactRecord(entries);
    const reference: Record<string, unknown> = {};
    for (const [key, value] of entries) Object.defineProperty(reference, key, { value, enumerable: true, writable: true, configurable: true });
    expect(Object.entries(record)).toEqual(Object.entries(reference));
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    for (const [key, value] of entries) expect(record[key]).toBe(value); // the values themselves, not copies
  });
});

describe("compactIntegerKeys", () => {
  it("rebuilds nested status-code maps and keeps everything else as it was", () => {
    const stamp = new Date(0);
    const shared = { kept: true };
    const value = { methods: { GET: { responses: { "200": { p: shared }, "500": {} } } }, list: [{ "404": 1 }, "s"], stamp };
    const result = compactIntegerKeys(structuredClone(value));
    expect(result).toEqual(value);
    const plain = { a: shared };
    expect(compactIntegerKeys(plain)).toBe(plain); // nothing integer-keyed: the same object
    expect(compactIntegerKeys(plain).a).toBe(shared);
  });

  it("property: the same data, in the same key order, for any JSON value", () => {
    const key = fc.oneof(fc.string(), fc.nat({ max: 600 }).map(String), fc.constantFrom("__proto__", "200", "400", "500"));
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 1 }), tie("object"), fc.array(tie("value"), { maxLength: 4 })),
      object: fc.dictionary(key, tie("value"), { maxKeys: 6 }),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        const text = JSON.stringify(value);
        const result = compactIntegerKeys(JSON.parse(text) as unknown);
        expect(JSON.stringify(result)).toBe(text);
      }),
    );
  });
});

describe("resolvePlaceholders: copies only what it changes", () => {
  const target = { region: "eu-west-1", accountId: "123456789012", partition: "aws" };
  const model = {
    key: "a",
    uri: "arn:${AWS_PARTITION}:apigateway:${AWS_REGION}:s3:path/{bucket}",
    resources: { "/": { methods: { GET: { responses: { "200": { p: {} } }, integration: { requestTemplates: { "application/json": "${AWS_REGION} stays in VTL" } } } } } },
    list: ["${AWS_ACCOUNT_ID}", "plain"],
    plain: { deep: { text: "no placeholder" } },
  };
  const desired = { objects: [{ kind: "RestApi", source: { file: "f", line: 1 }, labels: {}, options: {}, model }] } as unknown as DesiredState;

  it("resolves strings in and out of lists, leaves mapping templates alone, and shares every unchanged subtree", () => {
    const resolved = resolvePlaceholders(desired, target).objects[0]?.model as unknown as typeof model;
    expect(resolved.uri).toBe("arn:aws:apigateway:eu-west-1:s3:path/{bucket}");
    expect(resolved.list).toEqual(["123456789012", "plain"]);
    expect(resolved.resources).toBe(model.resources); // nothing to resolve below: the same object
    expect(resolved.plain).toBe(model.plain);
    expect(resolved).not.toBe(model);
    expect(model.uri).toContain("${AWS_REGION}"); // the desired state itself is untouched
    expect(model.list[0]).toBe("${AWS_ACCOUNT_ID}");
  });

  it("property: equal to resolving a deep copy", () => {
    const text = fc.oneof(fc.string(), fc.constantFrom("${AWS_REGION}", "x${AWS_ACCOUNT_ID}y", "${AWS_PARTITION}${AWS_REGION}", "${OTHER}"));
    const tree = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, text, fc.integer(), tie("object"), fc.array(tie("value"), { maxLength: 3 })),
      object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("requestTemplates", "200")), tie("value"), { maxKeys: 4 }),
    })).value;
    const naive = (value: unknown, inTemplate = false): unknown => {
      if (typeof value === "string") return inTemplate ? value : value.replaceAll("${AWS_REGION}", target.region).replaceAll("${AWS_ACCOUNT_ID}", target.accountId).replaceAll("${AWS_PARTITION}", target.partition);
      if (Array.isArray(value)) return value.map((v) => naive(v, inTemplate));
      if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "requestTemplates" || inTemplate ? v : naive(v)]));
      return value;
    };
    fc.assert(
      fc.property(tree, (value) => {
        const state = { objects: [{ ...desired.objects[0], model: { key: "k", value } }] } as unknown as DesiredState;
        expect(JSON.stringify(resolvePlaceholders(state, target).objects[0]?.model)).toBe(JSON.stringify({ key: "k", value: naive(value) }));
      }),
    );
  });
});
