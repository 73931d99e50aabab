// YAML with source positions: documents of a file, the node at a field path, duplicate-key detection.
import { Composer, isMap, isPair, isScalar, isSeq, LineCounter } from "yaml";
import type { Document, Node, Pair, YAMLError } from "yaml";
import { once } from "../once.ts";
import { formatFieldPath, quote, type FieldPath, type ManifestIssue } from "./issues.ts";
import { MAX_DEPTH, structureProblem, tagProblems, tokenize, type GuardProblem } from "./yaml-guards.ts";

/** Where a document is: enough to point at any of its fields without holding its syntax tree. */
export interface SourceLocation {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  /** Line of the document's first node. */
  line: number;
  /** Line and column of the node at `path` (or of its deepest existing ancestor). */
  locate: (path: FieldPath, at?: "key" | "value") => { line: number; column: number };
}

export interface SourceDocument extends SourceLocation {
  value: unknown;
}

export interface ParsedFile {
  documents: SourceDocument[];
  issues: ManifestIssue[];
}

/** Tags reported per file: a CloudFormation template has hundreds, the first few say enough. */
const MAX_TAG_ISSUES = 10;

export function parseYamlFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const issues: ManifestIssue[] = [];
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  let yamlDocuments: Document.Parsed[];
  let tags: GuardProblem[];
  try {
    const { tokens, tooDeep } = tokenize(text, lineCounter.addNewLine);
    if (tooDeep) return { documents: [], issues: [{ file, ...position(tooDeep.offset), field: "(yaml)", message: tooDeep.message }] };
    tags = tagProblems(tokens);
    yamlDocuments = Array.from(new Composer({ uniqueKeys: false }).compose(tokens));
  } catch (error) {
    // Not expected (the YAML library reports problems, it does not throw them), but never thrown on.
    return { documents: [], issues: [{ file, line: 1, column: 1, field: "(yaml)", message: `could not be read: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  for (const tag of tags.slice(0, MAX_TAG_ISSUES)) issues.push({ file, ...position(tag.offset), field: "(yaml)", message: tag.message });
  const syntaxTrees = lazySyntaxTrees(text);
  const documents = yamlDocuments.flatMap((doc, index) => {
    const report = (offset: number, message: string, field = "(yaml)") => issues.push({ file, ...position(offset), field, message });
    for (const error of doc.errors) report(error.pos[0], yamlErrorMessage(error));
    if (doc.errors.length > 0) return [];
    if (tags.some((tag) => tag.offset >= doc.range[0] && tag.offset <= doc.range[2])) {
      // Not read (its tagged values have no meaning here), but a cycle or bomb in it is worth saying too.
      const structure = structureProblem(doc);
      if (structure) report(structure.offset, structure.message);
      return [];
    }
    const source = documentOf(file, doc, { report, position, locate: locator(syntaxTrees, index, position) });
    return source ? [{ ...source, index }] : [];
  });
  return { documents, issues };
}

/**
 * Finds nodes of document `index` of `text` by composing the text again on the first question. Problems are
 * rare and a file's syntax tree is several times its size, so none is kept for a file whose documents are fine
 * (a 500-file estate would otherwise hold every tree until the last file is checked).
 */
function locator(syntaxTrees: () => readonly Document.Parsed[], index: number, position: Reporting["position"]): SourceLocation["locate"] {
  return (path, at = "value") => {
    const doc = syntaxTrees()[index];
    return position(doc ? offsetOf(doc, path, at) : 0);
  };
}

/** The documents of `text` composed once, on the first call (shared by the file's documents' locators). */
function lazySyntaxTrees(text: string): () => readonly Document.Parsed[] {
  return once(() => Array.from(new Composer({ uniqueKeys: false }).compose(tokenize(text, () => undefined).tokens ?? [])));
}

interface Reporting {
  report: (offset: number, message: string, field?: string) => void;
  position: (offset: number) => { line: number; column: number };
  locate: SourceLocation["locate"];
}

/** A document the parser accepted, as a value; undefined when it is empty or has a problem (reported). */
function documentOf(file: string, doc: Document.Parsed, { report, position, locate }: Reporting): Omit<SourceDocument, "index"> | undefined {
  const structure = structureProblem(doc);
  if (structure) {
    report(structure.offset, structure.message);
    return undefined;
  }
  for (const duplicate of duplicateKeys(doc.contents)) {
    const key = duplicate.pair.key;
    const message = `duplicate key ${quote(String(duplicate.key))} (YAML keys must be unique; the later one would silently win)`;
    report(isNodeLike(key) ? (key.range?.[0] ?? 0) : 0, message, formatFieldPath(duplicate.path));
  }
  let value: unknown;
  try {
    // Aliases are bounded by structureProblem (cycles, expansion, depth), so yaml's own alias count is off:
    // it would refuse a scalar anchor used 101 times, and says neither where nor why.
    value = doc.toJS({ maxAliasCount: -1 });
  } catch (error) {
    report(doc.range[0], firstLine(error instanceof Error ? error.message : String(error)));
    return undefined;
  }
  if (value === null || value === undefined) return undefined; // empty document: a stray "---" or only comments
  return { file, value, line: position(offsetOf(doc, [], "value")).line, locate };
}

function yamlErrorMessage(error: YAMLError): string {
  // The composer catches a stack overflow and reports the bare RangeError message (scanTokens should prevent it).
  if (error.code === "RESOURCE_EXHAUSTION") return `nested too deeply to read (a manifest nests at most ${MAX_DEPTH} levels)`;
  return firstLine(error.message);
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

function isNodeLike(value: unknown): value is Node {
  return typeof value === "object" && value !== null && "range" in value;
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

/** Offset of the deepest node on `path` that exists, so a missing field points at its parent. */
function offsetOf(doc: Document, path: FieldPath, at: "key" | "value"): number {
  let node: unknown = doc.contents;
  let offset = doc.contents && isNodeLike(doc.contents) ? (doc.contents.range?.[0] ?? 0) : 0;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = (node).items.find((item) => String(keyOf(item)) === String(segment));
      if (!pair) break;
      const target = last && at === "key" ? pair.key : (pair.value ?? pair.key);
      if (isNodeLike(target) && target.range) offset = target.range[0];
      else if (isNodeLike(pair.key) && pair.key.range) offset = pair.key.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (!isNodeLike(item)) break;
      if (item.range) offset = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function* duplicateKeys(node: unknown, path: (string | number)[] = []): Generator<{ pair: Pair; key: unknown; path: FieldPath }> {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = keyOf(pair);
      const id = String(key);
      if (seen.has(id)) yield { pair, key, path: [...path, id] };
      seen.add(id);
      yield* duplicateKeys(pair.value, [...path, id]);
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) yield* duplicateKeys(item, [...path, i]);
  }
}
