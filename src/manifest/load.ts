// load: manifest files → validated documents → Desired. Every problem of every file is collected and
// thrown together as one ManifestError; nothing else escapes (see the loader property test).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { DesiredObject, DesiredState } from "../model/types.ts";
import { KINDS, kindNamed } from "../kinds/index.ts";
import type { AnyKind, ManifestIndex } from "../kinds/kind.ts";
import type { CheckProblem } from "./checks.ts";
import { checkText, decodeManifest, lenientText } from "./decode.ts";
import { clip, didYouMean, formatFieldPath, IssueList, ManifestError, MAX_MESSAGE_LENGTH, quote, type ManifestIssue } from "./issues.ts";
import { API_VERSION } from "./schema.ts";
import { parseYamlFile, type SourceDocument } from "./yaml-source.ts";
import { describeZodIssues } from "./zod-issues.ts";

export interface SourceFile {
  /** As shown in messages: relative to the working directory when inside it. */
  file: string;
  /** The file's bytes as read (decoded here: UTF-8, or UTF-16 with a byte-order mark), or text already decoded. */
  text: string | Uint8Array;
}

export interface LoadedManifests {
  desired: DesiredState;
  files: string[];
  documents: number;
  /** Problems that do not stop the load (CheckProblem severity "warning"), located like errors, sorted. */
  warnings: ManifestIssue[];
}

const MANIFEST_FILE = /\.ya?ml$/i;

/** Reads manifest files: each path is a file or a directory searched recursively for *.yaml / *.yml. */
export function readManifestFiles(paths: readonly string[], cwd = process.cwd()): SourceFile[] {
  const issues: ManifestIssue[] = [];
  const files: string[] = [];
  for (const path of paths) {
    const shown = displayPath(path, cwd);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      issues.push({ file: shown, line: 0, column: 0, field: "(file)", message: "no such file or directory" });
      continue;
    }
    if (stat.isDirectory()) files.push(...listManifestFiles(path));
    else files.push(path);
  }
  if (issues.length > 0) throw new ManifestError(issues);
  // Bytes, not readFileSync(file, "utf8"): that turns a byte that is not UTF-8 into U+FFFD without a word.
  return [...new Set(files)].sort().map((file) => ({ file: displayPath(file, cwd), text: readFileSync(file) }));
}

function listManifestFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && MANIFEST_FILE.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith("..") || rel === "" ? path : rel;
}

export function loadManifests(paths: readonly string[], cwd = process.cwd()): LoadedManifests {
  return parseManifests(readManifestFiles(paths, cwd));
}

/** A document its kind's schema accepted. */
interface ValidDocument {
  doc: { kind: string; metadata: { name: string } };
  source: SourceDocument;
  kind: AnyKind;
}

/** Pure: manifest texts → Desired, or a ManifestError listing every problem. */
export function parseManifests(files: readonly SourceFile[], kinds: readonly AnyKind[] = KINDS): LoadedManifests {
  const issues = new IssueList();
  const valid: ValidDocument[] = [];
  let documentCount = 0;
  // Names come from every document, valid or not, so that a reference to an object with problems of its
  // own does not also report "no IamRole named …".
  const declared = new Map<string, Set<string>>();
  const unread: string[] = [];
  for (const file of files) {
    const { documents, unreadText } = readFile(file, issues);
    if (unreadText !== undefined) unread.push(unreadText);
    for (const source of documents) {
      documentCount++;
      declare(declared, source.value);
      const report = reporter(source, issues);
      const validated = validateDocument(source, report, kinds);
      if (validated) valid.push({ ...validated, source });
    }
  }
  if (documentCount === 0 && issues.length === 0) {
    issues.push({ file: files.map((f) => f.file).join(", ") || "(none)", line: 0, column: 0, field: "(manifests)", message: "no manifest documents found" });
  }
  checkUniqueNames(valid, issues);
  const index = manifestIndex(valid, declared, (name) => unread.some((text) => text.includes(name)));
  const warnings = new IssueList();
  for (const { doc, source, kind } of valid) {
    for (const problem of kind.check(doc, index)) reporter(source, problem.severity === "warning" ? warnings : issues)(problem);
  }
  if (issues.length > 0) throw new ManifestError(issues.sorted());

  const desired: DesiredState = { objects: valid.map(({ doc, source, kind }): DesiredObject => kind.expand(doc, index, { file: source.file, line: source.locate([]).line }) as DesiredObject) };
  const shortWarnings = warnings.sorted().map((issue) => ({ ...issue, message: clip(issue.message, MAX_MESSAGE_LENGTH) }));
  return { desired, files: files.map((f) => f.file), documents: documentCount, warnings: shortWarnings };
}

/**
 * A file's documents, its encoding and YAML problems added to `issues`; and, when some of it could not be
 * read, its text as far as it decodes (a roleRef may name a role in the part that was not read).
 */
function readFile({ file, text }: SourceFile, issues: IssueList): { documents: SourceDocument[]; unreadText?: string } {
  const decoded = typeof text === "string" ? checkText(text) : decodeManifest(text);
  for (const problem of decoded.problems) issues.push({ file, ...problem, field: "(file)" });
  if (decoded.text === undefined) return { documents: [], unreadText: typeof text === "string" ? text : lenientText(text) };
  const parsed = parseYamlFile(file, decoded.text);
  issues.push(...parsed.issues);
  return { documents: parsed.documents, ...(parsed.issues.length > 0 ? { unreadText: decoded.text } : {}) };
}

function reporter(source: SourceDocument, issues: IssueList): (problem: CheckProblem) => void {
  return (problem) =>
    issues.add(source.file, () => {
      const { line, column } = source.locate(problem.path, problem.at ?? "value");
      return { file: source.file, line, column, field: formatFieldPath(problem.path), message: problem.message };
    });
}

/** Records the kind and name of any document that has them, valid or not. */
function declare(declared: Map<string, Set<string>>, value: unknown): void {
  const record = value as { kind?: unknown; metadata?: { name?: unknown } } | null;
  if (typeof record !== "object" || record === null || typeof record.kind !== "string" || typeof record.metadata?.name !== "string") return;
  declared.set(record.kind, (declared.get(record.kind) ?? new Set()).add(record.metadata.name));
}

/** What each kind may know of the other documents: names declared, and what valid documents export. */
function manifestIndex(valid: readonly ValidDocument[], declared: ReadonlyMap<string, ReadonlySet<string>>, inUnreadFile: (name: string) => boolean): ManifestIndex {
  const exported = new Map<string, unknown>();
  for (const { doc, kind } of valid) {
    const value = kind.exportsOf?.(doc);
    if (value !== undefined) exported.set(`${doc.kind}/${doc.metadata.name}`, value);
  }
  return { declared: (kind) => declared.get(kind) ?? new Set(), exported: (kind, name) => exported.get(`${kind}/${name}`), inUnreadFile };
}

/** zod drops an own "__proto__" key of a record silently; say so instead. */
function protoKeys(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => protoKeys(item, [...path, i]));
  if (typeof value !== "object" || value === null) return [];
  return Object.keys(value).flatMap((key) => (key === "__proto__" ? [[...path, key]] : protoKeys((value as Record<string, unknown>)[key], [...path, key])));
}

function validateDocument(source: SourceDocument, report: (p: CheckProblem) => void, kinds: readonly AnyKind[]): Omit<ValidDocument, "source"> | undefined {
  const value = source.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    report({ path: [], message: "a manifest document is a mapping with apiVersion, kind, metadata and spec" });
    return undefined;
  }
  const record = value as Record<string, unknown>;
  if (record.apiVersion !== API_VERSION) {
    report({
      path: ["apiVersion"],
      message: record.apiVersion === undefined ? `is required (${API_VERSION})` : `must be ${API_VERSION}, got ${quote(record.apiVersion)}`,
    });
  }
  const kindNames = kinds.map((k) => k.kind);
  const kind = record.kind;
  const handler = typeof kind === "string" ? kindNamed(kind, kinds) : undefined;
  if (typeof kind !== "string" || !handler) {
    report({
      path: ["kind"],
      message:
        kind === undefined
          ? `is required (one of ${kindNames.join(", ")})`
          : `unknown kind ${quote(kind)}; expected one of ${kindNames.join(", ")}${typeof kind === "string" ? didYouMean(kind, kindNames) : ""}`,
    });
    return undefined;
  }
  const reserved = protoKeys(value);
  for (const path of reserved) report({ path, at: "key", message: `"__proto__" is not allowed as a key` });
  if (reserved.length > 0) return undefined;
  const schema = handler.documentSchema;
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { doc: result.data as ValidDocument["doc"], kind: handler };
  for (const problem of describeZodIssues(schema, result.error.issues)) {
    if (problem.path[0] === "apiVersion") continue; // reported above, with a clearer message
    report(problem);
  }
  return undefined;
}

function checkUniqueNames(valid: readonly ValidDocument[], issues: IssueList): void {
  const first = new Map<string, SourceDocument>();
  for (const { doc, source } of valid) {
    const id = `${doc.kind}/${doc.metadata.name}`;
    const earlier = first.get(id);
    if (earlier) {
      const at = earlier.locate(["metadata", "name"]);
      reporter(source, issues)({
        path: ["metadata", "name"],
        message: `another ${doc.kind} is already named ${quote(doc.metadata.name)} (${earlier.file}:${at.line}:${at.column})`,
      });
    } else {
      first.set(id, source);
    }
  }
}
