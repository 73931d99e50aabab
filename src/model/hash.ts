import { createHash } from "node:crypto";

// fromEntries, not `out[key] = …`: a key "__proto__" (a tag or a variable AWS holds) must count in the hash.
function sortedKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, value[key]]));
}

/** JSON with object keys sorted at every level (undefined members dropped, as JSON does). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? sortedKeys(v as Record<string, unknown>) : v)) ?? "null";
}

/** Short content hash of plain data, independent of key order. */
export function contentHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
}
