// Ignore rules: JSON Pointers into a manifest's spec (`*` matches one segment) whose differences are
// neither reported nor corrected. Applied before the diff: the desired value at an ignored path becomes
// the live one, so that the diff, the plan and every report agree without special cases.
import { compactIntegerKeys, ownValue, setOwn } from "../model/own.ts";

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

/** A deep copy shaped as the loader makes models (structuredClone alone rebuilds status-code maps the costly way: see compactIntegerKeys). */
function clone<T>(value: T): T {
  return value === undefined ? value : compactIntegerKeys(structuredClone(value));
}

/**
 * A copy of `desired` in which every path matching a rule holds the live value, or nothing where the live
 * object exists without it. Where the live object itself is absent (a create), the manifest's value is
 * used: an ignored field still gets its first value, as Terraform's ignore_changes does.
 */
export function applyIgnoreRules<T extends object>(desired: T, live: object | undefined, rules: readonly string[]): T {
  if (rules.length === 0 || live === undefined) return desired;
  const result = clone(desired) as unknown as Tree;
  for (const rule of rules) overlay(result, live as Tree | undefined, parsePointer(rule));
  return result as unknown as T;
}

function overlay(target: Tree, live: Tree | undefined, segments: readonly string[]): void {
  const [head, ...rest] = segments;
  if (head === undefined || live === undefined) return;
  const keys = head === "*" ? [...new Set([...Object.keys(target), ...Object.keys(live ?? {})])] : [head];
  for (const key of keys) {
    // Own entries only: a rule's segment may name a stage, policy or variable called `toString` (inherited
    // by every object: it would be cloned, and throw) or `__proto__` (assigning it sets the prototype).
    const liveValue = ownValue(live, key);
    const current = ownValue(target, key);
    if (rest.length === 0) {
      if (liveValue !== undefined) setOwn(target, key, clone(liveValue));
      else if (isTree(current)) setOwn(target, key, {}); // a map field stays a map
      else if (Array.isArray(current)) setOwn(target, key, []);
      else delete target[key];
      continue;
    }
    // Below the leaf, only objects the manifest has: a rule never conjures up part of an object that
    // exists only in AWS (that object stays a difference of its own).
    if (!isTree(current)) continue;
    overlay(current, isTree(liveValue) ? liveValue : undefined, rest);
  }
}
