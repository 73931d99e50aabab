// Name-keyed collections (stages, inline policies, tags, variables, templates, methods, responses…) are
// plain objects whose keys come from manifests and from AWS, and IAM and API Gateway accept names such as
// `toString`, `constructor` or `__proto__`. On a plain object, `name in record` and `record[name]` also find
// what every object inherits (`toString` is "there" in `{}`), and `record["__proto__"] = value` replaces
// the prototype instead of adding an entry. Membership, lookups and writes by such a name go through here.
// (Object.keys / Object.entries / Object.fromEntries / spread / structuredClone / JSON are own-only already.)

/** Whether `record` has an entry named `key` of its own (never an inherited property such as `toString`). */
export function hasOwn(record: object | undefined, key: string): boolean {
  return record !== undefined && Object.hasOwn(record, key);
}

/** The entry named `key`, or undefined when `record` has no such entry of its own. */
export function ownValue<T>(record: { readonly [key: string]: T } | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Adds or replaces the entry named `key`: an own property even for `__proto__` (plain assignment would set the prototype). */
export function setOwn<T>(record: { [key: string]: T }, key: string, value: T): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Object.fromEntries for maps keyed by HTTP status codes ("200", "400", "500"). V8 stores integer-like keys
 * as array elements: built by assignment, `{ "500": … }` gets a backing array of ~500 slots (about 5 KB), and
 * a 500-API estate holds ~8,000 such maps (38 MB of the CLI's heap, measured on a heap snapshot). JSON.parse
 * stores sparse integer keys in a dictionary instead, so the keys are laid down by it and the values set after
 * (setting an existing key keeps the dictionary). Same entries, same order as Object.fromEntries.
 */
export function compactRecord<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const list = [...entries];
  const record = JSON.parse(`{${list.map(([key]) => `${JSON.stringify(key)}:0`).join(",")}}`) as Record<string, T>;
  for (const [key, value] of list) setOwn(record, key, value);
  return record;
}

const ARRAY_INDEX = /^(0|[1-9]\d{0,8})$/;

/**
 * `value` with every plain object that has integer-like keys (status codes) rebuilt by compactRecord, the
 * others kept as they are (rebuilt only when a child was). For data built by a library (a schema's output)
 * that is held for a while.
 */
export function compactIntegerKeys<T>(value: T): T {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = compactIntegerKeys(value[i] as unknown);
    return value;
  }
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const record = value as Record<string, unknown>;
  let integerKeys = false;
  for (const key of Object.keys(record)) {
    const child = record[key];
    if (typeof child === "object" && child !== null) {
      const compacted = compactIntegerKeys(child);
      if (compacted !== child) setOwn(record, key, compacted);
    }
    integerKeys ||= ARRAY_INDEX.test(key);
  }
  return (integerKeys ? compactRecord(Object.entries(record)) : record) as T;
}
