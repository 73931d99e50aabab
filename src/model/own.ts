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
