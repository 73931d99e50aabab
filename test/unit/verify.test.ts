// The pure parts of `reconcile verify` (src/verify/): the plan of calls, the generated PNG, invoke URLs per
// partition, the runner's skip and cleanup rules (with a fake send), the table and the JSON document, the
// signer's headers, and finding the API by manifest name or id. The calls themselves: test/e2e/verify.test.ts.
import { crc32 as zlibCrc32, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Gateway } from "../../src/aws/gateway.ts";
import type { Answer, Send } from "../../src/verify/http.ts";
import { describeNetworkError } from "../../src/verify/http.ts";
import { newRunId, objectKeys, README_TEXT, scratchBucketName, verifyPlan, type VerifyRequest } from "../../src/verify/plan.ts";
import { crc32, tinyPng } from "../../src/verify/png.ts";
import { passed, renderVerifyJson, renderVerifyText, type VerifyReport } from "../../src/verify/render.ts";
import { checkAnswer, errorSummary, runPlan, type StepResult } from "../../src/verify/runner.ts";
import { createSigner } from "../../src/verify/sign.ts";
import { findApiId, targetOfApi, targetOfUrl } from "../../src/verify/target.ts";
import { invokeUrl, normalizeInvokeUrl, partitionOf, regionOfInvokeUrl, requestUrl } from "../../src/verify/url.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

describe("the plan", () => {
  it("scratch bucket: create, list, put text and image, read both back, head, list, then delete objects and bucket", () => {
    const plan = verifyPlan({ runId: "abc12345", region: "us-east-1" });
    expect(plan).toMatchObject({ bucket: "apigw-verify-abc12345", scratch: true });
    expect(plan.steps.map((s) => `${s.phase} ${s.id} ${s.request.method} /${s.request.segments.join("/")}`)).toEqual([
      "setup create-bucket PUT /apigw-verify-abc12345",
      "check list-buckets GET /",
      "check put-text PUT /apigw-verify-abc12345/Readme.txt",
      "check put-image PUT /apigw-verify-abc12345/image.png",
      "check get-text GET /apigw-verify-abc12345/Readme.txt",
      "check get-image GET /apigw-verify-abc12345/image.png",
      "check head-text HEAD /apigw-verify-abc12345/Readme.txt",
      "check list-bucket GET /apigw-verify-abc12345",
      "cleanup delete-text DELETE /apigw-verify-abc12345/Readme.txt",
      "cleanup delete-image DELETE /apigw-verify-abc12345/image.png",
      "cleanup delete-bucket DELETE /apigw-verify-abc12345",
    ]);
    const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
    expect(byId["create-bucket"]?.request).toEqual({ method: "PUT", segments: ["apigw-verify-abc12345"], headers: {} });
    expect(byId["put-text"]?.request.headers).toEqual({ "content-type": "application/xml" });
    expect(byId["put-text"]?.request.body).toEqual(utf8(README_TEXT));
    expect(byId["put-image"]?.request.headers).toEqual({ "content-type": "image/png" });
    expect(byId["get-image"]?.request.headers).toEqual({ accept: "image/png" });
    expect(byId["get-image"]?.expect.body).toEqual(tinyPng());
    expect(byId["get-text"]?.needs).toEqual(["put-text"]);
    expect(byId["list-buckets"]?.expect.contains).toEqual(["<Name>apigw-verify-abc12345</Name>"]);
    expect(byId["list-bucket"]?.expect.contains).toEqual(["<Key>Readme.txt</Key>", "<Key>image.png</Key>"]);
    expect(plan.steps.filter((s) => s.phase === "cleanup").map((s) => s.undoes)).toEqual(["put-text", "put-image", "create-bucket"]);
  });

  it("outside us-east-1 the bucket is created with its Region as LocationConstraint", () => {
    const create = verifyPlan({ runId: "abc12345", region: "eu-west-1" }).steps[0];
    expect(create?.request.headers).toEqual({ "content-type": "application/xml" });
    expect(new TextDecoder().decode(create?.request.body)).toContain("<LocationConstraint>eu-west-1</LocationConstraint>");
  });

  it("--bucket: no bucket created or deleted, objects prefixed with the run id so none of the user's is touched", () => {
    const plan = verifyPlan({ runId: "abc12345", region: "us-east-1", bucket: "my-bucket" });
    expect(plan).toMatchObject({ bucket: "my-bucket", scratch: false });
    expect(plan.steps.map((s) => s.id)).not.toContain("create-bucket");
    expect(plan.steps.map((s) => s.id)).not.toContain("delete-bucket");
    expect(plan.steps.every((s) => s.needs.every((id) => plan.steps.some((t) => t.id === id)))).toBe(true);
    expect(objectKeys({ runId: "abc12345", region: "us-east-1", bucket: "my-bucket" })).toEqual({ text: "apigw-verify-abc12345-Readme.txt", image: "apigw-verify-abc12345-image.png" });
    expect(plan.steps.find((s) => s.id === "list-buckets")?.expect).toEqual({});
  });

  it("run ids and scratch bucket names follow S3's naming rules", () => {
    expect(newRunId(() => Uint8Array.from([0, 1, 25, 26, 35, 36, 255, 100]))).toBe("abz09ad2");
    for (let i = 0; i < 50; i++) expect(scratchBucketName(newRunId())).toMatch(/^apigw-verify-[a-z0-9]{8}$/);
    expect(() => scratchBucketName("UPPER")).toThrow(/invalid run id/);
  });
});

describe("the generated PNG", () => {
  it("is a valid PNG: signature, IHDR of the size asked, IDAT that inflates to the filtered rows, IEND; CRCs right", () => {
    const png = Buffer.from(tinyPng(4));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks: { type: string; data: Buffer }[] = [];
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at);
      const type = png.toString("latin1", at + 4, at + 8);
      const data = png.subarray(at + 8, at + 8 + length);
      expect(png.readUInt32BE(at + 8 + length), `${type} CRC`).toBe(zlibCrc32(png.subarray(at + 4, at + 8 + length)));
      chunks.push({ type, data });
      at += 12 + length;
    }
    expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    const header = chunks[0]?.data ?? Buffer.alloc(0);
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([4, 4, 8, 6]);
    expect(inflateSync(chunks[1]?.data ?? Buffer.alloc(0))).toHaveLength(4 * (1 + 4 * 4));
    expect(crc32(utf8("123456789"))).toBe(0xcbf43926); // the CRC-32 check value
  });
});

describe("invoke URLs", () => {
  it.each([
    ["us-east-1", "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod"],
    ["cn-north-1", "https://a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn/prod"],
    ["cn-northwest-1", "https://a1b2c3d4e5.execute-api.cn-northwest-1.amazonaws.com.cn/prod"],
    ["us-gov-west-1", "https://a1b2c3d4e5.execute-api.us-gov-west-1.amazonaws.com/prod"],
    ["us-iso-east-1", "https://a1b2c3d4e5.execute-api.us-iso-east-1.c2s.ic.gov/prod"],
    ["us-isob-east-1", "https://a1b2c3d4e5.execute-api.us-isob-east-1.sc2s.sgov.gov/prod"],
    ["eusc-de-east-1", "https://a1b2c3d4e5.execute-api.eusc-de-east-1.amazonaws.eu/prod"],
  ])("%s → %s", (region, url) => {
    expect(invokeUrl("a1b2c3d4e5", region, "prod")).toBe(url);
    expect(regionOfInvokeUrl(url)).toBe(region);
  });

  it("partitions by Region; an unknown shape is the commercial partition", () => {
    expect(partitionOf("cn-north-1").id).toBe("aws-cn");
    expect(partitionOf("us-gov-east-1").id).toBe("aws-us-gov");
    expect(partitionOf("local")).toEqual({ id: "aws", dnsSuffix: "amazonaws.com" });
  });

  it("--invoke-url is checked and normalised; request paths are percent-encoded per segment", () => {
    expect(normalizeInvokeUrl("http://127.0.0.1:8080/prod/")).toBe("http://127.0.0.1:8080/prod");
    expect(normalizeInvokeUrl("https://api.example.com")).toBe("https://api.example.com");
    expect(() => normalizeInvokeUrl("ftp://x/prod")).toThrow(/only http and https/);
    expect(() => normalizeInvokeUrl("https://x/prod?a=1")).toThrow(/no query string/);
    expect(() => normalizeInvokeUrl("https://user:pw@x/prod")).toThrow(/credentials/);
    expect(() => normalizeInvokeUrl("not a url")).toThrow(/is not a URL/);
    expect(requestUrl("https://x/prod", ["b", "a b+c.txt"])).toBe("https://x/prod/b/a%20b%2Bc.txt");
    expect(regionOfInvokeUrl("http://127.0.0.1:8080/prod")).toBeUndefined();
  });
});

// ------------------------------------------------------------------------------ the runner

const PLAN = verifyPlan({ runId: "abc12345", region: "us-east-1" });
const BUCKET_XML = utf8("<ListAllMyBucketsResult><Buckets><Bucket><Name>apigw-verify-abc12345</Name></Bucket></Buckets></ListAllMyBucketsResult>");
const OBJECTS_XML = utf8("<ListBucketResult><Contents><Key>Readme.txt</Key></Contents><Contents><Key>image.png</Key></Contents></ListBucketResult>");

/** A fake API Gateway that answers like the seed API over a healthy S3, unless `override` answers first. */
function fakeApi(override: (request: VerifyRequest) => Answer | Error | undefined = () => undefined): { send: Send; calls: string[] } {
  const calls: string[] = [];
  const send: Send = (request) => {
    calls.push(`${request.method} /${request.segments.join("/")}`);
    const special = override(request);
    if (special instanceof Error) return Promise.reject(special);
    if (special) return Promise.resolve(special);
    return Promise.resolve(healthyAnswer(request));
  };
  return { send, calls };
}

function healthyAnswer(request: VerifyRequest): Answer {
  const [bucket, key] = request.segments;
  const ok = (body: Uint8Array, contentType = "application/xml"): Answer => ({ status: 200, contentType, body });
  if (request.method !== "GET") return ok(new Uint8Array(), "application/json");
  if (!bucket) return ok(BUCKET_XML);
  if (!key) return ok(OBJECTS_XML);
  return key.endsWith(".png") ? ok(tinyPng(), "image/png") : ok(utf8(README_TEXT));
}

/** A clock that advances 7 ms per reading. */
function ticking(): () => number {
  let now = 0;
  return () => (now += 7);
}

const outcomes = (results: StepResult[]) => Object.fromEntries(results.map((r) => [r.id, r.outcome]));

describe("the runner", () => {
  it("all healthy: every step ok, timed, in plan order", async () => {
    const api = fakeApi();
    const results = await runPlan(PLAN, { send: api.send, clock: ticking() });
    expect(results.map((r) => r.outcome)).toEqual(Array(11).fill("ok"));
    expect(results.every((r) => r.status === 200 && r.ms === 7)).toBe(true);
    expect(api.calls).toHaveLength(11);
    expect(passed(results)).toBe(true);
  });

  it("a refused bucket creation: the checks and the cleanups are skipped (nothing was made)", async () => {
    const api = fakeApi((r) => (r.method === "PUT" && r.segments.length === 1 ? { status: 403, contentType: "application/json", body: utf8('{"message":"The request signature we calculated does not match the signature you provided."}') } : undefined));
    const results = await runPlan(PLAN, { send: api.send, clock: ticking() });
    expect(api.calls).toEqual(["PUT /apigw-verify-abc12345"]);
    expect(results[0]?.detail).toBe("HTTP 403: The request signature we calculated does not match the signature you provided. — SigV4 signature mismatch: check the credentials and the signing Region");
    expect(results.slice(1).every((r) => r.outcome === "skipped" && r.ms === undefined)).toBe(true);
    expect(results.at(-1)?.detail).toBe('nothing to delete: "create scratch bucket" was refused');
    expect(passed(results)).toBe(false);
  });

  it("a failed check still cleans up; a PUT with no answer (it may have landed) is still deleted", async () => {
    const api = fakeApi((r) => {
      if (r.method === "PUT" && r.segments[1] === "image.png") return new Error("socket hang up");
      if (r.method === "GET" && r.segments[1] === "Readme.txt") return { status: 400, contentType: "application/json", body: utf8("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>") };
      return undefined;
    });
    const results = await runPlan(PLAN, { send: api.send, describeError: (e) => `no answer: ${(e as Error).message}` });
    expect(outcomes(results)).toMatchObject({ "put-image": "failed", "get-text": "failed", "get-image": "skipped", "head-text": "ok", "delete-text": "ok", "delete-image": "ok", "delete-bucket": "ok" });
    expect(results.find((r) => r.id === "get-text")?.detail).toBe("HTTP 400: NoSuchKey: The specified key does not exist.");
    const lost = results.find((r) => r.id === "put-image");
    expect([lost?.detail, lost?.status]).toEqual(["no answer: socket hang up", undefined]);
    expect(api.calls.slice(-3)).toEqual(["DELETE /apigw-verify-abc12345/Readme.txt", "DELETE /apigw-verify-abc12345/image.png", "DELETE /apigw-verify-abc12345"]);
  });

  it("byte-for-byte: other bytes fail with where they differ; base64 of the bytes is named as such", () => {
    const step = PLAN.steps.find((s) => s.id === "get-image");
    if (!step) throw new Error("no get-image");
    const png = tinyPng();
    expect(checkAnswer(step, { status: 200, contentType: "image/png", body: png })).toBeUndefined();
    const changed = Uint8Array.from(png);
    changed[20] = (changed[20] ?? 0) ^ 0xff;
    expect(checkAnswer(step, { status: 200, contentType: "image/png", body: changed })).toBe(`the bytes differ: got ${png.length}, sent ${png.length}, first difference at byte 20`);
    expect(checkAnswer(step, { status: 200, contentType: "application/json", body: utf8(Buffer.from(png).toString("base64")) })).toMatch(/^the bytes came back base64-encoded/);
    const list = PLAN.steps.find((s) => s.id === "list-bucket");
    if (!list) throw new Error("no list-bucket");
    expect(checkAnswer(list, { status: 200, contentType: "application/xml", body: utf8("<ListBucketResult/>") })).toBe("the answer lacks <Key>Readme.txt</Key>, <Key>image.png</Key> (19 bytes, application/xml)");
  });

  it("error summaries: API Gateway's JSON message, S3's XML code and message, plain text, an empty body", () => {
    const answer = (status: number, text: string): Answer => ({ status, contentType: "", body: utf8(text) });
    expect(errorSummary(answer(403, '{"message":"Missing Authentication Token"}'))).toBe("Missing Authentication Token");
    expect(errorSummary(answer(400, "<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>"))).toBe("NoSuchBucket: gone");
    expect(errorSummary(answer(502, "Bad\n  gateway"))).toBe("Bad gateway");
    expect(errorSummary(answer(500, ""))).toBe("(empty body)");
    expect(errorSummary(answer(400, "x".repeat(500)))).toHaveLength(241);
  });

  it("network errors: the cause, or a timeout in words", () => {
    const refused = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
    expect(describeNetworkError(refused, 1000)).toBe("request failed: fetch failed (connect ECONNREFUSED 127.0.0.1:9)");
    expect(describeNetworkError(new DOMException("The operation was aborted due to timeout", "TimeoutError"), 1500)).toBe("no answer within 1500 ms");
  });
});

// ------------------------------------------------------------------------------ rendering

function report(results: StepResult[]): VerifyReport {
  return { invokeUrl: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod", region: "us-east-1", bucket: "apigw-verify-abc12345", scratch: true, results };
}

const RESULTS: StepResult[] = [
  { id: "create-bucket", title: "create scratch bucket", phase: "setup", call: "PUT /apigw-verify-abc12345", outcome: "ok", status: 200, ms: 41, detail: "" },
  { id: "get-text", title: "get Readme.txt, same bytes", phase: "check", call: "GET /apigw-verify-abc12345/Readme.txt", outcome: "failed", status: 400, ms: 1234, detail: "HTTP 400: NoSuchKey: The specified key does not exist." },
  { id: "head-text", title: "head Readme.txt", phase: "check", call: "HEAD /apigw-verify-abc12345/Readme.txt", outcome: "skipped", detail: 'needs "put Readme.txt (text)", which failed' },
  { id: "delete-bucket", title: "delete scratch bucket", phase: "cleanup", call: "DELETE /apigw-verify-abc12345", outcome: "ok", status: 200, ms: 6, detail: "" },
];

describe("rendering", () => {
  it("the table: one row per call with its status and time, then which calls failed", () => {
    expect(renderVerifyText(report(RESULTS))).toBe(
      [
        "apigw-reconciler verify: https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod (us-east-1)",
        "bucket apigw-verify-abc12345 (scratch: created and deleted by this run)",
        "",
        "PHASE    STEP                        CALL                                    STATUS     TIME  RESULT",
        "setup    create scratch bucket       PUT /apigw-verify-abc12345              200       41 ms  OK",
        "check    get Readme.txt, same bytes  GET /apigw-verify-abc12345/Readme.txt   400     1234 ms  FAILED: HTTP 400: NoSuchKey: The specified key does not exist.",
        'check    head Readme.txt             HEAD /apigw-verify-abc12345/Readme.txt  -             -  skipped: needs "put Readme.txt (text)", which failed',
        "cleanup  delete scratch bucket       DELETE /apigw-verify-abc12345           200        6 ms  OK",
        "",
        "verify FAILED: 1 of 3 call(s) failed, 1 skipped",
        '  - "get Readme.txt, same bytes" (GET /apigw-verify-abc12345/Readme.txt): HTTP 400: NoSuchKey: The specified key does not exist.',
        "",
      ].join("\n"),
    );
  });

  it("passed, and the existing-bucket header", () => {
    const ok = RESULTS.filter((r) => r.outcome === "ok");
    const text = renderVerifyText({ ...report(ok), bucket: "mine", scratch: false });
    expect(text).toContain("bucket mine (existing: kept; only this run's objects are written and deleted)");
    expect(text).toContain("verify passed: 2 call(s), all OK\n");
    expect(passed([])).toBe(false);
  });

  it("the JSON document", () => {
    const json = JSON.parse(renderVerifyJson(report(RESULTS))) as Record<string, unknown>;
    expect(json).toMatchObject({ version: 1, result: "failed", bucket: "apigw-verify-abc12345", scratchBucket: true });
    expect(json.steps).toEqual([
      expect.objectContaining({ id: "create-bucket", outcome: "ok", status: 200, ms: 41 }),
      expect.objectContaining({ id: "get-text", outcome: "failed", status: 400, ms: 1234 }),
      expect.objectContaining({ id: "head-text", outcome: "skipped", status: null, ms: null }),
      expect.objectContaining({ id: "delete-bucket", phase: "cleanup" }),
    ]);
  });
});

// ------------------------------------------------------------------------------ signing and the target

describe("the signer (the SDK's SignatureV4 for execute-api)", () => {
  it("signs host, x-amz-date and the request's headers; scope execute-api; no content-sha256 header; token signed", async () => {
    const signer = createSigner({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "TOKEN" }, "cn-north-1");
    const at = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    const headers = await signer.sign({ method: "PUT", url: "http://127.0.0.1:8080/prod/b/Readme.txt", headers: { "content-type": "application/xml" }, body: utf8("x") }, at);
    expect(headers).toMatchObject({ host: "127.0.0.1:8080", "x-amz-date": "20240102T030405Z", "x-amz-security-token": "TOKEN", "content-type": "application/xml" });
    expect(headers["x-amz-content-sha256"]).toBeUndefined();
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240102\/cn-north-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(signer.secrets).toEqual(["wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN"]);
    const again = await signer.sign({ method: "PUT", url: "http://127.0.0.1:8080/prod/b/Readme.txt", headers: { "content-type": "application/xml" }, body: utf8("y") }, at);
    expect(again.authorization).not.toBe(headers.authorization); // the payload is signed
  });
});

function gatewayWith(apis: { id: string; name: string; tags?: Record<string, string> }[], stages: string[] = ["prod"]): Gateway {
  const read = (_service: string, operation: string) =>
    Promise.resolve(operation === "GetRestApis" ? { items: apis } : { item: stages.map((stageName) => ({ stageName })) });
  return { read, region: () => Promise.resolve("eu-west-1") } as unknown as Gateway;
}

describe("the target", () => {
  const APIS = [
    { id: "aaaa111111", name: "MyS3", tags: { "apigw-reconciler:name": "my-s3", "apigw-reconciler:owner": "apigw-reconciler" } },
    { id: "bbbb222222", name: "Other" },
  ];

  it("finds the API by its manifest name tag, else by id; names ambiguity and absence", async () => {
    expect(await findApiId(gatewayWith(APIS), "my-s3", "eu-west-1")).toBe("aaaa111111");
    expect(await findApiId(gatewayWith(APIS), "bbbb222222", "eu-west-1")).toBe("bbbb222222");
    await expect(findApiId(gatewayWith(APIS), "nope", "eu-west-1")).rejects.toThrow("no API tagged apigw-reconciler:name=nope and none with id nope in eu-west-1");
    const twice = [...APIS, { id: "cccc333333", name: "MyS3", tags: { "apigw-reconciler:name": "my-s3", "apigw-reconciler:owner": "team-b" } }];
    await expect(findApiId(gatewayWith(twice), "my-s3", "eu-west-1")).rejects.toThrow(/2 APIs are tagged apigw-reconciler:name=my-s3 .*cccc333333 \(owner team-b\); pass the id with --api/);
  });

  it("builds the invoke URL in the SDK's Region; a missing stage is named", async () => {
    expect(await targetOfApi({ api: "my-s3", stage: "prod" }, gatewayWith(APIS))).toEqual({ invokeUrl: "https://aaaa111111.execute-api.eu-west-1.amazonaws.com/prod", region: "eu-west-1", apiId: "aaaa111111" });
    expect((await targetOfApi({ api: "my-s3", stage: "prod", region: "cn-north-1" }, gatewayWith(APIS))).invokeUrl).toBe("https://aaaa111111.execute-api.cn-north-1.amazonaws.com.cn/prod");
    await expect(targetOfApi({ api: "my-s3", stage: "beta" }, gatewayWith(APIS, ["prod", "dev"]))).rejects.toThrow('API aaaa111111 (my-s3) has no stage "beta" in eu-west-1; its stages: prod, dev');
  });

  it("--invoke-url: signed for --region, else the URL's Region, else the environment's", () => {
    const url = "https://aaaa111111.execute-api.ap-south-1.amazonaws.com/prod/";
    expect(targetOfUrl({ api: "my-s3", stage: "prod", invokeUrl: url }, {})).toEqual({ invokeUrl: url.slice(0, -1), region: "ap-south-1" });
    expect(targetOfUrl({ api: "my-s3", stage: "prod", invokeUrl: url, region: "us-east-1" }, {}).region).toBe("us-east-1");
    expect(targetOfUrl({ api: "x", stage: "prod", invokeUrl: "http://127.0.0.1:9/prod" }, { AWS_DEFAULT_REGION: "eu-north-1" }).region).toBe("eu-north-1");
    expect(() => targetOfUrl({ api: "x", stage: "prod", invokeUrl: "http://127.0.0.1:9/prod" }, {})).toThrow(/no Region to sign for: .* pass --region/);
  });
});
