// Prometheus metrics of the controller. Each instance owns its registry (not prom-client's global one)
// so tests, and a process that ever runs two loops, never collide on metric names.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { THROTTLED } from "../aws/errors.ts";
import type { CallCounts } from "../aws/recorder.ts";
import type { PassReport, PassResult } from "../engine/pass-report.ts";
import { kindOfChange } from "../kinds/index.ts";
import type { Change, PlanSummary } from "../model/changes.ts";

export const METRIC_PREFIX = "apigw_reconciler_";

export interface MetricDoc {
  name: string;
  type: "counter" | "gauge" | "histogram";
  labels: readonly string[];
  help: string;
}

/** Every metric of the controller (without the process defaults), for the README and a scrape test. */
export const METRICS = [
  { name: "passes_total", type: "counter", labels: ["result"], help: "Passes finished, by result (success, failed, source-unavailable, invalid-revision, aborted)." },
  { name: "pass_duration_seconds", type: "histogram", labels: [], help: "Duration of a pass, from start to report." },
  { name: "drifted_objects", type: "gauge", labels: ["api", "kind"], help: "Objects changed out of band, from the last pass that planned: api is the RestApi name, or role/NAME for IAM kinds." },
  { name: "planned_changes", type: "gauge", labels: ["action"], help: "Changes of the last pass that planned, by action (create, update, delete, replace, redeploy)." },
  { name: "operations_total", type: "counter", labels: ["status"], help: "Write operations executed, by status (applied, failed, skipped)." },
  { name: "aws_calls_total", type: "counter", labels: ["operation", "error"], help: "AWS API calls, each attempt counted (retries included), by operation and error name (error=\"\" for calls that succeeded)." },
  { name: "aws_call_errors_total", type: "counter", labels: ["error"], help: "AWS API calls that failed, by error name (all operations together)." },
  { name: "aws_throttled_calls_total", type: "counter", labels: [], help: "AWS API calls refused by throttling (TooManyRequestsException, Throttling, ThrottlingException, RequestLimitExceeded, SlowDown)." },
  { name: "skipped_ticks_total", type: "counter", labels: ["reason"], help: "Scheduled ticks skipped: overlap (the previous pass was still running) or backoff (after failures)." },
  { name: "last_success_timestamp_seconds", type: "gauge", labels: [], help: "Unix time the last successful pass finished." },
  { name: "last_pass_timestamp_seconds", type: "gauge", labels: [], help: "Unix time the last pass finished, whatever its result." },
  { name: "source_revision_info", type: "gauge", labels: ["revision"], help: "1 for the Git revision of the manifests the controller currently reconciles to." },
  { name: "writer", type: "gauge", labels: [], help: "1 while this process holds the write lease, 0 while it only observes." },
] as const satisfies readonly MetricDoc[];

type MetricName = (typeof METRICS)[number]["name"];

const RESULTS: readonly PassResult[] = ["success", "failed", "source-unavailable", "invalid-revision", "aborted"];
export type SkipReason = "overlap" | "backoff";
const SKIP_REASONS: readonly SkipReason[] = ["overlap", "backoff"];
const ACTIONS: readonly (keyof PlanSummary)[] = ["create", "update", "delete", "replace", "redeploy"];
/** A pass takes from well under a second (nothing to do) to many minutes (IAM settling, big APIs). */
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Revisions are commit ids; anything longer is cut so a hostile value cannot bloat every scrape. */
const MAX_REVISION_LENGTH = 64;

function config<N extends MetricName>(name: N, registry: Registry) {
  const doc = METRICS.find((m) => m.name === name) as MetricDoc;
  return { name: METRIC_PREFIX + doc.name, help: doc.help, labelNames: [...doc.labels], registers: [registry] };
}

/** The label of a change's API or role: manifest names have no '/', so role/NAME cannot collide with an API. */
export function driftLabel(change: Change): string {
  const kind = kindOfChange(change);
  return kind.metricLabel(change.id[kind.root] ?? "");
}

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly passes = new Counter(config("passes_total", this.registry));
  private readonly duration = new Histogram({ ...config("pass_duration_seconds", this.registry), buckets: DURATION_BUCKETS });
  private readonly drifted = new Gauge(config("drifted_objects", this.registry));
  private readonly planned = new Gauge(config("planned_changes", this.registry));
  private readonly operations = new Counter(config("operations_total", this.registry));
  private readonly awsCalls = new Counter(config("aws_calls_total", this.registry));
  private readonly awsErrors = new Counter(config("aws_call_errors_total", this.registry));
  private readonly throttled = new Counter(config("aws_throttled_calls_total", this.registry));
  private readonly skippedTicks = new Counter(config("skipped_ticks_total", this.registry));
  private readonly lastSuccess = new Gauge(config("last_success_timestamp_seconds", this.registry));
  private readonly lastPass = new Gauge(config("last_pass_timestamp_seconds", this.registry));
  private readonly revision = new Gauge(config("source_revision_info", this.registry));
  private readonly writer = new Gauge(config("writer", this.registry));

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Every result and status starts at 0 so rate() and alerts see the series before the first failure.
    for (const result of RESULTS) this.passes.inc({ result }, 0);
    for (const status of ["applied", "failed", "skipped"]) this.operations.inc({ status }, 0);
    this.throttled.inc(0);
    for (const reason of SKIP_REASONS) this.skippedTicks.inc({ reason }, 0);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Counts one finished pass; drift and planned changes are replaced only by a pass that planned. */
  recordPass(report: PassReport): void {
    this.passes.inc({ result: report.result });
    this.duration.observe(Math.max(0, report.durationMs) / 1000);
    const started = Date.parse(report.startedAt);
    const finishedSeconds = (Number.isNaN(started) ? Date.now() : started + report.durationMs) / 1000;
    this.lastPass.set(finishedSeconds);
    if (report.result === "success") this.lastSuccess.set(finishedSeconds);
    this.writer.set(report.writer ? 1 : 0);
    this.recordCalls(report.calls);
    for (const outcome of report.outcomes ?? []) this.operations.inc({ status: outcome.status });
    // A pass that stopped before planning knows nothing about drift: the last known values stay.
    if (report.plan) this.recordPlan(report.plan.changes, report.plan.summary);
  }

  recordSkippedTick(reason: SkipReason = "overlap"): void {
    this.skippedTicks.inc({ reason });
  }

  /** The revision the loop now reconciles to; the previous one's series disappears. */
  setRevision(revision: string): void {
    this.revision.reset();
    this.revision.set({ revision: revision.slice(0, MAX_REVISION_LENGTH) }, 1);
  }

  /** Lease changes between passes; recordPass also sets it from the report. */
  setWriter(writer: boolean): void {
    this.writer.set(writer ? 1 : 0);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  private recordCalls(calls: CallCounts): void {
    for (const [operation, count] of Object.entries(calls.byOperation)) {
      const failed = calls.failures?.[operation] ?? {};
      for (const [error, n] of Object.entries(failed)) this.awsCalls.inc({ operation, error }, n);
      const ok = count - Object.values(failed).reduce((a, b) => a + b, 0);
      if (ok > 0) this.awsCalls.inc({ operation, error: "" }, ok);
    }
    let throttled = 0;
    for (const [error, count] of Object.entries(calls.errors)) {
      this.awsErrors.inc({ error }, count);
      if (THROTTLED.has(error)) throttled += count;
    }
    this.throttled.inc(throttled);
  }

  private recordPlan(changes: readonly Change[], summary: PlanSummary): void {
    // reset() drops the series of resolved drift, so an alert on the gauge resolves with it.
    this.drifted.reset();
    for (const change of changes) {
      if (change.cause === "drift") this.drifted.inc({ api: driftLabel(change), kind: change.kind });
    }
    for (const action of ACTIONS) this.planned.set({ action }, summary[action]);
  }
}
