// The S3 state store and the S3 lease against the emulator (moto's S3 behind test/emulator/server.py):
// conditional writes refused with 412, the lease's create / renew / steal / release races, and the call
// log naming each S3 operation and the access key (the "process") that made it.
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../emulator/emulator.ts";
import { S3Lease, type Lease } from "../../src/state/lease.ts";
import { saveState } from "../../src/state/merge.ts";
import { createS3Client, S3Objects } from "../../src/state/s3.ts";
import { openStateStore, S3StateStore, StateConflictError, type StateStore } from "../../src/state/store.ts";
import type { StateFile } from "../../src/engine/state.ts";
import { REGION, useEmulator } from "./support.ts";

const BUCKET = "apigw-reconciler-state";
const MARGIN = 100;

let emulator: Emulator;
useEmulator((started) => {
  emulator = started;
});

/** An S3 client standing for one controller process: its access key tells its calls apart in the log. */
function s3As(accessKeyId: string): Promise<S3Client> {
  return createS3Client({ endpoint: emulator.endpoint, region: REGION, credentials: { accessKeyId, secretAccessKey: "testing" }, maxAttempts: 1 });
}

function storeAs(accessKeyId: string, key: string): StateStore {
  return openStateStore(`s3://${BUCKET}/${key}`, { s3Client: s3As(accessKeyId) });
}

function leaseAs(holderId: string, key: string, options: { ttlMs?: number; now?: () => number } = {}): Lease {
  const objects = new S3Objects(s3As(holderId), true);
  return new S3Lease({ bucket: BUCKET, key }, objects, { ttlMs: options.ttlMs ?? 60_000, owner: "team-a", holderId, skewMarginMs: MARGIN, ...(options.now ? { now: options.now } : {}) });
}

function stateWith(groups: Record<string, string>): StateFile {
  return { version: 1, lastApplied: Object.fromEntries(Object.entries(groups).map(([g, hash]) => [g, { hash, model: { hash } }])), announcedDrift: {} };
}

beforeAll(async () => {
  const admin = await s3As("admin");
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
  admin.destroy();
});

describe("S3 state store", () => {
  it("reads a missing state as empty, then round-trips what it wrote", async () => {
    const store = storeAs("writer-a", "roundtrip/state.json");
    expect(await store.read()).toEqual({ state: { version: 1, lastApplied: {}, announcedDrift: {} } });
    const state = stateWith({ "RestApi/my-s3": "h1" });
    const version = await store.write(state);
    expect(await store.read()).toEqual({ state, version });
    expect(store.describe()).toBe(`s3://${BUCKET}/roundtrip/state.json`);
    store.close();
  });

  it("a second writer's conditional write on a stale version gets StateConflictError (412 from S3)", async () => {
    const [a, b] = [storeAs("writer-a", "conflict/state.json"), storeAs("writer-b", "conflict/state.json")];
    await a.write(stateWith({ x: "0" }));
    const seenByA = await a.read();
    const seenByB = await b.read();
    await emulator.resetCalls();
    await a.write(stateWith({ x: "1" }), seenByA.version);
    const lost = await b.write(stateWith({ x: "2" }), seenByB.version).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(StateConflictError);
    // Creating over an existing state is refused too.
    await expect(b.write(stateWith({ x: "3" }))).rejects.toBeInstanceOf(StateConflictError);
    expect((await b.read()).state).toEqual(stateWith({ x: "1" }));

    const puts = (await emulator.calls()).log.filter((entry) => entry.op === "s3:PutObject");
    expect(puts.map(({ accessKey, status }) => ({ accessKey, status }))).toEqual([
      { accessKey: "writer-a", status: 200 },
      { accessKey: "writer-b", status: 412 },
      { accessKey: "writer-b", status: 412 },
    ]);
    a.close();
    b.close();
  });

  it("saveState merges the loser's changes into the winner's and writes again", async () => {
    const [a, b] = [storeAs("writer-a", "merge/state.json"), storeAs("writer-b", "merge/state.json")];
    await a.write(stateWith({ api: "1", role: "1" }));
    const baseA = await a.read();
    const baseB = await b.read();
    await saveState(b, baseB, stateWith({ api: "1", role: "2" }));
    const saved = await saveState(a, baseA, stateWith({ api: "2", role: "1" }));
    expect(saved.state).toEqual(stateWith({ api: "2", role: "2" }));
    expect(await b.read()).toEqual(saved);
    a.close();
    b.close();
  });

  it("moto's S3 evaluates If-None-Match: * atomically: of simultaneous creators exactly one succeeds", async () => {
    const writers = await Promise.all(["w1", "w2", "w3", "w4", "w5", "w6"].map(s3As));
    // Unpatched moto checks, then writes: large bodies widen that window, yet two winners showed up only
    // about once in 15 rounds of 8 × 2 MB. This checks the outcome; it is a weak guard of the patch itself.
    const body = "x".repeat(512 * 1024);
    for (let round = 0; round < 5; round++) {
      const Key = `race/${round}`;
      const results = await Promise.allSettled(writers.map((s3) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: body, IfNoneMatch: "*" }))));
      expect(results.filter((r) => r.status === "fulfilled"), `round ${round}`).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect((r.reason as Error).name).toBe("PreconditionFailed");
    }
    for (const s3 of writers) s3.destroy();
  });
});

describe("S3 lease", () => {
  it("the first acquires, the second is refused, and the lock JSON names the holder", async () => {
    const [a, b] = [leaseAs("pod-a", "lease1/state.json"), leaseAs("pod-b", "lease1/state.json")];
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(a.held()).toBe(true);
    expect(b.held()).toBe(false);

    const reader = await s3As("reader");
    const object = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: "lease1/state.json.lock" }));
    const lock = JSON.parse((await object.Body?.transformToString()) ?? "") as Record<string, string>;
    expect(lock).toMatchObject({ holder: "pod-a", owner: "team-a" });
    expect(Date.parse(lock.expiresAt ?? "") - Date.parse(lock.renewedAt ?? "")).toBe(60_000);
    expect(await b.holder()).toEqual(lock);
    reader.destroy();
    for (const lease of [a, b]) lease.close();
  });

  it("renewal keeps it; after expiry (1 s ttl) another steals it and the old holder's renewal fails", async () => {
    const [a, b] = [leaseAs("pod-a", "lease2/state.json", { ttlMs: 1_000 }), leaseAs("pod-b", "lease2/state.json", { ttlMs: 1_000 })];
    expect(await a.acquire()).toBe(true);
    await sleep(600);
    expect(await a.renew()).toBe(true);
    await sleep(600); // 1.2 s after the first acquire: valid only thanks to the renewal
    expect(await b.acquire()).toBe(false);
    await sleep(1_000 + MARGIN);
    expect(a.held()).toBe(false);
    expect(await b.acquire()).toBe(true);
    expect((await a.holder())?.holder).toBe("pod-b");
    expect(await a.renew()).toBe(false);
    for (const lease of [a, b]) lease.close();
  });

  it("of two simultaneous thieves of an expired lock exactly one wins (10 rounds)", async () => {
    const later = (): number => Date.now() + 120_000; // the thieves' clock is past the 60 s lock
    for (let round = 0; round < 10; round++) {
      const key = `lease3/${round}/state.json`;
      const holder = leaseAs(`old-${round}`, key);
      expect(await holder.acquire()).toBe(true);
      const thieves = [leaseAs(`t1-${round}`, key, { now: later }), leaseAs(`t2-${round}`, key, { now: later })];
      const won = await Promise.all(thieves.map((t) => t.acquire()));
      expect(won.filter(Boolean), `round ${round}: ${won.join(",")}`).toHaveLength(1);
      expect((await holder.holder())?.holder).toBe(won[0] ? `t1-${round}` : `t2-${round}`);
      expect(await holder.renew()).toBe(false);
      for (const lease of [holder, ...thieves]) lease.close();
    }
  });

  it("release (a conditional DeleteObject) lets the other acquire, and never deletes a lock it lost", async () => {
    const key = "lease4/state.json";
    const [a, b] = [leaseAs("pod-a", key), leaseAs("pod-b", key)];
    await emulator.resetCalls();
    expect(await a.acquire()).toBe(true);
    await a.release();
    expect(a.held()).toBe(false);
    expect(await b.acquire()).toBe(true);
    await a.release(); // holds nothing any more
    expect((await a.holder())?.holder).toBe("pod-b");

    const log = (await emulator.calls()).log.map(({ op, status, accessKey }) => `${accessKey} ${op} ${status}`);
    expect(log).toEqual(["pod-a s3:PutObject 200", "pod-a s3:DeleteObject 204", "pod-b s3:PutObject 200", "pod-a s3:GetObject 200"]);
    for (const lease of [a, b]) lease.close();
  });

  it("a stale release (the lock was stolen) is refused by S3 with 412 and leaves the thief's lock", async () => {
    const key = "lease5/state.json";
    const a = leaseAs("pod-a", key);
    const thief = leaseAs("pod-b", key, { now: () => Date.now() + 120_000 });
    await a.acquire();
    expect(await thief.acquire()).toBe(true);
    await emulator.resetCalls();
    await a.release();
    const log = (await emulator.calls()).log.map(({ op, status }) => `${op} ${status}`);
    expect(log).toEqual(["s3:DeleteObject 412", "s3:GetObject 200"]);
    expect((await a.holder())?.holder).toBe("pod-b");
    for (const lease of [a, thief]) lease.close();
  });
});

describe("S3 through the emulator's fault mode", () => {
  it("answers injected faults in S3's own error shape", async () => {
    const s3 = s3As("faulty");
    const store = new S3StateStore({ bucket: BUCKET, key: "faults/state.json" }, new S3Objects(s3, true));
    await emulator.configure({ faults: { rate: 1, seed: 7 } });
    const names = new Set<string>();
    try {
      for (let i = 0; i < 30; i++) {
        const error = await store.write(stateWith({ i: String(i) }), '"etag"').catch((e: unknown) => e);
        const cause = error instanceof StateConflictError ? error.cause : error;
        names.add((cause as { detail?: { name: string } }).detail?.name ?? String(cause));
      }
    } finally {
      await emulator.configure({ faults: null });
      store.close();
    }
    // 429 → 503 SlowDown, 500 InternalError, 503 ServiceUnavailable, 409 on a conditional write → ConditionalRequestConflict.
    for (const name of ["SlowDown", "InternalError", "ServiceUnavailable", "ConditionalRequestConflict"]) expect(names).toContain(name);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
