// The UsagePlan kind (src/kinds/usage-plan): its checks (file:line, with the reason of each row), diff → the
// patch ops AWS takes, the plan's order (a ref to an API created in the same pass, the stage's readiness),
// one coalesced UpdateUsagePlan, a new key value = a new key, prune order, observe's calls, and that a key
// value never reaches the model, a plan or a report. A property: applying the patch to live gives desired.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/aws/gateway.ts";
import { buildPlan } from "../../src/engine/plan.ts";
import { usagePlanKind } from "../../src/kinds/usage-plan/index.ts";
import { valueHash, type DesiredUsagePlan, type LiveUsagePlan, type UsagePlanModel } from "../../src/kinds/usage-plan/model.ts";
import { diffUsagePlan, planPatch, planFields } from "../../src/kinds/usage-plan/diff.ts";
import type { ManifestError } from "../../src/manifest/issues.ts";
import { parseManifests } from "../../src/manifest/load.ts";
import type { Change, PatchOperation, Plan } from "../../src/model/changes.ts";
import { TAG } from "../../src/model/live.ts";
import { renderJson } from "../../src/report/json.ts";
import { renderText } from "../../src/report/text.ts";
import { resolvePlaceholders } from "../../src/model/placeholders.ts";
import { liveApiOf, observedOf, OWNER, PLAN_OPTIONS, ROOT, seedFiles, TARGET } from "./support/models.ts";
import type { RestApiModel } from "../../src/model/types.ts";
import { expectWellFormed } from "./support/plans.ts";

const ENV = "UNIT_ACME_KEY";
const VALUE = "UnitAcmeValue0123456789";
const OTHER = "UnitAcmeValueRotated987654";

beforeEach(() => {
  process.env[ENV] = VALUE;
});
afterEach(() => {
  delete process.env[ENV];
  delete process.env.UNIT_OTHER;
});

const PLAN_YAML = `apiVersion: apigw-reconciler/v1
kind: UsagePlan
metadata:
  name: partners
spec:
  description: Partner access
  throttle: { burstLimit: 100, rateLimit: 50 }
  quota: { limit: 10000, period: MONTH }
  apiStages:
    - api: my-s3
      stage: prod
  apiKeys:
    - name: acme
      valueFrom: { env: ${ENV} }
    - name: globex
      enabled: false
  tags: { team: partners }
`;

function load(text: string = PLAN_YAML) {
  return parseManifests([...seedFiles(), { file: "manifests/usage-plan.yaml", text }]);
}

function problems(text: string): string[] {
  try {
    load(text);
    return [];
  } catch (error) {
    return (error as ManifestError).issues.filter((i) => i.file.endsWith("usage-plan.yaml")).map((i) => `${i.line} ${i.field}: ${i.message}`);
  }
}

function desiredPlan(text: string = PLAN_YAML): DesiredUsagePlan {
  const found = load(text).desired.objects.find((o) => o.kind === "UsagePlan");
  if (!found) throw new Error("no UsagePlan");
  return found as DesiredUsagePlan;
}

// ------------------------------------------------------------------ checks

describe("checks: file:line and the reason of each row", () => {
  const cases: { reason: string; edit: (t: string) => string; expected: unknown[] }[] = [
    { reason: "the manifest as given is valid", edit: (t) => t, expected: [] },
    { reason: "a stage names a RestApi no manifest declares", edit: (t) => t.replace("api: my-s3", "api: nope"), expected: ["10 spec.apiStages[0].api: no RestApi manifest named nope"] },
    { reason: "the RestApi has no such stage", edit: (t) => t.replace("stage: prod", "stage: dev"), expected: ["11 spec.apiStages[0].stage: RestApi my-s3 has no stage dev (its stages: prod)"] },
    { reason: "the same api+stage twice", edit: (t) => t.replace("  apiKeys:", "    - { api: my-s3, stage: prod }\n  apiKeys:"), expected: ["12 spec.apiStages[1]: RestApi my-s3 stage prod is listed twice"] },
    { reason: "key names are unique within a plan", edit: (t) => t.replace("name: globex", "name: acme"), expected: ["15 spec.apiKeys[1].name: key name acme is used twice in this plan"] },
    { reason: "the value's variable must be set at load; the message names it, never a value", edit: (t) => t.replace(ENV, "UNIT_MISSING_KEY"), expected: ["14 spec.apiKeys[0].valueFrom.env: the environment variable UNIT_MISSING_KEY is not set (it holds this key's value)"] },
    { reason: "a quota offset beyond the limit", edit: (t) => t.replace("period: MONTH", "period: MONTH, offset: 20000"), expected: ["8 spec.quota.offset: is more than the quota's limit (10000)"] },
    { reason: "DAY|WEEK|MONTH only (the SDK's QuotaPeriodType)", edit: (t) => t.replace("MONTH", "YEAR"), expected: [expect.stringMatching(/^8 spec\.quota\.period: /)] },
    { reason: "reserved tag prefix", edit: (t) => t.replace("team: partners", "aws:x: y"), expected: ['17 spec.tags["aws:x"]: tag keys starting with "aws:" are reserved'] },
  ];
  it.each(cases.map((c) => [c.reason, c] as const))("%s", (_reason, c) => {
    expect(problems(c.edit(PLAN_YAML))).toEqual(c.expected);
  });

  it("a value of the wrong length is an error that names the variable and the rule, not the value", () => {
    process.env.UNIT_OTHER = "short";
    const found = problems(PLAN_YAML.replace(ENV, "UNIT_OTHER"));
    expect(found).toEqual(["14 spec.apiKeys[0].valueFrom.env: the value in UNIT_OTHER has 5 characters; API key values have 20-128"]);
  });

  it("two keys from one variable: values are unique per account and Region (409)", () => {
    expect(problems(PLAN_YAML.replace("      enabled: false", `      valueFrom: { env: ${ENV} }`))).toEqual([`16 spec.apiKeys[1].valueFrom.env: keys acme and globex take their value from the same variable ${ENV}; key values must be unique`]);
  });

  it("a reference to a RestApi whose own document is broken is not reported again", () => {
    const brokenApi = "apiVersion: apigw-reconciler/v1\nkind: RestApi\nmetadata: { name: broken }\nspec: { resources: 7 }\n";
    let issues: string[] = [];
    try {
      parseManifests([...seedFiles(), { file: "manifests/broken.yaml", text: brokenApi }, { file: "manifests/usage-plan.yaml", text: PLAN_YAML.replace("api: my-s3", "api: broken") }]);
    } catch (error) {
      issues = (error as ManifestError).issues.map((i) => `${i.file} ${i.field}`);
    }
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.filter((i) => i.startsWith("manifests/usage-plan.yaml"))).toEqual([]);
  });

  it("no method of the API requires a key: a warning (the load succeeds)", () => {
    const loaded = load();
    expect(loaded.warnings.map((w) => `${w.line} ${w.field}: ${w.message}`)).toEqual(["10 spec.apiStages[0].api: no method of RestApi my-s3 requires an API key; the keys of this plan limit nothing"]);
  });
});

// ------------------------------------------------------------------ expand and secrets

describe("the model holds a hash of the value, never the value", () => {
  it("expands defaults as observe fills them; valueHash is the HMAC of the variable's value", () => {
    const { model } = desiredPlan();
    expect(model).toMatchObject({ key: "partners", name: "partners", quota: { limit: 10000, period: "MONTH", offset: 0 }, apiStages: ["my-s3:prod"] });
    expect(model.apiKeys.acme).toEqual({ name: "acme", enabled: true, valueHash: valueHash(VALUE), valueEnv: ENV });
    expect(model.apiKeys.globex).toEqual({ name: "globex", enabled: false });
    expect(JSON.stringify(model)).not.toContain(VALUE);
  });
});

// ------------------------------------------------------------------ a fake account

interface RawPlanItem {
  id: string;
  name: string;
  description?: string;
  throttle?: { burstLimit: number; rateLimit: number };
  quota?: { limit: number; offset: number; period: string };
  apiStages: { apiId: string; stage: string }[];
  tags?: Record<string, string>;
}

interface Account {
  plans: RawPlanItem[];
  keys: { id: string; name: string; enabled: boolean; description?: string; tags?: Record<string, string> }[];
  planKeys: Record<string, string[]>;
  apis: { id: string; name: string; tags: Record<string, string> }[];
  values: Record<string, string>;
  calls: string[];
}

function account(parts: Partial<Account> = {}): Account {
  return { plans: [], keys: [], planKeys: {}, apis: [], values: {}, calls: [], ...parts };
}

function gatewayOf(a: Account): Gateway {
  const read = (_service: string, call: string, input: Record<string, unknown>) => {
    a.calls.push(call);
    switch (call) {
      case "GetUsagePlans":
        return Promise.resolve({ items: a.plans });
      case "GetApiKeys":
        return Promise.resolve({ items: a.keys });
      // As AWS: the plan's keys WITH their values (LS test_get_usage_plan_api_keys).
      case "GetUsagePlanKeys":
        return Promise.resolve({ items: (a.planKeys[String(input.usagePlanId)] ?? []).map((id) => ({ id, type: "API_KEY", name: a.keys.find((k) => k.id === id)?.name, value: a.values[id] })) });
      case "GetRestApis":
        return Promise.resolve({ items: a.apis });
      default:
        return Promise.resolve({});
    }
  };
  return { read, region: () => Promise.resolve(TARGET.region), accountIdFromSts: () => Promise.resolve(TARGET.accountId) } as unknown as Gateway;
}

/** The account after the manifest was applied: the plan (api1:prod), both keys in it, tags as the reconciler writes them. */
function appliedAccount(model: UsagePlanModel = desiredPlan().model): Account {
  const ownership = { [TAG.name]: "partners", [TAG.owner]: OWNER };
  return account({
    plans: [{ id: "p1", name: model.name, description: model.description, throttle: model.throttle, quota: model.quota, apiStages: [{ apiId: "api1", stage: "prod" }], tags: { ...model.tags, ...ownership, [TAG.specHash]: usagePlanKind.specHash(model) } }],
    keys: [
      { id: "k1", name: "acme", enabled: true, tags: { [TAG.name]: "partners/acme", [TAG.owner]: OWNER, "apigw-reconciler:value-hash": valueHash(VALUE) } },
      { id: "k2", name: "globex", enabled: false, tags: { [TAG.name]: "partners/globex", [TAG.owner]: OWNER } },
    ],
    planKeys: { p1: ["k1", "k2"] },
    values: { k1: VALUE, k2: "GeneratedByAws000000000000" },
    apis: [{ id: "api1", name: "MyS3", tags: { [TAG.name]: "my-s3", [TAG.owner]: OWNER } }],
  });
}

async function liveOf(a: Account, desired: DesiredUsagePlan = desiredPlan()): Promise<LiveUsagePlan | undefined> {
  const observed = await usagePlanKind.observe(gatewayOf(a), [desired], { owner: OWNER, prune: false, knownNames: new Set(["partners"]) });
  expect(observed.errors).toEqual([]);
  return observed.objects[0]?.live;
}

describe("observe: the fewest calls, and key values dropped", () => {
  it("no-op: 1 GetUsagePlans + 1 GetApiKeys + 1 GetRestApis (the plan has stages) + 1 GetUsagePlanKeys; no value kept", async () => {
    const a = appliedAccount();
    const live = await liveOf(a);
    expect(a.calls.sort()).toEqual(["GetApiKeys", "GetRestApis", "GetUsagePlanKeys", "GetUsagePlans"]);
    expect(JSON.stringify(live)).not.toContain(VALUE);
    expect(JSON.stringify(live)).not.toContain("GeneratedByAws");
    expect(live?.model.apiStages).toEqual(["my-s3:prod"]);
    expect(diffUsagePlan(desiredPlan().model, live)).toEqual([]);
  });

  it("from empty: 2 reads (nothing owned, no stage to name)", async () => {
    const a = account();
    expect(await liveOf(a)).toBeUndefined();
    expect(a.calls.sort()).toEqual(["GetApiKeys", "GetUsagePlans"]);
  });
});

// ------------------------------------------------------------------ diff → patch ops

describe("diff → the patch ops AWS accepts", () => {
  type Row = { reason: string; edit: (m: UsagePlanModel) => void; patch: PatchOperation[] };
  const rows: Row[] = [
    { reason: "a number is replaced, as a string", edit: (m) => (m.throttle!.rateLimit = 75.5), patch: [{ op: "replace", path: "/throttle/rateLimit", value: "75.5" }] },
    { reason: "a throttle dropped from the manifest: `remove /throttle` (AWS's remove list has no member paths)", edit: (m) => delete m.throttle, patch: [{ op: "remove", path: "/throttle" }] },
    { reason: "a quota dropped: `remove /quota`", edit: (m) => delete m.quota, patch: [{ op: "remove", path: "/quota" }] },
    { reason: "a description cleared: `replace \"\"` (SOURCES.md §5)", edit: (m) => delete m.description, patch: [{ op: "replace", path: "/description", value: "" }] },
    { reason: "a name: `replace /name`", edit: (m) => (m.name = "partners-2"), patch: [{ op: "replace", path: "/name", value: "partners-2" }] },
    { reason: "a quota period", edit: (m) => (m.quota!.period = "WEEK"), patch: [{ op: "replace", path: "/quota/period", value: "WEEK" }] },
    {
      reason: "a stage swapped: the live value removed first, the new one added with the API's id (`{apiId}:{stage}`)",
      edit: (m) => (m.apiStages = ["my-s3:test"]),
      patch: [
        { op: "remove", path: "/apiStages", value: "api1:prod" },
        { op: "add", path: "/apiStages", value: "api1:test" },
      ],
    },
  ];
  it.each(rows.map((r) => [r.reason, r] as const))("%s", async (_reason, row) => {
    const live = await liveOf(appliedAccount());
    const desired = structuredClone(desiredPlan().model);
    row.edit(desired);
    const changes = diffUsagePlan(desired, live);
    expect(changes.map((c) => `${c.kind}:${c.action}`)).toEqual(["UsagePlan:update"]);
    expect(changes[0]?.patch).toEqual(row.patch);
  });

  it("keys: enabled/name/description by UpdateApiKey's own paths; a new value is a replacement; gone → delete", async () => {
    const live = await liveOf(appliedAccount());
    const desired = structuredClone(desiredPlan().model);
    desired.apiKeys.globex = { name: "globex-2", enabled: true, description: "now on" };
    desired.apiKeys.acme = { ...desired.apiKeys.acme!, valueHash: valueHash(OTHER) };
    const changes = diffUsagePlan(desired, live);
    expect(changes.map((c) => `${c.kind}:${c.action}:${c.id.apiKey}`)).toEqual(["ApiKey:replace:acme", "ApiKey:update:globex"]);
    expect(changes[1]?.patch).toEqual([
      { op: "replace", path: "/name", value: "globex-2" },
      { op: "replace", path: "/description", value: "now on" },
      { op: "replace", path: "/enabled", value: "true" },
    ]);
    delete desired.apiKeys.globex;
    expect(diffUsagePlan(desired, live).map((c) => `${c.kind}:${c.action}:${c.id.apiKey}`)).toEqual(["ApiKey:replace:acme", "ApiKey:delete:globex"]);
  });
});

// ------------------------------------------------------------------ plan through the engine

function fullPlan(observedPlan?: LiveUsagePlan, text?: string, prune = false): Plan {
  const desired = resolvePlaceholders(load(text).desired, TARGET);
  const observed = observedOf({});
  if (observedPlan) observed.objects.set("UsagePlan/partners", { kind: "UsagePlan", key: "partners", live: observedPlan, adopted: false });
  return buildPlan(desired, observed, { ...PLAN_OPTIONS, prune, maxDeletions: 5 });
}

describe("plan", () => {
  it("from empty: CreateUsagePlan names the new API by a ref and waits for its stage; keys after the plan; the spec hash last", () => {
    const plan = fullPlan();
    const ops = plan.operations.filter((op) => op.group === "UsagePlan/partners");
    const stageOp = plan.operations.find((op) => op.group === "RestApi/my-s3" && op.input.stageName === "prod" && (op.call === "CreateDeployment" || op.call === "CreateStage"));
    const create = ops.find((op) => op.call === "CreateUsagePlan")!;
    expect(create.input.apiStages).toEqual([{ apiId: { $ref: "api", group: "RestApi/my-s3" }, stage: "prod" }]);
    expect(create.after).toEqual([stageOp!.id]);
    expect(create.input.tags).toEqual({ team: "partners", [TAG.name]: "partners", [TAG.owner]: OWNER });
    expect(ops.map((op) => op.id)).toEqual([
      "UsagePlan/partners:CreateUsagePlan",
      "UsagePlan/partners:CreateApiKey:acme",
      "UsagePlan/partners:CreateUsagePlanKey:acme",
      "UsagePlan/partners:CreateApiKey:globex",
      "UsagePlan/partners:CreateUsagePlanKey:globex",
      "UsagePlan/partners:TagResource:spec-hash",
    ]);
    const acme = ops.find((op) => op.id.endsWith("CreateApiKey:acme"))!;
    expect(acme.input).toMatchObject({ name: "acme", enabled: true, value: { $secret: { env: ENV } }, tags: { [TAG.name]: "partners/acme", "apigw-reconciler:value-hash": valueHash(VALUE) } });
    expect(ops.find((op) => op.id.endsWith("CreateApiKey:globex"))!.input).not.toHaveProperty("value");
    expect(ops.find((op) => op.id.endsWith("CreateUsagePlanKey:acme"))!.after.sort()).toEqual([acme.id, create.id].sort());
    const last = ops.at(-1)!;
    expect(last.after.sort()).toEqual(ops.slice(0, -1).map((op) => op.id).sort());
    expect(last.input.resourceArn).toEqual({ $ref: "usagePlan", format: "arn:aws:apigateway:us-east-1::/usageplans/{}" });
  });

  it("many field changes: ONE UpdateUsagePlan carrying every op (AWS: 1 per 20 s), then the tags", async () => {
    const live = await liveOf(appliedAccount());
    const text = PLAN_YAML.replace("rateLimit: 50", "rateLimit: 60").replace("limit: 10000", "limit: 500").replace("Partner access", "Partners").replace("stage: prod", "stage: prod\n    - { api: my-s3, stage: prod }").replace("team: partners", "team: p2");
    const plan = fullPlan(live, text.replace("    - { api: my-s3, stage: prod }\n", ""));
    const ops = plan.operations.filter((op) => op.group === "UsagePlan/partners");
    expect(ops.map((op) => op.call)).toEqual(["UpdateUsagePlan", "TagResource"]);
    expect(ops[0]!.input.patchOperations).toEqual([
      { op: "replace", path: "/description", value: "Partners" },
      { op: "replace", path: "/throttle/rateLimit", value: "60" },
      { op: "replace", path: "/quota/limit", value: "500" },
    ]);
    expect(ops[1]!.input.tags).toMatchObject({ team: "p2" });
  });

  it("a stage of an API created in this pass is added with a ref formatted as `{apiId}:{stage}`, after the stage exists", async () => {
    const live = await liveOf(account({ ...appliedAccount(), plans: [{ ...appliedAccount().plans[0]!, apiStages: [] }] }));
    const plan = fullPlan(live);
    const update = plan.operations.find((op) => op.call === "UpdateUsagePlan")!;
    expect(update.input.patchOperations).toEqual([{ op: "add", path: "/apiStages", value: { $ref: "api", group: "RestApi/my-s3", format: "{}:prod" } }]);
    expect(update.after).toEqual([plan.operations.find((op) => op.group === "RestApi/my-s3" && op.input.stageName === "prod" && op.call === "CreateDeployment")!.id]);
  });

  it("a new value replaces the key: create, add to the plan, then delete the old key (which leaves the plan with it)", async () => {
    const live = await liveOf(appliedAccount());
    process.env[ENV] = OTHER;
    const plan = fullPlan(live);
    const ops = plan.operations.filter((op) => op.group === "UsagePlan/partners");
    expect(ops.map((op) => op.id)).toEqual(["UsagePlan/partners:CreateApiKey:acme", "UsagePlan/partners:CreateUsagePlanKey:acme", "UsagePlan/partners:DeleteApiKey:acme", "UsagePlan/partners:TagResource:spec-hash"]);
    expect(ops[1]!.input).toEqual({ usagePlanId: "p1", keyId: { $ref: "apiKey:acme" }, keyType: "API_KEY" });
    expect(ops[2]!.input).toEqual({ apiKey: "k1" });
    expect(ops[2]!.after).toEqual([ops[1]!.id]);
    expect(plan.changes.find((c) => c.kind === "ApiKey")).toMatchObject({ action: "replace", fields: [{ field: "value", before: `hmac:${valueHash(VALUE).slice(0, 12)}`, after: `from $${ENV}` }] });
  });

  it("a replacement cut short (two keys claim one name): the one with the manifest's value is kept, the other deleted", async () => {
    const a = appliedAccount();
    process.env[ENV] = OTHER;
    a.keys.push({ id: "k3", name: "acme", enabled: true, tags: { [TAG.name]: "partners/acme", [TAG.owner]: OWNER, "apigw-reconciler:value-hash": valueHash(OTHER) } });
    a.planKeys.p1 = ["k1", "k2", "k3"];
    const plan = fullPlan(await liveOf(a, desiredPlan()));
    expect(plan.changes.filter((c) => c.id.usagePlan === "partners").map((c) => `${c.kind}:${c.action}:${c.id.apiKey}`)).toEqual(["ApiKey:delete:acme (k1)"]);
    expect(plan.operations.filter((op) => op.group === "UsagePlan/partners").map((op) => `${op.call} ${JSON.stringify(op.input)}`)).toEqual(['DeleteApiKey {"apiKey":"k1"}', expect.stringMatching(/^TagResource /) as unknown as string]);
  });

  it("a plan deleted out of band whose keys remain: the plan is created and the same keys put back in it (no duplicate keys)", async () => {
    const a = appliedAccount();
    a.plans = [];
    const plan = fullPlan(await liveOf(a));
    const ops = plan.operations.filter((op) => op.group === "UsagePlan/partners");
    expect(ops.map((op) => op.id)).toEqual(["UsagePlan/partners:CreateUsagePlan", "UsagePlan/partners:CreateUsagePlanKey:acme", "UsagePlan/partners:CreateUsagePlanKey:globex", "UsagePlan/partners:TagResource:spec-hash"]);
    expect(ops[1]!.input).toEqual({ usagePlanId: { $ref: "usagePlan" }, keyId: "k1", keyType: "API_KEY" });
    expect(ops[1]!.after).toEqual([ops[0]!.id]);
  });

  it("prune: every stage removed in one UpdateUsagePlan, then DeleteUsagePlan, then the plan's keys", async () => {
    const a = appliedAccount();
    const observedPlan = await usagePlanKind.observe(gatewayOf(a), [], { owner: OWNER, prune: true, knownNames: new Set() });
    expect(observedPlan.orphans.map((o) => o.label)).toEqual(["UsagePlan partners (p1)"]);
    const observed = observedOf({});
    observed.orphans.push(...observedPlan.orphans);
    const plan = buildPlan({ objects: [] }, observed, { ...PLAN_OPTIONS, prune: true, maxDeletions: 5 });
    expect(plan.operations.map((op) => `${op.id} after ${op.after.join(",")}`)).toEqual([
      "UsagePlan/partners:UpdateUsagePlan after ",
      "UsagePlan/partners:DeleteUsagePlan after UsagePlan/partners:UpdateUsagePlan",
      "UsagePlan/partners:DeleteApiKey:acme after UsagePlan/partners:DeleteUsagePlan",
      "UsagePlan/partners:DeleteApiKey:globex after UsagePlan/partners:DeleteUsagePlan",
    ]);
    expect(plan.operations[0]!.input.patchOperations).toEqual([{ op: "remove", path: "/apiStages", value: "api1:prod" }]);
  });

  // AWS drops a deleted stage from its usage plans, then answers 404 to removing it from them
  // (terraform-provider-aws#14100; LS snapshot "update-wrong-api-stages-wrong-stage"): the plan lets go first.
  it("a stage deleted from the API and removed from the plan in one pass: DeleteStage waits for the UpdateUsagePlan", async () => {
    const both = appliedAccount();
    both.plans[0]!.apiStages = [{ apiId: "api1", stage: "dev" }, { apiId: "api1", stage: "prod" }];
    const live = await liveOf(both);
    const desired = resolvePlaceholders(load().desired, TARGET);
    const api = desired.objects.find((o) => o.kind === "RestApi")!.model as RestApiModel;
    const liveModel = structuredClone(api);
    liveModel.stages.dev = { ...structuredClone(liveModel.stages.prod!), name: "dev" };
    const observed = observedOf({ apis: [liveApiOf(liveModel)] });
    observed.objects.set("UsagePlan/partners", { kind: "UsagePlan", key: "partners", live: live!, adopted: false });
    const plan = buildPlan(desired, observed, PLAN_OPTIONS);
    const update = plan.operations.find((op) => op.call === "UpdateUsagePlan")!;
    expect(update.input.patchOperations).toEqual([{ op: "remove", path: "/apiStages", value: "api1:dev" }]);
    expect(update.releases).toEqual(["RestApi/my-s3/stages/dev"]);
    const deleteStage = plan.operations.find((op) => op.call === "DeleteStage")!;
    expect(deleteStage.removes).toBe("RestApi/my-s3/stages/dev");
    expect(deleteStage.after).toContain(update.id);
    expectWellFormed(plan);
    // Nothing else waits across kinds: the plan's update waits for no RestApi operation.
    expect(update.after.filter((id) => id.startsWith("RestApi/"))).toEqual([]);
  });

  it("prune of a plan while its API's stage is deleted: the stage is deleted after the plan let go of it", async () => {
    const a = appliedAccount();
    const orphans = (await usagePlanKind.observe(gatewayOf(a), [], { owner: OWNER, prune: true, knownNames: new Set() })).orphans;
    const desired = resolvePlaceholders(load().desired, TARGET);
    desired.objects = desired.objects.filter((o) => o.kind !== "UsagePlan");
    const api = desired.objects.find((o) => o.kind === "RestApi")!.model as RestApiModel;
    const liveModel = structuredClone(api);
    delete api.stages.prod;
    const observed = observedOf({ apis: [liveApiOf(liveModel)] });
    observed.orphans.push(...orphans);
    const plan = buildPlan(desired, observed, { ...PLAN_OPTIONS, prune: true, maxDeletions: 5 });
    const deleteStage = plan.operations.find((op) => op.call === "DeleteStage")!;
    expect(deleteStage.after).toContain("UsagePlan/partners:UpdateUsagePlan");
    expectWellFormed(plan);
  });

  it("security notes: a stranger's key put in the plan out of band, a key enabled by the manifest", async () => {
    const a = appliedAccount();
    a.keys.push({ id: "k9", name: "stranger", enabled: true });
    a.planKeys.p1 = ["k1", "k2", "k9"];
    const drifted = fullPlan(await liveOf(a));
    // Drift notes say what the out-of-band change did (the engine mirrors the healing change).
    expect(drifted.changes.find((c) => c.kind === "UsagePlanKey")).toMatchObject({ action: "delete", cause: "drift", id: { apiKey: "stranger (k9)", keyId: "k9" }, security: ["out of band: adds API key stranger (k9) to the plan: it can call the plan's API stages"] });
    expect(drifted.operations.filter((op) => op.group === "UsagePlan/partners").map((op) => op.id)).toEqual(["UsagePlan/partners:DeleteUsagePlanKey:k9"]);
    const enabled = fullPlan(await liveOf(appliedAccount()), PLAN_YAML.replace("enabled: false", "enabled: true"));
    expect(enabled.changes.find((c) => c.kind === "ApiKey")).toMatchObject({ action: "update", cause: "pending", security: ["enables API key globex: it can call the plan's API stages again"] });
  });
});

// ------------------------------------------------------------------ secrets in reports

describe("a key value never reaches a plan or a report", () => {
  it("text and JSON renderings of a create and of a replacement hold the variable's name, not its value", async () => {
    const calls = { total: 0, writes: 0, byOperation: {}, errors: {} };
    const created = fullPlan();
    const live = await liveOf(appliedAccount());
    process.env[ENV] = OTHER;
    const replaced = fullPlan(live);
    for (const plan of [created, replaced]) {
      const rendered = [JSON.stringify(plan), renderText(plan, calls, { color: false }), renderJson(plan, calls, TARGET)];
      for (const text of rendered) {
        expect(text).not.toContain(VALUE);
        expect(text).not.toContain(OTHER);
        expect(text).toContain(ENV);
      }
    }
  });
});

// ------------------------------------------------------------------ property: patch(live) = desired

/** What UpdateUsagePlan does with the ops we send (SOURCES.md §5), on the model's shape. */
function applyPatch(live: UsagePlanModel, ops: readonly PatchOperation[], apiOfId: (id: string) => string): UsagePlanModel {
  const next = structuredClone(live);
  for (const op of ops) {
    const [, top, member] = op.path.split("/") as [string, string, string | undefined];
    if (op.op === "remove" && (top === "throttle" || top === "quota")) delete next[top];
    else if (top === "apiStages") {
      const [apiId, stage] = String(op.value).split(":") as [string, string];
      const value = `${apiOfId(apiId)}:${stage}`;
      next.apiStages = op.op === "add" ? [...next.apiStages, value].sort() : next.apiStages.filter((s) => s !== value);
    } else if (top === "throttle" && member) next.throttle = { ...(next.throttle ?? { burstLimit: 0, rateLimit: 0 }), [member]: Number(op.value) };
    else if (top === "quota" && member) next.quota = { ...(next.quota ?? { limit: 0, period: "DAY", offset: 0 }), [member]: member === "period" ? String(op.value) : Number(op.value) };
    else if (top === "name") next.name = String(op.value);
    else if (top === "description") next.description = op.value === "" ? undefined : op.value;
  }
  if (next.description === undefined) delete next.description;
  return next;
}

const modelArb: fc.Arbitrary<UsagePlanModel> = fc.record({
  key: fc.constant("partners"),
  name: fc.stringMatching(/^[a-z]{1,8}$/),
  description: fc.option(fc.stringMatching(/^[a-z ]{1,10}$/), { nil: undefined }),
  throttle: fc.option(fc.record({ burstLimit: fc.nat(1000), rateLimit: fc.double({ min: 0, max: 1000, noNaN: true }) }), { nil: undefined }),
  quota: fc.option(fc.record({ limit: fc.integer({ min: 1, max: 100000 }), period: fc.constantFrom("DAY", "WEEK", "MONTH"), offset: fc.nat(10) }), { nil: undefined }),
  apiStages: fc.subarray(["a:prod", "a:dev", "b:prod"]).map((s) => [...s].sort()),
  apiKeys: fc.constant({}),
  tags: fc.constant({}),
});

describe("property", () => {
  it("applying the diff's UpdateUsagePlan ops to live gives desired", () => {
    const ids: Record<string, string> = { a: "id-a", b: "id-b" };
    const names: Record<string, string> = { "id-a": "a", "id-b": "b" };
    fc.assert(
      fc.property(modelArb, modelArb, (desired, liveModel) => {
        const stageValues = Object.fromEntries(liveModel.apiStages.map((s) => [s, `${ids[s.split(":")[0]!]}:${s.split(":")[1]}`]));
        const live: LiveUsagePlan = { id: "p1", model: liveModel, tags: {}, stageValues, apiIds: ids, keys: {}, foreignKeys: {} };
        const patch = planPatch(planFields(desired, liveModel), live);
        const strip = (m: UsagePlanModel) => JSON.parse(JSON.stringify(m)) as unknown;
        expect(strip(applyPatch(liveModel, patch, (id) => names[id]!))).toEqual(strip(desired));
        const changes: Change[] = diffUsagePlan(desired, live);
        expect(changes.filter((c) => c.kind === "UsagePlan").length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe("examples/usage-plan.yaml", () => {
  it("is a valid manifest beside the seed, given the variable its header documents", () => {
    process.env.ACME_API_KEY = "ExampleAcmeKey0123456789";
    try {
      const text = readFileSync(join(ROOT, "examples", "usage-plan.yaml"), "utf8");
      expect(text).toContain("ACME_API_KEY");
      const loaded = parseManifests([...seedFiles(), { file: "examples/usage-plan.yaml", text }]);
      expect(loaded.desired.objects.map((o) => o.kind)).toEqual(["RestApi", "IamRole", "UsagePlan"]);
    } finally {
      delete process.env.ACME_API_KEY;
    }
  });
});
