// Client-side token buckets mirroring API Gateway's control-plane quotas, so our own calls never make
// AWS throttle us. Every call takes a token from its operation's bucket (if any) and the shared one.

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
  DeleteRestApi: { rate: 1 / 30, burst: 1 },
  PutRestApi: { rate: 1, burst: 1 },
};

/** IAM publishes no fixed control-plane rate; stay well below where it starts answering Throttling. */
export const IAM_QUOTAS: Record<string, Quota> = { "*": { rate: 20, burst: 20 } };

// Our clock and AWS's never agree exactly; run a little under the quota so both buckets stay apart.
const SAFETY = 0.95;

class TokenBucket {
  private tokens: number;
  private updated: number;

  constructor(
    private readonly quota: Quota,
    private readonly now: () => number,
  ) {
    this.tokens = quota.burst;
    this.updated = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.quota.burst, this.tokens + ((t - this.updated) / 1000) * this.quota.rate * SAFETY);
    this.updated = t;
  }

  /** Milliseconds until one token is available (0 if now). */
  wait(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / (this.quota.rate * SAFETY)) * 1000);
  }

  take(): void {
    this.tokens -= 1;
  }
}

export class QuotaScheduler {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Total milliseconds calls spent waiting for a token. */
  waitedMs = 0;

  constructor(
    private readonly quotas: Record<string, Record<string, Quota>>,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

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

  /** Resolves when the call may be sent; takes its tokens. */
  async acquire(service: string, operation: string): Promise<void> {
    const buckets = [this.bucket(service, operation), this.bucket(service, "*")].filter((b): b is TokenBucket => b !== undefined);
    for (;;) {
      const wait = Math.max(0, ...buckets.map((b) => b.wait()));
      if (wait === 0) {
        for (const b of buckets) b.take();
        return;
      }
      this.waitedMs += wait;
      await this.sleep(wait);
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
