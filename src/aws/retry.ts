// Retries for retryable AWS errors only, with exponential backoff and jitter, bounded in total time.
import pRetry from "p-retry";
import { sleep } from "../sleep.ts";
import { AwsCallError } from "./errors.ts";

export interface RetryPolicy {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  maxRetryTimeMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 10, minTimeoutMs: 200, maxTimeoutMs: 8_000, maxRetryTimeMs: 120_000 };

const MAX_RETRY_AFTER_MS = 60_000;

export interface RetryHooks {
  /** Called before each retry; may inspect or repair state (re-read after a lost answer). Returns a value to use instead of retrying. */
  beforeRetry?: (error: AwsCallError, attempt: number) => Promise<{ resolved: unknown } | undefined>;
  /** Extra retryable cases on top of AWS's classification (e.g. a role not yet usable). */
  alsoRetry?: (error: AwsCallError) => boolean;
  /** A stopped pass: no more waiting between attempts. */
  signal?: AbortSignal;
}

export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY, hooks: RetryHooks = {}): Promise<T> {
  let recovered: { resolved: unknown } | undefined;
  const run = async (): Promise<T> => {
    if (recovered) return recovered.resolved as T;
    return attempt();
  };
  return pRetry(run, {
    retries: policy.retries,
    factor: 2,
    minTimeout: policy.minTimeoutMs,
    maxTimeout: policy.maxTimeoutMs,
    randomize: true,
    maxRetryTime: policy.maxRetryTimeMs,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    shouldRetry: ({ error }) => error instanceof AwsCallError && (error.detail.class === "retryable" || (hooks.alsoRetry?.(error) ?? false)),
    onFailedAttempt: async ({ error, attemptNumber }) => {
      if (!(error instanceof AwsCallError)) return;
      // AWS's Retry-After (at most a minute: a bogus value must not park the pass), cut short by a stop.
      const retryAfter = error.detail.retryAfterSeconds;
      if (retryAfter !== undefined) await sleep(Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS), hooks.signal);
      if (hooks.beforeRetry && (error.detail.class === "retryable" || hooks.alsoRetry?.(error))) recovered = await hooks.beforeRetry(error, attemptNumber);
    },
  });
}
