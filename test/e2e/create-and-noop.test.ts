/**
 * From an empty account, `reconcile` creates the seed S3-proxy API and its role exactly as the
 * manifests say (read back field by field with the AWS SDK); a second pass reads little and writes
 * nothing; --dry-run / plan never write; --detailed-exitcode tells changes from none.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- manifests are edited as loose YAML data */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { GetDeploymentsCommand, type Method, type Resource, type RestApi } from "@aws-sdk/client-api-gateway";
import { GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { type Emulator } from "../emulator/emulator.ts";
import {
  API_FILE,
  awsOps,
  
  describeRun,
  ManifestDir,
  plan,
  readSeed,
  reconcile,
  REGION,
  resourcesOf,
  ROLE_FILE,
  runCli,
  stagesOf,
  TAG_DEPLOYED,
  TAG_NAME,
  TAG_OWNER,
  theApi,
  total,
  writeOps,
  type Clients,
  type CliResult,
  useEmulator,
} from "./support.ts";

interface IntegrationResponseSpec {
  selectionPattern?: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  contentHandling?: string;
}
interface IntegrationSpec {
  type: string;
  httpMethod?: string;
  uri?: string;
  credentials?: { roleRef: string } | string;
  requestParameters?: Record<string, string>;
  requestTemplates?: Record<string, string>;
  passthroughBehavior?: string;
  contentHandling?: string;
  responses?: Record<string, IntegrationResponseSpec>;
}
interface MethodSpec {
  authorizationType?: string;
  requestParameters?: Record<string, boolean>;
  integration?: IntegrationSpec;
  responses?: Record<string, { responseParameters?: Record<string, boolean>; responseModels?: Record<string, string> }>;
}
interface ApiManifest {
  metadata: { name: string };
  spec: {
    name: string;
    description: string;
    endpointType: string;
    binaryMediaTypes: string[];
    tags: Record<string, string>;
    resources: Record<string, { methods?: Record<string, MethodSpec> }>;
    stages: Record<string, { description?: string; variables?: Record<string, string>; methodSettings?: Record<string, Record<string, unknown>> }>;
  };
}
interface RoleManifest {
  metadata: { name: string };
  spec: {
    roleName: string;
    description: string;
    assumeRolePolicy: unknown;
    managedPolicyArns?: string[];
    inlinePolicies: Record<string, unknown>;
    tags: Record<string, string>;
  };
}

const apiManifest = readSeed<ApiManifest>(API_FILE);
const roleManifest = readSeed<RoleManifest>(ROLE_FILE);
const sorted = (values: Iterable<string>): string[] => [...values].sort();

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

describe("create from an empty account, then a no-op pass", () => {
  const dir = new ManifestDir();
  let created: CliResult;
  let api: RestApi & { id: string };
  let resources: Resource[];
  let roleArn: string;

  beforeAll(async () => {
    await emulator.reset();
    created = await reconcile(emulator, dir.dir);
    api = await theApi(aws.apigw);
    resources = await resourcesOf(aws.apigw, api.id);
    const role = await aws.iam.send(new GetRoleCommand({ RoleName: roleManifest.spec.roleName }));
    roleArn = role.Role?.Arn ?? "";
  });
  afterAll(() => dir.dispose());

  it("apply exits 0 and every planned operation is applied", () => {
    expect(created.code, describeRun(created)).toBe(0);
    expect(created.json?.mode).toBe("apply");
    expect(created.json?.operations.filter((o) => o.status !== "applied")).toEqual([]);
    expect(created.json?.summary.redeploy).toBe(1);
  });

  it("creates the API with the manifest's name, description, endpoint type, binary media types and tags", () => {
    const spec = apiManifest.spec;
    expect(api.name).toBe(spec.name);
    expect(api.description).toBe(spec.description);
    expect(api.endpointConfiguration?.types).toEqual([spec.endpointType]);
    expect(sorted((api.binaryMediaTypes ?? []).map((t) => t.replace(/~1/g, "/")))).toEqual(sorted(spec.binaryMediaTypes));
    expect(api.tags).toMatchObject({ ...spec.tags, [TAG_NAME]: apiManifest.metadata.name, [TAG_OWNER]: "apigw-reconciler" });
  });

  it("creates exactly the manifest's resource paths", () => {
    expect(sorted(resources.map((r) => r.path ?? "?"))).toEqual(sorted(Object.keys(apiManifest.spec.resources)));
  });

  it("creates every method, integration, method response and integration response field by field", () => {
    expect(roleArn).toMatch(/^arn:aws:iam::\d{12}:role\/apigAwsProxyRole$/);
    let checkedMethods = 0;
    for (const [path, resourceSpec] of Object.entries(apiManifest.spec.resources)) {
      const resource = resources.find((r) => r.path === path);
      const methods: Record<string, Method> = resource?.resourceMethods ?? {};
      expect(sorted(Object.keys(methods)), `methods of ${path}`).toEqual(sorted(Object.keys(resourceSpec.methods ?? {})));
      for (const [verb, m] of Object.entries(resourceSpec.methods ?? {})) {
        const where = `${verb} ${path}`;
        const live = methods[verb];
        expect(live, where).toBeDefined();
        if (!live) continue;
        checkedMethods++;
        expect(live.httpMethod, where).toBe(verb);
        expect(live.authorizationType, `${where} authorizationType`).toBe(m.authorizationType ?? "NONE");
        expect(live.apiKeyRequired ?? false, `${where} apiKeyRequired`).toBe(false);
        expect(live.requestParameters ?? {}, `${where} requestParameters`).toEqual(m.requestParameters ?? {});

        // method responses
        expect(sorted(Object.keys(live.methodResponses ?? {})), `${where} method responses`).toEqual(sorted(Object.keys(m.responses ?? {})));
        for (const [code, r] of Object.entries(m.responses ?? {})) {
          const lr = live.methodResponses?.[code];
          expect(lr?.statusCode, `${where} ${code}`).toBe(code);
          expect(lr?.responseParameters ?? {}, `${where} method response ${code} responseParameters`).toEqual(r.responseParameters ?? {});
          expect(lr?.responseModels ?? {}, `${where} method response ${code} responseModels`).toEqual(r.responseModels ?? {});
        }

        // integration
        const i = m.integration;
        const li = live.methodIntegration;
        expect(li, `${where} integration`).toBeDefined();
        if (!i || !li) continue;
        expect(li.type, `${where} integration type`).toBe(i.type);
        expect(li.httpMethod, `${where} integration httpMethod`).toBe(i.httpMethod);
        expect(li.uri, `${where} integration uri`).toBe(i.uri?.replace("${AWS_REGION}", REGION).replace("${AWS_PARTITION}", "aws"));
        expect(li.credentials, `${where} integration credentials`).toBe(roleArn);
        expect(li.requestParameters ?? {}, `${where} integration requestParameters`).toEqual(i.requestParameters ?? {});
        expect(li.requestTemplates ?? {}, `${where} integration requestTemplates`).toEqual(i.requestTemplates ?? {});
        expect(li.passthroughBehavior, `${where} passthroughBehavior`).toBe(i.passthroughBehavior ?? "WHEN_NO_MATCH");
        expect(li.contentHandling || undefined, `${where} integration contentHandling`).toBe(i.contentHandling);
        expect(li.timeoutInMillis, `${where} timeoutInMillis`).toBe(29000);

        // integration responses
        expect(sorted(Object.keys(li.integrationResponses ?? {})), `${where} integration responses`).toEqual(sorted(Object.keys(i.responses ?? {})));
        for (const [code, r] of Object.entries(i.responses ?? {})) {
          const lr = li.integrationResponses?.[code];
          expect(lr?.statusCode, `${where} ${code}`).toBe(code);
          expect(lr?.selectionPattern || undefined, `${where} integration response ${code} selectionPattern`).toBe(r.selectionPattern);
          expect(lr?.responseParameters ?? {}, `${where} integration response ${code} responseParameters`).toEqual(r.responseParameters ?? {});
          expect(lr?.responseTemplates ?? {}, `${where} integration response ${code} responseTemplates`).toEqual(r.responseTemplates ?? {});
          expect(lr?.contentHandling || undefined, `${where} integration response ${code} contentHandling`).toBe(r.contentHandling);
        }
      }
    }
    expect(checkedMethods).toBe(8);
  });

  it("creates stage prod with its description and method settings, serving the new deployment", async () => {
    const stages = await stagesOf(aws.apigw, api.id);
    expect(sorted(stages.map((s) => s.stageName ?? "?"))).toEqual(sorted(Object.keys(apiManifest.spec.stages)));
    const prodSpec = apiManifest.spec.stages.prod;
    const prod = stages.find((s) => s.stageName === "prod");
    expect(prod?.description).toBe(prodSpec?.description);
    expect(prod?.variables ?? {}).toEqual(prodSpec?.variables ?? {});
    const all = prod?.methodSettings?.["*/*"];
    expect(all).toBeDefined();
    const wanted = prodSpec?.methodSettings?.["*/*"] ?? {};
    for (const [field, value] of Object.entries(wanted)) expect(all?.[field as keyof typeof all], `methodSettings */* ${field}`).toBe(value);
    expect(Object.keys(prod?.methodSettings ?? {})).toEqual(["*/*"]);

    const deployments = (await aws.apigw.send(new GetDeploymentsCommand({ restApiId: api.id, limit: 500 }))).items ?? [];
    expect(deployments.length).toBe(1); // one deployment per changed API
    const latest = [...deployments].sort((a, b) => (a.createdDate?.getTime() ?? 0) - (b.createdDate?.getTime() ?? 0)).at(-1);
    expect(prod?.deploymentId).toBe(latest?.id);
    // the API records the deployment it made
    const tagged = await theApi(aws.apigw);
    expect(tagged.tags?.[TAG_DEPLOYED]?.split(":")[0]).toBe(latest?.id);
  });

  it("creates the role with its trust policy, inline policies, managed policies (the seed has none) and tags", async () => {
    const spec = roleManifest.spec;
    const role = (await aws.iam.send(new GetRoleCommand({ RoleName: spec.roleName }))).Role;
    expect(role?.RoleName).toBe(spec.roleName);
    expect(role?.Description).toBe(spec.description);
    expect(role?.Path).toBe("/");
    expect(JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ""))).toEqual(spec.assumeRolePolicy);
    const tags = Object.fromEntries((role?.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({ ...spec.tags, [TAG_NAME]: roleManifest.metadata.name, [TAG_OWNER]: "apigw-reconciler" });

    const names = (await aws.iam.send(new ListRolePoliciesCommand({ RoleName: spec.roleName }))).PolicyNames ?? [];
    expect(sorted(names)).toEqual(sorted(Object.keys(spec.inlinePolicies)));
    for (const [name, document] of Object.entries(spec.inlinePolicies)) {
      const live = await aws.iam.send(new GetRolePolicyCommand({ RoleName: spec.roleName, PolicyName: name }));
      const resolved = JSON.parse(JSON.stringify(document).replaceAll("${AWS_PARTITION}", "aws")) as unknown;
      expect(JSON.parse(decodeURIComponent(live.PolicyDocument ?? "")), `inline policy ${name}`).toEqual(resolved);
    }
    const attached = (await aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: spec.roleName }))).AttachedPolicies ?? [];
    expect(sorted(attached.map((p) => p.PolicyArn ?? "?"))).toEqual(sorted((spec.managedPolicyArns ?? []).map((arn) => arn.replace("${AWS_PARTITION}", "aws"))));
  });

  it("a second reconcile writes nothing, says so, and reads the API and role in at most 7 calls", async () => {
    await emulator.resetCalls();
    const again = await reconcile(emulator, dir.dir);
    const log = await emulator.calls();
    expect(again.code, describeRun(again)).toBe(0);
    expect(log.writes).toBe(0);
    expect(writeOps(log)).toEqual({});
    expect(again.json?.changes).toEqual([]);
    expect(again.json?.operations).toEqual([]);
    expect(again.json?.summary).toEqual({ create: 0, update: 0, delete: 0, replace: 0, redeploy: 0 });
    const reads = awsOps(log);
    expect(total(reads), JSON.stringify(reads)).toBeLessThanOrEqual(7);
    expect(reads).toEqual({
      "apigateway:GetResources": 1,
      "apigateway:GetRestApis": 1,
      "apigateway:GetStages": 1,
      "iam:GetRole": 1,
      "iam:GetRolePolicy": 1,
      "iam:ListAttachedRolePolicies": 1,
      "iam:ListRolePolicies": 1,
    });
    // the text report says there is nothing to do
    const text = await runCli(emulator, ["apply", "-m", dir.dir, "--no-color"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/No changes/);
  });
});

describe("dry runs never write; --detailed-exitcode", () => {
  const dir = new ManifestDir();

  beforeAll(async () => {
    await emulator.reset();
    const first = await reconcile(emulator, dir.dir);
    expect(first.code, describeRun(first)).toBe(0);
    // a manifest change: one integration header mapping, one stage setting, the role description
    dir.edit(API_FILE, (m) => {
      m.spec.resources["/{folder}"].methods.GET.integration.requestParameters["integration.request.header.x-amz-acl"] = "'private'";
      m.spec.stages.prod.methodSettings["*/*"].loggingLevel = "INFO";
    });
    dir.edit(ROLE_FILE, (m) => {
      m.spec.description = "changed by the e2e test";
    });
  });
  afterAll(() => dir.dispose());

  it("apply --dry-run on a changed manifest reports the changes and makes zero write calls", async () => {
    await emulator.resetCalls();
    const run = await reconcile(emulator, dir.dir, "--dry-run");
    const log = await emulator.calls();
    expect(run.code, describeRun(run)).toBe(0);
    expect(log.writes).toBe(0);
    expect(run.json?.mode).toBe("plan");
    expect(run.json?.calls.writes).toBe(0);
    const kinds = sorted((run.json?.changes ?? []).map((c) => `${c.kind}:${c.action}`));
    expect(kinds).toEqual(sorted(["Integration:update", "Stage:update", "IamRole:update", "Deployment:create"]));
  });

  it("plan on a changed manifest makes zero write calls", async () => {
    await emulator.resetCalls();
    const run = await plan(emulator, dir.dir);
    const log = await emulator.calls();
    expect(run.code, describeRun(run)).toBe(0);
    expect(log.writes).toBe(0);
    expect(run.json?.changes.length).toBe(4);
  });

  it("--detailed-exitcode exits 2 with changes (plan and apply --dry-run), still without writing", async () => {
    await emulator.resetCalls();
    const planned = await plan(emulator, dir.dir, "--detailed-exitcode");
    const dry = await reconcile(emulator, dir.dir, "--dry-run", "--detailed-exitcode");
    const log = await emulator.calls();
    expect(planned.code, describeRun(planned)).toBe(2);
    expect(dry.code, describeRun(dry)).toBe(2);
    expect(log.writes).toBe(0);
  });

  it("--detailed-exitcode exits 0 without changes", async () => {
    const clean = new ManifestDir();
    try {
      await emulator.resetCalls();
      const run = await plan(emulator, clean.dir, "--detailed-exitcode");
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.json?.changes).toEqual([]);
      const applied = await reconcile(emulator, clean.dir, "--detailed-exitcode");
      expect(applied.code, describeRun(applied)).toBe(0);
      expect((await emulator.calls()).writes).toBe(0);
    } finally {
      clean.dispose();
    }
  });
});
