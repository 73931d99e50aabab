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

// Canonical objects are built with fromEntries: a key such as "__proto__" (a condition key in a policy AWS
// holds) stays an entry, where `out[key] = …` would set the prototype and drop it from the comparison.
function canonicalStatement(statement: Record<string, unknown>): Json {
  return Object.fromEntries(Object.keys(statement).sort().map((key) => [key, canonicalMember(key, statement[key])]));
}

function canonicalMember(key: string, value: unknown): Json {
  if (LIST_FIELDS.has(key)) return asSortedList(value);
  if (PRINCIPAL_FIELDS.has(key)) return canonicalPrincipal(value);
  if (key === "Condition") return canonicalCondition(value);
  return value as Json;
}

function asSortedList(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : [String(value)];
  return [...new Set(list)].sort();
}

function canonicalPrincipal(value: unknown): Json {
  if (typeof value === "string") return value === "*" ? { AWS: ["*"] } : value;
  const principal = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(principal).sort().map((key) => [key, asSortedList(principal[key])]));
}

function canonicalCondition(value: unknown): Json {
  const operators = value as Record<string, Record<string, unknown>>;
  return Object.fromEntries(
    Object.keys(operators)
      .sort()
      .map((operator) => {
        const block = operators[operator] ?? {};
        const inner = Object.keys(block).sort().map((key): [string, Json] => {
          const v = block[key];
          return [key, Array.isArray(v) || typeof v === "string" ? asSortedList(v) : (v as Json)];
        });
        return [operator, Object.fromEntries(inner)];
      }),
  );
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

/** Where an API lives: what AWS fills into the `execute-api:/…` shorthand of its resource policy. */
export interface ExecuteApiScope {
  partition: string;
  region: string;
  accountId: string;
  apiId: string;
}

const SHORTHAND = "execute-api:/";

/**
 * The resource policy as API Gateway stores it: "API Gateway converts the abbreviated syntax to the full
 * ARN when you save the policy … using the current Region, your AWS account ID, and the ID of the REST API"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html):
 * `execute-api:/prod/GET/x` → `arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/x`, in
 * Resource and NotResource. Compared in this form, the shorthand is not an endless diff.
 */
export function expandExecuteApiShorthand(policy: PolicyDocument, scope: ExecuteApiScope): PolicyDocument {
  const prefix = `arn:${scope.partition}:execute-api:${scope.region}:${scope.accountId}:${scope.apiId}/`;
  const expand = (value: unknown): unknown => {
    if (typeof value === "string") return value.startsWith(SHORTHAND) ? prefix + value.slice(SHORTHAND.length) : value;
    return Array.isArray(value) ? value.map(expand) : value;
  };
  const doc = policy as unknown as Record<string, unknown>;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const expanded = statements.map((statement) => {
    const s = statement as Record<string, unknown>;
    return Object.fromEntries(Object.entries(s).map(([key, value]) => [key, key === "Resource" || key === "NotResource" ? expand(value) : value]));
  });
  return { ...policy, Statement: expanded } as PolicyDocument;
}

export function usesExecuteApiShorthand(policy: PolicyDocument | undefined): boolean {
  return policy !== undefined && JSON.stringify(policy).includes(`"${SHORTHAND}`);
}
