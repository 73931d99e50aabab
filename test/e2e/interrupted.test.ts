// Applies killed with SIGKILL part-way, at many points, through the real CLI against the emulator (with
// latency, so that the kill lands between writes): right after the kill `drift` reports the unfinished
// work as pending — never as drift, which would page someone for nothing —, the next `apply` converges,
// a plan after it is empty, and nothing is duplicated. Two kinds of apply are cut short: a first apply
// (everything created) and one that updates and deletes (a renamed path, a removed method, an integration
// whose type changes, an inline policy swapped for another, an API pruned).
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- manifests are edited as loose YAML data */
import { describe, expect, it } from "vitest";
import type { Emulator } from "../emulator/emulator.ts";
import { API_FILE, allApis, type Clients, ManifestDir, ownedApis, plan, reconcile, ROLE_FILE, RunProcess, runCli, theApi, useEmulator, writeOps } from "./support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((e, c) => {
  emulator = e;
  aws = c;
});

const LATENCY_MS = 25;

/** The seed plus a second API ("old-s3") that the update scenario prunes. */
function before(): ManifestDir {
  const dir = new ManifestDir();
  const api = dir.read(API_FILE);
  api.metadata.name = "old-s3";
  api.spec.name = "OldS3";
  dir.write("old-api.yaml", api);
  return dir;
}

/** Everything the update scenario changes at once. */
function changeAll(dir: ManifestDir): void {
  dir.remove("old-api.yaml");
  dir.edit(API_FILE, (m) => {
    const text = JSON.stringify(m.spec.resources).replaceAll("/{folder}", "/{bucket}").replaceAll("method.request.path.folder", "method.request.path.bucket");
    m.spec.resources = JSON.parse(text) as unknown;
    delete m.spec.resources["/{bucket}/{item}"].methods.HEAD;
    const integration = m.spec.resources["/"].methods.GET.integration;
    integration.type = "MOCK";
    delete integration.httpMethod;
    delete integration.uri;
    delete integration.credentials;
    integration.requestTemplates = { "application/json": '{"statusCode": 200}' };
  });
  dir.edit(ROLE_FILE, (m) => {
    m.spec.inlinePolicies["s3-write"] = m.spec.inlinePolicies["s3-proxy-access"];
    delete m.spec.inlinePolicies["s3-proxy-access"];
  });
}

interface Drift {
  code: number;
  causes: Record<string, number>;
  /** The changes reported as drift (kind, action, object, fields), for the assertion message. */
  drifted: string[];
}

async function driftNow(dir: ManifestDir, state: string): Promise<Drift> {
  const run = await runCli(emulator, ["drift", "-m", dir.dir, "--no-color", "-o", "json", "--state-file", state]);
  const causes: Record<string, number> = {};
  const drifted: string[] = [];
  for (const change of run.json?.changes ?? []) {
    const cause = (change as { cause?: string }).cause ?? "none";
    causes[cause] = (causes[cause] ?? 0) + 1;
    if (cause === "drift") drifted.push(`${change.action} ${change.kind} ${change.api ?? change.role ?? ""} ${change.path ?? ""} ${change.httpMethod ?? ""} ${change.statusCode ?? ""} ${change.stage ?? ""} ${change.policy ?? ""} [${change.fields.map((f) => f.field).join(",")}] ${change.reason ?? ""}`);
  }
  return { code: run.code, causes, drifted };
}

/** `reconcile apply` killed with SIGKILL once the emulator has seen `writes` write calls of it. */
async function applyKilledAfter(dir: ManifestDir, state: string, writes: number, extra: string[] = []): Promise<number> {
  await emulator.resetCalls();
  await emulator.configure({ latencyMs: LATENCY_MS });
  const apply = new RunProcess(emulator, ["-m", dir.dir, "--no-color", "-o", "json", "--state-file", state, ...extra], {}, "apply");
  let seen = 0;
  while (apply.pid > 0) {
    seen = Object.values(writeOps(await emulator.calls())).reduce((a, b) => a + b, 0);
    if (seen >= writes) break;
    const exited = await Promise.race([apply.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5))]);
    if (exited) break;
  }
  apply.signal("SIGKILL");
  await apply.exited;
  await emulator.configure({ latencyMs: 0 });
  return seen;
}

async function expectConverged(dir: ManifestDir, state: string, extra: string[] = []): Promise<void> {
  const again = await reconcile(emulator, dir.dir, "--state-file", state, ...extra);
  expect(again.code, again.stderr).toBe(0);
  const after = await plan(emulator, dir.dir, "--state-file", state);
  expect(after.json?.changes ?? [], JSON.stringify(after.json?.changes.slice(0, 3))).toEqual([]);
  await theApi(aws.apigw); // exactly one API claims the seed manifest
}

describe("SIGKILL during a first apply", () => {
  it.each([3, 12, 30, 50, 68, 75])("killed after %i writes: drift says pending; the next apply converges, no duplicate", async (writes) => {
    await emulator.reset();
    const dir = new ManifestDir();
    const state = `${dir.dir}/.state.json`;
    try {
      await applyKilledAfter(dir, state, writes);
      const drift = await driftNow(dir, state);
      expect(drift.causes.drift ?? 0, JSON.stringify(drift)).toBe(0);
      await expectConverged(dir, state);
      expect((await allApis(aws.apigw)).length).toBe(1);
    } finally {
      dir.dispose();
    }
  });
});

describe("SIGKILL during an apply that updates and deletes", () => {
  it.each([1, 2, 3, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 33, 36, 40])("killed after %i writes: drift says pending; the next apply converges, nothing lost or duplicated", async (writes) => {
    await emulator.reset();
    const dir = before();
    const state = `${dir.dir}/.state.json`;
    try {
      const first = await reconcile(emulator, dir.dir, "--state-file", state);
      expect(first.code, first.stderr).toBe(0);
      changeAll(dir);
      const prune = ["--prune"];
      await applyKilledAfter(dir, state, writes, prune);
      const drift = await driftNow(dir, state);
      expect(drift.causes.drift ?? 0, JSON.stringify(drift)).toBe(0);
      await expectConverged(dir, state, prune);
      expect(await ownedApis(aws.apigw, "old-s3")).toEqual([]);
      expect((await allApis(aws.apigw)).length).toBe(1);
    } finally {
      dir.dispose();
    }
  });
});
