// One pass: observe → resolve placeholders → plan → (apply). Loading happens before, in the CLI, so that
// a failed load never reaches this point (and never prunes). Dry-run is simply "stop before apply".
import type { Gateway } from "../aws/gateway.ts";
import type { CallCounts } from "../aws/recorder.ts";
import type { Plan } from "../model/changes.ts";
import { resolvePlaceholders, type Target } from "../model/placeholders.ts";
import type { DesiredState } from "../model/types.ts";
import { applyPlan, DEFAULT_APPLY, type ApplyOptions, type OperationOutcome } from "./apply.ts";
import { observe, type ObserveOptions } from "./observe.ts";
import { type ChangeFeed, type ScanReport } from "../changes/feed.ts";
import { KINDS, kindNamed } from "../kinds/index.ts";
import { groupKey, type AnyKind } from "../kinds/kind.ts";
import { contentHash } from "../model/hash.ts";
import { buildPlan, type PlanOptions } from "./plan.ts";

export interface PassOptions extends PlanOptions {
  accountId?: string;
  /** With prune: also list orphans of account-wide kinds such as IAM roles (false for all but one part per account). */
  pruneAccountScope?: boolean;
  knownNames?: ObserveOptions["knownNames"];
  apply?: Partial<ApplyOptions>;
  /** --changes-from cloudtrail: this target's change feed (re-read only what was written since the last pass). */
  feed?: ChangeFeed;
  progress?: ObserveOptions["progress"];
}

export interface PassResult {
  target: Target;
  /** Every account and Region of the pass, when there is more than one. */
  targets?: Target[];
  plan: Plan;
  /** Absent for a dry run. */
  outcomes?: OperationOutcome[];
  /** Specs fully applied in this pass, per group (for the state file). */
  applied: Record<string, { hash: string; model: unknown }>;
  calls: CallCounts;
  durationMs: number;
  /** How observe read AWS when a change feed is in use: a full scan (and why) or only what changed. */
  scan?: ScanReport;
}

export interface Planned {
  plan: Plan;
  target: Target;
  scan?: ScanReport;
  /** The desired state with its placeholders resolved for the target. */
  resolved: DesiredState;
  started: number;
}

export async function planPass(gateway: Gateway, desired: DesiredState, options: PassOptions): Promise<Planned> {
  const started = performance.now();
  const feedPass = await options.feed?.begin(gateway, contentHash(desired), KINDS);
  const observed = await observe(gateway, desired, {
    owner: options.owner,
    prune: options.prune,
    ...(options.pruneAccountScope === false ? { pruneAccountScope: false } : {}),
    ...(options.accountId ? { accountId: options.accountId } : {}),
    ...(options.knownNames ? { knownNames: options.knownNames } : {}),
    ...(feedPass ? { cacheFor: (kind: AnyKind) => feedPass.cacheFor(kind) } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
  });
  feedPass?.commit();
  const resolved = resolvePlaceholders(desired, observed.target);
  return { plan: buildPlan(resolved, observed, options), target: observed.target, resolved, started, ...(feedPass ? { scan: feedPass.scan } : {}) };
}

/** Executes a plan (unless dry-run: then this is where the pass stops) and names the specs AWS now holds. */
export async function applyPlanned(gateway: Gateway, planned: Planned, options: PassOptions, dryRun: boolean): Promise<PassResult> {
  const { plan, target, resolved, started } = planned;
  const outcomes = dryRun ? undefined : await applyPlan(plan, gateway, { ...DEFAULT_APPLY, ...options.apply });
  const applied = outcomes ? appliedSpecs(resolved, plan, outcomes) : {};
  return { target, plan, ...(outcomes ? { outcomes } : {}), applied, calls: gateway.recorder.snapshot(), durationMs: performance.now() - started, ...(planned.scan ? { scan: planned.scan } : {}) };
}

export async function reconcilePass(gateway: Gateway, desired: DesiredState, options: PassOptions, dryRun: boolean): Promise<PassResult> {
  return applyPlanned(gateway, await planPass(gateway, desired, options), options, dryRun);
}

/** The specs that AWS now holds, per group: every operation of the group applied and nothing left unwritten. */
function appliedSpecs(desired: DesiredState, plan: Plan, outcomes: readonly OperationOutcome[]): Record<string, { hash: string; model: unknown }> {
  const out: Record<string, { hash: string; model: unknown }> = {};
  const skipped = new Set(plan.skipped.map((s) => s.group));
  const ok = (group: string) => !skipped.has(group) && outcomes.every((o) => o.group !== group || o.status === "applied");
  for (const object of desired.objects) {
    const kind = kindNamed(object.kind);
    const group = groupKey(object.kind, object.model.key);
    if (kind && ok(group)) out[group] = { hash: kind.specHash(object.model), model: object.model };
  }
  return out;
}
