/**
 * Names that are also JavaScript built-ins (`toString`, `constructor`, `valueOf`, `hasOwnProperty`,
 * `__proto__`), which IAM and API Gateway (and moto) accept: made out of band with the AWS SDK after an
 * apply of manifests/, each is found by `reconcile drift` (exit 2, cause `drift`) and removed by `apply`;
 * given in a manifest, they are planned, created and then clean — never an exit 1 for the whole run.
 * The unit counterpart (properties, examples): test/unit/hostile-names.test.ts.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- manifests are edited as loose YAML data */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateStageCommand, GetRestApisCommand, TagResourceCommand, UpdateStageCommand } from "@aws-sdk/client-api-gateway";
import { GetRoleCommand, GetRolePolicyCommand, ListRolePoliciesCommand, PutRolePolicyCommand, TagRoleCommand } from "@aws-sdk/client-iam";
import { type Emulator } from "../emulator/emulator.ts";
import { API_FILE, API_KEY, ROLE_FILE, SEED, stagesOf, theApi, useEmulator, type Clients } from "./support.ts";
import { changesOf, decodePolicy, explain, label, restApiArn, Workspace, type DriftChange, type Identity, type RunResult } from "./drift-support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

const ROLE_NAME = SEED.roleName;
const S3_ALL = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] });
const WILDCARD = "out of band: wildcard: allows s3:* on *";

interface Addition {
  addition: string;
  reason: string;
  make: (apiId: string, prodDeployment: string) => Promise<unknown>;
  kind: string;
  id: Identity;
  action: "delete" | "update";
  /** Checks on the one change that reports it. */
  check?: (change: DriftChange) => void;
}

const api = (more: Identity = {}): Identity => ({ api: API_KEY, ...more });
const role = (more: Identity = {}): Identity => ({ role: SEED.roleKey, ...more });
const putPolicy = (PolicyName: string) => aws.iam.send(new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName, PolicyDocument: S3_ALL }));
const createStage = (restApiId: string, stageName: string, deploymentId: string) => aws.apigw.send(new CreateStageCommand({ restApiId, stageName, deploymentId }));

const ADDITIONS: Addition[] = [
  {
    addition: "inline policy toString granting s3:*",
    reason: "the issue's case: `toString in {}` made it invisible; it is an extra policy that broadens the role",
    make: () => putPolicy("toString"),
    kind: "RolePolicy",
    id: role({ policy: "toString" }),
    action: "delete",
    check: (c) => expect(c.security).toContain(WILDCARD),
  },
  {
    addition: "inline policy __proto__ granting s3:*",
    reason: "IAM lists the name; observe must keep it as an entry, not as the prototype of the policy map",
    make: () => putPolicy("__proto__"),
    kind: "RolePolicy",
    id: role({ policy: "__proto__" }),
    action: "delete",
    check: (c) => expect(c.security).toContain(WILDCARD),
  },
  { addition: "stage constructor", reason: "`constructor in stages` made it invisible", make: (id, dep) => createStage(id, "constructor", dep), kind: "Stage", id: api({ stage: "constructor" }), action: "delete" },
  { addition: "stage valueOf", reason: "as constructor", make: (id, dep) => createStage(id, "valueOf", dep), kind: "Stage", id: api({ stage: "valueOf" }), action: "delete" },
  { addition: "stage __proto__", reason: "observe used to assign it as the prototype of the stage map", make: (id, dep) => createStage(id, "__proto__", dep), kind: "Stage", id: api({ stage: "__proto__" }), action: "delete" },
  {
    addition: "stage variable toString on prod",
    reason: "a variable the manifest lacks; the patch must remove it",
    make: (id) => aws.apigw.send(new UpdateStageCommand({ restApiId: id, stageName: "prod", patchOperations: [{ op: "replace", path: "/variables/toString", value: "x" }] })),
    kind: "Stage",
    id: api({ stage: "prod" }),
    action: "update",
    check: (c) => expect(c.patch).toContainEqual({ op: "remove", path: "/variables/toString" }),
  },
  {
    addition: "API tag valueOf",
    reason: "a tag the manifest lacks, untagged by apply",
    make: (id) => aws.apigw.send(new TagResourceCommand({ resourceArn: restApiArn(id), tags: { valueOf: "x" } })),
    kind: "RestApi",
    id: api(),
    action: "update",
  },
  {
    addition: "role tag hasOwnProperty",
    reason: "a role tag the manifest lacks, untagged by apply",
    make: () => aws.iam.send(new TagRoleCommand({ RoleName: ROLE_NAME, Tags: [{ Key: "hasOwnProperty", Value: "x" }] })),
    kind: "IamRole",
    id: role(),
    action: "update",
  },
];

function theChange(run: RunResult | undefined, a: Addition): DriftChange {
  const found = changesOf(run?.json, a.kind, a.id);
  expect(found.length, `expected one ${a.kind} change for ${JSON.stringify(a.id)}\n${run ? explain(run) : "no run"}`).toBe(1);
  return found[0] as DriftChange;
}

describe("out-of-band additions named like JavaScript built-ins, after an apply of manifests/", () => {
  const ws = new Workspace();
  let apiId = "";
  let drift: RunResult | undefined;
  let driftText: RunResult | undefined;
  let healed: RunResult | undefined;
  let after: RunResult | undefined;

  beforeAll(async () => {
    await emulator.reset();
    const applied = await ws.apply(emulator);
    if (applied.code !== 0) throw new Error(`base apply failed: ${explain(applied)}`);
    apiId = (await theApi(aws.apigw)).id;
    const prod = (await stagesOf(aws.apigw, apiId)).find((s) => s.stageName === "prod");
    if (!prod?.deploymentId) throw new Error("no prod stage after the base apply");
    for (const a of ADDITIONS) await a.make(apiId, prod.deploymentId);
    drift = await ws.drift(emulator);
    driftText = await ws.run(emulator, ["drift", "-m", ws.manifests.dir, "--no-color"]);
    healed = await ws.apply(emulator);
    after = await ws.drift(emulator);
  });

  afterAll(() => ws.dispose());

  it("drift exits 2 and every change it reports is drift", () => {
    expect(drift?.code, drift ? explain(drift) : "").toBe(2);
    expect((drift?.json?.changes ?? []).filter((c) => c.cause !== "drift").map((c) => `${c.kind} ${label(c)}`)).toEqual([]);
  });

  it.each(ADDITIONS)("drift reports: $addition", (a) => {
    const change = theChange(drift, a);
    expect(change.action, a.reason).toBe(a.action);
    expect(change.cause, a.reason).toBe("drift");
    a.check?.(change);
  });

  it("the text report flags the toString policy as broadening permissions", () => {
    expect(driftText?.code, driftText?.stderr).toBe(2);
    expect(driftText?.stdout).toMatch(/- RolePolicy toString.*\[drift\]\n\s+! broadens permissions: out of band: wildcard: allows s3:\* on \*/);
  });

  it("apply exits 0 with every operation applied, and drift is then clean", () => {
    expect(healed?.code, healed ? explain(healed) : "").toBe(0);
    expect(healed?.json?.operations.filter((o) => o.status !== "applied")).toEqual([]);
    expect(after?.code, after ? explain(after) : "").toBe(0);
    expect(after?.json?.changes).toEqual([]);
  });

  it("AWS has none of them left (read with the SDK)", async () => {
    const policies = await aws.iam.send(new ListRolePoliciesCommand({ RoleName: ROLE_NAME }));
    expect(policies.PolicyNames).toEqual(["s3-proxy-access"]);
    const stages = await stagesOf(aws.apigw, apiId);
    expect(stages.map((s) => s.stageName)).toEqual(["prod"]);
    expect(Object.keys(stages[0]?.variables ?? {})).toEqual([]);
    const apis = await aws.apigw.send(new GetRestApisCommand({ limit: 500 }));
    expect(Object.keys(apis.items?.find((a) => a.id === apiId)?.tags ?? {})).not.toContain("valueOf");
    const live = await aws.iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
    expect((live.Role?.Tags ?? []).map((t) => t.Key)).not.toContain("hasOwnProperty");
  });
});

describe("manifests/ applied, then given an inline policy, a stage, a stage variable and tags with built-in names", () => {
  const ws = new Workspace();
  let planned: RunResult | undefined;
  let applied: RunResult | undefined;
  let drift: RunResult | undefined;
  let apiId = "";

  beforeAll(async () => {
    await emulator.reset();
    // Added to objects that exist: compared with what AWS has, where the crash was.
    const base = await ws.apply(emulator);
    if (base.code !== 0) throw new Error(`base apply failed: ${explain(base)}`);
    ws.manifests.edit(ROLE_FILE, (m) => {
      m.spec.inlinePolicies.constructor = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
      m.spec.tags.toString = "role-tag";
    });
    ws.manifests.edit(API_FILE, (m) => {
      m.spec.stages.valueOf = { description: "a stage named valueOf" };
      m.spec.stages.prod.variables = { toString: "x" };
      m.spec.tags.hasOwnProperty = "api-tag";
    });
    planned = await ws.plan(emulator);
    applied = await ws.apply(emulator);
    apiId = (await theApi(aws.apigw)).id;
    drift = await ws.drift(emulator);
  });

  afterAll(() => ws.dispose());

  it("plan exits 0 with each as a pending change (it exited 1 for the whole run: `Cannot convert undefined or null to object`)", () => {
    expect(planned?.code, planned ? explain(planned) : "").toBe(0);
    const actions = (kind: string, id: Identity) => changesOf(planned?.json, kind, id).map((c) => `${c.action} ${c.cause ?? ""}`);
    expect(actions("RolePolicy", role({ policy: "constructor" }))).toEqual(["create pending"]);
    expect(actions("Stage", api({ stage: "valueOf" }))).toEqual(["create pending"]);
    expect(changesOf(planned?.json, "Stage", api({ stage: "prod" }))[0]?.patch).toContainEqual({ op: "replace", path: "/variables/toString", value: "x" });
  });

  it("apply exits 0 and AWS holds them (read with the SDK)", async () => {
    expect(applied?.code, applied ? explain(applied) : "").toBe(0);
    const policy = await aws.iam.send(new GetRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: "constructor" }));
    expect(JSON.stringify(decodePolicy(policy.PolicyDocument))).toContain("s3:GetObject");
    const stages = await stagesOf(aws.apigw, apiId);
    expect(stages.map((s) => s.stageName).sort()).toEqual(["prod", "valueOf"]);
    expect(stages.find((s) => s.stageName === "prod")?.variables).toEqual({ toString: "x" });
    const role = await aws.iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
    expect(role.Role?.Tags).toContainEqual({ Key: "toString", Value: "role-tag" });
  });

  it("drift afterwards exits 0 with no changes", () => {
    expect(drift?.code, drift ? explain(drift) : "").toBe(0);
    expect(drift?.json?.changes).toEqual([]);
  });
});
