// The controller: runs the same pass as `reconcile apply` on a schedule and on push, never two at once,
// backing off after failures, with one writer among all replicas (the lease), and a clean stop.
// What the source, the lease, the metrics and the alerts are is decided by the caller (cli/run.ts).
import type { Logger } from "pino";
import { noCalls } from "../aws/recorder.ts";
import { sleep } from "../sleep.ts";
import { keepRenewed } from "../state/lease.ts";
import type { Gateway } from "../aws/gateway.ts";
import { runPass, type PassConfig, type PassDeps, type StateAccess } from "../engine/pass.ts";
import type { PassReport } from "../engine/pass-report.ts";
import type { Ticker } from "./schedule.ts";
import { nextPass, type Problem, type SourceRevision } from "./revisions.ts";

/** Where the manifests come from: a Git checkout per commit, or local paths. */
export interface ManifestSource {
  readonly description: string;
  /** The manifests as they are now; throws SourceUnavailableError when they cannot be read. */
  latest(signal?: AbortSignal): Promise<SourceRevision>;
  /** Keep this revision's files while newer ones come and go: drift is reported against it if they break. */
  retain?(revision: string | undefined): void;
}

/** The single-writer lease; a process without it observes and reports only. */
export interface WriteLease {
  acquire(signal?: AbortSignal): Promise<boolean>;
  /** false: the lock is no longer ours; throws when the store could not be reached. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
  /** We hold the lock and, by our clock, it has not expired. */
  held(): boolean;
  /** Who holds the lock now, for the message of a process that only observes. */
  holder?(): Promise<{ holder: string; expiresAt: string } | undefined>;
}

/** Who hears about each pass: metrics, the status page, problem alerts. */
export interface PassListener {
  passFinished(report: PassReport): void;
  tickSkipped(reason: "overlap" | "backoff"): void;
  problemChanged?(problem: Problem | undefined, previous: Problem | undefined): Promise<void> | void;
}

export interface ControllerConfig {
  pass: Omit<PassConfig, "kind" | "manifests" | "revision">;
  ticker: Ticker;
  /** A scheduled pass starts after a random delay up to this, so that replicas and fleets spread out. */
  jitterMs: number;
  /** Renew the lease this often while a pass runs. */
  leaseRenewMs: number;
  /** Backoff after n consecutive failed passes: skip 2^(n-1) - 1 ticks, at most this many. */
  maxBackoffTicks: number;
  historySize: number;
}

export interface ControllerDeps {
  gateway: Gateway;
  /** Gateways of other accounts and Regions (spec.assumeRoleArn, spec.region). */
  gatewayFor?: PassDeps["gatewayFor"];
  state: StateAccess;
  source: ManifestSource;
  lease: WriteLease;
  listener: PassListener;
  log: Logger;
  /** The pass itself; tests give a stand-in. Default: the one pass of `reconcile apply`. */
  runPass?: typeof runPass;
}

export class Controller {
  readonly history: PassReport[] = [];
  private running: Promise<PassReport> | undefined;
  private triggered = false;
  private stopping = new AbortController();
  private failures = 0;
  private ticksToSkip = 0;
  private lastGood: SourceRevision | undefined;
  private problem: Problem | undefined;
  private lastSuccessAt: number | undefined;
  private writer: boolean | undefined;
  /** Set while a scheduled pass waits out its start jitter: a push cuts it short. */
  private jitter: AbortController | undefined;
  /** Stops the background renewal of a held lease (set from the first pass that took it). */
  private stopRenewal: (() => void) | undefined;
  /** Aborts the running pass when the lease is lost under it. */
  private passLost: AbortController | undefined;

  constructor(
    private readonly config: ControllerConfig,
    private readonly deps: ControllerDeps,
  ) {}

  /** Starts the schedule; the first pass runs at once (after the jitter). */
  start(): void {
    this.config.ticker.start(() => this.tick());
    this.tick();
  }

  /** A push: a pass now (no jitter, no backoff), or right after the one running. */
  trigger(reason: string): void {
    if (this.stopping.signal.aborted) return;
    this.deps.log.info({ reason }, "pass requested");
    // A pass still waiting out its start jitter starts now; one already running is followed by another.
    if (this.jitter && !this.jitter.signal.aborted) this.jitter.abort();
    else if (this.running) this.triggered = true;
    else void this.launch(0);
  }

  /** One pass now, with the controller's sources and reporting (`run --once`). */
  async runOnce(): Promise<PassReport> {
    return this.launch(0);
  }

  /** Ready when a pass succeeded within three periods of the schedule. */
  readiness(now = Date.now()): { ready: boolean; reason: string } {
    if (this.lastSuccessAt === undefined) return { ready: false, reason: "no pass has succeeded yet" };
    const age = now - this.lastSuccessAt;
    const limit = 3 * this.config.ticker.periodMs;
    return age <= limit ? { ready: true, reason: "ok" } : { ready: false, reason: `last successful pass ${Math.round(age / 1000)} s ago (limit ${Math.round(limit / 1000)} s)` };
  }

  get revision(): string | undefined {
    return this.lastGood?.revision;
  }

  /**
   * Stops scheduling, tells the running pass to stop (calls in flight finish, the rest is skipped, its
   * report and state are written), waits up to `graceMs`, then gives the lease back.
   * Resolves true when everything finished within the grace period.
   */
  async stop(graceMs: number): Promise<boolean> {
    this.config.ticker.stop();
    this.stopRenewing();
    this.stopping.abort();
    const running = this.running;
    // The grace timer is cancelled once the pass ends, or it would keep the process alive until it fires.
    const graceOver = new AbortController();
    const finished = running ? await Promise.race([running.then(() => true, () => true), sleep(graceMs, graceOver.signal).then(() => false)]) : true;
    graceOver.abort();
    if (finished) await this.deps.lease.release().catch((error: unknown) => this.deps.log.warn({ err: String(error) }, "could not release the lease"));
    return finished;
  }

  private tick(): void {
    if (this.stopping.signal.aborted) return;
    if (this.running) {
      this.deps.listener.tickSkipped("overlap");
      this.deps.log.warn("tick skipped: the previous pass is still running");
      return;
    }
    if (this.ticksToSkip > 0) {
      this.ticksToSkip--;
      this.deps.listener.tickSkipped("backoff");
      return;
    }
    void this.launch(Math.random() * this.config.jitterMs);
  }

  private launch(delayMs: number): Promise<PassReport> {
    const pass = (async () => {
      if (delayMs > 0) {
        this.jitter = new AbortController();
        await sleep(delayMs, AbortSignal.any([this.stopping.signal, this.jitter.signal]));
        this.jitter = undefined;
      }
      if (this.stopping.signal.aborted) return stoppedBeforeStart(this.config.pass.mode);
      return this.passWithLease();
    })();
    this.running = pass;
    void pass.then(
      (report) => this.finished(report),
      (error: unknown) => this.crashed(error),
    );
    return pass;
  }

  private finished(report: PassReport): void {
    this.running = undefined;
    // Reporting must never take the loop down (an exception here would end the process, lease held).
    try {
      this.record(report);
    } catch (error) {
      this.deps.log.error({ err: error instanceof Error ? error.stack : String(error) }, "recording the pass failed");
    }
    if (this.triggered && !this.stopping.signal.aborted) {
      this.triggered = false;
      void this.launch(0);
    }
  }

  /** After n failed passes in a row, the next 2^(n-1) - 1 ticks are skipped (pushes are not). */
  private backOff(): void {
    this.failures++;
    this.ticksToSkip = Math.min(2 ** (this.failures - 1) - 1, this.config.maxBackoffTicks);
  }

  private crashed(error: unknown): void {
    this.running = undefined;
    this.backOff();
    this.deps.log.error({ err: error instanceof Error ? error.stack : String(error) }, "pass crashed");
  }

  /**
   * Takes (or keeps) the lease for the pass. Once held it is renewed in the background, between passes
   * too, so that replicas do not take turns; a lease lost during a pass stops the pass like a shutdown.
   */
  private async passWithLease(): Promise<PassReport> {
    const lost = new AbortController();
    const signal = AbortSignal.any([this.stopping.signal, lost.signal]);
    const writer = await this.deps.lease.acquire(signal).catch((error: unknown) => {
      this.deps.log.warn({ err: String(error) }, "could not acquire the write lease: this pass only observes");
      return false;
    });
    if (writer !== this.writer) await this.announceWriter(writer);
    if (writer && !this.stopRenewal && !this.stopping.signal.aborted) {
      // Renewing never keeps the process alive on its own (a crashed `run --once` must still exit).
      this.stopRenewal = keepRenewed(this.deps.lease, { intervalMs: this.config.leaseRenewMs, onLost: () => this.leaseLost() });
    }
    this.passLost = lost;
    try {
      return await this.passFromSource(writer, signal);
    } finally {
      this.passLost = undefined;
    }
  }

  /** Says once, when it changes, whether this process writes or only observes (and who writes instead). */
  private async announceWriter(writer: boolean): Promise<void> {
    this.writer = writer;
    if (writer) return void this.deps.log.info("holding the write lease: this process applies changes");
    const holder = await this.deps.lease.holder?.().catch(() => undefined);
    const who = holder ? `${holder.holder} (until ${holder.expiresAt})` : "another controller";
    this.deps.log.warn({ holder: holder?.holder }, `the write lease is held by ${who}: this process reports drift only, it writes nothing`);
  }

  private leaseLost(): void {
    this.stopRenewal = undefined;
    this.writer = undefined;
    if (this.passLost && !this.passLost.signal.aborted) {
      this.deps.log.error("the write lease was lost during the pass: stopping its writes");
      this.passLost.abort();
    } else this.deps.log.warn("the write lease was lost between passes: the next pass tries to take it again");
  }

  private stopRenewing(): void {
    this.stopRenewal?.();
    this.stopRenewal = undefined;
  }

  private async passFromSource(writer: boolean, signal: AbortSignal): Promise<PassReport> {
    const pass = this.deps.runPass ?? runPass;
    const run = (kind: PassConfig["kind"], source: SourceRevision) =>
      pass(
        { ...this.config.pass, kind, manifests: source.manifests, ...(source.revision ? { revision: source.revision } : {}), ...(source.root ? { manifestRoot: source.root } : {}) },
        {
          gateway: this.deps.gateway,
          ...(this.deps.gatewayFor ? { gatewayFor: this.deps.gatewayFor } : {}),
          state: this.deps.state,
          signal,
          writer,
          stillWriter: () => writer && this.passLost?.signal.aborted !== true,
          warn: (line) => this.deps.log.warn(line),
        },
      );
    const outcome = await nextPass(this.deps.source, this.lastGood, run, signal);
    if (outcome.good) {
      this.lastGood = outcome.good;
      this.deps.source.retain?.(outcome.good.revision);
    }
    await this.setProblem(outcome.problem);
    return outcome.report;
  }

  private async setProblem(problem: Problem | undefined): Promise<void> {
    // The writer announces problems; replicas that only observe would send the same alert again.
    if (this.writer !== true) return;
    const previous = this.problem;
    this.problem = problem;
    if (previous?.fingerprint === problem?.fingerprint) return;
    await Promise.resolve(this.deps.listener.problemChanged?.(problem, previous)).catch((error: unknown) =>
      this.deps.log.error({ err: String(error) }, "announcing the problem failed"),
    );
  }

  private record(report: PassReport): void {
    this.history.unshift(report);
    this.history.length = Math.min(this.history.length, this.config.historySize);
    if (report.result === "success") {
      this.failures = 0;
      this.ticksToSkip = 0;
      this.lastSuccessAt = Date.parse(report.startedAt) + report.durationMs;
    } else if (report.result !== "aborted") this.backOff();
    this.deps.listener.passFinished(report);
    logPass(this.deps.log, report);
  }
}

function stoppedBeforeStart(mode: "heal" | "observe"): PassReport {
  const calls = noCalls();
  return { kind: "apply", result: "aborted", startedAt: new Date().toISOString(), durationMs: 0, writer: false, mode, error: "stopped before the pass started", calls };
}

/** One line per pass: revision, result, counts, duration. */
function logPass(log: Logger, report: PassReport): void {
  const summary = report.plan?.summary;
  const drift = report.plan?.changes.filter((c) => c.cause === "drift").length ?? 0;
  const fields = {
    revision: report.revision,
    result: report.result,
    kind: report.kind,
    mode: report.mode,
    writer: report.writer,
    durationMs: Math.round(report.durationMs),
    changes: summary,
    drift,
    calls: report.calls.total,
    writes: report.calls.writes,
    ...(report.error ? { error: report.error } : {}),
    // --changes-from cloudtrail: a full scan says why (first pass, manifests changed, LookupEvents failed…).
    ...(report.scan ? { scan: report.scan.mode, scanReason: report.scan.reason, reread: report.scan.reread, reused: report.scan.reused } : {}),
  };
  if (report.result === "success") log.info(fields, "pass finished");
  else log.error(fields, "pass did not succeed");
}
