// buildPlan (pure) on hand-made Observed objects: which calls, in which dependency order; observe mode;
// prune guards. Ownership is decided by observe(), tested here against a mocked AWS SDK.
import { APIGatewayClient, GetResourcesCommand, GetRestApisCommand, GetStagesCommand } from "@aws-sdk/client-api-gateway";
import { IAMClient } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../../src/aws/gateway.ts";
import { observe, OwnershipError, partitionOfRegion } from "../../src/engine/observe.ts";
import { parseManifests } from "../../src/manifest/load.ts";
import { resolvePlaceholders } from "../../src/model/placeholders.ts";
import { changeOutcomes } from "../../src/report/outcomes.ts";
import { buildPlan, PruneGuardError, type PlanOptions } from "../../src/engine/plan.ts";
import type { Operation, Plan } from "../../src/model/changes.ts";
import { TAG } from "../../src/model/live.ts";
import type { DesiredState, IamRoleModel, RestApiModel } from "../../src/model/types.ts";
import { byId, expectWellFormed, waitsFor } from "./support/plans.ts";
import { apisOf, configHashOf, desiredOf, integrationOf, liveApiOf, liveRoleOf, methodOf, observedOf, OWNER, PLAN_OPTIONS, renamePath, ROLE_ARN, rolesOf, seedDesired, seedFiles, TARGET } from "./support/models.ts";

const API_GROUP = "RestApi/my-s3";
const ROLE_GROUP = "IamRole/apig-aws-proxy-role";
const F = "/{folder}";
/** The seed role's inline policy; managed policies the seed does not attach, for tests that need one. */
const INLINE = "s3-proxy-access";
const S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
const S3_FULL = "arn:aws:iam::aws:policy/AmazonS3FullAccess";

// ---------------------------------------------------------------- helpers

function opsOf(plan: Plan, call: string): Operation[] {
  return plan.operations.filter((op) => op.call === call);
}

function one(plan: Plan, id: string): Operation {
  const op = byId(plan).get(id);
  if (!op) throw new Error(`no operation ${id}; have:\n${plan.operations.map((o) => o.id).join("\n")}`);
  return op;
}


/** Plan of the seed after editing desired (and live, which starts as a clone of the seed). */
function planSeed(
  edit: { desired?: (m: RestApiModel, d: DesiredState) => void; live?: (m: RestApiModel) => void; liveRole?: (m: IamRoleModel) => void } = {},
  options: Partial<PlanOptions> = {},
): Plan {
  const desired = seedDesired();
  const api = apisOf(desired)[0]!.model;
  const role = rolesOf(desired)[0]!.model;
  const liveModel = structuredClone(api);
  edit.live?.(liveModel);
  const liveRoleModel = structuredClone(role);
  edit.liveRole?.(liveRoleModel);
  const observed = observedOf({ apis: [liveApiOf(liveModel)], roles: [liveRoleOf(liveRoleModel)] });
  edit.desired?.(api, desired);
  const plan = buildPlan(desired, observed, { ...PLAN_OPTIONS, ...options });
  expectWellFormed(plan);
  return plan;
}

// ---------------------------------------------------------------- create from empty

describe("buildPlan: the seed from nothing", () => {
  const plan = buildPlan(seedDesired(), observedOf(), PLAN_OPTIONS);

  it("is well-formed and carries out every change", () => {
    expectWellFormed(plan);
    const carried = new Set(plan.operations.map((op) => op.change));
    plan.changes.forEach((change, index) => expect(carried.has(index), `${change.kind} ${change.action} ${JSON.stringify(change.id)}`).toBe(true));
  });

  it.each([
    { reason: "one CreateRestApi, tagged with ownership", call: "CreateRestApi", count: 1 },
    { reason: "a resource for each path but /", call: "CreateResource", count: 2 },
    { reason: "one PutMethod per method", call: "PutMethod", count: 8 },
    { reason: "one PutIntegration per method", call: "PutIntegration", count: 8 },
    { reason: "a PutMethodResponse per status", call: "PutMethodResponse", count: 24 },
    { reason: "a PutIntegrationResponse per status", call: "PutIntegrationResponse", count: 24 },
    { reason: "exactly one CreateDeployment per API", call: "CreateDeployment", count: 1 },
    { reason: "the new stage's method settings", call: "UpdateStage", count: 1 },
    { reason: "the API tags (spec hash, deployed)", call: "TagResource", count: 1 },
    { reason: "the role", call: "CreateRole", count: 1 },
    { reason: "its inline policy", call: "PutRolePolicy", count: 1 },
    { reason: "no managed policy: the seed role's permissions are all inline", call: "AttachRolePolicy", count: 0 },
    { reason: "no updates or deletes", call: "UpdateMethod", count: 0 },
  ])("$reason: $count × $call", ({ call, count }) => {
    expect(opsOf(plan, call)).toHaveLength(count);
  });

  it("CreateRestApi carries the ownership tags", () => {
    expect(one(plan, `${API_GROUP}:CreateRestApi`).input.tags).toMatchObject({ app: "my-s3", [TAG.name]: "my-s3", [TAG.owner]: OWNER });
  });

  it("CreateResource: parent before child, the child's parent id a ref to the parent's answer", () => {
    const child = one(plan, `${API_GROUP}:CreateResource:/{folder}/{item}`);
    expect(child.after).toContain(`${API_GROUP}:CreateResource:/{folder}`);
    expect(child.input.parentId).toEqual({ $ref: "resource:/{folder}" });
    expect(one(plan, `${API_GROUP}:CreateResource:/{folder}`).input.parentId).toEqual({ $ref: "resource:/" });
  });

  it("every method: PutMethod before PutIntegration before PutIntegrationResponse; PutMethodResponse before the PutIntegrationResponse of its status", () => {
    for (const put of opsOf(plan, "PutIntegrationResponse")) {
      const [, key] = put.id.split(":PutIntegrationResponse:") as [string, string];
      const methodKey = key.slice(0, key.lastIndexOf(" "));
      expect(put.after).toContain(`${API_GROUP}:PutIntegration:${methodKey}`);
      expect(put.after).toContain(`${API_GROUP}:PutMethodResponse:${key}`);
      expect(waitsFor(plan, put.id, `${API_GROUP}:PutMethod:${methodKey}`)).toBe(true);
    }
    for (const put of opsOf(plan, "PutIntegration")) {
      expect(put.after).toContain(put.id.replace(":PutIntegration:", ":PutMethod:"));
    }
  });

  it("PutMethod on a new resource waits for CreateResource; every write waits for CreateRestApi", () => {
    expect(one(plan, `${API_GROUP}:PutMethod:/{folder}/{item} GET`).after).toContain(`${API_GROUP}:CreateResource:/{folder}/{item}`);
    for (const op of plan.operations.filter((o) => o.group === API_GROUP && o.call !== "CreateRestApi")) {
      expect(waitsFor(plan, op.id, `${API_GROUP}:CreateRestApi`), op.id).toBe(true);
    }
  });

  it("CreateDeployment after every configuration write; the stage follow-ups and TagResource after it; TagResource last", () => {
    const deploy = one(plan, `${API_GROUP}:CreateDeployment`);
    const config = plan.operations.filter((o) => o.group === API_GROUP && !/Deployment|Stage|TagResource/.test(o.call));
    expect(config.length).toBeGreaterThan(60);
    for (const op of config) expect(waitsFor(plan, deploy.id, op.id), op.id).toBe(true);
    const tag = one(plan, `${API_GROUP}:TagResource`);
    for (const op of plan.operations.filter((o) => o.group === API_GROUP && o.id !== tag.id)) expect(waitsFor(plan, tag.id, op.id), op.id).toBe(true);
    expect(tag.input.tags).toMatchObject({ [TAG.deployed]: { $ref: "deployment" } });
  });

  it("the role exists (CreateRole, and its policies) before any integration names it", () => {
    const integrations = opsOf(plan, "PutIntegration");
    expect(integrations.every((op) => op.input.credentials === ROLE_ARN)).toBe(true);
    for (const op of integrations) {
      expect(waitsFor(plan, op.id, `${ROLE_GROUP}:CreateRole`), op.id).toBe(true);
      expect(waitsFor(plan, op.id, `${ROLE_GROUP}:PutRolePolicy:${INLINE}`), op.id).toBe(true);
    }
  });

  it("IAM writes of one role are chained; the spec hash is tagged last (a cut-short create is pending, not drift)", () => {
    const iam = plan.operations.filter((o) => o.group === ROLE_GROUP);
    expect(iam.map((o) => o.call)).toEqual(["CreateRole", "PutRolePolicy", "TagRole"]);
    const tags = (iam[0]?.input.Tags ?? []) as { Key: string }[];
    expect(tags.map((t) => t.Key)).not.toContain("apigw-reconciler:spec-hash");
    expect(iam[2]?.input.Tags).toEqual([{ Key: "apigw-reconciler:spec-hash", Value: expect.any(String) as unknown }]);
    for (let i = 1; i < iam.length; i++) expect(iam[i]?.after).toEqual([iam[i - 1]?.id]);
  });

  it("a role with a managed policy too: attached in the chain, before any integration names the role", () => {
    const desired = seedDesired();
    rolesOf(desired)[0]!.model.managedPolicyArns = [S3_READ_ONLY];
    const withManaged = buildPlan(desired, observedOf(), PLAN_OPTIONS);
    expectWellFormed(withManaged);
    const iam = withManaged.operations.filter((o) => o.group === ROLE_GROUP);
    expect(iam.map((o) => o.call)).toEqual(["CreateRole", "PutRolePolicy", "AttachRolePolicy", "TagRole"]);
    for (let i = 1; i < iam.length; i++) expect(iam[i]?.after).toEqual([iam[i - 1]?.id]);
    for (const op of opsOf(withManaged, "PutIntegration")) expect(waitsFor(withManaged, op.id, `${ROLE_GROUP}:AttachRolePolicy:${S3_READ_ONLY}`), op.id).toBe(true);
  });
});

// ---------------------------------------------------------------- updates

describe("buildPlan: updates", () => {
  it("no change → no operations", () => {
    const plan = planSeed();
    expect(plan.changes).toEqual([]);
    expect(plan.operations).toEqual([]);
  });

  it("a response dropped: DeleteIntegrationResponse before DeleteMethodResponse of the same status", () => {
    const plan = planSeed({
      desired: (m) => {
        delete methodOf(m, "/", "GET").responses["400"];
        delete integrationOf(m, "/", "GET").responses["400"];
      },
    });
    expect(plan.operations.filter((o) => o.group === API_GROUP).map((o) => o.call)).toEqual(["DeleteMethodResponse", "DeleteIntegrationResponse", "CreateDeployment", "TagResource"]);
    expect(one(plan, `${API_GROUP}:DeleteMethodResponse:/ GET 400`).after).toContain(`${API_GROUP}:DeleteIntegrationResponse:/ GET 400`);
    expect(one(plan, `${API_GROUP}:DeleteMethodResponse:/ GET 400`).input).toMatchObject({ restApiId: "api1", resourceId: "root", httpMethod: "GET", statusCode: "400" });
  });

  it("DeleteMethodResponse waits only for the integration response of its own method (not /y/x's for /x)", () => {
    const withTwin = (m: RestApiModel) => {
      const get = structuredClone(methodOf(m, "/", "GET"));
      m.resources["/x"] = { path: "/x", methods: { GET: structuredClone(get) } };
      m.resources["/y"] = { path: "/y", methods: {} };
      m.resources["/y/x"] = { path: "/y/x", methods: { GET: structuredClone(get) } };
    };
    const plan = planSeed({
      live: (m) => {
        withTwin(m);
        // Drift on /x: a method response 404 without an integration response.
        methodOf(m, "/x", "GET").responses["404"] = { responseParameters: {}, responseModels: {} };
        // /y/x has both, and the manifest drops both.
        methodOf(m, "/y/x", "GET").responses["404"] = { responseParameters: {}, responseModels: {} };
        integrationOf(m, "/y/x", "GET").responses["404"] = { selectionPattern: "404", responseParameters: {}, responseTemplates: {} };
      },
      desired: withTwin,
    });
    const lone = one(plan, `${API_GROUP}:DeleteMethodResponse:/x GET 404`);
    expect(lone.after).not.toContain(`${API_GROUP}:DeleteIntegrationResponse:/y/x GET 404`);
    expect(one(plan, `${API_GROUP}:DeleteMethodResponse:/y/x GET 404`).after).toContain(`${API_GROUP}:DeleteIntegrationResponse:/y/x GET 404`);
  });

  it("a new status on an existing method: PutMethodResponse before PutIntegrationResponse", () => {
    const plan = planSeed({
      desired: (m) => {
        methodOf(m, F, "GET").responses["404"] = { responseParameters: {}, responseModels: {} };
        integrationOf(m, F, "GET").responses["404"] = { selectionPattern: "404", responseParameters: {}, responseTemplates: {} };
      },
    });
    expect(one(plan, `${API_GROUP}:PutIntegrationResponse:${F} GET 404`).after).toContain(`${API_GROUP}:PutMethodResponse:${F} GET 404`);
    expect(one(plan, `${API_GROUP}:PutIntegrationResponse:${F} GET 404`).input).toMatchObject({ restApiId: "api1", resourceId: "id/{folder}", httpMethod: "GET", statusCode: "404", selectionPattern: "404" });
  });

  it("integration type change: PutIntegration (no PutMethod), then its responses put back after it", () => {
    const plan = planSeed({
      desired: (m) => {
        const i = integrationOf(m, "/", "GET");
        i.type = "HTTP";
        i.uri = "https://example.com/";
        delete i.credentials;
      },
    });
    expect(opsOf(plan, "PutMethod")).toHaveLength(0);
    const put = one(plan, `${API_GROUP}:PutIntegration:/ GET`);
    expect(put.input).toMatchObject({ type: "HTTP", uri: "https://example.com/", integrationHttpMethod: "GET" });
    expect(opsOf(plan, "PutIntegrationResponse").map((o) => o.id)).toEqual(["200", "400", "500"].map((s) => `${API_GROUP}:PutIntegrationResponse:/ GET ${s}`));
    for (const op of opsOf(plan, "PutIntegrationResponse")) expect(op.after).toContain(put.id);
  });

  it("rename plus a new sibling: UpdateResource /pathPart on the live id; CreateResource after renames and deletes", () => {
    const plan = planSeed({
      desired: (m) => {
        renamePath(m, "/{folder}/{item}", "/{folder}/{key}");
        m.resources["/{folder}/meta"] = { path: "/{folder}/meta", methods: {} };
      },
      live: (m) => (m.resources["/old"] = { path: "/old", methods: {} }),
    });
    const rename = one(plan, `${API_GROUP}:UpdateResource:/{folder}/{key}`);
    expect(rename.input).toEqual({ restApiId: "api1", resourceId: "id/{folder}/{item}", patchOperations: [{ op: "replace", path: "/pathPart", value: "{key}" }] });
    const create = one(plan, `${API_GROUP}:CreateResource:/{folder}/meta`);
    expect(create.input).toEqual({ restApiId: "api1", parentId: "id/{folder}", pathPart: "meta" });
    expect(create.after).toEqual(expect.arrayContaining([rename.id, `${API_GROUP}:DeleteResource:/old`]));
    expect(one(plan, `${API_GROUP}:DeleteResource:/old`).input).toEqual({ restApiId: "api1", resourceId: "id/old" });
    expect(opsOf(plan, "CreateDeployment")).toHaveLength(1);
  });

  it("UpdateMethod / UpdateIntegration carry the diff's patch operations on the live ids", () => {
    const plan = planSeed({ desired: (m) => ((methodOf(m, F, "GET").apiKeyRequired = true), (integrationOf(m, F, "GET").timeoutInMillis = 1000)) });
    expect(one(plan, `${API_GROUP}:UpdateMethod:${F} GET`).input).toEqual({ restApiId: "api1", resourceId: "id/{folder}", httpMethod: "GET", patchOperations: [{ op: "replace", path: "/apiKeyRequired", value: "true" }] });
    expect(one(plan, `${API_GROUP}:UpdateIntegration:${F} GET`).input).toEqual({ restApiId: "api1", resourceId: "id/{folder}", httpMethod: "GET", patchOperations: [{ op: "replace", path: "/timeoutInMillis", value: "1000" }] });
  });

  it("exactly one CreateDeployment however many changes, after all of them", () => {
    const plan = planSeed({
      desired: (m) => {
        for (const resource of Object.values(m.resources)) for (const method of Object.values(resource.methods)) method.apiKeyRequired = true;
        m.binaryMediaTypes = ["*/*"];
      },
    });
    const deploys = opsOf(plan, "CreateDeployment");
    expect(deploys).toHaveLength(1);
    for (const op of [...opsOf(plan, "UpdateMethod"), ...opsOf(plan, "UpdateRestApi")]) expect(waitsFor(plan, deploys[0]!.id, op.id)).toBe(true);
    expect(deploys[0]?.input).toMatchObject({ restApiId: "api1", stageName: "prod" });
  });

  it("stage-only change: UpdateStage, no deployment", () => {
    const plan = planSeed({ desired: (m) => (m.stages.prod!.variables.bucket = "b") });
    expect(plan.operations.filter((o) => o.group === API_GROUP).map((o) => o.call)).toEqual(["UpdateStage", "TagResource"]);
  });

  it("TagResource is last even without a deployment (the spec hash is recorded only once the rest is written)", () => {
    const plan = planSeed({ desired: (m) => ((m.name = "MyS3-v2"), (m.tags.team = "x")) });
    const tag = one(plan, `${API_GROUP}:TagResource`);
    expect(opsOf(plan, "CreateDeployment")).toHaveLength(0);
    for (const op of plan.operations.filter((o) => o.group === API_GROUP && o.id !== tag.id)) expect(waitsFor(plan, tag.id, op.id), `${tag.id} waits for ${op.id}`).toBe(true);
  });

  it("role changes: chained IAM calls; an updated role gives integrations no dependency", () => {
    const plan = planSeed({
      // The role as last applied had a managed policy, which the manifest now swaps for another.
      liveRole: (m) => (m.managedPolicyArns = [S3_READ_ONLY]),
      desired: (_m, d) => {
        const role = rolesOf(d)[0]!.model;
        role.managedPolicyArns = [S3_FULL];
        role.inlinePolicies["s3-delete"] = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:Delete*", Resource: "*" }] };
        role.description = "changed";
      },
    });
    const iam = plan.operations.filter((o) => o.group === ROLE_GROUP);
    expect(iam.map((o) => o.id.slice(ROLE_GROUP.length + 1))).toEqual([
      "UpdateRole",
      "PutRolePolicy:s3-delete",
      `AttachRolePolicy:${S3_FULL}`,
      `DetachRolePolicy:${S3_READ_ONLY}`,
      "TagRole:ownership",
    ]);
    for (let i = 1; i < iam.length; i++) expect(iam[i]?.after).toEqual([iam[i - 1]?.id]);
  });

  it("role path change: the role is replaced (detach, delete policies, delete, create, put back) before integrations naming the new ARN", () => {
    const desired = seedDesired();
    const role = rolesOf(desired)[0]!.model;
    role.managedPolicyArns = [S3_READ_ONLY]; // something to detach and attach again
    const live = liveRoleOf(role);
    role.path = "/svc/";
    const newArn = `arn:aws:iam::123456789012:role/svc/${role.roleName}`;
    for (const resource of Object.values(apisOf(desired)[0]!.model.resources)) for (const method of Object.values(resource.methods)) if (method.integration) method.integration.credentials = newArn;
    const plan = buildPlan(desired, observedOf({ roles: [live] }), PLAN_OPTIONS);
    expectWellFormed(plan);
    expect(plan.operations.filter((o) => o.group === ROLE_GROUP).map((o) => o.call)).toEqual(["DetachRolePolicy", "DeleteRolePolicy", "DeleteRole", "CreateRole", "PutRolePolicy", "AttachRolePolicy", "TagRole"]);
    for (const op of opsOf(plan, "PutIntegration")) expect(waitsFor(plan, op.id, `${ROLE_GROUP}:CreateRole`)).toBe(true);
  });
});


// ---------------------------------------------------------------- observe mode

describe("buildPlan: a declaration before the mapping that uses it, its removal after (AWS validates mappings when written)", () => {
  const HEADER = "method.request.header.x-amz-acl";
  const MAPPING = "integration.request.header.x-amz-acl";
  const RESPONSE_HEADER = "method.response.header.ETag";
  const RESPONSE_MAPPING = "integration.response.header.ETag";

  it("a request header added on both sides: UpdateIntegration waits for UpdateMethod", () => {
    const plan = planSeed({ desired: (m) => ((methodOf(m, F, "PUT").requestParameters[HEADER] = false), (integrationOf(m, F, "PUT").requestParameters[MAPPING] = HEADER)) });
    expect(waitsFor(plan, `${API_GROUP}:UpdateIntegration:${F} PUT`, `${API_GROUP}:UpdateMethod:${F} PUT`)).toBe(true);
    expect(opsOf(plan, "UpdateMethod")).toHaveLength(1);
  });

  it("a request header removed on both sides: UpdateMethod waits for UpdateIntegration", () => {
    const plan = planSeed({ live: (m) => ((methodOf(m, F, "PUT").requestParameters[HEADER] = false), (integrationOf(m, F, "PUT").requestParameters[MAPPING] = HEADER)) });
    expect(waitsFor(plan, `${API_GROUP}:UpdateMethod:${F} PUT`, `${API_GROUP}:UpdateIntegration:${F} PUT`)).toBe(true);
  });

  it("one header swapped for another: one UpdateMethod (adds and removes) before the integration's (AWS accepts removing a still-mapped parameter)", () => {
    const plan = planSeed({
      live: (m) => ((methodOf(m, F, "PUT").requestParameters["method.request.header.old"] = false), (integrationOf(m, F, "PUT").requestParameters["integration.request.header.old"] = "method.request.header.old")),
      desired: (m) => ((methodOf(m, F, "PUT").requestParameters[HEADER] = false), (integrationOf(m, F, "PUT").requestParameters[MAPPING] = HEADER)),
    });
    expect(opsOf(plan, "UpdateMethod")).toHaveLength(1);
    expect(one(plan, `${API_GROUP}:UpdateMethod:${F} PUT`).input.patchOperations).toEqual([
      { op: "remove", path: "/requestParameters/method.request.header.old" },
      { op: "add", path: `/requestParameters/${HEADER}`, value: "false" },
    ]);
    expect(waitsFor(plan, `${API_GROUP}:UpdateIntegration:${F} PUT`, `${API_GROUP}:UpdateMethod:${F} PUT`)).toBe(true);
  });

  it("a response header added on both sides: UpdateIntegrationResponse waits for UpdateMethodResponse of its status", () => {
    const plan = planSeed({
      desired: (m) => ((methodOf(m, F, "PUT").responses["200"]!.responseParameters[RESPONSE_HEADER] = false), (integrationOf(m, F, "PUT").responses["200"]!.responseParameters[RESPONSE_HEADER] = RESPONSE_MAPPING)),
    });
    expect(waitsFor(plan, `${API_GROUP}:UpdateIntegrationResponse:${F} PUT 200`, `${API_GROUP}:UpdateMethodResponse:${F} PUT 200`)).toBe(true);
  });

  it("a response header removed on both sides: UpdateMethodResponse waits for UpdateIntegrationResponse", () => {
    const plan = planSeed({
      live: (m) => ((methodOf(m, F, "PUT").responses["200"]!.responseParameters[RESPONSE_HEADER] = false), (integrationOf(m, F, "PUT").responses["200"]!.responseParameters[RESPONSE_HEADER] = RESPONSE_MAPPING)),
    });
    expect(waitsFor(plan, `${API_GROUP}:UpdateMethodResponse:${F} PUT 200`, `${API_GROUP}:UpdateIntegrationResponse:${F} PUT 200`)).toBe(true);
  });
});

describe("buildPlan: a resource policy's execute-api:/ shorthand, as AWS stores it", () => {
  const policy = (resource: string) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: resource }] });
  const stored = (m: RestApiModel) => `arn:${TARGET.partition}:execute-api:${TARGET.region}:${TARGET.accountId}:api1/${m.stages.prod ? "*" : ""}`;
  /** As planSeed, the live API deployed from the manifest as written (its tag holds that config hash). */
  const planWithPolicy = (desired: RestApiModel["policy"], live: (m: RestApiModel) => RestApiModel["policy"]): Plan => {
    const state = seedDesired();
    const api = apisOf(state)[0]!.model;
    api.policy = desired;
    const liveModel = structuredClone(api);
    liveModel.policy = live(liveModel);
    const observed = observedOf({ apis: [liveApiOf(liveModel, { deployedHash: configHashOf(api) })], roles: [liveRoleOf(rolesOf(state)[0]!.model)] });
    return buildPlan(state, observed, PLAN_OPTIONS);
  };

  it("execute-api:/* in the manifest, the API's own ARN in AWS → no change", () => {
    const plan = planWithPolicy(policy("execute-api:/*") as RestApiModel["policy"], (m) => policy(stored(m)) as RestApiModel["policy"]);
    expect(plan.changes).toEqual([]);
  });

  it("in NotResource too, and in a list", () => {
    const doc = (r: string[]) => ({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", NotResource: r }] }) as unknown as RestApiModel["policy"];
    const plan = planWithPolicy(doc(["execute-api:/prod/GET/*", "execute-api:/prod/HEAD/*"]), (m) => doc([stored(m).replace(/\*$/, "prod/GET/*"), stored(m).replace(/\*$/, "prod/HEAD/*")]));
    expect(plan.changes).toEqual([]);
  });

  it("another API's ARN in AWS is a change, and the patch sends the policy as AWS will store it", () => {
    const plan = planSeed({ desired: (m) => (m.policy = policy("execute-api:/*") as RestApiModel["policy"]), live: (m) => (m.policy = policy(`arn:aws:execute-api:${TARGET.region}:${TARGET.accountId}:other/*`) as RestApiModel["policy"]) });
    const update = one(plan, `${API_GROUP}:UpdateRestApi`);
    expect(update.input.patchOperations).toEqual([{ op: "replace", path: "/policy", value: JSON.stringify(policy(stored({ stages: { prod: {} } } as unknown as RestApiModel))) }]);
  });
});

describe("buildPlan: observe mode", () => {
  const rows: { reason: string; setup: (d: DesiredState) => void; options: Partial<PlanOptions>; skipped: string[]; writes: string[] }[] = [
    { reason: "options.mode observe → nothing written, both groups skipped", setup: () => undefined, options: { mode: "observe" }, skipped: [ROLE_GROUP, API_GROUP], writes: [] },
    { reason: "spec.reconcile observe on the API → the API skipped, the role written", setup: (d) => (apisOf(d)[0]!.options.reconcile = "observe"), options: {}, skipped: [API_GROUP], writes: [ROLE_GROUP] },
    { reason: "spec.reconcile observe on the role → the role skipped, the API written", setup: (d) => (rolesOf(d)[0]!.options.reconcile = "observe"), options: {}, skipped: [ROLE_GROUP], writes: [API_GROUP] },
  ];
  it.each(rows)("$reason", ({ setup, options, skipped, writes }) => {
    const desired = seedDesired();
    setup(desired);
    const plan = buildPlan(desired, observedOf(), { ...PLAN_OPTIONS, ...options });
    expect(plan.skipped).toEqual(skipped.map((group) => ({ group, reason: "observe mode: reported, not written" })));
    expect([...new Set(plan.operations.map((o) => o.group))]).toEqual(writes);
    // The changes are still reported.
    expect(plan.summary.create).toBeGreaterThan(0);
  });

  it("apply's outcome of a change under reconcile: observe is 'not written (observe)', never 'applied'", () => {
    const desired = seedDesired();
    apisOf(desired)[0]!.options.reconcile = "observe";
    const plan = buildPlan(desired, observedOf(), PLAN_OPTIONS);
    // The role's operations all applied; the API's changes had no operation at all.
    const outcomes = plan.operations.map((op) => ({ id: op.id, call: op.call, group: op.group, status: "applied" as const, ...(op.change !== undefined ? { change: op.change } : {}) }));
    const perChange = changeOutcomes(plan, outcomes);
    plan.changes.forEach((change, i) => {
      expect(perChange[i], `${change.kind} ${JSON.stringify(change.id)}`).toBe(change.id.role !== undefined ? "applied" : "not written (observe)");
    });
    expect(perChange.filter((o) => o === "not written (observe)").length).toBeGreaterThan(10);
  });

  it("observe mode with nothing to change → nothing skipped", () => {
    const desired = seedDesired();
    const plan = buildPlan(desired, observedOf({ apis: [liveApiOf(apisOf(desired)[0]!.model)], roles: [liveRoleOf(rolesOf(desired)[0]!.model)] }), { ...PLAN_OPTIONS, mode: "observe" });
    expect(plan.skipped).toEqual([]);
    expect(plan.operations).toEqual([]);
  });
});

// ---------------------------------------------------------------- prune

describe("buildPlan: prune guards", () => {
  const orphanApis = [
    { id: "old1", key: "legacy-a", name: "A" },
    { id: "old2", key: "legacy-b", name: "B" },
  ];
  const orphanRole = () => {
    const role = structuredClone(rolesOf(seedDesired())[0]!.model);
    role.key = "legacy-role";
    role.roleName = "legacyRole";
    role.managedPolicyArns = [S3_READ_ONLY]; // to empty before the delete, with the inline policy
    return liveRoleOf(role);
  };
  const desired = seedDesired();
  const inSync = () => ({ apis: [liveApiOf(apisOf(desired)[0]!.model)], roles: [liveRoleOf(rolesOf(desired)[0]!.model)] });

  const rows: { reason: string; options: Partial<PlanOptions>; roles: boolean; deletes: string[] | "guard" }[] = [
    { reason: "without --prune: orphans are left alone", options: { prune: false, maxDeletions: 0 }, roles: true, deletes: [] },
    { reason: "more orphans than maxDeletions, no force → PruneGuardError", options: { prune: true, maxDeletions: 1 }, roles: false, deletes: "guard" },
    { reason: "APIs and roles count together", options: { prune: true, maxDeletions: 2 }, roles: true, deletes: "guard" },
    { reason: "as many as maxDeletions → deleted", options: { prune: true, maxDeletions: 2 }, roles: false, deletes: ["RestApi/legacy-a:DeleteRestApi", "RestApi/legacy-b:DeleteRestApi"] },
    {
      reason: "with force → DeleteRestApi, and the role emptied then deleted",
      options: { prune: true, maxDeletions: 0, force: true },
      roles: true,
      deletes: [
        "RestApi/legacy-a:DeleteRestApi",
        "RestApi/legacy-b:DeleteRestApi",
        `IamRole/legacy-role:DetachRolePolicy:${S3_READ_ONLY}`,
        `IamRole/legacy-role:DeleteRolePolicy:${INLINE}`,
        "IamRole/legacy-role:DeleteRole",
      ],
    },
  ];
  it.each(rows)("$reason", ({ options, roles, deletes }) => {
    const observed = observedOf({ ...inSync(), orphanApis, orphanRoles: roles ? [orphanRole()] : [] });
    const run = () => buildPlan(seedDesired(), observed, { ...PLAN_OPTIONS, ...options });
    if (deletes === "guard") {
      expect(run).toThrow(PruneGuardError);
      expect(run).toThrow(/RestApi legacy-a \(old1\), RestApi legacy-b \(old2\)/);
      return;
    }
    const plan = run();
    expectWellFormed(plan);
    expect(plan.operations.map((o) => o.id)).toEqual(deletes);
    for (const op of opsOf(plan, "DeleteRestApi")) expect(plan.changes[op.change!]).toMatchObject({ kind: "RestApi", action: "delete", reason: "its manifest is gone (--prune)" });
    expect(plan.summary.delete).toBe(deletes.filter((d) => /DeleteRestApi|DeleteRole$/.test(d)).length);
  });
});

// ---------------------------------------------------------------- ownership (observe, mocked SDK)

describe("observe: ownership", () => {
  const apigw = mockClient(APIGatewayClient);
  const iam = mockClient(IAMClient);
  let gateway: Gateway;

  beforeEach(() => {
    apigw.reset();
    iam.reset();
    gateway = createGateway({ region: "us-east-1", endpoint: "http://127.0.0.1:1" });
    apigw.on(GetResourcesCommand).resolves({ items: [{ id: "rootX", path: "/" }] });
    apigw.on(GetStagesCommand).resolves({ item: [] });
  });
  afterAll(() => {
    apigw.restore();
    iam.restore();
  });

  const apiOnly = (adopt = false): DesiredState => {
    const desired = seedDesired();
    apisOf(desired)[0]!.options.adopt = adopt;
    return desiredOf({ apis: apisOf(desired) });
  };
  const tagged = (id: string, owner = OWNER) => ({ id, name: "MyS3", tags: { [TAG.name]: "my-s3", [TAG.owner]: owner } });
  const untagged = (id: string) => ({ id, name: "MyS3", tags: {} });
  const run = (desired: DesiredState) => observe(gateway, desired, { owner: OWNER, prune: false, accountId: "123456789012" });

  it("two APIs tagged with the same manifest name → OwnershipError naming both ids", async () => {
    apigw.on(GetRestApisCommand).resolves({ items: [tagged("aaa111"), tagged("bbb222")] });
    const error = await run(apiOnly()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OwnershipError);
    expect((error as Error).message).toMatch(/aaa111/);
    expect((error as Error).message).toMatch(/bbb222/);
    expect(apigw).not.toHaveReceivedCommand(GetResourcesCommand);
  });

  it("the tagged API is read (GetResources with embed, GetStages), an untagged namesake ignored", async () => {
    apigw.on(GetRestApisCommand).resolves({ items: [untagged("zzz999"), tagged("aaa111")] });
    const observed = await run(apiOnly());
    expect(observed.objects.get("RestApi/my-s3")).toMatchObject({ adopted: false, live: { id: "aaa111" } });
    expect(apigw).toHaveReceivedCommandWith(GetResourcesCommand, { restApiId: "aaa111", embed: ["methods"], limit: 500 });
    expect(apigw).toHaveReceivedCommandTimes(GetResourcesCommand, 1);
    expect(apigw).toHaveReceivedCommandTimes(GetStagesCommand, 1);
  });

  it("an API tagged by another owner is not ours", async () => {
    apigw.on(GetRestApisCommand).resolves({ items: [tagged("other1", "someone-else")] });
    const observed = await run(apiOnly());
    expect(observed.objects.get("RestApi/my-s3")?.live).toBeUndefined();
    expect(observed.orphans).toEqual([]);
  });

  it("an untagged API of the same name without adopt → not taken over: planned as a create", async () => {
    apigw.on(GetRestApisCommand).resolves({ items: [untagged("zzz999")] });
    const desired = apiOnly(false);
    const observed = await run(desired);
    expect(observed.objects.get("RestApi/my-s3")).toEqual({ kind: "RestApi", key: "my-s3", adopted: false });
    expect(apigw).not.toHaveReceivedCommand(GetResourcesCommand);
    const plan = buildPlan(desired, observed, PLAN_OPTIONS);
    expect(opsOf(plan, "CreateRestApi")).toHaveLength(1);
  });

  it("an untagged API of the same name with adopt → adopted: read, updated in place, tagged", async () => {
    apigw.on(GetRestApisCommand).resolves({ items: [{ ...untagged("zzz999"), endpointConfiguration: { types: ["REGIONAL"] } }] });
    const desired = apiOnly(true);
    const observed = await run(desired);
    expect(observed.objects.get("RestApi/my-s3")).toMatchObject({ adopted: true, live: { id: "zzz999", resourceIds: { "/": "rootX" } } });
    const plan = buildPlan(desired, observed, PLAN_OPTIONS);
    expect(opsOf(plan, "CreateRestApi")).toHaveLength(0);
    expect(one(plan, `${API_GROUP}:CreateResource:/{folder}`).input).toEqual({ restApiId: "zzz999", parentId: "rootX", pathPart: "{folder}" });
    expect(one(plan, `${API_GROUP}:TagResource`).input.tags).toMatchObject({ [TAG.name]: "my-s3", [TAG.owner]: OWNER });
  });

  it("two untagged namesakes with adopt → OwnershipError (adopt needs exactly one)", async () => {
    apigw.on(GetRestApisCommand).resolves({ items: [untagged("zzz1"), untagged("zzz2")] });
    await expect(run(apiOnly(true))).rejects.toThrow(/zzz1, zzz2/);
  });

  it("an owned API whose manifest is gone is an orphan (prune candidate)", async () => {
    apigw.on(GetRestApisCommand).resolves({ items: [tagged("aaa111"), { id: "old1", name: "Old", tags: { [TAG.name]: "legacy", [TAG.owner]: OWNER } }] });
    const observed = await run(apiOnly());
    expect(observed.orphans).toMatchObject([{ kind: "RestApi", key: "legacy", label: "RestApi legacy (old1)", live: { id: "old1", model: { name: "Old" } } }]);
  });
});

// ---------------------------------------------------------------- partitions

describe("buildPlan: the target's partition in every ARN it writes", () => {
  const rows: { reason: string; target: { region: string; accountId: string; partition: string } }[] = [
    { reason: "China (aws-cn)", target: { region: "cn-north-1", accountId: "123456789012", partition: "aws-cn" } },
    { reason: "GovCloud (aws-us-gov)", target: { region: "us-gov-west-1", accountId: "123456789012", partition: "aws-us-gov" } },
  ];
  it.each(rows)("$reason: tag ARNs and roleRef credentials carry it, nothing says arn:aws:", ({ target }) => {
    const desired = resolvePlaceholders(parseManifests(seedFiles()).desired, target);
    const plan = buildPlan(desired, { ...observedOf(), target }, PLAN_OPTIONS);
    const text = JSON.stringify(plan.operations);
    expect(text).not.toMatch(/arn:aws:(?!iam::aws:policy)/);
    expect(text).toContain(`"credentials":"arn:${target.partition}:iam::123456789012:role/apigAwsProxyRole"`);
    expect(opsOf(plan, "TagResource").map((op) => JSON.stringify(op.input.resourceArn))).toEqual([expect.stringContaining(`arn:${target.partition}:apigateway:${target.region}::/restapis/`)]);
  });

  it("without a role to read it from, the partition follows the Region", () => {
    expect(["us-east-1", "cn-northwest-1", "us-gov-east-1"].map(partitionOfRegion)).toEqual(["aws", "aws-cn", "aws-us-gov"]);
  });
});
