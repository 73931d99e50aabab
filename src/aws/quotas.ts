// Client-side token buckets mirroring API Gateway's control-plane quotas, so our own calls never make
// AWS throttle us. Every call takes a token from its operation's bucket (if any) and the shared one.

import { sleep as sleepUntil } from "../sleep.ts";

export interface Quota {
  /** tokens per second */
  rate: number;
  burst: number;
}

/** https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html (per account and Region). */
export const API_GATEWAY_QUOTAS: Record<string, Quota> = {
  "*": { rate: 10, burst: 40 },
  GetResources: { rate: 5 / 2, burst: 5 },
  CreateDeployment: { rate: 1 / 5, burst: 1 },
  CreateResource: { rate: 5, burst: 5 },
  DeleteResource: { rate: 5, burst: 5 },
  CreateRestApi: { rate: 1 / 3, burst: 1 },
  /** CreateRestApi of an edge-optimized API (AWS's default type): its own, slower quota. */
  "CreateRestApi#EDGE": { rate: 1 / 30, burst: 1 },
  DeleteRestApi: { rate: 1 / 30, burst: 1 },
  PutRestApi: { rate: 1, burst: 1 },
  // The kinds that hand an API to partners (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html,
  // "API Gateway quotas for creating, deploying and managing an API").
  UpdateUsagePlan: { rate: 1 / 20, burst: 1 },
  CreateDomainName: { rate: 1 / 30, burst: 1 },
  UpdateDomainName: { rate: 1 / 30, burst: 1 },
  DeleteDomainName: { rate: 1 / 30, burst: 1 },
  CreateApiKey: { rate: 5, burst: 5 },
  DeleteApiKey: { rate: 5, burst: 5 },
};

/**
 * The quota bucket of a call: its operation, except where AWS's quota depends on the input. CreateRestApi
 * is 1 per 30 s for EDGE APIs and 1 per 3 s for REGIONAL and PRIVATE ones; an API created without an
 * endpoint configuration is EDGE (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html,
 * https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html).
 */
export function quotaKey(operation: string, input: Record<string, unknown>): string {
  if (operation !== "CreateRestApi") return operation;
  const types = (input.endpointConfiguration as { types?: unknown } | undefined)?.types;
  const edge = !Array.isArray(types) || types.length === 0 || types.includes("EDGE");
  return edge ? "CreateRestApi#EDGE" : operation;
}

/** LookupEvents: 2 requests per second per account and Region (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html). */
export const CLOUDTRAIL_QUOTAS: Record<string, Quota> = { LookupEvents: { rate: 2, burst: 2 } };

/** IAM publishes no fixed control-plane rate; stay well below where it starts answering Throttling. */
export const IAM_QUOTAS: Record<string, Quota> = { "*": { rate: 20, burst: 20 } };

// Our clock and AWS's never agree exactly, and requests reach AWS with jitter (a new connection costs
// tens of ms): run a little under each rate, keep part of each burst in hand, and leave a small fixed
// margin on the slow buckets. The token kept in hand is what absorbs an early arrival; the margin only
// lets AWS's bucket refill it. On the slow buckets the rate is the whole cost of a large scan (GetResources
// 5 per 2 s: 500 APIs cannot be read in under ~200 s), so they run closer to it: 2 % under plus 10 ms
// (GetResources every 418 ms instead of 400: a 500-API scan within 1.05× of AWS's bound).
const SAFETY = 0.97;
const SLOW_BUCKET_SAFETY = 0.98;
const SLOW_BUCKET_MARGIN_MS = 10;

class TokenBucket {
  private tokens: number;
  private updated: number;
  /** Milliseconds per token, with the safety factor and margin. */
  private readonly interval: number;

  constructor(
    quota: Quota,
    private readonly now: () => number,
  ) {
    // A token counts when a call is granted, but the call reaches AWS after the SDK's steps, later under
    // load: calls granted apart can arrive together, as more than AWS's burst. Keep part of each burst in
    // hand for that: a tenth of the shared bucket (4 of 40: 0.4 s of bunching at 10/s; two were not
    // enough at the start of a 500-API scan, one 429 then), one token of a small bucket.
    this.burst = quota.burst >= 10 ? quota.burst - Math.ceil(quota.burst / 10) : quota.burst > 1 ? quota.burst - 1 : quota.burst;
    this.tokens = this.burst;
    this.updated = now();
    const base = 1000 / quota.rate;
    this.interval = base >= 200 ? base / SLOW_BUCKET_SAFETY + SLOW_BUCKET_MARGIN_MS : base / SAFETY;
  }

  private readonly burst: number;

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (t - this.updated) / this.interval);
    this.updated = t;
  }

  /** Milliseconds until one token is available (0 if now). */
  wait(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.interval);
  }

  take(): void {
    this.tokens -= 1;
  }
}

interface Waiter {
  service: string;
  operation: string;
  /** Its buckets (its operation's, if any, and the service's shared one), looked up once. */
  buckets: TokenBucket[];
  priority: number;
  seq: number;
  resolve: () => void;
}

/** Thrown into a call waiting for a token (or about to be sent) once its pass is told to stop. */
export class PassAbortedError extends Error {
  constructor() {
    super("the pass was stopped before this call was sent");
    this.name = "PassAbortedError";
  }
}

/**
 * Hands out tokens to waiting calls in priority order (lower first; the apply engine gives each API the
 * order in which it started), skipping a waiter whose own bucket is empty so that others can use the
 * shared one. APIs then finish one after another, and their deployments (1 per 5 s) spread over the run
 * instead of piling up at its end.
 */
export class QuotaScheduler {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly waiters: Waiter[] = [];
  private seq = 0;
  private pumping = false;
  /** Total milliseconds calls spent waiting for a token. */
  waitedMs = 0;

  constructor(
    private readonly quotas: Record<string, Record<string, Quota>>,
    private readonly now: () => number = () => performance.now(),
    /** Resolves after `ms`, or at once when `wake` aborts (a new or withdrawn waiter changes the shortest wait). */
    private readonly sleep: (ms: number, wake: AbortSignal) => Promise<void> = sleepUntil,
  ) {}

  /** Cuts the pump's current sleep short, so that it recomputes whom to serve and when. */
  private wake: AbortController | undefined;

  private bucket(service: string, key: string): TokenBucket | undefined {
    const quota = this.quotas[service]?.[key];
    if (!quota) return undefined;
    const id = `${service}:${key}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(quota, this.now);
      this.buckets.set(id, bucket);
    }
    return bucket;
  }

  private bucketsOf(waiter: { service: string; operation: string }): TokenBucket[] {
    return [this.bucket(waiter.service, waiter.operation), this.bucket(waiter.service, "*")].filter((b): b is TokenBucket => b !== undefined);
  }

  /**
   * Resolves when the call may be sent; takes its tokens. A stopped pass leaves the queue at once (its
   * waiter is removed, so it takes no token that the next pass would miss).
   */
  acquire(service: string, operation: string, priority = 0, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new PassAbortedError());
        return;
      }
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new PassAbortedError());
        void this.pump();
      };
      const waiter: Waiter = {
        service,
        operation,
        buckets: this.bucketsOf({ service, operation }),
        priority,
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.splice(this.insertionIndex(waiter), 0, waiter);
      this.grant();
      void this.pump();
    });
  }

  /**
   * Where a waiter goes in the queue (priority, then arrival): after every waiter that goes before it. A
   * scan queues a thousand calls at once; sorting the queue on each (as before) stalled the event loop for
   * a tenth of a second while calls already granted waited to be sent, and they then left together with
   * the next ones: more at once than AWS's bucket holds.
   */
  private insertionIndex(waiter: Waiter): number {
    let low = 0;
    let high = this.waiters.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.waiters[mid] as Waiter;
      if (other.priority < waiter.priority || (other.priority === waiter.priority && other.seq < waiter.seq)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * Grants every waiter that can go now, in order; returns the shortest wait of the rest. Each bucket's
   * wait is worked out once per round (again only after a token is taken from it): most waiters of a large
   * scan share the same two buckets.
   */
  private grant(): number {
    let shortest = Infinity;
    const waits = new Map<TokenBucket, number>();
    const waitOf = (bucket: TokenBucket) => {
      let wait = waits.get(bucket);
      if (wait === undefined) waits.set(bucket, (wait = bucket.wait()));
      return wait;
    };
    for (let i = 0; i < this.waiters.length; ) {
      const waiter = this.waiters[i];
      if (!waiter) break;
      const { buckets } = waiter;
      let wait = 0;
      for (const bucket of buckets) wait = Math.max(wait, waitOf(bucket));
      if (wait === 0) {
        for (const bucket of buckets) {
          bucket.take();
          waits.delete(bucket);
        }
        this.waiters.splice(i, 1);
        waiter.resolve();
      } else {
        shortest = Math.min(shortest, wait);
        i++;
      }
    }
    return shortest;
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      // A waiter arrived or left while the pump sleeps: its wait may be shorter, or nobody may be left.
      this.wake?.abort();
      return;
    }
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        const wait = this.grant();
        if (this.waiters.length === 0 || !Number.isFinite(wait)) break;
        this.wake = new AbortController();
        const started = this.now();
        await this.sleep(wait, this.wake.signal);
        this.waitedMs += Math.max(0, this.now() - started);
      }
    } finally {
      this.pumping = false;
      this.wake = undefined;
    }
  }


  /** AWS said to slow down: empty the buckets so the next calls wait. */
  penalize(service: string, operation: string): void {
    for (const key of [operation, "*"]) {
      const bucket = this.bucket(service, key);
      if (bucket) while (bucket.wait() === 0) bucket.take();
    }
  }
}
