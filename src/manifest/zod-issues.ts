// Turns zod issues into short messages that say what is wrong and, for a typo, what was meant.
import type { z } from "zod";
import { didYouMean, MAX_ISSUES_PER_FILE, quote, type FieldPath } from "./issues.ts";

export interface SchemaProblem {
  path: FieldPath;
  message: string;
  /** Point at the key itself (unknown fields) rather than its value. */
  at: "key" | "value";
}

type ZodIssue = z.core.$ZodIssue;

export function describeZodIssues(schema: z.ZodType, issues: readonly ZodIssue[], base: FieldPath = []): SchemaProblem[] {
  return issues.flatMap((issue) => describeIssue(schema, issue, base));
}

function describeIssue(schema: z.ZodType, issue: ZodIssue, base: FieldPath): SchemaProblem[] {
  const path: FieldPath = [...base, ...(issue.path as (string | number)[])];
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(schemaAt(schema, path));
      // Past the first MAX_ISSUES_PER_FILE keys nothing is listed: no "did you mean" for 50,000 generated keys.
      return issue.keys.map((key, i) => ({
        path: [...path, key],
        at: "key" as const,
        message: `unknown field ${quote(key)}${i < MAX_ISSUES_PER_FILE ? didYouMean(key, known) : ""}`,
      }));
    }
    case "invalid_type":
      if (/received undefined$/.test(issue.message)) return [{ path, at: "value", message: "is required" }];
      return [{ path, at: "value", message: typeMessage(issue.message) }];
    case "invalid_value": {
      const values = issue.values.map((v) => String(v));
      const got = valueAt(issue);
      const hint = typeof got === "string" ? didYouMean(got, values) : "";
      if (got === undefined) return [{ path, at: "value", message: `is required (${values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.join(", ")}`})` }];
      const expected = values.length === 1 ? `must be ${JSON.stringify(values[0])}` : `must be one of ${values.join(", ")}`;
      return [{ path, at: "value", message: `${expected}, got ${quote(got)}${hint}` }];
    }
    case "invalid_key": {
      const inner = issue.issues[0];
      return [{ path, at: "key", message: `invalid key: ${inner?.message ?? issue.message}` }];
    }
    case "invalid_union":
      return describeUnion(schema, issue, path);
    case "invalid_format":
    case "too_big":
    case "too_small":
    case "custom":
    default:
      return [{ path, at: "value", message: issue.message.replace(/^Too (small|big): expected /, "expected ") }];
  }
}

/** Of a union's branches, report the one the input evidently meant (the one that got furthest). */
function describeUnion(schema: z.ZodType, issue: Extract<ZodIssue, { code: "invalid_union" }>, path: FieldPath): SchemaProblem[] {
  const rootTypeErrors = issue.errors.map((errors) => errors.filter((e) => e.code === "invalid_type" && e.path.length === 0));
  if (valueAt(issue) === undefined && rootTypeErrors.some((errors) => errors.length > 0)) return [{ path, at: "value", message: "is required" }];
  // Every branch refused the value itself (a wrong literal or type): name all the accepted forms.
  if (issue.errors.every((errors) => errors.length === 1 && errors[0]?.path.length === 0 && (errors[0].code === "invalid_type" || errors[0].code === "invalid_value"))) {
    const forms = issue.errors.flatMap((errors) => {
      const e = errors[0];
      if (e?.code === "invalid_value") return e.values.map((v) => JSON.stringify(v));
      return e?.code === "invalid_type" ? [typeMessage(`expected ${e.expected}`).replace(/^expected /, "")] : [];
    });
    const got = valueAt(issue);
    return [{ path, at: "value", message: `must be ${[...new Set(forms)].join(" or ")}${got === undefined ? "" : `, got ${quote(got)}`}` }];
  }
  const branches = issue.errors.filter((errors) => !errors.every((e) => e.code === "invalid_type" && e.path.length === 0));
  if (branches.length === 1 && branches[0]) return describeZodIssues(schema, branches[0], path);
  const expected = [...new Set(rootTypeErrors.flat().map((e) => typeMessage(`expected ${(e as { expected: string }).expected}`).replace(/^expected /, "")))];
  return [{ path, at: "value", message: expected.length > 0 ? `expected ${expected.join(" or ")}` : "does not match any allowed form" }];
}

/** zod's words for JSON types, in the words of YAML users. */
function typeMessage(message: string): string {
  return message
    .replace(/^Invalid input: /, "")
    .replace("received", "got")
    .replace(/expected (record|object)/, "expected a mapping")
    .replace(/got (record|object)/, "got a mapping")
    .replace(/expected array/, "expected a list")
    .replace(/got array/, "got a list");
}

function valueAt(issue: ZodIssue): unknown {
  return (issue as { input?: unknown }).input;
}

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  keyType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  entries?: Record<string, string>;
}

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if ((def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "readonly") && def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else return current;
  }
}

/** The schema that validates the value at `path`, following objects, records, arrays and unions. */
export function schemaAt(schema: z.ZodType, path: FieldPath): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (!current) return undefined;
    const def = defOf(current);
    let next: z.ZodType | undefined;
    if (def.type === "object") next = def.shape?.[String(segment)];
    else if (def.type === "record") next = def.valueType;
    else if (def.type === "array") next = def.element;
    else if (def.type === "union") {
      next = def.options?.map((option) => schemaAt(option, [segment])).find((found) => found !== undefined);
    }
    current = next ? unwrap(next) : undefined;
  }
  return current;
}

function knownKeys(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const def = defOf(schema);
  if (def.type === "object") return Object.keys(def.shape ?? {});
  if (def.type === "record" && def.keyType) {
    const keyDef = defOf(unwrap(def.keyType));
    return keyDef.entries ? Object.values(keyDef.entries) : [];
  }
  if (def.type === "union") return (def.options ?? []).flatMap((option) => knownKeys(unwrap(option)));
  return [];
}
