// `reconcile verify` through the real CLI against a local stand-in for the deployed seed API
// (test/verify/standin.py): it checks every request's SigV4 signature with botocore — an implementation
// independent of the SDK signer that signs — and serves the S3 calls through the emulator's moto S3.
import { CreateBucketCommand, DeleteBucketCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../emulator/emulator.ts";
import { createSigner } from "../../src/verify/sign.ts";
import { startStandIn, type StandIn } from "../verify/standin.ts";
import { REGION, runCli, useEmulator, type CliResult } from "./support.ts";

let emulator: Emulator;
let standin: StandIn;
let s3: S3Client;
useEmulator((started) => {
  emulator = started;
});

beforeAll(async () => {
  standin = await startStandIn({ s3Endpoint: emulator.endpoint, region: REGION });
  s3 = new S3Client({ endpoint: emulator.endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId: "testing", secretAccessKey: "testing" }, maxAttempts: 1 });
});
afterAll(async () => {
  s3?.destroy();
  await standin?.stop();
});
beforeEach(async () => {
  await standin.setMode({ loseObjects: false });
  await standin.resetLog();
});

/** `reconcile verify --invoke-url <stand-in> ...extra`, the emulator's environment plus `env`. */
function verify(extra: readonly string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli({ ...emulator, env: { ...emulator.env, ...env } }, ["verify", "--invoke-url", standin.url, "--timeout", "20s", ...extra]);
}

async function bucketNames(): Promise<string[]> {
  return ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? "");
}

/** The table's rows: PHASE STEP CALL STATUS TIME RESULT (split on the CALL column's method). */
function tableRows(stdout: string): { phase: string; call: string; status: string; time: string; result: string }[] {
  const rows = stdout.split("\n").filter((line) => /^(setup|check|cleanup)\s/.test(line));
  return rows.map((line) => {
    const match = /^(\w+)\s+.+?\s{2,}((?:GET|HEAD|PUT|DELETE) \S+)\s+(\d{3}|-)\s+(\d+ ms|-)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`not a table row: ${line}`);
    const [, phase = "", call = "", status = "", time = "", result = ""] = match;
    return { phase, call, status, time, result };
  });
}

/** A port nothing listens on: one the OS just handed out and took back. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function scratchBucketOf(stdout: string): string {
  const name = /^bucket (apigw-verify-[a-z0-9]+) \(scratch/m.exec(stdout)?.[1];
  if (!name) throw new Error(`no scratch bucket in:\n${stdout}`);
  return name;
}

describe("reconcile verify against the stand-in", () => {
  it("passes: every call OK with its status and time, each request's signature valid for botocore, the scratch bucket gone", async () => {
    const run = await verify();
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const rows = tableRows(run.stdout);
    expect(rows.map((r) => r.call.split(" ")[0])).toEqual(["PUT", "GET", "PUT", "PUT", "GET", "GET", "HEAD", "GET", "DELETE", "DELETE", "DELETE"]);
    for (const row of rows) {
      expect(row.status, row.call).toBe("200");
      expect(row.time, row.call).toMatch(/^\d+ ms$/);
      expect(row.result, row.call).toMatch(/^OK/);
    }
    expect(rows.filter((r) => r.phase === "cleanup")).toHaveLength(3);
    expect(run.stdout).toMatch(/verify passed: 11 call\(s\), all OK/);
    expect(run.stdout).toContain("bytes, identical");

    const bucket = scratchBucketOf(run.stdout);
    expect(await bucketNames()).not.toContain(bucket);

    const log = await standin.log();
    expect(log).toHaveLength(11);
    for (const request of log) {
      expect(request.auth, `${request.method} ${request.path}`).toBe("valid");
      expect(request.signedHeaders).toEqual(expect.arrayContaining(["host", "x-amz-date"]));
      expect(request.s3Status, `${request.method} ${request.path} reached S3`).toBeGreaterThanOrEqual(200);
    }
    const puts = log.filter((r) => r.method === "PUT" && r.path.split("/").length === 4);
    expect(puts.map((r) => r.signedHeaders)).toEqual([expect.arrayContaining(["content-type"]), expect.arrayContaining(["content-type"])]);
    expect(log.find((r) => r.path.endsWith("/image.png") && r.method === "GET")?.signedHeaders).toContain("accept");
  });

  it("-o json: the same calls as a document, each with status and ms", async () => {
    const run = await verify(["-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { result: string; scratchBucket: boolean; steps: { outcome: string; status: number; ms: number }[] };
    expect(report.result).toBe("passed");
    expect(report.scratchBucket).toBe(true);
    expect(report.steps).toHaveLength(11);
    for (const step of report.steps) expect(step).toMatchObject({ outcome: "ok", status: 200, ms: expect.any(Number) as number });
  });

  it("fails on a wrong signature: exit 1, the 403 signature mismatch named, nothing left behind, no secret printed", async () => {
    const before = await bucketNames();
    const secret = "not-the-secret-the-api-knows";
    const run = await verify([], { AWS_SECRET_ACCESS_KEY: secret });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/verify failed .*"create scratch bucket" \(PUT \/apigw-verify-[a-z0-9]+\): HTTP 403: The request signature we calculated does not match/);
    expect(run.stderr).toContain("SigV4 signature mismatch");
    const rows = tableRows(run.stdout);
    expect(rows[0]).toMatchObject({ status: "403", result: expect.stringMatching(/^FAILED: HTTP 403/) as string });
    expect(rows.slice(1).every((r) => r.result.startsWith("skipped"))).toBe(true);
    expect((await standin.log()).map((r) => r.auth)).toEqual([expect.stringMatching(/^rejected: The request signature we calculated does not match/)]);
    expect(await bucketNames()).toEqual(before);
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/Signature=|Credential=|authorization/i);
    }
  });

  it("fails on a missing object: the PUT is lost, its GET answers 400 NoSuchKey; exit 1 naming the step; cleanup still runs", async () => {
    await standin.setMode({ loseObjects: true });
    const run = await verify();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/"get Readme\.txt, same bytes" \(GET \/apigw-verify-[a-z0-9]+\/Readme\.txt\): HTTP 400: NoSuchKey/);
    const rows = tableRows(run.stdout);
    const failed = rows.filter((r) => r.result.startsWith("FAILED")).map((r) => r.call.replace(/apigw-verify-[a-z0-9]+/, "B"));
    expect(failed).toEqual(["GET /B/Readme.txt", "GET /B/image.png", "HEAD /B/Readme.txt", "GET /B"]);
    expect(rows.filter((r) => r.phase === "cleanup").map((r) => r.result)).toEqual(["OK", "OK", "OK"]);
    expect(await bucketNames()).not.toContain(scratchBucketOf(run.stdout));
  });

  it("--bucket: an existing bucket is used and kept, the user's objects untouched, this run's objects deleted", async () => {
    const bucket = "verify-existing-bucket";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "Readme.txt", Body: "the user's own readme", ContentType: "text/plain" }));
    const run = await verify(["--bucket", bucket]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain(`bucket ${bucket} (existing: kept`);
    const calls = tableRows(run.stdout).map((r) => r.call);
    expect(calls).not.toContain(`PUT /${bucket}`);
    expect(calls).not.toContain(`DELETE /${bucket}`);
    expect(await bucketNames()).toContain(bucket);
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key);
    expect(keys).toEqual(["Readme.txt"]);
    const readme = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "Readme.txt" }));
    expect(await readme.Body?.transformToString()).toBe("the user's own readme");
    await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
  });

  it("fails when the API cannot be reached: exit 1 with the network error, not a stack; the unanswered create is still undone", async () => {
    const run = await runCli(emulator, ["verify", "--invoke-url", `http://127.0.0.1:${await closedPort()}/prod`, "--timeout", "5s"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/"create scratch bucket" .*request failed: fetch failed \(.*ECONNREFUSED/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // No answer: the bucket may exist, so its deletion is tried (and fails the same way).
    expect(tableRows(run.stdout).find((r) => r.call.startsWith("DELETE /apigw-verify-") && !r.call.includes("."))?.result).toMatch(/^FAILED: request failed/);
  });
});

describe("the stand-in rejects what API Gateway would (it is no rubber stamp)", () => {
  const signer = createSigner({ accessKeyId: "testing", secretAccessKey: "testing" }, REGION);

  async function call(url: string, init: { method: string; headers: Record<string, string>; body?: Uint8Array }): Promise<{ status: number; message: string }> {
    const response = await fetch(url, init);
    const text = await response.text();
    return { status: response.status, message: text ? String((JSON.parse(text) as { message?: string }).message ?? text) : "" };
  }

  it("a request the SDK signed passes; unsigned, a body changed after signing, another Region or an old date do not", async () => {
    const url = `${standin.url}/verify-standin-probe/x.txt`;
    const body = new TextEncoder().encode("signed bytes");
    const sign = async (at?: Date, region = REGION) => {
      const headers = await createSigner({ accessKeyId: "testing", secretAccessKey: "testing" }, region).sign({ method: "PUT", url, headers: { "content-type": "text/plain" }, body }, at);
      const { host: _host, ...rest } = headers;
      return rest;
    };
    await s3.send(new CreateBucketCommand({ Bucket: "verify-standin-probe" }));
    expect(await call(url, { method: "PUT", headers: await sign(), body })).toEqual({ status: 200, message: "" });
    expect(await call(url, { method: "PUT", headers: { "content-type": "text/plain" }, body })).toEqual({ status: 403, message: "Missing Authentication Token" });
    const tampered = await call(url, { method: "PUT", headers: await sign(), body: new TextEncoder().encode("other bytes!") });
    expect(tampered).toMatchObject({ status: 403, message: expect.stringMatching(/^The request signature we calculated does not match/) as string });
    expect((await call(url, { method: "PUT", headers: await sign(undefined, "eu-west-1"), body })).status).toBe(403);
    expect((await call(url, { method: "PUT", headers: await sign(new Date(Date.now() - 3_600_000)), body })).message).toMatch(/^Signature expired/);
    expect(signer.secrets).toEqual(["testing"]);
  });
});
