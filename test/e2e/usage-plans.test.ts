/**
 * The UsagePlan kind through the real CLI against the emulator: the seed manifests plus a usage plan with two
 * API keys created from empty (one value from the environment, one generated); a no-op and its calls; one
 * field changed = one UpdateUsagePlan and no deployment; out-of-band edits made with the SDK, each reported
 * by `reconcile drift` (exit 2) with cause drift and healed by apply (each edit's drift report holds only its
 * own changes, so the previous heal is checked by the next report: one CLI run less per edit, the file stays
 * under a minute); a new key value = a new key; prune.
 * The key value from the environment must never appear in any output.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any -- manifests and report values are read as loose data */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  TagResourceCommand,
  UpdateApiKeyCommand,
  UpdateUsagePlanCommand,
  type ApiKey,
  type UsagePlan,
} from "@aws-sdk/client-api-gateway";
import type { Emulator } from "../emulator/emulator.ts";
import { API_FILE, theApi, useEmulator, writeOps, type Clients } from "./support.ts";
import { explain, Workspace, type DriftChange, type RunResult } from "./drift-support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

const ENV = "UP_E2E_ACME_KEY";
const VALUE = "AcmeE2eKey0123456789abcdef";
const NEW_VALUE = "AcmeE2eKeyRotated9876543210";
const PLAN = "partners";
const TAG_NAME = "apigw-reconciler:name";

const manifest = {
  apiVersion: "apigw-reconciler/v1",
  kind: "UsagePlan",
  metadata: { name: PLAN },
  spec: {
    description: "Partner access",
    throttle: { burstLimit: 100, rateLimit: 50 },
    quota: { limit: 10000, period: "MONTH" },
    apiStages: [{ api: "my-s3", stage: "prod" }],
    apiKeys: [
      { name: "acme", description: "ACME", valueFrom: { env: ENV } },
      { name: "globex", enabled: false },
    ],
    tags: { team: "partners" },
  },
};

let ws: Workspace;
const previousEnv = process.env[ENV];

beforeAll(() => {
  // runCliIn hands the CLI this process's environment (minus AWS_*): the key value reaches it from here.
  process.env[ENV] = VALUE;
  ws = new Workspace();
  ws.manifests.write("usage-plan.yaml", manifest);
});

afterAll(() => {
  ws?.dispose();
  if (previousEnv === undefined) delete process.env[ENV];
  else process.env[ENV] = previousEnv;
});

/** No run may print a key value (the one from the environment, old or new). */
function assertNoSecret(run: RunResult): void {
  for (const value of [VALUE, NEW_VALUE]) {
    expect(run.stdout.includes(value), "value in stdout").toBe(false);
    expect(run.stderr.includes(value), "value in stderr").toBe(false);
  }
}

async function ourPlan(): Promise<UsagePlan & { id: string }> {
  const plans = (await aws.apigw.send(new GetUsagePlansCommand({ limit: 500 }))).items ?? [];
  const ours = plans.filter((p) => p.tags?.[TAG_NAME] === PLAN);
  expect(ours).toHaveLength(1);
  return ours[0] as UsagePlan & { id: string };
}

async function ourKeys(): Promise<Record<string, ApiKey & { id: string }>> {
  const keys = (await aws.apigw.send(new GetApiKeysCommand({ limit: 500 }))).items ?? [];
  return Object.fromEntries(keys.filter((k) => k.tags?.[TAG_NAME]?.startsWith(`${PLAN}/`)).map((k) => [String(k.tags?.[TAG_NAME]).slice(PLAN.length + 1), k as ApiKey & { id: string }]));
}

async function planKeyIds(planId: string): Promise<string[]> {
  const items = (await aws.apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: planId }))).items ?? [];
  return items.map((i) => String(i.id)).sort();
}

async function apply(...extra: string[]): Promise<RunResult> {
  const run = await ws.apply(emulator, ...extra);
  assertNoSecret(run);
  expect(run.code, explain(run)).toBe(0);
  expect(run.json?.operations.filter((o) => o.status !== "applied"), explain(run)).toEqual([]);
  return run;
}

async function expectNoChanges(): Promise<void> {
  const run = await ws.plan(emulator);
  assertNoSecret(run);
  expect(run.json?.changes, explain(run)).toEqual([]);
}

describe("UsagePlan with API keys, end to end", () => {
  it("creates the seed API and a usage plan with two keys from empty; the no-op that follows reads 3 times", async () => {
    const run = await apply();
    const mine = run.json!.changes.filter((c: any) => c.usagePlan === PLAN);
    expect(mine.map((c) => `${c.kind}:${c.action}:${(c as any).apiKey ?? ""}`).sort()).toEqual(["ApiKey:create:acme", "ApiKey:create:globex", "UsagePlan:create:"]);
    const ops = run.json!.operations.filter((o) => o.id.startsWith("UsagePlan/")).map((o) => o.call);
    expect(ops.sort()).toEqual(["CreateApiKey", "CreateApiKey", "CreateUsagePlan", "CreateUsagePlanKey", "CreateUsagePlanKey", "TagResource"]);

    const api = await theApi(aws.apigw);
    const plan = await ourPlan();
    expect(plan).toMatchObject({ name: PLAN, description: "Partner access", throttle: { burstLimit: 100, rateLimit: 50 }, quota: { limit: 10000, period: "MONTH", offset: 0 } });
    expect(plan.apiStages).toEqual([expect.objectContaining({ apiId: api.id, stage: "prod" })]);
    expect(plan.tags).toMatchObject({ team: "partners", [TAG_NAME]: PLAN });
    expect(plan.tags?.["apigw-reconciler:spec-hash"]).toMatch(/^[0-9a-f]{16}$/);
    const keys = await ourKeys();
    expect(Object.keys(keys).sort()).toEqual(["acme", "globex"]);
    expect(keys.acme).toMatchObject({ name: "acme", enabled: true, description: "ACME" });
    expect(keys.globex).toMatchObject({ name: "globex", enabled: false });
    expect(await planKeyIds(plan.id)).toEqual([keys.acme!.id, keys.globex!.id].sort());
    // The key holds the value from the environment (read back here, in the test only).
    const withValues = (await aws.apigw.send(new GetApiKeysCommand({ includeValues: true, limit: 500 }))).items ?? [];
    expect(withValues.find((k) => k.id === keys.acme!.id)?.value).toBe(VALUE);

    await emulator.resetCalls();
    await expectNoChanges();
    const calls = (await emulator.calls()).byOperation;
    const usagePlanReads = Object.fromEntries(Object.entries(calls).filter(([op]) => /UsagePlan|ApiKey/.test(op)));
    // no-op: 1 GetUsagePlans + 1 GetApiKeys + 1 GetUsagePlanKeys; the one GetRestApis of the pass is shared with RestApi

    expect(usagePlanReads).toEqual({ "apigateway:GetApiKeys": 1, "apigateway:GetUsagePlanKeys": 1, "apigateway:GetUsagePlans": 1 });
    expect(calls["apigateway:GetRestApis"]).toBe(1);
    expect(writeOps(await emulator.calls())).toEqual({});
  });

  it("one field changed (throttle.rateLimit) is exactly one UpdateUsagePlan and no deployment", async () => {
    ws.manifests.edit("usage-plan.yaml", (m) => {
      m.spec.throttle.rateLimit = 75.5;
    });
    await emulator.resetCalls();
    const run = await apply();
    expect(run.json?.changes.map((c) => `${c.kind}:${c.action}`)).toEqual(["UsagePlan:update"]);
    expect(run.json?.changes[0]?.fields).toEqual([{ field: "throttle.rateLimit", before: 50, after: 75.5 }]);
    // The spec hash is written after the update (TagResource): the only other write.
    expect(writeOps(await emulator.calls())).toEqual({ "apigateway:TagResource": 1, "apigateway:UpdateUsagePlan": 1 });
    expect((await ourPlan()).throttle?.rateLimit).toBe(75.5);
    await expectNoChanges();
  });
});

interface Ctx {
  planId: string;
  apiId: string;
  keys: Record<string, ApiKey & { id: string }>;
}

interface Edit {
  edit: string;
  apply: (ctx: Ctx) => Promise<unknown>;
  /** `kind:action:apiKey field,field` of the drift report's UsagePlan changes. */
  expected: string[];
}

const arn = (kind: string, id: string) => `arn:aws:apigateway:us-east-1::/${kind}/${id}`;
const patchPlan = (ctx: Ctx, op: "replace" | "remove", path: string, value?: string) =>
  aws.apigw.send(new UpdateUsagePlanCommand({ usagePlanId: ctx.planId, patchOperations: [{ op, path, ...(value !== undefined ? { value } : {}) }] }));

const EDITS: Edit[] = [
  { edit: "throttle burst limit", apply: (c) => patchPlan(c, "replace", "/throttle/burstLimit", "5000"), expected: ["UsagePlan:update: throttle.burstLimit"] },
  { edit: "quota limit", apply: (c) => patchPlan(c, "replace", "/quota/limit", "999999"), expected: ["UsagePlan:update: quota.limit"] },
  { edit: "throttle removed", apply: (c) => patchPlan(c, "remove", "/throttle"), expected: ["UsagePlan:update: throttle.burstLimit,throttle.rateLimit"] },
  { edit: "API stage removed", apply: (c) => patchPlan(c, "remove", "/apiStages", `${c.apiId}:prod`), expected: ["UsagePlan:update: apiStages"] },
  { edit: "description", apply: (c) => patchPlan(c, "replace", "/description", "changed by hand"), expected: ["UsagePlan:update: description"] },
  { edit: "tag added", apply: (c) => aws.apigw.send(new TagResourceCommand({ resourceArn: arn("usageplans", c.planId), tags: { extra: "x" } })), expected: ["UsagePlan:update: tags"] },
  { edit: "key disabled", apply: (c) => aws.apigw.send(new UpdateApiKeyCommand({ apiKey: c.keys.acme!.id, patchOperations: [{ op: "replace", path: "/enabled", value: "false" }] })), expected: ["ApiKey:update:acme enabled"] },
  { edit: "key renamed", apply: (c) => aws.apigw.send(new UpdateApiKeyCommand({ apiKey: c.keys.globex!.id, patchOperations: [{ op: "replace", path: "/name", value: "renamed" }] })), expected: ["ApiKey:update:globex name"] },
  { edit: "key deleted", apply: (c) => aws.apigw.send(new DeleteApiKeyCommand({ apiKey: c.keys.globex!.id })), expected: ["ApiKey:create:globex enabled,name,value"] },
  { edit: "key taken out of the plan", apply: (c) => aws.apigw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: c.planId, keyId: c.keys.acme!.id })), expected: ["UsagePlanKey:create:acme "] },
  {
    edit: "a stranger's key added to the plan",
    apply: async (c) => {
      const key = await aws.apigw.send(new CreateApiKeyCommand({ name: "stranger", enabled: true }));
      await aws.apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: c.planId, keyId: key.id, keyType: "API_KEY" }));
    },
    expected: ["UsagePlanKey:delete:stranger (*) "],
  },
];

function summary(change: DriftChange): string {
  const key = (change as any).apiKey as string | undefined;
  return `${change.kind}:${change.action}:${key?.replace(/\(.*\)/, "(*)") ?? ""} ${change.fields.map((f) => f.field).sort().join(",")}`;
}

describe("out-of-band edits: reported by `reconcile drift` as drift, healed by apply", () => {
  it.each(EDITS.map((e) => [e.edit, e] as const))("%s", async (_name, edit) => {
    const ctx: Ctx = { planId: (await ourPlan()).id, apiId: (await theApi(aws.apigw)).id, keys: await ourKeys() };
    await edit.apply(ctx);
    const drift = await ws.drift(emulator);
    assertNoSecret(drift);
    // `drift` exits 2 when something drifted (src/cli/main.ts) and writes nothing.
    expect(drift.code, explain(drift)).toBe(2);
    const mine = drift.json!.changes.filter((c: any) => c.usagePlan === PLAN);
    expect(mine.map(summary), explain(drift)).toEqual(edit.expected);
    expect(mine.every((c) => c.cause === "drift"), explain(drift)).toBe(true);
    expect(drift.json!.changes.length).toBe(mine.length);
    await emulator.resetCalls();
    await apply();
    // At most one UpdateUsagePlan per pass (AWS: 1 per 20 s per account).
    expect(writeOps(await emulator.calls())["apigateway:UpdateUsagePlan"] ?? 0).toBeLessThanOrEqual(1);
    // Healed: the next edit's drift report holds that edit's changes only (asserted above), and after the last one:
  });

  it("after the last heal, drift is clean (exit 0, no changes)", async () => {
    const after = await ws.drift(emulator);
    expect(after.code, explain(after)).toBe(0);
    expect(after.json?.changes, explain(after)).toEqual([]);
  });
});

describe("a new key value, then prune", () => {
  it("a new value in the environment is a pending replacement: new key in the plan, old key deleted; never printed", async () => {
    const before = await ourKeys();
    process.env[ENV] = NEW_VALUE;
    const planned = await ws.plan(emulator);
    assertNoSecret(planned);
    const replace = planned.json!.changes.filter((c: any) => c.usagePlan === PLAN);
    expect(replace.map(summary)).toEqual(["ApiKey:replace:acme value"]);
    expect(replace[0]?.cause).toBe("pending");
    await apply();
    const after = await ourKeys();
    expect(after.acme!.id).not.toBe(before.acme!.id);
    expect(after.globex!.id).toBe(before.globex!.id);
    const plan = await ourPlan();
    expect(await planKeyIds(plan.id)).toEqual([after.acme!.id, after.globex!.id].sort());
    const withValues = (await aws.apigw.send(new GetApiKeysCommand({ includeValues: true, limit: 500 }))).items ?? [];
    expect(withValues.find((k) => k.id === after.acme!.id)?.value).toBe(NEW_VALUE);
    expect(withValues.some((k) => k.id === before.acme!.id)).toBe(false);
    await expectNoChanges();
  });

  // AWS drops a deleted stage from every usage plan (terraform-provider-aws#14100), and then refuses to remove
  // it from the plan: 404 "Invalid API Stage … specified for usageplan" (the emulator does both). So the
  // plan lets go of the stage first, and the stage is deleted after.
  it("a stage removed from the API and from the plan in one commit: the plan lets go of it, then the stage is deleted", async () => {
    const withDev = (m: any, on: boolean) => {
      if (on) m.spec.stages.dev = { description: "Development" };
      else delete m.spec.stages.dev;
    };
    ws.manifests.edit(API_FILE, (m) => withDev(m, true));
    const stagesOf = (m: any) => m.spec.apiStages as { api: string; stage: string }[];
    ws.manifests.edit("usage-plan.yaml", (m) => void stagesOf(m).push({ api: "my-s3", stage: "dev" }));
    await apply();
    const api = await theApi(aws.apigw);
    expect((await ourPlan()).apiStages?.map((s) => s.stage).sort()).toEqual(["dev", "prod"]);
    ws.manifests.edit(API_FILE, (m) => withDev(m, false));
    ws.manifests.edit("usage-plan.yaml", (m: any) => (m.spec.apiStages = stagesOf(m).filter((s) => s.stage !== "dev")));
    await emulator.resetCalls();
    const run = await apply();
    // In the order AWS received them (the report lists operations in plan order).
    const writes = (await emulator.calls()).log.map((e) => e.op).filter((op) => /UpdateUsagePlan|DeleteStage/.test(op));
    expect(writes, explain(run)).toEqual(["apigateway:UpdateUsagePlan", "apigateway:DeleteStage"]);
    expect((await ourPlan()).apiStages).toEqual([{ apiId: api.id, stage: "prod" }]);
    await expectNoChanges();
  });

  it("--prune of a removed usage plan: its stages removed, the plan deleted, its keys deleted", async () => {
    const plan = await ourPlan();
    ws.manifests.remove("usage-plan.yaml");
    await emulator.resetCalls();
    const run = await apply("--prune");
    expect(run.json?.changes.map((c) => `${c.kind}:${c.action}`)).toEqual(["UsagePlan:delete"]);
    const order = run.json!.operations.map((o) => o.call);
    expect(order).toEqual(["UpdateUsagePlan", "DeleteUsagePlan", "DeleteApiKey", "DeleteApiKey"]);
    expect(writeOps(await emulator.calls())).toEqual({ "apigateway:DeleteApiKey": 2, "apigateway:DeleteUsagePlan": 1, "apigateway:UpdateUsagePlan": 1 });
    const plans = (await aws.apigw.send(new GetUsagePlansCommand({ limit: 500 }))).items ?? [];
    expect(plans.some((p) => p.id === plan.id)).toBe(false);
    expect(await ourKeys()).toEqual({});
    await expectNoChanges();
  });
});
