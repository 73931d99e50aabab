/**
 * What real AWS does that a naive client does not expect (issue: "Real AWS, not just moto"), through the
 * real CLI against the emulator, which behaves as AWS does here (test/emulator/SOURCES.md): resource
 * policies stored with `execute-api:/` expanded, scalars cleared with `replace` (AWS refuses `remove`),
 * new stage variables set with `replace`, method settings copied from `*\/*` and removed whole, mappings
 * validated when written.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- manifests are edited as loose YAML data */
import { GetRestApiCommand, GetStageCommand } from "@aws-sdk/client-api-gateway";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../emulator/emulator.ts";
import { API_FILE, describeRun, ManifestDir, plan, reconcile, stagesOf, theApi, useEmulator, writeOps, type Clients, type CliResult } from "./support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

let dir: ManifestDir;
beforeEach(async () => {
  await emulator.reset();
  dir = new ManifestDir();
});
afterEach(() => dir.dispose());

function expectOk(run: CliResult): void {
  expect(run.code, describeRun(run)).toBe(0);
}

/** apply, then a plan that must find nothing to change. */
async function applyConverged(...extra: string[]): Promise<CliResult> {
  const applied = await reconcile(emulator, dir.dir, ...extra);
  expectOk(applied);
  const again = await plan(emulator, dir.dir);
  expectOk(again);
  expect(again.json?.changes, JSON.stringify(again.json?.changes, null, 1)).toEqual([]);
  return applied;
}

describe("a resource policy with execute-api:/* (AWS stores the API's own ARN)", () => {
  it("applies, then plan shows 0 changes: the shorthand is compared as AWS expands it", async () => {
    dir.edit(API_FILE, (m) => {
      m.spec.policy = {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" },
          { Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", NotResource: ["execute-api:/prod/*"] },
        ],
      };
    });
    await applyConverged();
    const api = await theApi(aws.apigw);
    const stored = (await aws.apigw.send(new GetRestApiCommand({ restApiId: api.id }))).policy ?? "";
    // The emulator stored the expanded form, as AWS does: the no-op above is not a coincidence of moto.
    expect(stored.replace(/\\\//g, "/")).toContain(`:execute-api:us-east-1:`);
    expect(stored).not.toContain('"execute-api:/');
  });
});

describe("clearing a field AWS will not `remove`", () => {
  it("operationName, minimumCompressionSize, a stage description and an integration's contentHandling, dropped from the manifest, are cleared", async () => {
    dir.edit(API_FILE, (m) => {
      m.spec.minimumCompressionSize = 1024;
      m.spec.resources["/{folder}"].methods.GET.operationName = "ListBucket";
      m.spec.resources["/{folder}"].methods.PUT.integration.contentHandling = "CONVERT_TO_TEXT";
      m.spec.stages.prod.description = "Production";
    });
    await applyConverged();
    dir.edit(API_FILE, (m) => {
      delete m.spec.minimumCompressionSize;
      delete m.spec.resources["/{folder}"].methods.GET.operationName;
      delete m.spec.resources["/{folder}"].methods.PUT.integration.contentHandling;
      delete m.spec.stages.prod.description;
    });
    const cleared = await applyConverged();
    const patches = (cleared.json?.changes ?? []).flatMap((c) => c.patch);
    // Every one cleared with replace (AWS: "Invalid patch operation specified. Must be one of: [replace]" for remove).
    for (const path of ["/minimumCompressionSize", "/operationName", "/contentHandling", "/description"]) {
      expect(patches).toContainEqual({ op: "replace", path, value: "" });
    }
    const api = await theApi(aws.apigw);
    expect((await aws.apigw.send(new GetRestApiCommand({ restApiId: api.id }))).minimumCompressionSize).toBeUndefined();
    expect((await aws.apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "prod" }))).description ?? "").toBe("");
  });
});

describe("a new stage variable on an existing stage", () => {
  it("applies (set with replace; AWS refuses add) and converges", async () => {
    await applyConverged();
    dir.edit(API_FILE, (m) => (m.spec.stages.prod.variables = { bucket: "photos" }));
    await emulator.resetCalls();
    const applied = await applyConverged();
    // One stage write, no deployment (stage variables need none); the tag records the applied spec.
    expect(writeOps(await emulator.calls())).toEqual({ "apigateway:TagResource": 1, "apigateway:UpdateStage": 1 });
    expect(applied.json?.changes.flatMap((c) => c.patch)).toContainEqual({ op: "replace", path: "/variables/bucket", value: "photos" });
    const api = await theApi(aws.apigw);
    expect((await stagesOf(aws.apigw, api.id)).find((s) => s.stageName === "prod")?.variables).toEqual({ bucket: "photos" });
  });
});

describe("a per-method settings override", () => {
  it("/{folder}/GET logging INFO → apply → plan 0 changes (AWS copied */* into it) → dropped → the entry is gone", async () => {
    dir.edit(API_FILE, (m) => (m.spec.stages.prod.methodSettings["/{folder}/GET"] = { loggingLevel: "INFO" }));
    await applyConverged();
    const api = await theApi(aws.apigw);
    const settings = async () => (await aws.apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "prod" }))).methodSettings ?? {};
    const entry = Object.entries(await settings()).find(([key]) => key.includes("{folder}/GET"))?.[1];
    // The stage-wide values were copied into the new entry and kept: metrics on, as */* says.
    expect(entry).toMatchObject({ loggingLevel: "INFO", metricsEnabled: true });

    dir.edit(API_FILE, (m) => delete m.spec.stages.prod.methodSettings["/{folder}/GET"]);
    const dropped = await applyConverged();
    expect(dropped.json?.changes.flatMap((c) => c.patch)).toContainEqual({ op: "remove", path: "/~1{folder}/GET" });
    expect(Object.keys(await settings())).toEqual(["*/*"]);
  });

  it("an override equal to the stage-wide value is written (it creates the entry) and converges", async () => {
    dir.edit(API_FILE, (m) => (m.spec.stages.prod.methodSettings["/{folder}/{item}/GET"] = { metricsEnabled: true }));
    await applyConverged();
  });
});

describe("a method request header and its integration mapping added in one change", () => {
  it("applies in one pass, 20 times in a row with --concurrency 8 (UpdateMethod before UpdateIntegration)", async () => {
    await applyConverged();
    for (let i = 1; i <= 20; i++) {
      dir.edit(API_FILE, (m) => {
        const put = m.spec.resources["/{folder}/{item}"].methods.PUT;
        put.requestParameters[`method.request.header.x-amz-meta-h${i}`] = false;
        put.integration.requestParameters[`integration.request.header.x-amz-meta-h${i}`] = `method.request.header.x-amz-meta-h${i}`;
        // The previous header goes on both sides at the same time: removals in the reverse order.
        if (i > 1) {
          delete put.requestParameters[`method.request.header.x-amz-meta-h${i - 1}`];
          delete put.integration.requestParameters[`integration.request.header.x-amz-meta-h${i - 1}`];
        }
      });
      const run = await reconcile(emulator, dir.dir, "--concurrency", "8");
      expect(run.code, `round ${i}: ${describeRun(run)}`).toBe(0);
    }
    const again = await plan(emulator, dir.dir);
    expect(again.json?.changes).toEqual([]);
  }, 300_000);
});
