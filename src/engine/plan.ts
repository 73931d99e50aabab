// plan (pure): desired × observed → the changes and the ordered AWS operations that make them.
import { sdkCall } from "../aws/calls.ts";
import { securityNotes } from "../kinds/iam-role/broadening.ts";
import { diffIamRole, planIamRole, planRoleDeletion, roleSpecHash } from "../kinds/iam-role/diff.ts";
import { diffRestApi, restApiHashes } from "../kinds/rest-api/diff.ts";
import { planRestApi } from "../kinds/rest-api/plan.ts";
import { roleArn } from "../model/arn.ts";
import { summarize, type Change, type Operation, type Plan } from "../model/changes.ts";
import { TAG } from "../model/live.ts";
import { ownValue } from "../model/own.ts";
import type { DesiredState, IamRoleModel, ReconcileMode, RestApiModel } from "../model/types.ts";
import { causesOf } from "./cause.ts";
import { applyIgnoreRules } from "./ignore.ts";
import type { Observed } from "./observe.ts";

export interface PlanOptions {
  owner: string;
  mode: ReconcileMode;
  prune: boolean;
  maxDeletions: number;
  force: boolean;
  /** From the state file: the spec last applied per group, to tell pending from drift field by field. */
  lastApplied?: Readonly<Record<string, { hash: string; model: unknown }>>;
  /** Git commit of the manifests: named in each deployment's description. */
  revision?: string;
}

/** Marks each change with its cause and, where it broadens permissions, why. */
function annotate(changes: Change[], causes: readonly ("pending" | "drift")[]): Change[] {
  return changes.map((change, i) => {
    const cause = causes[i] ?? "pending";
    // For drift, what matters is what the out-of-band change did (desired → live), not what healing does.
    const security = cause === "drift" ? securityNotes(mirrored(change)).map((note) => `out of band: ${note}`) : securityNotes(change);
    return { ...change, cause, ...(security.length > 0 ? { security } : {}) };
  });
}

/** The same change seen from the other side: desired → live. */
function mirrored(change: Change): Change {
  const action = change.action === "create" ? "delete" : change.action === "delete" ? "create" : change.action;
  return { ...change, action, fields: change.fields.map((f) => ({ field: f.field, before: f.after, after: f.before })) };
}

export class PruneGuardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PruneGuardError";
  }
}

/** The plan being built: changes in report order, the operations that carry them out, what was skipped. */
interface PlanSoFar {
  changes: Change[];
  operations: Operation[];
  skipped: Plan["skipped"];
  /** Role ARN → id of the operation after which that role exists (roles created in this run). */
  roleReady: Map<string, string>;
}

export function buildPlan(desired: DesiredState, observed: Observed, options: PlanOptions): Plan {
  const plan: PlanSoFar = { changes: [], operations: [], skipped: [], roleReady: new Map() };
  for (const role of desired.roles) planRole(role, observed, options, plan);
  for (const api of desired.apis) planApi(api, observed, options, plan);
  if (options.prune) planPrune(observed, options, plan);
  return { changes: plan.changes, operations: plan.operations, summary: summarize(plan.changes), skipped: plan.skipped };
}

/** Adds an object's changes; false when its mode is observe (reported, not written). */
function addChanges(plan: PlanSoFar, group: string, changes: readonly Change[], observeOnly: boolean): boolean {
  plan.changes.push(...changes);
  if (!observeOnly) return true;
  if (changes.length > 0) plan.skipped.push({ group, reason: "observe mode: reported, not written" });
  return false;
}

function planRole(role: DesiredState["roles"][number], observed: Observed, options: PlanOptions, plan: PlanSoFar): void {
  const live = observed.roles.get(role.model.key)?.live;
  const group = `IamRole/${role.model.key}`;
  const desiredModel = applyIgnoreRules(role.model, live?.model, role.options.ignore);
  const appliedHash = live?.tags[TAG.specHash];
  const last = ownValue(options.lastApplied, group);
  const raw = diffIamRole(desiredModel, live);
  const roleChanges = annotate(
    raw,
    causesOf(raw, {
      desiredHash: roleSpecHash(role.model),
      ...(appliedHash !== undefined ? { appliedHash } : {}),
      ...(last && live && last.hash === appliedHash ? { pendingChanges: diffIamRole(desiredModel, { ...live, model: last.model as IamRoleModel }) } : {}),
    }),
  );
  const offset = plan.changes.length;
  if (!addChanges(plan, group, roleChanges, (role.options.reconcile ?? options.mode) === "observe")) return;
  const planned = planIamRole(roleChanges, (c) => offset + roleChanges.indexOf(c), desiredModel, live, options.owner, roleSpecHash(role.model));
  plan.operations.push(...planned.operations);
  if (planned.readyAfter) plan.roleReady.set(roleArn(observed.target.accountId, role.model.path, role.model.roleName, observed.target.partition), planned.readyAfter);
}

function planApi(api: DesiredState["apis"][number], observed: Observed, options: PlanOptions, plan: PlanSoFar): void {
  const live = observed.apis.get(api.model.key)?.live;
  const group = `RestApi/${api.model.key}`;
  const desiredModel = applyIgnoreRules(api.model, live?.model, api.options.ignore);
  // Both hashes are of the manifest as written: a change AWS made under an ignored path is neither a
  // manifest change nor a reason to redeploy.
  const hashes = restApiHashes(api.model);
  const raw = diffRestApi(desiredModel, live, hashes, observed.target);
  const appliedHash = live?.tags[TAG.specHash];
  const last = ownValue(options.lastApplied, group);
  const causes = causesOf(raw.changes, {
    desiredHash: hashes.specHash,
    ...(appliedHash !== undefined ? { appliedHash } : {}),
    ...(last && live && last.hash === appliedHash ? { pendingChanges: diffRestApi(desiredModel, { ...live, model: last.model as RestApiModel }, hashes, observed.target).changes } : {}),
  });
  const diff = { ...raw, changes: annotate(raw.changes, causes) };
  const offset = plan.changes.length;
  if (!addChanges(plan, group, diff.changes, (api.options.reconcile ?? options.mode) === "observe")) return;
  const context = { region: observed.target.region, partition: observed.target.partition, owner: options.owner, roleReady: plan.roleReady, ...(options.revision ? { revision: options.revision } : {}) };
  const ops = planRestApi(diff, desiredModel, live, context);
  plan.operations.push(...ops.map((op) => (op.change !== undefined ? { ...op, change: op.change + offset } : op)));
}

/** Owned objects whose manifest is gone, deleted only with --prune and within --max-deletions. */
function planPrune(observed: Observed, options: PlanOptions, plan: PlanSoFar): void {
  const deletions = observed.orphanApis.length + observed.orphanRoles.length;
  if (deletions > options.maxDeletions && !options.force) {
    throw new PruneGuardError(
      `--prune would delete ${deletions} object(s) (${[...observed.orphanApis.map((a) => `RestApi ${a.key} (${a.id})`), ...observed.orphanRoles.map((r) => `IamRole ${r.model.key}`)].join(", ")}), ` +
        `more than --max-deletions ${options.maxDeletions}; re-run with --force or a higher --max-deletions`,
    );
  }
  for (const orphan of observed.orphanApis) {
    const index = plan.changes.push({ kind: "RestApi", action: "delete", id: { api: orphan.key }, fields: [], patch: [], reason: "its manifest is gone (--prune)" }) - 1;
    plan.operations.push({ id: `RestApi/${orphan.key}:DeleteRestApi`, ...sdkCall("apigateway", "DeleteRestApi", { restApiId: orphan.id }), after: [], group: `RestApi/${orphan.key}`, change: index });
  }
  for (const orphan of observed.orphanRoles) {
    const index = plan.changes.push({ kind: "IamRole", action: "delete", id: { role: orphan.model.key }, fields: [], patch: [], reason: "its manifest is gone (--prune)" }) - 1;
    plan.operations.push(...planRoleDeletion(orphan, `IamRole/${orphan.model.key}`, index));
  }
}
