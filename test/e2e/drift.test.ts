/**
 * `reconcile drift` after an apply of manifests/: out-of-band edits made with the AWS SDK, every one
 * reported with its kind, identity, action and cause `drift`; the drift run writes nothing; an apply
 * heals them all and drift is then clean. Then `pending` (manifest changed since the last apply) and
 * `drift` (AWS changed) told apart in one report.
 *
 * Every CLI run has a per-scenario working directory (drift-support.ts Workspace), so the state file
 * that records the last applied spec never leaks between scenarios.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any -- manifests and report values are read as loose data */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateStageCommand,
  DeleteMethodCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UntagResourceCommand,
  UpdateIntegrationCommand,
  UpdateMethodCommand,
  UpdateMethodResponseCommand,
  UpdateRestApiCommand,
  UpdateStageCommand,
} from "@aws-sdk/client-api-gateway";
import {
  AttachRolePolicyCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from "@aws-sdk/client-iam";
import { type CallLog, type Emulator } from "../emulator/emulator.ts";
import { API_FILE, API_KEY, methodsByPath, resourcesOf, ROLE_FILE, stagesOf, theApi, writeOps, type Clients, useEmulator, SEED } from "./support.ts";
import { changesOf, explain, fieldOf, isChange, label, resourceIds, restApiArn, Workspace, type DriftChange, type Identity, type RunResult } from "./drift-support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

const ROLE_KEY = SEED.roleKey;
const ROLE_NAME = SEED.roleName;
const S3_FULL = SEED.s3FullAccess;
const EVIL_URI = "arn:aws:apigateway:us-east-1:s3:path/{bucket}/elsewhere";
const SEED_URI = SEED.bucketUri;
const STRANGER = "arn:aws:iam::210987654321:root";

interface Context {
  apiId: string;
  ids: Record<string, string>;
}

interface Expected {
  kind: string;
  id: Identity;
  action: "create" | "update" | "delete" | "replace";
  /** Field-level checks on the one matching change. */
  check?: (change: DriftChange) => void;
  /** Other changes this edit legitimately brings along (e.g. a removed method's responses). */
  covers?: (change: DriftChange) => boolean;
}

interface Edit {
  edit: string;
  /** Why the report must say what `expected` says. */
  reason: string;
  apply: (ctx: Context) => Promise<void>;
  expected: Expected[];
}

const api = (more: Identity = {}): Identity => ({ api: API_KEY, ...more });
const role = (more: Identity = {}): Identity => ({ role: ROLE_KEY, ...more });

function fieldValue(change: DriftChange, field: string, side: "before" | "after"): any {
  const f = fieldOf(change, field);
  expect(f, `${change.kind} ${label(change)} has no field ${field}: ${JSON.stringify(change.fields)}`).toBeDefined();
  return f?.[side];
}

const EDITS: Edit[] = [
  {
    edit: "integration URI changed (GET /{folder})",
    reason: "UpdateIntegration /uri: the live integration calls another S3 path; the report shows live before, desired after",
    apply: async ({ apiId, ids }) => {
      await aws.apigw.send(new UpdateIntegrationCommand({ restApiId: apiId, resourceId: ids["/{folder}"], httpMethod: "GET", patchOperations: [{ op: "replace", path: "/uri", value: EVIL_URI }] }));
    },
    expected: [
      {
        kind: "Integration",
        id: api({ path: "/{folder}", httpMethod: "GET" }),
        action: "update",
        check: (c) => {
          expect(c.fields.map((f) => f.field)).toEqual(["uri"]);
          expect(fieldValue(c, "uri", "before")).toBe(EVIL_URI);
          expect(fieldValue(c, "uri", "after")).toBe(SEED_URI);
          expect(c.jsonPatch).toEqual([{ op: "replace", path: "/uri", value: EVIL_URI }]);
        },
      },
    ],
  },
  {
    edit: "integration header mapping changed (PUT /{folder} Content-Type → 'text/plain')",
    reason: "UpdateIntegration /requestParameters/…: a request-parameter map entry differs",
    apply: async ({ apiId, ids }) => {
      await aws.apigw.send(
        new UpdateIntegrationCommand({
          restApiId: apiId,
          resourceId: ids["/{folder}"],
          httpMethod: "PUT",
          patchOperations: [{ op: "replace", path: "/requestParameters/integration.request.header.Content-Type", value: "'text/plain'" }],
        }),
      );
    },
    expected: [
      {
        kind: "Integration",
        id: api({ path: "/{folder}", httpMethod: "PUT" }),
        action: "update",
        check: (c) => {
          expect(fieldValue(c, "requestParameters", "before")["integration.request.header.Content-Type"]).toBe("'text/plain'");
          expect(fieldValue(c, "requestParameters", "after")["integration.request.header.Content-Type"]).toBe("method.request.header.Content-Type");
          expect(c.patch).toEqual([{ op: "replace", path: "/requestParameters/integration.request.header.Content-Type", value: "method.request.header.Content-Type" }]);
        },
      },
    ],
  },
  {
    edit: "method removed (DELETE /{folder}/{item})",
    reason: "the manifest has a method AWS no longer has: a create, with its responses and integration",
    apply: async ({ apiId, ids }) => {
      await aws.apigw.send(new DeleteMethodCommand({ restApiId: apiId, resourceId: ids["/{folder}/{item}"], httpMethod: "DELETE" }));
    },
    expected: [
      {
        kind: "Method",
        id: api({ path: "/{folder}/{item}", httpMethod: "DELETE" }),
        action: "create",
        check: (c) => expect(fieldValue(c, "authorizationType", "after")).toBe("AWS_IAM"),
        covers: (c) => c.path === "/{folder}/{item}" && c.httpMethod === "DELETE" && c.action === "create",
      },
    ],
  },
  {
    edit: "method added (OPTIONS /{folder} with a MOCK integration)",
    reason: "an out-of-band addition inside an owned API: a delete",
    apply: async ({ apiId, ids }) => {
      await aws.apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId: ids["/{folder}"], httpMethod: "OPTIONS", authorizationType: "NONE" }));
      await aws.apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId: ids["/{folder}"], httpMethod: "OPTIONS", type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' } }));
    },
    expected: [{ kind: "Method", id: api({ path: "/{folder}", httpMethod: "OPTIONS" }), action: "delete" }],
  },
  {
    edit: "resource added (/admin)",
    reason: "an out-of-band resource: a delete of that path",
    apply: async ({ apiId, ids }) => {
      await aws.apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: ids["/"], pathPart: "admin" }));
    },
    expected: [{ kind: "Resource", id: api({ path: "/admin" }), action: "delete" }],
  },
  {
    edit: "integration response added (HEAD /{folder}/{item} 404, with the method response it needs)",
    reason: "out-of-band responses: deletes of both",
    apply: async ({ apiId, ids }) => {
      await aws.apigw.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId: ids["/{folder}/{item}"], httpMethod: "HEAD", statusCode: "404" }));
      await aws.apigw.send(new PutIntegrationResponseCommand({ restApiId: apiId, resourceId: ids["/{folder}/{item}"], httpMethod: "HEAD", statusCode: "404", selectionPattern: "404" }));
    },
    expected: [
      { kind: "IntegrationResponse", id: api({ path: "/{folder}/{item}", httpMethod: "HEAD", statusCode: "404" }), action: "delete" },
      { kind: "MethodResponse", id: api({ path: "/{folder}/{item}", httpMethod: "HEAD", statusCode: "404" }), action: "delete" },
    ],
  },
  {
    edit: "binary media type added (text/csv)",
    reason: "binaryMediaTypes is a set field of the API: an update whose live side has the extra member; the JSON Patch desired→live adds it",
    apply: async ({ apiId }) => {
      await aws.apigw.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op: "add", path: "/binaryMediaTypes/text~1csv" }] }));
    },
    expected: [
      {
        kind: "RestApi",
        id: api(),
        action: "update",
        check: (c) => {
          expect(fieldValue(c, "binaryMediaTypes", "before")).toContain("text/csv");
          expect(fieldValue(c, "binaryMediaTypes", "after")).not.toContain("text/csv");
          expect(c.patch).toContainEqual({ op: "remove", path: "/binaryMediaTypes/text~1csv" });
          expect(c.jsonPatch).toContainEqual(expect.objectContaining({ op: "add", value: "text/csv" }));
        },
      },
    ],
  },
  {
    edit: "API tag removed (UntagResource app)",
    reason: "tags are a map field of the API: live {} vs desired {app}",
    apply: async ({ apiId }) => {
      await aws.apigw.send(new UntagResourceCommand({ resourceArn: restApiArn(apiId), tagKeys: ["app"] }));
    },
    expected: [
      {
        kind: "RestApi",
        id: api(),
        action: "update",
        check: (c) => {
          expect(fieldValue(c, "tags", "before")).toEqual({});
          expect(fieldValue(c, "tags", "after")).toEqual({ app: "my-s3" });
          expect(c.jsonPatch).toContainEqual({ op: "remove", path: "/tags/app" });
        },
      },
    ],
  },
  {
    edit: "method authorizationType changed (GET / → NONE)",
    reason: "UpdateMethod /authorizationType",
    apply: async ({ apiId, ids }) => {
      await aws.apigw.send(new UpdateMethodCommand({ restApiId: apiId, resourceId: ids["/"], httpMethod: "GET", patchOperations: [{ op: "replace", path: "/authorizationType", value: "NONE" }] }));
    },
    expected: [
      {
        kind: "Method",
        id: api({ path: "/", httpMethod: "GET" }),
        action: "update",
        check: (c) => {
          expect(fieldValue(c, "authorizationType", "before")).toBe("NONE");
          expect(fieldValue(c, "authorizationType", "after")).toBe("AWS_IAM");
        },
      },
    ],
  },
  {
    edit: "method response header flag changed (GET /{folder} 200 Date → required)",
    reason: "UpdateMethodResponse /responseParameters/…: a required flag differs",
    apply: async ({ apiId, ids }) => {
      await aws.apigw.send(
        new UpdateMethodResponseCommand({
          restApiId: apiId,
          resourceId: ids["/{folder}"],
          httpMethod: "GET",
          statusCode: "200",
          patchOperations: [{ op: "replace", path: "/responseParameters/method.response.header.Date", value: "true" }],
        }),
      );
    },
    expected: [
      {
        kind: "MethodResponse",
        id: api({ path: "/{folder}", httpMethod: "GET", statusCode: "200" }),
        action: "update",
        check: (c) => {
          expect(fieldValue(c, "responseParameters", "before")["method.response.header.Date"]).toBe(true);
          expect(fieldValue(c, "responseParameters", "after")["method.response.header.Date"]).toBe(false);
        },
      },
    ],
  },
  {
    edit: "stage moved to another deployment made by hand",
    reason: "prod no longer serves the deployment the reconciler recorded: a redeploy",
    apply: async ({ apiId }) => {
      const made = await aws.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, description: "made by hand" }));
      await aws.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/deploymentId", value: made.id }] }));
    },
    expected: [{ kind: "Deployment", id: api({ stage: "prod" }), action: "create" }],
  },
  {
    edit: "stage variable changed (bucket → other-bucket)",
    reason: "UpdateStage /variables/bucket",
    apply: async ({ apiId }) => {
      await aws.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/variables/bucket", value: "other-bucket" }] }));
    },
    expected: [
      {
        kind: "Stage",
        id: api({ stage: "prod" }),
        action: "update",
        check: (c) => {
          expect(fieldValue(c, "variables", "before")).toEqual({ bucket: "other-bucket" });
          expect(fieldValue(c, "variables", "after")).toEqual({ bucket: "my-bucket" });
        },
      },
    ],
  },
  {
    edit: "stage description changed",
    reason: "UpdateStage /description",
    apply: async ({ apiId }) => {
      await aws.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/description", value: "edited in the console" }] }));
    },
    expected: [
      {
        kind: "Stage",
        id: api({ stage: "prod" }),
        action: "update",
        check: (c) => {
          expect(fieldValue(c, "description", "before")).toBe("edited in the console");
          expect(fieldValue(c, "description", "after")).toBe("Production stage of the S3 proxy");
        },
      },
    ],
  },
  {
    edit: "stage method setting changed (*/* loggingLevel ERROR → INFO)",
    reason: "UpdateStage /*/*/logging/loglevel",
    apply: async ({ apiId }) => {
      await aws.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/*/*/logging/loglevel", value: "INFO" }] }));
    },
    expected: [
      {
        kind: "Stage",
        id: api({ stage: "prod" }),
        action: "update",
        check: (c) => {
          expect(fieldValue(c, "methodSettings.*/*.loggingLevel", "before")).toBe("INFO");
          expect(fieldValue(c, "methodSettings.*/*.loggingLevel", "after")).toBe("ERROR");
          expect(c.patch).toContainEqual({ op: "replace", path: "/*/*/logging/loglevel", value: "ERROR" });
        },
      },
    ],
  },
  {
    edit: "stage added (dev)",
    reason: "an out-of-band stage of an owned API: a delete",
    apply: async ({ apiId }) => {
      const prod = (await stagesOf(aws.apigw, apiId)).find((s) => s.stageName === "prod");
      await aws.apigw.send(new CreateStageCommand({ restApiId: apiId, stageName: "dev", deploymentId: prod?.deploymentId }));
    },
    expected: [{ kind: "Stage", id: api({ stage: "dev" }), action: "delete" }],
  },
  {
    edit: "trust policy admits another principal (UpdateAssumeRolePolicy)",
    reason: "assumeRolePolicy differs by meaning: the live one has an extra AWS principal",
    apply: async () => {
      const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com", AWS: STRANGER }, Action: "sts:AssumeRole" }] };
      await aws.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: ROLE_NAME, PolicyDocument: JSON.stringify(trust) }));
    },
    expected: [
      {
        kind: "IamRole",
        id: role(),
        action: "update",
        check: (c) => {
          expect(JSON.stringify(fieldValue(c, "assumeRolePolicy", "before"))).toContain(STRANGER);
          expect(JSON.stringify(fieldValue(c, "assumeRolePolicy", "after"))).not.toContain(STRANGER);
        },
      },
    ],
  },
  {
    edit: "role description changed (UpdateRole)",
    reason: "a role setting",
    apply: async () => {
      await aws.iam.send(new UpdateRoleCommand({ RoleName: ROLE_NAME, Description: "changed by hand" }));
    },
    expected: [
      {
        kind: "IamRole",
        id: role(),
        action: "update",
        check: (c) => {
          expect(fieldValue(c, "description", "before")).toBe("changed by hand");
          expect(fieldValue(c, "description", "after")).toBe("Lets API Gateway read and write Amazon S3 for the MyS3 proxy API");
        },
      },
    ],
  },
  {
    edit: "role tag removed (UntagRole app)",
    reason: "the role's user tags differ",
    apply: async () => {
      await aws.iam.send(new UntagRoleCommand({ RoleName: ROLE_NAME, TagKeys: ["app"] }));
    },
    expected: [
      {
        kind: "IamRole",
        id: role(),
        action: "update",
        check: (c) => {
          expect(fieldValue(c, "tags", "before")).toEqual({});
          expect(fieldValue(c, "tags", "after")).toEqual({ app: "my-s3" });
        },
      },
    ],
  },
  {
    edit: "extra managed policy attached (AmazonS3FullAccess)",
    reason: "an out-of-band attachment: a delete of it",
    apply: async () => {
      await aws.iam.send(new AttachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: S3_FULL }));
    },
    expected: [{ kind: "RolePolicyAttachment", id: role({ policy: S3_FULL }), action: "delete" }],
  },
  {
    edit: "inline policy deleted (s3-proxy-access)",
    reason: "the manifest's inline policy is gone from AWS: a create",
    apply: async () => {
      await aws.iam.send(new DeleteRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: "s3-proxy-access" }));
    },
    expected: [{ kind: "RolePolicy", id: role({ policy: "s3-proxy-access" }), action: "create", check: (c) => expect(JSON.stringify(fieldValue(c, "document", "after"))).toContain("s3:CreateBucket") }],
  },
  {
    edit: "inline policy added (extra, s3:*)",
    reason: "an out-of-band inline policy: a delete",
    apply: async () => {
      await aws.iam.send(
        new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: "extra", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }) }),
      );
    },
    expected: [{ kind: "RolePolicy", id: role({ policy: "extra" }), action: "delete", check: (c) => expect(JSON.stringify(fieldValue(c, "document", "before"))).toContain("s3:*") }],
  },
];

function theChange(run: RunResult | undefined, e: Expected): DriftChange {
  const found = changesOf(run?.json, e.kind, e.id);
  expect(found.length, `expected one ${e.kind} change for ${JSON.stringify(e.id)}\n${run ? explain(run) : "no run"}`).toBe(1);
  return found[0] as DriftChange;
}

describe("out-of-band edits after an apply of manifests/", () => {
  const ws = new Workspace();
  let apiId = "";
  let drift: RunResult | undefined;
  let driftLog: CallLog | undefined;
  let stateBefore = "";
  let stateAfter = "";

  beforeAll(async () => {
    await emulator.reset();
    // A stage variable in the manifest, so that "changed stage variable" changes a managed value.
    ws.manifests.edit(API_FILE, (m) => {
      m.spec.stages.prod.variables = { bucket: "my-bucket" };
    });
    const applied = await ws.apply(emulator);
    if (applied.code !== 0) throw new Error(`base apply failed: ${explain(applied)}`);
    apiId = (await theApi(aws.apigw)).id;
    const ctx: Context = { apiId, ids: await resourceIds(aws.apigw, apiId) };
    for (const e of EDITS) await e.apply(ctx);
    stateBefore = JSON.stringify(ws.state());
    await emulator.resetCalls();
    drift = await ws.drift(emulator);
    driftLog = await emulator.calls();
    stateAfter = JSON.stringify(ws.state());
  });

  afterAll(() => ws.dispose());

  it(`covers at least 15 distinct edits (${EDITS.length})`, () => {
    expect(new Set(EDITS.map((e) => e.edit)).size).toBeGreaterThanOrEqual(15);
  });

  it("drift exits 2 and writes nothing (no AWS write call, state file untouched)", () => {
    expect(drift?.code, drift ? explain(drift) : "").toBe(2);
    expect(driftLog ? writeOps(driftLog) : undefined).toEqual({});
    expect(stateAfter).toBe(stateBefore);
    expect(ws.state()?.lastApplied[`RestApi/${API_KEY}`]).toBeDefined();
  });

  it.each(EDITS)("reports: $edit", (e) => {
    for (const expected of e.expected) {
      const change = theChange(drift, expected);
      expect(change.action, e.reason).toBe(expected.action);
      expect(change.cause, e.reason).toBe("drift");
      expected.check?.(change);
    }
  });

  it("every change in the report is explained by one of the edits, and every change has cause drift", () => {
    const explained = (c: DriftChange) => EDITS.some((e) => e.expected.some((x) => isChange(c, x.kind, x.id) || x.covers?.(c) === true));
    const unexplained = (drift?.json?.changes ?? []).filter((c) => !explained(c));
    expect(unexplained.map((c) => `${c.action} ${c.kind} ${label(c)}`)).toEqual([]);
    expect((drift?.json?.changes ?? []).filter((c) => c.cause !== "drift").map((c) => `${c.kind} ${label(c)}`)).toEqual([]);
  });

  describe("then apply heals every edit", () => {
    let healed: RunResult | undefined;
    let after: RunResult | undefined;
    let afterLog: CallLog | undefined;

    beforeAll(async () => {
      healed = await ws.apply(emulator);
      await emulator.resetCalls();
      after = await ws.drift(emulator);
      afterLog = await emulator.calls();
    });

    it("apply exits 0 with every operation applied", () => {
      expect(healed?.code, healed ? explain(healed) : "").toBe(0);
      expect(healed?.json?.operations.filter((o) => o.status !== "applied")).toEqual([]);
    });

    it("drift then exits 0 with no changes and no write", () => {
      expect(after?.code, after ? explain(after) : "").toBe(0);
      expect(after?.json?.changes).toEqual([]);
      expect(afterLog ? writeOps(afterLog) : undefined).toEqual({});
    });

    it("AWS is back to the manifest (read with the SDK)", async () => {
      const resources = await resourcesOf(aws.apigw, apiId);
      expect(methodsByPath(resources)).toEqual({ "/": ["GET"], "/{folder}": ["DELETE", "GET", "PUT"], "/{folder}/{item}": ["DELETE", "GET", "HEAD", "PUT"] });
      const folderGet = resources.find((r) => r.path === "/{folder}")?.resourceMethods?.GET;
      expect(folderGet?.methodIntegration?.uri).toBe(SEED_URI);
      const stages = await stagesOf(aws.apigw, apiId);
      expect(stages.map((s) => s.stageName)).toEqual(["prod"]);
      expect(stages[0]?.variables).toEqual({ bucket: "my-bucket" });
      const attached = await aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE_NAME }));
      expect((attached.AttachedPolicies ?? []).map((p) => p.PolicyArn)).toEqual([]); // the seed role attaches none
      const inline = await aws.iam.send(new ListRolePoliciesCommand({ RoleName: ROLE_NAME }));
      expect(inline.PolicyNames).toEqual(["s3-proxy-access"]);
      const live = await aws.iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
      expect(decodeURIComponent(live.Role?.AssumeRolePolicyDocument ?? "")).not.toContain(STRANGER);
    });

    it("a stage moved back by hand on its own is drift: a redeploy whose reason says so", async () => {
      const made = await aws.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, description: "made by hand" }));
      await aws.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/deploymentId", value: made.id }] }));
      const run = await ws.drift(emulator);
      expect(run.code, explain(run)).toBe(2);
      expect(run.json?.changes.map((c) => `${c.kind}:${c.action}:${c.stage ?? ""}:${c.cause ?? ""}`)).toEqual(["Deployment:create:prod:drift"]);
      expect(run.json?.changes[0]?.reason).toMatch(/stage prod is not on the latest deployment/);
    });
  });
});

describe("pending (manifest changed since the last apply) vs drift (AWS changed), in one report", () => {
  const ws = new Workspace();
  let apiId = "";
  let pendingOnly: RunResult | undefined;
  let both: RunResult | undefined;
  let bothText: RunResult | undefined;

  beforeAll(async () => {
    await emulator.reset();
    const applied = await ws.apply(emulator);
    if (applied.code !== 0) throw new Error(`base apply failed: ${explain(applied)}`);
    apiId = (await theApi(aws.apigw)).id;
    // manifest changes, not applied
    ws.manifests.edit(API_FILE, (m) => {
      m.spec.stages.prod.description = "Production (renamed in Git)";
      m.spec.resources["/{folder}/{item}"].methods.PUT.integration.timeoutInMillis = 10000;
    });
    ws.manifests.edit(ROLE_FILE, (m) => {
      m.spec.description = "Changed in Git";
    });
    pendingOnly = await ws.drift(emulator);
    // out-of-band edits on other objects
    const ids = await resourceIds(aws.apigw, apiId);
    await aws.apigw.send(new UpdateMethodCommand({ restApiId: apiId, resourceId: ids["/"], httpMethod: "GET", patchOperations: [{ op: "replace", path: "/authorizationType", value: "NONE" }] }));
    await aws.iam.send(new AttachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: S3_FULL }));
    both = await ws.drift(emulator);
    bothText = await ws.run(emulator, ["drift", "-m", ws.manifests.dir, "--no-color"]);
  });

  afterAll(() => ws.dispose());

  const causes = (run: RunResult | undefined) => Object.fromEntries((run?.json?.changes ?? []).map((c) => [`${c.kind} ${c.action} ${label(c)}`, c.cause]));

  it("manifest changes alone are pending, and drift exits 0", () => {
    expect(pendingOnly?.code, pendingOnly ? explain(pendingOnly) : "").toBe(0);
    expect(causes(pendingOnly)).toEqual({
      "Stage update my-s3 prod": "pending",
      "Integration update my-s3 /{folder}/{item} PUT": "pending",
      "Deployment create my-s3 prod": "pending",
      "IamRole update apig-aws-proxy-role": "pending",
    });
  });

  it("with out-of-band edits too: each change has its own cause and drift exits 2", () => {
    expect(both?.code, both ? explain(both) : "").toBe(2);
    expect(causes(both)).toEqual({
      "Stage update my-s3 prod": "pending",
      "Integration update my-s3 /{folder}/{item} PUT": "pending",
      "Method update my-s3 / GET": "drift",
      "Deployment create my-s3 prod": "pending",
      "IamRole update apig-aws-proxy-role": "pending",
      "RolePolicyAttachment delete apig-aws-proxy-role arn:aws:iam::aws:policy/AmazonS3FullAccess": "drift",
    });
  });

  it("the text report marks each line [pending] or [drift]", () => {
    const text = bothText?.stdout ?? "";
    expect(bothText?.code, bothText?.stderr).toBe(2);
    expect(text).toMatch(/~ Method GET \/\s.*\[drift\]/);
    expect(text).toMatch(/- RolePolicyAttachment arn:aws:iam::aws:policy\/AmazonS3FullAccess.*\[drift\]/);
    expect(text).toMatch(/~ Stage prod.*\[pending\]/);
    expect(text).toMatch(/~ IamRole apig-aws-proxy-role.*\[pending\]/);
  });
});
