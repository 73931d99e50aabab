/**
 * Values AWS normalises or fills in must not look like differences: each case is its own small manifest
 * variant, applied; where only AWS itself can provoke the form (statement order, string vs list…), the
 * test writes AWS directly with the SDK after the apply. Then `reconcile drift` exits 0 with no change
 * and `reconcile plan` shows no change.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any -- manifests and policies are edited as loose data */
import { describe, expect, it } from "vitest";
import { GetIntegrationCommand, GetMethodCommand, GetStageCommand } from "@aws-sdk/client-api-gateway";
import { GetRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { type Emulator } from "../emulator/emulator.ts";
import { API_FILE, ROLE_FILE, theApi, writeOps, type Clients, type Manifest, useEmulator } from "./support.ts";
import { decodePolicy, explain, resourceIds, Workspace } from "./drift-support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

const ROLE_NAME = "NormRole";
const ROLE_ARN = "arn:aws:iam::123456789012:role/NormRole";

/** A small S3-proxy API: GET /{folder} → S3 ListObjects, stage prod; defaults written out (cases delete them). */
function baseApi(): Manifest {
  return {
    apiVersion: "apigw-reconciler/v1",
    kind: "RestApi",
    metadata: { name: "norm-api" },
    spec: {
      name: "NormApi",
      resources: {
        "/{folder}": {
          methods: {
            GET: {
              authorizationType: "AWS_IAM",
              apiKeyRequired: false,
              requestParameters: { "method.request.path.folder": true },
              integration: {
                type: "AWS",
                httpMethod: "GET",
                uri: "arn:aws:apigateway:${AWS_REGION}:s3:path/{bucket}",
                credentials: ROLE_ARN,
                passthroughBehavior: "WHEN_NO_MATCH",
                timeoutInMillis: 29000,
                requestParameters: { "integration.request.path.bucket": "method.request.path.folder" },
                responses: { "200": {} },
              },
              responses: { "200": {} },
            },
          },
        },
      },
      stages: { prod: { description: "prod" } },
    },
  };
}

const TRUST = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }] };

/** A role on its own (no API in the variant). */
function baseRole(): Manifest {
  return {
    apiVersion: "apigw-reconciler/v1",
    kind: "IamRole",
    metadata: { name: "norm-role" },
    spec: { roleName: ROLE_NAME, assumeRolePolicy: TRUST },
  };
}

interface Variant {
  api?: Manifest;
  role?: Manifest;
}

/** A workspace holding exactly the variant's manifests. */
function workspaceOf(variant: Variant): Workspace {
  const ws = new Workspace();
  ws.manifests.remove(API_FILE);
  ws.manifests.remove(ROLE_FILE);
  if (variant.api) ws.manifests.write(API_FILE, variant.api);
  if (variant.role) ws.manifests.write(ROLE_FILE, variant.role);
  return ws;
}

function apiVariant(edit: (spec: any) => void): Variant {
  const api = baseApi();
  edit(api.spec);
  return { api };
}

function roleVariant(edit: (spec: any) => void): Variant {
  const role = baseRole();
  edit(role.spec);
  return { role };
}

function getFolder(spec: any): any {
  return spec.resources["/{folder}"].methods.GET;
}

async function rolePolicy(name: string): Promise<any> {
  return decodePolicy((await aws.iam.send(new GetRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: name }))).PolicyDocument);
}

async function putRolePolicy(name: string, document: unknown): Promise<void> {
  await aws.iam.send(new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: name, PolicyDocument: JSON.stringify(document) }));
}

async function folderGetIntegration(): Promise<Record<string, unknown>> {
  const api = await theApi(aws.apigw, "norm-api");
  const ids = await resourceIds(aws.apigw, api.id);
  return (await aws.apigw.send(new GetIntegrationCommand({ restApiId: api.id, resourceId: ids["/{folder}"], httpMethod: "GET" }))) as unknown as Record<string, unknown>;
}

interface Case {
  name: string;
  /** Why AWS answers differently from the manifest here. */
  reason: string;
  variant: Variant;
  /** After the apply: provoke AWS's form directly and/or check that AWS holds it. */
  afterApply?: (ws: Workspace) => Promise<void>;
}

const CASES: Case[] = [
  {
    name: "binaryMediaTypes with '/': image/png created with the API, image/jpeg added by UpdateRestApi (image~1jpeg on the wire)",
    reason: "a media type's '/' is escaped as ~1 in patch paths; GetRestApis answers it plain",
    variant: apiVariant((spec) => {
      spec.binaryMediaTypes = ["image/png"];
    }),
    afterApply: async (ws) => {
      expect((await theApi(aws.apigw, "norm-api")).binaryMediaTypes).toEqual(["image/png"]);
      ws.manifests.edit(API_FILE, (m) => {
        m.spec.binaryMediaTypes = ["image/png", "image/jpeg"];
      });
      await emulator.resetCalls();
      const again = await ws.apply(emulator);
      expect(again.code, explain(again)).toBe(0);
      expect(writeOps(await emulator.calls())["apigateway:UpdateRestApi"]).toBe(1);
      const api = await theApi(aws.apigw, "norm-api");
      expect([...(api.binaryMediaTypes ?? [])].sort()).toEqual(["image/jpeg", "image/png"]);
    },
  },
  {
    name: "requestTemplates keyed application/json",
    reason: "the content type's '/' is ~1 in the patch path, a plain map key in GetResources",
    variant: apiVariant((spec) => {
      getFolder(spec).integration.requestTemplates = { "application/json": '{"bucket": "$input.params(\'folder\')"}' };
    }),
    afterApply: async () => {
      expect((await folderGetIntegration()).requestTemplates).toEqual({ "application/json": '{"bucket": "$input.params(\'folder\')"}' });
    },
  },
  {
    name: "passthroughBehavior omitted",
    reason: "AWS fills WHEN_NO_MATCH",
    variant: apiVariant((spec) => {
      delete getFolder(spec).integration.passthroughBehavior;
    }),
    afterApply: async () => {
      expect((await folderGetIntegration()).passthroughBehavior).toBe("WHEN_NO_MATCH");
    },
  },
  {
    name: "timeoutInMillis omitted",
    reason: "AWS fills 29000",
    variant: apiVariant((spec) => {
      delete getFolder(spec).integration.timeoutInMillis;
    }),
    afterApply: async () => {
      expect((await folderGetIntegration()).timeoutInMillis).toBe(29000);
    },
  },
  {
    name: "apiKeyRequired omitted, authorizationType omitted",
    reason: "AWS answers apiKeyRequired: false and authorizationType: NONE",
    variant: apiVariant((spec) => {
      delete getFolder(spec).apiKeyRequired;
      delete getFolder(spec).authorizationType;
    }),
    afterApply: async () => {
      const api = await theApi(aws.apigw, "norm-api");
      const ids = await resourceIds(aws.apigw, api.id);
      const method = await aws.apigw.send(new GetMethodCommand({ restApiId: api.id, resourceId: ids["/{folder}"], httpMethod: "GET" }));
      expect([method.apiKeyRequired, method.authorizationType]).toEqual([false, "NONE"]);
    },
  },
  {
    name: "empty maps written as {} (requestParameters, requestTemplates, responseParameters, responseModels)",
    reason: "AWS omits empty maps from its answers: {} and absent are the same",
    variant: apiVariant((spec) => {
      spec.resources["/{folder}"].methods.OPTIONS = {
        requestParameters: {},
        integration: { type: "MOCK", requestParameters: {}, requestTemplates: {}, responses: { "200": { responseParameters: {}, responseTemplates: {} } } },
        responses: { "200": { responseParameters: {}, responseModels: {} } },
      };
    }),
  },
  {
    name: "a stage with no variables (variables: {}), no method settings",
    reason: "GetStages omits variables when there are none",
    variant: apiVariant((spec) => {
      spec.stages.prod = { variables: {}, methodSettings: {} };
    }),
  },
  {
    name: "method settings that spell out AWS defaults (metricsEnabled: false, dataTraceEnabled: false, cachingEnabled: false)",
    reason: "AWS answers every method-setting field; defaults written or not are the same",
    variant: apiVariant((spec) => {
      spec.stages.prod.methodSettings = {
        "*/*": { metricsEnabled: false, dataTraceEnabled: false, cachingEnabled: false, loggingLevel: "ERROR", throttlingBurstLimit: 200, throttlingRateLimit: 100 },
      };
    }),
    afterApply: async () => {
      const api = await theApi(aws.apigw, "norm-api");
      const prod = await aws.apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "prod" }));
      expect(prod.methodSettings?.["*/*"]).toMatchObject({ metricsEnabled: false, dataTraceEnabled: false, cachingEnabled: false, loggingLevel: "ERROR" });
    },
  },
  {
    name: "a per-method setting without throttling (/{folder}/GET: metricsEnabled: true)",
    reason: "AWS fills the override's other fields, throttling -1 (= inherit from the stage): not a value the manifest set",
    variant: apiVariant((spec) => {
      spec.stages.prod.methodSettings = { "/{folder}/GET": { metricsEnabled: true } };
    }),
    afterApply: async () => {
      const api = await theApi(aws.apigw, "norm-api");
      const prod = await aws.apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "prod" }));
      expect(prod.methodSettings?.["~1{folder}/GET"]?.metricsEnabled).toBe(true);
    },
  },
  {
    name: "inline policy statements in the other order",
    reason: "statement order carries no meaning; AWS keeps whatever order was written last",
    variant: roleVariant((spec) => {
      spec.inlinePolicies = {
        two: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket-a/*" },
            { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::bucket-b/*" },
          ],
        },
      };
    }),
    afterApply: async () => {
      await putRolePolicy("two", {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::bucket-b/*" },
          { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket-a/*" },
        ],
      });
      expect((await rolePolicy("two")).Statement[0].Action).toBe("s3:PutObject");
    },
  },
  {
    name: "Action as a single string vs a one-element list (both ways)",
    reason: "IAM treats 'x' and ['x'] alike and answers as written",
    variant: roleVariant((spec) => {
      spec.inlinePolicies = {
        strings: {
          Version: "2012-10-17",
          Statement: [
            { Sid: "ListInManifest", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::bucket-a/*"] },
            { Sid: "StringInManifest", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::bucket-b/*" },
          ],
        },
      };
    }),
    afterApply: async () => {
      await putRolePolicy("strings", {
        Version: "2012-10-17",
        Statement: [
          { Sid: "ListInManifest", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket-a/*" },
          { Sid: "StringInManifest", Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::bucket-b/*"] },
        ],
      });
      expect((await rolePolicy("strings")).Statement[0].Action).toBe("s3:GetObject");
    },
  },
  {
    name: "Resource list in another order",
    reason: "a list of resources is a set",
    variant: roleVariant((spec) => {
      spec.inlinePolicies = {
        resources: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-b/*"] }] },
      };
    }),
    afterApply: async () => {
      await putRolePolicy("resources", {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: ["arn:aws:s3:::bucket-b/*", "arn:aws:s3:::bucket-a/*"] }],
      });
      expect((await rolePolicy("resources")).Statement[0].Resource[0]).toBe("arn:aws:s3:::bucket-b/*");
    },
  },
  {
    name: "the trust policy (with a condition) URL-encoded by IAM",
    reason: "GetRole answers the trust policy percent-encoded (RFC 3986)",
    variant: roleVariant((spec) => {
      spec.assumeRolePolicy = {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: ["apigateway.amazonaws.com"] },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:*/*" } },
          },
        ],
      };
      spec.description = "trust: apigateway & friends / 100% (encoded)";
    }),
    afterApply: async () => {
      const raw = (await aws.iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }))).Role?.AssumeRolePolicyDocument ?? "";
      expect(raw.startsWith("%7B")).toBe(true);
    },
  },
];

describe("AWS's normalised answers are not differences", () => {
  it.each(CASES)("$name", async (c) => {
    await emulator.reset();
    const ws = workspaceOf(c.variant);
    try {
      const applied = await ws.apply(emulator);
      expect(applied.code, `apply (${c.reason})\n${explain(applied)}`).toBe(0);
      if (c.afterApply) await c.afterApply(ws);
      const drift = await ws.drift(emulator);
      const plan = await ws.plan(emulator);
      expect(drift.json?.changes, `drift reports a difference although ${c.reason}\n${explain(drift)}`).toEqual([]);
      expect(drift.code, explain(drift)).toBe(0);
      expect(plan.code, explain(plan)).toBe(0);
      expect(plan.json?.changes, `plan shows a change although ${c.reason}\n${explain(plan)}`).toEqual([]);
      expect(plan.json?.operations).toEqual([]);
    } finally {
      ws.dispose();
    }
  });
});
