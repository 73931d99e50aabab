// Reading the dereferenced OpenAPI document as plain JSON data, and collecting what the import cannot carry
// over. Every "unsupported" entry names its place in the document as a JSON Pointer (RFC 6901).

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function objectAt(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

export function stringAt(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function stringsAt(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** A string → string map, e.g. requestParameters; anything else in it is not carried over. */
export function stringMapAt(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string");
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** `/paths/~1{folder}/get`: a JSON Pointer from its segments. */
export function pointer(...segments: readonly string[]): string {
  return segments.map((segment) => "/" + segment.replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

export interface Unsupported {
  /** JSON Pointer into the imported document. */
  pointer: string;
  what: string;
}

/** Where the mapping functions record what they leave out. */
export type Report = (at: string, what: string) => void;

/** Drops undefined values so the manifest has no `key: null` lines. */
export function compact<T extends JsonObject>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** `x-…` keys of an object that `handled` does not name, each reported as unsupported. */
export function reportExtensions(object: JsonObject, at: string, handled: readonly string[], report: Report): void {
  for (const key of Object.keys(object)) {
    if (!key.startsWith("x-") || handled.includes(key)) continue;
    report(at + pointer(key), key.startsWith("x-amazon-apigateway-") ? `${key} is not supported by reconcile import` : `${key} is not an API Gateway extension`);
  }
}
