// plan (pure): desired × observed → the changes and the ordered AWS operations that make them.
import { diffIamRole, planIamRole, planRoleDeletion } from "../kinds/iam-role/diff.ts";
import { diffRestApi } from "../kinds/rest-api/diff.ts";
import { planRestApi } from "../kinds/rest-api/plan.ts";
import { roleArn } from "../model/arn.ts";
import { summarize, type Change, type Operation, type Plan } from "../model/changes.ts";
import type { DesiredState, ReconcileMode } from "../model/types.ts";
import type { Observed } from "./observe.ts";

export interface PlanOptions {
  owner: string;
  mode: ReconcileMode;
  prune: boolean;
  maxDeletions: number;
  force: boolean;
}

export class PruneGuardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PruneGuardError";
  }
}

export function buildPlan(desired: DesiredState, observed: Observed, options: PlanOptions): Plan {
  const changes: Change[] = [];
  const operations: Operation[] = [];
  const skipped: Plan["skipped"] = [];
  const roleReady = new Map<string, string>();

  const modeOf = (explicit: ReconcileMode | undefined) => explicit ?? options.mode;

  for (const role of desired.roles) {
    const observedRole = observed.roles.get(role.model.key);
    const roleChanges = diffIamRole(role.model, observedRole?.live);
    const offset = changes.length;
    changes.push(...roleChanges);
    const group = `IamRole/${role.model.key}`;
    if (modeOf(role.options.reconcile) === "observe") {
      if (roleChanges.length > 0) skipped.push({ group, reason: "observe mode: reported, not written" });
      continue;
    }
    const plan = planIamRole(roleChanges, (c) => offset + roleChanges.indexOf(c), role.model, observedRole?.live, options.owner);
    operations.push(...plan.operations);
    if (plan.readyAfter) roleReady.set(roleArn(observed.target.accountId, role.model.path, role.model.roleName, observed.target.partition), plan.readyAfter);
  }

  for (const api of desired.apis) {
    const observedApi = observed.apis.get(api.model.key);
    const diff = diffRestApi(api.model, observedApi?.live);
    const offset = changes.length;
    changes.push(...diff.changes);
    const group = `RestApi/${api.model.key}`;
    if (modeOf(api.options.reconcile) === "observe") {
      if (diff.changes.length > 0) skipped.push({ group, reason: "observe mode: reported, not written" });
      continue;
    }
    const ops = planRestApi(diff, api.model, observedApi?.live, { region: observed.target.region, owner: options.owner, roleReady });
    operations.push(...ops.map((op) => (op.change !== undefined ? { ...op, change: op.change + offset } : op)));
  }

  if (options.prune) {
    const deletions = observed.orphanApis.length + observed.orphanRoles.length;
    if (deletions > options.maxDeletions && !options.force) {
      throw new PruneGuardError(
        `--prune would delete ${deletions} object(s) (${[...observed.orphanApis.map((a) => `RestApi ${a.key} (${a.id})`), ...observed.orphanRoles.map((r) => `IamRole ${r.model.key}`)].join(", ")}), ` +
          `more than --max-deletions ${options.maxDeletions}; re-run with --force or a higher --max-deletions`,
      );
    }
    for (const orphan of observed.orphanApis) {
      const index = changes.push({ kind: "RestApi", action: "delete", id: { api: orphan.key }, fields: [], patch: [], reason: "its manifest is gone (--prune)" }) - 1;
      operations.push({ id: `RestApi/${orphan.key}:DeleteRestApi`, service: "apigateway", call: "DeleteRestApi", input: { restApiId: orphan.id }, after: [], group: `RestApi/${orphan.key}`, change: index });
    }
    for (const orphan of observed.orphanRoles) {
      const index = changes.push({ kind: "IamRole", action: "delete", id: { role: orphan.model.key }, fields: [], patch: [], reason: "its manifest is gone (--prune)" }) - 1;
      operations.push(...planRoleDeletion(orphan, `IamRole/${orphan.model.key}`, index));
    }
  }

  return { changes, operations, summary: summarize(changes), skipped };
}
