// The state store and the single-writer lease without AWS: the file store and FileLease on a temporary
// directory (time moved by an injected clock), the merge after a lost conditional write, and the S3 store
// and lease against aws-sdk-client-mock for the exact conditional calls and the S3 error classification.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException, type GetObjectCommandOutput } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StateFile } from "../../src/engine/state.ts";
import { FileLease, keepRenewed, openLease, S3Lease, type Lease, type LeaseOptions } from "../../src/state/lease.ts";
import { mergeStates, saveState } from "../../src/state/merge.ts";
import { classifyS3Error, S3CallError, S3Objects, type S3ErrorKind } from "../../src/state/s3.ts";
import { emptyState, FileStateStore, openStateStore, S3StateStore, StateConflictError } from "../../src/state/store.ts";

const T0 = Date.parse("2030-01-01T00:00:00.000Z");
const TTL = 10_000;
const MARGIN = 500;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "state-store-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function stateWith(groups: Record<string, string>, drift: Record<string, string> = {}): StateFile {
  const lastApplied = Object.fromEntries(Object.entries(groups).map(([group, hash]) => [group, { hash, model: { hash } }]));
  return { version: 1, lastApplied, announcedDrift: drift };
}

// ---------------------------------------------------------------- FileStateStore

describe("FileStateStore", () => {
  it("reads a missing file as the empty state with no version", async () => {
    const store = new FileStateStore(join(dir, "nested", "state.json"));
    expect(await store.read()).toEqual({ state: emptyState() });
  });

  it("round-trips the state; the version it returns is the one read back", async () => {
    const store = new FileStateStore(join(dir, "nested", "state.json"));
    const state = stateWith({ "RestApi/my-s3": "h1" }, { fp: "stage drifted" });
    const version = await store.write(state);
    expect(await store.read()).toEqual({ state, version });
    expect(JSON.parse(readFileSync(store.path, "utf8"))).toEqual(state);
  });

  it("refuses a write whose expected version is stale, or a create over an existing state", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const first = await store.write(stateWith({ a: "1" }));
    const second = await store.write(stateWith({ a: "2" }), first);
    expect(second).not.toBe(first);
    await expect(store.write(stateWith({ a: "3" }), first)).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.write(stateWith({ a: "3" }))).rejects.toBeInstanceOf(StateConflictError);
    expect((await store.read()).state).toEqual(stateWith({ a: "2" }));
  });

  it("reads an unparsable or foreign file as empty, with a version so that it can be replaced", async () => {
    const path = join(dir, "state.json");
    for (const text of ["{ not json", JSON.stringify({ version: 2, lastApplied: { x: 1 } }), "null"]) {
      writeFileSync(path, text);
      const store = new FileStateStore(path);
      const read = await store.read();
      expect(read.state).toEqual(emptyState());
      expect(read.version).toBeDefined();
      await store.write(stateWith({ a: "1" }), read.version);
    }
  });

  it("leaves no temporary file behind", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    await store.write(stateWith({ a: "1" }));
    await expect(store.write(stateWith({ a: "2" }))).rejects.toThrow(StateConflictError);
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });
});

// ---------------------------------------------------------------- merge

describe("mergeStates", () => {
  const rows: { reason: string; base: Record<string, string>; ours: Record<string, string>; theirs: Record<string, string>; merged: Record<string, string> }[] = [
    { reason: "a group only we changed is ours", base: { a: "1" }, ours: { a: "2" }, theirs: { a: "1" }, merged: { a: "2" } },
    { reason: "a group only they changed is theirs", base: { a: "1" }, ours: { a: "1" }, theirs: { a: "3" }, merged: { a: "3" } },
    { reason: "a group both changed is ours (our write comes last)", base: { a: "1" }, ours: { a: "2" }, theirs: { a: "3" }, merged: { a: "2" } },
    { reason: "a group they added is kept", base: {}, ours: { a: "1" }, theirs: { b: "1" }, merged: { a: "1", b: "1" } },
    { reason: "a group we dropped (prune) stays dropped", base: { a: "1", b: "1" }, ours: { b: "1" }, theirs: { a: "1", b: "2" }, merged: { b: "2" } },
    { reason: "a group they dropped stays dropped when we left it alone", base: { a: "1" }, ours: { a: "1" }, theirs: {}, merged: {} },
  ];
  it.each(rows)("$reason", ({ base, ours, theirs, merged }) => {
    expect(mergeStates(stateWith(base), stateWith(ours), stateWith(theirs)).lastApplied).toEqual(stateWith(merged).lastApplied);
  });

  it("keeps the writer's announced drift", () => {
    const merged = mergeStates(stateWith({}, { x: "old" }), stateWith({}, { y: "ours" }), stateWith({}, { z: "theirs" }));
    expect(merged.announcedDrift).toEqual({ y: "ours" });
  });
});

describe("saveState", () => {
  it("after a conflict re-reads, merges and writes against the new version", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    await store.write(stateWith({ a: "1", b: "1" }));
    const mine = await store.read();
    const theirs = await store.read();
    await store.write(stateWith({ a: "1", b: "2" }), theirs.version); // the other writer wins the race
    const saved = await saveState(store, mine, stateWith({ a: "9", b: "1" }, { d: "drift" }));
    expect(saved.state).toEqual(stateWith({ a: "9", b: "2" }, { d: "drift" }));
    expect(await store.read()).toEqual(saved);
  });

  it("gives up after the given number of attempts", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    await store.write(stateWith({ a: "1" }));
    const stale = { state: emptyState(), version: "stale" };
    const always = { describe: () => "x", read: () => store.read(), write: () => Promise.reject(new StateConflictError("x", "v")), close: () => undefined };
    await expect(saveState(always, stale, emptyState(), { attempts: 3 })).rejects.toBeInstanceOf(StateConflictError);
  });
});

// ---------------------------------------------------------------- FileLease

describe("FileLease", () => {
  let now = T0;
  const clock = (): number => now;
  const statePath = (): string => join(dir, "state.json");
  const lease = (holderId: string): Lease => new FileLease(statePath(), { ttlMs: TTL, owner: "team-a", holderId, skewMarginMs: MARGIN, now: clock });
  beforeEach(() => {
    now = T0;
  });

  it("the first acquires, the second is refused; the lock JSON names the holder", async () => {
    const [a, b] = [lease("a"), lease("b")];
    expect(await a.acquire()).toBe(true);
    expect(a.held()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(b.held()).toBe(false);
    const info = { holder: "a", owner: "team-a", acquiredAt: "2030-01-01T00:00:00.000Z", renewedAt: "2030-01-01T00:00:00.000Z", expiresAt: "2030-01-01T00:00:10.000Z" };
    expect(await b.holder()).toEqual(info);
    expect(JSON.parse(readFileSync(`${statePath()}.lock`, "utf8"))).toEqual(info);
  });

  it("renewal keeps the lock past its first expiry", async () => {
    const [a, b] = [lease("a"), lease("b")];
    await a.acquire();
    now += TTL - 1_000;
    expect(await a.renew()).toBe(true);
    now += TTL - 1_000;
    expect(a.held()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect((await b.holder())?.expiresAt).toBe(new Date(T0 + 2 * TTL - 1_000).toISOString());
  });

  it("after expiry (and the skew margin) another steals it; the old holder's renewal then fails", async () => {
    const [a, b] = [lease("a"), lease("b")];
    await a.acquire();
    now += TTL + MARGIN; // expired by a's clock, not yet past the margin
    expect(a.held()).toBe(false);
    expect(await b.acquire()).toBe(false);
    now += 1;
    expect(await b.acquire()).toBe(true);
    expect((await a.holder())?.holder).toBe("b");
    expect(await a.renew()).toBe(false);
    expect(a.held()).toBe(false);
    expect(b.held()).toBe(true);
  });

  it("of simultaneous thieves of one expired lock exactly one wins (10 rounds)", async () => {
    for (let round = 0; round < 10; round++) {
      const owner = lease(`old-${round}`);
      expect(await owner.acquire()).toBe(true);
      now += TTL + MARGIN + 1;
      const thieves = [0, 1, 2, 3].map((i) => lease(`thief-${round}-${i}`));
      const won = await Promise.all(thieves.map((t) => t.acquire()));
      expect(won.filter(Boolean), `round ${round}`).toHaveLength(1);
      const winner = thieves[won.indexOf(true)];
      expect((await owner.holder())?.holder).toBe(`thief-${round}-${won.indexOf(true)}`);
      await winner?.release();
    }
  });

  it("release lets another acquire, and never removes someone else's lock", async () => {
    const [a, b, c] = [lease("a"), lease("b"), lease("c")];
    await a.acquire();
    await a.release();
    expect(a.held()).toBe(false);
    expect(await b.acquire()).toBe(true);
    await a.release(); // a holds nothing: no effect
    await c.release();
    expect((await c.holder())?.holder).toBe("b");
  });

  it("a holder whose lock was stolen and then released acquires it afresh", async () => {
    const [a, b] = [lease("a"), lease("b")];
    await a.acquire();
    now += TTL + MARGIN + 1;
    await b.acquire();
    await b.release();
    expect(await a.acquire()).toBe(true);
    expect((await b.holder())?.holder).toBe("a");
  });

  it("acquiring again while holding renews", async () => {
    const a = lease("a");
    await a.acquire();
    now += 5_000;
    expect(await a.acquire()).toBe(true);
    expect((await a.holder())?.expiresAt).toBe(new Date(T0 + 5_000 + TTL).toISOString());
  });

  it("an unreadable lock is stealable a ttl after it was last written", async () => {
    // Judged by the file's mtime (the real clock): there is no expiresAt to read.
    writeFileSync(`${statePath()}.lock`, "");
    const a = new FileLease(statePath(), { ttlMs: 50, owner: "o", holderId: "a", skewMarginMs: 0 });
    expect(await a.acquire()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await a.acquire()).toBe(true);
    expect((await a.holder())?.holder).toBe("a");
  });
});

describe("keepRenewed", () => {
  it("renews until stopped, and reports a lost lease once", async () => {
    let renewals = 0;
    let holds = true;
    const renew = (): Promise<boolean> => {
      renewals += 1;
      if (renewals === 3) holds = false; // the third renewal finds the lock stolen
      return Promise.resolve(holds);
    };
    const fake = { renew, held: () => holds } as unknown as Lease;
    const lost: unknown[] = [];
    keepRenewed(fake, { intervalMs: 5, onLost: (error) => lost.push(error ?? "lost") });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(renewals).toBe(3);
    expect(lost).toEqual(["lost"]);
  });

  it("stop() ends the renewals", async () => {
    let renewals = 0;
    const fake = { renew: () => Promise.resolve(++renewals > 0), held: () => true } as unknown as Lease;
    const stop = keepRenewed(fake, { intervalMs: 5, onLost: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 30));
    stop();
    const seen = renewals;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(renewals).toBe(seen);
  });
});

// ---------------------------------------------------------------- S3 errors

const s3Error = (name: string, httpStatusCode: number): S3ServiceException =>
  new S3ServiceException({ name, $fault: httpStatusCode < 500 ? "client" : "server", message: `${name} happened`, $metadata: { httpStatusCode } });

describe("classifyS3Error", () => {
  const rows: { reason: string; error: unknown; kind: S3ErrorKind }[] = [
    { reason: "NoSuchKey: no state yet", error: s3Error("NoSuchKey", 404), kind: "not-found" },
    { reason: "HeadObject's bare 404 NotFound", error: s3Error("NotFound", 404), kind: "not-found" },
    { reason: "NoSuchBucket: a configuration error, not an empty state", error: s3Error("NoSuchBucket", 404), kind: "no-bucket" },
    { reason: "412 PreconditionFailed: someone else wrote first", error: s3Error("PreconditionFailed", 412), kind: "precondition-failed" },
    { reason: "409 ConditionalRequestConflict: re-read and retry", error: s3Error("ConditionalRequestConflict", 409), kind: "conflict" },
    { reason: "409 OperationAborted", error: s3Error("OperationAborted", 409), kind: "conflict" },
    { reason: "403 AccessDenied", error: s3Error("AccessDenied", 403), kind: "access-denied" },
    { reason: "503 SlowDown (S3's throttling)", error: s3Error("SlowDown", 503), kind: "retryable" },
    { reason: "500 InternalError", error: s3Error("InternalError", 500), kind: "retryable" },
    { reason: "a dropped connection", error: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), kind: "retryable" },
    { reason: "400 InvalidRequest", error: s3Error("InvalidRequest", 400), kind: "terminal" },
  ];
  it.each(rows)("$reason", ({ error, kind }) => {
    expect(classifyS3Error(error).kind).toBe(kind);
  });
});

// ---------------------------------------------------------------- S3 store and lease (mocked)

describe("S3StateStore and S3Lease against a mocked S3", () => {
  const s3 = mockClient(S3Client);
  const client = new S3Client({ region: "us-east-1", credentials: { accessKeyId: "k", secretAccessKey: "s" } });
  const body = (text: string): GetObjectCommandOutput["Body"] => ({ transformToString: () => Promise.resolve(text) }) as unknown as GetObjectCommandOutput["Body"];
  const store = (): S3StateStore => new S3StateStore({ bucket: "states", key: "prod/state.json" }, new S3Objects(client, false));
  const leaseOptions: LeaseOptions = { ttlMs: TTL, owner: "team-a", holderId: "me", skewMarginMs: MARGIN, now: () => T0 };
  const s3Lease = (): S3Lease => new S3Lease({ bucket: "states", key: "prod/state.json" }, new S3Objects(client, false), leaseOptions);
  const lockOf = (holder: string, expiresAt: number): string =>
    JSON.stringify({ holder, owner: "team-b", acquiredAt: new Date(T0 - TTL).toISOString(), renewedAt: new Date(T0 - TTL).toISOString(), expiresAt: new Date(expiresAt).toISOString() });
  beforeEach(() => {
    s3.reset();
  });

  it("reads a missing object as the empty state, without a version", async () => {
    s3.on(GetObjectCommand).rejects(s3Error("NoSuchKey", 404));
    expect(await store().read()).toEqual({ state: emptyState() });
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: "states", Key: "prod/state.json" });
  });

  it("a missing bucket is an error naming the location, not an empty state", async () => {
    s3.on(GetObjectCommand).rejects(s3Error("NoSuchBucket", 404));
    await expect(store().read()).rejects.toThrow(/S3 GetObject s3:\/\/states\/prod\/state.json: NoSuchBucket/);
  });

  it("reads the state with its ETag as the version", async () => {
    const state = stateWith({ a: "1" });
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(state)), ETag: '"e1"' });
    expect(await store().read()).toEqual({ state, version: '"e1"' });
  });

  it("writes with If-None-Match: * when there was no state, If-Match: <etag> otherwise", async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e2"' });
    expect(await store().write(emptyState())).toBe('"e2"');
    expect(await store().write(emptyState(), '"e1"')).toBe('"e2"');
    const calls = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(calls[0]).toMatchObject({ Bucket: "states", Key: "prod/state.json", IfNoneMatch: "*", ContentType: "application/json" });
    expect(calls[0]).not.toHaveProperty("IfMatch");
    expect(calls[1]).toMatchObject({ IfMatch: '"e1"' });
    expect(calls[1]).not.toHaveProperty("IfNoneMatch");
  });

  it.each([
    ["412 PreconditionFailed", s3Error("PreconditionFailed", 412)],
    ["409 ConditionalRequestConflict", s3Error("ConditionalRequestConflict", 409)],
    ["404 on If-Match (the state was deleted)", s3Error("NoSuchKey", 404)],
  ])("a lost conditional write (%s) is a StateConflictError", async (_reason, error) => {
    s3.on(PutObjectCommand).rejects(error);
    const failure = await store().write(emptyState(), '"e1"').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StateConflictError);
    expect((failure as StateConflictError).cause).toBeInstanceOf(S3CallError);
  });

  it("access denied names the permission", async () => {
    s3.on(PutObjectCommand).rejects(s3Error("AccessDenied", 403));
    await expect(store().write(emptyState())).rejects.toThrow(/access denied: the caller needs s3:PutObject/);
  });

  it("lease: creates key.lock with If-None-Match: * and the holder's JSON", async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"l1"' });
    const lease = s3Lease();
    expect(await lease.acquire()).toBe(true);
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ Bucket: "states", Key: "prod/state.json.lock", IfNoneMatch: "*" });
    expect(JSON.parse(input?.Body as string)).toEqual({
      holder: "me", owner: "team-a", acquiredAt: new Date(T0).toISOString(), renewedAt: new Date(T0).toISOString(), expiresAt: new Date(T0 + TTL).toISOString(),
    });
  });

  it("lease: refuses a valid lock of someone else after one read", async () => {
    s3.on(PutObjectCommand).rejects(s3Error("PreconditionFailed", 412));
    s3.on(GetObjectCommand).resolves({ Body: body(lockOf("other", T0 + 1_000)), ETag: '"l9"' });
    expect(await s3Lease().acquire()).toBe(false);
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });

  it("lease: steals an expired lock with If-Match: <its etag>, renews and releases with If-Match: <ours>", async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: "*" }).rejects(s3Error("PreconditionFailed", 412));
    s3.on(PutObjectCommand, { IfMatch: '"old"' }).resolves({ ETag: '"mine1"' });
    s3.on(PutObjectCommand, { IfMatch: '"mine1"' }).resolves({ ETag: '"mine2"' });
    s3.on(GetObjectCommand).resolves({ Body: body(lockOf("other", T0 - MARGIN - 1)), ETag: '"old"' });
    s3.on(DeleteObjectCommand).resolves({});
    const lease = s3Lease();
    expect(await lease.acquire()).toBe(true);
    expect(await lease.renew()).toBe(true);
    await lease.release();
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: "states", Key: "prod/state.json.lock", IfMatch: '"mine2"' });
    expect(lease.held()).toBe(false);
  });

  it("lease: a renewal that finds the lock replaced by someone else loses it", async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: "*" }).resolves({ ETag: '"mine1"' });
    s3.on(PutObjectCommand, { IfMatch: '"mine1"' }).rejects(s3Error("PreconditionFailed", 412));
    s3.on(GetObjectCommand).resolves({ Body: body(lockOf("thief", T0 + TTL)), ETag: '"theirs"' });
    const lease = s3Lease();
    await lease.acquire();
    expect(await lease.renew()).toBe(false);
    expect(lease.held()).toBe(false);
  });

  it("lease: a renewal whose first attempt landed (answer lost, retry got 412) keeps the lease", async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: "*" }).resolves({ ETag: '"mine1"' });
    s3.on(PutObjectCommand, { IfMatch: '"mine1"' }).rejects(s3Error("PreconditionFailed", 412));
    s3.on(GetObjectCommand).resolves({ Body: body(lockOf("me", T0 + TTL)), ETag: '"mine2"' });
    const lease = s3Lease();
    await lease.acquire();
    expect(await lease.renew()).toBe(true);
    expect(lease.held()).toBe(true);
  });
});

// ---------------------------------------------------------------- opening by location

describe("openStateStore and openLease", () => {
  it("pick S3 for s3://bucket/key and a file otherwise", () => {
    const client = new S3Client({ region: "us-east-1" });
    expect(openStateStore("s3://states/prod/state.json", { s3Client: client })).toBeInstanceOf(S3StateStore);
    expect(openStateStore(join(dir, "state.json"))).toBeInstanceOf(FileStateStore);
    expect(openLease("s3://states/prod/state.json", { ttlMs: 1, owner: "o", s3Client: client })).toBeInstanceOf(S3Lease);
    expect(openLease(join(dir, "state.json"), { ttlMs: 1, owner: "o" })).toBeInstanceOf(FileLease);
    expect(openLease("s3://states/prod/state.json", { ttlMs: 1, owner: "o", s3Client: client }).describe()).toBe("s3://states/prod/state.json.lock");
    client.destroy();
  });

  it.each(["s3://", "s3://bucket", "s3://bucket/", "s3:///key", "s3://bucket/dir/"])("rejects %s", (location) => {
    expect(() => openStateStore(location)).toThrow(/expected s3:\/\/bucket\/key/);
  });

  it("refuses a lease without a positive ttl", () => {
    expect(() => openLease(join(dir, "state.json"), { ttlMs: 0, owner: "o" })).toThrow(/ttl/);
  });
});
