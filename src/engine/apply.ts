// apply: runs a Plan's operations in dependency order, with bounded overlap per API, through the
// quota-paced gateway; retries what AWS says is retryable; never duplicates after a lost answer.
import { AwsCallError } from "../aws/errors.ts";
import type { Gateway } from "../aws/gateway.ts";
import { PassAbortedError } from "../aws/quotas.ts";
import { isRef, isSecretRef, type Operation, type Plan, type SecretRef } from "../model/changes.ts";
import { KINDS } from "../kinds/index.ts";
import type { CallRecovery } from "../kinds/kind.ts";
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from "../aws/retry.ts";

export type OutcomeStatus = "applied" | "failed" | "skipped";

export interface OperationOutcome {
  id: string;
  call: string;
  group: string;
  status: OutcomeStatus;
  error?: string;
  change?: number;
}

export interface ApplyOptions {
  /** Writes in flight at once per API (independent objects); IAM writes of one role are chained anyway. */
  concurrencyPerGroup: number;
  retry: RetryPolicy;
  /** When set, how long errors a kind declares as settling are retried, instead of the kind's own window (tests). */
  settleMs?: number;
  onOutcome?: (outcome: OperationOutcome) => void;
  /** Once aborted, no operation starts; those in flight finish; the rest are skipped. */
  signal?: AbortSignal;
}

const STOPPED = "not started: the pass was stopped";

export const DEFAULT_APPLY: ApplyOptions = { concurrencyPerGroup: 4, retry: DEFAULT_RETRY };

type Answer = Record<string, unknown>;

export async function applyPlan(plan: Plan, gateway: Gateway, options: ApplyOptions = DEFAULT_APPLY): Promise<OperationOutcome[]> {
  const refs = new Map<string, string>();
  const outcomes = new Map<string, OperationOutcome>();
  const failedGroups = new Set<string>();
  const inFlight = new Map<string, number>();
  const pending = new Set(plan.operations.map((op) => op.id));
  const byId = new Map(plan.operations.map((op) => [op.id, op]));
  // Groups in plan order: the earlier a group, the higher its priority for quota tokens.
  const groupOrder = new Map<string, number>();
  for (const op of plan.operations) if (!groupOrder.has(op.group)) groupOrder.set(op.group, groupOrder.size + 1);

  const finish = (op: Operation, status: OutcomeStatus, error?: string) => {
    const outcome: OperationOutcome = { id: op.id, call: op.call, group: op.group, status, ...(error ? { error } : {}), ...(op.change !== undefined ? { change: op.change } : {}) };
    outcomes.set(op.id, outcome);
    options.onOutcome?.(outcome);
  };

  await new Promise<void>((resolveAll) => {
    const pump = () => {
      for (const id of [...pending]) {
        const op = byId.get(id);
        if (!op) continue;
        const skip = skipReason(op, outcomes, failedGroups, options.signal);
        if (skip) {
          pending.delete(id);
          finish(op, "skipped", skip);
          continue;
        }
        if (!op.after.every((a) => outcomes.get(a)?.status === "applied" || !byId.has(a))) continue;
        const limit = op.service === "iam" ? 1 : options.concurrencyPerGroup;
        if ((inFlight.get(op.group) ?? 0) >= limit) continue;
        pending.delete(id);
        inFlight.set(op.group, (inFlight.get(op.group) ?? 0) + 1);
        void execute(op, gateway, refs, options, groupOrder.get(op.group) ?? 0).then(
          () => finish(op, "applied"),
          (error: unknown) => {
            // Stopped while waiting for a token or between retries: not a failure of the object.
            if (error instanceof PassAbortedError || options.signal?.aborted) return finish(op, "skipped", STOPPED);
            failedGroups.add(op.group);
            finish(op, "failed", error instanceof Error ? error.message : String(error));
          },
        ).finally(() => {
          inFlight.set(op.group, (inFlight.get(op.group) ?? 1) - 1);
          pump();
        });
      }
      const running = [...inFlight.values()].some((n) => n > 0);
      if (!running && pending.size === 0) resolveAll();
      else if (!running && pending.size > 0) {
        // Nothing can start: unresolvable dependencies (should not happen with a well-formed plan).
        for (const id of pending) finish(byId.get(id) as Operation, "skipped", "dependencies never completed");
        pending.clear();
        resolveAll();
      }
    };
    pump();
  });
  return plan.operations.map((op) => outcomes.get(op.id) ?? { id: op.id, call: op.call, group: op.group, status: "skipped" as const });
}

/** Why an operation will never run (the pass stopped, its object failed, a dependency failed), if so. */
function skipReason(op: Operation, outcomes: ReadonlyMap<string, OperationOutcome>, failedGroups: ReadonlySet<string>, signal: AbortSignal | undefined): string | undefined {
  if (signal?.aborted) return STOPPED;
  if (failedGroups.has(op.group)) return "an earlier operation of this object failed";
  const blockedBy = op.after.map((a) => outcomes.get(a)).find((o) => o !== undefined && o.status !== "applied");
  return blockedBy ? `depends on ${blockedBy.id}` : undefined;
}

function resolveRefs(value: unknown, group: string, refs: ReadonlyMap<string, string>): unknown {
  if (isSecretRef(value)) return secretValue(value);
  if (isRef(value)) {
    const id = refs.get(`${value.group ?? group}|${value.$ref}`);
    if (id === undefined) throw new Error(`internal: ${value.group ? `${value.group} ` : ""}${value.$ref} is not known yet`);
    const format = (value as { format?: string }).format;
    return format ? format.replace("{}", id) : id;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, group, refs));
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, group, refs)]));
  }
  return value;
}

/** The kind that sends this call says AWS is still settling what it needs: for how long it may be retried. */
function settlingWindow(call: string, error: AwsCallError, options: ApplyOptions): number | undefined {
  const settling = recoveryOf(call)?.settling;
  return settling?.matches(error) ? (options.settleMs ?? settling.withinMs) : undefined;
}

/**
 * A settling error that outlasted the retries (its window, or the retry policy, whichever ended first):
 * the kind's own words for it, with how long it was waited for, if it has them.
 */
function afterSettling(call: string, error: unknown, options: ApplyOptions, started: number): unknown {
  if (!(error instanceof AwsCallError)) return error;
  const settling = recoveryOf(call)?.settling;
  const window = settlingWindow(call, error, options);
  return window !== undefined && settling?.gaveUp ? new Error(settling.gaveUp(error, Date.now() - started)) : error;
}

/** Read at the call, never kept: a missing variable fails this operation (and its object), naming the variable only. */
function secretValue(ref: SecretRef): string {
  const value = process.env[ref.$secret.env];
  if (value === undefined || value === "") throw new Error(`the environment variable ${ref.$secret.env} (a secret the manifest names) is not set`);
  return value;
}

/** A call's recovery after a lost answer, as the kind that sends it declares it. */
function recoveryOf(call: string): CallRecovery | undefined {
  return KINDS.map((kind) => kind.recovery?.[call]).find((r) => r !== undefined);
}

async function execute(op: Operation, gateway: Gateway, refs: Map<string, string>, options: ApplyOptions, priority: number): Promise<void> {
  const input = resolveRefs(op.input, op.group, refs) as Record<string, unknown>;
  const started = Date.now();
  let answerMayBeLost = false;

  const attempt = async (): Promise<Answer> => {
    try {
      return await gateway.sendPlanned({ service: op.service, call: op.call, input }, priority);
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      // After a lost answer, "already exists" / "not found" means our earlier attempt took effect.
      if (answerMayBeLost && (recoveryOf(op.call)?.alreadyDone?.(error) === true || (op.call.startsWith("Delete") && error.detail.class === "not-found"))) return {};
      if (error.detail.outcomeUnknown) answerMayBeLost = true;
      throw error;
    }
  };

  const answer = await withRetries(attempt, options.retry, {
    ...(options.signal ? { signal: options.signal } : {}),
    alsoRetry: (error) => Date.now() - started < (settlingWindow(op.call, error, options) ?? 0),
    beforeRetry: async (error) => {
      if (!error.detail.outcomeUnknown) return undefined;
      const found = await findCreated(op, input, gateway);
      return found ? { resolved: found } : undefined;
    },
  }).catch((error: unknown) => {
    throw afterSettling(op.call, error, options, started);
  });

  await recordProduced(op, answer, refs, gateway);
}

/** The ids the answer gives to later operations: its own, and those its kind says it yields besides. */
async function recordProduced(op: Operation, answer: Answer, refs: Map<string, string>, gateway: Gateway): Promise<void> {
  if (!op.produces) return;
  if (typeof answer.id === "string") refs.set(`${op.group}|${op.produces}`, answer.id);
  const more = (await recoveryOf(op.call)?.produced?.(answer, gateway)) ?? {};
  for (const [ref, id] of Object.entries(more)) refs.set(`${op.group}|${ref}`, id);
}

/** After a lost answer to a create, look for what it may have created, so a retry makes no duplicate. */
async function findCreated(op: Operation, input: Record<string, unknown>, gateway: Gateway): Promise<Answer | undefined> {
  return recoveryOf(op.call)?.find?.(input, gateway);
}

