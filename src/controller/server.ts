// The controller's HTTP side: probes, Prometheus metrics, the status page, the latest report and the
// Git push webhook. The loop owns all state; this server only asks it through callbacks. Requests are
// not logged (their headers carry webhook secrets); only webhook decisions and failures are.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { PassReport } from "../engine/pass-report.ts";
import { renderHtml } from "../report/html.ts";
import { redactText } from "../report/redact.ts";
import { renderStatusPage, shortRevision, type ControllerFacts } from "../report/status-page.ts";
import type { ControllerMetrics } from "./metrics.ts";
import { decideWebhook, MAX_WEBHOOK_BODY_BYTES, type PushEvent, type WebhookConfig } from "./webhook.ts";

export interface Readiness {
  ready: boolean;
  /** Why not ready, in one line (e.g. "last successful pass 17 min ago, interval 5 min"). */
  reason?: string;
}

/** What the loop shows to the server; called on each request, so answers are always current. */
export interface ControllerView {
  /** The loop decides: ready when the last pass succeeded within 3 intervals. */
  readiness(): Readiness;
  facts(): ControllerFacts;
  /** Recent passes, newest first. */
  passes(): readonly PassReport[];
}

export interface ServerOptions {
  /** host:port, e.g. "127.0.0.1:9464", "[::1]:0", ":9464" (all interfaces); port 0 picks a free one. */
  listen: string;
  metrics: ControllerMetrics;
  view: ControllerView;
  /** onPush is called once per authenticated push to the watched ref; it must not block (queue a pass). */
  webhook: WebhookConfig & { onPush(push: PushEvent): void };
  log?: Pick<Logger, "info" | "warn" | "error">;
}

export interface ControllerServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

const TEXT = "text/plain; charset=utf-8";
const HTML = "text/html; charset=utf-8";
// The status page has no script; the report's small inline script only filters rows.
const CSP_PAGE = "default-src 'none'; style-src 'unsafe-inline'";
const CSP_REPORT = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new Error(`invalid listen address "${listen}": expected host:port, e.g. 127.0.0.1:9464`);
  return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": TEXT,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(body);
}

type BodyResult = { ok: true; body: Buffer } | { ok: false };

/**
 * How much more of a refused body is read (and dropped) before the 413, and for how long at most. Closing a
 * socket whose peer is still sending makes the kernel answer with a reset, and a reset throws away the answer
 * the client has not read yet: a client that reads only once its upload is done (a 4 MiB delivery) would see
 * "connection reset", never the 413. Like nginx's lingering close, a bounded drain lets such uploads finish;
 * past the bound the answer goes anyway.
 */
const DRAIN_BYTES = 8 * MAX_WEBHOOK_BODY_BYTES;
const DRAIN_MS = 5000;

/** Reads at most `limit` bytes; past it, drops what follows (within the drain's bounds) and answers ok: false. */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return drain(req, declared > limit + DRAIN_BYTES ? 0 : DRAIN_BYTES);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.off("end", onEnd);
        resolve(drain(req, DRAIN_BYTES));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve({ ok: true, body: Buffer.concat(chunks, size) });
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", reject);
  });
}

/** Reads and drops the rest of a refused body until it ends, `bytes` more were read, or DRAIN_MS passed. */
function drain(req: IncomingMessage, bytes: number): Promise<BodyResult> {
  if (bytes === 0 || req.readableEnded) return Promise.resolve({ ok: false });
  return new Promise((resolve) => {
    let drained = 0;
    const done = () => {
      clearTimeout(timer);
      req.off("data", onData);
      req.pause();
      resolve({ ok: false });
    };
    const onData = (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > bytes) done();
    };
    const timer = setTimeout(done, DRAIN_MS);
    req.on("data", onData);
    req.once("end", done);
    req.once("error", done);
    req.resume();
  });
}

/** 413 with Connection: close: node closes the socket once the answer is flushed; the rest of the body is never read. */
function refuseTooLarge(res: ServerResponse): void {
  send(res, 413, `body larger than ${MAX_WEBHOOK_BODY_BYTES} bytes\n`, { connection: "close" });
}

async function handleWebhook(req: IncomingMessage, res: ServerResponse, options: ServerOptions): Promise<void> {
  const { webhook, log } = options;
  // Never accept unsigned pushes: without a secret the hook refuses before reading anything.
  if (!webhook.secret) return send(res, 503, "webhook not configured: no secret\n");
  const read = await readBody(req, MAX_WEBHOOK_BODY_BYTES);
  if (!read.ok) return refuseTooLarge(res);
  const decision = decideWebhook(req.headers, read.body, webhook);
  if (decision.kind === "trigger") {
    log?.info({ provider: decision.push.provider, ref: decision.push.ref, revision: decision.push.revision, delivery: decision.push.delivery }, "webhook: pass requested");
    webhook.onPush(decision.push);
  } else if (decision.kind === "rejected") {
    log?.warn({ status: decision.status, reason: decision.message }, "webhook: delivery refused");
  }
  send(res, decision.status, `${decision.message}\n`);
}

function latestPlanned(passes: readonly PassReport[]): PassReport | undefined {
  return passes.find((p) => p.plan !== undefined);
}

function reportPage(view: ControllerView): string {
  const pass = latestPlanned(view.passes());
  if (!pass?.plan) {
    return '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>No report yet</title></head><body><p>No pass has planned yet. <a href=".">Status</a></p></body></html>\n';
  }
  const title = `apigw-reconciler ${pass.kind} report, revision ${shortRevision(pass.revision)}`;
  return renderHtml(pass.plan, pass.calls, { title, generatedAt: pass.startedAt, ...(pass.revision ? { revision: pass.revision } : {}), ...(pass.origins ? { origins: new Map(Object.entries(pass.origins)) } : {}) });
}

function routes(options: ServerOptions): Map<string, Map<string, Route>> {
  const { metrics, view } = options;
  const get = (route: Route) => new Map([["GET", route], ["HEAD", route]]);
  return new Map<string, Map<string, Route>>([
    ["/healthz", get((_req, res) => send(res, 200, "ok\n"))],
    ["/readyz", get((_req, res) => {
      const state = view.readiness();
      const reason = (state.reason ?? "not ready").replace(/[\r\n]+/g, " ").slice(0, 300);
      send(res, state.ready ? 200 : 503, state.ready ? "ready\n" : `${reason}\n`);
    })],
    ["/metrics", get(async (_req, res) => send(res, 200, await metrics.render(), { "content-type": metrics.contentType }))],
    ["/", get((_req, res) => {
      const page = renderStatusPage({ facts: view.facts(), passes: view.passes(), generatedAt: new Date().toISOString() });
      send(res, 200, page, { "content-type": HTML, "content-security-policy": CSP_PAGE });
    })],
    ["/report", get((_req, res) => send(res, 200, reportPage(view), { "content-type": HTML, "content-security-policy": CSP_REPORT }))],
    ["/hooks/git", new Map([["POST", (req: IncomingMessage, res: ServerResponse) => handleWebhook(req, res, options)]])],
  ]);
}

function requestHandler(options: ServerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const table = routes(options);
  return async (req, res) => {
    try {
      const path = new URL(req.url ?? "/", "http://controller").pathname;
      const methods = table.get(path);
      if (!methods) return send(res, 404, "not found\n");
      const route = methods.get(req.method ?? "");
      if (!route) return send(res, 405, "method not allowed\n", { allow: [...methods.keys()].join(", ") });
      await route(req, res);
    } catch (error) {
      // A callback's error could quote anything; the webhook secret at least never reaches the log.
      const message = redactText(error instanceof Error ? error.message : String(error), [options.webhook.secret ?? ""]);
      options.log?.error({ err: message }, "http: request failed");
      if (!res.headersSent) send(res, 500, "internal error\n");
      else res.destroy();
    }
  };
}

function urlOf(address: AddressInfo): string {
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve, reject) => {
      // Keep-alive connections would hold close() open; in-flight requests get a moment to finish.
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      force.unref();
      server.close((error) => {
        clearTimeout(force);
        if (error) reject(error);
        else resolve();
      });
      server.closeIdleConnections();
    });
}

export async function startServer(options: ServerOptions): Promise<ControllerServer> {
  const { host, port } = parseListen(options.listen);
  const handle = requestHandler(options);
  const server = createServer((req, res) => void handle(req, res));
  // Slow or stalled clients cannot hold connections for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return { url: urlOf(address), port: address.port, close: closer(server) };
}
