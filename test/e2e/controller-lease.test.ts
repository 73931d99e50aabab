// Two `reconcile run` processes on the same manifests, owner and S3 state (moto's S3): the lease lets only
// one of them write. Each process signs with its own access key, so the emulator's call log tells whose
// API Gateway and IAM writes they were. Drift is made by hand every few ticks so that writing is needed.
// Killing the holder with SIGKILL (no release) lets the other take over once the lease has expired.
import { CreateBucketCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import { UpdateRestApiCommand } from "@aws-sdk/client-api-gateway";
import { afterAll, describe, expect, it } from "vitest";
import { createS3Client } from "../../src/state/s3.ts";
import type { CallLog, Emulator } from "../emulator/emulator.ts";
import { type Clients, REGION, RunProcess, runCli, SEED_MANIFESTS, theApi, useEmulator } from "./support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((e, c) => {
  emulator = e;
  aws = c;
});

afterAll(() => RunProcess.killAll());

const BUCKET = "reconciler-state";
const STATE = `s3://${BUCKET}/prod/state.json`;
const KEYS = { a: "AKIAPROCESSAAAAAAAAA", b: "AKIAPROCESSBBBBBBBBB" } as const;

function startRun(key: string): RunProcess {
  const args = ["-m", SEED_MANIFESTS, "--interval", "1s", "--jitter", "0s", "--lock-ttl", "3s", "--state-file", STATE, "--listen", "127.0.0.1:0", "--owner", "shared-owner"];
  return new RunProcess(emulator, args, { AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: "testing" });
}

/** Controllers' access keys that made API Gateway or IAM writes (not the S3 lease and state, nor the test's own drift). */
function configWriters(log: CallLog): Set<string> {
  const writes = log.log.filter((e) => /^(apigateway|iam):/.test(e.op) && !/:(Get|List)/.test(e.op) && e.accessKey !== "testing");
  return new Set(writes.map((e) => e.accessKey));
}

async function driftByHand(restApiId: string, text: string): Promise<void> {
  await aws.apigw.send(new UpdateRestApiCommand({ restApiId, patchOperations: [{ op: "replace", path: "/description", value: text }] }));
}

describe("reconcile run: one writer among replicas (S3 state and lease)", () => {
  it("over 20 ticks only the lease holder writes; after SIGKILL the other takes over once the lease expired", async () => {
    await emulator.reset();
    const s3 = await createS3Client({ endpoint: emulator.endpoint, region: REGION, credentials: { accessKeyId: "testing", secretAccessKey: "testing" }, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));

    const a = startRun(KEYS.a);
    await a.nextPass((l) => l.result === "success" && l.writer === true, 90_000);
    const b = startRun(KEYS.b);
    await b.nextPass(() => true, 30_000);
    const api = await theApi(aws.apigw);

    // 20 ticks of both, with drift made by hand every 4 s: every heal is a write.
    await emulator.resetCalls();
    const from = { a: a.passes().length, b: b.passes().length };
    for (let i = 0; i < 5; i++) {
      await driftByHand(api.id, `by hand ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 4_000));
    }
    const passesA = a.passes().slice(from.a);
    const passesB = b.passes().slice(from.b);
    expect(passesA.length + passesB.length).toBeGreaterThanOrEqual(20);
    expect(passesA.every((l) => l.writer === true), a.describe()).toBe(true);
    expect(passesB.every((l) => l.writer === false), b.describe()).toBe(true);
    expect(passesB.every((l) => l.writes === 0)).toBe(true);
    expect([...configWriters(await emulator.calls())]).toEqual([KEYS.a]);
    const lock = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "prod/state.json.lock" }));
    expect(JSON.parse(await lock.Body!.transformToString())).toMatchObject({ owner: "shared-owner" });

    // The holder dies without releasing: the other writes only once the lease has expired, then heals.
    a.signal("SIGKILL");
    await a.exited;
    const killedAt = Date.now();
    await emulator.resetCalls();
    await driftByHand(api.id, "while nobody writes");
    const takeover = await b.nextPass((l) => l.writer === true, 30_000);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(2_500);
    expect(takeover.result).toBe("success");
    expect([...configWriters(await emulator.calls())]).toEqual([KEYS.b]);

    // A one-shot apply beside them takes the same lease: refused while b holds it, nothing written.
    await emulator.resetCalls();
    const refused = await runCli(emulator, ["apply", "-m", SEED_MANIFESTS, "--state-file", STATE, "--owner", "shared-owner"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the write lease s3:\/\/reconciler-state\/prod\/state\.json\.lock is held by .+ until .+\nnothing was changed\./);
    expect(configWriters(await emulator.calls()).size).toBe(0);

    b.signal("SIGTERM");
    expect(await b.exited).toBe(0);
    // b gave the lease back on its way out: the one-shot apply now goes ahead.
    const allowed = await runCli(emulator, ["apply", "-m", SEED_MANIFESTS, "--state-file", STATE, "--owner", "shared-owner"]);
    expect(allowed.code, allowed.stderr).toBe(0);
    s3.destroy();
  });
});
