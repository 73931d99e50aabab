// The scale part of `npm run bench`: fleets of 200 and 500 seed APIs (one shared role) in one account and
// Region. Creating them switches the emulator's quotas and latency off (the bench measures scans, not
// creation); every measured pass runs with quotas on and 50 ms latency, buckets full at its start:
// - a full scan (no-op) of 200 and of 500 APIs: seconds against GetResources' quota bound (5 per 2 s);
// - an incremental pass at 500 (--changes-from cloudtrail) after one API was changed out of band: the
//   change found, its calls and seconds against the full scan's;
// - the peak RSS of the CLI (`reconcile plan`) at 500 APIs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APIGatewayClient, UpdateRestApiCommand } from "@aws-sdk/client-api-gateway";
import { createGateway } from "../src/aws/gateway.ts";
import type { CallCounts } from "../src/aws/recorder.ts";
import { ChangeFeed } from "../src/changes/feed.ts";
import { DEFAULT_APPLY } from "../src/engine/apply.ts";
import type { PlanOptions } from "../src/engine/plan.ts";
import { reconcilePass, type PassResult } from "../src/engine/reconcile.ts";
import { loadManifests } from "../src/manifest/load.ts";
import type { DesiredState } from "../src/model/types.ts";
import type { Emulator } from "../test/emulator/emulator.ts";
import { quotaIssueSeconds, renameApi } from "./bench-lib.ts";

export interface ScaleRow {
  scenario: string;
  apis: number;
  calls: CallCounts;
  wallSeconds: number;
  /** When AWS's quotas let the last of these calls go (buckets full at the start) + one latency. */
  quotaBoundSeconds: number;
  ratio: number;
  throttled: number;
  /** Each throttled call: its operation and when it arrived (seconds into the pass), to see which bucket ran dry. */
  throttledCalls: string[];
  /** Incremental pass: whether the out-of-band change was reported (as drift). */
  found?: boolean;
  scan?: string;
}

export interface ScaleFigures {
  createSeconds: number;
  rows: ScaleRow[];
  cli: { apis: number; kib: number; exitCode: number | null; seconds: number; summary: string; throttled: number };
}

export interface ScaleSetup {
  emulator: Emulator;
  work: string;
  seedApi: string;
  seedRole: string;
  pass: PlanOptions;
  latencyMs: number;
  progress: (text: string) => void;
}

const fleetName = (i: number) => String(i + 1).padStart(3, "0");

export function fleetDir(setup: ScaleSetup, apis: number): string {
  const dir = join(setup.work, `scale-${apis}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "s3-proxy-role.yaml"), setup.seedRole);
  for (let i = 0; i < apis; i++) writeFileSync(join(dir, `api-${fleetName(i)}.yaml`), renameApi(setup.seedApi, `fleet-${fleetName(i)}`, `Fleet-${fleetName(i)}`, false));
  return dir;
}

/** One pass in-process with a fresh gateway (full client buckets); dry run: a scan never writes. */
async function pass(setup: ScaleSetup, manifests: string, feed?: ChangeFeed): Promise<Measured> {
  const desired = loadManifests([manifests]).desired;
  await setup.emulator.configure({ quota: true, latencyMs: setup.latencyMs });
  await setup.emulator.resetCalls();
  const gateway = createGateway({ endpoint: setup.emulator.endpoint, region: setup.emulator.env.AWS_REGION });
  try {
    const result = await reconcilePass(gateway, desired, { ...setup.pass, apply: { ...DEFAULT_APPLY }, ...(feed ? { feed } : {}) }, true);
    const log = await setup.emulator.calls();
    return { result, throttled: log.throttled, throttledCalls: log.log.filter((e) => e.throttled).map((e) => `${e.op} at ${(e.t / 1000).toFixed(1)} s`) };
  } finally {
    gateway.destroy();
  }
}

interface Measured {
  result: PassResult;
  throttled: number;
  throttledCalls: string[];
}

function row(scenario: string, apis: number, measured: Measured, latencyMs: number): ScaleRow {
  const { result, throttled, throttledCalls } = measured;
  const quotaBound = quotaIssueSeconds(result.calls.byOperation) + latencyMs / 1000;
  const wall = result.durationMs / 1000;
  return { scenario, apis, calls: result.calls, wallSeconds: wall, quotaBoundSeconds: quotaBound, ratio: wall / quotaBound, throttled, throttledCalls, ...(result.scan ? { scan: `${result.scan.mode}: ${result.scan.reason}` } : {}) };
}

/**
 * The fleet, created with quotas and latency off, 25 APIs at a time (thousands of requests at once would only
 * queue in the emulator's threads); CloudTrail's history then cleared (a fleet that has long existed).
 */
export async function createFleet(setup: ScaleSetup, dir: string): Promise<number> {
  await setup.emulator.reset();
  await setup.emulator.configure({ quota: false, latencyMs: 0 });
  const started = performance.now();
  const { objects } = loadManifests([dir]).desired;
  const apis = objects.filter((o) => o.kind === "RestApi");
  const others = objects.filter((o) => o.kind !== "RestApi");
  for (let i = 0; i < apis.length; i += 25) await createBatch(setup, [...others, ...apis.slice(i, i + 25)]);
  await setup.emulator.resetCloudtrail();
  return (performance.now() - started) / 1000;
}

async function createBatch(setup: ScaleSetup, objects: DesiredState["objects"]): Promise<void> {
  const gateway = createGateway({ endpoint: setup.emulator.endpoint, region: setup.emulator.env.AWS_REGION, quotas: {} });
  try {
    const result = await reconcilePass(gateway, { objects }, { ...setup.pass, apply: { ...DEFAULT_APPLY } }, false);
    const failed = (result.outcomes ?? []).filter((o) => o.status === "failed");
    if (failed.length > 0) throw new Error(`creating the fleet: ${failed.length} operation(s) failed, e.g. ${failed[0]?.id}: ${failed[0]?.error ?? ""}`);
  } finally {
    gateway.destroy();
  }
}

/** Changes one API's description with the SDK, as someone in the console would. */
async function changeOutOfBand(setup: ScaleSetup, apiId: string): Promise<void> {
  const client = new APIGatewayClient({ endpoint: setup.emulator.endpoint, region: setup.emulator.env.AWS_REGION });
  try {
    await client.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op: "replace", path: "/description", value: "changed in the console" }] }));
  } finally {
    client.destroy();
  }
}

export async function measureScale(setup: ScaleSetup, sizes: { small: number; large: number }): Promise<ScaleFigures> {
  const large = fleetDir(setup, sizes.large);
  const small = fleetDir(setup, sizes.small);
  setup.progress(`scale: creating ${sizes.large} APIs (quotas and latency off) …`);
  const createSeconds = await createFleet(setup, large);
  setup.progress(`scale: created in ${createSeconds.toFixed(0)} s; full scan of ${sizes.small} …`);
  const rows: ScaleRow[] = [row(`fleet ${sizes.small}: full scan (no-op)`, sizes.small, await pass(setup, small), setup.latencyMs)];
  setup.progress(`scale: full scan of ${sizes.large} …`);
  const feed = new ChangeFeed();
  const full = await pass(setup, large, feed);
  rows.push(row(`fleet ${sizes.large}: full scan (no-op)`, sizes.large, full, setup.latencyMs));
  const target = `fleet-${fleetName(Math.floor(sizes.large / 2))}`;
  await changeOutOfBand(setup, await apiIdOf(setup, target));
  setup.progress(`scale: incremental pass (${target} changed out of band) …`);
  const incremental = await pass(setup, large, feed);
  const found = incremental.result.plan.changes.some((c) => c.id.api === target && c.cause === "drift");
  rows.push({ ...row(`fleet ${sizes.large}: incremental, 1 API changed out of band`, sizes.large, incremental, setup.latencyMs), found });
  setup.progress(`scale: CLI plan at ${sizes.large} (peak RSS) …`);
  await setup.emulator.configure({ quota: true, latencyMs: setup.latencyMs });
  await setup.emulator.resetCalls();
  const cli = cliPlan(setup, large);
  return { createSeconds, rows, cli: { apis: sizes.large, ...cli, throttled: (await setup.emulator.calls()).throttled } };
}

async function apiIdOf(setup: ScaleSetup, name: string): Promise<string> {
  const gateway = createGateway({ endpoint: setup.emulator.endpoint, region: setup.emulator.env.AWS_REGION, quotas: {} });
  try {
    const page = await gateway.read("apigateway", "GetRestApis", { limit: 500 });
    const id = page.items?.find((a) => a.tags?.["apigw-reconciler:name"] === name)?.id;
    if (!id) throw new Error(`no API ${name}`);
    return id;
  } finally {
    gateway.destroy();
  }
}

/** `reconcile plan -m <fleet>` as a process: its peak RSS (/usr/bin/time, else resourceUsage at exit) and duration. */
function cliPlan(setup: ScaleSetup, manifests: string): { kib: number; exitCode: number | null; seconds: number; summary: string } {
  const env = { ...process.env, ...setup.emulator.env, CI: "1" };
  const args = ["bin/reconcile.js", "plan", "-m", manifests, "--no-color"];
  const started = performance.now();
  const run = existsSync("/usr/bin/time")
    ? spawnSync("/usr/bin/time", ["-f", "MAXRSS_KIB=%M", process.execPath, ...args], { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(process.execPath, ["--import", preload(setup.work), ...args], { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const kib = Number(/MAXRSS_KIB=(\d+)/.exec(run.stderr)?.[1] ?? Number.NaN);
  const summary = run.stdout.trim().split("\n").filter((l) => l.startsWith("Plan:") || l.startsWith("AWS calls:")).join(" | ");
  return { kib, exitCode: run.status, seconds: (performance.now() - started) / 1000, summary };
}

function preload(work: string): string {
  const file = join(work, "rss-preload.mjs");
  writeFileSync(file, `process.on("exit", () => process.stderr.write("MAXRSS_KIB=" + process.resourceUsage().maxRSS + "\\n"));\n`);
  return `file://${file}`;
}
