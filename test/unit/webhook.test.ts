// Push webhook decisions, one row per rule with the reason it matters; the size limit over real HTTP.
import { createHmac } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControllerMetrics } from "../../src/controller/metrics.ts";
import { startServer, type ControllerServer } from "../../src/controller/server.ts";
import { decideWebhook, MAX_WEBHOOK_BODY_BYTES, normalizeRef, readWebhookSecret, type PushEvent, type WebhookConfig, type WebhookDecision } from "../../src/controller/webhook.ts";

const SECRET = "s3cr3t-webhook-value-5f2a";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const CONFIG: WebhookConfig = { secret: SECRET, watchedRef: "main" };

function sign(body: string | Buffer, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

const push = (ref: string, extra: Record<string, unknown> = {}) => JSON.stringify({ ref, after: SHA, before: "f".repeat(40), ...extra });
const MAIN = push("refs/heads/main");

function github(body: string, event = "push", signature = sign(body)): IncomingHttpHeaders {
  return { "x-github-event": event, "x-hub-signature-256": signature, "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "content-type": "application/json" };
}

function gitlab(token: string, event = "Push Hook"): IncomingHttpHeaders {
  return { "x-gitlab-event": event, "x-gitlab-token": token, "content-type": "application/json" };
}

interface Row {
  reason: string;
  headers: IncomingHttpHeaders;
  body: string;
  config?: WebhookConfig;
  expected: { kind: WebhookDecision["kind"]; status: number };
}

const trigger = { kind: "trigger", status: 202 } as const;
const ignored = { kind: "ignored", status: 200 } as const;
const unauthorized = { kind: "rejected", status: 401 } as const;
const badRequest = { kind: "rejected", status: 400 } as const;

const ROWS: Row[] = [
  { reason: "a GitHub push to the watched branch, correctly signed, starts a pass", headers: github(MAIN), body: MAIN, expected: trigger },
  { reason: "the watched ref may be configured in full", headers: github(MAIN), body: MAIN, config: { secret: SECRET, watchedRef: "refs/heads/main" }, expected: trigger },
  { reason: "a signature made with another secret is refused", headers: github(MAIN, "push", sign(MAIN, "other-secret")), body: MAIN, expected: unauthorized },
  { reason: "a push without any signature header is refused", headers: { "x-github-event": "push" }, body: MAIN, expected: unauthorized },
  { reason: "a signature over a different body (replayed header, altered payload) is refused", headers: github(MAIN, "push", sign(push("refs/heads/main", { forced: true }))), body: MAIN, expected: unauthorized },
  { reason: "a re-serialised body does not match: the HMAC is over the raw bytes", headers: github(MAIN), body: JSON.stringify(JSON.parse(MAIN), null, 2), expected: unauthorized },
  { reason: "a truncated signature (wrong length) is refused without throwing", headers: github(MAIN, "push", sign(MAIN).slice(0, -2)), body: MAIN, expected: unauthorized },
  { reason: "an over-long signature is refused without throwing", headers: github(MAIN, "push", `${sign(MAIN)}00`), body: MAIN, expected: unauthorized },
  { reason: "the bare hex digest without the sha256= prefix is refused", headers: github(MAIN, "push", sign(MAIN).slice("sha256=".length)), body: MAIN, expected: unauthorized },
  { reason: "the legacy SHA-1 X-Hub-Signature alone is not accepted", headers: { "x-github-event": "push", "x-hub-signature": `sha1=${createHmac("sha1", SECRET).update(MAIN).digest("hex")}` }, body: MAIN, expected: unauthorized },
  { reason: "a wrong GitHub signature never falls back to a GitLab token", headers: { ...github(MAIN, "push", sign(MAIN, "x")), "x-gitlab-token": SECRET, "x-gitlab-event": "Push Hook" }, body: MAIN, expected: unauthorized },
  { reason: "a GitLab push with the right token starts a pass", headers: gitlab(SECRET), body: MAIN, expected: trigger },
  { reason: "a GitLab push with a wrong token is refused", headers: gitlab("not-the-secret"), body: MAIN, expected: unauthorized },
  { reason: "a GitLab token that only starts with the secret is refused", headers: gitlab(`${SECRET}x`), body: MAIN, expected: unauthorized },
  { reason: "a GitLab token that is a prefix of the secret is refused", headers: gitlab(SECRET.slice(0, 6)), body: MAIN, expected: unauthorized },
  { reason: "GitLab tag pushes to a watched tag start a pass", headers: gitlab(SECRET, "Tag Push Hook"), body: push("refs/tags/v1.2.0"), config: { secret: SECRET, watchedRef: "refs/tags/v1.2.0" }, expected: trigger },
  { reason: "GitLab events other than pushes are acknowledged and ignored", headers: gitlab(SECRET, "Merge Request Hook"), body: "{}", expected: ignored },
  { reason: "GitHub's ping on hook creation answers 200 without a pass", headers: github('{"zen":"Keep it simple.","hook_id":1}', "ping"), body: '{"zen":"Keep it simple.","hook_id":1}', expected: ignored },
  { reason: "GitHub events other than push are acknowledged and ignored", headers: github('{"action":"opened"}', "issues"), body: '{"action":"opened"}', expected: ignored },
  { reason: "a push to another branch is ignored", headers: github(push("refs/heads/feature")), body: push("refs/heads/feature"), expected: ignored },
  { reason: "a tag push when a tag is watched starts a pass", headers: github(push("refs/tags/v1")), body: push("refs/tags/v1"), config: { secret: SECRET, watchedRef: "refs/tags/v1" }, expected: trigger },
  { reason: "a short watched ref is a branch or a tag (as the Git source resolves it): a tag push may move it", headers: github(push("refs/tags/main")), body: push("refs/tags/main"), expected: trigger },
  { reason: "a watched full branch ref is not a tag of the same name", headers: github(push("refs/tags/main")), body: push("refs/tags/main"), config: { secret: SECRET, watchedRef: "refs/heads/main" }, expected: ignored },
  { reason: "a short watched tag name: its tag push starts a pass", headers: github(push("refs/tags/v1")), body: push("refs/tags/v1"), config: { secret: SECRET, watchedRef: "v1" }, expected: trigger },
  { reason: "deleting the watched branch gives nothing to reconcile to", headers: github(push("refs/heads/main", { after: "0".repeat(40), deleted: true })), body: push("refs/heads/main", { after: "0".repeat(40), deleted: true }), expected: ignored },
  { reason: "a correctly signed body that is not JSON is a bad request", headers: github("ref=refs/heads/main"), body: "ref=refs/heads/main", expected: badRequest },
  { reason: "a JSON array is not a push payload", headers: github('["refs/heads/main"]'), body: '["refs/heads/main"]', expected: badRequest },
  { reason: "a push payload without a ref is a bad request", headers: github('{"after":"x"}'), body: '{"after":"x"}', expected: badRequest },
  { reason: "without a secret the hook is off (503), even for a request signed with the empty key", headers: github(MAIN, "push", sign(MAIN, "")), body: MAIN, config: { secret: undefined, watchedRef: "main" }, expected: { kind: "rejected", status: 503 } },
  { reason: "an empty secret counts as none: HMAC with an empty key is forgeable by anyone", headers: github(MAIN, "push", sign(MAIN, "")), body: MAIN, config: { secret: "", watchedRef: "main" }, expected: { kind: "rejected", status: 503 } },
];

describe("decideWebhook", () => {
  it.each(ROWS)("$reason", ({ headers, body, config, expected }) => {
    const decision = decideWebhook(headers, Buffer.from(body, "utf8"), config ?? CONFIG);
    expect({ kind: decision.kind, status: decision.status }).toEqual(expected);
    expect(decision.message).not.toContain(SECRET);
  });

  it("a triggering push carries provider, ref, revision and delivery id", () => {
    const decision = decideWebhook(github(MAIN), Buffer.from(MAIN), CONFIG);
    expect(decision).toMatchObject({ kind: "trigger", push: { provider: "github", ref: "refs/heads/main", revision: SHA, delivery: "72d3162e-cc78-11e3-81ab-4c9367dc0958" } });
  });

  it("a revision that is not a commit id is left out rather than passed on", () => {
    const body = push("refs/heads/main", { after: "$(rm -rf /)" });
    const decision = decideWebhook(gitlab(SECRET), Buffer.from(body), CONFIG);
    expect(decision.kind).toBe("trigger");
    expect((decision as { push: PushEvent }).push).toEqual({ provider: "gitlab", ref: "refs/heads/main" });
  });

  it("normalizeRef completes branch names and keeps full refs", () => {
    expect(normalizeRef("main")).toBe("refs/heads/main");
    expect(normalizeRef("refs/tags/v1")).toBe("refs/tags/v1");
  });
});

describe("readWebhookSecret", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "webhook-secret-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads a file and drops the trailing newline `echo` and kubectl leave", async () => {
    await writeFile(join(dir, "s"), `${SECRET}\n`);
    expect(await readWebhookSecret({ file: join(dir, "s") })).toBe(SECRET);
    await writeFile(join(dir, "crlf"), `${SECRET}\r\n`);
    expect(await readWebhookSecret({ file: join(dir, "crlf") })).toBe(SECRET);
  });

  it("prefers the file over the environment variable", async () => {
    await writeFile(join(dir, "f"), "from-file");
    expect(await readWebhookSecret({ file: join(dir, "f"), env: "HOOK" }, { HOOK: "from-env" })).toBe("from-file");
  });

  it("reads the named environment variable", async () => {
    expect(await readWebhookSecret({ env: "HOOK" }, { HOOK: "from-env\n" })).toBe("from-env");
  });

  it("an empty or unset secret is none, so the hook stays off", async () => {
    await writeFile(join(dir, "empty"), "\n");
    expect(await readWebhookSecret({ file: join(dir, "empty") })).toBeUndefined();
    expect(await readWebhookSecret({ env: "HOOK" }, {})).toBeUndefined();
    expect(await readWebhookSecret({})).toBeUndefined();
  });

  it("a configured file that is missing is an error, not a silently disabled hook", async () => {
    await expect(readWebhookSecret({ file: join(dir, "missing") })).rejects.toThrow(/ENOENT/);
  });
});

describe("POST /hooks/git body limit over real HTTP", () => {
  let server: ControllerServer;
  const pushes: PushEvent[] = [];

  beforeAll(async () => {
    server = await startServer({
      listen: "127.0.0.1:0",
      metrics: new ControllerMetrics(),
      view: { readiness: () => ({ ready: true }), facts: () => ({ source: "x", ref: "refs/heads/main", mode: "heal", writer: true, schedule: "5m" }), passes: () => [] },
      webhook: { secret: SECRET, watchedRef: "main", onPush: (p) => pushes.push(p) },
    });
  });
  afterAll(() => server.close());

  /** A signed push of exactly `size` bytes. */
  function bodyOf(size: number): string {
    const head = push("refs/heads/main", { pad: "" });
    return head.replace('"pad":""', `"pad":"${"x".repeat(size - head.length)}"`);
  }

  it("a body of exactly 1 MiB is accepted", async () => {
    const body = bodyOf(MAX_WEBHOOK_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBe(MAX_WEBHOOK_BODY_BYTES);
    const res = await fetch(`${server.url}/hooks/git`, { method: "POST", headers: github(body) as Record<string, string>, body });
    expect(res.status).toBe(202);
    expect(pushes).toHaveLength(1);
  });

  it("one byte more is refused with 413 from Content-Length, its content never looked at, even if correctly signed", async () => {
    const body = bodyOf(MAX_WEBHOOK_BODY_BYTES + 1);
    const res = await fetch(`${server.url}/hooks/git`, { method: "POST", headers: github(body) as Record<string, string>, body });
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect(pushes).toHaveLength(1);
  });

  it("a chunked body without Content-Length, past the limit, is answered 413 once the client has sent it", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    // 4 MiB: over the limit, inside the drain's bound, so the upload ends before the answer and fetch reads it.
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 4 * MAX_WEBHOOK_BODY_BYTES) controller.close();
        else {
          sent += chunk.length;
          controller.enqueue(chunk);
        }
      },
    });
    const init = { method: "POST", headers: github("irrelevant") as Record<string, string>, body: stream, duplex: "half" } as RequestInit;
    const res = await fetch(`${server.url}/hooks/git`, init);
    expect(res.status).toBe(413);
    expect(await res.text()).not.toContain(SECRET);
    expect(pushes).toHaveLength(1);
  });

  // A client that never stops sending cannot be answered reliably over HTTP/1.1 (the close resets what it has
  // not read), so what is shown is the bound: the server stops reading and closes long before 64 MiB.
  it("an endless chunked upload is cut off: the connection closes after the limit plus the drain's bound", async () => {
    const { port } = new URL(server.url);
    const offered = 64 * MAX_WEBHOOK_BODY_BYTES;
    const written = await new Promise<number>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1");
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
      let accepted = 0;
      let closed = false;
      const finish = () => {
        if (closed) return;
        closed = true;
        socket.destroy();
        resolve(accepted);
      };
      const writeNext = (): void => {
        if (closed || accepted >= offered) return finish();
        socket.write(frame, (error) => {
          if (error) return finish();
          accepted += chunk.length;
          writeNext();
        });
      };
      socket.on("connect", () => {
        socket.write("POST /hooks/git HTTP/1.1\r\nHost: controller\r\nX-GitHub-Event: push\r\nTransfer-Encoding: chunked\r\n\r\n");
        writeNext();
      });
      socket.on("error", finish);
      socket.on("close", finish);
      socket.resume();
    });
    // What the kernel's socket buffers accept after the server stopped reading comes on top of limit + 8 MiB.
    expect(written).toBeLessThan(offered);
    expect(pushes).toHaveLength(1);
  });

  // Closing a socket with unread upload data makes the kernel send a reset, which discards the answer the
  // client has not read yet: without the bounded drain, this client saw "connection reset", never the 413.
  it("a client that reads only after uploading 4 MiB (chunked) gets the 413, not a reset", async () => {
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1");
      socket.pause(); // nothing is read until the upload is done
      let received = "";
      socket.on("connect", () => {
        socket.write("POST /hooks/git HTTP/1.1\r\nHost: controller\r\nX-GitHub-Event: push\r\nTransfer-Encoding: chunked\r\n\r\n");
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        for (let i = 0; i < 64; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`);
        socket.write("0\r\n\r\n", () => socket.resume());
      });
      socket.on("data", (data: Buffer) => (received += data.toString()));
      socket.on("error", reject);
      socket.on("close", () => resolve(received));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(pushes).toHaveLength(1);
  });
});
