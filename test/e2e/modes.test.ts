/**
 * Observe mode and ignore rules with drift present, through the real CLI against the emulator:
 * `--mode observe` and `spec.reconcile: observe` make no write call (emulator call log) while the
 * report still shows the drift; `spec.ignore` JSON Pointers hide and protect what they match, and
 * only that.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- manifests are edited as loose YAML data */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetIntegrationCommand, GetMethodCommand, TagResourceCommand, UpdateIntegrationCommand, UpdateMethodCommand, UpdateStageCommand } from "@aws-sdk/client-api-gateway";
import { AttachRolePolicyCommand, GetRoleCommand, ListAttachedRolePoliciesCommand, UpdateRoleCommand } from "@aws-sdk/client-iam";
import { type Emulator } from "../emulator/emulator.ts";
import { API_FILE, API_KEY, ROLE_FILE, stagesOf, theApi, writeOps, type Clients, useEmulator, SEED } from "./support.ts";
import { changesOf, explain, label, resourceIds, restApiArn, Workspace, type RunResult } from "./drift-support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

const ROLE_KEY = SEED.roleKey;
const ROLE_NAME = SEED.roleName;
const ROLE_DESCRIPTION = "Lets API Gateway read and write Amazon S3 for the MyS3 proxy API";
const S3_FULL = SEED.s3FullAccess;
const SEED_URI = SEED.bucketUri;

/** The run, then the write calls the emulator saw during it. */
async function withWrites(run: () => Promise<RunResult>): Promise<{ run: RunResult; writes: Record<string, number> }> {
  await emulator.resetCalls();
  const result = await run();
  return { run: result, writes: writeOps(await emulator.calls()) };
}

function apiWrites(writes: Record<string, number>): string[] {
  return Object.keys(writes).filter((op) => op.startsWith("apigateway:"));
}

async function methodOf(apiId: string, path: string, httpMethod: string) {
  const ids = await resourceIds(aws.apigw, apiId);
  return aws.apigw.send(new GetMethodCommand({ restApiId: apiId, resourceId: ids[path], httpMethod }));
}

async function roleDescription(): Promise<string | undefined> {
  return (await aws.iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }))).Role?.Description;
}

async function attachedPolicies(): Promise<string[]> {
  return ((await aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE_NAME }))).AttachedPolicies ?? []).map((p) => p.PolicyArn ?? "?").sort();
}

describe("observe: --mode observe, then spec.reconcile: observe on the API", () => {
  const ws = new Workspace();
  let apiId = "";

  beforeAll(async () => {
    await emulator.reset();
    const applied = await ws.apply(emulator);
    if (applied.code !== 0) throw new Error(`base apply failed: ${explain(applied)}`);
    apiId = (await theApi(aws.apigw)).id;
    const ids = await resourceIds(aws.apigw, apiId);
    // drift on the API (deployable and not) and on the role
    await aws.apigw.send(new UpdateMethodCommand({ restApiId: apiId, resourceId: ids["/"], httpMethod: "GET", patchOperations: [{ op: "replace", path: "/authorizationType", value: "NONE" }] }));
    await aws.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/description", value: "by hand" }] }));
    await aws.iam.send(new UpdateRoleCommand({ RoleName: ROLE_NAME, Description: "by hand" }));
  });

  afterAll(() => ws.dispose());

  it("apply --mode observe makes zero write calls and reports the drift", async () => {
    const { run, writes } = await withWrites(() => ws.apply(emulator, "--mode", "observe"));
    expect(run.code, explain(run)).toBe(0);
    expect(writes).toEqual({});
    const shown = Object.fromEntries((run.json?.changes ?? []).map((c) => [`${c.kind} ${c.action} ${label(c)}`, c.cause]));
    expect(shown).toEqual({
      "IamRole update apig-aws-proxy-role": "drift",
      "Method update my-s3 / GET": "drift",
      "Stage update my-s3 prod": "drift",
      "Deployment create my-s3 prod": "drift",
    });
    expect(run.json?.operations ?? []).toEqual([]);
    expect(run.json?.skipped.map((s) => s.group).sort()).toEqual([`IamRole/${ROLE_KEY}`, `RestApi/${API_KEY}`]);
    // AWS still holds the out-of-band values
    expect((await methodOf(apiId, "/", "GET")).authorizationType).toBe("NONE");
    expect(await roleDescription()).toBe("by hand");
  });

  it("apply with spec.reconcile: observe on the API: no API Gateway write, the role is still healed", async () => {
    ws.manifests.edit(API_FILE, (m) => {
      m.spec.reconcile = "observe";
    });
    const { run, writes } = await withWrites(() => ws.apply(emulator));
    expect(run.code, explain(run)).toBe(0);
    expect(apiWrites(writes)).toEqual([]);
    expect(writes["iam:UpdateRole"]).toBe(1);
    expect(run.json?.skipped.map((s) => s.group)).toEqual([`RestApi/${API_KEY}`]);
    // the API's drift is still reported, not written
    expect(changesOf(run.json, "Method", { api: API_KEY, path: "/", httpMethod: "GET" })[0]?.cause).toBe("drift");
    expect(run.json?.operations.every((o) => o.service === "iam")).toBe(true);
    expect((await methodOf(apiId, "/", "GET")).authorizationType).toBe("NONE");
    expect((await stagesOf(aws.apigw, apiId)).find((s) => s.stageName === "prod")?.description).toBe("by hand");
    expect(await roleDescription()).toBe(ROLE_DESCRIPTION);
  });

  it("drift afterwards: the API's drift remains (exit 2), the role has none", async () => {
    const run = await ws.drift(emulator);
    expect(run.code, explain(run)).toBe(2);
    expect(run.json?.changes.filter((c) => c.role !== undefined)).toEqual([]);
    expect(run.json?.changes.map((c) => `${c.kind} ${label(c)}`).sort()).toEqual(["Deployment my-s3 prod", "Method my-s3 / GET", "Stage my-s3 prod"]);
  });
});

describe("ignore rules on a fresh create: the manifest's values are created", () => {
  it("/stages/prod/variables/* and /tags/team: the first apply still creates prod's variables and the team tag", async () => {
    await emulator.reset();
    const ws = new Workspace();
    try {
      ws.manifests.edit(API_FILE, (m) => {
        m.spec.stages.prod.variables = { bucket: "b1" };
        m.spec.tags.team = "core";
        m.spec.ignore = ["/stages/prod/variables/*", "/tags/team"];
      });
      const run = await ws.apply(emulator);
      expect(run.code, explain(run)).toBe(0);
      const created = await theApi(aws.apigw);
      expect(created.tags?.team).toBe("core");
      expect((await stagesOf(aws.apigw, created.id)).find((s) => s.stageName === "prod")?.variables).toEqual({ bucket: "b1" });
    } finally {
      ws.dispose();
    }
  });

  it("/resources/~1{folder}/methods/GET/integration/requestParameters: the first apply succeeds and creates the mapping", async () => {
    await emulator.reset();
    const ws = new Workspace();
    try {
      ws.manifests.edit(API_FILE, (m) => {
        m.spec.ignore = ["/resources/~1{folder}/methods/GET/integration/requestParameters"];
      });
      const run = await ws.apply(emulator);
      expect(run.code, explain(run)).toBe(0);
      const created = await theApi(aws.apigw);
      const ids = await resourceIds(aws.apigw, created.id);
      const integration = await aws.apigw.send(new GetIntegrationCommand({ restApiId: created.id, resourceId: ids["/{folder}"], httpMethod: "GET" }));
      expect(integration.requestParameters).toEqual({ "integration.request.path.bucket": "method.request.path.folder" });
    } finally {
      ws.dispose();
    }
  });
});

describe("ignore rules added to applied objects: out-of-band changes under them are neither reported nor corrected", () => {
  const ws = new Workspace();
  let apiId = "";
  let ids: Record<string, string> = {};

  beforeAll(async () => {
    await emulator.reset();
    ws.manifests.edit(API_FILE, (m) => {
      m.spec.stages.prod.variables = { bucket: "b1" };
      m.spec.tags.team = "core";
    });
    const applied = await ws.apply(emulator);
    if (applied.code !== 0) throw new Error(`base apply failed: ${explain(applied)}`);
    apiId = (await theApi(aws.apigw)).id;
    ids = await resourceIds(aws.apigw, apiId);
  });

  afterAll(() => ws.dispose());

  describe("stage variables (/stages/prod/variables/*) and an API tag (/tags/team)", () => {
    beforeAll(async () => {
      ws.manifests.edit(API_FILE, (m) => {
        m.spec.ignore = ["/stages/prod/variables/*", "/tags/team"];
      });
      await aws.apigw.send(
        new UpdateStageCommand({
          restApiId: apiId,
          stageName: "prod",
          patchOperations: [
            { op: "replace", path: "/variables/bucket", value: "b2" },
            { op: "replace", path: "/variables/added", value: "by-hand" },
          ],
        }),
      );
      await aws.apigw.send(new TagResourceCommand({ resourceArn: restApiArn(apiId), tags: { team: "platform" } }));
    });

    it("drift: exit 0, no change reported", async () => {
      const run = await ws.drift(emulator);
      expect(run.code, explain(run)).toBe(0);
      expect(run.json?.changes).toEqual([]);
    });

    it("apply: no write at all (no UpdateStage, no tag call); AWS keeps the out-of-band values", async () => {
      const { run, writes } = await withWrites(() => ws.apply(emulator));
      expect(run.code, explain(run)).toBe(0);
      expect(writes).toEqual({});
      const prod = (await stagesOf(aws.apigw, apiId)).find((s) => s.stageName === "prod");
      expect(prod?.variables).toEqual({ bucket: "b2", added: "by-hand" });
      expect((await theApi(aws.apigw)).tags?.team).toBe("platform");
    });

    it("a non-ignored change of the same stage is reported alone and corrected alone", async () => {
      await aws.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/description", value: "by hand" }] }));
      const drift = await ws.drift(emulator);
      expect(drift.code, explain(drift)).toBe(2);
      expect(drift.json?.changes.map((c) => `${c.kind} ${label(c)} ${c.cause ?? ""} [${c.fields.map((f) => f.field).join(",")}]`)).toEqual(["Stage my-s3 prod drift [description]"]);
      const { run, writes } = await withWrites(() => ws.apply(emulator));
      expect(run.code, explain(run)).toBe(0);
      expect(writes).toEqual({ "apigateway:UpdateStage": 1 });
      expect(run.json?.changes[0]?.patch).toEqual([{ op: "replace", path: "/description", value: "Production stage of the S3 proxy" }]);
      const prod = (await stagesOf(aws.apigw, apiId)).find((s) => s.stageName === "prod");
      expect(prod?.description).toBe("Production stage of the S3 proxy");
      expect(prod?.variables).toEqual({ bucket: "b2", added: "by-hand" });
    });
  });

  describe("a role field (/description on the IamRole)", () => {
    beforeAll(async () => {
      ws.manifests.edit(ROLE_FILE, (m) => {
        m.spec.ignore = ["/description"];
      });
      await aws.iam.send(new UpdateRoleCommand({ RoleName: ROLE_NAME, Description: "managed by the security team" }));
    });

    it("drift: exit 0, no change; apply: no IAM write", async () => {
      const drift = await ws.drift(emulator);
      expect(drift.code, explain(drift)).toBe(0);
      expect(drift.json?.changes).toEqual([]);
      const { run, writes } = await withWrites(() => ws.apply(emulator));
      expect(run.code, explain(run)).toBe(0);
      expect(run.json?.operations.map((o) => o.id)).toEqual([]);
      expect(Object.keys(writes).filter((op) => op.startsWith("iam:"))).toEqual([]);
      expect(await roleDescription()).toBe("managed by the security team");
    });

    it("a non-ignored drift of that role (extra managed policy) is still drift: exit 2, then corrected", async () => {
      await aws.iam.send(new AttachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: S3_FULL }));
      const drift = await ws.drift(emulator);
      // heal before asserting, so that a failure here cannot leak into the next scenario
      const { run, writes } = await withWrites(() => ws.apply(emulator));
      expect(drift.json?.changes.map((c) => `${c.kind} ${c.action} ${label(c)} ${c.cause ?? ""}`)).toEqual([`RolePolicyAttachment delete ${ROLE_KEY} ${S3_FULL} drift`]);
      expect(drift.code, explain(drift)).toBe(2);
      expect(run.code, explain(run)).toBe(0);
      expect(writes["iam:DetachRolePolicy"]).toBe(1);
      expect(writes["iam:UpdateRole"]).toBeUndefined();
      expect(await attachedPolicies()).toEqual([]); // as the seed role: nothing attached
      expect(await roleDescription()).toBe("managed by the security team");
    });
  });

  describe("an integration's request mapping (/resources/~1{folder}/methods/GET/integration/requestParameters)", () => {
    const EXTRA = "integration.request.header.x-team";

    beforeAll(async () => {
      ws.manifests.edit(API_FILE, (m) => {
        m.spec.ignore = [...(m.spec.ignore ?? []), "/resources/~1{folder}/methods/GET/integration/requestParameters"];
      });
      await aws.apigw.send(
        new UpdateIntegrationCommand({ restApiId: apiId, resourceId: ids["/{folder}"], httpMethod: "GET", patchOperations: [{ op: "add", path: `/requestParameters/${EXTRA}`, value: "'platform'" }] }),
      );
    });

    it("drift: exit 0, no change of the API (not even a redeploy)", async () => {
      const run = await ws.drift(emulator);
      const apiChanges = (run.json?.changes ?? []).filter((c) => c.api !== undefined);
      expect(apiChanges.map((c) => `${c.kind} ${c.action} ${label(c)}${c.reason ? ` (${c.reason})` : ""}`)).toEqual([]);
      expect(run.code, explain(run)).toBe(0);
    });

    it("apply: no API Gateway write (no UpdateIntegration, no CreateDeployment)", async () => {
      const { run, writes } = await withWrites(() => ws.apply(emulator));
      expect(run.code, explain(run)).toBe(0);
      expect(apiWrites(writes)).toEqual([]);
    });

    it("a non-ignored change of the same integration (uri) is reported and corrected; the ignored mapping stays", async () => {
      await aws.apigw.send(
        new UpdateIntegrationCommand({ restApiId: apiId, resourceId: ids["/{folder}"], httpMethod: "GET", patchOperations: [{ op: "replace", path: "/uri", value: `${SEED_URI}/x` }] }),
      );
      const drift = await ws.drift(emulator);
      expect(drift.code, explain(drift)).toBe(2);
      const integration = changesOf(drift.json, "Integration", { api: API_KEY, path: "/{folder}", httpMethod: "GET" });
      expect(integration.map((c) => c.fields.map((f) => f.field))).toEqual([["uri"]]);
      expect(integration[0]?.cause).toBe("drift");
      const { run, writes } = await withWrites(() => ws.apply(emulator));
      expect(run.code, explain(run)).toBe(0);
      expect(writes["apigateway:UpdateIntegration"]).toBe(1);
      const live = await aws.apigw.send(new GetIntegrationCommand({ restApiId: apiId, resourceId: ids["/{folder}"], httpMethod: "GET" }));
      expect(live.uri).toBe(SEED_URI);
      expect(live.requestParameters?.[EXTRA]).toBe("'platform'");
    });
  });
});
