// --changes-from cloudtrail: between full scans, a pass re-reads only the objects that CloudTrail says
// were written since the last pass, and takes the rest as the last pass read them. API Gateway and IAM
// record every write as a CloudTrail management event (LookupEvents serves 90 days of them); events arrive
// minutes late, so each lookup reaches back a margin (default 15 min) before the last pass began.
// A full scan still runs at the first pass, every --full-scan-every, when the manifests changed, and after
// any LookupEvents failure or a history too long to page through — and the report says which and why.
import type { Gateway } from "../aws/gateway.ts";
import type { AnyKind, ReadCache, WriteEvent } from "../kinds/kind.ts";
import { lookupWrites, LookupTruncatedError } from "./cloudtrail.ts";

export interface FeedOptions {
  /** How far before the last pass's start each lookup reaches (CloudTrail's delivery delay). */
  marginMs: number;
  fullScanEveryMs: number;
  /** LookupEvents pages (50 events each) per event source before giving up and scanning in full. */
  maxPages: number;
}

export const DEFAULT_FEED: FeedOptions = { marginMs: 15 * 60_000, fullScanEveryMs: 60 * 60_000, maxPages: 20 };

/** What a pass did instead of (or as) a full scan, for the report. */
export interface ScanReport {
  mode: "full" | "incremental";
  /** Why a full scan ("first pass", "manifests changed", "LookupEvents failed: …"), or the window searched. */
  reason: string;
  /** Write events found (incremental). */
  events?: number;
  /** LookupEvents calls made. */
  lookups?: number;
  /** Objects taken from the last read / read again. */
  reused: number;
  reread: number;
}

/** What the feed keeps between passes (in memory in the controller, in a file for the CLI). */
export interface FeedState {
  lastFullScanAt?: number;
  /** Start of the last pass whose observe completed: the next lookup starts a margin before it. */
  windowStart?: number;
  desiredHash?: string;
  /** Per kind, per AWS identity: the object as last read. */
  entries: Record<string, Record<string, unknown>>;
}

export class ChangeFeed {
  constructor(
    public state: FeedState = { entries: {} },
    private readonly options: FeedOptions = DEFAULT_FEED,
    private readonly now: () => number = Date.now,
  ) {}

  /** Decides how the pass starting now observes; for an incremental one, asks CloudTrail what was written. */
  async begin(gateway: Gateway, desiredHash: string, kinds: readonly AnyKind[]): Promise<FeedPass> {
    const startedAt = this.now();
    const full = (reason: string) => new FeedPass(this, { startedAt, desiredHash, changed: undefined, scan: { mode: "full", reason, reused: 0, reread: 0 } });
    const { lastFullScanAt, windowStart } = this.state;
    if (lastFullScanAt === undefined || windowStart === undefined) return full("first pass");
    if (desiredHash !== this.state.desiredHash) return full("the manifests changed");
    if (startedAt - lastFullScanAt >= this.options.fullScanEveryMs) return full(`last full scan ${Math.round((startedAt - lastFullScanAt) / 60_000)} min ago (--full-scan-every)`);
    const since = new Date(windowStart - this.options.marginMs);
    try {
      const found = await this.changedIds(gateway, kinds, since, new Date(startedAt));
      const window = `writes since ${since.toISOString()} (${Math.round(this.options.marginMs / 60_000)} min before the last pass)`;
      return new FeedPass(this, { startedAt, desiredHash, changed: found.changed, scan: { mode: "incremental", reason: window, events: found.events, lookups: found.lookups, reused: 0, reread: 0 } });
    } catch (error) {
      if (error instanceof LookupTruncatedError) return full(error.message);
      return full(`LookupEvents failed (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  /** Per kind, the identities write events name; one lookup per event source of the kinds that declare one. */
  private async changedIds(gateway: Gateway, kinds: readonly AnyKind[], since: Date, until: Date) {
    const changed = new Map<string, Set<string>>();
    let events = 0;
    let lookups = 0;
    for (const source of new Set(kinds.flatMap((k) => (k.events ? [k.events.source] : [])))) {
      const found = await lookupWrites(gateway, { source, since, until, maxPages: this.options.maxPages });
      lookups += found.lookups;
      events += found.events.length;
      for (const kind of kinds.filter((k) => k.events?.source === source)) {
        const ids = changed.get(kind.kind) ?? new Set<string>();
        for (const event of found.events) for (const id of kind.events?.ids(event) ?? []) ids.add(id);
        changed.set(kind.kind, ids);
      }
    }
    return { changed, events, lookups };
  }
}

/** One pass's use of the feed: the read caches it hands to observe, and what it commits once observe is done. */
export class FeedPass {
  private readonly next: Record<string, Record<string, unknown>> = {};

  constructor(
    private readonly feed: ChangeFeed,
    private readonly pass: { startedAt: number; desiredHash: string; changed: Map<string, Set<string>> | undefined; scan: ScanReport },
  ) {}

  get scan(): ScanReport {
    return this.pass.scan;
  }

  /** The read cache of one kind: reuse only on an incremental pass, only kinds whose writes CloudTrail names. */
  cacheFor(kind: AnyKind): ReadCache | undefined {
    if (!kind.events) return undefined;
    const changed = this.pass.changed?.get(kind.kind);
    const previous = this.feed.state.entries[kind.kind] ?? {};
    const next = (this.next[kind.kind] ??= {});
    const scan = this.pass.scan;
    return {
      reuse: <L>(id: string): L | undefined => {
        const hit = changed !== undefined && !changed.has(id) && Object.hasOwn(previous, id) ? (previous[id] as L) : undefined;
        if (hit !== undefined) scan.reused++;
        else scan.reread++;
        return hit;
      },
      remember: (id: string, live: unknown) => {
        Object.defineProperty(next, id, { value: live, enumerable: true, writable: true, configurable: true });
      },
    };
  }

  /** Observe completed: what it read is what the next pass starts from. */
  commit(): void {
    const full = this.pass.scan.mode === "full";
    const { lastFullScanAt } = this.feed.state;
    this.feed.state = {
      ...(full ? { lastFullScanAt: this.pass.startedAt } : lastFullScanAt !== undefined ? { lastFullScanAt } : {}),
      windowStart: this.pass.startedAt,
      desiredHash: this.pass.desiredHash,
      entries: this.next,
    };
  }
}

export type { WriteEvent };
