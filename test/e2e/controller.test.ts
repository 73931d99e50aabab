// `reconcile run`, the controller, through the real CLI against the emulator, with a real Git repository
// (bare, file://), a real alert receiver, real HTTP clients and headless Chromium:
// - a commit is applied within two ticks, its SHA in the log, the status page and the deployment;
// - drift made with the SDK is healed on the next tick;
// - an unreadable repository or a broken revision: no write, one alert naming the cause, drift still reported;
// - a signed push runs a pass at once, a wrongly signed one gets 401 and none;
// - /healthz, /readyz, /metrics (every documented metric) and the status page in Chromium;
// - SIGTERM during an apply: exit 0 within the grace period; the next pass converges without duplicates.
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetDeploymentsCommand, GetRestApiCommand, UpdateRestApiCommand } from "@aws-sdk/client-api-gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRICS, METRIC_PREFIX } from "../../src/controller/metrics.ts";
import { writeCalls, type Emulator } from "../emulator/emulator.ts";
import { createGitRepo, type GitRepo } from "../unit/support/git-repo.ts";
import { CHROMIUM, chromium, HAVE_CHROMIUM, removeChromiumProfiles, SKIPPED } from "./chromium.ts";
import { WebhookReceiver } from "./drift-support.ts";
import { API_FILE, type Clients, REPO, ROLE_FILE, RunProcess, SEED_MANIFESTS, theApi, useEmulator } from "./support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((e, c) => {
  emulator = e;
  aws = c;
});

const SECRET = "push-secret-for-tests";
const seedApi = readFileSync(join(SEED_MANIFESTS, API_FILE), "utf8");
const seedRole = readFileSync(join(SEED_MANIFESTS, ROLE_FILE), "utf8");
/** A deployable change (one more binary media type), and a broken manifest (a bad enum on the endpointType line). */
const withWebp = seedApi.replace("    - image/gif\n", "    - image/gif\n    - image/webp\n");
const broken = seedApi.replace("  endpointType: REGIONAL\n", "  endpointType: REGIONALL\n");
/** The 1-based line of that enum, where the loader reports the problem. */
const BROKEN_LINE = seedApi.split("\n").indexOf("  endpointType: REGIONAL") + 1;

let repo: GitRepo;
let work: string;
let receiver: WebhookReceiver;

beforeAll(async () => {
  repo = await createGitRepo();
  work = mkdtempSync(join(tmpdir(), "apigw-run-"));
  receiver = await WebhookReceiver.start();
});

afterAll(async () => {
  restoreRepo();
  RunProcess.killAll();
  await receiver.close();
  await repo.remove();
  rmSync(work, { recursive: true, force: true });
  removeChromiumProfiles();
});

/** `reconcile run` on the Git repository's apis/ folder, with its own cache and state under `name`. */
function startRun(name: string, extra: string[] = [], env: Record<string, string> = {}): RunProcess {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const args = ["--git-url", repo.url, "--git-ref", "main", "--git-path", "apis", "--git-cache-dir", join(dir, "git"), "--state-file", join(dir, "state.json"), "--listen", "127.0.0.1:0", "--jitter", "0s", ...extra];
  return new RunProcess(emulator, args, env);
}

let hidden = false;
function hideRepo(): void {
  renameSync(repo.bareDir, `${repo.bareDir}.moved`);
  hidden = true;
}
function restoreRepo(): void {
  if (hidden) renameSync(`${repo.bareDir}.moved`, repo.bareDir);
  hidden = false;
}

function sign(body: string): string {
  return `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
}

function pushBody(sha: string, ref = "refs/heads/main"): string {
  return JSON.stringify({ ref, after: sha, repository: { full_name: "example/apis" } });
}

async function writesSince(): Promise<Record<string, number>> {
  return writeCalls(await emulator.calls());
}

describe("reconcile run: a Git-driven loop", () => {
  afterAll(() => restoreRepo());

  it("applies each commit within two ticks, heals drift, and writes nothing while the source or revision is broken", async () => {
    await emulator.reset();
    const first = await repo.commit({ "apis/s3-proxy-api.yaml": seedApi, "apis/s3-proxy-role.yaml": seedRole, "README.md": "not a manifest" });
    const run = startRun("loop", ["--interval", "1s", "--alert-webhook", receiver.url("/alerts")]);
    const created = await run.nextPass((l) => l.result === "success" && l.revision === first, 90_000);
    expect(created.changes?.create).toBeGreaterThan(50);

    // A commit: applied by the first or second pass after it (a pass already running may finish first).
    const before = run.passes().length;
    const second = await repo.commit({ "apis/s3-proxy-api.yaml": withWebp });
    const applied = await run.nextPass((l) => l.revision === second, 30_000);
    expect(applied.result).toBe("success");
    expect(run.passes().length - before - 1, "passes between the commit and its apply").toBeLessThanOrEqual(1);
    expect(applied.changes?.update).toBe(1);
    expect(applied.changes?.redeploy).toBe(1);
    const api = await theApi(aws.apigw);
    const deployments = (await aws.apigw.send(new GetDeploymentsCommand({ restApiId: api.id, limit: 500 }))).items ?? [];
    expect(deployments.map((d) => d.description ?? "")).toContainEqual(expect.stringContaining(`revision ${second}`));
    const page = await (await fetch(await run.url())).text();
    expect(page).toContain(second.slice(0, 12));
    const report = await (await fetch(`${await run.url()}/report`)).text();
    expect(report).toContain(`from revision <code>${second}</code>`);

    // Drift by hand: healed by the next pass, which says it was drift.
    await aws.apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: "replace", path: "/description", value: "changed by hand" }] }));
    const healed = await run.nextPass((l) => (l.drift ?? 0) > 0, 30_000);
    expect(healed.result).toBe("success");
    expect((await aws.apigw.send(new GetRestApiCommand({ restApiId: api.id }))).description).toBe("Amazon S3 proxy (AWS tutorial sample API)");

    // The repository unreadable: drift-only passes against the last good revision, no write, one alert.
    receiver.clear();
    hideRepo();
    const unavailable = await run.nextPass((l) => l.result === "source-unavailable", 30_000);
    await emulator.resetCalls();
    await run.nextPass();
    await run.nextPass();
    expect(unavailable.revision).toBe(second);
    expect(unavailable.kind).toBe("drift");
    expect(await writesSince()).toEqual({});
    const sourceAlerts = receiver.posts.filter((p) => (p.body as { event?: string } | undefined)?.event === "source-unavailable.detected");
    expect(sourceAlerts).toHaveLength(1);
    expect((sourceAlerts[0]?.body as { message?: string }).message).toMatch(/does not appear to be a git repository/);

    // Back, then a broken commit: no write, one alert naming file and line; a fixed commit is applied.
    restoreRepo();
    await run.nextPass((l) => l.result === "success", 30_000);
    receiver.clear();
    const bad = await repo.commit({ "apis/s3-proxy-api.yaml": broken });
    const invalid = await run.nextPass((l) => l.result === "invalid-revision", 30_000);
    expect(invalid.error).toContain(`revision ${bad}: apis/s3-proxy-api.yaml:${BROKEN_LINE}:`);
    await emulator.resetCalls();
    await run.nextPass();
    await run.nextPass();
    expect(await writesSince()).toEqual({});
    const revisionAlerts = receiver.posts.filter((p) => (p.body as { event?: string } | undefined)?.event === "invalid-revision.detected");
    expect(revisionAlerts).toHaveLength(1);
    expect((revisionAlerts[0]?.body as { message?: string }).message).toContain(`apis/s3-proxy-api.yaml:${BROKEN_LINE}:`);
    const fixed = await repo.commit({ "apis/s3-proxy-api.yaml": seedApi });
    const fixedPass = await run.nextPass((l) => l.revision === fixed, 30_000);
    expect(fixedPass.result).toBe("success");
    expect(fixedPass.changes?.update).toBe(1);

    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.stderr).toBe("");
  });
});

describe("reconcile run: push webhook, probes, metrics and the status page", () => {
  let run: RunProcess;
  let base: string;

  beforeAll(async () => {
    // An hour between ticks: every pass after the first is one a push asked for.
    run = startRun("hooks", ["--interval", "1h"], { APIGW_RECONCILER_WEBHOOK_SECRET: SECRET });
    base = await run.url();
    await run.nextPass(() => true, 90_000);
  });

  afterAll(() => run.signal("SIGKILL"));

  it("a signed push runs a pass at once; a wrongly signed one gets 401 and runs none", async () => {
    const sha = await repo.commit({ "apis/s3-proxy-api.yaml": withWebp });
    const body = pushBody(sha);
    const accepted = await fetch(`${base}/hooks/git`, { method: "POST", body, headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": sign(body) } });
    expect(accepted.status).toBe(202);
    const pass = await run.nextPass((l) => l.revision === sha, 30_000);
    expect(pass.result).toBe("success");

    const passes = run.passes().length;
    const forged = await fetch(`${base}/hooks/git`, { method: "POST", body, headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": sign(body + " ") } });
    expect(forged.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(run.passes().length).toBe(passes);
    expect(run.lines.filter((l) => l.msg === "pass requested")).toHaveLength(1);
  });

  it("/healthz and /readyz answer; /metrics has every documented metric", async () => {
    expect(await (await fetch(`${base}/healthz`)).text()).toMatch(/ok/);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const scrape = await (await fetch(`${base}/metrics`)).text();
    // Every documented metric is declared (a labelled gauge such as drifted_objects has no sample without drift).
    const declared = new Map([...scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    for (const metric of METRICS) expect(declared.get(METRIC_PREFIX + metric.name), metric.name).toBe(metric.type);
    expect(scrape).toMatch(/apigw_reconciler_passes_total\{result="success"\} [1-9]/);
    expect(scrape).toMatch(/apigw_reconciler_aws_calls_total\{operation="GetRestApis",error=""\} [1-9]/);
    expect(scrape).toContain("process_resident_memory_bytes");
    expect(scrape).not.toContain(SECRET);
  });

  it.skipIf(!HAVE_CHROMIUM)(`the status page in headless Chromium: facts, passes and the report link${SKIPPED}`, async () => {
    const { stdout: dom } = await chromium(["--dump-dom", `${base}/`]);
    expect(dom).toContain(repo.url.replace(/^file:\/\//, "file://"));
    const rows = [...dom.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((m) => (m[1] ?? "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.some((r) => r.includes("success"))).toBe(true);
    expect(dom).toMatch(/href="report"/);
    const artifacts = join(REPO, "test", "artifacts");
    mkdirSync(artifacts, { recursive: true });
    await chromium(["--window-size=1280,900", `--screenshot=${join(artifacts, "status-page.png")}`, `${base}/`]);
    expect(readFileSync(join(artifacts, "status-page.png")).subarray(1, 4).toString()).toBe("PNG");
    void CHROMIUM;
  });
});

describe("reconcile run: SIGTERM during an apply", () => {
  it("exits 0 within the grace period; the next pass converges with no duplicate", async () => {
    await emulator.reset();
    await emulator.configure({ latencyMs: 40 });
    try {
      const sha = await repo.commit({ "apis/s3-proxy-api.yaml": seedApi });
      const run = startRun("sigterm", ["--interval", "1h", "--shutdown-grace", "25s"]);
      // Wait until the apply has written part of the API, then stop it.
      for (let i = 0; i < 600; i++) {
        const writes = Object.values(await writesSince()).reduce((a, b) => a + b, 0);
        if (writes >= 15) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const stopped = Date.now();
      run.signal("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(Date.now() - stopped).toBeLessThan(25_000);
      const report = run.passes().at(-1);
      expect(report?.result).toBe("aborted");

      const again = startRun("sigterm", ["--once"]);
      expect(await again.exited, again.describe()).toBe(0);
      expect(again.passes().at(-1)).toMatchObject({ result: "success", revision: sha });
      const check = startRun("sigterm", ["--once", "--mode", "observe"]);
      expect(await check.exited).toBe(0);
      expect(check.passes().at(-1)?.changes).toEqual({ create: 0, update: 0, delete: 0, replace: 0, redeploy: 0 });
      await theApi(aws.apigw); // exactly one API owned by the manifest

      // `run --once` (a CronJob's pass) stopped the same way: the pass ends early, the lease is given back.
      await emulator.reset();
      const once = startRun("sigterm-once", ["--once"]);
      for (let i = 0; i < 600 && Object.keys(await writesSince()).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      once.signal("SIGTERM");
      expect(await once.exited).toBe(1);
      expect(once.passes().at(-1)?.result).toBe("aborted");
      expect(existsSync(join(work, "sigterm-once", "state.json.lock"))).toBe(false);
    } finally {
      await emulator.configure({ latencyMs: 0 });
    }
  });
});
