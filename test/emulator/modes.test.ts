/**
 * Tests of the emulator itself (call log, latency, quota, faults, start-up checks),
 * driven through the real JS SDK clients with retries off so that every SDK call is
 * exactly one HTTP request.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetTagsCommand,
  ImportRestApiCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  TagResourceCommand,
  UpdateMethodCommand,
  UpdateRestApiCommand,
} from "@aws-sdk/client-api-gateway";
import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startEmulator, writeCalls, type CallLog, type Emulator } from "./emulator.ts";
import { clientConfig } from "./support.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

const S3_PUT = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:Put*", Resource: "*" }],
});

interface SdkError {
  name: string;
  code?: string;
  message: string;
  $metadata?: { httpStatusCode?: number };
}

/** The SDK error a promise rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error("expected the call to fail");
}

/** Runs a call and ignores its outcome: for calls whose result does not matter here. */
async function attempt(p: Promise<unknown>): Promise<void> {
  await p.catch(() => undefined);
}

/** What the client saw, in the emulator's fault vocabulary: "ok", "429", "500", "503", "409", "drop". */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    const err = e as SdkError;
    if (err.code === "ECONNRESET" || err.message.includes("socket hang up")) return "drop";
    return String(err.$metadata?.httpStatusCode ?? err.name);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let emu: Emulator;
let apigw: APIGatewayClient;
let iam: IAMClient;
let sts: STSClient;

beforeAll(async () => {
  emu = await startEmulator();
  const config = clientConfig(emu, "us-east-1");
  apigw = new APIGatewayClient(config);
  iam = new IAMClient(config);
  sts = new STSClient(config);
});

afterAll(async () => {
  await emu?.stop();
});

async function newApi(name: string): Promise<string> {
  const api = await apigw.send(new CreateRestApiCommand({ name }));
  return api.id ?? "";
}

describe("call log", () => {
  it("counts every call by its SDK operation name, reads apart from writes", async () => {
    await emu.reset();
    const restApiId = await newApi("counted");
    const arn = `arn:aws:apigateway:us-east-1::/restapis/${restApiId}`;
    for (let i = 0; i < 3; i++) await apigw.send(new GetRestApisCommand({}));
    await apigw.send(new GetRestApiCommand({ restApiId }));
    const resources = await apigw.send(new GetResourcesCommand({ restApiId }));
    await apigw.send(new GetResourcesCommand({ restApiId, embed: ["methods"], limit: 500 }));
    const resourceId = resources.items?.[0]?.id ?? "";
    await apigw.send(new UpdateRestApiCommand({ restApiId, patchOperations: [{ op: "replace", path: "/description", value: "d" }] }));
    await apigw.send(new PutMethodCommand({ restApiId, resourceId, httpMethod: "GET", authorizationType: "NONE" }));
    // These may fail on plain moto (the gaps moto_patches fills): only their names matter here.
    await attempt(apigw.send(new UpdateMethodCommand({ restApiId, resourceId, httpMethod: "GET", patchOperations: [] })));
    await attempt(apigw.send(new TagResourceCommand({ resourceArn: arn, tags: { k: "v" } })));
    await attempt(apigw.send(new GetTagsCommand({ resourceArn: arn })));
    await attempt(apigw.send(new ImportRestApiCommand({ body: new TextEncoder().encode("{}") })));
    await iam.send(new CreateRoleCommand({ RoleName: "counted", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePolicyCommand({ RoleName: "counted", PolicyName: "p", PolicyDocument: S3_PUT }));
    await iam.send(new GetRoleCommand({ RoleName: "counted" }));
    await iam.send(new GetRoleCommand({ RoleName: "counted" }));
    await iam.send(new ListRolePoliciesCommand({ RoleName: "counted" }));
    await sts.send(new GetCallerIdentityCommand({}));

    const calls = await emu.calls();
    const expected = {
      "apigateway:CreateRestApi": 1,
      "apigateway:GetRestApis": 3,
      "apigateway:GetRestApi": 1,
      "apigateway:GetResources": 2,
      "apigateway:UpdateRestApi": 1,
      "apigateway:PutMethod": 1,
      "apigateway:UpdateMethod": 1,
      "apigateway:TagResource": 1,
      "apigateway:GetTags": 1,
      "apigateway:ImportRestApi": 1,
      "iam:CreateRole": 1,
      "iam:PutRolePolicy": 1,
      "iam:GetRole": 2,
      "iam:ListRolePolicies": 1,
      "sts:GetCallerIdentity": 1,
    };
    expect(calls.byOperation).toEqual(expected);
    expect(calls.total).toBe(19);
    expect(calls.reads).toBe(11);
    expect(calls.writes).toBe(8);
    expect(calls.log).toHaveLength(19);
    expect(calls.log[0]).toMatchObject({ op: "apigateway:CreateRestApi", status: 201 });
    expect(writeCalls(calls)).toEqual({
      "apigateway:CreateRestApi": 1,
      "apigateway:UpdateRestApi": 1,
      "apigateway:PutMethod": 1,
      "apigateway:UpdateMethod": 1,
      "apigateway:TagResource": 1,
      "apigateway:ImportRestApi": 1,
      "iam:CreateRole": 1,
      "iam:PutRolePolicy": 1,
    });
  });

  it("also names a tags call whose ARN arrives decoded, slashes and all", async () => {
    await emu.resetCalls();
    const auth = "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0";
    await fetch(`${emu.endpoint}/tags/arn:aws:apigateway:us-east-1::/restapis/abc/stages/prod`, { headers: { authorization: auth } });
    expect((await emu.calls()).byOperation).toEqual({ "apigateway:GetTags": 1 });
  });

  it("resets the counters, and reset() also wipes moto's state", async () => {
    await emu.resetCalls();
    expect(await emu.calls()).toMatchObject({ total: 0, reads: 0, writes: 0, byOperation: {}, log: [] });
    await emu.reset();
    const apis = await apigw.send(new GetRestApisCommand({ limit: 500 }));
    expect(apis.items ?? []).toEqual([]);
  });
});

describe("latency mode", () => {
  it("delays each AWS call by at least the configured time", async () => {
    await emu.configure({ latencyMs: 150 });
    try {
      const start = performance.now();
      await apigw.send(new GetRestApisCommand({}));
      expect(performance.now() - start).toBeGreaterThanOrEqual(150);
    } finally {
      await emu.configure({ latencyMs: 0 });
    }
  });
});

describe("quota mode", () => {
  beforeAll(async () => {
    await emu.reset();
  });
  // Each test sets up with quota off, then turns it on (which refills every bucket).
  beforeEach(async () => {
    await emu.configure({ quota: false });
  });
  afterAll(async () => {
    await emu.configure({ quota: false });
  });

  it("answers 429 TooManyRequestsException past 5 GetResources / 2 s, and recovers", async () => {
    const restApiId = await newApi("q");
    // moto's first GetResources in a process takes ~0.6 s (lazy set-up): keep it out of the burst.
    await apigw.send(new GetResourcesCommand({ restApiId }));
    await emu.configure({ quota: true });
    // Sent together so they arrive within a few ms, well before the next token (0.4 s).
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => outcome(apigw.send(new GetResourcesCommand({ restApiId })))),
    );
    expect(outcomes.filter((o) => o === "ok").length).toBeGreaterThanOrEqual(5);
    expect(outcomes.filter((o) => o === "429")).toHaveLength(1);

    const err = await failure(apigw.send(new GetResourcesCommand({ restApiId })));
    expect(err.name).toBe("TooManyRequestsException");
    expect(err.$metadata?.httpStatusCode).toBe(429);
    expect(err.message).toBe("Too Many Requests");

    await sleep(500); // refills 2.5 tokens/s
    await apigw.send(new GetResourcesCommand({ restApiId }));
    expect((await emu.calls()).throttled).toBeGreaterThanOrEqual(2);
  });

  it("allows one CreateDeployment per 5 s", async () => {
    const restApiId = await newApi("deploy");
    const root = await apigw.send(new GetResourcesCommand({ restApiId }));
    const resourceId = root.items?.[0]?.id ?? "";
    await apigw.send(new PutMethodCommand({ restApiId, resourceId, httpMethod: "GET", authorizationType: "NONE" }));
    await apigw.send(new PutIntegrationCommand({ restApiId, resourceId, httpMethod: "GET", type: "MOCK" }));
    await emu.configure({ quota: true });
    await apigw.send(new CreateDeploymentCommand({ restApiId, stageName: "a" }));
    const err = await failure(apigw.send(new CreateDeploymentCommand({ restApiId, stageName: "a" })));
    expect(err.name).toBe("TooManyRequestsException");
  });

  it("does not let a throttled call reach moto", async () => {
    await emu.reset();
    await emu.configure({ quota: true });
    await apigw.send(new CreateRestApiCommand({ name: "once" }));
    const err = await failure(apigw.send(new CreateRestApiCommand({ name: "twice" }))); // 1 per 3 s
    expect(err.$metadata?.httpStatusCode).toBe(429);
    await emu.configure({ quota: false });
    const apis = await apigw.send(new GetRestApisCommand({ limit: 500 }));
    expect(apis.items?.map((a) => a.name)).toEqual(["once"]);
  });

  it("CreateRestApi: an EDGE API (also the default type) is 1 per 30 s, a REGIONAL one 1 per 3 s, in separate buckets", async () => {
    await emu.reset();
    await emu.configure({ quota: true });
    const regional = { endpointConfiguration: { types: ["REGIONAL" as const] } };
    await apigw.send(new CreateRestApiCommand({ name: "edge", endpointConfiguration: { types: ["EDGE"] } }));
    // The EDGE bucket is empty for 30 s, the REGIONAL one is not.
    expect((await failure(apigw.send(new CreateRestApiCommand({ name: "edge-2" })))).$metadata?.httpStatusCode).toBe(429);
    await apigw.send(new CreateRestApiCommand({ name: "regional", ...regional }));
    expect((await failure(apigw.send(new CreateRestApiCommand({ name: "regional-2", ...regional })))).$metadata?.httpStatusCode).toBe(429);
    await emu.configure({ quota: false });
    const apis = await apigw.send(new GetRestApisCommand({ limit: 500 }));
    expect(apis.items?.map((a) => a.name).sort()).toEqual(["edge", "regional"]);
    // The body read for the quota reached moto whole.
    expect(apis.items?.find((a) => a.name === "regional")?.endpointConfiguration?.types).toEqual(["REGIONAL"]);
  });

  it("throttles all API Gateway calls together at 10 rps, burst 40", async () => {
    await emu.configure({ quota: true });
    // Sent together. 80 calls leave room for a loaded machine: the 429 needs them all to arrive within
    // the ~4 s the bucket takes to refill 40 tokens.
    const outcomes = await Promise.all(
      Array.from({ length: 80 }, () => outcome(apigw.send(new GetRestApisCommand({})))),
    );
    expect(outcomes.filter((o) => o === "ok").length).toBeGreaterThanOrEqual(40);
    expect(outcomes.filter((o) => o === "429").length).toBeGreaterThanOrEqual(1);
    await iam.send(new GetRoleCommand({ RoleName: "absent" })).catch(() => undefined); // IAM is not limited here
    await sleep(300);
    await apigw.send(new GetRestApisCommand({}));
  });
});

describe("faults mode", () => {
  const N = 200;

  /** N calls alternating a read and a write; returns what the client saw for each. */
  async function run(): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < N; i++) {
      const call = i % 2 === 0 ? apigw.send(new GetRestApisCommand({})) : apigw.send(new CreateRestApiCommand({ name: `f${i}` }));
      seen.push(await outcome(call));
    }
    return seen;
  }

  let first: string[];
  let log: CallLog;

  beforeAll(async () => {
    await emu.configure({ faults: { rate: 0.3, seed: 7 } });
    await emu.reset(); // clean moto state, log from zero, PRNG from its seed
    first = await run();
    log = await emu.calls();
    await emu.configure({ faults: null });
  });

  it("fails about `rate` of the calls, with every kind", () => {
    const failed = first.filter((o) => o !== "ok").length;
    expect(failed).toBeGreaterThan(N * 0.3 * 0.6);
    expect(failed).toBeLessThan(N * 0.3 * 1.4);
    for (const kind of ["429", "500", "503", "drop", "409"]) expect(log.faults[kind]).toBeGreaterThan(0);
    expect(Object.values(log.faults).reduce((a, b) => a + b, 0)).toBe(failed);
    expect(log.total).toBe(N);
  });

  it("shows the client exactly the logged faults, and conflicts only on writes", () => {
    expect(log.log.map((e) => e.fault ?? "ok")).toEqual(first);
    const conflicted = log.log.filter((e) => e.fault === "409").map((e) => e.op);
    expect(new Set(conflicted)).toEqual(new Set(["apigateway:CreateRestApi"]));
  });

  it("applies some faulted writes before losing their response", async () => {
    const applied = log.log.filter((e) => e.applied).length;
    expect(applied).toBeGreaterThan(0);
    expect(log.appliedThenFailed).toBe(applied);
    const created = log.log.filter((e) => e.op === "apigateway:CreateRestApi" && ((e.status >= 200 && e.status < 300) || e.applied)).length;
    const apis = await apigw.send(new GetRestApisCommand({ limit: 500 }));
    expect(apis.items).toHaveLength(created);
  });

  it("gives the SDK AWS-shaped API Gateway errors", async () => {
    await emu.configure({ faults: { rate: 1, seed: 11 } });
    const names = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const err = await failure(apigw.send(new CreateRestApiCommand({ name: "x" })));
      names.set(err.code === "ECONNRESET" ? "drop" : String(err.$metadata?.httpStatusCode), err.name);
    }
    await emu.configure({ faults: null });
    expect(Object.fromEntries(names)).toMatchObject({
      "429": "TooManyRequestsException",
      "409": "ConflictException",
      "500": "InternalFailure",
      "503": "ServiceUnavailableException",
    });
    expect(names.has("drop")).toBe(true);
  });

  it("gives the SDK IAM-shaped errors and spares GetCallerIdentity", async () => {
    await emu.configure({ faults: { rate: 1, seed: 5 } });
    const names = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const err = await failure(iam.send(new CreateRoleCommand({ RoleName: `r${i}`, AssumeRolePolicyDocument: TRUST })));
      names.set(err.code === "ECONNRESET" ? "drop" : String(err.$metadata?.httpStatusCode), err.name);
    }
    await sts.send(new GetCallerIdentityCommand({}));
    await emu.configure({ faults: null });
    expect(Object.fromEntries(names)).toMatchObject({
      "400": "Throttling",
      "409": "ConcurrentModificationException",
      "500": "ServiceFailureException",
    });
  });

  it("repeats the same faults for the same seed", async () => {
    await emu.configure({ faults: { rate: 0.3, seed: 7 } });
    await emu.reset();
    const second = await run();
    await emu.configure({ faults: null });
    expect(second).toEqual(first);
  });
});

describe("start-up checks", () => {
  it("says what to install when python3 is missing", async () => {
    await expect(startEmulator({ python: "/nonexistent/python3" })).rejects.toThrow(
      /\/nonexistent\/python3 not found.*install moto\[server\] 5\.x/,
    );
  });

  it("says what to install when moto is missing", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "emu-"));
    try {
      const fake = path.join(dir, "python3");
      await writeFile(fake, `#!/bin/sh\necho "ModuleNotFoundError: No module named 'moto'" >&2\nexit 1\n`);
      await chmod(fake, 0o755);
      await expect(startEmulator({ python: fake })).rejects.toThrow(/module 'moto' is missing.*install moto\[server\] 5\.x/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stops the server process", async () => {
    const pid = emu.pid;
    await emu.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
