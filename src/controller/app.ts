// `reconcile run` assembled: the AWS gateway (quota buckets for the life of the process), the manifest
// source (Git or local paths), the state store and its lease, metrics, problem alerts, the HTTP server
// and the loop. The CLI turns flags into RunOptions and owns signals and the exit code.
import type { Logger } from "pino";
import type { AwsOptions } from "../aws/gateway.ts";
import { Gateways } from "../aws/targets.ts";
import type { PassReport } from "../engine/pass-report.ts";
import { DEFAULT_DELIVERY, deliverAlerts } from "../notify/deliver.ts";
import { problemPayload, type AlertFormat } from "../notify/payloads.ts";
import { openLease } from "../state/lease.ts";
import { storeAccess } from "../state/access.ts";
import { openStateStore } from "../state/store.ts";
import { GitSource } from "./git-source.ts";
import { Controller, type ControllerConfig, type ManifestSource, type PassListener } from "./loop.ts";
import { ControllerMetrics } from "./metrics.ts";
import type { Problem, SourceRevision } from "./revisions.ts";
import { startServer, type ControllerServer } from "./server.ts";
import type { Ticker } from "./schedule.ts";

export interface GitOptions {
  url: string;
  ref: string;
  path: string;
  cacheDir: string;
}

export interface RunOptions {
  pass: ControllerConfig["pass"];
  aws: AwsOptions;
  /** Local manifests, used when there is no Git source. */
  manifests: string[];
  sourceRevision?: string;
  git?: GitOptions;
  ticker: Ticker;
  jitterMs: number;
  listen: string;
  webhookSecret?: string;
  stateLocation: string;
  lockTtlMs: number;
  log: Logger;
}

export interface RunningController {
  controller: Controller;
  server: ControllerServer | undefined;
  /** Starts the schedule (not needed for runOnce). */
  start(): void;
  /** Stops the loop within `graceMs`, closes the server and clients; true when the running pass finished in time. */
  stop(graceMs: number): Promise<boolean>;
}

export async function createController(options: RunOptions, serve: boolean): Promise<RunningController> {
  const gateways = new Gateways(options.aws);
  const gateway = gateways.for(undefined);
  const endpoint = options.aws.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const s3 = { s3: { ...(options.aws.region ? { region: options.aws.region } : {}), ...(endpoint ? { endpoint } : {}), ...(options.aws.profile ? { profile: options.aws.profile } : {}) } };
  const store = openStateStore(options.stateLocation, s3);
  const lease = openLease(options.stateLocation, { ...s3, ttlMs: options.lockTtlMs, owner: options.pass.owner });
  const metrics = new ControllerMetrics();
  const source = manifestSource(options);
  const listener = passListener(metrics, options);
  const config: ControllerConfig = { pass: options.pass, ticker: options.ticker, jitterMs: options.jitterMs, leaseRenewMs: Math.max(1_000, options.lockTtlMs / 3), maxBackoffTicks: 32, historySize: 50 };
  const controller = new Controller(config, { gateway, gatewayFor: (target) => gateways.for(target), state: storeAccess(store), source, lease, listener, log: options.log });
  const server = serve ? await startServer(serverOptions(controller, metrics, options, source.description)) : undefined;
  let stopped: Promise<boolean> | undefined;
  const stopAll = async (graceMs: number): Promise<boolean> => {
    const clean = await controller.stop(graceMs);
    await server?.close();
    gateways.destroy();
    store.close();
    lease.close();
    return clean;
  };
  return {
    controller,
    server,
    start: () => controller.start(),
    // Once: a signal and the end of `run --once` may both ask.
    stop: (graceMs) => (stopped ??= stopAll(graceMs)),
  };
}

function serverOptions(controller: Controller, metrics: ControllerMetrics, options: RunOptions, source: string): Parameters<typeof startServer>[0] {
  const ref = options.git?.ref ?? "";
  return {
    listen: options.listen,
    metrics,
    log: options.log,
    view: {
      readiness: () => controller.readiness(),
      passes: () => controller.history,
      facts: () => ({
        source,
        ref: ref || "(local manifests)",
        ...(controller.revision ? { revision: controller.revision } : {}),
        mode: options.pass.mode,
        writer: controller.history[0]?.writer ?? false,
        schedule: options.ticker.description,
      }),
    },
    webhook: { secret: options.webhookSecret, watchedRef: ref || "main", onPush: (push) => controller.trigger(`push ${push.provider} ${push.ref}`) },
  };
}

/** Git (a checkout per commit) or the local manifest paths. */
function manifestSource(options: RunOptions): ManifestSource {
  if (!options.git) {
    const revision = options.sourceRevision;
    return {
      description: options.manifests.join(", "),
      latest: () => Promise.resolve({ manifests: options.manifests, ...(revision ? { revision } : {}) }),
    };
  }
  const git = new GitSource(options.git);
  return {
    description: git.displayUrl,
    async latest(signal): Promise<SourceRevision> {
      const revision = await git.latest(signal);
      return { revision: revision.sha, manifests: [revision.manifestsDir], root: revision.root };
    },
    retain: (revision) => git.retain(revision),
  };
}

function passListener(metrics: ControllerMetrics, options: RunOptions): PassListener {
  return {
    passFinished(report: PassReport) {
      metrics.recordPass(report);
      if (report.revision) metrics.setRevision(report.revision);
    },
    tickSkipped: (reason) => metrics.recordSkippedTick(reason),
    problemChanged: (problem, previous) => announceProblem(problem, previous, options),
  };
}

/** One alert when a problem appears (or changes), one when it is gone. */
async function announceProblem(problem: Problem | undefined, previous: Problem | undefined, options: RunOptions): Promise<void> {
  const log = options.log;
  if (problem) log.error({ problem: problem.kind, revision: problem.revision }, `${problem.kind}: ${problem.message}`);
  else if (previous) log.info({ problem: previous.kind }, `${previous.kind} resolved`);
  const { webhooks, format } = options.pass.alerts;
  if (webhooks.length === 0) return;
  const payloads = [
    ...(previous && previous.kind !== problem?.kind ? [alertOf(previous, "resolved", format)] : []),
    ...(problem ? [alertOf(problem, "detected", format)] : []),
  ];
  if (payloads.length > 0) await deliverAlerts(webhooks, payloads, { ...DEFAULT_DELIVERY, log: (line) => log.warn(line) });
}

function alertOf(problem: Problem, state: "detected" | "resolved", format: AlertFormat): unknown {
  return problemPayload({ kind: problem.kind, message: problem.message, state, ...(problem.revision ? { revision: problem.revision } : {}) }, format, {});
}
