// The controller's HTTP server over real HTTP on 127.0.0.1, port 0: probes, metrics, pages, webhook.
import { createHmac } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ControllerMetrics, METRIC_PREFIX, METRICS } from "../../src/controller/metrics.ts";
import { parseListen, startServer, type ControllerServer, type Readiness } from "../../src/controller/server.ts";
import type { PushEvent } from "../../src/controller/webhook.ts";
import type { PassReport } from "../../src/engine/pass-report.ts";
import { summarize, type Change } from "../../src/model/changes.ts";

const SECRET = "srv-secret-9d1c0b7e";
const SHA = "89abcdef0123456789abcdef0123456789abcdef";

const DRIFT: Change = { kind: "Method", action: "update", id: { api: "my-s3", path: "/", httpMethod: "GET" }, fields: [{ field: "authorizationType", before: "AWS_IAM", after: "NONE" }], patch: [], cause: "drift" };

const PASS: PassReport = {
  kind: "apply",
  result: "success",
  startedAt: "2025-01-02T03:04:05.000Z",
  durationMs: 2100,
  revision: SHA,
  writer: true,
  mode: "heal",
  plan: { changes: [DRIFT], operations: [], summary: summarize([DRIFT]), skipped: [] },
  outcomes: [{ id: "1", call: "UpdateMethod", group: "RestApi/my-s3", status: "applied" }],
  calls: { total: 5, writes: 1, byOperation: { GetRestApis: 4, UpdateMethod: 1 }, errors: { TooManyRequestsException: 1 } },
};

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

describe("controller HTTP server", () => {
  let server: ControllerServer;
  let noSecret: ControllerServer;
  let readiness: Readiness = { ready: true };
  let passes: PassReport[] = [];
  const pushes: PushEvent[] = [];
  const metrics = new ControllerMetrics();
  let logText = "";
  const log = pino({ level: "debug" }, new Writable({ write(chunk: Buffer, _enc, done) { logText += chunk.toString(); done(); } }));
  const view = {
    readiness: () => readiness,
    facts: () => ({ source: "https://github.com/***", ref: "refs/heads/main", revision: SHA, mode: "heal" as const, writer: true, schedule: "every 5 min" }),
    passes: () => passes,
  };
  const responses: string[] = [];

  /** fetch that remembers every answer (headers and body) so the last test can look for the secret. */
  async function call(path: string, init?: RequestInit, target = server): Promise<{ status: number; body: string; headers: Headers }> {
    const res = await fetch(`${target.url}${path}`, init);
    const body = await res.text();
    responses.push(JSON.stringify([...res.headers.entries()]), body);
    return { status: res.status, body, headers: res.headers };
  }

  function hook(body: string, signature: string): RequestInit {
    return { method: "POST", body, headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": signature } };
  }

  beforeAll(async () => {
    server = await startServer({ listen: "127.0.0.1:0", metrics, view, log, webhook: { secret: SECRET, watchedRef: "main", onPush: (p) => pushes.push(p) } });
    noSecret = await startServer({ listen: "127.0.0.1:0", metrics, view, log, webhook: { secret: undefined, watchedRef: "main", onPush: (p) => pushes.push(p) } });
  });
  afterAll(async () => {
    await server.close();
    await noSecret.close();
  });
  beforeEach(() => {
    pushes.length = 0;
  });

  it("listens on the requested host with a free port", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it("GET /healthz answers ok while the process is alive, also with a query string", async () => {
    expect(await call("/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    expect((await call("/healthz?probe=1")).status).toBe(200);
  });

  it("GET /readyz follows the loop's readiness, with a one-line reason when not ready", async () => {
    readiness = { ready: true };
    expect(await call("/readyz")).toMatchObject({ status: 200, body: "ready\n" });
    readiness = { ready: false, reason: "last successful pass 17 min ago\n(interval 5 min)" };
    expect(await call("/readyz")).toMatchObject({ status: 503, body: "last successful pass 17 min ago (interval 5 min)\n" });
    readiness = { ready: false };
    expect(await call("/readyz")).toMatchObject({ status: 503, body: "not ready\n" });
    readiness = { ready: true };
  });

  it("GET /metrics serves every documented metric after one recorded pass, in Prometheus text format", async () => {
    metrics.recordPass(PASS);
    metrics.recordSkippedTick();
    metrics.setRevision(SHA);
    const { status, body, headers } = await call("/metrics");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const sampleNames = new Set(body.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)?.[0]));
    for (const doc of METRICS) {
      const name = METRIC_PREFIX + doc.name;
      expect(sampleNames.has(doc.type === "histogram" ? `${name}_count` : name), name).toBe(true);
    }
    expect(body).toContain(`${METRIC_PREFIX}drifted_objects{api="my-s3",kind="Method"} 1`);
    expect(body).toContain(`${METRIC_PREFIX}aws_throttled_calls_total 1`);
    expect(sampleNames.has("process_resident_memory_bytes")).toBe(true);
  });

  it("GET / is the HTML status page; GET /report the latest report, or a short page before any pass", async () => {
    passes = [];
    const before = await call("/report");
    expect(before.status).toBe(200);
    expect(before.body).toContain("No pass has planned yet.");
    passes = [{ ...PASS, result: "source-unavailable", plan: undefined, error: "git fetch <failed>" }, PASS];
    const page = await call("/");
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.body).toContain('<table id="passes">');
    expect(page.body).toContain("git fetch &lt;failed&gt;");
    const report = await call("/report");
    expect(report.body).toContain("apigw-reconciler apply report, revision 89abcde");
    expect(report.body).toContain('<p id="summary">1 difference(s): 1 drift');
    passes = [];
  });

  it("unknown paths are 404, wrong methods 405 with Allow", async () => {
    expect((await call("/nope")).status).toBe(404);
    expect((await call("/hooks/git/extra", { method: "POST" })).status).toBe(404);
    const post = await call("/healthz", { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const get = await call("/hooks/git");
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("a correctly signed push to the watched ref calls onPush exactly once and answers 202", async () => {
    const body = JSON.stringify({ ref: "refs/heads/main", after: SHA });
    const res = await call("/hooks/git", hook(body, sign(body)));
    expect(res.status).toBe(202);
    expect(pushes).toEqual([{ provider: "github", ref: "refs/heads/main", revision: SHA }]);
  });

  it("a bad signature, a missing one, or another ref never calls onPush", async () => {
    const body = JSON.stringify({ ref: "refs/heads/main", after: SHA });
    expect((await call("/hooks/git", hook(body, sign(body, "wrong")))).status).toBe(401);
    expect((await call("/hooks/git", { method: "POST", body, headers: { "x-github-event": "push" } })).status).toBe(401);
    const other = JSON.stringify({ ref: "refs/heads/dev", after: SHA });
    expect(await call("/hooks/git", hook(other, sign(other)))).toMatchObject({ status: 200, body: "ignored: not the watched ref\n" });
    expect((await call("/hooks/git", hook("{not json", sign("{not json")))).status).toBe(400);
    expect(pushes).toEqual([]);
  });

  it("without a secret the hook answers 503 and never calls onPush, whatever the signature", async () => {
    const body = JSON.stringify({ ref: "refs/heads/main", after: SHA });
    const res = await call("/hooks/git", hook(body, sign(body, "")), noSecret);
    expect(res).toMatchObject({ status: 503, body: "webhook not configured: no secret\n" });
    expect(pushes).toEqual([]);
  });

  it("a failing onPush is a 500 without details, and the server keeps serving", async () => {
    const failing = await startServer({ listen: "127.0.0.1:0", metrics, view, log, webhook: { secret: SECRET, watchedRef: "main", onPush: () => { throw new Error(`queue full ${SECRET}`); } } });
    try {
      const body = JSON.stringify({ ref: "refs/heads/main", after: SHA });
      const res = await call("/hooks/git", hook(body, sign(body)), failing);
      expect(res).toMatchObject({ status: 500, body: "internal error\n" });
      expect((await call("/healthz", undefined, failing)).status).toBe(200);
    } finally {
      await failing.close();
    }
  });

  it("the secret appears in no response and no log line; requests themselves are not logged", () => {
    expect(responses.length).toBeGreaterThan(20);
    for (const text of responses) expect(text).not.toContain(SECRET);
    expect(logText).toContain("webhook: pass requested");
    expect(logText).not.toContain("x-hub-signature");
    expect(logText).not.toContain("/healthz");
    expect(logText).toContain("queue full ***");
    expect(logText).not.toContain(SECRET);
  });
});

describe("parseListen", () => {
  it.each([
    ["127.0.0.1:9464", { host: "127.0.0.1", port: 9464 }],
    ["127.0.0.1:0", { host: "127.0.0.1", port: 0 }],
    [":9464", { host: "0.0.0.0", port: 9464 }],
    ["[::1]:8080", { host: "::1", port: 8080 }],
    ["localhost:80", { host: "localhost", port: 80 }],
  ])("%s", (listen, expected) => {
    expect(parseListen(listen)).toEqual(expected);
  });

  it.each(["9464", "host:", "host:99999", "::1:80", "a:b:c"])("refuses %s", (listen) => {
    expect(() => parseListen(listen)).toThrow(/invalid listen address/);
  });
});

describe("close()", () => {
  it("resolves although a client still holds a keep-alive connection", async () => {
    const server = await startServer({ listen: "127.0.0.1:0", metrics: new ControllerMetrics(), view: { readiness: () => ({ ready: true }), facts: () => ({ source: "", ref: "", mode: "heal", writer: false, schedule: "" }), passes: () => [] }, webhook: { secret: undefined, watchedRef: "main", onPush: () => undefined } });
    await (await fetch(`${server.url}/healthz`)).text();
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
