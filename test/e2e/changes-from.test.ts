/**
 * `--changes-from cloudtrail` through the real CLI (and `reconcile run`) against the emulator, whose
 * LookupEvents serves the write calls it received as CloudTrail events, delivered late on demand:
 * - after a full first pass, a pass re-reads nothing when nothing was written, and only the API an
 *   out-of-band write names when one was (API-level fields are always fresh: GetRestApis is read anyway);
 * - an out-of-band change whose event arrives after the next pass (a delivery delay longer than the
 *   interval) is still found by the pass after, inside the margin;
 * - a LookupEvents failure falls back to a full scan, and the report says so;
 * - a change to the role is found through IAM's events; an API deleted out of band is found;
 * - the controller keeps the feed across its passes and logs each pass's scan.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeleteRestApiCommand, UpdateRestApiCommand, UpdateStageCommand } from "@aws-sdk/client-api-gateway";
import { UpdateRoleCommand } from "@aws-sdk/client-iam";
import type { Emulator } from "../emulator/emulator.ts";
import { awsOps, RunProcess, SEED, theApi, useEmulator, type Clients } from "./support.ts";
import { explain, Workspace, type RunResult } from "./drift-support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

// A short margin, so that a scenario can wait for earlier writes (an apply's own) to leave the window.
const MARGIN_MS = 3_000;
const feed = (marginMs = MARGIN_MS) => ["--changes-from", "cloudtrail", "--change-margin", `${marginMs / 1000}s`];
const FEED = feed();
let ws: Workspace;

beforeAll(async () => {
  ws = new Workspace();
  await emulator.reset();
  const created = await ws.apply(emulator);
  expect(created.code, explain(created)).toBe(0);
  // The seed's own creation is history: the feed's first window starts with its first pass.
  await emulator.resetCloudtrail();
});

afterAll(() => {
  ws?.dispose();
  RunProcess.killAll();
});

/** `reconcile drift` with the feed, in text (its Scan: line) and the calls it made. */
async function driftPass(...extra: string[]): Promise<{ run: RunResult; calls: Record<string, number>; scan: string }> {
  await emulator.resetCalls();
  const run = await ws.run(emulator, ["drift", "-m", ws.manifests.dir, "--no-color", ...(extra.includes("--change-margin") ? [] : FEED), ...extra]);
  const scan = run.stdout.split("\n").find((line) => line.startsWith("Scan:")) ?? "";
  return { run, calls: awsOps(await emulator.calls()), scan };
}

/** Earlier writes out of the window: wait a margin, then one pass (which re-reads what they named). */
async function settle(marginMs = MARGIN_MS): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, marginMs + 500));
  expect((await driftPass(...feed(marginMs))).run.code).toBe(0);
}

/** A stage edit: GetRestApis does not show it (API-level fields it does: those are always fresh). */
async function describeStage(description: string): Promise<void> {
  const api = await theApi(aws.apigw);
  await aws.apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: "prod", patchOperations: [{ op: "replace", path: "/description", value: description }] }));
}

async function describeApi(description: string): Promise<void> {
  const api = await theApi(aws.apigw);
  await aws.apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: "replace", path: "/description", value: description }] }));
}

describe("--changes-from cloudtrail (CLI)", () => {
  it("first pass: a full scan that says so", async () => {
    const { run, calls, scan } = await driftPass();
    expect(run.code, explain(run)).toBe(0);
    expect(scan).toMatch(/^Scan: full \(first pass\)/);
    expect(calls["apigateway:GetResources"]).toBe(1);
  });

  it("nothing written since: only GetRestApis and the lookups, nothing re-read", async () => {
    const { run, calls, scan } = await driftPass();
    expect(run.code, explain(run)).toBe(0);
    expect(scan).toMatch(/^Scan: incremental — 0 write event\(s\)/);
    expect(calls).toEqual({ "apigateway:GetRestApis": 1, "cloudtrail:LookupEvents": 2 });
  });

  it("an out-of-band write: only that API re-read (1 GetResources + 1 GetStages), the drift found", async () => {
    await describeApi("changed in the console");
    const { run, calls, scan } = await driftPass();
    expect(run.code, explain(run)).toBe(2);
    expect(run.stdout).toMatch(/description: "changed in the console" → /);
    expect(scan).toMatch(/incremental — 1 write event\(s\).*1 object\(s\) read again/);
    expect(calls).toEqual({ "apigateway:GetRestApis": 1, "cloudtrail:LookupEvents": 2, "apigateway:GetResources": 1, "apigateway:GetStages": 1 });
    // Healed, so the next scenario starts clean (the apply's own writes are events the next pass re-reads).
    expect((await ws.apply(emulator)).code).toBe(0);
  });

  it("an event delivered after the next pass is found by the pass after, inside the margin", async () => {
    // CloudTrail delivers this write's event 6 s late; the margin (8 s) reaches further back than that.
    const [delayMs, marginMs] = [6_000, 8_000];
    await settle(marginMs);
    await emulator.configure({ cloudtrailDelayMs: delayMs });
    try {
      await describeStage("late event");
      const early = await driftPass(...feed(marginMs));
      // The event is not delivered yet: this pass trusts what it read last (the documented window of a feed).
      expect(early.run.code, `${explain(early.run)}\n${early.run.stdout}`).toBe(0);
      expect(early.scan).toMatch(/incremental — 0 write event/);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const later = await driftPass(...feed(marginMs));
      expect(later.run.code, explain(later.run)).toBe(2);
      expect(later.run.stdout).toMatch(/description: "late event" → /);
      expect(later.run.stdout).toMatch(/Stage prod|prod/);
      expect(later.calls["apigateway:GetResources"]).toBe(1);
    } finally {
      await emulator.configure({ cloudtrailDelayMs: 0 });
      expect((await ws.apply(emulator)).code).toBe(0);
    }
  });

  it("LookupEvents failing: a full scan, and the report says why", async () => {
    await settle();
    await emulator.configure({ cloudtrailFail: "500" });
    try {
      const { run, calls, scan } = await driftPass();
      expect(run.code, explain(run)).toBe(0);
      expect(scan).toMatch(/^Scan: full \(LookupEvents failed \(/);
      expect(calls["apigateway:GetResources"]).toBe(1);
      expect(calls["iam:GetRole"]).toBe(1);
    } finally {
      await emulator.configure({ cloudtrailFail: null });
    }
  });

  it("a change to the role is found through IAM's events (only the role re-read)", async () => {
    await settle();
    await aws.iam.send(new UpdateRoleCommand({ RoleName: SEED.roleName, Description: "edited by hand" }));
    const { run, calls, scan } = await driftPass();
    expect(run.code, explain(run)).toBe(2);
    expect(run.stdout).toMatch(/edited by hand/);
    expect(scan).toMatch(/incremental — 1 write event/);
    expect(calls["iam:GetRole"]).toBe(1);
    expect(calls["apigateway:GetResources"]).toBeUndefined();
    expect((await ws.apply(emulator)).code).toBe(0);
  });

  it("an API deleted out of band is found (GetRestApis no longer lists it)", async () => {
    await settle();
    const api = await theApi(aws.apigw);
    await aws.apigw.send(new DeleteRestApiCommand({ restApiId: api.id }));
    const { run, scan } = await driftPass("-o", "json");
    expect(run.code === 0 || run.code === 2, explain(run)).toBe(true);
    expect(scan).toBe(""); // JSON output: the scan is in the report, not a text line
    const report = JSON.parse(run.stdout) as { scan: { mode: string }; changes: { kind: string; action: string }[] };
    expect(report.scan.mode).toBe("incremental");
    expect(report.changes.some((c) => c.kind === "RestApi" && c.action === "create")).toBe(true);
    expect((await ws.apply(emulator)).code).toBe(0);
  });
});

describe("--changes-from cloudtrail (reconcile run)", () => {
  it("the controller keeps the feed across passes: a full scan first, then incremental ones, each logged", async () => {
    await settle();
    const dir = mkdtempSync(join(tmpdir(), "apigw-feed-run-"));
    try {
      const run = new RunProcess(emulator, ["-m", ws.manifests.dir, "--state-file", join(dir, "state.json"), "--interval", "1s", "--jitter", "0s", "--listen", "127.0.0.1:0", ...FEED]);
      const first = await run.nextPass();
      expect(first).toMatchObject({ result: "success", scan: "full", scanReason: "first pass" });
      const second = await run.nextPass();
      expect(second).toMatchObject({ result: "success", scan: "incremental", reread: 0 });
      run.signal("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
