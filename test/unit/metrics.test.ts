// ControllerMetrics from PassReports: counters add up over passes, drift gauges follow the last plan.
import { describe, expect, it } from "vitest";
import type { CallCounts } from "../../src/aws/recorder.ts";
import { ControllerMetrics, driftLabel, METRIC_PREFIX, METRICS } from "../../src/controller/metrics.ts";
import type { PassReport } from "../../src/engine/pass-report.ts";
import { summarize, type Change } from "../../src/model/changes.ts";

const NO_CALLS: CallCounts = { total: 0, writes: 0, byOperation: {}, errors: {} };

function change(kind: Change["kind"], id: Change["id"], cause?: Change["cause"]): Change {
  return { kind, action: "update", id, fields: [], patch: [], ...(cause ? { cause } : {}) };
}

function report(overrides: Partial<PassReport> = {}, changes?: Change[]): PassReport {
  const base: PassReport = { kind: "apply", result: "success", startedAt: "2025-01-02T03:04:05.000Z", durationMs: 1500, writer: true, mode: "heal", calls: NO_CALLS };
  const plan = changes ? { plan: { changes, operations: [], summary: summarize(changes), skipped: [] } } : {};
  return { ...base, ...plan, ...overrides };
}

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

async function samples(metrics: ControllerMetrics, name: string): Promise<Sample[]> {
  const metric = metrics.registry.getSingleMetric(METRIC_PREFIX + name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values as Sample[];
}

async function value(metrics: ControllerMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const all = await samples(metrics, name);
  return all.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;
}

describe("ControllerMetrics", () => {
  it("owns its registry: two instances coexist and count separately", async () => {
    const a = new ControllerMetrics();
    const b = new ControllerMetrics();
    a.recordPass(report());
    expect(await value(a, "passes_total", { result: "success" })).toBe(1);
    expect(await value(b, "passes_total", { result: "success" })).toBe(0);
    expect(await b.render()).toContain("process_cpu_user_seconds_total");
  });

  it("counts passes by result from 0, and observes durations in seconds", async () => {
    const m = new ControllerMetrics();
    expect(await value(m, "passes_total", { result: "failed" })).toBe(0);
    m.recordPass(report({ durationMs: 250 }));
    m.recordPass(report({ result: "failed", durationMs: 90_000 }));
    expect(await value(m, "passes_total", { result: "success" })).toBe(1);
    expect(await value(m, "passes_total", { result: "failed" })).toBe(1);
    const hist = await samples(m, "pass_duration_seconds");
    expect(hist.find((s) => s.metricName?.endsWith("_count"))?.value).toBe(2);
    expect(hist.find((s) => s.metricName?.endsWith("_sum"))?.value).toBeCloseTo(90.25);
    expect(hist.find((s) => s.labels.le === 0.5)?.value).toBe(1);
    expect(hist.find((s) => s.labels.le === 600)?.value).toBe(2);
  });

  it("groups drift by API (role/NAME for IAM) and kind, ignoring pending changes", async () => {
    const m = new ControllerMetrics();
    m.recordPass(report({}, [
      change("Method", { api: "my-s3", path: "/{folder}", httpMethod: "GET" }, "drift"),
      change("Method", { api: "my-s3", path: "/", httpMethod: "GET" }, "drift"),
      change("Integration", { api: "my-s3", path: "/", httpMethod: "GET" }, "pending"),
      change("Stage", { api: "other", stage: "prod" }, "drift"),
      change("RolePolicy", { role: "apig-aws-proxy-role", policy: "s3" }, "drift"),
      change("Deployment", { api: "my-s3", stage: "prod" }),
    ]));
    expect(await samples(m, "drifted_objects")).toEqual([
      { labels: { api: "my-s3", kind: "Method" }, value: 2 },
      { labels: { api: "other", kind: "Stage" }, value: 1 },
      { labels: { api: "role/apig-aws-proxy-role", kind: "RolePolicy" }, value: 1 },
    ]);
    expect(await value(m, "planned_changes", { action: "update" })).toBe(5);
    expect(await value(m, "planned_changes", { action: "redeploy" })).toBe(1);
  });

  it("resolved drift disappears on the next planned pass; a pass that did not plan keeps the last known drift", async () => {
    const m = new ControllerMetrics();
    m.recordPass(report({}, [change("Method", { api: "my-s3", path: "/", httpMethod: "GET" }, "drift")]));
    m.recordPass(report({ result: "source-unavailable", error: "git fetch failed" }));
    expect(await value(m, "drifted_objects", { api: "my-s3", kind: "Method" })).toBe(1);
    m.recordPass(report({}, [change("Stage", { api: "my-s3", stage: "prod" }, "drift")]));
    expect(await samples(m, "drifted_objects")).toEqual([{ labels: { api: "my-s3", kind: "Stage" }, value: 1 }]);
    m.recordPass(report({}, []));
    expect(await samples(m, "drifted_objects")).toEqual([]);
    expect(await value(m, "planned_changes", { action: "update" })).toBe(0);
  });

  it("adds AWS calls by operation and errors by name over passes; throttling is counted on its own", async () => {
    const m = new ControllerMetrics();
    const calls: CallCounts = {
      total: 6,
      writes: 1,
      byOperation: { GetRestApis: 2, UpdateMethod: 1, GetRole: 3 },
      errors: { TooManyRequestsException: 2, Throttling: 1, AccessDeniedException: 1 },
      failures: { GetRestApis: { TooManyRequestsException: 2 }, GetRole: { Throttling: 1, AccessDeniedException: 1 } },
    };
    m.recordPass(report({ calls }));
    m.recordPass(report({ calls: { ...NO_CALLS, byOperation: { GetRestApis: 1 }, errors: { ThrottlingException: 1 }, failures: { GetRestApis: { ThrottlingException: 1 } } } }));
    // Per operation and error: the successful attempts carry error="".
    expect(await value(m, "aws_calls_total", { operation: "GetRestApis", error: "TooManyRequestsException" })).toBe(2);
    expect(await value(m, "aws_calls_total", { operation: "GetRestApis", error: "ThrottlingException" })).toBe(1);
    expect(await value(m, "aws_calls_total", { operation: "GetRestApis", error: "" })).toBeUndefined();
    expect(await value(m, "aws_calls_total", { operation: "GetRole", error: "" })).toBe(1);
    expect(await value(m, "aws_calls_total", { operation: "GetRole", error: "AccessDeniedException" })).toBe(1);
    expect(await value(m, "aws_calls_total", { operation: "UpdateMethod", error: "" })).toBe(1);
    expect(await value(m, "aws_call_errors_total", { error: "AccessDeniedException" })).toBe(1);
    expect(await value(m, "aws_call_errors_total", { error: "TooManyRequestsException" })).toBe(2);
    expect(await value(m, "aws_throttled_calls_total")).toBe(4);
  });

  it("counts executed operations by status", async () => {
    const m = new ControllerMetrics();
    m.recordPass(report({ outcomes: [
      { id: "1", call: "UpdateMethod", group: "RestApi/my-s3", status: "applied" },
      { id: "2", call: "CreateDeployment", group: "RestApi/my-s3", status: "failed", error: "boom" },
      { id: "3", call: "UpdateStage", group: "RestApi/my-s3", status: "skipped" },
      { id: "4", call: "UpdateStage", group: "RestApi/my-s3", status: "skipped" },
    ] }));
    expect(await value(m, "operations_total", { status: "applied" })).toBe(1);
    expect(await value(m, "operations_total", { status: "failed" })).toBe(1);
    expect(await value(m, "operations_total", { status: "skipped" })).toBe(2);
  });

  it("sets the success time only on success, at the end of the pass", async () => {
    const m = new ControllerMetrics();
    m.recordPass(report({ startedAt: "2025-01-02T03:04:05.000Z", durationMs: 2000 }));
    m.recordPass(report({ result: "failed", startedAt: "2025-01-02T03:10:00.000Z", durationMs: 1000 }));
    expect(await value(m, "last_success_timestamp_seconds")).toBe(Date.parse("2025-01-02T03:04:07.000Z") / 1000);
    expect(await value(m, "last_pass_timestamp_seconds")).toBe(Date.parse("2025-01-02T03:10:01.000Z") / 1000);
  });

  it("counts skipped ticks, keeps one revision series, and follows the write lease", async () => {
    const m = new ControllerMetrics();
    expect(await value(m, "skipped_ticks_total", { reason: "overlap" })).toBe(0);
    m.recordSkippedTick();
    m.recordSkippedTick("overlap");
    m.recordSkippedTick("backoff");
    expect(await value(m, "skipped_ticks_total", { reason: "overlap" })).toBe(2);
    expect(await value(m, "skipped_ticks_total", { reason: "backoff" })).toBe(1);
    m.setRevision("aaaaaaa");
    m.setRevision("bbbbbbb");
    expect(await samples(m, "source_revision_info")).toEqual([{ labels: { revision: "bbbbbbb" }, value: 1 }]);
    m.recordPass(report({ writer: false }));
    expect(await value(m, "writer")).toBe(0);
    m.setWriter(true);
    expect(await value(m, "writer")).toBe(1);
  });

  it("a hostile revision or label value cannot break the exposition format", async () => {
    const m = new ControllerMetrics();
    m.setRevision('x"} 1\nfake_metric 42\n#');
    m.recordPass(report({}, [change("Method", { api: 'a"b\\c\nd', path: "/", httpMethod: "GET" }, "drift")]));
    const text = await m.render();
    expect(text).not.toMatch(/^fake_metric/m);
    const line = text.split("\n").find((l) => l.startsWith(`${METRIC_PREFIX}source_revision_info{`));
    expect(line).toBe(`${METRIC_PREFIX}source_revision_info{revision="x\\"} 1\\nfake_metric 42\\n#"} 1`);
  });

  it("documents every metric once, with help text, under the common prefix", async () => {
    const names = METRICS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    const m = new ControllerMetrics();
    const text = await m.render();
    for (const doc of METRICS) {
      expect(doc.help.length).toBeGreaterThan(10);
      expect(text).toContain(`# HELP ${METRIC_PREFIX}${doc.name} ${doc.help}`);
      expect(text).toContain(`# TYPE ${METRIC_PREFIX}${doc.name} ${doc.type}`);
    }
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it("driftLabel names APIs plainly and roles with a role/ prefix", () => {
    expect(driftLabel(change("Resource", { api: "my-s3", path: "/x" }))).toBe("my-s3");
    expect(driftLabel(change("IamRole", { role: "r1" }))).toBe("role/r1");
  });
});
