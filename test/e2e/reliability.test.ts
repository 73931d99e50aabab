/**
 * Reliability against the emulator's modes: with API Gateway's quotas enforced, creating from empty is
 * never throttled; with random faults (429, 5xx, dropped connections — some after the write took
 * effect —, 409 conflicts), repeated runs converge to exactly one correct API and role, no duplicates.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { startEmulator, type CallLog, type Emulator } from "../emulator/emulator.ts";
import {
  allApis,
  clients,
  describeRun,
  ManifestDir,
  methodsByPath,
  ownedApis,
  plan,
  reconcile,
  resourcesOf,
  seedMethodsByPath,
  stagesOf,
  type Clients,
  type CliResult,
} from "./support.ts";

let emulator: Emulator;
let aws: Clients;
const dir = new ManifestDir();

beforeAll(async () => {
  emulator = await startEmulator();
  aws = clients(emulator);
});

afterAll(async () => {
  aws?.destroy();
  await emulator?.stop();
  dir.dispose();
});

describe("quota mode", () => {
  it("creating everything from an empty account gets zero 429s", async () => {
    await emulator.reset();
    await emulator.configure({ quota: true });
    try {
      const run = await reconcile(emulator, dir.dir);
      const log = await emulator.calls();
      expect(run.code, describeRun(run)).toBe(0);
      expect(log.throttled).toBe(0);
      expect(log.log.filter((e) => e.status === 429)).toEqual([]);
      expect(run.json?.calls.errors.TooManyRequestsException).toBeUndefined();
      // a plan right after, still under quota: no change, no 429
      const after = await plan(emulator, dir.dir);
      expect(after.code, describeRun(after)).toBe(0);
      expect(after.json?.changes).toEqual([]);
      expect((await emulator.calls()).throttled).toBe(0);
    } finally {
      await emulator.configure({ quota: false });
    }
  });
});

/** Makes sure the account holds the seed, converged (reuses what an earlier test left when it is). */
async function ensureConverged(): Promise<void> {
  const check = await plan(emulator, dir.dir);
  if (check.code === 0 && check.json?.changes.length === 0) return;
  await emulator.reset();
  const run = await reconcile(emulator, dir.dir);
  if (run.code !== 0) throw new Error(`base apply failed: ${describeRun(run)}`);
}

/** The total of the fault counters of a call log. */
const faultCount = (log: CallLog): number => Object.values(log.faults).reduce((a, b) => a + b, 0);

// With a fixed seed the n-th AWS call's fate is fixed (server.py `Faults.draw`). A converged pass makes
// exactly 7 reads, all in observe; the seeds below were picked (python: random.Random(seed), three draws
// per call) so that one known call fails once and every call after it, retries included, succeeds.
describe("one transient fault at a known call", () => {
  beforeAll(async () => {
    await emulator.configure({ faults: null });
    await ensureConverged();
  });
  afterAll(async () => {
    await emulator.configure({ faults: null });
  });

  it("a 503 on the first read of observe (seed 21) is retried: plan exits 0 with no changes", async () => {
    await emulator.resetCalls();
    await emulator.configure({ faults: { rate: 0.2, seed: 21 } });
    const run = await plan(emulator, dir.dir);
    const log = await emulator.calls();
    await emulator.configure({ faults: null });
    expect(log.faults["503"]).toBe(1);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.json?.changes).toEqual([]);
  });

  it("the same fault during apply: exit 0 and no write", async () => {
    await emulator.resetCalls();
    await emulator.configure({ faults: { rate: 0.2, seed: 21 } });
    const run = await reconcile(emulator, dir.dir);
    const log = await emulator.calls();
    await emulator.configure({ faults: null });
    expect(faultCount(log)).toBe(1);
    expect(run.code, describeRun(run)).toBe(0);
    expect(log.writes).toBe(0);
  });

  it("an IAM ConcurrentModification (409) on PutRolePolicy (seed 804, 8th call) is retried: exit 0, policy written", async () => {
    const changed = new ManifestDir();
    const statement = { Effect: "Allow", Action: ["s3:Put*", "s3:GetObject"], Resource: "*" };
    try {
      changed.edit("s3-proxy-role.yaml", (m) => {
        (m.spec as { inlinePolicies: Record<string, { Statement: unknown }> }).inlinePolicies["s3-proxy-access"]!.Statement = [statement];
      });
      await emulator.resetCalls();
      await emulator.configure({ faults: { rate: 0.2, seed: 804 } });
      const run = await reconcile(emulator, changed.dir);
      const log = await emulator.calls();
      await emulator.configure({ faults: null });
      expect(log.faults["409"]).toBe(1);
      expect(log.log.find((e) => e.fault === "409")?.op).toBe("iam:PutRolePolicy");
      expect(run.code, describeRun(run)).toBe(0);
      const live = await aws.iam.send(new GetRolePolicyCommand({ RoleName: "apigAwsProxyRole", PolicyName: "s3-proxy-access" }));
      expect(JSON.parse(decodeURIComponent(live.PolicyDocument ?? ""))).toEqual({ Version: "2012-10-17", Statement: [statement] });
    } finally {
      changed.dispose();
    }
  });
});

describe.each([11, 23])("faults mode, rate 0.2, seed %i", (seed) => {
  const runs: CliResult[] = [];
  let faults: Record<string, number> = {};

  beforeAll(async () => {
    await emulator.reset();
    await emulator.configure({ faults: { rate: 0.2, seed } });
    try {
      for (let i = 0; i < 8; i++) {
        const run = await reconcile(emulator, dir.dir);
        runs.push(run);
        if (run.code === 0) break;
      }
      const log = await emulator.calls();
      faults = log.faults;
    } finally {
      await emulator.configure({ faults: null });
    }
  }, 240_000);

  it("some run exits 0 within 8 runs, every run exiting 0 or 1", () => {
    expect(runs.map((r) => r.code).every((c) => c === 0 || c === 1), runs.map(describeRun).join("\n---\n")).toBe(true);
    expect(runs.at(-1)?.code, runs.map(describeRun).join("\n---\n")).toBe(0);
    // the faults did happen
    expect(Object.values(faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it("afterwards, with faults off, a plan shows no changes", async () => {
    const after = await plan(emulator, dir.dir);
    expect(after.code, describeRun(after)).toBe(0);
    expect(after.json?.changes).toEqual([]);
  });

  it("exactly one API carries the manifest's ownership tag; no untagged leftovers", async () => {
    const owned = await ownedApis(aws.apigw);
    expect(owned.map((a) => a.id).length).toBe(1);
    expect((await allApis(aws.apigw)).length).toBe(1);
  });

  it("no duplicate resources, the right methods, one stage on the latest deployment", async () => {
    const [api] = await ownedApis(aws.apigw);
    const resources = await resourcesOf(aws.apigw, api?.id ?? "");
    const paths = resources.map((r) => r.path ?? "?");
    expect(new Set(paths).size).toBe(paths.length);
    expect(methodsByPath(resources)).toEqual(seedMethodsByPath());
    const stages = await stagesOf(aws.apigw, api?.id ?? "");
    expect(stages.map((s) => s.stageName)).toEqual(["prod"]);
  });

  it("the role exists once with its policies", async () => {
    const role = await aws.iam.send(new GetRoleCommand({ RoleName: "apigAwsProxyRole" }));
    expect(role.Role?.RoleName).toBe("apigAwsProxyRole");
    expect((await aws.iam.send(new ListRolePoliciesCommand({ RoleName: "apigAwsProxyRole" }))).PolicyNames).toEqual(["s3-proxy-access"]);
    // The seed role's permissions are all inline: nothing attached.
    const attached = (await aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "apigAwsProxyRole" }))).AttachedPolicies ?? [];
    expect(attached.map((p) => p.PolicyArn)).toEqual([]);
  });
});
