// What the kinds' checks (those a schema cannot express) share: the problem they report, with a field path
// the loader turns into a file:line:column message, and the rules on tags and ${…} placeholders that hold in
// every spec. Each kind's own checks are in its folder (kinds/<kind>/checks.ts).
import type { FieldPath } from "./issues.ts";
import { clip } from "./issues.ts";
import { PLACEHOLDERS } from "./schema.ts";

export interface CheckProblem {
  path: FieldPath;
  message: string;
  at?: "key" | "value";
  /** A warning does not stop the load: the manifests load, and `validate` prints it. Default: an error. */
  severity?: "warning";
}

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const RESERVED_TAG_PREFIXES = ["aws:", "apigw-reconciler:"];

export function checkTags(tags: Record<string, string> | undefined, at: FieldPath): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const entries = Object.keys(tags ?? {});
  // First: of a file with too many problems only the first few are listed, and this one says the most.
  if (entries.length > 45) problems.push({ path: at, message: "at most 45 tags (AWS allows 50; the reconciler keeps 5 for itself)" });
  for (const key of entries) {
    const reserved = RESERVED_TAG_PREFIXES.find((prefix) => key.toLowerCase().startsWith(prefix));
    if (reserved) problems.push({ path: [...at, key], at: "key", message: `tag keys starting with "${reserved}" are reserved` });
  }
  return problems;
}

const TEMPLATE_FIELDS = new Set(["requestTemplates", "responseTemplates"]);

/** Unknown ${…} placeholders, outside mapping templates (whose VTL uses ${…} of its own). */
export function checkPlaceholders(value: unknown, at: FieldPath): CheckProblem[] {
  if (typeof value === "string") {
    return [...value.matchAll(PLACEHOLDER)]
      .filter((m) => !(PLACEHOLDERS as readonly string[]).includes(m[1] ?? ""))
      .map((m) => ({ path: at, message: `unknown placeholder \${${clip(m[1] ?? "", 60)}}; known: ${PLACEHOLDERS.map((p) => `\${${p}}`).join(", ")}` }));
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => checkPlaceholders(item, [...at, i]));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => (TEMPLATE_FIELDS.has(key) ? [] : checkPlaceholders(item, [...at, key])));
  }
  return [];
}
