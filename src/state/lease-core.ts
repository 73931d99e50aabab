// The single-writer lease, independent of where the lock lives. A lock is a small JSON object beside the
// state (`<state>.lock`) naming its holder and when it expires. It is created only if absent, renewed and
// stolen only by replacing the exact version one read (compare-and-swap), so of two processes racing for
// it exactly one wins. S3 (s3-lease.ts) and a local file (file-lease.ts) each provide those primitives.
//
// Clocks: `expiresAt` is written by the holder's clock and judged by the others' clocks. We assume the
// controllers' clocks agree within `skewMarginMs` (NTP-synced nodes agree within milliseconds); a lock is
// stolen only once expiresAt + skewMarginMs has passed, while its holder stops counting on it at expiresAt
// by its own clock (held()). Skew beyond the margin could let a thief in while the holder still writes.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** The lock's body. */
export interface LeaseInfo {
  /** Unique per Lease instance: hostname (the pod name in Kubernetes), pid and a random part. */
  holder: string;
  /** The controller's owner id (`--owner`). */
  owner: string;
  acquiredAt: string;
  renewedAt: string;
  expiresAt: string;
}

export interface LeaseOptions {
  /** How long a lock lasts without renewal (`--lock-ttl`). */
  ttlMs: number;
  owner: string;
  /** Default: hostname:pid:random. */
  holderId?: string;
  /** Allowed clock difference between controllers; default DEFAULT_SKEW_MARGIN_MS. */
  skewMarginMs?: number;
  /** Milliseconds since the epoch; default Date.now (tests move time). */
  now?: () => number;
}

export const DEFAULT_SKEW_MARGIN_MS = 2_000;

export interface Lease {
  /** The lock's location, for messages. */
  describe(): string;
  /** Takes the lock if it is free or expired (or already ours); true = we hold it now. */
  acquire(signal?: AbortSignal): Promise<boolean>;
  /** Extends our lock; false = it is no longer ours (stolen after expiry, or never held). */
  renew(signal?: AbortSignal): Promise<boolean>;
  /** Removes our lock, if it is still ours; never someone else's. */
  release(signal?: AbortSignal): Promise<void>;
  /** We hold the lock and, by our clock, it has not expired. */
  held(): boolean;
  /** The lock as stored now, whoever holds it (undefined: no lock, or an unreadable one). */
  holder(signal?: AbortSignal): Promise<LeaseInfo | undefined>;
  /** Frees what the lease opened (its S3 client); does not release the lock. */
  close(): void;
}

/** A lock as read: its text, the version to compare-and-swap against, and when it was last written. */
export interface StoredLock {
  text: string;
  version: string;
  modifiedMs?: number;
}

/** Where a lock lives: create-if-absent, read, and replace / remove only at the version one read. */
export interface LockSlot {
  describe(): string;
  /** The new version, or undefined when a lock exists already. */
  create(text: string, signal?: AbortSignal): Promise<string | undefined>;
  read(signal?: AbortSignal): Promise<StoredLock | undefined>;
  /** The new version, or undefined when the lock is no longer at `version` (changed or gone). */
  replace(version: string, text: string, signal?: AbortSignal): Promise<string | undefined>;
  /** False when the lock is no longer at `version`. */
  remove(version: string, signal?: AbortSignal): Promise<boolean>;
  close(): void;
}

export function newHolderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/** The lock body, or undefined when it is not one (empty, half-written, foreign). */
export function parseLeaseInfo(text: string): LeaseInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<Record<keyof LeaseInfo, unknown>> | null;
    const fields = ["holder", "owner", "acquiredAt", "renewedAt", "expiresAt"] as const;
    if (!value || fields.some((field) => typeof value[field] !== "string")) return undefined;
    const info = value as LeaseInfo;
    return Number.isFinite(Date.parse(info.expiresAt)) && Number.isFinite(Date.parse(info.renewedAt)) ? info : undefined;
  } catch {
    return undefined;
  }
}

export function serializeLeaseInfo(info: LeaseInfo): string {
  return JSON.stringify(info, null, 2) + "\n";
}

/** Whether a lock may be stolen at `nowMs`. */
export function leaseExpired(info: LeaseInfo, nowMs: number, skewMarginMs = DEFAULT_SKEW_MARGIN_MS): boolean {
  return Date.parse(info.expiresAt) + skewMarginMs < nowMs;
}

/** The lease algorithm over any LockSlot: S3Lease and FileLease differ only in their slot. */
export class SlotLease implements Lease {
  readonly id: string;
  private readonly ttlMs: number;
  private readonly skewMarginMs: number;
  private readonly now: () => number;
  /** Our lock as we last wrote (or adopted) it. */
  private current: { info: LeaseInfo; version: string } | undefined;

  constructor(
    private readonly slot: LockSlot,
    private readonly options: LeaseOptions,
  ) {
    if (!(options.ttlMs > 0)) throw new Error(`lease ttl must be a positive number of milliseconds, got ${options.ttlMs}`);
    this.id = options.holderId ?? newHolderId();
    this.ttlMs = options.ttlMs;
    this.skewMarginMs = options.skewMarginMs ?? DEFAULT_SKEW_MARGIN_MS;
    this.now = options.now ?? Date.now;
  }

  describe(): string {
    return this.slot.describe();
  }

  async acquire(signal?: AbortSignal): Promise<boolean> {
    // Already ours: renew. Lost meanwhile: the lock may be free or expired again, so go on as anyone would.
    if (this.current && (await this.renew(signal))) return true;
    // Twice at most: a lock released between our create and our read leaves nothing to judge; create again.
    for (let attempt = 0; attempt < 2; attempt++) {
      const info = this.fresh();
      const created = await this.slot.create(serializeLeaseInfo(info), signal);
      if (created !== undefined) return this.hold(info, created);
      const seen = await this.slot.read(signal);
      if (seen) return this.takeOver(seen, signal);
    }
    return false;
  }

  async renew(signal?: AbortSignal): Promise<boolean> {
    const current = this.current;
    if (!current) return false;
    const next = this.renewed(current.info);
    const version = await this.slot.replace(current.version, serializeLeaseInfo(next), signal);
    if (version !== undefined) return this.hold(next, version);
    // Replaced under us: stolen, or by ourselves when an earlier write landed and only its answer was lost.
    const seen = await this.slot.read(signal);
    const info = seen && parseLeaseInfo(seen.text);
    if (seen && info?.holder === this.id) return this.hold(info, seen.version);
    this.current = undefined;
    return false;
  }

  async release(signal?: AbortSignal): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (!current || (await this.slot.remove(current.version, signal))) return;
    // Our last version is stale only if an answer was lost; remove the lock still if it names us.
    const seen = await this.slot.read(signal);
    if (seen && parseLeaseInfo(seen.text)?.holder === this.id) await this.slot.remove(seen.version, signal);
  }

  held(): boolean {
    return this.current !== undefined && this.now() < Date.parse(this.current.info.expiresAt);
  }

  async holder(signal?: AbortSignal): Promise<LeaseInfo | undefined> {
    const seen = await this.slot.read(signal);
    return seen && parseLeaseInfo(seen.text);
  }

  close(): void {
    this.slot.close();
  }

  /** The lock exists: ours already (a lost answer), still valid (refuse), or expired (steal it at its version). */
  private async takeOver(seen: StoredLock, signal?: AbortSignal): Promise<boolean> {
    const info = parseLeaseInfo(seen.text);
    if (info?.holder === this.id) {
      this.hold(info, seen.version);
      return this.renew(signal);
    }
    if (!this.stealable(info, seen.modifiedMs)) return false;
    const stolen = this.fresh();
    // Replacing exactly the version we judged expired: of two thieves, the second finds it changed.
    const version = await this.slot.replace(seen.version, serializeLeaseInfo(stolen), signal);
    return version !== undefined && this.hold(stolen, version);
  }

  private stealable(info: LeaseInfo | undefined, modifiedMs: number | undefined): boolean {
    if (info) return leaseExpired(info, this.now(), this.skewMarginMs);
    // An unreadable lock (half-written, foreign) expires a ttl after it was last written.
    return modifiedMs === undefined || modifiedMs + this.ttlMs + this.skewMarginMs < this.now();
  }

  private hold(info: LeaseInfo, version: string): boolean {
    this.current = { info, version };
    return true;
  }

  private fresh(): LeaseInfo {
    const now = this.now();
    const at = new Date(now).toISOString();
    return { holder: this.id, owner: this.options.owner, acquiredAt: at, renewedAt: at, expiresAt: new Date(now + this.ttlMs).toISOString() };
  }

  /** renewedAt strictly increases, so that no two versions of our lock have the same text (file versions are texts). */
  private renewed(info: LeaseInfo): LeaseInfo {
    const now = Math.max(this.now(), Date.parse(info.renewedAt) + 1);
    return { ...info, renewedAt: new Date(now).toISOString(), expiresAt: new Date(now + this.ttlMs).toISOString() };
  }
}
