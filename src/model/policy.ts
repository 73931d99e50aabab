// IAM and resource policies compared by meaning: AWS returns them URL-encoded, re-ordered, with single
// strings where a one-element list was written. The canonical form sorts and lists everything.
import type { PolicyDocument } from "./types.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const LIST_FIELDS = new Set(["Action", "NotAction", "Resource", "NotResource"]);
const PRINCIPAL_FIELDS = new Set(["Principal", "NotPrincipal"]);

export function canonicalPolicy(document: PolicyDocument | Record<string, unknown>): Json {
  const doc = document as Record<string, unknown>;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const canonicalStatements = statements.map((s) => canonicalStatement(s as Record<string, unknown>));
  canonicalStatements.sort((a, b) => stableStringify(a).localeCompare(stableStringify(b)));
  const out: Record<string, Json> = { Version: (doc.Version as string | undefined) ?? "2008-10-17", Statement: canonicalStatements };
  if (doc.Id !== undefined) out.Id = doc.Id as string;
  return out;
}

function canonicalStatement(statement: Record<string, unknown>): Json {
  const out: Record<string, Json> = {};
  for (const key of Object.keys(statement).sort()) {
    const value = statement[key];
    if (LIST_FIELDS.has(key)) out[key] = asSortedList(value);
    else if (PRINCIPAL_FIELDS.has(key)) out[key] = canonicalPrincipal(value);
    else if (key === "Condition") out[key] = canonicalCondition(value);
    else out[key] = value as Json;
  }
  return out;
}

function asSortedList(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : [String(value)];
  return [...new Set(list)].sort();
}

function canonicalPrincipal(value: unknown): Json {
  if (typeof value === "string") return value === "*" ? { AWS: ["*"] } : value;
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value as object).sort()) out[key] = asSortedList((value as Record<string, unknown>)[key]);
  return out;
}

function canonicalCondition(value: unknown): Json {
  const out: Record<string, Json> = {};
  for (const operator of Object.keys(value as object).sort()) {
    const block = (value as Record<string, Record<string, unknown>>)[operator] ?? {};
    const inner: Record<string, Json> = {};
    for (const key of Object.keys(block).sort()) {
      const v = block[key];
      inner[key] = Array.isArray(v) || typeof v === "string" ? asSortedList(v) : (v as Json);
    }
    out[operator] = inner;
  }
  return out;
}

export function policiesEqual(a: PolicyDocument | undefined, b: PolicyDocument | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return stableStringify(canonicalPolicy(a)) === stableStringify(canonicalPolicy(b));
}

/** Parses a policy as AWS returns it: URL-encoded (IAM) or with escaped JSON (API Gateway). */
export function parsePolicyDocument(text: string): PolicyDocument {
  const trimmed = text.trim();
  const decoded = trimmed.startsWith("{") ? trimmed : decodeURIComponent(trimmed);
  try {
    return JSON.parse(decoded) as PolicyDocument;
  } catch {
    // API Gateway returns the resource policy with its quotes escaped (\"), as a JSON string body.
    return JSON.parse(decoded.replace(/\\"/g, '"').replace(/\\\//g, "/")) as PolicyDocument;
  }
}

export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}
