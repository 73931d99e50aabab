// fast-check properties of diff → plan → apply, on random valid APIs (random manifests through the real
// loader), against an in-memory API Gateway (support/fake-apigateway.ts):
//   1. diff(x, live of x) is empty — also when the live side is read back from AWS by observe;
//   2. apply(plan(diff(d, l))) to an AWS holding l yields d: observe afterwards finds nothing to change,
//      whatever the interleaving of concurrent calls;
//   3. for every field table, the emitted PatchOperations applied to the before-object give the after-object
//      (also with map keys named like Object.prototype members: `toString`, `constructor`…);
//   4. policies compare equal to themselves as IAM answers them (URL-encoded, re-ordered, string vs list).
import fc from "fast-check";
import { assembleApiSpec, RESOURCE_POLICIES as POLICIES, dropUndefined, maybe, resourcesArb as apiResourcesArb, someOf, stageArb as apiStageArb, subsetOf, type ApiArbitraryOptions, type Spec } from "./support/api-arbitraries.ts";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { applyPlan } from "../../src/engine/apply.ts";
import { observe } from "../../src/engine/observe.ts";
import { buildPlan } from "../../src/engine/plan.ts";
import type { RetryPolicy } from "../../src/aws/retry.ts";
import {
  diffFields,
  INTEGRATION_FIELDS,
  INTEGRATION_RESPONSE_FIELDS,
  METHOD_FIELDS,
  METHOD_RESPONSE_FIELDS,
  patchOperations,
  REST_API_FIELDS,
  STAGE_FIELDS,
  type FieldSpec,
} from "../../src/kinds/fields.ts";
import { diffRestApi, specHashOf } from "../../src/kinds/rest-api/diff.ts";
import { parseManifests } from "../../src/manifest/load.ts";
import { TAG, type LiveRestApi } from "../../src/model/live.ts";
import { parsePolicyDocument, policiesEqual } from "../../src/model/policy.ts";
import type { DesiredRestApi, DesiredState, PolicyDocument, RestApiModel } from "../../src/model/types.ts";
import { applyPatch, FakeApiGateway, PATCHABLE, type FieldKind } from "./support/fake-apigateway.ts";
import { apisOf, configHashOf, desiredOf, liveApiOf, OWNER, PLAN_OPTIONS, renamePath, seedApi, TARGET } from "./support/models.ts";

/** Runs per property; kept small for the unit budget. PROPERTY_RUNS=1000 for a deeper search. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 20);
const TIMEOUT = 5_000 + RUNS * 200;
const FAST: RetryPolicy = { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1, maxRetryTimeMs: 1_000 };

// ---------------------------------------------------------------- random manifests

const ARBITRARIES: ApiArbitraryOptions = {
  credentials: ["arn:aws:iam::123456789012:role/r1", "arn:aws:iam::123456789012:role/svc/r2"],
  awsUris: ["arn:aws:apigateway:us-east-1:sqs:path/123456789012/q1", "arn:aws:apigateway:us-east-1:sqs:path/123456789012/q2"],
  responseTemplates: ["#set($a = 1)", "$input.body"],
  stageDescription: fc.constantFrom("first", "second"),
  stageVariables: { bucket: fc.constantFrom("b1", "b2"), env: fc.constant("x") },
  stageTags: { env: fc.constantFrom("p", "q") },
};
const resourcesArb = apiResourcesArb(ARBITRARIES);
const stageArb = apiStageArb(ARBITRARIES);

const apiSpecArb: fc.Arbitrary<Spec> = fc
  .record({
    name: fc.constantFrom("P1", "P2"),
    description: maybe(fc.constantFrom("an api", "the api")),
    endpointType: maybe(fc.constantFrom("REGIONAL", "EDGE", "PRIVATE")),
    binaryMediaTypes: subsetOf(["image/png", "application/octet-stream", "*/*"]),
    minimumCompressionSize: maybe(fc.constantFrom(0, 1024)),
    apiKeySource: maybe(fc.constantFrom("HEADER", "AUTHORIZER")),
    disableExecuteApiEndpoint: maybe(fc.boolean()),
    tags: someOf({ app: fc.constantFrom("x", "y"), team: fc.constant("t") }),
    policy: maybe(fc.constantFrom(...POLICIES)),
    resources: resourcesArb,
    stages: someOf({ prod: stageArb, dev: stageArb }),
  })
  .map(assembleApiSpec);

/** The spec through the real loader: a valid Desired API (or the loader's complaint, which fails the run). */
function load(spec: Spec): DesiredRestApi {
  const text = stringify({ apiVersion: "apigw-reconciler/v1", kind: "RestApi", metadata: { name: "prop-api" }, spec });
  const [api] = apisOf(parseManifests([{ file: "prop.yaml", text }]).desired);
  if (!api) throw new Error("no API loaded");
  return api;
}

const desiredArb = apiSpecArb.map(load);

const OBSERVE = { owner: OWNER, prune: false, accountId: TARGET.accountId };

// ---------------------------------------------------------------- 1. diff(x, x) is empty

describe("property: diff of an API with itself is empty", () => {
  it("diffRestApi(x, live of x) is empty; so is the plan when x is loaded into AWS and read back by observe", async () => {
    await fc.assert(
      fc.asyncProperty(desiredArb, async (api) => {
        const diff = diffRestApi(api.model, liveApiOf(api.model));
        expect(diff.changes).toEqual([]);
        expect(diff.deployment).toBeUndefined();

        const aws = new FakeApiGateway();
        aws.load(api.model, { [TAG.name]: api.model.key, [TAG.owner]: OWNER, [TAG.specHash]: specHashOf(api.model), [TAG.deployed]: `dep0000:${configHashOf(api.model)}` });
        const desired: DesiredState = desiredOf({ apis: [api] });
        const plan = buildPlan(desired, await observe(aws, desired, OBSERVE), PLAN_OPTIONS);
        expect(plan.changes).toEqual([]);
        expect(plan.operations).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});

// ---------------------------------------------------------------- 2. apply(plan(diff(d, l))) to l yields d

/** AWS holds `before` (or nothing); plan towards `desiredApi`, apply, observe again, plan again. */
async function roundTrip(desiredApi: DesiredRestApi, before?: { model: RestApiModel; deployed: boolean }, delays: number[] = []) {
  const aws = new FakeApiGateway({ delays });
  if (before) {
    const l = before.model;
    aws.load(l, { [TAG.name]: desiredApi.model.key, [TAG.owner]: OWNER, [TAG.specHash]: specHashOf(l), ...(before.deployed ? { [TAG.deployed]: `dep0000:${configHashOf(l)}` } : {}) });
  }
  const desired: DesiredState = desiredOf({ apis: [desiredApi] });
  const plan = buildPlan(desired, await observe(aws, desired, OBSERVE), PLAN_OPTIONS);
  const outcomes = await applyPlan(plan, aws, { concurrencyPerGroup: 4, retry: FAST, settleMs: 0 });
  const failures = outcomes.filter((o) => o.status !== "applied").map((o) => `${o.id}: ${o.error ?? o.status}`);
  const after = await observe(aws, desired, OBSERVE);
  const again = buildPlan(desired, after, PLAN_OPTIONS);
  return { aws, plan, failures, live: after.objects.get(`RestApi/${desiredApi.model.key}`)?.live as LiveRestApi | undefined, again };
}

function expectConverged(desiredApi: DesiredRestApi, result: Awaited<ReturnType<typeof roundTrip>>): void {
  expect(result.failures).toEqual([]);
  expect(Object.keys(result.live?.model.resources ?? {}).sort()).toEqual(Object.keys(desiredApi.model.resources).sort());
  expect(result.again.changes).toEqual([]);
  expect(result.again.operations).toEqual([]);
  // One deployment at most, and only when the plan said so.
  expect(result.aws.writes.filter((w) => w === "CreateDeployment").length).toBe(result.plan.summary.redeploy);
}

describe("property: applying the plan makes AWS match the manifest", () => {
  it("from a random live API (or none) to a random desired one, in any interleaving: afterwards nothing to change", async () => {
    await fc.assert(
      fc.asyncProperty(
        desiredArb,
        fc.option(fc.record({ api: desiredArb, deployed: fc.boolean() }), { nil: undefined }),
        fc.array(fc.nat(8), { minLength: 1, maxLength: 16 }),
        async (desiredApi, before, delays) => {
          expectConverged(desiredApi, await roundTrip(desiredApi, before && { model: before.api.model, deployed: before.deployed }, delays));
        },
      ),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});

describe("apply round trip: examples", () => {
  const mock = { integration: { type: "MOCK", responses: { "200": {} } }, responses: { "200": {} } };
  const api = (resources: Record<string, unknown>, stages?: Record<string, unknown>) => load({ name: "P", resources, ...(stages ? { stages } : {}) });

  it("the seed API from nothing, then a mixed change set (rename, delete, replace, settings)", async () => {
    const seed = seedApi();
    expectConverged(seed, await roundTrip(seed));
    const changed = seedApi();
    renamePath(changed.model, "/{folder}/{item}", "/{folder}/{key}");
    const root = changed.model.resources["/"]!.methods.GET!.integration!;
    root.type = "HTTP";
    root.uri = "https://example.com/";
    delete changed.model.resources["/{folder}"]!.methods.DELETE;
    changed.model.stages.prod!.methodSettings["*/*"]!.loggingLevel = "INFO";
    const result = await roundTrip(changed, { model: seedApi().model, deployed: true }, [3, 0, 1, 5]);
    expectConverged(changed, result);
    expect(result.plan.summary).toMatchObject({ update: 2, delete: 1, replace: 1, redeploy: 1 });
  });

  it("method settings of the root resource (key /GET) converge: written as /~1/GET/…, read back as /GET", async () => {
    const desired = api({ "/": { methods: { GET: mock } } }, { prod: { methodSettings: { "/GET": { metricsEnabled: true } } } });
    expectConverged(desired, await roundTrip(desired));
  });

  it("a header and its mapping added together, or removed together, converge whatever order the calls complete in (AWS validates mappings when written)", async () => {
    const H = "method.request.header.x-amz-acl";
    const withHeader = (on: boolean) =>
      api({ "/": { methods: { GET: { ...mock, requestParameters: on ? { [H]: false } : {}, integration: { ...mock.integration, requestParameters: on ? { "integration.request.header.x-amz-acl": H } : {} } } } } }, { prod: {} });
    // The fake completes concurrent calls in the order these delays say: without the plan's ordering, some
    // of them send the integration's mapping before its method declares the header, and the fake refuses it.
    for (const delays of [[0, 9], [9, 0], [3, 1, 4, 1, 5], [0, 0, 7]]) {
      expectConverged(withHeader(true), await roundTrip(withHeader(true), { model: withHeader(false).model, deployed: true }, delays));
      expectConverged(withHeader(false), await roundTrip(withHeader(false), { model: withHeader(true).model, deployed: true }, delays));
    }
  });

  it("a rename into a variable path part waits for the delete of the old variable sibling", async () => {
    // /files (PUT) becomes /{bucket} (same methods: renamed in place); /{folder} (GET) goes away.
    const before = api({ "/{folder}": { methods: { GET: mock } }, "/files": { methods: { PUT: mock } } }, { prod: {} });
    const desired = api({ "/{bucket}": { methods: { PUT: mock } } }, { prod: {} });
    const result = await roundTrip(desired, { model: before.model, deployed: true });
    expect(result.plan.operations.map((o) => o.call)).toEqual(expect.arrayContaining(["UpdateResource", "DeleteResource"]));
    expectConverged(desired, result);
  });
});

// ---------------------------------------------------------------- 3. field tables: patch(before) = after

const SEGMENT = fc.string({ unit: fc.constantFrom("a", "b", "/", "~", "0", "1", "."), minLength: 1, maxLength: 6 }).filter((k) => k !== "__proto__");

/** Keys that every plain object inherits (`__proto__` aside: the fake's maps are plain objects, and the loader refuses it). */
const BUILTIN_SEGMENT = fc.constantFrom("constructor", "toString", "valueOf", "hasOwnProperty", "a");

function valueArb(kind: FieldKind, segment: fc.Arbitrary<string> = SEGMENT): fc.Arbitrary<unknown> {
  switch (kind) {
    case "string":
    case "removable-string":
      return fc.string({ maxLength: 8 });
    case "number":
      return fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    case "boolean":
      return fc.boolean();
    case "map":
    case "upsert-map":
      return fc.dictionary(segment, fc.string({ maxLength: 5 }), { maxKeys: 4 });
    case "flags":
      return fc.dictionary(segment, fc.boolean(), { maxKeys: 4 });
    case "set":
      return fc.uniqueArray(segment, { maxLength: 4 });
  }
}

function objectArb(table: readonly FieldSpec[], kinds: Readonly<Record<string, FieldKind>>, segment?: fc.Arbitrary<string>): fc.Arbitrary<Record<string, unknown>> {
  const fields = table.filter((spec) => spec.patch !== undefined && spec.type !== "policy" && kinds[spec.field] !== undefined);
  return fc.record(Object.fromEntries(fields.map((spec) => [spec.field, maybe(valueArb(kinds[spec.field] as FieldKind, segment))]))).map((o) => dropUndefined(o));
}

function fieldOfPath(table: readonly FieldSpec[], path: string): FieldSpec | undefined {
  return table.find((spec) => spec.patch !== undefined && (path === spec.patch || path.startsWith(`${spec.patch}/`)));
}

describe("property: a field table's PatchOperations turn before into after", () => {
  const tables: [string, readonly FieldSpec[], Readonly<Record<string, FieldKind>>][] = [
    ["REST_API_FIELDS", REST_API_FIELDS, PATCHABLE.restApi],
    ["METHOD_FIELDS", METHOD_FIELDS, PATCHABLE.method],
    ["INTEGRATION_FIELDS", INTEGRATION_FIELDS, PATCHABLE.integration],
    ["METHOD_RESPONSE_FIELDS", METHOD_RESPONSE_FIELDS, PATCHABLE.methodResponse],
    ["INTEGRATION_RESPONSE_FIELDS", INTEGRATION_RESPONSE_FIELDS, PATCHABLE.integrationResponse],
    ["STAGE_FIELDS", STAGE_FIELDS, PATCHABLE.stage],
  ];
  const rows = [...tables.map(([name, table, kinds]) => [name, table, kinds, SEGMENT] as const), ...tables.map(([name, table, kinds]) => [`${name}, keys named like Object.prototype members`, table, kinds, BUILTIN_SEGMENT] as const)];
  it.each(rows)("%s", (_name, table, kinds, segment) => {
    fc.assert(
      fc.property(objectArb(table, kinds, segment), objectArb(table, kinds, segment), (before, after) => {
        const ops = patchOperations(table, diffFields(table, after, before));
        for (const op of ops) if (op.op !== "remove" && op.value !== undefined) expect(typeof op.value).toBe("string");
        // Every op is one the field table says AWS accepts on that path (the fake refuses the others too).
        for (const op of ops) expect(fieldOfPath(table, op.path)?.ops, `${op.op} ${op.path}`).toContain(op.op);
        const patched = structuredClone(before);
        applyPatch(patched, ops, kinds, "property");
        expect(diffFields(table, after, patched)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------- 4. policies compared by meaning

const ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "sts:AssumeRole"];
const statementArb = fc.record({
  Effect: fc.constantFrom("Allow", "Deny"),
  Action: fc.uniqueArray(fc.constantFrom(...ACTIONS), { minLength: 1, maxLength: 3 }),
  Resource: fc.uniqueArray(fc.constantFrom("*", "arn:aws:s3:::b", "arn:aws:s3:::b/*"), { minLength: 1, maxLength: 2 }),
});
const policyArb = fc.uniqueArray(statementArb, { minLength: 1, maxLength: 4, selector: (s) => JSON.stringify(s) });

/** The same policy as IAM may answer it: URL-encoded, statements and lists re-ordered, one-element lists as strings. */
function asAwsAnswers(statements: { Effect: string; Action: string[]; Resource: string[] }[], order: number[]): PolicyDocument {
  const shuffle = <T>(list: T[]) => list.map((v, i) => [order[i % order.length] ?? 0, v] as const).sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  const one = (list: string[]) => (list.length === 1 ? list[0] : shuffle(list));
  const doc = { Version: "2012-10-17", Statement: shuffle(statements.map((s) => ({ Resource: one(s.Resource), Action: one(s.Action), Effect: s.Effect }))) };
  return parsePolicyDocument(encodeURIComponent(JSON.stringify(doc)));
}

describe("property: policies are compared by meaning", () => {
  it("a policy equals itself as IAM answers it, and differs once an action is dropped", () => {
    fc.assert(
      fc.property(policyArb, fc.array(fc.nat(100), { minLength: 1, maxLength: 8 }), (statements, order) => {
        const written = { Version: "2012-10-17", Statement: statements } as PolicyDocument;
        expect(policiesEqual(written, asAwsAnswers(statements, order))).toBe(true);
        const [first, ...rest] = statements;
        if (first && first.Action.length > 1) {
          const fewer = { Version: "2012-10-17", Statement: [{ ...first, Action: first.Action.slice(1) }, ...rest] } as PolicyDocument;
          expect(policiesEqual(written, fewer)).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });
});
