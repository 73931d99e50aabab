// One pass: observe → resolve placeholders → plan → (apply). Loading happens before, in the CLI, so that
// a failed load never reaches this point (and never prunes). Dry-run is simply "stop before apply".
import type { Gateway } from "../aws/gateway.ts";
import type { CallCounts } from "../aws/recorder.ts";
import type { Plan } from "../model/changes.ts";
import { resolvePlaceholders, type Target } from "../model/placeholders.ts";
import type { DesiredState } from "../model/types.ts";
import { applyPlan, DEFAULT_APPLY, type ApplyOptions, type OperationOutcome } from "./apply.ts";
import { observe } from "./observe.ts";
import { buildPlan, type PlanOptions } from "./plan.ts";

export interface PassOptions extends PlanOptions {
  accountId?: string;
  apply?: Partial<ApplyOptions>;
}

export interface PassResult {
  target: Target;
  plan: Plan;
  /** Absent for a dry run. */
  outcomes?: OperationOutcome[];
  calls: CallCounts;
  durationMs: number;
}

export async function planPass(gateway: Gateway, desired: DesiredState, options: PassOptions): Promise<{ plan: Plan; target: Target }> {
  const observed = await observe(gateway, desired, { owner: options.owner, prune: options.prune, ...(options.accountId ? { accountId: options.accountId } : {}) });
  const resolved = resolvePlaceholders(desired, observed.target);
  return { plan: buildPlan(resolved, observed, options), target: observed.target };
}

export async function reconcilePass(gateway: Gateway, desired: DesiredState, options: PassOptions, dryRun: boolean): Promise<PassResult> {
  const started = performance.now();
  const { plan, target } = await planPass(gateway, desired, options);
  const outcomes = dryRun ? undefined : await applyPlan(plan, gateway, { ...DEFAULT_APPLY, ...options.apply });
  return { target, plan, ...(outcomes ? { outcomes } : {}), calls: gateway.recorder.snapshot(), durationMs: performance.now() - started };
}
