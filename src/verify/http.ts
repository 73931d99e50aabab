// One signed call to the deployed API with Node's fetch: the headers sent are the ones signed (host is
// fetch's own, from the URL, and was signed with the same value). Nothing of the request's headers is kept.
import { requestUrl } from "./url.ts";
import type { VerifyRequest } from "./plan.ts";
import type { Signer } from "./sign.ts";

export interface Answer {
  status: number;
  contentType: string;
  body: Uint8Array;
}

/** Sends one request of the plan; rejects only when no HTTP answer came (network error, timeout). */
export type Send = (request: VerifyRequest) => Promise<Answer>;

export interface SenderOptions {
  /** The stage's base URL, no trailing slash. */
  baseUrl: string;
  signer: Signer;
  timeoutMs: number;
}

export function createSender(options: SenderOptions): Send {
  return async (request) => {
    const url = request.segments.length === 0 ? `${options.baseUrl}/` : requestUrl(options.baseUrl, request.segments);
    const signed = await options.signer.sign({ method: request.method, url, headers: request.headers, ...(request.body ? { body: request.body } : {}) });
    const { host: _host, ...headers } = signed; // fetch sets Host from the URL: the value signed
    const response = await fetch(url, {
      method: request.method,
      headers,
      ...(request.body ? { body: request.body } : {}),
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const body = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, contentType: response.headers.get("content-type") ?? "", body };
  };
}

/** Why no answer came, in a line: fetch's "fetch failed" says nothing, its cause does. */
export function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { message?: string; code?: string } | undefined) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return `request failed: ${message}${cause?.message ? ` (${cause.message})` : cause?.code ? ` (${cause.code})` : ""}`;
}
