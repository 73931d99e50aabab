// load: manifest files → validated documents → Desired. Every problem of every file is collected and
// thrown together as one ManifestError; nothing else escapes (see the loader property test).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { ZodType } from "zod";
import { compactIntegerKeys } from "../model/own.ts";
import type { DesiredObject, DesiredState, Origin } from "../model/types.ts";
import { COMPOSITE_KINDS, KINDS } from "../kinds/index.ts";
import type { AnyCompositeKind, AnyKind, GeneratedDocument, ManifestIndex } from "../kinds/kind.ts";
import type { CheckProblem } from "./checks.ts";
import { checkText, decodeManifest, lenientText } from "./decode.ts";
import { clip, didYouMean, formatFieldPath, IssueList, ManifestError, MAX_MESSAGE_LENGTH, quote, type FieldPath, type ManifestIssue } from "./issues.ts";
import { API_VERSION } from "./schema.ts";
import { parseYamlFile, type SourceDocument, type SourceLocation } from "./yaml-source.ts";
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
  /**
   * With `{ documents: true }` only: every document in load order as the kinds read it, a composite's (an
   * S3Proxy's) replaced by the documents it expands to, the others as written (`reconcile render` prints them).
   */
  expanded?: unknown[];
}

export interface LoadOptions {
  /** Keep the documents as read (LoadedManifests.expanded); a pass has no use for them. */
  documents?: boolean;
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

export function loadManifests(paths: readonly string[], cwd = process.cwd(), options: LoadOptions = {}): LoadedManifests {
  return parseManifests(readManifestFiles(paths, cwd), KINDS, COMPOSITE_KINDS, options);
}

/** A document its kind's schema accepted: the schema's output and where it is (not the value as read). */
interface ValidDocument {
  doc: { kind: string; metadata: { name: string } };
  source: SourceLocation;
  kind: AnyKind;
  /** Written by a composite document (an S3Proxy): which one, and how its problems are located. */
  generated?: Generated;
}

/** A document a composite wrote: its problems are reported at the composite's field that caused them. */
interface Generated {
  origin: Origin;
  fieldOf: GeneratedDocument["fieldOf"];
  /** "the RestApi my-s3 it expands to", for messages. */
  what: string;
  /**
   * Problems already reported for the composite, by its field, the generated field and the message (shared
   * by the documents it wrote): a field copied into both (its tags) with a problem is reported once, not
   * once per document; different generated fields with the same message stay apart.
   */
  reported: Set<string>;
}

/** The loader's registry: the kinds, and the composite kinds whose documents expand into theirs. */
interface Registry {
  kinds: readonly AnyKind[];
  composites: readonly AnyCompositeKind[];
}

/** Pure: manifest texts → Desired, or a ManifestError listing every problem. */
export function parseManifests(
  files: readonly SourceFile[],
  kinds: readonly AnyKind[] = KINDS,
  composites: readonly AnyCompositeKind[] = COMPOSITE_KINDS,
  options: LoadOptions = {},
): LoadedManifests {
  const issues = new IssueList();
  const valid: ValidDocument[] = [];
  const expanded: unknown[] | undefined = options.documents ? [] : undefined;
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
      for (const read of readDocument(source, issues, { kinds, composites })) {
        declare(declared, read.source.value);
        expanded?.push(read.source.value);
        if (read.valid) valid.push(read.valid);
      }
    }
  }
  if (documentCount === 0 && issues.length === 0) {
    issues.push({ file: files.map((f) => f.file).join(", ") || "(none)", line: 0, column: 0, field: "(manifests)", message: "no manifest documents found" });
  }
  checkUniqueNames(valid, issues);
  const index = manifestIndex(valid, declared, (name) => unread.some((text) => text.includes(name)));
  const warnings = new IssueList();
  for (const { doc, source, kind, generated } of valid) {
    for (const problem of kind.check(doc, index)) reporter(source, problem.severity === "warning" ? warnings : issues, generated)(problem);
  }
  if (issues.length > 0) throw new ManifestError(issues.sorted());

  const desired: DesiredState = { objects: valid.map((document) => expandDocument(document, index)) };
  const shortWarnings = warnings.sorted().map((issue) => ({ ...issue, message: clip(issue.message, MAX_MESSAGE_LENGTH) }));
  return { desired, files: files.map((f) => f.file), documents: documentCount, warnings: shortWarnings, ...(expanded ? { expanded } : {}) };
}

function expandDocument({ doc, source, kind, generated }: ValidDocument, index: ManifestIndex): DesiredObject {
  const object = kind.expand(doc, index, { file: source.file, line: source.line }) as DesiredObject;
  return generated ? { ...object, origin: generated.origin } : object;
}

/**
 * One document of a file → what the kinds read: itself, or, for a valid composite (an S3Proxy), each
 * document it expands to, validated by its own kind's schema and located at the composite's fields.
 */
function readDocument(source: SourceDocument, issues: IssueList, registry: Registry): { source: SourceDocument; valid?: ValidDocument }[] {
  const validated = validateDocument(source, reporter(source, issues), registry);
  if (!validated) return [{ source }];
  const { doc, handler } = validated;
  const composite = registry.composites.find((c) => c === handler);
  if (!composite) return [{ source, valid: { doc, source: locationOf(source), kind: handler as AnyKind } }];
  const problems: CheckProblem[] = composite.check(doc);
  for (const problem of problems) reporter(source, issues)(problem);
  if (problems.length > 0) return [{ source }];
  const origin: Origin = { kind: doc.kind, name: doc.metadata.name };
  const reported = new Set<string>();
  return composite.expandsTo(doc).map(({ document, fieldOf }) => {
    const generated: Generated = { origin, fieldOf, what: `the ${document.kind} ${quote(document.metadata.name)} it expands to`, reported };
    const written: SourceDocument = { ...source, value: document, locate: (path, at) => source.locate(fieldOf(path), at) };
    // Only the kinds proper: a composite writes documents the engine knows, never another composite.
    const read = validateDocument(written, reporter(written, issues, generated), { kinds: registry.kinds, composites: [] });
    return { source: written, ...(read ? { valid: { doc: read.doc, source: locationOf(written), kind: read.handler as AnyKind, generated } } : {}) };
  });
}

/** A document's place without its value as read: only the schema's output is kept until expansion. */
function locationOf({ file, index, line, locate }: SourceDocument): SourceLocation {
  return { file, index, line, locate };
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

/**
 * Problems → issues at file:line:column. Of a generated document: at the composite's field that caused
 * it (source.locate maps the path), the message naming the generated document and its field.
 */
function reporter(source: SourceLocation, issues: IssueList, generated?: Generated): (problem: CheckProblem) => void {
  return (problem) => {
    if (generated) {
      const once = `${formatFieldPath(generated.fieldOf(problem.path))}\n${formatFieldPath(problem.path)}\n${problem.message}`;
      if (generated.reported.has(once)) return;
      generated.reported.add(once);
    }
    issues.add(source.file, () => {
      const { line, column } = source.locate(problem.path, problem.at ?? "value");
      if (!generated) return { file: source.file, line, column, field: formatFieldPath(problem.path), message: problem.message };
      const field: FieldPath = generated.fieldOf(problem.path);
      return { file: source.file, line, column, field: formatFieldPath(field), message: `${problem.message} (in ${generated.what}, at ${formatFieldPath(problem.path)})` };
    });
  };
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

/** A manifest kind as validation sees it: a kind or a composite kind, by its schema. */
type Handler = { kind: string; documentSchema: ZodType };

function validateDocument(source: SourceDocument, report: (p: CheckProblem) => void, registry: Registry): { doc: ValidDocument["doc"]; handler: Handler } | undefined {
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
  const handlers: readonly Handler[] = [...registry.kinds, ...registry.composites];
  // The list names the kinds proper (the messages people and fixtures know); a near miss of a composite
  // kind's name ("S3proxy") is still answered with it.
  const kindNames = handlers.map((k) => k.kind);
  const kind = record.kind;
  const handler = typeof kind === "string" ? handlers.find((h) => h.kind === kind) : undefined;
  if (typeof kind !== "string" || !handler) {
    report({
      path: ["kind"],
      message:
        kind === undefined
          ? `is required (one of ${kindNames.join(", ")})`
          : `unknown kind ${quote(kind)}; expected one of ${kindNames.join(", ")}${typeof kind === "string" ? didYouMean(kind, handlers.map((k) => k.kind)) : ""}`,
    });
    return undefined;
  }
  const reserved = protoKeys(value);
  for (const path of reserved) report({ path, at: "key", message: `"__proto__" is not allowed as a key` });
  if (reserved.length > 0) return undefined;
  const schema = handler.documentSchema;
  const result = schema.safeParse(value, { reportInput: true });
  // Held until every document is checked: status-code maps rebuilt compact (compactIntegerKeys says why).
  if (result.success) return { doc: compactIntegerKeys(result.data) as ValidDocument["doc"], handler };
  for (const problem of describeZodIssues(schema, result.error.issues)) {
    if (problem.path[0] === "apiVersion") continue; // reported above, with a clearer message
    report(problem);
  }
  return undefined;
}

function checkUniqueNames(valid: readonly ValidDocument[], issues: IssueList): void {
  const first = new Map<string, ValidDocument>();
  for (const document of valid) {
    const { doc, source, generated } = document;
    const id = `${doc.kind}/${doc.metadata.name}`;
    const earlier = first.get(id);
    if (earlier) {
      const at = earlier.source.locate(["metadata", "name"]);
      const by = earlier.generated ? `, expanded from ${earlier.generated.origin.kind} ${earlier.generated.origin.name}` : "";
      reporter(source, issues, generated)({
        path: ["metadata", "name"],
        message: `another ${doc.kind} is already named ${quote(doc.metadata.name)} (${earlier.source.file}:${at.line}:${at.column}${by})`,
      });
    } else {
      first.set(id, document);
    }
  }
}
