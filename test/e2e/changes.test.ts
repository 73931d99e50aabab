/**
 * After an apply of the seed, one change at a time: the emulator's call log must show exactly the
 * minimal write calls, the live API must show the change, and a second pass must write nothing.
 *
 * Besides the minimal calls, the reconciler records what it applied in tags (design.md "Identity,
 * ownership, drift"): on the API `apigw-reconciler:spec-hash` and `apigw-reconciler:deployed`, on the
 * role `apigw-reconciler:spec-hash`. Those writes (one TagResource / TagRole) are listed separately
 * as BOOKKEEPING in each expectation, so that it is visible which writes are the change itself.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- manifests are edited as loose YAML data */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { CreateDeploymentCommand, GetDeploymentsCommand, UpdateStageCommand, type Resource } from "@aws-sdk/client-api-gateway";
import { GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { type CallLog, type Emulator } from "../emulator/emulator.ts";
import {
  API_FILE,
  
  describeRun,
  ManifestDir,
  reconcile,
  resourcesOf,
  ROLE_FILE,
  stagesOf,
  TAG_DEPLOYED,
  ownedApis,
  theApi,
  writeOps,
  type Clients,
  type CliResult,
  useEmulator,
} from "./support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

interface Outcome {
  dir: ManifestDir;
  apiId: string;
  /** resources, prod's deployment and every deployment id right before the change */
  before: { resources: Resource[]; deploymentId: string | undefined; deployments: string[] };
  run: CliResult;
  log: CallLog;
  again: CliResult;
  againLog: CallLog;
}

/**
 * The scenarios share one applied API to stay within the time budget: each starts from the state the
 * previous one left, which that one proved converged (its second pass wrote nothing). When the previous
 * scenario did not converge (or `fresh` is asked), the account is reset and the seed applied anew, so
 * one failing scenario cannot leak into the next. Edits of the manifest copy accumulate; every
 * scenario changes different fields, so its expected calls are the same either way.
 */
let chain: { dir: ManifestDir; apiId: string; healthy: boolean } | undefined;

afterAll(() => chain?.dir.dispose());

async function freshBase(): Promise<{ dir: ManifestDir; apiId: string; healthy: boolean }> {
  chain?.dir.dispose();
  const dir = new ManifestDir();
  await emulator.reset();
  const base = await reconcile(emulator, dir.dir);
  if (base.code !== 0) throw new Error(`base apply failed: ${describeRun(base)}`);
  return { dir, apiId: (await theApi(aws.apigw)).id, healthy: true };
}

/** `change` (a manifest edit and/or an out-of-band SDK call), then a reconcile and a second reconcile, each with its call log. */
async function scenario(change: (dir: ManifestDir, apiId: string) => void | Promise<void>, options: { fresh?: boolean } = {}): Promise<Outcome> {
  if (options.fresh || !chain?.healthy) chain = await freshBase();
  const { dir, apiId } = chain;
  chain.healthy = false;
  await change(dir, apiId);
  const before = { resources: await resourcesOf(aws.apigw, apiId), ...(await prodDeployment(apiId)) };
  await emulator.resetCalls();
  const run = await reconcile(emulator, dir.dir);
  const log = await emulator.calls();
  await emulator.resetCalls();
  const again = await reconcile(emulator, dir.dir);
  const againLog = await emulator.calls();
  const owned = await ownedApis(aws.apigw);
  chain.healthy = run.code === 0 && again.code === 0 && againLog.writes === 0 && owned.length === 1 && owned[0]?.id === apiId;
  return { dir, apiId, before, run, log, again, againLog };
}

const API_BOOKKEEPING = { "apigateway:TagResource": 1 };
const ROLE_BOOKKEEPING = { "iam:TagRole": 1 };

function expectWrites(outcome: Outcome, change: Record<string, number>, bookkeeping: Record<string, number>): void {
  expect(outcome.run.code, describeRun(outcome.run)).toBe(0);
  const expected = Object.fromEntries(Object.entries({ ...change, ...bookkeeping }).sort(([a], [b]) => a.localeCompare(b)));
  expect(writeOps(outcome.log)).toEqual(expected);
}

function expectConverged(outcome: Outcome): void {
  expect(outcome.again.code, describeRun(outcome.again)).toBe(0);
  expect(writeOps(outcome.againLog)).toEqual({});
  expect(outcome.again.json?.changes).toEqual([]);
}

/** The order in which the write calls of a log arrived. */
function writeSequence(log: CallLog): string[] {
  return [...log.log].sort((a, b) => a.t - b.t).map((e) => e.op).filter((op) => !/:(Get|List)/.test(op));
}

/** prod's deployment id and the ids of all deployments of the API. */
async function prodDeployment(apiId: string): Promise<{ deploymentId: string | undefined; deployments: string[] }> {
  const deploymentId = (await stagesOf(aws.apigw, apiId)).find((s) => s.stageName === "prod")?.deploymentId;
  const items = (await aws.apigw.send(new GetDeploymentsCommand({ restApiId: apiId, limit: 500 }))).items ?? [];
  return { deploymentId, deployments: items.map((d) => d.id ?? "?") };
}

/** prod serves a deployment that did not exist before the run, and the run made exactly one. */
async function expectNewDeploymentServed(o: Outcome): Promise<string | undefined> {
  const now = await prodDeployment(o.apiId);
  const created = now.deployments.filter((id) => !o.before.deployments.includes(id));
  expect(created.length).toBe(1);
  expect(now.deploymentId).toBe(created[0]);
  return now.deploymentId;
}

describe("one changed integration header mapping", () => {
  let o: Outcome;
  beforeAll(async () => {
    o = await scenario((dir) =>
      dir.edit(API_FILE, (m) => {
        m.spec.resources["/{folder}"].methods.PUT.integration.requestParameters["integration.request.header.Content-Type"] = "'application/xml'";
      }),
    );
  });

  it("writes exactly one UpdateIntegration and one CreateDeployment", () => {
    expectWrites(o, { "apigateway:UpdateIntegration": 1, "apigateway:CreateDeployment": 1 }, API_BOOKKEEPING);
    const update = o.run.json?.changes.find((c) => c.kind === "Integration");
    expect(update?.patch).toEqual([{ op: "replace", path: "/requestParameters/integration.request.header.Content-Type", value: "'application/xml'" }]);
  });

  it("the live integration has the new mapping and prod serves a new deployment", async () => {
    const resources = await resourcesOf(aws.apigw, o.apiId);
    const put = resources.find((r) => r.path === "/{folder}")?.resourceMethods?.PUT?.methodIntegration;
    expect(put?.requestParameters?.["integration.request.header.Content-Type"]).toBe("'application/xml'");
    await expectNewDeploymentServed(o);
  });

  it("a second run writes nothing", () => expectConverged(o));
});

describe("a removed method", () => {
  let o: Outcome;
  beforeAll(async () => {
    o = await scenario((dir) =>
      dir.edit(API_FILE, (m) => {
        delete m.spec.resources["/{folder}/{item}"].methods.DELETE;
      }),
    );
  });

  it("writes exactly DeleteMethod and CreateDeployment", () => {
    expectWrites(o, { "apigateway:DeleteMethod": 1, "apigateway:CreateDeployment": 1 }, API_BOOKKEEPING);
  });

  it("the method is gone and prod serves a new deployment", async () => {
    const resources = await resourcesOf(aws.apigw, o.apiId);
    expect(Object.keys(resources.find((r) => r.path === "/{folder}/{item}")?.resourceMethods ?? {}).sort()).toEqual(["GET", "HEAD", "PUT"]);
    await expectNewDeploymentServed(o);
  });

  it("a second run writes nothing", () => expectConverged(o));
});

describe("a changed inline policy", () => {
  const statement = { Effect: "Allow", Action: ["s3:Put*", "s3:GetObject"], Resource: "*" };
  let o: Outcome;
  beforeAll(async () => {
    o = await scenario((dir) =>
      dir.edit(ROLE_FILE, (m) => {
        m.spec.inlinePolicies["s3-proxy-access"].Statement = [statement];
      }),
    );
  });

  it("writes exactly PutRolePolicy (no API Gateway write, no deployment)", () => {
    expectWrites(o, { "iam:PutRolePolicy": 1 }, ROLE_BOOKKEEPING);
    expect(o.run.json?.operations.map((op) => op.id).sort()).toEqual(["IamRole/apig-aws-proxy-role:PutRolePolicy:s3-proxy-access", "IamRole/apig-aws-proxy-role:TagRole:ownership"]);
  });

  it("the live policy is the new one", async () => {
    const live = await aws.iam.send(new GetRolePolicyCommand({ RoleName: "apigAwsProxyRole", PolicyName: "s3-proxy-access" }));
    expect(JSON.parse(decodeURIComponent(live.PolicyDocument ?? ""))).toEqual({ Version: "2012-10-17", Statement: [statement] });
  });

  it("a second run writes nothing", () => expectConverged(o));
});

describe("a stage variable added", () => {
  let o: Outcome;
  beforeAll(async () => {
    o = await scenario((dir) =>
      dir.edit(API_FILE, (m) => {
        m.spec.stages.prod.variables = { bucket: "my-bucket" };
      }),
    );
  });

  it("writes exactly UpdateStage, no CreateDeployment", () => {
    expectWrites(o, { "apigateway:UpdateStage": 1 }, API_BOOKKEEPING);
    expect(writeOps(o.log)["apigateway:CreateDeployment"]).toBeUndefined();
    expect(o.run.json?.operations.find((op) => op.call === "TagResource")?.id).toBe("RestApi/my-s3:TagResource");
  });

  it("prod has the variable and still serves the same deployment", async () => {
    const prod = (await stagesOf(aws.apigw, o.apiId)).find((s) => s.stageName === "prod");
    expect(prod?.variables).toEqual({ bucket: "my-bucket" });
    expect(prod?.deploymentId).toBe(o.before.deploymentId);
  });

  it("a second run writes nothing", () => expectConverged(o));
});

describe("a stage moved back by hand to an older deployment", () => {
  let o: Outcome;
  let older: string;
  beforeAll(async () => {
    o = await scenario(async (_dir, apiId) => {
      // another deployment of the same API, then prod pointed at it by hand
      const created = await aws.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, description: "made by hand" }));
      older = created.id ?? "";
      await aws.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/deploymentId", value: older }] }));
      const moved = (await stagesOf(aws.apigw, apiId)).find((s) => s.stageName === "prod");
      if (moved?.deploymentId !== older) throw new Error(`could not move prod by hand: it is on ${moved?.deploymentId}`);
    });
  });

  it("the next reconcile redeploys", () => {
    expectWrites(o, { "apigateway:CreateDeployment": 1 }, API_BOOKKEEPING);
    expect(o.run.json?.changes.map((c) => `${c.kind}:${c.action}`)).toEqual(["Deployment:create"]);
  });

  it("prod ends on the new deployment, which the API's deployed tag records", async () => {
    expect(o.before.deploymentId).toBe(older);
    const served = await expectNewDeploymentServed(o);
    expect(served).not.toBe(older);
    expect((await theApi(aws.apigw)).tags?.[TAG_DEPLOYED]?.split(":")[0]).toBe(served);
    // the redeploy kept prod's settings
    const prod = (await stagesOf(aws.apigw, o.apiId)).find((s) => s.stageName === "prod");
    expect(prod?.description).toBe("Production stage of the S3 proxy");
    expect(prod?.methodSettings?.["*/*"]).toMatchObject({ metricsEnabled: true, loggingLevel: "ERROR", throttlingRateLimit: 100, throttlingBurstLimit: 200 });
    expect(prod?.variables ?? {}).toEqual(o.dir.read(API_FILE).spec.stages.prod.variables ?? {});
  });

  it("a second run writes nothing", () => expectConverged(o));
});

describe("an integration type change (AWS → MOCK)", () => {
  let o: Outcome;
  beforeAll(async () => {
    o = await scenario((dir) =>
      dir.edit(API_FILE, (m) => {
        const integration = m.spec.resources["/"].methods.GET.integration;
        integration.type = "MOCK";
        delete integration.httpMethod;
        delete integration.uri;
        delete integration.credentials;
        integration.requestTemplates = { "application/json": '{"statusCode": 200}' };
      }),
    );
  });

  it("writes PutIntegration, then re-puts its three integration responses, then deploys; nothing else", () => {
    expectWrites(o, { "apigateway:PutIntegration": 1, "apigateway:PutIntegrationResponse": 3, "apigateway:CreateDeployment": 1 }, API_BOOKKEEPING);
    const sequence = writeSequence(o.log);
    const put = sequence.indexOf("apigateway:PutIntegration");
    const responses = sequence.flatMap((op, i) => (op === "apigateway:PutIntegrationResponse" ? [i] : []));
    expect(responses.every((i) => i > put)).toBe(true);
    expect(sequence.indexOf("apigateway:CreateDeployment")).toBeGreaterThan(Math.max(...responses));
  });

  it("GET / is a MOCK integration with its responses back", async () => {
    const resources = await resourcesOf(aws.apigw, o.apiId);
    const integration = resources.find((r) => r.path === "/")?.resourceMethods?.GET?.methodIntegration;
    expect(integration?.type).toBe("MOCK");
    expect(integration?.requestTemplates).toEqual({ "application/json": '{"statusCode": 200}' });
    expect(Object.keys(integration?.integrationResponses ?? {}).sort()).toEqual(["200", "400", "500"]);
    expect(integration?.integrationResponses?.["400"]?.selectionPattern).toBe("4\\d{2}");
    expect(integration?.integrationResponses?.["200"]?.responseParameters).toEqual({
      "method.response.header.Content-Type": "integration.response.header.Content-Type",
      "method.response.header.Content-Length": "integration.response.header.Content-Length",
      "method.response.header.Timestamp": "integration.response.header.Date",
    });
  });

  it("a second run writes nothing", () => expectConverged(o));
});

describe("a renamed path: /{folder} → /{bucket}, its child and parameter names following", () => {
  let o: Outcome;
  /** methods whose parameters name the renamed path variable (7 in the seed) */
  let renamedMethods = 0;
  beforeAll(async () => {
    o = await scenario((dir) =>
      dir.edit(API_FILE, (m) => {
        const resources = m.spec.resources as Record<string, { methods?: Record<string, unknown> }>;
        renamedMethods = Object.values(resources)
          .flatMap((r) => Object.values(r.methods ?? {}))
          .filter((method) => JSON.stringify(method).includes("method.request.path.folder")).length;
        const text = JSON.stringify(m.spec.resources)
          .replaceAll("/{folder}", "/{bucket}")
          .replaceAll("method.request.path.folder", "method.request.path.bucket");
        m.spec.resources = JSON.parse(text) as unknown;
      }),
    );
  });

  it("renames in place with UpdateResource, no DeleteResource / CreateResource", () => {
    const writes = writeOps(o.log);
    expect(o.run.code, describeRun(o.run)).toBe(0);
    expect(writes["apigateway:UpdateResource"]).toBe(1);
    expect(writes["apigateway:DeleteResource"]).toBeUndefined();
    expect(writes["apigateway:CreateResource"]).toBeUndefined();
    // the parameter renames are one method patch and one integration patch per method using the variable
    expect(renamedMethods).toBeGreaterThanOrEqual(6);
    expectWrites(
      o,
      { "apigateway:UpdateResource": 1, "apigateway:UpdateMethod": renamedMethods, "apigateway:UpdateIntegration": renamedMethods, "apigateway:CreateDeployment": 1 },
      API_BOOKKEEPING,
    );
  });

  it("keeps the resource ids and has the new paths and parameter names", async () => {
    const resources = await resourcesOf(aws.apigw, o.apiId);
    const idOf = (rs: Resource[], path: string) => rs.find((r) => r.path === path)?.id;
    expect(resources.map((r) => r.path).sort()).toEqual(["/", "/{bucket}", "/{bucket}/{item}"]);
    expect(idOf(resources, "/{bucket}")).toBe(idOf(o.before.resources, "/{folder}"));
    expect(idOf(resources, "/{bucket}/{item}")).toBe(idOf(o.before.resources, "/{folder}/{item}"));
    const get = resources.find((r) => r.path === "/{bucket}/{item}")?.resourceMethods?.GET;
    expect(get?.requestParameters).toEqual({ "method.request.path.bucket": true, "method.request.path.item": true });
    expect(get?.methodIntegration?.requestParameters).toEqual({
      "integration.request.path.bucket": "method.request.path.bucket",
      "integration.request.path.object": "method.request.path.item",
    });
  });

  it("a second run writes nothing", () => expectConverged(o));
});
