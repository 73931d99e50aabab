// YAML with source positions: documents of a file, the node at a field path, duplicate-key detection.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from "yaml";
import type { Document, Node, Pair } from "yaml";
import { formatFieldPath, type FieldPath, type ManifestIssue } from "./issues.ts";

export interface SourceDocument {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  value: unknown;
  locate(path: FieldPath, at?: "key" | "value"): { line: number; column: number };
}

export interface ParsedFile {
  documents: SourceDocument[];
  issues: ManifestIssue[];
}

// Aliases can expand exponentially ("billion laughs"); manifests never need many.
const MAX_ALIAS_COUNT = 100;

export function parseYamlFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const documents: SourceDocument[] = [];
  const issues: ManifestIssue[] = [];
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const yamlDocuments = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const list = Array.isArray(yamlDocuments) ? yamlDocuments : [];
  list.forEach((doc, index) => {
    const docStart = position(doc.range[0]);
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        issues.push({ file, ...position(error.pos[0]), field: "(yaml)", message: firstLine(error.message) });
      }
      return;
    }
    for (const duplicate of duplicateKeys(doc.contents)) {
      issues.push({
        file,
        ...position(duplicate.pair.key && isNodeLike(duplicate.pair.key) ? (duplicate.pair.key.range?.[0] ?? 0) : 0),
        field: formatFieldPath(duplicate.path),
        message: `duplicate key "${String(duplicate.key)}" (YAML keys must be unique; the later one would silently win)`,
      });
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      issues.push({ file, ...docStart, field: "(yaml)", message: firstLine(error instanceof Error ? error.message : String(error)) });
      return;
    }
    if (value === null || value === undefined) return; // empty document: a stray "---" or only comments
    documents.push({
      file,
      index,
      value,
      locate: (path, at = "value") => position(offsetOf(doc, path, at)),
    });
  });
  return { documents, issues };
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
