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

export function buildPlan(desired: DesiredState, observed: Observed, options: PlanOptions): Plan {
  const changes: Change[] = [];
  const operations: Operation[] = [];
  const skipped: Plan["skipped"] = [];
  const roleReady = new Map<string, string>();

  const modeOf = (explicit: ReconcileMode | undefined) => explicit ?? options.mode;

  for (const role of desired.roles) {
    const observedRole = observed.roles.get(role.model.key);
    const live = observedRole?.live;
    const group = `IamRole/${role.model.key}`;
    const desiredModel = applyIgnoreRules(role.model, live?.model, role.options.ignore);
    const appliedHash = live?.tags[TAG.specHash];
    const last = ownValue(options.lastApplied, group);
    const roleChanges = annotate(
      diffIamRole(desiredModel, live),
      causesOf(diffIamRole(desiredModel, live), {
        desiredHash: roleSpecHash(role.model),
        ...(appliedHash !== undefined ? { appliedHash } : {}),
        ...(last && live && last.hash === appliedHash ? { pendingChanges: diffIamRole(desiredModel, { ...live, model: last.model as IamRoleModel }) } : {}),
      }),
    );
    const offset = changes.length;
    changes.push(...roleChanges);
    if (modeOf(role.options.reconcile) === "observe") {
      if (roleChanges.length > 0) skipped.push({ group, reason: "observe mode: reported, not written" });
      continue;
    }
    const plan = planIamRole(roleChanges, (c) => offset + roleChanges.indexOf(c), desiredModel, live, options.owner, roleSpecHash(role.model));
    operations.push(...plan.operations);
    if (plan.readyAfter) roleReady.set(roleArn(observed.target.accountId, role.model.path, role.model.roleName, observed.target.partition), plan.readyAfter);
  }

  for (const api of desired.apis) {
    const observedApi = observed.apis.get(api.model.key);
    const live = observedApi?.live;
    const group = `RestApi/${api.model.key}`;
    const desiredModel = applyIgnoreRules(api.model, live?.model, api.options.ignore);
    // The spec hash is of the manifest as written (ignored fields must not look like manifest changes);
    // the config hash is of what gets deployed.
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
    const offset = changes.length;
    changes.push(...diff.changes);
    if (modeOf(api.options.reconcile) === "observe") {
      if (diff.changes.length > 0) skipped.push({ group, reason: "observe mode: reported, not written" });
      continue;
    }
    const ops = planRestApi(diff, desiredModel, live, { region: observed.target.region, partition: observed.target.partition, owner: options.owner, roleReady, ...(options.revision ? { revision: options.revision } : {}) });
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
      operations.push({ id: `RestApi/${orphan.key}:DeleteRestApi`, ...sdkCall("apigateway", "DeleteRestApi", { restApiId: orphan.id }), after: [], group: `RestApi/${orphan.key}`, change: index });
    }
    for (const orphan of observed.orphanRoles) {
      const index = changes.push({ kind: "IamRole", action: "delete", id: { role: orphan.model.key }, fields: [], patch: [], reason: "its manifest is gone (--prune)" }) - 1;
      operations.push(...planRoleDeletion(orphan, `IamRole/${orphan.model.key}`, index));
    }
  }

  return { changes, operations, summary: summarize(changes), skipped };
}
