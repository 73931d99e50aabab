// The layering rules of design.md, read from the sources' syntax trees (TypeScript's own parser, so a
// comment or a string that mentions an import or `fetch(` does not count and a dynamic import does):
// - report/ renders a pass's data and sends nothing: no network module, no fetch, nothing from notify/
//   (alert decision and delivery), aws/ or state/;
// - notify/ keeps its decision and payloads pure: only its delivery talks HTTP;
// - model/ imports nothing else of src/ — in particular nothing from manifest/.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The .ts files under a folder of the repository, as repository paths with forward slashes. */
function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}

interface Facts {
  /** Every module specifier: static imports, re-exports, `import type`, dynamic `import()`. */
  imports: { specifier: string; line: number }[];
  /** Lines that reference the global `fetch` (called or passed around). */
  fetches: number[];
}

function facts(fileName: string, text: string): Facts {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const imports: Facts["imports"] = [];
  const fetches: number[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      imports.push({ specifier: node.moduleSpecifier.text, line: lineOf(node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      imports.push({ specifier: node.arguments[0].text, line: lineOf(node) });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      imports.push({ specifier: node.moduleReference.expression.text, line: lineOf(node) });
    } else if (ts.isIdentifier(node) && node.text === "fetch") {
      // `fetch(…)`, `globalThis.fetch`, `const send = fetch` — any mention of the name as code.
      fetches.push(lineOf(node));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, fetches };
}

/** Where a specifier leads: a repository path for relative ones, the bare name otherwise. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith(".")) return specifier;
  return relative(ROOT, resolve(ROOT, dirname(file), specifier)).split(sep).join("/");
}

const NETWORK_MODULES = ["http", "https", "http2", "net", "tls", "dgram", "undici"];
const isNetwork = (to: string) => NETWORK_MODULES.includes(to.replace(/^node:/, ""));
const under = (to: string, folder: string) => to === folder || to.startsWith(`${folder}/`);

/** The rule breaches of one file, as "file:line what" lines (empty when it keeps the rules). */
function reportBreaches(file: string, text: string): string[] {
  const { imports, fetches } = facts(file, text);
  return [
    ...imports
      .map(({ specifier, line }) => ({ line, to: target(file, specifier) }))
      .filter(({ to }) => isNetwork(to) || ["src/notify", "src/aws", "src/state"].some((folder) => under(to, folder)))
      .map(({ line, to }) => `${file}:${line} imports ${to}`),
    ...fetches.map((line) => `${file}:${line} uses fetch`),
  ];
}

function modelBreaches(file: string, text: string): string[] {
  return facts(file, text)
    .imports.map(({ specifier, line }) => ({ line, to: target(file, specifier) }))
    .filter(({ to }) => under(to, "src") && !under(to, "src/model"))
    .map(({ line, to }) => `${file}:${line} imports ${to}`);
}

const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

describe("layering", () => {
  it("the checks see what they look for (a rule that never fires proves nothing)", () => {
    const sample = [
      '// import { x } from "../aws/gateway.ts"; fetch("in a comment")',
      'import { request } from "node:https";',
      'import type { Lease } from "../state/lease.ts";',
      'export { deliverAlerts } from "../notify/deliver.ts";',
      'const text = "fetch(nothing) from ../aws";',
      'const later = () => import("http");',
      "await globalThis.fetch(url);",
    ].join("\n");
    expect(reportBreaches("src/report/sample.ts", sample)).toEqual([
      "src/report/sample.ts:2 imports node:https",
      "src/report/sample.ts:3 imports src/state/lease.ts",
      "src/report/sample.ts:4 imports src/notify/deliver.ts",
      "src/report/sample.ts:6 imports http",
      "src/report/sample.ts:7 uses fetch",
    ]);
    expect(modelBreaches("src/model/sample.ts", 'import type { PolicyDocument } from "../manifest/schema.ts";\nimport { x } from "./own.ts";\nimport { createHash } from "node:crypto";')).toEqual([
      "src/model/sample.ts:1 imports src/manifest/schema.ts",
    ]);
    // The real sources are read too: the renderers' own imports are found.
    expect(facts("src/report/text.ts", read("src/report/text.ts")).imports.map((i) => i.specifier)).toContain("../model/changes.ts");
  });

  it("report/ renders and sends nothing: no network module, no fetch, nothing from notify/, aws/ or state/", () => {
    const files = sources("src/report");
    expect(files).toContain("src/report/text.ts");
    expect(files.flatMap((file) => reportBreaches(file, read(file)))).toEqual([]);
  });

  it("notify/ talks HTTP only in its delivery; the decision and the payloads are pure", () => {
    const files = sources("src/notify");
    expect(files).toEqual(expect.arrayContaining(["src/notify/decide.ts", "src/notify/deliver.ts", "src/notify/payloads.ts"]));
    expect(facts("src/notify/deliver.ts", read("src/notify/deliver.ts")).fetches).not.toEqual([]);
    const pure = files.filter((file) => file !== "src/notify/deliver.ts");
    expect(
      pure.flatMap((file) => {
        const { imports, fetches } = facts(file, read(file));
        return [
          ...imports.filter(({ specifier }) => isNetwork(target(file, specifier)) || target(file, specifier) === "src/notify/deliver.ts").map(({ specifier, line }) => `${file}:${line} imports ${specifier}`),
          ...fetches.map((line) => `${file}:${line} uses fetch`),
        ];
      }),
    ).toEqual([]);
  });

  it("model/ imports nothing from manifest/ (nor anything else of src/ outside model/)", () => {
    const files = sources("src/model");
    expect(files).toContain("src/model/types.ts");
    const breaches = files.flatMap((file) => modelBreaches(file, read(file)));
    expect(breaches.filter((line) => line.includes(" imports src/manifest"))).toEqual([]);
    expect(breaches).toEqual([]);
  });
});

