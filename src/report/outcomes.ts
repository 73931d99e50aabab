import type { OperationOutcome } from "../engine/apply.ts";
import { groupOfChange, objectOf } from "../kinds/index.ts";
import type { Change, Plan } from "../model/changes.ts";
import type { Origin } from "../model/types.ts";

/**
 * The composite document each object was expanded from, by plan group ("RestApi/my-s3" → S3Proxy my-s3):
 * reports name it beside the object. Absent or empty for manifests without composites.
 */
export type Origins = ReadonlyMap<string, Origin>;

/** The origin of a change's object, if a composite document wrote it. */
export function originOf(change: Change, origins: Origins | undefined): Origin | undefined {
  return origins?.get(groupOfChange(change));
}

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

/** The object a change belongs to, as reports label it: "RestApi my-s3 (from S3Proxy my-s3)". */
export function groupOf(change: Change, origins?: Origins): string {
  const where = change.target ? ` (${change.target})` : "";
  const origin = originOf(change, origins);
  const from = origin ? ` (from ${origin.kind} ${origin.name})` : "";
  const object = objectOf(change);
  return `${object.kind} ${object.name}${from}${where}`;
}
