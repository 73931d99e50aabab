// AWS error classification, the retry loop, the gateway's error path (aws-sdk-client-mock), and the
// quota scheduler on a fake clock.
import {
  APIGatewayClient,
  ConflictException,
  GetResourcesCommand,
  LimitExceededException,
  NotFoundException,
  PutMethodCommand,
  ServiceUnavailableException,
  TooManyRequestsException,
} from "@aws-sdk/client-api-gateway";
import { ConcurrentModificationException, IAMClient, NoSuchEntityException } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { AwsCallError, classifyError, type ErrorClass } from "../../src/aws/errors.ts";
import { createGateway } from "../../src/aws/gateway.ts";
import { API_GATEWAY_QUOTAS, IAM_QUOTAS, PassAbortedError, QuotaScheduler, quotaKey } from "../../src/aws/quotas.ts";
import { withRetries, type RetryPolicy } from "../../src/aws/retry.ts";

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const nodeError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
const AGW_DENIED = "User: arn:aws:sts::123456789012:assumed-role/ci/runner is not authorized to perform: apigateway:PATCH on resource: arn:aws:apigateway:us-east-1::/restapis/abc123";
const IAM_DENIED = "User: arn:aws:sts::123456789012:assumed-role/ci/runner is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/x because no identity-based policy allows the iam:CreateRole action";

// ---------------------------------------------------------------- classifyError

describe("classifyError", () => {
  const rows: { reason: string; error: unknown; class: ErrorClass; outcomeUnknown?: boolean; retryAfterSeconds?: number; permission?: string }[] = [
    { reason: "API Gateway throttling (429), retryAfterSeconds honoured", error: new TooManyRequestsException({ message: "Too Many Requests", retryAfterSeconds: "3", ...meta(429) }), class: "retryable", retryAfterSeconds: 3, outcomeUnknown: false },
    { reason: "API Gateway throttling without retryAfterSeconds", error: new TooManyRequestsException({ message: "Too Many Requests", ...meta(429) }), class: "retryable", outcomeUnknown: false },
    { reason: "IAM Throttling (HTTP 400 Rate exceeded)", error: { name: "Throttling", message: "Rate exceeded", ...meta(400) }, class: "retryable", outcomeUnknown: false },
    { reason: "HTTP 500 (unmodelled)", error: { name: "InternalFailure", message: "internal", ...meta(500) }, class: "retryable", outcomeUnknown: true },
    { reason: "HTTP 500 with an unknown name", error: { name: "UnknownError", message: "oops", ...meta(500) }, class: "retryable", outcomeUnknown: true },
    { reason: "503 ServiceUnavailable", error: new ServiceUnavailableException({ message: "busy", ...meta(503) }), class: "retryable", outcomeUnknown: true },
    { reason: "ECONNRESET: the write may have happened", error: nodeError("read ECONNRESET", "ECONNRESET"), class: "retryable", outcomeUnknown: true },
    { reason: "socket hang up (code ECONNRESET)", error: nodeError("socket hang up", "ECONNRESET"), class: "retryable", outcomeUnknown: true },
    { reason: "socket hang up (message only)", error: nodeError("socket hang up"), class: "retryable", outcomeUnknown: true },
    { reason: "SDK TimeoutError", error: Object.assign(new Error("Connection timed out after 1000 ms"), { name: "TimeoutError" }), class: "retryable", outcomeUnknown: true },
    { reason: "ConflictException: concurrent modification (409) → retryable", error: new ConflictException({ message: "Unable to complete operation due to concurrent modification. Please try again later.", ...meta(409) }), class: "retryable" },
    { reason: "IAM ConcurrentModification (409: 'submit your request again') → retryable", error: new ConcurrentModificationException({ message: "Rate exceeded for concurrent modification", ...meta(409) }), class: "retryable" },
    { reason: "ConflictException other (method already exists) → terminal", error: new ConflictException({ message: "Method already exists for this resource", ...meta(409) }), class: "terminal" },
    { reason: "LimitExceededException (429, but a hard quota) → terminal", error: new LimitExceededException({ message: "Maximum number of Resources for this API has been reached", ...meta(429) }), class: "terminal" },
    { reason: "NotFoundException", error: new NotFoundException({ message: "Invalid Resource identifier specified", ...meta(404) }), class: "not-found" },
    { reason: "IAM NoSuchEntity (SDK class)", error: new NoSuchEntityException({ message: "The role with name x cannot be found.", ...meta(404) }), class: "not-found" },
    { reason: "IAM NoSuchEntity (wire code)", error: { name: "NoSuchEntity", message: "The role with name x cannot be found.", ...meta(404) }, class: "not-found" },
    { reason: "404 of any name", error: { name: "Whatever", message: "gone", ...meta(404) }, class: "not-found" },
    { reason: "API Gateway AccessDenied → terminal, permission named", error: { name: "AccessDeniedException", message: AGW_DENIED, ...meta(403) }, class: "terminal", permission: "apigateway:PATCH" },
    { reason: "IAM AccessDenied → terminal, permission named", error: { name: "AccessDenied", message: IAM_DENIED, ...meta(403) }, class: "terminal", permission: "iam:CreateRole" },
    { reason: "BadRequestException → terminal", error: { name: "BadRequestException", message: "Invalid ARN specified in the request", ...meta(400) }, class: "terminal" },
    { reason: "a thrown string → terminal", error: "boom", class: "terminal" },
  ];

  it.each(rows)("$reason", ({ error, class: expected, outcomeUnknown, retryAfterSeconds, permission }) => {
    const detail = classifyError(error);
    expect(detail.class).toBe(expected);
    if (outcomeUnknown !== undefined) expect(detail.outcomeUnknown).toBe(outcomeUnknown);
    expect(detail.retryAfterSeconds).toBe(retryAfterSeconds);
    if (permission) {
      const message = new AwsCallError("UpdateMethod", detail).message;
      expect(message).toContain(permission);
      expect(message).toBe(`UpdateMethod: access denied: the caller lacks ${permission}`);
    }
  });
});

// ---------------------------------------------------------------- withRetries

const FAST: RetryPolicy = { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 2, maxRetryTimeMs: 5_000 };
const awsError = (error: unknown, operation = "PutIntegration") => new AwsCallError(operation, classifyError(error));
const THROTTLED = () => awsError(new TooManyRequestsException({ message: "Too Many Requests", ...meta(429) }));
const LOST = () => awsError(nodeError("socket hang up", "ECONNRESET"));
const TERMINAL = () => awsError(new ConflictException({ message: "Method already exists for this resource", ...meta(409) }));

/** An attempt function that fails with the given errors, in order, then answers `value`. */
function scripted<T>(errors: (() => Error)[], value: T): { attempt: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    attempt: () => {
      const next = errors[calls++];
      return next ? Promise.reject(next()) : Promise.resolve(value);
    },
    calls: () => calls,
  };
}

describe("withRetries", () => {
  it("retries retryable errors, then succeeds", async () => {
    const s = scripted([THROTTLED, LOST, THROTTLED], "ok");
    await expect(withRetries(s.attempt, FAST)).resolves.toBe("ok");
    expect(s.calls()).toBe(4);
  });

  it("stops at once on a terminal error and rethrows it", async () => {
    const s = scripted([TERMINAL, THROTTLED], "ok");
    const error = await withRetries(s.attempt, FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).detail.name).toBe("ConflictException");
    expect(s.calls()).toBe(1);
  });

  it("does not retry errors that are not AWS errors", async () => {
    const s = scripted([() => new Error("bug")], "ok");
    await expect(withRetries(s.attempt, FAST)).rejects.toThrow("bug");
    expect(s.calls()).toBe(1);
  });

  it("gives up after the retry budget (retries + 1 attempts), with the last error", async () => {
    const s = scripted(Array.from({ length: 10 }, () => THROTTLED), "never");
    await expect(withRetries(s.attempt, FAST)).rejects.toThrow(/TooManyRequestsException/);
    expect(s.calls()).toBe(FAST.retries + 1);
  });

  it("gives up when the time budget is spent", async () => {
    const s = scripted(Array.from({ length: 1000 }, () => THROTTLED), "never");
    const started = performance.now();
    await expect(withRetries(s.attempt, { retries: 1000, minTimeoutMs: 10, maxTimeoutMs: 10, maxRetryTimeMs: 60 })).rejects.toBeInstanceOf(AwsCallError);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(s.calls()).toBeLessThan(20);
  });

  it("waits retryAfterSeconds before retrying", async () => {
    const s = scripted([() => awsError(new TooManyRequestsException({ message: "slow down", retryAfterSeconds: "0.05", ...meta(429) }))], "ok");
    const started = performance.now();
    await expect(withRetries(s.attempt, FAST)).resolves.toBe("ok");
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("a stop cuts AWS's Retry-After wait short and ends the retries", async () => {
    const s = scripted([() => awsError(new TooManyRequestsException({ message: "slow down", retryAfterSeconds: "30", ...meta(429) }))], "ok");
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const started = performance.now();
    await expect(withRetries(s.attempt, FAST, { signal: stop.signal })).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("beforeRetry recovery: its value is used instead of retrying (a lost answer found by a re-read)", async () => {
    const s = scripted([LOST, LOST], { id: "fresh" });
    const seen: string[] = [];
    const result = await withRetries(s.attempt, FAST, {
      beforeRetry: (error, attempt) => {
        seen.push(`${error.detail.name}#${attempt}`);
        return Promise.resolve({ resolved: { id: "found-by-lookup" } });
      },
    });
    expect(result).toEqual({ id: "found-by-lookup" });
    expect(s.calls()).toBe(1);
    expect(seen).toEqual(["Error#1"]);
  });

  it("beforeRetry returning nothing → an ordinary retry", async () => {
    const s = scripted([LOST], "second");
    await expect(withRetries(s.attempt, FAST, { beforeRetry: () => Promise.resolve(undefined) })).resolves.toBe("second");
    expect(s.calls()).toBe(2);
  });

  it("beforeRetry is not consulted for terminal errors", async () => {
    const s = scripted([TERMINAL], "ok");
    let consulted = false;
    await expect(withRetries(s.attempt, FAST, { beforeRetry: () => ((consulted = true), Promise.resolve({ resolved: "no" })) })).rejects.toBeInstanceOf(AwsCallError);
    expect(consulted).toBe(false);
  });

  it("alsoRetry makes an otherwise terminal error retryable (a role not yet usable)", async () => {
    const notYet = () => awsError({ name: "BadRequestException", message: "Invalid role ARN: unable to assume role", ...meta(400) });
    const s = scripted([notYet, notYet], "ok");
    await expect(withRetries(s.attempt, FAST, { alsoRetry: (e) => e.detail.name === "BadRequestException" })).resolves.toBe("ok");
    expect(s.calls()).toBe(3);
  });
});

// ---------------------------------------------------------------- the gateway's error path, mocked SDK

describe("gateway.send with a mocked SDK", () => {
  const apigw = mockClient(APIGatewayClient);
  const iam = mockClient(IAMClient);
  // Quotas high enough that the penalty after a 429 costs ~50 ms, not the real ~400 ms.
  const quick = () => createGateway({ region: "us-east-1", endpoint: "http://127.0.0.1:1", quotas: { apigateway: { "*": { rate: 1000, burst: 40 }, GetResources: { rate: 20, burst: 5 } }, iam: IAM_QUOTAS } });

  beforeEach(() => {
    apigw.reset();
    iam.reset();
  });
  afterAll(() => {
    apigw.restore();
    iam.restore();
  });

  it("429 then success on GetResources, wrapped in withRetries → success, 2 recorded calls, the bucket penalised", async () => {
    apigw
      .on(GetResourcesCommand)
      .rejectsOnce(new TooManyRequestsException({ message: "Too Many Requests", ...meta(429) }))
      .resolves({ items: [{ id: "root", path: "/" }] });
    const gateway = quick();
    const answer = await withRetries(() => gateway.send("apigateway", "GetResources", { restApiId: "abc", limit: 500 }), FAST);
    expect(answer.items?.[0]?.id).toBe("root");
    expect(apigw).toHaveReceivedCommandTimes(GetResourcesCommand, 2);
    expect(apigw).toHaveReceivedCommandWith(GetResourcesCommand, { restApiId: "abc", limit: 500 });
    const calls = gateway.recorder.snapshot();
    expect(calls).toEqual({ total: 2, writes: 0, byOperation: { GetResources: 2 }, errors: { TooManyRequestsException: 1 }, failures: { GetResources: { TooManyRequestsException: 1 } } });
    expect(gateway.scheduler.waitedMs).toBeGreaterThan(0);
    gateway.destroy();
  });

  it("the same through the default gateway (real quotas): 2 calls, the retry paced by the GetResources bucket", async () => {
    apigw
      .on(GetResourcesCommand)
      .rejectsOnce(new TooManyRequestsException({ message: "Too Many Requests", ...meta(429) }))
      .resolves({ items: [] });
    const gateway = createGateway({ region: "us-east-1", endpoint: "http://127.0.0.1:1" });
    await withRetries(() => gateway.send("apigateway", "GetResources", { restApiId: "abc" }), FAST);
    expect(gateway.recorder.snapshot().byOperation).toEqual({ GetResources: 2 });
    expect(gateway.scheduler.waitedMs).toBeGreaterThan(300);
    gateway.destroy();
  });

  it("a terminal error is thrown as AwsCallError after one call", async () => {
    apigw.on(PutMethodCommand).rejects(new ConflictException({ message: "Method already exists for this resource", ...meta(409) }));
    const gateway = quick();
    const error = await withRetries(() => gateway.send("apigateway", "PutMethod", { restApiId: "a", resourceId: "r", httpMethod: "GET", authorizationType: "NONE" }), FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).message).toBe("PutMethod: ConflictException: Method already exists for this resource");
    expect(apigw).toHaveReceivedCommandTimes(PutMethodCommand, 1);
    gateway.destroy();
  });

  it("access denied names the missing permission", async () => {
    apigw.on(PutMethodCommand).rejects(Object.assign(new Error(AGW_DENIED), { name: "AccessDeniedException", ...meta(403) }));
    const gateway = quick();
    await expect(gateway.send("apigateway", "PutMethod", { restApiId: "a", resourceId: "r", httpMethod: "GET", authorizationType: "NONE" })).rejects.toThrow(
      "PutMethod: access denied: the caller lacks apigateway:PATCH",
    );
    gateway.destroy();
  });

  it("an unknown operation is a programming error, not an AWS call", async () => {
    const gateway = quick();
    // A plan's operations are plain data: a name that reaches the gateway unchecked is refused there.
    await expect(gateway.sendPlanned({ service: "apigateway", call: "NoSuchCall", input: {} })).rejects.toThrow("unknown apigateway operation NoSuchCall");
    expect(gateway.recorder.snapshot().total).toBe(0);
    gateway.destroy();
  });
});

// ---------------------------------------------------------------- QuotaScheduler on a fake clock

describe("QuotaScheduler (real clock): waits are recomputed when waiters come and go", () => {
  it("a call whose token is free soon is not held behind another call's long wait; a withdrawn waiter ends the wait", async () => {
    const scheduler = new QuotaScheduler({ apigateway: { "*": { rate: 10, burst: 1 }, DeleteRestApi: { rate: 1 / 30, burst: 1 } } });
    await scheduler.acquire("apigateway", "DeleteRestApi");
    const stop = new AbortController();
    // The second delete waits ~31 s for its own bucket; the pump sleeps that long.
    const second = scheduler.acquire("apigateway", "DeleteRestApi", 0, stop.signal).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    await scheduler.acquire("apigateway", "GetRestApis");
    // One token of the shared bucket at 10/s (less the safety margin): ~100 ms, not 30 s.
    expect(performance.now() - started).toBeLessThan(1_000);
    stop.abort();
    expect(await second).toBeInstanceOf(PassAbortedError);
  });
});

describe("quotaKey: which quota bucket a call takes", () => {
  const rows: { reason: string; operation: string; input: Record<string, unknown>; key: string }[] = [
    { reason: "REGIONAL API: 1 per 3 s", operation: "CreateRestApi", input: { endpointConfiguration: { types: ["REGIONAL"] } }, key: "CreateRestApi" },
    { reason: "PRIVATE API: 1 per 3 s", operation: "CreateRestApi", input: { endpointConfiguration: { types: ["PRIVATE"] } }, key: "CreateRestApi" },
    { reason: "EDGE API: 1 per 30 s", operation: "CreateRestApi", input: { endpointConfiguration: { types: ["EDGE"] } }, key: "CreateRestApi#EDGE" },
    { reason: "no endpoint configuration: AWS creates an EDGE API", operation: "CreateRestApi", input: {}, key: "CreateRestApi#EDGE" },
    { reason: "any other call: its operation", operation: "PutMethod", input: { endpointConfiguration: { types: ["EDGE"] } }, key: "PutMethod" },
  ];
  it.each(rows)("$reason", ({ operation, input, key }) => expect(quotaKey(operation, input)).toBe(key));

  it("EDGE creates are 30 s apart (plus the margin), REGIONAL ones 3 s", async () => {
    let now = 0;
    const scheduler = new QuotaScheduler({ apigateway: API_GATEWAY_QUOTAS }, () => now, (ms) => {
      now += ms;
      return Promise.resolve();
    });
    await scheduler.acquire("apigateway", "CreateRestApi#EDGE");
    await scheduler.acquire("apigateway", "CreateRestApi#EDGE");
    expect(now).toBeGreaterThanOrEqual(30_000);
    const edgeDone = now;
    await scheduler.acquire("apigateway", "CreateRestApi");
    await scheduler.acquire("apigateway", "CreateRestApi");
    expect(now - edgeDone).toBeLessThan(4_000);
  });
});

describe("QuotaScheduler (fake clock)", () => {
  function fakeScheduler() {
    let now = 0;
    const scheduler = new QuotaScheduler(
      { apigateway: API_GATEWAY_QUOTAS, iam: IAM_QUOTAS },
      () => now,
      (ms) => {
        now += ms;
        return Promise.resolve();
      },
    );
    const times: number[] = [];
    const call = async (operation: string, n: number) => {
      for (let i = 0; i < n; i++) {
        await scheduler.acquire("apigateway", operation);
        times.push(now);
      }
    };
    return { scheduler, times, call, now: () => now };
  }

  /** Calls per second over [from, to) of the recorded start times. */
  const rate = (times: number[], from: number) => (times.length - from - 1) / (((times.at(-1) ?? 0) - (times[from] ?? 0)) / 1000);

  it("all calls: a burst of 36 at once (AWS allows 40; a tenth kept in hand for arrival jitter), then 10 per second (a little under)", async () => {
    const q = fakeScheduler();
    await q.call("PutMethod", 136);
    expect(q.times.slice(0, 36).every((t) => t === 0)).toBe(true);
    expect(q.times[36]).toBeGreaterThan(0);
    const r = rate(q.times, 36);
    expect(r).toBeLessThanOrEqual(10);
    expect(r).toBeGreaterThan(9);
  });

  it("GetResources: 4 at once (AWS allows 5; one kept in hand), then 2.5 per second less a margin for arrival jitter", async () => {
    const q = fakeScheduler();
    await q.call("GetResources", 25);
    expect(q.times.slice(0, 4).every((t) => t === 0)).toBe(true);
    expect(q.times[4]).toBeGreaterThan(0);
    const r = rate(q.times, 4);
    expect(r).toBeLessThanOrEqual(2.5);
    expect(r).toBeGreaterThan(2.1);
  });

  it("CreateDeployment: one per 5 seconds", async () => {
    const q = fakeScheduler();
    await q.call("CreateDeployment", 4);
    expect(q.times[0]).toBe(0);
    for (let i = 1; i < q.times.length; i++) {
      const gap = (q.times[i] ?? 0) - (q.times[i - 1] ?? 0);
      expect(gap).toBeGreaterThanOrEqual(5_000);
      expect(gap).toBeLessThan(5_500);
    }
  });

  it("per-operation calls also spend the shared bucket: 4 GetResources leave 32 of the 36", async () => {
    const q = fakeScheduler();
    await q.call("GetResources", 4);
    await q.call("PutMethod", 32);
    expect(q.now()).toBe(0);
    await q.call("PutMethod", 1);
    expect(q.now()).toBeGreaterThan(0);
  });

  it("penalize empties the buckets: the next call waits", async () => {
    const q = fakeScheduler();
    await q.call("PutMethod", 1);
    q.scheduler.penalize("apigateway", "PutMethod");
    await q.call("PutMethod", 1);
    expect(q.now()).toBeGreaterThanOrEqual(100);
    expect(q.scheduler.waitedMs).toBe(q.now());
  });
});
