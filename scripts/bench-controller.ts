// npm run bench:controller: what the controller (`reconcile run`) costs while nothing changes, against the
// local emulator (moto on 127.0.0.1, 50 ms latency, API Gateway quotas enforced), with the seed manifests
// and its state and lease in moto's S3: AWS calls per tick by service, tick-to-tick pass duration, the
// resident memory of the process after N ticks, and the time from a signed push to the end of its pass.
// Figures, not asserts.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { startEmulator } from "../test/emulator/emulator.ts";
import { median, table } from "./bench-lib.ts";

const TICKS = Number.parseInt(process.argv[2] ?? "20", 10);
const SECRET = "bench-secret";
const progress = (text: string) => void process.stderr.write(`[bench:controller] ${text}\n`);

interface Line {
  msg: string;
  durationMs?: number;
  calls?: number;
  writes?: number;
  listen?: string;
}

const emulator = await startEmulator({ latencyMs: 50, quota: true });
try {
  const s3 = new S3Client({ endpoint: emulator.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
  await s3.send(new CreateBucketCommand({ Bucket: "bench-state" }));
  s3.destroy();
  const lines: Line[] = [];
  const env = { ...process.env, ...emulator.env, APIGW_RECONCILER_WEBHOOK_SECRET: SECRET };
  // Ticks every 1 s: a push that arrives during a pass runs right after it, so its figure includes that wait.
  const args = ["bin/reconcile.js", "run", "-m", "manifests", "--interval", "1s", "--jitter", "0s", "--state-file", "s3://bench-state/state.json", "--listen", "127.0.0.1:0"];
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "inherit"] });
  let partial = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) if (part.startsWith("{")) lines.push(JSON.parse(part) as Line);
  });
  const passes = () => lines.filter((l) => l.msg === "pass finished");
  const waitFor = async (test: () => boolean, what: string) => {
    for (let i = 0; i < 1200 && !test(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    if (!test()) throw new Error(`timed out waiting for ${what}`);
  };
  progress("first pass: creating the seed API and role");
  await waitFor(() => passes().length >= 2, "the first passes");
  await emulator.resetCalls();
  const from = passes().length;
  progress(`${TICKS} no-op ticks`);
  await waitFor(() => passes().length >= from + TICKS, `${TICKS} ticks`);
  const log = await emulator.calls();
  const noop = passes().slice(from, from + TICKS);
  const byService: Record<string, number> = {};
  for (const entry of log.log) byService[entry.op.split(":")[0] ?? "?"] = (byService[entry.op.split(":")[0] ?? "?"] ?? 0) + 1;
  const statm = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(statm)?.[1] ?? "0");
  const hwmKiB = Number(/VmHWM:\s+(\d+)/.exec(statm)?.[1] ?? "0");

  // A push: time from the webhook's answer to the end of the pass it started.
  const url = String(lines.find((l) => l.msg === "controller started")?.listen);
  const body = JSON.stringify({ ref: "refs/heads/main", after: "1".repeat(40) });
  const before = passes().length;
  const pushed = Date.now();
  const answer = await fetch(`${url}/hooks/git`, { method: "POST", body, headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}` } });
  await waitFor(() => passes().length > before, "the pushed pass");
  const pushSeconds = (Date.now() - pushed) / 1000;
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));

  const perTick = (n: number) => (n / TICKS).toFixed(1);
  const rows = [
    ["no-op ticks measured", String(TICKS)],
    ["AWS config calls per tick (API Gateway + IAM)", perTick((byService.apigateway ?? 0) + (byService.iam ?? 0))],
    ["S3 calls per tick (lease acquire/renew, state)", perTick(byService.s3 ?? 0)],
    ["writes per tick (reported by the passes)", perTick(noop.reduce((a, l) => a + (l.writes ?? 0), 0))],
    ["throttled calls", String(log.throttled)],
    ["pass duration, median (s)", (median(noop.map((l) => l.durationMs ?? 0)) / 1000).toFixed(3)],
    ["RSS after the ticks (MiB)", (rssKiB / 1024).toFixed(0)],
    ["peak RSS (MiB)", (hwmKiB / 1024).toFixed(0)],
    [`signed push → end of its pass (s), HTTP ${answer.status}`, pushSeconds.toFixed(2)],
  ];
  process.stdout.write(`reconcile run, seed manifests, 50 ms emulator latency, quotas on — ${new Date().toISOString().slice(0, 10)}\n`);
  process.stdout.write(table(["figure", "value"], rows) + "\n");
} finally {
  await emulator.stop();
}
