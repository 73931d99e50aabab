/**
 * All four kinds in one set of manifests, through the real CLI against the emulator: the seed API and role,
 * a usage plan with two API keys and a custom domain, created from empty in one apply (the plan ordered
 * across kinds: role → API → stage → usage plan and base-path mapping); a no-op in the fewest calls, per
 * kind; a one-field change per kind (a deployment only for the API's deployable field); out-of-band edits on
 * the new kinds all reported in one drift run with their cause and healed in one apply; a removed usage
 * plan pruned. Each kind's own file (usage-plans, domain-names) goes deeper.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- manifests and report values are read as loose data */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DeleteBasePathMappingCommand,
  GetApiKeysCommand,
  GetBasePathMappingsCommand,
  GetDomainNamesCommand,
  GetUsagePlansCommand,
  UpdateApiKeyCommand,
  UpdateDomainNameCommand,
  UpdateUsagePlanCommand,
} from "@aws-sdk/client-api-gateway";
import type { Emulator } from "../emulator/emulator.ts";
import { awsOps, theApi, useEmulator, writeOps, type Clients } from "./support.ts";
import { explain, Workspace } from "./drift-support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

const ENV = "KINDS_E2E_PARTNER_KEY";
const VALUE = "PartnerKeyE2e0123456789abcdef";
const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab";
const CERT2 = "arn:aws:acm:us-east-1:123456789012:certificate/9f8e7d6c-aaaa-bbbb-cccc-0123456789ab";

const usagePlan = {
  apiVersion: "apigw-reconciler/v1",
  kind: "UsagePlan",
  metadata: { name: "partners" },
  spec: {
    throttle: { burstLimit: 100, rateLimit: 50 },
    quota: { limit: 10000, period: "MONTH" },
    apiStages: [{ api: "my-s3", stage: "prod" }],
    apiKeys: [{ name: "acme", valueFrom: { env: ENV } }, { name: "globex" }],
  },
};

const domain = {
  apiVersion: "apigw-reconciler/v1",
  kind: "DomainName",
  metadata: { name: "api-example" },
  spec: { domainName: "api.example.com", certificateArn: CERT, basePathMappings: [{ basePath: "s3", api: "my-s3", stage: "prod" }] },
};

let ws: Workspace;
const previous = process.env[ENV];

beforeAll(() => {
  process.env[ENV] = VALUE;
  ws = new Workspace();
  ws.manifests.write("usage-plan.yaml", usagePlan);
  ws.manifests.write("domain.yaml", domain);
});

afterAll(() => {
  ws?.dispose();
  if (previous === undefined) delete process.env[ENV];
  else process.env[ENV] = previous;
});

async function livePlan() {
  const plans = (await aws.apigw.send(new GetUsagePlansCommand({ limit: 500 }))).items ?? [];
  const plan = plans.find((p) => p.tags?.["apigw-reconciler:name"] === "partners");
  if (!plan?.id) throw new Error("no usage plan partners");
  return plan;
}

describe("RestApi + IamRole + UsagePlan + DomainName", () => {
  it("are created from empty in one apply, each object after what it requires", async () => {
    const run = await ws.apply(emulator);
    expect(run.code, explain(run)).toBe(0);
    const ops = run.json?.operations.map((op: any) => op.id as string) ?? [];
    const position = (prefix: string) => ops.findIndex((id) => id.startsWith(prefix));
    expect(position("IamRole/")).toBeLessThan(position("RestApi/"));
    expect(position("RestApi/")).toBeLessThan(position("UsagePlan/"));
    expect(position("RestApi/")).toBeLessThan(position("DomainName/"));
    const api = await theApi(aws.apigw);
    const plan = await livePlan();
    expect(plan.apiStages).toEqual([expect.objectContaining({ apiId: api.id, stage: "prod" })]);
    const mappings = (await aws.apigw.send(new GetBasePathMappingsCommand({ domainName: "api.example.com" }))).items ?? [];
    expect(mappings).toEqual([expect.objectContaining({ basePath: "s3", restApiId: api.id, stage: "prod" })]);
    expect(run.stdout.includes(VALUE) || run.stderr.includes(VALUE)).toBe(false);
  });

  it("a no-op reads 12 times (RestApi 3 + IamRole 4 + UsagePlan 3 + DomainName 2) and writes nothing", async () => {
    await emulator.resetCalls();
    const run = await ws.apply(emulator);
    expect(run.code, explain(run)).toBe(0);
    expect(run.json?.changes).toEqual([]);
    const log = await emulator.calls();
    expect(writeOps(log)).toEqual({});
    expect(awsOps(log)).toEqual({
      "apigateway:GetRestApis": 1,
      "apigateway:GetResources": 1,
      "apigateway:GetStages": 1,
      "iam:GetRole": 1,
      "iam:ListRolePolicies": 1,
      "iam:GetRolePolicy": 1,
      "iam:ListAttachedRolePolicies": 1,
      "apigateway:GetUsagePlans": 1,
      "apigateway:GetApiKeys": 1,
      "apigateway:GetUsagePlanKeys": 1,
      "apigateway:GetDomainNames": 1,
      "apigateway:GetBasePathMappings": 1,
    });
  });

  it.each([
    { reason: "usage plan quota: one UpdateUsagePlan, no deployment", edit: () => ws.manifests.edit("usage-plan.yaml", (m) => void (m.spec.quota.limit = 20000)), write: "apigateway:UpdateUsagePlan", deploy: false },
    { reason: "domain certificate: one UpdateDomainName, no deployment", edit: () => ws.manifests.edit("domain.yaml", (m) => void (m.spec.certificateArn = CERT2)), write: "apigateway:UpdateDomainName", deploy: false },
    {
      reason: "API binary media types (deployable): one UpdateRestApi and the deployment",
      edit: () => ws.manifests.edit("s3-proxy-api.yaml", (m) => void m.spec.binaryMediaTypes.push("image/webp")),
      write: "apigateway:UpdateRestApi",
      deploy: true,
    },
  ])("one field: $reason", async ({ edit, write, deploy }) => {
    edit();
    await emulator.resetCalls();
    const run = await ws.apply(emulator);
    expect(run.code, explain(run)).toBe(0);
    const writes = writeOps(await emulator.calls());
    expect(writes[write]).toBe(1);
    expect(writes["apigateway:CreateDeployment"] ?? 0).toBe(deploy ? 1 : 0);
    // Besides the write: only the bookkeeping tag of the new spec hash (and the deployment's stage tag).
    const others = Object.entries(writes).filter(([op]) => op !== write && op !== "apigateway:CreateDeployment" && op !== "apigateway:TagResource" && op !== "apigateway:UpdateStage");
    expect(others).toEqual([]);
    expect((await ws.plan(emulator)).json?.changes).toEqual([]);
  });

  it("out-of-band edits on the new kinds: one drift run reports each with cause drift, one apply heals them all", async () => {
    const plan = await livePlan();
    const keys = (await aws.apigw.send(new GetApiKeysCommand({ limit: 500 }))).items ?? [];
    const globex = keys.find((k) => k.tags?.["apigw-reconciler:name"] === "partners/globex");
    await aws.apigw.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [{ op: "replace", path: "/throttle/rateLimit", value: "5" }] }));
    await aws.apigw.send(new UpdateApiKeyCommand({ apiKey: globex?.id, patchOperations: [{ op: "replace", path: "/enabled", value: "false" }] }));
    await aws.apigw.send(new UpdateDomainNameCommand({ domainName: "api.example.com", patchOperations: [{ op: "replace", path: "/securityPolicy", value: "TLS_1_0" }] }));
    await aws.apigw.send(new DeleteBasePathMappingCommand({ domainName: "api.example.com", basePath: "s3" }));

    const drift = await ws.drift(emulator);
    expect(drift.code, explain(drift)).toBe(2);
    const changes = drift.json?.changes ?? [];
    expect(changes.length).toBeGreaterThanOrEqual(4);
    expect(changes.every((c: any) => c.cause === "drift")).toBe(true);
    expect(new Set(changes.map((c: any) => c.kind))).toEqual(new Set(["UsagePlan", "ApiKey", "DomainName", "BasePathMapping"]));
    expect(changes.find((c: any) => c.kind === "DomainName")?.security?.join(" ")).toMatch(/TLS/);

    const heal = await ws.apply(emulator);
    expect(heal.code, explain(heal)).toBe(0);
    expect((await ws.drift(emulator)).code).toBe(0);
    const domains = (await aws.apigw.send(new GetDomainNamesCommand({}))).items ?? [];
    expect(domains.find((d) => d.domainName === "api.example.com")?.securityPolicy).toBe("TLS_1_2");
  });

  it("a removed usage plan is pruned with --prune (its stages removed first); the domain and the API stay", async () => {
    ws.manifests.remove("usage-plan.yaml");
    const run = await ws.apply(emulator, "--prune");
    expect(run.code, explain(run)).toBe(0);
    expect((await aws.apigw.send(new GetUsagePlansCommand({ limit: 500 }))).items?.some((p) => p.tags?.["apigw-reconciler:name"] === "partners")).toBe(false);
    expect(await theApi(aws.apigw)).toBeDefined();
    expect((await ws.plan(emulator)).json?.changes).toEqual([]);
  });
});
