// Names that are also JavaScript built-ins (`__proto__`, `constructor`, `toString`, `valueOf`,
// `hasOwnProperty`): IAM and API Gateway accept them for inline policies, stages, stage variables, tags,
// templates and models. Every name-keyed collection must treat them as ordinary names: diff(x, x) is
// empty, an entry AWS has that the manifest lacks is reported and removed, an entry the manifest has that
// AWS lacks is reported and written — through observe, plan and apply, against in-memory AWS.
// (The e2e counterpart, with the real CLI and moto: test/e2e/hostile-names.test.ts.)
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { Gateway } from "../../src/aws/gateway.ts";
import type { RetryPolicy } from "../../src/aws/retry.ts";
import { applyPlan } from "../../src/engine/apply.ts";
import { applyIgnoreRules } from "../../src/engine/ignore.ts";
import { observe } from "../../src/engine/observe.ts";
import { buildPlan } from "../../src/engine/plan.ts";
import { diffIamRole, roleSpecHash } from "../../src/kinds/iam-role/diff.ts";
import { diffFields, INTEGRATION_FIELDS, METHOD_RESPONSE_FIELDS, patchOperations, STAGE_FIELDS, type FieldSpec } from "../../src/kinds/fields.ts";
import { diffRestApi, specHashOf } from "../../src/kinds/rest-api/diff.ts";
import { readRestApi } from "../../src/kinds/rest-api/observe.ts";
import { parseManifests } from "../../src/manifest/load.ts";
import type { Operation, PatchOperation, Plan, Service } from "../../src/model/changes.ts";
import { contentHash } from "../../src/model/hash.ts";
import { TAG } from "../../src/model/live.ts";
import { hasOwn, ownValue, setOwn } from "../../src/model/own.ts";
import { policiesEqual } from "../../src/model/policy.ts";
import { renderJson } from "../../src/report/json.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { renderText } from "../../src/report/text.ts";
import type { DesiredIamRole, DesiredRestApi, DesiredState, IamRoleModel, PolicyDocument, RestApiModel, StageModel } from "../../src/model/types.ts";
import { FakeApiGateway } from "./support/fake-apigateway.ts";
import { apisOf, configHashOf, desiredOf, liveApiOf, liveRoleOf, observedOf, OWNER, PLAN_OPTIONS, rolesOf, seedDesired, TARGET } from "./support/models.ts";

/** Runs per property; PROPERTY_RUNS=1000 for a deeper search. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 40);
const TIMEOUT = 5_000 + RUNS * 200;
const FAST: RetryPolicy = { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1, maxRetryTimeMs: 1_000 };

const HOSTILE = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty"] as const;
/** Hostile and ordinary names; each is valid as a stage, variable, tag, template, model and policy name. */
const NAMES = [...HOSTILE, "prod", "by_hand"];
/** The loader refuses a `__proto__` key (zod would drop it without a word): manifests draw from the rest. */
const MANIFEST_NAMES = NAMES.filter((name) => name !== "__proto__");

const S3_ALL: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
const S3_PUT: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:Put*", Resource: "*" }] };
const TRUST: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }] };

// ---------------------------------------------------------------- in-memory AWS: API Gateway + IAM

interface FakeRole {
  model: IamRoleModel;
  tags: Map<string, string>;
  policies: Map<string, string>;
}

/**
 * The unit tests' fake API Gateway plus a small IAM keeping names in Maps (so any name is a name), answering
 * as IAM does: URL-encoded documents, tags as a list.
 */
class FakeAws extends FakeApiGateway {
  readonly roles = new Map<string, FakeRole>();

  loadRole(model: IamRoleModel, tags: Record<string, string>): void {
    const policies = new Map(Object.entries(model.inlinePolicies).map(([name, doc]) => [name, JSON.stringify(doc)]));
    this.roles.set(model.roleName, { model: structuredClone(model), tags: new Map(Object.entries({ ...model.tags, ...tags })), policies });
  }

  override send<T = Record<string, unknown>>(service: Service, operation: string, input: Record<string, unknown>): Promise<T> {
    if (service !== "iam") return super.send<T>(service, operation, input);
    this.recorder.record(operation);
    return Promise.resolve(this.iam(operation, input) as T);
  }

  private iam(operation: string, input: Record<string, unknown>): unknown {
    const role = this.roles.get(String(input.RoleName));
    if (!role) throw new Error(`the fake IAM has no role ${String(input.RoleName)}`);
    const m = role.model;
    switch (operation) {
      case "GetRole": {
        const Tags = [...role.tags].map(([Key, Value]) => ({ Key, Value }));
        return { Role: { RoleName: m.roleName, Arn: `arn:aws:iam::${TARGET.accountId}:role${m.path}${m.roleName}`, Path: m.path, Description: m.description, AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(m.assumeRolePolicy)), MaxSessionDuration: m.maxSessionDuration, Tags } };
      }
      case "ListRolePolicies":
        return { PolicyNames: [...role.policies.keys()], IsTruncated: false };
      case "GetRolePolicy":
        return { PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(role.policies.get(String(input.PolicyName)) ?? "") };
      case "ListAttachedRolePolicies":
        return { AttachedPolicies: m.managedPolicyArns.map((PolicyArn) => ({ PolicyArn })), IsTruncated: false };
      case "PutRolePolicy":
        role.policies.set(String(input.PolicyName), String(input.PolicyDocument));
        return {};
      case "DeleteRolePolicy":
        if (!role.policies.delete(String(input.PolicyName))) throw new Error(`NoSuchEntity: ${String(input.PolicyName)}`);
        return {};
      case "TagRole":
        for (const { Key, Value } of input.Tags as { Key: string; Value: string }[]) role.tags.set(Key, Value);
        return {};
      case "UntagRole":
        for (const key of input.TagKeys as string[]) role.tags.delete(key);
        return {};
      default:
        throw new Error(`the fake IAM does not implement ${operation}`);
    }
  }
}

// ---------------------------------------------------------------- random manifests with hostile names

/** Up to three entries with distinct names from `names`, each with a value from `value`. */
const entriesOf = <T>(names: readonly string[], value: fc.Arbitrary<T>, minLength = 0) =>
  fc.uniqueArray(fc.constantFrom(...names), { minLength, maxLength: 3 }).chain((keys) => fc.tuple(...keys.map((key) => value.map((v): [string, T] => [key, v]))));
const mapOf = <T>(value: fc.Arbitrary<T>, names: readonly string[] = MANIFEST_NAMES) => entriesOf(names, value).map((entries) => Object.fromEntries(entries));
/** Templates and models are keyed by content type: the loader holds them to type/subtype (hostile keys reach them only from AWS). */
const CONTENT_TYPES = ["application/json", "text/plain", "application/xml"] as const;

const stageSpecArb = fc.record({ variables: mapOf(fc.constantFrom("a", "b")), tags: mapOf(fc.constantFrom("x", "y")), description: fc.option(fc.constant("d"), { nil: undefined }) });

const apiSpecArb = fc
  .record({
    tags: mapOf(fc.constantFrom("x", "y")),
    requestTemplates: mapOf(fc.constantFrom("{}", "$input.body"), CONTENT_TYPES),
    responseModels: mapOf(fc.constantFrom("Empty", "Error"), CONTENT_TYPES),
    responseTemplates: mapOf(fc.constantFrom("{}", "#set($a = 1)"), CONTENT_TYPES),
    stages: entriesOf(MANIFEST_NAMES, stageSpecArb, 1),
  })
  .map(({ tags, requestTemplates, responseModels, responseTemplates, stages }) => ({
    name: "Hostile",
    tags,
    resources: {
      "/": { methods: { GET: { integration: { type: "MOCK", requestTemplates, responses: { "200": { responseTemplates } } }, responses: { "200": { responseModels } } } } },
    },
    stages: Object.fromEntries(stages.map(([name, { description, ...stage }]) => [name, { ...stage, ...(description ? { description } : {}) }])),
  }));

const roleSpecArb = fc.record({ inlinePolicies: mapOf(fc.constantFrom(S3_PUT, S3_ALL)), tags: mapOf(fc.constantFrom("x", "y")) });

/** Both specs through the real loader. */
function load(api: object, role: object): { api: DesiredRestApi; role: DesiredIamRole } {
  const doc = (kind: string, name: string, spec: object) => stringify({ apiVersion: "apigw-reconciler/v1", kind, metadata: { name }, spec });
  const text = [doc("RestApi", "hostile-api", api), doc("IamRole", "hostile-role", { roleName: "HostileRole", assumeRolePolicy: TRUST, ...role })].join("---\n");
  const loadedHostile = parseManifests([{ file: "hostile.yaml", text }]).desired;
  const [apis, roles] = [apisOf(loadedHostile), rolesOf(loadedHostile)];
  if (!apis[0] || !roles[0]) throw new Error("not loaded");
  return { api: apis[0], role: roles[0] };
}

const desiredArb = fc.tuple(apiSpecArb, roleSpecArb).map(([api, role]) => load(api, role));

/** What a loader that accepted `__proto__` would hand over: the name as an own entry of several collections. */
function withProtoEntries(api: RestApiModel, role: IamRoleModel): void {
  const [stage] = Object.values(api.stages);
  setOwn(api.tags, "__proto__", "p");
  if (stage) setOwn(stage.variables, "__proto__", "p");
  setOwn(api.stages, "__proto__", { name: "__proto__", variables: {}, tracingEnabled: false, methodSettings: {}, tags: { valueOf: "v" } });
  setOwn(role.inlinePolicies, "__proto__", S3_PUT);
  setOwn(role.tags, "__proto__", "p");
}

/** In-memory AWS holding `api` and `role` as last applied from `applied` (ownership and spec-hash tags set). */
function awsHolding(api: RestApiModel, role: IamRoleModel, applied: { api: RestApiModel; role: IamRoleModel }): FakeAws {
  const aws = new FakeAws();
  aws.load(api, { [TAG.name]: api.key, [TAG.owner]: OWNER, [TAG.specHash]: specHashOf(applied.api), [TAG.deployed]: `dep0000:${configHashOf(applied.api)}` });
  aws.loadRole(role, { [TAG.name]: role.key, [TAG.owner]: OWNER, [TAG.specHash]: roleSpecHash(applied.role) });
  return aws;
}

const OBSERVE = { owner: OWNER, prune: false, accountId: TARGET.accountId };

async function planAgainst(aws: Gateway, desired: DesiredState): Promise<Plan> {
  return buildPlan(desired, await observe(aws, desired, OBSERVE), PLAN_OPTIONS);
}

// ---------------------------------------------------------------- 1. diff(x, x) is empty

describe("property: with hostile names, diff of x with itself is empty", () => {
  it("diffRestApi / diffIamRole of x and its live copy; and the plan once x is in AWS and read back by observe", async () => {
    await fc.assert(
      fc.asyncProperty(desiredArb, fc.boolean(), async (loaded, proto) => {
        const { api, role } = structuredClone(loaded);
        if (proto) withProtoEntries(api.model, role.model);
        const diff = diffRestApi(api.model, liveApiOf(api.model));
        expect(diff.changes).toEqual([]);
        expect(diff.deployment).toBeUndefined();
        expect(diffIamRole(role.model, liveRoleOf(role.model))).toEqual([]);

        const plan = await planAgainst(awsHolding(api.model, role.model, { api: api.model, role: role.model }), desiredOf({ apis: [api], roles: [role] }));
        expect(plan.changes).toEqual([]);
        expect(plan.operations).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});

// ---------------------------------------------------------------- 2. one entry more (or less) in AWS

interface Models {
  api: RestApiModel;
  role: IamRoleModel;
}

interface Collection {
  collection: string;
  /** The name-keyed record in the models (the first stage's, for stage-level maps). */
  record: (m: Models) => Record<string, unknown>;
  value: (name: string) => unknown;
  /** Whether `op` is the call (or patch) that removes entry `name` (extra in AWS) or writes it (missing from AWS). */
  heals: (op: Operation, name: string, extra: boolean) => boolean;
}

const rootGet = (m: Models) => {
  const method = m.api.resources["/"]?.methods.GET;
  if (!method?.integration) throw new Error("no GET / integration");
  return { method, integration: method.integration };
};
const firstStage = (m: Models): StageModel => {
  const [name] = Object.keys(m.api.stages).sort();
  const stage = ownValue(m.api.stages, name ?? "");
  if (!stage) throw new Error("no stage");
  return stage;
};
/** `addOp`: how AWS takes a new key there (stage variables: `replace`, AWS refuses `add`). */
const patched = (call: string, prefix: string, addOp: "add" | "replace" = "add") => (op: Operation, name: string, extra: boolean) =>
  op.call === call && ((op.input.patchOperations ?? []) as PatchOperation[]).some((p) => p.op === (extra ? "remove" : addOp) && p.path === `${prefix}/${name}`);
const tagged = (call: string, untag: string, resource: RegExp) => (op: Operation, name: string, extra: boolean) =>
  resource.test(JSON.stringify(op.input)) && (extra ? op.call === untag && ((op.input.tagKeys ?? op.input.TagKeys) as string[]).includes(name) : op.call === call && JSON.stringify(op.input).includes(JSON.stringify(name)));

const COLLECTIONS: Collection[] = [
  { collection: "stages", record: (m) => m.api.stages, value: (name) => ({ name, variables: {}, tracingEnabled: false, methodSettings: {}, tags: {} }), heals: (op, name, extra) => (extra ? op.call === "DeleteStage" : op.call === "CreateStage" || op.call === "CreateDeployment") && op.input.stageName === name },
  { collection: "stage variables", record: (m) => firstStage(m).variables, value: () => "v", heals: patched("UpdateStage", "/variables", "replace") },
  { collection: "stage tags", record: (m) => firstStage(m).tags, value: () => "t", heals: tagged("TagResource", "UntagResource", /\/stages\//) },
  { collection: "API tags", record: (m) => m.api.tags, value: () => "t", heals: tagged("TagResource", "UntagResource", /restapis\/[^/"]+"/) },
  { collection: "request templates", record: (m) => rootGet(m).integration.requestTemplates, value: () => "{}", heals: patched("UpdateIntegration", "/requestTemplates") },
  { collection: "response models", record: (m) => ownValue(rootGet(m).method.responses, "200")?.responseModels ?? {}, value: () => "Empty", heals: patched("UpdateMethodResponse", "/responseModels") },
  { collection: "response templates", record: (m) => ownValue(rootGet(m).integration.responses, "200")?.responseTemplates ?? {}, value: () => "{}", heals: patched("UpdateIntegrationResponse", "/responseTemplates") },
  { collection: "inline policies", record: (m) => m.role.inlinePolicies, value: () => S3_ALL, heals: (op, name, extra) => op.call === (extra ? "DeleteRolePolicy" : "PutRolePolicy") && op.input.PolicyName === name },
  { collection: "role tags", record: (m) => m.role.tags, value: () => "t", heals: tagged("TagRole", "UntagRole", /HostileRole/) },
];

/** Desired and live models in which collection `where` differs by entry `name` only. */
function differingBy(desired: { api: DesiredRestApi; role: DesiredIamRole }, where: Collection, name: string, extra: boolean): { desired: Models; live: Models } {
  const d: Models = structuredClone({ api: desired.api.model, role: desired.role.model });
  const l: Models = structuredClone(d);
  const [has, lacks] = extra ? [l, d] : [d, l];
  Reflect.deleteProperty(where.record(lacks), name);
  setOwn(where.record(has), name, where.value(name));
  return { desired: d, live: l };
}

describe("property: an entry under a hostile name that only AWS has (or only the manifest has) is reported and healed", () => {
  it("observe → plan reports it as drift with the call that removes (or writes) it; after apply, nothing is left to do", async () => {
    await fc.assert(
      fc.asyncProperty(desiredArb, fc.constantFrom(...COLLECTIONS), fc.constantFrom(...NAMES), fc.boolean(), async (loaded, where, name, extra) => {
        // A `__proto__` the manifest has cannot be written by the shared fake (its maps are plain objects); the loader refuses it anyway.
        fc.pre(extra || name !== "__proto__");
        const { desired, live } = differingBy(loaded, where, name, extra);
        const state: DesiredState = desiredOf({ apis: [{ ...loaded.api, model: desired.api }], roles: [{ ...loaded.role, model: desired.role }] });
        const aws = awsHolding(live.api, live.role, desired);
        const plan = await planAgainst(aws, state);

        expect(plan.changes.length, `${where.collection} ${name}`).toBeGreaterThan(0);
        expect(plan.changes.filter((c) => c.kind !== "Deployment").every((c) => c.cause === "drift")).toBe(true);
        expect(plan.operations.some((op) => where.heals(op, name, extra)), JSON.stringify(plan.operations.map((o) => [o.call, o.input]))).toBe(true);
        if (where.collection === "inline policies" && extra) {
          expect(plan.changes.find((c) => c.kind === "RolePolicy" && c.id.policy === name)?.security).toContain("out of band: wildcard: allows s3:* on *");
        }

        const outcomes = await applyPlan(plan, aws, { concurrencyPerGroup: 4, retry: FAST, settleMs: 0 });
        expect(outcomes.filter((o) => o.status !== "applied").map((o) => `${o.id}: ${o.error ?? o.status}`)).toEqual([]);
        const again = await planAgainst(aws, state);
        expect(again.changes).toEqual([]);
      }),
      { numRuns: RUNS * 2 },
    );
  }, TIMEOUT * 2);
});

// ---------------------------------------------------------------- 3. map fields: patch(before) = after, any key

/** Applies map/flag PatchOperations as API Gateway does, on Maps: remove needs the key, add needs it absent, replace needs it present. */
/** As API Gateway applies a map patch; `upsert`: `replace` also creates a key and `add` is refused (stage variables). */
function applyMapPatch(before: Record<string, unknown>, ops: readonly PatchOperation[], field: string, upsert: boolean): Record<string, string> {
  const map = new Map(Object.entries(before).map(([k, v]) => [k, String(v)]));
  for (const op of ops) {
    const [, head, key = ""] = op.path.split("/");
    if (head !== field) throw new Error(`unexpected path ${op.path}`);
    const present = map.has(key);
    if (op.op === "remove" ? !present : op.op === "add" ? present || upsert : !present && !upsert) throw new Error(`${op.op} ${op.path}: key ${present ? "present" : "absent"}`);
    if (op.op === "remove") map.delete(key);
    else map.set(key, op.value ?? "");
  }
  return Object.fromEntries(map);
}

describe("property: a map field's PatchOperations turn before into after, whatever its keys are called", () => {
  const rows: [string, readonly FieldSpec[], string, fc.Arbitrary<unknown>, boolean][] = [
    ["stage variables", STAGE_FIELDS, "variables", fc.constantFrom("a", "b"), true],
    ["integration request templates", INTEGRATION_FIELDS, "requestTemplates", fc.constantFrom("{}", "$input.body"), false],
    ["method response models", METHOD_RESPONSE_FIELDS, "responseModels", fc.constantFrom("Empty", "Error"), false],
    ["method response parameters (flags)", METHOD_RESPONSE_FIELDS, "responseParameters", fc.boolean(), false],
  ];
  const mapArb = (value: fc.Arbitrary<unknown>) => entriesOf(NAMES, value).map((entries) => Object.fromEntries(entries));
  it.each(rows)("%s", (_name, table, field, value, upsert) => {
    fc.assert(
      fc.property(mapArb(value), mapArb(value), (before, after) => {
        const ops = patchOperations(table, diffFields(table, { [field]: after }, { [field]: before }));
        const patchedMap = applyMapPatch(before, ops, field, upsert);
        expect(Object.entries(patchedMap).sort()).toEqual(Object.entries(after).map(([k, v]) => [k, String(v)]).sort());
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------- 4. the cases, one by one

interface Example {
  example: string;
  reason: string;
  /** Edits the desired models (manifest side) or the live ones (out-of-band side) of the seed. */
  edit: (desired: Models, live: Models) => void;
  change: { kind: string; action: string; id: Record<string, string>; cause: "pending" | "drift"; security?: string };
  operation: (op: Operation) => boolean;
}

const patchHas = (op: Operation, expected: PatchOperation) => ((op.input.patchOperations ?? []) as PatchOperation[]).some((p) => p.op === expected.op && p.path === expected.path);
const newStage = (name: string): StageModel => ({ name, variables: {}, tracingEnabled: false, methodSettings: {}, tags: {} });
/** The seed's one stage. */
const prod = (m: Models): StageModel => {
  const stage = ownValue(m.api.stages, "prod");
  if (!stage) throw new Error("the seed has no stage prod");
  return stage;
};

const EXAMPLES: Example[] = [
  {
    example: "inline policy toString (s3:*) added out of band",
    reason: "`\"toString\" in {}` is true: the policy was invisible to drift and never removed",
    edit: (_d, l) => setOwn(l.role.inlinePolicies, "toString", S3_ALL),
    change: { kind: "RolePolicy", action: "delete", id: { policy: "toString" }, cause: "drift", security: "out of band: wildcard: allows s3:* on *" },
    operation: (op) => op.call === "DeleteRolePolicy" && op.input.PolicyName === "toString",
  },
  {
    example: "inline policy __proto__ added out of band",
    reason: "IAM lists the name; observe keeps it as an own entry, not as the record's prototype",
    edit: (_d, l) => setOwn(l.role.inlinePolicies, "__proto__", S3_ALL),
    change: { kind: "RolePolicy", action: "delete", id: { policy: "__proto__" }, cause: "drift", security: "out of band: wildcard: allows s3:* on *" },
    operation: (op) => op.call === "DeleteRolePolicy" && op.input.PolicyName === "__proto__",
  },
  {
    example: "manifest inline policy constructor that AWS lacks",
    reason: "it used to be compared with Object (the inherited constructor) and crash with `Cannot convert undefined or null to object`",
    edit: (d) => setOwn(d.role.inlinePolicies, "constructor", S3_PUT),
    change: { kind: "RolePolicy", action: "create", id: { policy: "constructor" }, cause: "pending" },
    operation: (op) => op.call === "PutRolePolicy" && op.input.PolicyName === "constructor" && op.input.PolicyDocument === JSON.stringify(S3_PUT),
  },
  {
    example: "role tag hasOwnProperty added out of band",
    reason: "a tag the manifest lacks is untagged, whatever its name",
    edit: (_d, l) => setOwn(l.role.tags, "hasOwnProperty", "x"),
    change: { kind: "IamRole", action: "update", id: {}, cause: "drift" },
    operation: (op) => op.call === "UntagRole" && (op.input.TagKeys as string[]).includes("hasOwnProperty"),
  },
  {
    example: "stage constructor added out of band",
    reason: "`\"constructor\" in stages` is true: the stage was invisible",
    edit: (_d, l) => setOwn(l.api.stages, "constructor", newStage("constructor")),
    change: { kind: "Stage", action: "delete", id: { stage: "constructor" }, cause: "drift" },
    operation: (op) => op.call === "DeleteStage" && op.input.stageName === "constructor",
  },
  {
    example: "stage valueOf added out of band",
    reason: "as constructor: every plain object has a valueOf",
    edit: (_d, l) => setOwn(l.api.stages, "valueOf", newStage("valueOf")),
    change: { kind: "Stage", action: "delete", id: { stage: "valueOf" }, cause: "drift" },
    operation: (op) => op.call === "DeleteStage" && op.input.stageName === "valueOf",
  },
  {
    example: "manifest stage valueOf that AWS lacks",
    reason: "a create with a deployment for the new stage, not an update of Object.prototype.valueOf",
    edit: (d) => setOwn(d.api.stages, "valueOf", newStage("valueOf")),
    change: { kind: "Stage", action: "create", id: { stage: "valueOf" }, cause: "pending" },
    operation: (op) => (op.call === "CreateStage" || op.call === "CreateDeployment") && op.input.stageName === "valueOf",
  },
  {
    example: "stage variable toString added out of band",
    reason: "the patch removes it (it used to keep it: `toString in {}`)",
    edit: (_d, l) => setOwn(prod(l).variables, "toString", "x"),
    change: { kind: "Stage", action: "update", id: { stage: "prod" }, cause: "drift" },
    operation: (op) => op.call === "UpdateStage" && patchHas(op, { op: "remove", path: "/variables/toString" }),
  },
  {
    example: "manifest stage variable constructor that AWS lacks",
    reason: "a replace: API Gateway sets a new stage variable with replace and refuses add",
    edit: (d) => setOwn(prod(d).variables, "constructor", "v"),
    change: { kind: "Stage", action: "update", id: { stage: "prod" }, cause: "pending" },
    operation: (op) => op.call === "UpdateStage" && patchHas(op, { op: "replace", path: "/variables/constructor" }),
  },
  {
    example: "API tag valueOf added out of band",
    reason: "untagged like any extra tag",
    edit: (_d, l) => setOwn(l.api.tags, "valueOf", "x"),
    change: { kind: "RestApi", action: "update", id: {}, cause: "drift" },
    operation: (op) => op.call === "UntagResource" && (op.input.tagKeys as string[]).includes("valueOf"),
  },
];

describe("the issue's cases on the seed manifests: reported, with the call that heals them", () => {
  it.each(EXAMPLES)("$example", ({ reason, edit, change, operation }) => {
    const seed = seedDesired();
    const [api, role] = [apisOf(seed)[0], rolesOf(seed)[0]];
    if (!api || !role) throw new Error("seed");
    const liveApi = liveApiOf(api.model);
    const liveRole = liveRoleOf(role.model);
    edit({ api: api.model, role: role.model }, { api: liveApi.model, role: liveRole.model });
    const plan = buildPlan(seed, observedOf({ apis: [liveApi], roles: [liveRole] }), PLAN_OPTIONS);
    const found = plan.changes.find((c) => c.kind === change.kind && c.action === change.action && Object.entries(change.id).every(([k, v]) => ownValue(c.id as Record<string, string>, k) === v));
    expect(found, `${reason}\n${JSON.stringify(plan.changes.map((c) => [c.kind, c.action, c.id]))}`).toBeDefined();
    expect(found?.cause, reason).toBe(change.cause);
    if (change.security) expect(found?.security, reason).toContain(change.security);
    expect(plan.operations.some(operation), `${reason}\n${JSON.stringify(plan.operations.map((o) => [o.call, o.input]))}`).toBe(true);
  });
});

// ---------------------------------------------------------------- 5. the helpers and the other name-keyed places

function stagesAnswer(names: string[]): Gateway {
  const answers: Record<string, unknown> = {
    GetResources: { items: [{ id: "root", path: "/" }] },
    GetStages: { item: names.map((stageName) => ({ stageName, deploymentId: "dep1", variables: JSON.parse('{"__proto__":"v","toString":"w"}') as unknown })) },
  };
  return { read: (_service: Service, operation: string) => Promise.resolve(answers[operation] ?? {}) } as unknown as Gateway;
}

const ownProto = (value: string): Record<string, string> => JSON.parse(`{"__proto__":${JSON.stringify(value)}}`) as Record<string, string>;

describe("own-entry helpers and the other places names are keys", () => {
  const rows: { case: string; reason: string; check: () => Promise<void> | void }[] = [
    {
      case: "ownValue / hasOwn / setOwn",
      reason: "inherited names are absent; __proto__ is set as an entry and leaves the prototype alone",
      check: () => {
        const record: Record<string, string> = {};
        expect([ownValue(record, "toString"), hasOwn(record, "constructor")]).toEqual([undefined, false]);
        setOwn(record, "__proto__", "x");
        expect([Object.keys(record), ownValue(record, "__proto__"), Object.getPrototypeOf(record) === Object.prototype]).toEqual([["__proto__"], "x", true]);
      },
    },
    {
      case: "observe: stages named __proto__ and constructor, a variable named __proto__",
      reason: "built with fromEntries: own entries, the records' prototypes untouched",
      check: async () => {
        const live = await readRestApi(stagesAnswer(["__proto__", "constructor"]), { summary: { id: "a1", name: "x", tags: {} }, raw: {} }, "k");
        expect(Object.keys(live.model.stages)).toEqual(["__proto__", "constructor"]);
        expect(Object.getPrototypeOf(live.model.stages)).toBe(Object.prototype);
        expect(Object.keys(live.stageDeployments)).toEqual(["__proto__", "constructor"]);
        expect(ownValue(live.model.stages, "__proto__")?.variables).toEqual(JSON.parse('{"__proto__":"v","toString":"w"}'));
      },
    },
    {
      case: "a new API whose manifest has stages valueOf and constructor",
      reason: "with no live API the live stages are {}: both are creates (`{}.valueOf` made one an update)",
      check: () => {
        const api = apisOf(seedDesired())[0]?.model;
        if (!api) throw new Error("seed");
        setOwn(api.stages, "valueOf", newStage("valueOf"));
        setOwn(api.stages, "constructor", newStage("constructor"));
        const stages = diffRestApi(api, undefined).changes.filter((c) => c.kind === "Stage");
        expect(stages.map((c) => `${c.action} ${c.id.stage ?? ""}`).sort()).toEqual(["create constructor", "create prod", "create valueOf"]);
      },
    },
    {
      case: "contentHash of a map with a __proto__ entry",
      reason: "the entry counts: a spec or config hash must change with it",
      check: () => {
        expect(contentHash(ownProto("a"))).not.toBe(contentHash(ownProto("b")));
        expect(contentHash(ownProto("a"))).not.toBe(contentHash({}));
      },
    },
    {
      case: "policies whose condition keys differ by a __proto__ key",
      reason: "the canonical form keeps every key: the policies differ",
      check: () => {
        const doc = (condition: Record<string, string>): PolicyDocument => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { StringEquals: condition } }] });
        expect(policiesEqual(doc(ownProto("x")), doc({}))).toBe(false);
        expect(policiesEqual(doc(ownProto("x")), doc(ownProto("x")))).toBe(true);
      },
    },
    {
      case: "ignore rule naming a toString policy neither side has",
      reason: "the inherited function was cloned (DataCloneError, the whole pass failed)",
      check: () => {
        const role = rolesOf(seedDesired())[0]?.model;
        if (!role) throw new Error("seed");
        const result = applyIgnoreRules(role, liveRoleOf(role).model, ["/inlinePolicies/toString", "/tags/constructor"]);
        expect(Object.keys(result.inlinePolicies)).toEqual(Object.keys(role.inlinePolicies));
        expect(Object.keys(result.tags)).toEqual(Object.keys(role.tags));
      },
    },
    {
      case: "ignore rule /tags/__proto__ with a __proto__ tag in AWS",
      reason: "the live value is taken as an entry, not assigned to the prototype",
      check: () => {
        const role = rolesOf(seedDesired())[0]?.model;
        if (!role) throw new Error("seed");
        const live = liveRoleOf(role).model;
        setOwn(live.tags, "__proto__", "live");
        const result = applyIgnoreRules(role, live, ["/tags/__proto__"]);
        expect(ownValue(result.tags, "__proto__")).toBe("live");
        expect(Object.getPrototypeOf(result.tags)).toBe(Object.prototype);
        expect(diffIamRole(result, { ...liveRoleOf(role), model: live })).toEqual([]);
      },
    },
    {
      case: "reports of stage variables toString and __proto__ that only AWS has",
      reason: "text, Markdown and JSON render them; the JSON Patch (desired → live) adds both",
      check: () => {
        const seed = seedDesired();
        const api = apisOf(seed)[0];
        if (!api) throw new Error("seed");
        const live = liveApiOf(api.model);
        const stage = ownValue(live.model.stages, "prod");
        if (!stage) throw new Error("seed has no stage prod");
        setOwn(stage.variables, "toString", "x");
        setOwn(stage.variables, "__proto__", "y");
        const plan = buildPlan(desiredOf({ apis: [api] }), observedOf({ apis: [live] }), PLAN_OPTIONS);
        const calls = { total: 0, writes: 0, byOperation: {}, errors: {} };
        expect(renderText(plan, calls, { color: false })).toContain('"__proto__":"y"');
        expect(renderMarkdown(plan, calls, { title: "t" })).toContain("toString");
        const report = JSON.parse(renderJson(plan, calls, TARGET)) as { changes: { kind: string; jsonPatch: { op: string; path: string }[] }[] };
        const paths = report.changes.find((c) => c.kind === "Stage")?.jsonPatch.map((p) => `${p.op} ${p.path}`);
        expect(paths).toEqual(expect.arrayContaining(["add /variables/toString", "add /variables/__proto__"]));
      },
    },
  ];
  it.each(rows)("$case", async ({ reason, check }) => {
    await expect(Promise.resolve().then(check), reason).resolves.toBeUndefined();
  });
});
