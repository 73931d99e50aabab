// npm run bench [-- --json]: calls, seconds and the quota-bound minimum of reconcile passes against the
// local emulator (moto on 127.0.0.1, 50 ms latency, API Gateway quotas enforced), for the seed API and a
// fleet of 20 copies; CPU time of planning a 300-resource × 5-method API; peak RSS. Figures, not asserts.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGateway } from "../src/aws/gateway.ts";
import type { CallCounts } from "../src/aws/recorder.ts";
import { DEFAULT_APPLY } from "../src/engine/apply.ts";
import type { Observed } from "../src/engine/observe.ts";
import type { PlanOptions } from "../src/engine/plan.ts";
import { reconcilePass } from "../src/engine/reconcile.ts";
import { loadManifests } from "../src/manifest/load.ts";
import { startEmulator, type Emulator } from "../test/emulator/emulator.ts";
import { measureScale, type ScaleFigures } from "./bench-scale.ts";
import { bindingBucket, chainSteps, countDifferences, quotaIssueSeconds, renameApi, syntheticPlanningCase, table, timePlans } from "./bench-lib.ts";

const LATENCY_MS = 50;
const fleetArg = process.argv.indexOf("--fleet"); // --fleet N: a smaller fleet, for trying the bench out
const FLEET = fleetArg >= 0 ? Number.parseInt(process.argv[fleetArg + 1] ?? "20", 10) : 20;
const PLAN_RUNS = 11;
// --no-scale: skip the 200/500-API part (about 10 minutes); --scale-sizes 50,100: smaller fleets, to try it out.
const SCALE = !process.argv.includes("--no-scale");
const sizesArg = process.argv.indexOf("--scale-sizes");
const [SCALE_SMALL, SCALE_LARGE] = (sizesArg >= 0 ? (process.argv[sizesArg + 1] ?? "200,500") : "200,500").split(",").map((n) => Number.parseInt(n, 10));
const OWNER = "apigw-reconciler"; // the CLI's default, so the CLI run sees the bench's APIs as its own
const PASS: PlanOptions = { owner: OWNER, mode: "heal", prune: false, maxDeletions: 1, force: false };
const json = process.argv.includes("--json");
const progress = (text: string) => void process.stderr.write(`[bench] ${text}\n`);

interface PassFigures {
  scenario: string;
  /** from the reconciler's recorder */
  calls: CallCounts;
  /** from the emulator's call log, without the `service:` prefix */
  emulatorByOperation: Record<string, number>;
  emulatorTotal: number;
  countsAgree: boolean;
  disagreements: string[];
  throttled: number;
  failedOperations: number;
  planOperations: number;
  wallSeconds: number;
  quotaIssueSeconds: number;
  quotaBoundSeconds: number;
  bindingBucket: string;
  chainSteps: { observe: number; apply: number };
  chainBoundSeconds: number;
  minimumSeconds: number;
  ratio: number;
  /** From the emulator's log (arrival times, seconds from the pass's first call). */
  timeline: { lastCreateRestApi?: number; lastConfigWrite?: number; firstDeployment?: number; lastDeployment?: number; lastCall: number };
}

interface TargetRow {
  target: string;
  value: string;
  met: boolean;
}

// ---------------------------------------------------------------------------------------------

const repo = process.cwd();
const seedApi = readFileSync(join(repo, "manifests", "s3-proxy-api.yaml"), "utf8");
const seedRole = readFileSync(join(repo, "manifests", "s3-proxy-role.yaml"), "utf8");
const work = mkdtempSync(join(tmpdir(), "apigw-bench-"));

function writeDir(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const fleetName = (i: number) => String(i + 1).padStart(2, "0");
const CHANGED_IN_FLEET = Math.min(6, FLEET - 1); // my-s3-07
function fleetFiles(changed: boolean): Record<string, string> {
  const files: Record<string, string> = { "s3-proxy-role.yaml": seedRole };
  for (let i = 0; i < FLEET; i++) files[`api-${fleetName(i)}.yaml`] = renameApi(seedApi, `my-s3-${fleetName(i)}`, `MyS3-${fleetName(i)}`, changed && i === CHANGED_IN_FLEET);
  return files;
}

const dirs = {
  seedChanged: writeDir("seed-changed", { "s3-proxy-api.yaml": renameApi(seedApi, undefined, undefined, true), "s3-proxy-role.yaml": seedRole }),
  fleet: writeDir("fleet", fleetFiles(false)),
  fleetChanged: writeDir("fleet-changed", fleetFiles(true)),
};

// ---------------------------------------------------------------------------------------------
// Measured passes

async function refillBuckets(emulator: Emulator): Promise<void> {
  // Setting quota again gives the emulator fresh, full buckets (moto state kept); each pass gets a
  // fresh createGateway, so the client's buckets start full too.
  await emulator.configure({ quota: true });
  await emulator.resetCalls();
}

async function measurePass(emulator: Emulator, scenario: string, manifests: string): Promise<PassFigures> {
  progress(`${scenario} …`);
  const desired = loadManifests([manifests]).desired;
  await refillBuckets(emulator);
  const gateway = createGateway({ endpoint: emulator.endpoint, region: emulator.env.AWS_REGION });
  let result;
  try {
    result = await reconcilePass(gateway, desired, { ...PASS, apply: { ...DEFAULT_APPLY } }, false);
  } finally {
    gateway.destroy();
  }
  const log = await emulator.calls();
  const emulatorByOperation: Record<string, number> = {};
  for (const [op, n] of Object.entries(log.byOperation)) emulatorByOperation[op.slice(op.indexOf(":") + 1)] = n;
  const disagreements = countDifferences(result.calls.byOperation, emulatorByOperation);
  const issue = quotaIssueSeconds(result.calls.byOperation);
  const quotaBound = issue + LATENCY_MS / 1000;
  const steps = chainSteps(result.calls.byOperation, result.plan.operations);
  const chainBound = ((steps.observe + steps.apply) * LATENCY_MS) / 1000;
  const minimum = Math.max(quotaBound, chainBound);
  const wall = result.durationMs / 1000;
  const t0 = Math.min(...log.log.map((e) => e.t));
  const at = (pred: (op: string) => boolean) => log.log.filter((e) => pred(e.op.slice(e.op.indexOf(":") + 1))).map((e) => (e.t - t0) / 1000);
  const last = (xs: number[]) => (xs.length > 0 ? Math.max(...xs) : undefined);
  const first = (xs: number[]) => (xs.length > 0 ? Math.min(...xs) : undefined);
  const deployments = at((op) => op === "CreateDeployment");
  const timeline = {
    lastCreateRestApi: last(at((op) => op === "CreateRestApi")),
    lastConfigWrite: last(at((op) => /^(Put|CreateResource|Update(Method|Integration|Resource))/.test(op))),
    firstDeployment: first(deployments),
    lastDeployment: last(deployments),
    lastCall: last(at(() => true)) ?? 0,
  };
  const figures: PassFigures = {
    scenario,
    calls: result.calls,
    emulatorByOperation,
    emulatorTotal: log.total,
    countsAgree: disagreements.length === 0 && log.total === result.calls.total,
    disagreements,
    throttled: log.throttled,
    failedOperations: (result.outcomes ?? []).filter((o) => o.status !== "applied").length,
    planOperations: result.plan.operations.length,
    wallSeconds: wall,
    quotaIssueSeconds: issue,
    quotaBoundSeconds: quotaBound,
    bindingBucket: bindingBucket(result.calls.byOperation).bucket,
    chainSteps: steps,
    chainBoundSeconds: chainBound,
    minimumSeconds: minimum,
    ratio: wall / minimum,
    timeline,
  };
  progress(`${scenario}: ${figures.calls.total} calls, ${wall.toFixed(2)} s, minimum ${minimum.toFixed(2)} s, throttled ${figures.throttled}`);
  return figures;
}

/** Max RSS (KiB) of one CLI process: `/usr/bin/time -f %M` when present, else a preload that prints resourceUsage at exit. */
interface CliFigures {
  kib: number;
  exitCode: number | null;
  via: string;
  summary: string;
  calls?: number;
  throttled?: number;
}

function cliMaxRss(emulator: Emulator, manifests: string): CliFigures {
  const env = { ...process.env, ...emulator.env };
  const args = ["bin/reconcile.js", "plan", "-m", manifests];
  if (existsSync("/usr/bin/time")) {
    const run = spawnSync("/usr/bin/time", ["-f", "MAXRSS_KIB=%M", process.execPath, ...args], { cwd: repo, env, encoding: "utf8" });
    const kib = Number(/MAXRSS_KIB=(\d+)/.exec(run.stderr)?.[1] ?? Number.NaN);
    return { kib, exitCode: run.status, via: "/usr/bin/time -f %M", summary: lastLine(run.stdout) || lastLine(run.stderr.replace(/MAXRSS_KIB=\d+/, "")) };
  }
  const preload = join(work, "rss-preload.mjs");
  writeFileSync(preload, `process.on("exit", () => process.stderr.write("MAXRSS_KIB=" + process.resourceUsage().maxRSS + "\\n"));\n`);
  const run = spawnSync(process.execPath, ["--import", `file://${preload}`, ...args], { cwd: repo, env, encoding: "utf8" });
  const kib = Number(/MAXRSS_KIB=(\d+)/.exec(run.stderr)?.[1] ?? Number.NaN);
  return { kib, exitCode: run.status, via: "process.resourceUsage() at exit", summary: lastLine(run.stdout) || lastLine(run.stderr.replace(/MAXRSS_KIB=\d+/, "")) };
}

function lastLine(text: string): string {
  return text.trim().split("\n").filter((l) => l.trim() !== "").pop() ?? "";
}

// ---------------------------------------------------------------------------------------------
// Planning CPU (pure buildPlan on a 300-resource × 5-method API)

interface PlanningFigures {
  resources: number;
  methods: number;
  runs: number;
  liveAbsent: { medianCpuMs: number; medianWallMs: number; operations: number };
  liveDifferent: { medianCpuMs: number; medianWallMs: number; operations: number; changes: number };
  parseMs: number;
}

function measurePlanning(): PlanningFigures {
  progress("planning 300 × 5 …");
  const { desired, absent, different, resources, methods, parseMs } = syntheticPlanningCase(OWNER);

  // Each timed plan is of a fresh copy of the desired state, as in scripts/bench-plan.ts.
  const run = (observed: Observed) => timePlans(desired, observed, PASS, PLAN_RUNS);
  const a = run(absent);
  const d = run(different);
  return {
    resources,
    methods,
    runs: PLAN_RUNS,
    parseMs,
    liveAbsent: { medianCpuMs: a.medianCpuMs, medianWallMs: a.medianWallMs, operations: a.plan.operations.length },
    liveDifferent: { medianCpuMs: d.medianCpuMs, medianWallMs: d.medianWallMs, operations: d.plan.operations.length, changes: d.plan.changes.length },
  };
}

// ---------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const mib = (kib: number) => kib / 1024;

async function main(): Promise<void> {
  progress(`starting the emulator (latency ${LATENCY_MS} ms, quota mode) …`);
  const emulator = await startEmulator({ latencyMs: LATENCY_MS, quota: true });
  // The SDK reads the emulator's dummy credentials (and region) from the environment, as the CLI does.
  Object.assign(process.env, emulator.env);
  const passes: PassFigures[] = [];
  let cli: CliFigures;
  let scale: ScaleFigures | undefined;
  const rss: Record<string, number> = { atStart: process.resourceUsage().maxRSS };
  try {
    await emulator.reset();
    passes.push(await measurePass(emulator, "seed: create from empty", "manifests"));
    passes.push(await measurePass(emulator, "seed: no-op", "manifests"));
    passes.push(await measurePass(emulator, "seed: one-field change", dirs.seedChanged));

    rss.afterSeed = process.resourceUsage().maxRSS;
    await emulator.reset();
    passes.push(await measurePass(emulator, `fleet ${FLEET}: create from empty`, dirs.fleet));
    passes.push(await measurePass(emulator, `fleet ${FLEET}: no-op`, dirs.fleet));
    progress("CLI process: reconcile plan on the fleet (no-op) …");
    await refillBuckets(emulator);
    cli = cliMaxRss(emulator, dirs.fleet);
    const cliLog = await emulator.calls();
    cli = { ...cli, calls: cliLog.total, throttled: cliLog.throttled };
    passes.push(await measurePass(emulator, `fleet ${FLEET}: one-field change (1 API)`, dirs.fleetChanged));
    rss.afterFleet = process.resourceUsage().maxRSS;
    if (SCALE) scale = await measureScale({ emulator, work, seedApi, seedRole, pass: PASS, latencyMs: LATENCY_MS, progress }, { small: SCALE_SMALL ?? 200, large: SCALE_LARGE ?? 500 });
  } finally {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
  // Planning last, so the RSS of the in-process passes is seen before the synthetic API's.
  const planning = measurePlanning();
  const benchRssKib = process.resourceUsage().maxRSS;
  rss.afterPlanning = benchRssKib;

  // Targets
  const [seedCreate, seedNoop] = passes;
  const fleetPasses = passes.filter((p) => p.scenario.startsWith("fleet"));
  const targets: TargetRow[] = [
    { target: "seed no-op ≤ 7 AWS calls", value: `${seedNoop?.calls.total ?? "?"} calls`, met: (seedNoop?.calls.total ?? Infinity) <= 7 },
    { target: "zero 429s (emulator throttled, every pass + CLI)", value: `${passes.reduce((n, p) => n + p.throttled, 0) + (cli.throttled ?? 0)} throttled`, met: passes.every((p) => p.throttled === 0) && (cli.throttled ?? 0) === 0 },
    { target: "every pass: no failed/skipped operation", value: `${passes.reduce((n, p) => n + p.failedOperations, 0)} not applied`, met: passes.every((p) => p.failedOperations === 0) },
    { target: "recorder and emulator call counts agree", value: passes.every((p) => p.countsAgree) ? "all agree" : passes.filter((p) => !p.countsAgree).map((p) => `${p.scenario}: ${p.disagreements.join(", ")}`).join("; "), met: passes.every((p) => p.countsAgree) },
    { target: "seed create ≤ 1.25 × minimum", value: `${fmt(seedCreate?.ratio ?? Number.NaN)} ×`, met: (seedCreate?.ratio ?? Infinity) <= 1.25 },
    ...fleetPasses.map((p) => ({ target: `${p.scenario} ≤ 1.25 × minimum`, value: `${fmt(p.ratio)} ×`, met: p.ratio <= 1.25 })),
    { target: "plan 300 × 5, live absent < 50 ms CPU", value: `${fmt(planning.liveAbsent.medianCpuMs, 1)} ms`, met: planning.liveAbsent.medianCpuMs < 50 },
    { target: "plan 300 × 5, live different < 50 ms CPU", value: `${fmt(planning.liveDifferent.medianCpuMs, 1)} ms`, met: planning.liveDifferent.medianCpuMs < 50 },
    // The bench process's own RSS is printed above, not a target: it holds the harness, the 300 × 5 model
    // and a fresh copy of it per planning run.
    { target: "CLI fleet no-op peak RSS < 150 MiB", value: `${fmt(mib(cli.kib), 1)} MiB (exit ${cli.exitCode})`, met: mib(cli.kib) < 150 && cli.exitCode === 0 },
    ...(scale ? scaleTargets(scale) : []),
  ];

  if (json) {
    process.stdout.write(
      JSON.stringify(
        {
          emulator: { latencyMs: LATENCY_MS, quota: true },
          fleet: { apis: FLEET, role: "one shared IamRole (apig-aws-proxy-role)", changedApi: `my-s3-${fleetName(CHANGED_IN_FLEET)}` },
          passes,
          planning,
          ...(scale ? { scale } : {}),
          rss: { benchProcessKib: benchRssKib, benchPeakAfterKib: rss, cliFleetNoopKib: cli.kib, cliVia: cli.via, cliExitCode: cli.exitCode, cliSummary: cli.summary },
          targets,
        },
        null,
        2,
      ) + "\n",
    );
    return;
  }

  const out: string[] = [];
  out.push(`apigw-reconciler benchmark — emulator: moto on 127.0.0.1, latency ${LATENCY_MS} ms per call, API Gateway quotas enforced`);
  out.push(`fleet: ${FLEET} RestApi copies of the seed (my-s3-01…${fleetName(FLEET - 1)}, MyS3-01…) sharing ONE IamRole (apig-aws-proxy-role); change in my-s3-${fleetName(CHANGED_IN_FLEET)}`);
  out.push(`one-field change: GET / integration response 200, method.response.header.Timestamp ← integration.response.header.Date → Last-Modified`);
  out.push(`before each pass: emulator buckets refilled (configure quota=true, state kept), fresh createGateway (full client buckets); apply passes, concurrencyPerGroup ${DEFAULT_APPLY.concurrencyPerGroup}`);
  out.push("");
  out.push(
    table(
      ["pass", "calls", "writes", "wall s", "quota s", "chain s", "min s", "wall/min", "429s", "rec=emu"],
      passes.map((p) => [
        p.scenario,
        String(p.calls.total),
        String(p.calls.writes),
        fmt(p.wallSeconds),
        fmt(p.quotaBoundSeconds),
        fmt(p.chainBoundSeconds),
        fmt(p.minimumSeconds),
        fmt(p.ratio),
        String(p.throttled),
        p.countsAgree ? "yes" : "NO",
      ]),
    ),
  );
  out.push("");
  out.push("calls by operation (reconciler recorder; emulator log agrees where rec=emu says yes):");
  for (const p of passes) {
    const ops = Object.entries(p.calls.byOperation).map(([op, n]) => `${op} ${n}`).join(", ");
    const errors = Object.entries(p.calls.errors).map(([e, n]) => `${e} ${n}`).join(", ");
    out.push(`  ${p.scenario}: ${ops}${errors ? ` | errors: ${errors}` : ""}${p.countsAgree ? "" : ` | DIFFERS: ${p.disagreements.join(", ")}`}`);
    out.push(`    binding quota: ${p.bindingBucket}; chain ${p.chainSteps.observe} observe + ${p.chainSteps.apply} apply steps`);
    const tl = p.timeline;
    if (tl.firstDeployment !== undefined && tl.lastConfigWrite !== undefined) {
      out.push(
        `    timeline (emulator arrivals, s): ${tl.lastCreateRestApi !== undefined ? `last CreateRestApi ${fmt(tl.lastCreateRestApi, 1)}, ` : ""}` +
          `last config write ${fmt(tl.lastConfigWrite, 1)}, CreateDeployment ${fmt(tl.firstDeployment, 1)}…${fmt(tl.lastDeployment ?? Number.NaN, 1)}, last call ${fmt(tl.lastCall, 1)}`,
      );
    }
  }
  out.push("");
  out.push("minimum = max(quota bound, chain bound):");
  out.push("  quota bound = time the last call can be issued when AWS's buckets (all API Gateway 10/s burst 40; GetResources 5/2 s;");
  out.push("    CreateDeployment 1/5 s; Create/DeleteResource 5/s; CreateRestApi 1/3 s; DeleteRestApi 1/30 s; IAM, STS unlimited) start full,");
  out.push("    latency is zero and each call goes as early as its buckets allow (order free, slow buckets first) + one latency (50 ms) for the last answer");
  out.push("  chain bound = (observe round trips that must follow each other + longest dependency path of the plan) × 50 ms");
  out.push("");
  out.push(
    `planning (buildPlan only, CPU = process.cpuUsage user+system, median of ${planning.runs} runs): ${planning.resources} resources × 5 = ${planning.methods} methods` +
      ` (parse ${fmt(planning.parseMs, 0)} ms, once)`,
  );
  out.push(`  live absent:    ${fmt(planning.liveAbsent.medianCpuMs, 1)} ms CPU, ${fmt(planning.liveAbsent.medianWallMs, 1)} ms wall, ${planning.liveAbsent.operations} operations`);
  out.push(`  live different: ${fmt(planning.liveDifferent.medianCpuMs, 1)} ms CPU, ${fmt(planning.liveDifferent.medianWallMs, 1)} ms wall, ${planning.liveDifferent.changes} changes, ${planning.liveDifferent.operations} operations`);
  out.push(
    `peak RSS: bench process ${fmt(mib(benchRssKib), 1)} MiB (peak so far: at start ${fmt(mib(rss.atStart ?? Number.NaN), 1)}, after seed passes ${fmt(mib(rss.afterSeed ?? Number.NaN), 1)},` +
      ` after fleet passes ${fmt(mib(rss.afterFleet ?? Number.NaN), 1)}, after planning 300×5 ${fmt(mib(benchRssKib), 1)})`,
  );
  out.push(`  CLI \`reconcile plan -m <fleet>\` ${fmt(mib(cli.kib), 1)} MiB (via ${cli.via}; exit ${cli.exitCode}; ${cli.calls ?? "?"} calls, ${cli.throttled ?? "?"} throttled; "${cli.summary}")`);
  if (scale) out.push("", ...scaleLines(scale));
  out.push("");
  out.push(table(["target", "value", "status"], targets.map((t) => [t.target, t.value, t.met ? "met" : "MISSED"])));
  process.stdout.write(out.join("\n") + "\n");
}


function scaleTargets(scale: ScaleFigures): TargetRow[] {
  const [small, large, incremental] = scale.rows;
  const ops = incremental?.calls.byOperation ?? {};
  const fullRows = [small, large].filter((r): r is NonNullable<typeof r> => r !== undefined);
  return [
    ...fullRows.map((r) => ({ target: `${r.scenario} ≤ 1.10 × GetResources quota bound, 0 429s`, value: `${fmt(r.ratio)} ×, ${r.throttled} throttled`, met: r.ratio <= 1.1 && r.throttled === 0 })),
    {
      target: "incremental at 500: change found with ≤ 1 GetResources + 1 GetStages + LookupEvents pages",
      value: `${incremental?.found ? "found" : "NOT found"}; GetResources ${ops.GetResources ?? 0}, GetStages ${ops.GetStages ?? 0}, LookupEvents ${ops.LookupEvents ?? 0}, GetRestApis ${ops.GetRestApis ?? 0}`,
      met: incremental?.found === true && (ops.GetResources ?? 0) <= 1 && (ops.GetStages ?? 0) <= 1,
    },
    { target: "incremental ≥ 50× faster than the full scan", value: `${fmt((large?.wallSeconds ?? 0) / (incremental?.wallSeconds ?? Infinity), 0)} ×`, met: (large?.wallSeconds ?? 0) >= 50 * (incremental?.wallSeconds ?? Infinity) },
    { target: `CLI peak RSS at ${scale.cli.apis} APIs < 200 MB`, value: `${fmt(scale.cli.kib / 1024, 1)} MiB (exit ${scale.cli.exitCode}, ${scale.cli.throttled} throttled)`, met: (scale.cli.kib * 1024) / 1e6 < 200 && scale.cli.exitCode === 0 },
  ];
}

function scaleLines(scale: ScaleFigures): string[] {
  return [
    `scale (one account and Region; fleet created in ${fmt(scale.createSeconds, 0)} s with quotas and latency off, CloudTrail history then cleared; passes: quotas on, 50 ms latency, dry run):`,
    table(
      ["pass", "calls", "GetResources", "LookupEvents", "wall s", "quota bound s", "ratio", "429s"],
      scale.rows.map((r) => [r.scenario, String(r.calls.total), String(r.calls.byOperation.GetResources ?? 0), String(r.calls.byOperation.LookupEvents ?? 0), fmt(r.wallSeconds), fmt(r.quotaBoundSeconds), fmt(r.ratio), String(r.throttled)]),
    ),
    ...scale.rows.filter((r) => r.throttledCalls.length > 0).map((r) => `  ${r.scenario}: throttled ${r.throttledCalls.join(", ")}`),
    ...scale.rows.filter((r) => r.scan).map((r) => `  ${r.scenario}: scan ${r.scan}${r.found !== undefined ? `; change ${r.found ? "found" : "NOT found"}` : ""}`),
    `  CLI \`reconcile plan\` at ${scale.cli.apis} APIs: peak RSS ${fmt(scale.cli.kib / 1024, 1)} MiB, ${fmt(scale.cli.seconds, 1)} s, exit ${scale.cli.exitCode}, ${scale.cli.throttled} throttled ("${scale.cli.summary}")`,
  ];
}

await main();
