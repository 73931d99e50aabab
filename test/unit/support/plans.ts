// Assertions on a Plan's dependency graph shared by the plan tests of every kind.
import { expect } from "vitest";
import type { Operation, Plan } from "../../../src/model/changes.ts";

export function byId(plan: Plan): Map<string, Operation> {
  return new Map(plan.operations.map((op) => [op.id, op]));
}

/** Does `later` (transitively) wait for `earlier`? */
export function waitsFor(plan: Plan, later: string, earlier: string): boolean {
  const ops = byId(plan);
  const seen = new Set<string>();
  const stack = [...(ops.get(later)?.after ?? [])];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === earlier) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(ops.get(id)?.after ?? []));
  }
  return false;
}

/** Every plan: ids unique, every `after` names an operation of the plan, no cycles. */
export function expectWellFormed(plan: Plan): void {
  const ops = byId(plan);
  expect(ops.size, "unique ids").toBe(plan.operations.length);
  for (const op of plan.operations) {
    for (const dep of op.after) expect(ops.has(dep), `${op.id} waits for unknown ${dep}`).toBe(true);
    expect(waitsFor(plan, op.id, op.id), `cycle through ${op.id}`).toBe(false);
  }
}
