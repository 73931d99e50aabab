// Properties of the manifest loader: (a) whatever the input, parseManifests returns or throws a ManifestError with
// well-formed issues, never anything else; (b) valid manifests with random stage variables, tags, binary media
// types and resource paths load, and those values arrive unchanged in the Desired model.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { ManifestError, MAX_MESSAGE_LENGTH } from "../../src/manifest/issues.ts";
import { parseManifests, type SourceFile } from "../../src/manifest/load.ts";
import { apisOf } from "./support/models.ts";

const VALID = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "valid");
const VALID_TEXTS = ["photos.yaml", "archive.yaml", "nested/health.yml"].map((file) => readFileSync(join(VALID, file), "utf8"));

const RUNS = 250;

// ---------------------------------------------------------------- (a) never anything but a ManifestError

/** Loads the files and checks the outcome is a result or a ManifestError whose issues are all well-formed. */
function expectLoadOrManifestError(files: SourceFile[]): void {
  let documents: number;
  try {
    documents = parseManifests(files).documents;
  } catch (error) {
    if (!(error instanceof ManifestError)) throw new Error(`parseManifests threw something other than a ManifestError: ${String(error)}`, { cause: error });
    expect(error.issues.length).toBeGreaterThan(0);
    const names = files.map((f) => f.file);
    for (const issue of error.issues) {
      expect(Number.isInteger(issue.line) && issue.line >= 0, `line of ${JSON.stringify(issue)}`).toBe(true);
      expect(Number.isInteger(issue.column) && issue.column >= 0, `column of ${JSON.stringify(issue)}`).toBe(true);
      expect(issue.field, JSON.stringify(issue)).not.toBe("");
      expect(issue.message, JSON.stringify(issue)).not.toBe("");
      expect(issue.message.length, JSON.stringify(issue)).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
      if (issue.field !== "(manifests)") {
        expect(names).toContain(issue.file);
        // Every problem of a file that was read has a place in it.
        expect(issue.line, `line of ${JSON.stringify(issue)}`).toBeGreaterThanOrEqual(1);
        const text = files.find((f) => f.file === issue.file)?.text ?? "";
        const lines = (typeof text === "string" ? text : new TextDecoder().decode(text)).split("\n").length;
        expect(issue.line, `line beyond the end of the file: ${JSON.stringify(issue)}`).toBeLessThanOrEqual(lines + 1);
      }
    }
    return;
  }
  expect(documents).toBeGreaterThan(0);
}

const one = (text: string): SourceFile[] => [{ file: "fuzz.yaml", text }];

/** YAML text of a value, or undefined when the yaml package cannot write it. */
function yamlOf(value: unknown): string | undefined {
  try {
    const text: unknown = stringify(value);
    return typeof text === "string" ? text : undefined;
  } catch {
    return undefined;
  }
}

/** A valid manifest document (as a JS value) with one subtree replaced by `replacement`. */
function replaceAt(doc: unknown, choice: number, replacement: unknown): unknown {
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, i]));
    else if (typeof node === "object" && node !== null) for (const [key, item] of Object.entries(node)) walk(item, [...path, key]);
  };
  walk(doc, []);
  const path = paths[choice % paths.length] ?? [];
  if (path.length === 0) return replacement;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
  parent[path[path.length - 1] ?? ""] = replacement;
  return copy;
}

/** The plain values of the documents of the valid fixtures (empty documents left out). */
const VALID_DOCUMENTS: unknown[] = VALID_TEXTS.flatMap((text) =>
  parseAllDocuments(text)
    .map((doc) => doc.toJS() as unknown)
    .filter((value) => value !== null && value !== undefined),
);

type Mutation = (lines: string[]) => string[];

const lineIndex = fc.nat();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  lineIndex.map((i): Mutation => (lines) => lines.filter((_, j) => j !== i % lines.length)),
  lineIndex.map((i): Mutation => (lines) => lines.flatMap((line, j) => (j === i % lines.length ? [line, line] : [line]))),
  fc.tuple(lineIndex, fc.integer({ min: -4, max: 4 })).map(
    ([i, delta]): Mutation =>
      (lines) =>
        lines.map((line, j) => (j !== i % lines.length ? line : delta >= 0 ? " ".repeat(delta) + line : line.replace(new RegExp(`^ {0,${-delta}}`), ""))),
  ),
  fc.tuple(lineIndex, lineIndex).map(
    ([i, k]): Mutation =>
      (lines) =>
        lines.map((line, j) => {
          if (j === i % lines.length) return line.replace(/: (\S)/, ": &a $1");
          if (j === k % lines.length) return line.replace(/: .*$/, ": *a").replace(/^(\s*)- .*$/, "$1- *a");
          return line;
        }),
  ),
  lineIndex.map((i): Mutation => (lines) => lines.map((line, j) => (j === i % lines.length ? line.replace(/^( +)/, "\t") : line))),
  lineIndex.map((i): Mutation => (lines) => lines.flatMap((line, j) => (j === i % lines.length ? ["---", line] : [line]))),
  fc.tuple(lineIndex, lineIndex).map(
    ([i, k]): Mutation =>
      (lines) => {
        const copy = [...lines];
        const a = i % lines.length;
        const b = k % lines.length;
        [copy[a], copy[b]] = [copy[b] ?? "", copy[a] ?? ""];
        return copy;
      },
  ),
  fc.tuple(lineIndex, fc.nat(), fc.constantFrom("{", "}", "[", "]", ":", "- ", "&a ", "*a", "'", '"', "#", "|", ">", "!!str ", "<<: *a", "\t", "${X}", "~", "null")).map(
    ([i, at, insert]): Mutation =>
      (lines) =>
        lines.map((line, j) => (j === i % lines.length ? line.slice(0, at % (line.length + 1)) + insert + line.slice(at % (line.length + 1)) : line)),
  ),
);

describe("(a) the loader returns or throws a ManifestError, never anything else", () => {
  it("on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.string({ unit: "binary-ascii", maxLength: 200 })), (text) => {
        expectLoadOrManifestError(one(text));
      }),
      { numRuns: RUNS },
    );
  });

  it("on arbitrary values written as YAML", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (value) => {
        const text = yamlOf(value);
        fc.pre(text !== undefined);
        expectLoadOrManifestError(one(text ?? ""));
      }),
      { numRuns: RUNS },
    );
  });

  it("on valid manifests with one subtree replaced by an arbitrary value", () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID_DOCUMENTS), fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string(), fc.constant(null)), (doc, choice, replacement) => {
        const text = yamlOf(replaceAt(doc, choice, replacement));
        fc.pre(text !== undefined);
        expectLoadOrManifestError(one(text ?? ""));
      }),
      { numRuns: RUNS },
    );
  });

  it("on random mutations of valid manifests (lines deleted, duplicated, re-indented, aliased, tabbed, ---)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID_TEXTS), fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, mutations) => {
        const mutated = mutations.reduce((lines, mutate) => mutate(lines), text.split("\n")).join("\n");
        expectLoadOrManifestError([
          { file: "mutated.yaml", text: mutated },
          { file: "other.yaml", text: VALID_TEXTS[0] ?? "" },
        ]);
      }),
      { numRuns: RUNS },
    );
  });

  it("on several broken files at once", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...VALID_TEXTS)), { maxLength: 4 }), (texts) => {
        expectLoadOrManifestError(texts.map((text, i) => ({ file: `f${i}.yaml`, text })));
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------- (b) valid values round-trip into Desired

const chars = (set: string) => fc.constantFrom(...[...set]);
const noPlaceholder = (s: string) => !s.includes("${");
// The yaml library writes DEL, the C1 controls, U+FFFD, U+FFFE and U+FFFF unescaped, which the loader refuses
// (YAML allows the first ones only escaped; U+FFFD marks text damaged by a lenient decoder).
const writable = (s: string) => !/[\x7f-\x9f\ufffd-\uffff]/.test(s);

const stageVariableName = fc.string({ unit: chars("abcXYZ019_"), minLength: 1, maxLength: 12 }).filter((name) => name !== "__proto__");
const freeText = fc.string({ unit: "binary", maxLength: 40 }).filter((s) => noPlaceholder(s) && writable(s));
const TAG_CHARS = "abzABZ019 _.:/=+-@éß日Ω٣\u00a0\u3000";
const tagKey = fc
  .string({ unit: chars(TAG_CHARS), minLength: 1, maxLength: 30 })
  .filter((key) => !/^(aws:|apigw-reconciler:)/i.test(key) && key !== "__proto__");
const tagValue = fc.string({ unit: "binary", maxLength: 60 }).filter((s) => noPlaceholder(s) && writable(s));
const tags = fc.dictionary(tagKey, tagValue, { maxKeys: 8 });
const mediaPart = fc.string({ unit: chars("abxyz019*+.-_;=é"), minLength: 1, maxLength: 10 });
const mediaType = fc.tuple(mediaPart, mediaPart).map(([type, subtype]) => `${type}/${subtype}`);
const stageName = fc.string({ unit: chars("abcXYZ019_-"), minLength: 1, maxLength: 20 }).filter((name) => name !== "__proto__");
const plainPart = fc.string({ unit: chars("abcXYZ019._~:@!$&'()*+,;=-"), minLength: 1, maxLength: 8 });

/** A resource path; a variable part at depth d is always {vd}, so siblings never hold two different variables. */
const resourcePath = fc
  .tuple(fc.array(fc.option(plainPart, { nil: undefined, freq: 3 }), { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([parts, trailingSlash]) => "/" + parts.map((part, depth) => part ?? `{v${depth}}`).join("/") + (trailingSlash ? "/" : ""));
const canonical = (path: string) => path.replace(/\/+$/, "") || "/";
const resourcePaths = fc.uniqueArray(resourcePath, { minLength: 1, maxLength: 6, selector: canonical });

const stage = fc.record({ variables: fc.dictionary(stageVariableName, freeText, { maxKeys: 6 }), tags });
const apiInput = fc.record({
  tags,
  binaryMediaTypes: fc.array(mediaType, { maxLength: 6 }),
  paths: resourcePaths,
  stages: fc.uniqueArray(fc.tuple(stageName, stage), { maxLength: 4, selector: ([name]) => name }),
});
type ApiInput = typeof apiInput extends fc.Arbitrary<infer T> ? T : never;

function manifestOf(input: ApiInput): string {
  const resources = Object.fromEntries(
    input.paths.map((path) => {
      const variables = [...path.matchAll(/\{(v\d)\}/g)].map((m) => m[1] ?? "");
      const requestParameters = Object.fromEntries(variables.map((v) => [`method.request.path.${v}`, true]));
      return [path, { methods: { GET: { requestParameters, integration: { type: "MOCK", responses: { "200": {} } }, responses: { "200": {} } } } }];
    }),
  );
  // Paths written with a trailing slash get no key of their own: the loader looks keys up by the raw path (see the
  // method-settings-key-for-trailing-slash-resource fixture).
  const settings: [string, object][] = [
    ["*/*", { metricsEnabled: true }],
    ...input.paths.filter((path) => !path.endsWith("/") || path === "/").map((path): [string, object] => [`${path === "/" ? "" : path}/GET`, { cachingEnabled: true }]),
  ];
  const methodSettings = Object.fromEntries(settings);
  const doc = {
    apiVersion: "apigw-reconciler/v1",
    kind: "RestApi",
    metadata: { name: "generated" },
    spec: {
      tags: input.tags,
      binaryMediaTypes: input.binaryMediaTypes,
      resources,
      stages: Object.fromEntries(input.stages.map(([name, s]) => [name, { variables: s.variables, tags: s.tags, methodSettings }])),
    },
  };
  return `# generated\n---\n${stringify(doc)}---\n`;
}

describe("(b) valid values round-trip into the Desired model", () => {
  it("stage variables, tags, binary media types and resource paths arrive unchanged", () => {
    fc.assert(
      fc.property(apiInput, (input) => {
        const text = manifestOf(input);
        const loaded = parseManifests([{ file: "generated.yaml", text }]);
        expect(loaded.documents).toBe(1);
        const api = apisOf(loaded.desired)[0];
        expect(api?.model.tags).toEqual(input.tags);
        expect(api?.model.binaryMediaTypes).toEqual([...new Set(input.binaryMediaTypes)].sort());
        const expectedResources = new Set(["/"]);
        for (const path of input.paths) {
          const parts = canonical(path).split("/").filter(Boolean);
          for (let depth = 1; depth <= parts.length; depth++) expectedResources.add("/" + parts.slice(0, depth).join("/"));
        }
        expect(Object.keys(api?.model.resources ?? {}).sort()).toEqual([...expectedResources].sort());
        for (const path of input.paths) {
          const get = api?.model.resources[canonical(path)]?.methods.GET;
          expect(get?.integration?.type).toBe("MOCK");
          expect(Object.keys(get?.requestParameters ?? {}).sort()).toEqual([...path.matchAll(/\{(v\d)\}/g)].map((m) => `method.request.path.${m[1]}`).sort());
        }
        expect(Object.keys(api?.model.stages ?? {}).sort()).toEqual(input.stages.map(([name]) => name).sort());
        for (const [name, s] of input.stages) {
          expect(api?.model.stages[name]?.variables).toEqual(s.variables);
          expect(api?.model.stages[name]?.tags).toEqual(s.tags);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("a tag key or stage variable named __proto__ (allowed by the schema) is kept, or else reported, never silently dropped", () => {
    // JSON.parse makes __proto__ an own data property, as the yaml package does for a YAML key.
    const input: ApiInput = {
      tags: JSON.parse('{"__proto__":"x","team":"media"}') as Record<string, string>,
      binaryMediaTypes: [],
      paths: ["/"],
      stages: [["prod", { variables: JSON.parse('{"__proto__":"v"}') as Record<string, string>, tags: {} }]],
    };
    let outcome: string;
    try {
      const api = apisOf(parseManifests([{ file: "proto.yaml", text: manifestOf(input) }]).desired)[0];
      outcome = JSON.stringify({ tags: Object.keys(api?.model.tags ?? {}).sort(), variables: Object.keys(api?.model.stages.prod?.variables ?? {}) });
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      outcome = "reported";
    }
    expect(["reported", JSON.stringify({ tags: ["__proto__", "team"], variables: ["__proto__"] })]).toContain(outcome);
  });
});
