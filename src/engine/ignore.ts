// Ignore rules: JSON Pointers into a manifest's spec (`*` matches one segment) whose differences are
// neither reported nor corrected. Applied before the diff: the desired value at an ignored path becomes
// the live one, so that the diff, the plan and every report agree without special cases.

export function parsePointer(pointer: string): string[] {
  if (pointer === "" || pointer === "/") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return value === undefined ? value : (structuredClone(value));
}

/** A copy of `desired` in which every path matching a rule holds the live value (or nothing, if live has none). */
export function applyIgnoreRules<T extends object>(desired: T, live: object | undefined, rules: readonly string[]): T {
  if (rules.length === 0) return desired;
  const result = clone(desired) as unknown as Tree;
  for (const rule of rules) overlay(result, live as Tree | undefined, parsePointer(rule));
  return result as unknown as T;
}

function overlay(target: Tree, live: Tree | undefined, segments: readonly string[]): void {
  const [head, ...rest] = segments;
  if (head === undefined) return;
  const keys = head === "*" ? [...new Set([...Object.keys(target), ...Object.keys(live ?? {})])] : [head];
  for (const key of keys) {
    const liveValue = live?.[key];
    if (rest.length === 0) {
      if (liveValue === undefined) delete target[key];
      else target[key] = clone(liveValue);
      continue;
    }
    // Below the leaf, only objects the manifest has: a rule never conjures up part of an object that
    // exists only in AWS (that object stays a difference of its own).
    const child = target[key];
    if (!isTree(child)) continue;
    overlay(child, isTree(liveValue) ? liveValue : undefined, rest);
  }
}
