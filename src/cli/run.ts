// `reconcile run`: flags → RunOptions, then the controller until SIGTERM/SIGINT (or one pass with --once).
// Like main.ts, this file only reads argv, prints and sets the exit code; the loop lives in controller/.
import { Option, type Command } from "commander";
import { cronTicker, intervalTicker, parseDuration, type Ticker } from "../controller/schedule.ts";
import { createController, type RunOptions } from "../controller/app.ts";
import { readWebhookSecret } from "../controller/webhook.ts";
import { createLogger, LOG_LEVELS, type LogLevel, type Logger } from "../log.ts";
import { redactGitUrl } from "../controller/git-source.ts";
import { addSourceOptions, addWriteOptions, awsOptionsOf, EXIT, passConfigOf, type ReconcileFlags } from "./main.ts";

interface RunFlags extends ReconcileFlags {
  schedule: string;
  interval?: string;
  jitter?: string;
  once: boolean;
  gitUrl?: string;
  gitRef: string;
  gitPath: string;
  gitCacheDir: string;
  listen: string;
  webhookSecretFile?: string;
  logLevel: LogLevel;
  shutdownGrace: string;
  lockTtl: string;
}

const DEFAULT_GIT_CACHE = ".apigw-reconciler/git";
const WEBHOOK_SECRET_ENV = "APIGW_RECONCILER_WEBHOOK_SECRET";

export function addRunCommand(program: Command, err: (text: string) => void): void {
  const command = addWriteOptions(addSourceOptions(program.command("run").description("the controller: a pass now and on every tick of the schedule, and on each signed Git push")))
    .option("--schedule <cron>", "when passes run (cron, 5 or 6 fields)", "*/5 * * * *")
    .option("--interval <duration>", "run a pass every <duration> (e.g. 30s, 5m) instead of --schedule")
    .option("--jitter <duration>", "random delay before each scheduled pass (default: a tenth of the period, at most 30s)")
    .option("--once", "one pass with the controller's source, state, lease and alerts, then exit", false)
    .option("--git-url <url>", "Git repository of the manifests (https, ssh or file://); credentials from git's own mechanisms")
    .option("--git-ref <ref>", "branch, tag or commit to follow", "main")
    .option("--git-path <dir>", "manifests folder inside the repository", ".")
    .option("--git-cache-dir <dir>", "where checkouts are kept (the only place written besides the state)", process.env.APIGW_RECONCILER_GIT_CACHE ?? DEFAULT_GIT_CACHE)
    .option("--listen <host:port>", "HTTP server: /healthz /readyz /metrics / and POST /hooks/git", process.env.APIGW_RECONCILER_LISTEN ?? "127.0.0.1:9464")
    .option("--webhook-secret-file <path>", `secret of the push webhook (default: env ${WEBHOOK_SECRET_ENV}); without one the hook answers 503`)
    .addOption(new Option("--log-level <level>", "log level").choices(LOG_LEVELS).default("info"))
    .option("--shutdown-grace <duration>", "on SIGTERM/SIGINT, how long the running pass may take to stop", "25s")
    .option("--lock-ttl <duration>", "the write lease expires this long after its last renewal", "60s");
  command.action((flags: RunFlags) => runController(flags, err));
}

async function runController(flags: RunFlags, err: (text: string) => void): Promise<void> {
  const secret = await readWebhookSecret({ ...(flags.webhookSecretFile ? { file: flags.webhookSecretFile } : {}), env: WEBHOOK_SECRET_ENV });
  const graceMs = parseDuration(flags.shutdownGrace, "--shutdown-grace", true);
  const log = createLogger({ level: flags.logLevel, secrets: [...flags.alertWebhook, ...(secret ? [secret] : []), ...(flags.gitUrl ? [flags.gitUrl] : [])] });
  const options = runOptionsOf(flags, log, secret);
  const running = await createController(options, !flags.once);
  if (flags.once) {
    // A stop signal (a CronJob's pod being deleted) ends the pass the same way as the loop's: cleanly.
    void untilSignal().then(() => running.stop(graceMs));
    const report = await running.controller.runOnce().finally(() => running.stop(graceMs));
    const changes = report.plan?.changes.length ?? 0;
    process.exitCode = report.result !== "success" ? EXIT.error : flags.detailedExitcode && changes > 0 ? EXIT.changes : EXIT.ok;
    return;
  }
  log.info({ listen: running.server?.url, source: flags.gitUrl ? redactGitUrl(flags.gitUrl) : flags.manifests.join(", "), schedule: options.ticker.description }, "controller started");
  running.start();
  const signal = await untilSignal();
  log.info({ signal }, "stopping: no new pass; the running one finishes its calls in flight");
  const clean = await running.stop(graceMs);
  if (!clean) err(`the running pass did not stop within ${flags.shutdownGrace}\n`);
  log.info({ clean }, "stopped");
  process.exitCode = clean ? EXIT.ok : EXIT.error;
}

function runOptionsOf(flags: RunFlags, log: Logger, webhookSecret: string | undefined): RunOptions {
  const ticker = tickerOf(flags);
  const { kind: _kind, manifests: _manifests, revision: _revision, ...pass } = passConfigOf(flags, "apply");
  return {
    pass,
    aws: awsOptionsOf(flags),
    manifests: flags.manifests,
    ...(flags.sourceRevision ? { sourceRevision: flags.sourceRevision } : {}),
    ...(flags.gitUrl ? { git: { url: flags.gitUrl, ref: flags.gitRef, path: flags.gitPath, cacheDir: flags.gitCacheDir } } : {}),
    ticker,
    jitterMs: flags.jitter !== undefined ? parseDuration(flags.jitter, "--jitter", true) : Math.min(ticker.periodMs / 10, 30_000),
    listen: flags.listen,
    ...(webhookSecret ? { webhookSecret } : {}),
    stateLocation: flags.stateFile,
    lockTtlMs: parseDuration(flags.lockTtl, "--lock-ttl"),
    log,
  };
}

function tickerOf(flags: RunFlags): Ticker {
  return flags.interval !== undefined ? intervalTicker(parseDuration(flags.interval, "--interval")) : cronTicker(flags.schedule);
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      resolve(signal);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
}
