// The change feed (--changes-from cloudtrail) on its own: when a pass scans in full and why, which objects
// an incremental pass takes from the last read, how LookupEvents is paged and filtered, and what a pass
// hands to the next. The CLI, the emulator's LookupEvents and late events: test/e2e/changes-from.test.ts.
import { describe, expect, it } from "vitest";
import { AwsCallError } from "../../src/aws/errors.ts";
import type { Gateway } from "../../src/aws/gateway.ts";
import { ChangeFeed, DEFAULT_FEED, type FeedState } from "../../src/changes/feed.ts";
import { KINDS } from "../../src/kinds/index.ts";
import type { AnyKind } from "../../src/kinds/kind.ts";

const restApi = KINDS.find((k) => k.kind === "RestApi") as AnyKind;
const iamRole = KINDS.find((k) => k.kind === "IamRole") as AnyKind;
const HOUR = 3_600_000;

interface Event {
  source: string;
  name: string;
  readOnly?: boolean;
  request: Record<string, unknown>;
}

/** A gateway whose LookupEvents answers `events` (by source, `pageSize` a page) or fails. */
function cloudTrail(events: Event[], options: { fail?: boolean; pageSize?: number } = {}) {
  const lookups: Record<string, unknown>[] = [];
  const gateway = {
    send: (_service: string, _call: string, input: { LookupAttributes: { AttributeValue: string }[]; NextToken?: string }) => {
      lookups.push(input);
      if (options.fail) return Promise.reject(new AwsCallError("LookupEvents", { name: "InternalFailure", message: "boom", status: 500, outcomeUnknown: false, class: "terminal" }));
      const mine = events.filter((e) => e.source === input.LookupAttributes[0]?.AttributeValue);
      const size = options.pageSize ?? 50;
      const start = Number(input.NextToken ?? 0);
      const page = mine.slice(start, start + size).map((e) => ({ EventName: e.name, ReadOnly: e.readOnly ? "true" : "false", CloudTrailEvent: JSON.stringify({ requestParameters: e.request }) }));
      return Promise.resolve({ Events: page, ...(start + size < mine.length ? { NextToken: String(start + size) } : {}) });
    },
  } as unknown as Gateway;
  return { gateway, lookups };
}

const apiEvent = (restApiId: string, name = "UpdateRestApi"): Event => ({ source: "apigateway.amazonaws.com", name, request: { restApiId } });
const roleEvent = (roleName: string): Event => ({ source: "iam.amazonaws.com", name: "PutRolePolicy", request: { roleName } });

/** A feed that last scanned in full `ago` ms before `now`, with what it read then. */
function feedAfterFullScan(now: number, ago: number, entries: FeedState["entries"], hash = "h1"): ChangeFeed {
  return new ChangeFeed({ lastFullScanAt: now - ago, windowStart: now - ago, desiredHash: hash, entries }, DEFAULT_FEED, () => now);
}

describe("ChangeFeed: full scan or incremental", () => {
  const now = Date.parse("2026-11-30T12:00:00Z");
  const read = { RestApi: { a1: { id: "a1" }, a2: { id: "a2" } }, IamRole: { r1: { arn: "x" } } };
  const rows: { reason: string; feed: () => ChangeFeed; hash?: string; trail?: ReturnType<typeof cloudTrail>; mode: "full" | "incremental"; why: RegExp }[] = [
    { reason: "nothing read yet: the first pass is full", feed: () => new ChangeFeed(undefined, DEFAULT_FEED, () => now), mode: "full", why: /^first pass$/ },
    { reason: "the manifests changed since the last pass", feed: () => feedAfterFullScan(now, 60_000, read), hash: "h2", mode: "full", why: /manifests changed/ },
    { reason: "the last full scan is older than --full-scan-every", feed: () => feedAfterFullScan(now, HOUR, read), mode: "full", why: /last full scan 60 min ago/ },
    { reason: "LookupEvents fails: full, saying so", feed: () => feedAfterFullScan(now, 60_000, read), trail: cloudTrail([], { fail: true }), mode: "full", why: /^LookupEvents failed \(.*boom/ },
    { reason: "more pages than the cap: full, saying so", feed: () => feedAfterFullScan(now, 60_000, read), trail: cloudTrail(Array.from({ length: 30 }, (_, i) => apiEvent(`x${i}`)), { pageSize: 1 }), mode: "full", why: /more than 20 pages/ },
    { reason: "within the hour, same manifests, CloudTrail answers: incremental", feed: () => feedAfterFullScan(now, 60_000, read), mode: "incremental", why: /writes since 2026-11-30T11:44:00/ },
  ];
  it.each(rows)("$reason", async ({ feed, hash, trail, mode, why }) => {
    const pass = await feed().begin((trail ?? cloudTrail([])).gateway, hash ?? "h1", [restApi, iamRole]);
    expect(pass.scan.mode).toBe(mode);
    expect(pass.scan.reason).toMatch(why);
  });
});

describe("ChangeFeed: an incremental pass", () => {
  const now = Date.parse("2026-11-30T12:00:00Z");
  const read = { RestApi: { a1: { id: "a1" }, a2: { id: "a2" } }, IamRole: { r1: { arn: "r1" }, r2: { arn: "r2" } } };

  it("re-reads what a write event names (per kind, by its own id), takes the rest from the last read", async () => {
    const trail = cloudTrail([apiEvent("a2"), roleEvent("r1"), { ...apiEvent("a1", "GetRestApi"), readOnly: true }]);
    const pass = await feedAfterFullScan(now, 60_000, read).begin(trail.gateway, "h1", [restApi, iamRole]);
    const apis = pass.cacheFor(restApi);
    const roles = pass.cacheFor(iamRole);
    expect(apis?.reuse("a1")).toEqual({ id: "a1" }); // its only event was a read
    expect(apis?.reuse("a2")).toBeUndefined();
    expect(roles?.reuse("r1")).toBeUndefined();
    expect(roles?.reuse("r2")).toEqual({ arn: "r2" });
    expect(apis?.reuse("a3")).toBeUndefined(); // never read: read it
    expect(pass.scan).toMatchObject({ mode: "incremental", events: 2, lookups: 2, reused: 2, reread: 3 });
  });

  it("asks CloudTrail once per event source, a margin before the last pass, for write events only", async () => {
    const trail = cloudTrail([]);
    await feedAfterFullScan(now, 60_000, read).begin(trail.gateway, "h1", [restApi, iamRole]);
    expect(trail.lookups).toHaveLength(2);
    expect(trail.lookups[0]).toMatchObject({ LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "apigateway.amazonaws.com" }], StartTime: new Date(now - 60_000 - DEFAULT_FEED.marginMs), EndTime: new Date(now), MaxResults: 50 });
    expect(trail.lookups[1]).toMatchObject({ LookupAttributes: [{ AttributeValue: "iam.amazonaws.com" }] });
  });

  it("pages through NextToken", async () => {
    const trail = cloudTrail([apiEvent("a1"), apiEvent("a2"), apiEvent("a9")], { pageSize: 2 });
    const pass = await feedAfterFullScan(now, 60_000, read).begin(trail.gateway, "h1", [restApi]);
    expect(trail.lookups).toHaveLength(2);
    expect(pass.cacheFor(restApi)?.reuse("a2")).toBeUndefined();
    expect(pass.scan.events).toBe(3);
  });

  it("a kind that declares no events is never taken from the cache", async () => {
    const silent = { ...restApi, kind: "Silent", events: undefined } as AnyKind;
    const pass = await feedAfterFullScan(now, 60_000, read).begin(cloudTrail([]).gateway, "h1", [silent]);
    expect(pass.cacheFor(silent)).toBeUndefined();
  });

  it("commit: the next pass starts from what this one read (gone objects forgotten), its window from this pass's start", async () => {
    const feed = feedAfterFullScan(now, 60_000, read);
    const pass = await feed.begin(cloudTrail([]).gateway, "h1", [restApi, iamRole]);
    const apis = pass.cacheFor(restApi);
    apis?.remember("a1", apis.reuse("a1"));
    pass.commit();
    expect(feed.state).toEqual({ lastFullScanAt: now - 60_000, windowStart: now, desiredHash: "h1", entries: { RestApi: { a1: { id: "a1" } } } });
  });

  it("a full scan's commit moves the full-scan time; an id such as __proto__ stays an entry", async () => {
    const feed = new ChangeFeed(undefined, DEFAULT_FEED, () => now);
    const pass = await feed.begin(cloudTrail([]).gateway, "h1", [restApi]);
    pass.cacheFor(restApi)?.remember("__proto__", { id: "odd" });
    pass.commit();
    expect(feed.state.lastFullScanAt).toBe(now);
    expect(Object.keys(feed.state.entries.RestApi ?? {})).toEqual(["__proto__"]);
  });
});
