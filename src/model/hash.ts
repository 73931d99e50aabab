import { createHash } from "node:crypto";

// The hashes are stored (AWS tags, the state file): the canonical text they are of must never change.
// canonicalJson is its definition; canonicalText writes the same text for plain data without building a
// sorted copy of every object (a large API's resource tree is over a megabyte of it).

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
  const hash = createHash("sha256");
  try {
    // The text goes to the hash in pieces as it is written: a megabyte of it is never held at once.
    const writer = new CanonicalWriter((chunk) => hash.update(chunk));
    writer.end(writer.value(value));
  } catch {
    // Not plain data (NOT_PLAIN), or too deep or cyclic: JSON's own writer answers, or throws as it always did.
    return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
  }
  return hash.digest("hex").slice(0, 16);
}

/** canonicalJson's text, as contentHash writes it for plain data (objects, arrays, strings, numbers, booleans, null). */
export function canonicalText(value: unknown): string {
  let text = "";
  try {
    const writer = new CanonicalWriter((chunk) => (text += chunk));
    writer.end(writer.value(value));
    return text;
  } catch {
    return canonicalJson(value);
  }
}

/** Thrown by the writer on what is not plain data: canonicalJson (JSON's own rules) writes it. Made once: it is caught, never shown. */
const NOT_PLAIN = new Error("not plain data");

/** Pieces of text are handed on, joined, once this many are written (at a token's end: a surrogate pair is never split). */
const CHUNK = 4096;

/**
 * Writes canonicalJson's text without the sorted copy of every object it builds: members in the order of
 * that copy (array-index keys such as "200" first, in numeric order, as every object lists them; then the
 * other keys sorted), undefined members left out, as JSON does. The pieces are kept in one reused array and
 * handed on joined, by the chunk.
 */
class CanonicalWriter {
  private readonly parts: string[] = [];
  private readonly flush: (chunk: string) => void;

  constructor(flush: (chunk: string) => void) {
    this.flush = flush;
  }

  /** Writes a value; false for what JSON leaves out of an object (undefined). */
  value(value: unknown): boolean {
    switch (typeof value) {
      case "string":
        this.parts.push(JSON.stringify(value));
        return true;
      case "number":
        this.parts.push(Number.isFinite(value) ? String(value) : "null");
        return true;
      case "boolean":
        this.parts.push(value ? "true" : "false");
        return true;
      case "undefined":
        return false;
      case "object":
        if (value === null) this.parts.push("null");
        else if (Array.isArray(value)) this.array(value);
        else this.object(value as Record<string, unknown>);
        return true;
      default:
        // Functions, symbols, bigints: as JSON has it (or throws).
        throw NOT_PLAIN;
    }
  }

  /** Hands on what is left (`written`: whether the value was written at all). */
  end(written: boolean): void {
    if (!written) this.parts.push("null");
    this.flush(this.parts.join(""));
    this.parts.length = 0;
  }

  private array(array: readonly unknown[]): void {
    if (Object.getPrototypeOf(array) !== Array.prototype || typeof (array as { toJSON?: unknown }).toJSON === "function") throw NOT_PLAIN;
    this.parts.push("[");
    for (let i = 0; i < array.length; i++) {
      if (i > 0) this.parts.push(",");
      if (!this.value(array[i])) this.parts.push("null");
    }
    this.parts.push("]");
  }

  /** One member (`name`: its `"key":`) unless undefined; the separator of the next. */
  private member(value: unknown, name: string, separator: string): string {
    if (value === undefined) return separator;
    this.parts.push(separator, name);
    this.value(value);
    return ",";
  }

  private object(object: Record<string, unknown>): void {
    const proto: unknown = Object.getPrototypeOf(object);
    if ((proto !== Object.prototype && proto !== null) || typeof object.toJSON === "function") throw NOT_PLAIN;
    const keys = ownKeys(object);
    let separator = "{";
    if (keys.length === 1) {
      separator = this.member(object[keys[0] as string], memberName(keys[0] as string), separator);
    } else if (keys.length > 1) {
      const { order, names } = canonicalOrder(keys);
      for (let i = 0; i < order.length; i++) separator = this.member(object[order[i] as string], names[i] as string, separator);
    }
    this.parts.push(separator === "{" ? "{}" : "}");
    if (this.parts.length > CHUNK) {
      this.flush(this.parts.join(""));
      this.parts.length = 0;
    }
  }
}

// A model's objects share a few key lists (every method's, every response's): their canonical order and
// their quoted keys are worked out once. Both caches are bounded: manifests name keys without end.
const CACHE_LIMIT = 4096;
/** A key list as Object.keys gives it, in canonical order, and the `"key":` of each in that order. */
interface KeyOrder {
  keys: readonly string[];
  order: readonly string[];
  names: readonly string[];
}
const orders = new Map<string, KeyOrder[]>();
const quotes = new Map<string, string>();

/** `"key":` */
function memberName(key: string): string {
  let text = quotes.get(key);
  if (text === undefined) {
    text = `${JSON.stringify(key)}:`;
    if (quotes.size >= CACHE_LIMIT) quotes.clear();
    quotes.set(key, text);
  }
  return text;
}

/** Object.keys' list in the canonical order: array indices (already first, in numeric order), then the rest sorted. */
function canonicalOrder(keys: readonly string[]): KeyOrder {
  const known = orders.get(keys[0] as string);
  if (known) {
    for (const entry of known) if (sameList(entry.keys, keys)) return entry;
  }
  let indices = 0;
  while (indices < keys.length && isArrayIndex(keys[indices] as string)) indices++;
  const order = indices === 0 ? [...keys].sort() : [...keys.slice(0, indices), ...keys.slice(indices).sort()];
  const entry = { keys, order, names: order.map(memberName) };
  if (orders.size >= CACHE_LIMIT) orders.clear();
  if (!known) orders.set(keys[0] as string, [entry]);
  else if (known.length < 8) known.push(entry);
  return entry;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * What Object.keys lists, listed cheaply. A map keyed by status codes ("200", "500") holds them as V8
 * elements, sparse: Object.keys walks every slot up to the highest and allocates ~5 KB doing it (a large
 * API's tree has thousands of such maps, hashed and diffed), Object.getOwnPropertyNames far less. It also
 * lists non-enumerable properties (plain data has none), so those are checked for: one by one for such a
 * map (a few keys), with Object.keys itself for any other object (where it is the fast call).
 */
export function ownKeys(object: object): readonly string[] {
  const names = Object.getOwnPropertyNames(object);
  if (names.length === 0 || !isArrayIndex(names[0] as string)) return names.length === 0 ? names : Object.keys(object);
  for (const name of names) if (!Object.prototype.propertyIsEnumerable.call(object, name)) return Object.keys(object);
  return names;
}

/** "0" to "4294967294" without leading zeros: a key objects keep as an element, ahead of the others. */
function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57 || key.length > 10 || (first === 48 && key.length > 1)) return false;
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Number(key) <= 4294967294;
}
