// The JSON report: a documented, stable shape (README "JSON output"). Bump `version` on breaking change.
import type { ScanReport } from "../changes/feed.ts";
import type { CallCounts } from "../model/call-counts.ts";
import type { OperationOutcome } from "../engine/apply.ts";
import type { Plan } from "../model/changes.ts";
import type { Target } from "../model/placeholders.ts";
import jsonpatch from "fast-json-patch";
import type { Change } from "../model/changes.ts";
import { changeOutcomes, originOf, type Origins } from "./outcomes.ts";

/** RFC 6902 JSON Patch from the desired object to the live one (what AWS has that Git does not say). */
export function jsonPatchOf(change: Change): jsonpatch.Operation[] {
  const side = (pick: "before" | "after") => Object.fromEntries(change.fields.filter((f) => f[pick] !== undefined).map((f) => [f.field, f[pick]]));
  return jsonpatch.compare(side("after"), side("before"));
}

/** `origin: { kind, name }` on a change whose object a composite document (an S3Proxy) wrote. */
function jsonOrigin(origin: { kind: string; name: string } | undefined): { origin?: { kind: string; name: string } } {
  return origin ? { origin: { kind: origin.kind, name: origin.name } } : {};
}

export function renderJson(plan: Plan, calls: CallCounts, target: Target | undefined, outcomes?: readonly OperationOutcome[], context: { revision?: string; targets?: Target[]; scan?: ScanReport; origins?: Origins } = {}): string {
  const perChange = outcomes ? changeOutcomes(plan, outcomes) : undefined;
  const report = {
    version: 1,
    mode: outcomes ? "apply" : "plan",
    ...(context.revision ? { revision: context.revision } : {}),
    ...(target ? { target: { region: target.region, accountId: target.accountId } } : {}),
    ...(context.targets ? { targets: context.targets.map((t) => ({ region: t.region, accountId: t.accountId })) } : {}),
    summary: plan.summary,
    changes: plan.changes.map((change, index) => ({
      kind: change.kind,
      action: change.action,
      ...change.id,
      ...(change.target ? { target: change.target } : {}),
      ...jsonOrigin(originOf(change, context.origins)),
      fields: change.fields.map((f) => ({ field: f.field, ...(f.before !== undefined ? { before: f.before } : {}), ...(f.after !== undefined ? { after: f.after } : {}) })),
      patch: change.patch,
      ...(change.reason ? { reason: change.reason } : {}),
      ...(change.cause ? { cause: change.cause } : {}),
      ...(change.security ? { security: change.security } : {}),
      jsonPatch: jsonPatchOf(change),
      ...(perChange ? { outcome: perChange[index] } : {}),
    })),
    operations: plan.operations.map((op) => {
      const outcome = outcomes?.find((o) => o.id === op.id);
      return { id: op.id, service: op.service, call: op.call, ...(outcome ? { status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}) } : {}) };
    }),
    skipped: plan.skipped,
    calls: { total: calls.total, writes: calls.writes, byOperation: calls.byOperation, errors: calls.errors },
    ...(context.scan ? { scan: context.scan } : {}),
  };
  return JSON.stringify(report, null, 2) + "\n";
}
