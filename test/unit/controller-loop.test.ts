// The controller loop with stand-ins for the pass, the source, the lease and the schedule: which passes
// run, which ticks are skipped (overlap, backoff), what a push does, how a broken source or revision
// falls back to drift against the last good revision, and how a stop or a lost lease ends a pass.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Controller, type ControllerConfig, type ManifestSource, type PassListener, type WriteLease } from "../../src/controller/loop.ts";
import { nextPass, type Problem, type SourceRevision } from "../../src/controller/revisions.ts";
import { cronTicker, inWords, intervalTicker, parseDuration, type Ticker } from "../../src/controller/schedule.ts";
import type { PassConfig, PassDeps } from "../../src/engine/pass.ts";
import type { PassReport } from "../../src/engine/pass-report.ts";
import { createLogger } from "../../src/log.ts";
import { FakeApiGateway } from "./support/fake-apigateway.ts";

const CALLS = { total: 0, writes: 0, byOperation: {}, errors: {} };

function report(config: PassConfig, deps: PassDeps, result: PassReport["result"] = "success", extra: Partial<PassReport> = {}): PassReport {
  const mode = config.kind === "drift" || deps.writer === false ? "observe" : config.mode;
  return { kind: config.kind, result, startedAt: new Date().toISOString(), durationMs: 1, writer: deps.writer ?? true, mode, calls: CALLS, ...(config.revision ? { revision: config.revision } : {}), ...extra };
}

class ManualTicker implements Ticker {
  readonly periodMs = 1_000;
  readonly description = "manual";
  private onTick: (() => void) | undefined;
  start(onTick: () => void): void {
    this.onTick = onTick;
  }
  stop(): void {
    this.onTick = undefined;
  }
  fire(): void {
    this.onTick?.();
  }
}

class FakeSource implements ManifestSource {
  readonly description = "fake";
  revision = "aaa";
  broken: string | undefined;
  latest(): Promise<SourceRevision> {
    if (this.broken) return Promise.reject(new Error(this.broken));
    return Promise.resolve({ revision: this.revision, manifests: [`/repo/${this.revision}`] });
  }
}

class FakeLease implements WriteLease {
  holds = true;
  renewals = 0;
  released = 0;
  acquire(): Promise<boolean> {
    return Promise.resolve(this.holds);
  }
  renew(): Promise<boolean> {
    this.renewals++;
    return Promise.resolve(this.holds);
  }
  release(): Promise<void> {
    this.released++;
    return Promise.resolve();
  }
  held(): boolean {
    return this.holds;
  }
  holder(): Promise<{ holder: string; expiresAt: string }> {
    return Promise.resolve({ holder: "pod-b:1:x", expiresAt: "2030-01-01T00:00:00.000Z" });
  }
}

interface Harness {
  controller: Controller;
  ticker: ManualTicker;
  source: FakeSource;
  lease: FakeLease;
  passes: { config: PassConfig; deps: PassDeps }[];
  skipped: string[];
  problems: (Problem | undefined)[];
  /** Resolves the pass that is waiting, if the pass is held open. */
  release: () => void;
  /** Log messages. */
  logged: string[];
}

interface HarnessOptions {
  /** The pass's result by manifests path; default success. */
  outcome?: (config: PassConfig, deps: PassDeps) => PassReport;
  /** Passes wait for release() before they finish. */
  hold?: boolean;
  /** A held pass that does not listen to its stop signal. */
  deaf?: boolean;
  jitterMs?: number;
  /** The metrics listener throws on every pass. */
  brokenListener?: boolean;
  renewMs?: number;
}

function harness(options: HarnessOptions = {}): Harness {
  const ticker = new ManualTicker();
  const source = new FakeSource();
  const lease = new FakeLease();
  const passes: Harness["passes"] = [];
  const skipped: string[] = [];
  const problems: (Problem | undefined)[] = [];
  let releaseHeld: () => void = () => undefined;
  const listener: PassListener = {
    passFinished: () => {
      if (options.brokenListener) throw new Error("metrics broke");
    },
    tickSkipped: (reason) => skipped.push(reason),
    problemChanged: (problem) => void problems.push(problem),
  };
  const config: ControllerConfig = {
    pass: { owner: "o", mode: "heal", prune: true, maxDeletions: 1, force: false, concurrency: 4, alerts: { webhooks: [], format: "generic" } },
    ticker,
    jitterMs: options.jitterMs ?? 0,
    leaseRenewMs: options.renewMs ?? 60_000,
    maxBackoffTicks: 8,
    historySize: 5,
  };
  const runPass = async (passConfig: PassConfig, deps: PassDeps): Promise<PassReport> => {
    passes.push({ config: passConfig, deps });
    if (options.hold) {
      await new Promise<void>((resolve) => {
        releaseHeld = resolve;
        if (!options.deaf) deps.signal?.addEventListener("abort", () => resolve(), { once: true });
      });
    }
    if (deps.signal?.aborted) return report(passConfig, deps, "aborted");
    return options.outcome?.(passConfig, deps) ?? report(passConfig, deps);
  };
  const logged: string[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _e, done) => {
      logged.push(String((JSON.parse(chunk.toString()) as { msg?: string }).msg));
      done();
    },
  });
  const log = createLogger({ level: "info", destination: sink, pretty: false });
  const controller = new Controller(config, { gateway: new FakeApiGateway(), state: { read: () => Promise.reject(new Error("unused")), write: () => Promise.resolve() }, source, lease, listener, log, runPass });
  return { controller, ticker, source, lease, passes, skipped, problems, release: () => releaseHeld(), logged };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("controller loop: scheduling", () => {
  it("start runs a pass at once; each tick then runs the same apply pass", async () => {
    const h = harness();
    h.controller.start();
    await settle();
    h.ticker.fire();
    await settle();
    expect(h.passes.map((p) => [p.config.kind, p.config.revision, p.deps.writer])).toEqual([
      ["apply", "aaa", true],
      ["apply", "aaa", true],
    ]);
    expect(h.controller.history).toHaveLength(2);
    await h.controller.stop(100);
  });

  it("a tick while a pass runs is skipped and counted, never doubled", async () => {
    const h = harness({ hold: true });
    h.controller.start();
    await settle();
    h.ticker.fire();
    h.ticker.fire();
    expect(h.passes).toHaveLength(1);
    expect(h.skipped).toEqual(["overlap", "overlap"]);
    h.release();
    await settle();
    await h.controller.stop(100);
  });

  it("a push during a pass runs exactly one more pass right after it (pushes coalesce)", async () => {
    const h = harness({ hold: true });
    h.controller.start();
    await settle();
    h.controller.trigger("push");
    h.controller.trigger("push");
    h.release();
    await settle();
    expect(h.passes).toHaveLength(2);
    h.release();
    await settle();
    expect(h.passes).toHaveLength(2);
    await h.controller.stop(100);
  });

  it("after n failed passes in a row, 2^(n-1)-1 ticks are skipped; a success resets the backoff", async () => {
    let fail = true;
    const h = harness({ outcome: (c, d) => report(c, d, fail ? "failed" : "success") });
    h.controller.start(); // failure 1: no tick skipped
    await settle();
    h.ticker.fire(); // failure 2: the next tick is skipped
    await settle();
    h.ticker.fire(); // skipped
    await settle();
    expect(h.passes).toHaveLength(2);
    expect(h.skipped).toEqual(["backoff"]);
    h.ticker.fire(); // failure 3: three ticks skipped
    await settle();
    for (let i = 0; i < 3; i++) h.ticker.fire();
    await settle();
    expect(h.passes).toHaveLength(3);
    expect(h.skipped).toEqual(["backoff", "backoff", "backoff", "backoff"]);
    fail = false;
    h.controller.trigger("push"); // a push is not held back by the backoff
    await settle();
    expect(h.passes).toHaveLength(4);
    h.ticker.fire();
    await settle();
    expect(h.passes).toHaveLength(5);
    await h.controller.stop(100);
  });

  it("a success (a push that fixed things) clears the ticks the backoff had set aside", async () => {
    let fail = true;
    const h = harness({ outcome: (c, d) => report(c, d, fail ? "failed" : "success") });
    await h.controller.runOnce();
    await h.controller.runOnce();
    await h.controller.runOnce(); // three failures: three ticks to skip
    fail = false;
    await h.controller.runOnce();
    h.controller.start();
    await settle();
    const before = h.passes.length;
    h.ticker.fire();
    await settle();
    expect(h.passes.length).toBe(before + 1);
    expect(h.skipped).toEqual([]);
    await h.controller.stop(100);
  });

  it("a push while a scheduled pass waits out its jitter starts it at once, and only once", async () => {
    const h = harness({ jitterMs: 60_000 });
    h.controller.start();
    await settle();
    expect(h.passes).toHaveLength(0);
    h.controller.trigger("push");
    await settle();
    expect(h.passes).toHaveLength(1);
    await settle();
    expect(h.passes).toHaveLength(1);
    await h.controller.stop(100);
  });

  it("a listener that throws does not take the loop down", async () => {
    const h = harness({ brokenListener: true });
    h.controller.start();
    await settle();
    h.ticker.fire();
    await settle();
    expect(h.passes).toHaveLength(2);
    expect(h.logged).toContain("recording the pass failed");
    await h.controller.stop(100);
  });

  it("readiness: not before a success; ready after one; not once three periods passed without one", async () => {
    const h = harness();
    expect(h.controller.readiness().ready).toBe(false);
    await h.controller.runOnce();
    await settle();
    expect(h.controller.readiness()).toEqual({ ready: true, reason: "ok" });
    const later = Date.now() + 3_500;
    expect(h.controller.readiness(later).ready).toBe(false);
    expect(h.controller.readiness(later).reason).toMatch(/last successful pass 4 s ago \(limit 3 s\)/);
  });
});

describe("controller loop: the write lease", () => {
  it("without the lease the pass observes only (writer false)", async () => {
    const h = harness();
    h.lease.holds = false;
    const result = await h.controller.runOnce();
    await h.controller.runOnce();
    // Said once, with who holds the lease.
    expect(h.logged.filter((l) => /reports drift only/.test(l))).toEqual(["the write lease is held by pod-b:1:x (until 2030-01-01T00:00:00.000Z): this process reports drift only, it writes nothing"]);
    expect(h.passes[0]?.deps.writer).toBe(false);
    expect(result.writer).toBe(false);
    expect(result.mode).toBe("observe");
  });

  it("the lease is renewed between passes too, and stops being renewed once lost", async () => {
    const h = harness({ renewMs: 5 });
    await h.controller.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(h.lease.renewals).toBeGreaterThanOrEqual(3);
    h.lease.holds = false;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = h.lease.renewals;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(h.lease.renewals).toBe(after);
    expect(h.logged).toContain("the write lease was lost between passes: the next pass tries to take it again");
    await h.controller.stop(100);
  });

  it("a replica without the lease announces no problem (the writer does)", async () => {
    const h = harness();
    h.lease.holds = false;
    h.source.broken = "unreachable";
    await h.controller.runOnce();
    expect(h.problems).toEqual([]);
    h.lease.holds = true;
    await h.controller.runOnce();
    expect(h.problems).toEqual([expect.objectContaining({ kind: "source-unavailable" })]);
  });

  it("a lease lost during the pass aborts it (no more writes) and is reported as aborted", async () => {
    const h = harness({ hold: true, renewMs: 5 });
    const pass = h.controller.runOnce();
    await settle();
    h.lease.holds = false;
    const result = await pass;
    expect(h.passes[0]?.deps.signal?.aborted).toBe(true);
    expect(result.result).toBe("aborted");
  });

  it("stop aborts the running pass, waits for it, and gives the lease back", async () => {
    const h = harness({ hold: true });
    h.controller.start();
    await settle();
    const clean = await h.controller.stop(1_000);
    expect(clean).toBe(true);
    expect(h.passes[0]?.deps.signal?.aborted).toBe(true);
    expect(h.lease.released).toBe(1);
    h.ticker.fire();
    h.controller.trigger("push");
    await settle();
    expect(h.passes).toHaveLength(1);
  });

  it("stop gives up after the grace period when the pass does not end", async () => {
    const h = harness({ hold: true, deaf: true });
    h.controller.start();
    await settle();
    const started = Date.now();
    expect(await h.controller.stop(50)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    // The lease is not given back while a pass may still write: it expires by itself.
    expect(h.lease.released).toBe(0);
    h.release();
  });
});

describe("controller loop: broken source or revision", () => {
  const problems = ["s3-proxy-api.yaml:12:5 spec.stages.prod: unknown field"];
  const invalidAt = (revision: string) => (c: PassConfig, d: PassDeps) =>
    c.revision === revision && c.kind === "apply" ? report(c, d, "invalid-revision", { problems, error: "1 manifest problem(s)" }) : report(c, d);

  it("a new revision that fails to load: no apply of it, drift against the last good one, one problem", async () => {
    const h = harness({ outcome: invalidAt("bbb") });
    await h.controller.runOnce();
    h.source.revision = "bbb";
    const broken = await h.controller.runOnce();
    expect(h.passes.map((p) => `${p.config.kind}@${p.config.revision ?? ""}`)).toEqual(["apply@aaa", "apply@bbb", "drift@aaa"]);
    expect(broken.result).toBe("invalid-revision");
    expect(broken.error).toBe(`revision bbb: ${problems[0]}`);
    expect(broken.revision).toBe("aaa");
    await h.controller.runOnce();
    expect(h.problems).toHaveLength(1);
    h.source.revision = "ccc";
    const fixed = await h.controller.runOnce();
    expect(fixed.result).toBe("success");
    expect(h.controller.revision).toBe("ccc");
    expect(h.problems).toEqual([expect.objectContaining({ kind: "invalid-revision" }), undefined]);
  });

  it("an unreadable source: drift against the last good revision, the cause named once", async () => {
    const h = harness();
    await h.controller.runOnce();
    h.source.broken = "git ls-remote failed: repository not found";
    const first = await h.controller.runOnce();
    await h.controller.runOnce();
    expect(first.result).toBe("source-unavailable");
    expect(first.error).toBe("git ls-remote failed: repository not found");
    expect(h.passes.map((p) => `${p.config.kind}@${p.config.revision ?? ""}`)).toEqual(["apply@aaa", "drift@aaa", "drift@aaa"]);
    expect(h.problems).toEqual([expect.objectContaining({ kind: "source-unavailable" })]);
  });

  it("an unreadable source before any good revision: no pass at all, the problem reported", async () => {
    const h = harness();
    h.source.broken = "unreachable";
    const result = await h.controller.runOnce();
    expect(h.passes).toHaveLength(0);
    expect(result).toMatchObject({ result: "source-unavailable", error: "unreachable", writer: false, calls: { total: 0 } });
  });
});

describe("nextPass (pure decision over a source and a run)", () => {
  const rows: { reason: string; lastGood?: SourceRevision; latest: SourceRevision | Error; results: Record<string, PassReport["result"]>; runs: string[]; result: PassReport["result"] }[] = [
    { reason: "same revision: applied again (drift is healed)", lastGood: { revision: "a", manifests: ["a"] }, latest: { revision: "a", manifests: ["a"] }, results: {}, runs: ["apply@a"], result: "success" },
    { reason: "new revision: applied", lastGood: { revision: "a", manifests: ["a"] }, latest: { revision: "b", manifests: ["b"] }, results: {}, runs: ["apply@b"], result: "success" },
    { reason: "local manifests that fail: nothing to fall back to", lastGood: { manifests: ["m"] }, latest: { manifests: ["m"] }, results: { "apply@": "invalid-revision" }, runs: ["apply@"], result: "invalid-revision" },
    { reason: "a failed apply (AWS) is not a broken revision: it stays the good one", lastGood: { revision: "a", manifests: ["a"] }, latest: { revision: "b", manifests: ["b"] }, results: { "apply@b": "failed" }, runs: ["apply@b"], result: "failed" },
    { reason: "source error: drift on the last good", lastGood: { revision: "a", manifests: ["a"] }, latest: new Error("down"), results: {}, runs: ["drift@a"], result: "source-unavailable" },
  ];
  it.each(rows)("$reason", async ({ lastGood, latest, results, runs, result }) => {
    const seen: string[] = [];
    const source = { latest: () => (latest instanceof Error ? Promise.reject(latest) : Promise.resolve(latest)) };
    const run = (kind: PassConfig["kind"], at: SourceRevision) => {
      const key = `${kind}@${at.revision ?? ""}`;
      seen.push(key);
      const config = { kind, manifests: at.manifests, ...(at.revision ? { revision: at.revision } : {}) } as unknown as PassConfig;
      return Promise.resolve(report(config, {} as PassDeps, results[key] ?? "success", results[key] === "invalid-revision" ? { problems: ["x.yaml:1:1 f: bad"] } : {}));
    };
    const outcome = await nextPass(source, lastGood, run);
    expect(seen).toEqual(runs);
    expect(outcome.report.result).toBe(result);
  });
});

describe("schedules", () => {
  const rows: { reason: string; text: string; ms?: number; error?: RegExp }[] = [
    { reason: "seconds", text: "30s", ms: 30_000 },
    { reason: "milliseconds", text: "1500ms", ms: 1_500 },
    { reason: "minutes", text: "5m", ms: 300_000 },
    { reason: "hours, fractional", text: "1.5h", ms: 5_400_000 },
    { reason: "no unit is refused", text: "30", error: /invalid --interval "30"/ },
    { reason: "zero is refused where a period is needed", text: "0s", error: /invalid --interval "0s"/ },
    { reason: "negative is refused", text: "-1s", error: /invalid --interval/ },
  ];
  it.each(rows)("parseDuration: $reason", ({ text, ms, error }) => {
    if (error) expect(() => parseDuration(text, "--interval")).toThrow(error);
    else expect(parseDuration(text, "--interval")).toBe(ms);
  });

  it("zero is allowed where it means 'none' (jitter, grace)", () => {
    expect(parseDuration("0s", "--jitter", true)).toBe(0);
  });

  it("a cron schedule's period is the gap between its next two runs; a bad one names the field", () => {
    expect(cronTicker("*/5 * * * *").periodMs).toBe(300_000);
    expect(cronTicker("*/10 * * * * *").periodMs).toBe(10_000);
    expect(() => cronTicker("*/5 * * *")).toThrow(/invalid --schedule "\*\/5 \* \* \*"/);
    expect(intervalTicker(3_600_000).description).toBe("every 1 h");
    expect(inWords(1_500)).toBe("1.5 s");
  });
});
