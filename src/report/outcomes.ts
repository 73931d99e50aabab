import type { OperationOutcome } from "../engine/apply.ts";
import { groupOfChange, objectOf } from "../kinds/index.ts";
import type { Change, Plan } from "../model/changes.ts";

/** Per change: applied when all its operations were, failed when one failed, otherwise not run. */
export function changeOutcomes(plan: Plan, outcomes: readonly OperationOutcome[]): (string | undefined)[] {
  return plan.changes.map((change, index) => {
    const mine = outcomes.filter((o) => o.change === index);
    if (mine.length === 0) {
      // Compared by the plan's group key: a display label here once made every observed change "applied".
      const skipped = plan.skipped.some((s) => s.group === groupOfChange(change));
      return skipped ? "not written (observe)" : "applied";
    }
    if (mine.some((o) => o.status === "failed")) return "failed";
    if (mine.every((o) => o.status === "applied")) return "applied";
    return "not run";
  });
}

/** The object a change belongs to, as reports label it. */
export function groupOf(change: Change): string {
  const where = change.target ? ` (${change.target})` : "";
  const object = objectOf(change);
  return `${object.kind} ${object.name}${where}`;
}
