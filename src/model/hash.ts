import { createHash } from "node:crypto";
import { stableStringify } from "./policy.ts";

/** Short content hash of plain data, independent of key order. */
export function contentHash(value: unknown): string {
  return createHash("sha256").update(stableStringify(value)).digest("hex").slice(0, 16);
}
