// A pass over manifests in several accounts and Regions: the desired state is split by target, each part
// reconciled through its own gateway (its own quotas), and the results joined into one report in which
// every change names its target. With one target (the usual case) nothing is split or renamed.
import { accountOfRole, targetKey } from "../aws/targets.ts";
import type { CallCounts } from "../aws/recorder.ts";
import { isObjectChange, objectOf } from "../kinds/index.ts";
import { summarize, type Plan } from "../model/changes.ts";
import type { DesiredState, TargetSpec } from "../model/types.ts";
import { PruneGuardError } from "./plan.ts";
import type { PassResult as ReconcileResult } from "./reconcile.ts";
import type { ScanReport } from "../changes/feed.ts";

export interface TargetPart {
  target: TargetSpec | undefined;
  desired: DesiredState;
}

/**
 * The desired state per target, in the order the targets first appear. A Region equal to the run's own is
 * the default target: two parts must never observe (and prune) the same account and Region.
 */
export function splitByTarget(desired: DesiredState, defaultRegion?: string): TargetPart[] {
  const parts = new Map<string, TargetPart>();
  const partOf = (spec: TargetSpec | undefined): TargetPart => {
    const target = normalized(spec, defaultRegion);
    const key = targetKey(target);
    let part = parts.get(key);
    if (!part) {
      part = { target, desired: { objects: [] } };
      parts.set(key, part);
    }
    return part;
  };
  for (const object of desired.objects) partOf(object.options.target).desired.objects.push(object);
  return [...parts.values()];
}

function normalized(spec: TargetSpec | undefined, defaultRegion: string | undefined): TargetSpec | undefined {
  const region = spec?.region !== undefined && spec.region !== defaultRegion ? spec.region : undefined;
  const target: TargetSpec = { ...(spec?.assumeRoleArn ? { assumeRoleArn: spec.assumeRoleArn } : {}), ...(region ? { region } : {}) };
  return Object.keys(target).length > 0 ? target : undefined;
}

/**
 * IAM is global: of several parts in one account (different Regions), only the first lists and prunes
 * orphans of account-wide kinds (IAM roles), or two would delete the same role.
 */
export function prunesAccountScope(parts: readonly TargetPart[], index: number): boolean {
  const account = accountOfRole(parts[index]?.target?.assumeRoleArn);
  return parts.findIndex((p) => accountOfRole(p.target?.assumeRoleArn) === account) === index;
}

/** One result from several: plans concatenated (operation → change indices shifted), changes labelled by target. */
export function joinResults(results: readonly ReconcileResult[]): ReconcileResult {
  const [first, ...rest] = results;
  if (!first) throw new Error("internal: no target was reconciled");
  if (rest.length === 0) return first;
  const plan: Plan = { changes: [], operations: [], summary: summarize([]), skipped: [] };
  const outcomes: NonNullable<ReconcileResult["outcomes"]> = [];
  let applied: ReconcileResult["applied"] = {};
  for (const result of results) {
    const offset = plan.changes.length;
    const label = `${result.target.accountId}/${result.target.region}`;
    plan.changes.push(...result.plan.changes.map((change) => ({ ...change, target: label })));
    plan.operations.push(...result.plan.operations.map((op) => (op.change !== undefined ? { ...op, change: op.change + offset } : op)));
    plan.skipped.push(...result.plan.skipped);
    outcomes.push(...(result.outcomes ?? []).map((o) => (o.change !== undefined ? { ...o, change: o.change + offset } : o)));
    applied = { ...applied, ...result.applied };
  }
  plan.summary = summarize(plan.changes);
  const dryRun = results.every((r) => r.outcomes === undefined);
  return {
    target: first.target,
    targets: results.map((r) => r.target),
    plan,
    ...(dryRun ? {} : { outcomes }),
    applied,
    calls: addCalls(results.map((r) => r.calls)),
    durationMs: Math.max(...results.map((r) => r.durationMs)),
    ...joinScans(results.flatMap((r) => (r.scan ? [r.scan] : []))),
  };
}

export function addCalls(all: readonly CallCounts[]): CallCounts {
  const sum: CallCounts = { total: 0, writes: 0, byOperation: {}, errors: {} };
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
  };
  for (const calls of all) {
    sum.total += calls.total;
    sum.writes += calls.writes;
    add(sum.byOperation, calls.byOperation);
    add(sum.errors, calls.errors);
    for (const [op, byName] of Object.entries(calls.failures ?? {})) add(((sum.failures ??= {})[op] ??= {}), byName);
  }
  return sum;
}

/** --max-deletions counts every target's prunes together: N targets must not delete N times as much. */
export function guardDeletions(plans: readonly Plan[], config: { force: boolean; maxDeletions: number }): void {
  if (config.force) return;
  const deletions = plans.flatMap((plan) => plan.changes.filter((c) => c.action === "delete" && isObjectChange(c) && /--prune/.test(c.reason ?? "")));
  if (deletions.length <= config.maxDeletions) return;
  const names = deletions.map((c) => `${c.kind} ${objectOf(c).name}`).join(", ");
  throw new PruneGuardError(`--prune would delete ${deletions.length} object(s) across targets (${names}), more than --max-deletions ${config.maxDeletions}; re-run with --force or a higher --max-deletions`);
}

/** One scan line for several targets: full when any part scanned in full (with its reasons), counts summed. */
function joinScans(scans: readonly ScanReport[]): { scan?: ScanReport } {
  const [first] = scans;
  if (!first) return {};
  const full = scans.filter((s) => s.mode === "full");
  const sum = (pick: (s: ScanReport) => number | undefined) => scans.reduce((n, s) => n + (pick(s) ?? 0), 0);
  return {
    scan: {
      mode: full.length > 0 ? "full" : "incremental",
      reason: [...new Set((full.length > 0 ? full : scans).map((s) => s.reason))].join("; "),
      events: sum((s) => s.events),
      lookups: sum((s) => s.lookups),
      reused: sum((s) => s.reused),
      reread: sum((s) => s.reread),
    },
  };
}
