// Why each difference exists: `pending` (the manifest changed since the last apply) or `drift` (AWS was
// changed out of band). The spec-hash tag on the object says whether the manifest changed at all; the
// last applied spec (kept in the state file) tells, difference by difference, which side moved.
import type { Change } from "../model/changes.ts";
import { stableStringify } from "../model/policy.ts";

export type Cause = "pending" | "drift";

export interface CauseFacts {
  /** Hash of the desired spec now: asked for only when there is an applied hash to compare it with. */
  desiredHash: () => string;
  /** Hash recorded on the live object at its last apply (absent: never applied by us). */
  appliedHash?: string;
  /** The differences between the desired spec and the last applied one, when that spec is known. */
  pendingChanges?: readonly Change[];
}

function identityOf(change: Change, field?: string): string {
  return `${change.kind}|${stableStringify(change.id)}|${field ?? `*${change.action}`}`;
}

function methodKey(change: Change): string {
  return `${change.id.api ?? ""}|${change.id.path ?? ""}|${change.id.httpMethod ?? ""}`;
}

/** The cause of each change, in order. */
export function causesOf(changes: readonly Change[], facts: CauseFacts): Cause[] {
  if (facts.appliedHash === undefined) return changes.map(() => "pending");
  if (facts.appliedHash === facts.desiredHash()) return changes.map(() => "drift");
  if (!facts.pendingChanges) return changes.map(() => "pending");
  const pending = new Set<string>();
  for (const change of facts.pendingChanges) {
    pending.add(identityOf(change));
    for (const field of change.fields) pending.add(identityOf(change, field.field));
  }
  // An integration the manifest replaces (its type changed) comes back from PutIntegration without its
  // responses: until they are put back, their absence is part of the same unfinished change.
  const replacedIntegrations = new Set(facts.pendingChanges.filter((c) => c.kind === "Integration" && c.action === "replace").map((c) => methodKey(c)));
  const causes = changes.map((change): Cause => {
    if (change.kind === "Deployment") return "drift";
    if (change.kind === "IntegrationResponse" && replacedIntegrations.has(methodKey(change))) return "pending";
    // A create or delete is pending when the manifest made it so; an update field by field (one drifted
    // field among pending ones makes the change drift).
    if (change.action !== "update" && pending.has(identityOf(change))) return "pending";
    if (change.fields.length > 0 && change.fields.every((f) => pending.has(identityOf(change, f.field)))) return "pending";
    return "drift";
  });
  // A deployment is pending when any deployable change it carries is, or when the manifest's own change
  // needs one: an apply stopped after its configuration writes and before CreateDeployment leaves only
  // the deployment to do, and that is unfinished work, not drift.
  const manifestRedeploys = facts.pendingChanges.some((c) => c.kind === "Deployment");
  const carriesPending = causes.some((c, j) => c === "pending" && changes[j]?.kind !== "Stage" && changes[j]?.kind !== "Deployment");
  return causes.map((cause, i) => (changes[i]?.kind === "Deployment" ? (carriesPending || manifestRedeploys ? "pending" : "drift") : cause));
}
