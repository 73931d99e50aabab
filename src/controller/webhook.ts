// Git push webhooks (GitHub, GitLab) that start a pass at once instead of at the next tick.
// The decision is a pure function of headers, raw body and configuration; server.ts does the HTTP.
// Nothing unauthenticated is parsed, and no answer or log line quotes the secret or the signature.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingHttpHeaders } from "node:http";

/** GitHub caps payloads at 25 MB, but a push of manifests is far below this; more is refused with 413. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export interface WebhookConfig {
  /** Shared secret; undefined or empty means the hook is off and every request is refused. */
  secret: string | undefined;
  /** The ref the controller follows: "main", "refs/heads/main" or "refs/tags/v1". */
  watchedRef: string;
}

export interface PushEvent {
  provider: "github" | "gitlab";
  /** Full ref, e.g. refs/heads/main. */
  ref: string;
  /** Commit id after the push (the `after` field), when it looks like one. */
  revision?: string;
  /** GitHub's X-GitHub-Delivery, for correlating logs with the delivery page. */
  delivery?: string;
}

/**
 * What to answer. `trigger` carries the push that must start a pass; `ignored` is a valid delivery that
 * starts nothing; `rejected` changes nothing.
 */
export type WebhookDecision =
  | { kind: "trigger"; status: 202; message: string; push: PushEvent }
  | { kind: "ignored"; status: 200; message: string }
  | { kind: "rejected"; status: 400 | 401 | 503; message: string };

type Provider = PushEvent["provider"];

/** "main" → "refs/heads/main"; full refs stay as they are. */
export function normalizeRef(ref: string): string {
  return ref.startsWith("refs/") ? ref : `refs/heads/${ref}`;
}

/**
 * Whether a push to `pushed` can move the watched ref. A short name ("main", "v1") is looked up by the Git
 * source as a branch, then as a tag, so a push to either may change what it resolves to.
 */
export function watches(watched: string, pushed: string): boolean {
  if (watched.startsWith("refs/")) return pushed === watched;
  return pushed === `refs/heads/${watched}` || pushed === `refs/tags/${watched}`;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw body. */
function githubSignatureOk(signature: string, body: Buffer, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`, "utf8");
  const given = Buffer.from(signature, "utf8");
  // timingSafeEqual throws on different lengths; the length of a valid header is public anyway.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** X-Gitlab-Token is the secret itself; comparing digests keeps even its length from leaking. */
function gitlabTokenOk(token: string, secret: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(token), digest(secret));
}

/** Which provider signed this request with our secret, if any. A present but wrong GitHub signature never falls back to GitLab. */
export function verifySignature(headers: IncomingHttpHeaders, body: Buffer, secret: string): Provider | undefined {
  const signature = header(headers, "x-hub-signature-256");
  if (signature !== undefined) return githubSignatureOk(signature, body, secret) ? "github" : undefined;
  const token = header(headers, "x-gitlab-token");
  if (token !== undefined) return gitlabTokenOk(token, secret) ? "gitlab" : undefined;
  return undefined;
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Push events only: GitHub's push, GitLab's Push Hook and Tag Push Hook. */
function eventKind(headers: IncomingHttpHeaders, provider: Provider): "push" | "ping" | "other" {
  if (provider === "github") {
    const event = header(headers, "x-github-event");
    return event === "push" ? "push" : event === "ping" ? "ping" : "other";
  }
  const event = header(headers, "x-gitlab-event");
  return event === "Push Hook" || event === "Tag Push Hook" ? "push" : "other";
}

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;
const DELETED = /^0+$/;

function pushOf(payload: Record<string, unknown>, provider: Provider, headers: IncomingHttpHeaders): PushEvent | undefined {
  const { ref, after } = payload;
  if (typeof ref !== "string" || !ref.startsWith("refs/")) return undefined;
  const revision = typeof after === "string" && COMMIT.test(after) ? after.toLowerCase() : undefined;
  const delivery = provider === "github" ? header(headers, "x-github-delivery") : undefined;
  return { provider, ref, ...(revision ? { revision } : {}), ...(delivery && /^[\w-]{1,64}$/.test(delivery) ? { delivery } : {}) };
}

/** Decides what a delivery to POST /hooks/git does; the body size limit is enforced while reading it. */
export function decideWebhook(headers: IncomingHttpHeaders, body: Buffer, config: WebhookConfig): WebhookDecision {
  if (!config.secret) return { kind: "rejected", status: 503, message: "webhook not configured: no secret" };
  const provider = verifySignature(headers, body, config.secret);
  if (!provider) return { kind: "rejected", status: 401, message: "missing or invalid signature" };
  const event = eventKind(headers, provider);
  if (event === "other") return { kind: "ignored", status: 200, message: "ignored: not a push event" };
  const payload = parseJson(body);
  if (!payload) return { kind: "rejected", status: 400, message: "body is not a JSON object" };
  if (event === "ping") return { kind: "ignored", status: 200, message: "pong" };
  const push = pushOf(payload, provider, headers);
  if (!push) return { kind: "rejected", status: 400, message: "push payload has no ref" };
  if (!watches(config.watchedRef, push.ref)) return { kind: "ignored", status: 200, message: "ignored: not the watched ref" };
  const after = payload.after;
  if (payload.deleted === true || (typeof after === "string" && DELETED.test(after))) {
    return { kind: "ignored", status: 200, message: "ignored: the watched ref was deleted" };
  }
  return { kind: "trigger", status: 202, message: "pass requested", push };
}

export interface SecretSource {
  /** A file holding the secret (a mounted Kubernetes Secret); wins over env. */
  file?: string;
  /** The name of an environment variable holding the secret. */
  env?: string;
}

/** Reads the secret; a missing file is an error (misconfiguration), an empty secret is none at all. */
export async function readWebhookSecret(source: SecretSource, environment: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  let raw: string | undefined;
  if (source.file) raw = await readFile(source.file, "utf8");
  else if (source.env) raw = environment[source.env];
  // `echo secret > file` and `kubectl create secret --from-file` leave a newline the sender never signs with.
  const secret = raw?.replace(/[\r\n]+$/, "");
  return secret ? secret : undefined;
}
