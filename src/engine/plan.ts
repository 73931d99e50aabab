// plan (pure): desired × observed → the changes and the ordered AWS operations that make them. Kinds are
// planned in the registry's planning order (each after the kinds it requires) and pruned in reverse.
import { KINDS, planningOrder } from "../kinds/index.ts";
import { groupKey, type AnyKind, type KindDiff, type Readiness } from "../kinds/kind.ts";
import { summarize, type Change, type Operation, type Plan, type Ref } from "../model/changes.ts";
import { TAG } from "../model/live.ts";
import { ownValue } from "../model/own.ts";
import type { DesiredObject, DesiredState, ReconcileMode } from "../model/types.ts";
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

/**
 * Marks each change with its cause and, where it broadens permissions, why. In place: the changes are the
 * diff's own, made for this plan, and a large API has thousands (a copy of each was a tenth of planning).
 * The members are added last, where a copy `{ ...change, cause, security }` would have put them.
 */
function annotate(kind: AnyKind, changes: Change[], causes: readonly ("pending" | "drift")[]): Change[] {
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i] as Change;
    const cause = causes[i] ?? "pending";
    // For drift, what matters is what the out-of-band change did (desired → live), not what healing does.
    const security = cause === "drift" ? kind.securityNotes(mirrored(change)).map((note) => `out of band: ${note}`) : kind.securityNotes(change);
    change.cause = cause;
    if (security.length > 0) change.security = security;
  }
  return changes;
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
  /** What objects planned so far make available (a role's ARN…) → the operation after which it exists. */
  ready: Readiness;
  /** The AWS id (or a ref to its create) of every object planned so far, by group. */
  ids: Map<string, string | Ref>;
  /** Operation ids per kind: a prune waits for the operations of the kinds that require its kind. */
  opsByKind: Map<string, string[]>;
}

export function buildPlan(desired: DesiredState, observed: Observed, options: PlanOptions, kinds: readonly AnyKind[] = KINDS): Plan {
  const plan: PlanSoFar = { changes: [], operations: [], skipped: [], ready: new Map(), ids: new Map(), opsByKind: new Map() };
  for (const kind of planningOrder(kinds)) {
    for (const object of desired.objects) if (object.kind === kind.kind) planObject(kind, object, { observed, options }, plan);
  }
  if (options.prune) planPrune(observed, options, plan, kinds);
  orderDeletionsAfterReleases(plan.operations);
  return { changes: plan.changes, operations: plan.operations, summary: summarize(plan.changes), skipped: plan.skipped };
}

/**
 * An operation that deletes what other objects reference (Operation.removes: a stage) waits for the
 * operations that stop referencing it (Operation.releases: a usage plan letting go of the stage), of
 * whichever kind. Their own ids only: the operations are made for this plan, so `after` is set in place.
 */
function orderDeletionsAfterReleases(operations: readonly Operation[]): void {
  const releasedBy = new Map<string, string[]>();
  for (const op of operations) for (const key of op.releases ?? []) releasedBy.set(key, [...(releasedBy.get(key) ?? []), op.id]);
  if (releasedBy.size === 0) return;
  for (const op of operations) {
    const releases = op.removes === undefined ? undefined : releasedBy.get(op.removes);
    if (releases) op.after = [...new Set([...op.after, ...releases])];
  }
}

/** Adds an object's changes; false when its mode is observe (reported, not written). */
function addChanges(plan: PlanSoFar, group: string, changes: readonly Change[], observeOnly: boolean): boolean {
  // One by one: a spread of thousands of arguments goes through the stack.
  for (const change of changes) plan.changes.push(change);
  if (!observeOnly) return true;
  if (changes.length > 0) plan.skipped.push({ group, reason: "observe mode: reported, not written" });
  return false;
}

/** One object: diff (after its ignore rules), the cause of each change, then its kind's operations. */
function planObject(kind: AnyKind, object: DesiredObject, { observed, options }: { observed: Observed; options: PlanOptions }, plan: PlanSoFar): void {
  const group = groupKey(kind.kind, object.model.key);
  const live = observed.objects.get(group)?.live;
  const desiredModel = applyIgnoreRules(object.model, live?.model, object.options.ignore);
  if (kind.idOf) plan.ids.set(group, kind.idOf(live, group));
  const diffContext = { manifest: object.model, target: observed.target };
  const raw = kind.diff(desiredModel, live, diffContext) as KindDiff;
  const appliedHash = live?.tags[TAG.specHash];
  const last = ownValue(options.lastApplied, group);
  const causes = causesOf(raw.changes, {
    desiredHash: () => kind.specHash(object.model),
    ...(appliedHash !== undefined ? { appliedHash } : {}),
    ...(last && live && last.hash === appliedHash ? { pendingChanges: (kind.diff(desiredModel, kind.withModel(live, last.model), diffContext) as KindDiff).changes } : {}),
  });
  const diff = { ...raw, changes: annotate(kind, raw.changes, causes) };
  const offset = plan.changes.length;
  if (!addChanges(plan, group, diff.changes, (object.options.reconcile ?? options.mode) === "observe")) return;
  const context = { manifest: object.model, target: observed.target, owner: options.owner, ready: plan.ready, ids: plan.ids, ...(options.revision ? { revision: options.revision } : {}) };
  const ops = kind.plan(diff, desiredModel, live, context);
  const ids = plan.opsByKind.get(kind.kind) ?? [];
  plan.opsByKind.set(kind.kind, ids);
  // The kind's operations are made for this plan: their change index is shifted in place, not copied.
  for (const op of ops) {
    if (op.change !== undefined) op.change += offset;
    ids.push(op.id);
    plan.operations.push(op);
  }
}

/** Owned objects whose manifest is gone, deleted only with --prune and within --max-deletions; dependents first. */
function planPrune(observed: Observed, options: PlanOptions, plan: PlanSoFar, kinds: readonly AnyKind[]): void {
  const deletions = observed.orphans.length;
  if (deletions > options.maxDeletions && !options.force) {
    throw new PruneGuardError(
      `--prune would delete ${deletions} object(s) (${observed.orphans.map((o) => o.label).join(", ")}), ` +
        `more than --max-deletions ${options.maxDeletions}; re-run with --force or a higher --max-deletions`,
    );
  }
  for (const kind of planningOrder(kinds).reverse()) {
    for (const orphan of observed.orphans) {
      if (orphan.kind !== kind.kind) continue;
      const group = groupKey(kind.kind, orphan.key);
      const index = plan.changes.push({ kind: kind.kind, action: "delete", id: { [kind.root]: orphan.key }, fields: [], patch: [], reason: "its manifest is gone (--prune)" }) - 1;
      // What still references it (a base-path mapping being removed from a kept domain) goes first.
      // So does the prune of an object that requires it (a domain mapping the API), planned just before.
      const dependents = kinds.filter((k) => k.requires.includes(kind.kind)).flatMap((k) => plan.opsByKind.get(k.kind) ?? []);
      const ops = kind.prune(orphan, group, index).map((op) => (dependents.length > 0 ? { ...op, after: [...new Set([...op.after, ...dependents])] } : op));
      plan.opsByKind.set(kind.kind, [...(plan.opsByKind.get(kind.kind) ?? []), ...ops.map((op) => op.id)]);
      plan.operations.push(...ops);
    }
  }
}
