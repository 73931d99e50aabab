// export (src/export/): model → manifest is exact. Property: for any API model M (random manifests through
// the real loader, placeholders resolved as observe's live side has them) and the roles its integrations
// assume, exporting M and loading the YAML with the project's loader gives back M. Tables: what is left out,
// and how ARNs and role references are written, a reason per row.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { loadExported, roundTripDifferences } from "../../src/export/check.ts";
import { findApi, parseRoleArn } from "../../src/export/live.ts";
import { iamRoleManifest, manifestNameOf, restApiManifest, withPlaceholders } from "../../src/export/to-manifest.ts";
import { documentsYaml, documentYaml, fileNameOf } from "../../src/export/yaml.ts";
import type { RawRestApi } from "../../src/kinds/rest-api/observe.ts";
import { parseManifests } from "../../src/manifest/load.ts";
import { roleArn } from "../../src/model/arn.ts";
import { resolvePlaceholders, type Target } from "../../src/model/placeholders.ts";
import type { DesiredState, IamRoleModel, RestApiModel } from "../../src/model/types.ts";
import { assembleApiSpec, RESOURCE_POLICIES, dropUndefined, maybe, resourcesArb as apiResourcesArb, someOf, stageArb as apiStageArb, subsetOf, type ApiArbitraryOptions, type Spec } from "./support/api-arbitraries.ts";
import { apisOf, rolesOf, seedFiles, TARGET } from "./support/models.ts";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 50);
const TIMEOUT = 10_000 + RUNS * 200;

/** Free text (no `${`: a placeholder there would be resolved on load, which no export can avoid). */
const textArb = fc.string({ maxLength: 12, unit: fc.constantFrom("a", "Z", " ", "#", ":", "'", '"', "\\", "é", "\n", "-", "1", "{", "}", "$", "~", "/") }).filter((s) => !s.includes("${"));

const ROLE_KEYS = ["role-a", "role-b"] as const;
const CREDENTIALS = [
  { roleRef: "role-a" },
  { roleRef: "role-b" },
  "arn:aws:iam::123456789012:role/svc/r2",
  "arn:aws:iam::999999999999:role/other-account",
  "arn:${AWS_PARTITION}:iam::${AWS_ACCOUNT_ID}:role/hand-written",
];

// The pipeline's generators (valid APIs by construction), with role references, placeholders and free text.
const ARBITRARIES: ApiArbitraryOptions = {
  credentials: CREDENTIALS,
  awsUris: ["arn:${AWS_PARTITION}:apigateway:${AWS_REGION}:s3:path/{bucket}", "arn:aws:apigateway:us-east-1:sqs:path/123456789012/q2"],
  credentialsRequired: true,
  responseTemplates: ["#set($a = 1)", "$input.body", '#set($r = "${AWS_REGION}")'],
  stageDescription: textArb,
  stageVariables: { bucket: fc.constantFrom("b1", "arn:aws:s3:::b2"), toString: fc.constant("x") },
  stageTags: { env: textArb, constructor: fc.constant("c") },
};
const resourcesArb = apiResourcesArb(ARBITRARIES);
const stageArb = apiStageArb(ARBITRARIES);

const OWN_POLICY = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { AWS: ["arn:aws:iam::123456789012:root", "arn:aws:iam::999999999999:root"] }, Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:us-east-1:123456789012:*/*" },
    { Effect: "Deny", Principal: "*", Action: ["execute-api:Invoke"], Resource: ["execute-api:/*"], Condition: { StringNotEquals: { "aws:SourceVpc": "vpc-1" } } },
  ],
};

const POLICIES = [OWN_POLICY, ...RESOURCE_POLICIES];

const apiSpecArb: fc.Arbitrary<Spec> = fc
  .record({
    name: maybe(fc.constantFrom("P1", "prop-api", "My API")),
    description: maybe(textArb),
    endpointType: maybe(fc.constantFrom("REGIONAL", "EDGE", "PRIVATE")),
    binaryMediaTypes: subsetOf(["image/png", "application/octet-stream", "*/*"]),
    minimumCompressionSize: maybe(fc.constantFrom(0, 1024)),
    apiKeySource: maybe(fc.constantFrom("HEADER", "AUTHORIZER")),
    disableExecuteApiEndpoint: maybe(fc.boolean()),
    tags: someOf({ app: textArb, toString: fc.constant("t"), "team:x": fc.constant("") }),
    policy: maybe(fc.constantFrom(...POLICIES)),
    resources: resourcesArb,
    stages: someOf({ prod: stageArb, dev: stageArb }),
  })
  .map(assembleApiSpec);

const roleSpecArb = (key: string): fc.Arbitrary<Spec> =>
  fc
    .record({
      roleName: maybe(fc.constantFrom(key, "RoleName1", "r.x@y")),
      path: maybe(fc.constantFrom("/", "/svc/", "/a/b/")),
      description: maybe(textArb),
      assumeRolePolicy: fc.constant({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
      inlinePolicies: someOf<unknown>({ s3: fc.constant({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] }), valueOf: fc.constant({ Version: "2012-10-17", Statement: [{ Effect: "Deny", NotAction: ["s3:*"], NotResource: "arn:aws:s3:::123456789012-x" }] }) }),
      managedPolicyArns: fc.subarray(["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::123456789012:policy/mine", "arn:${AWS_PARTITION}:iam::${AWS_ACCOUNT_ID}:policy/p"]),
      maxSessionDuration: maybe(fc.constantFrom(3600, 7200)),
      permissionsBoundary: maybe(fc.constantFrom("arn:aws:iam::123456789012:policy/boundary")),
      tags: someOf({ app: textArb }),
    })
    .map(dropUndefined);

const targetArb: fc.Arbitrary<Target> = fc.constantFrom(TARGET, { region: "eu-west-1", accountId: "999999999999", partition: "aws" }, { region: "cn-north-1", accountId: "123456789012", partition: "aws-cn" });

/** A random API and its roles, loaded by the real loader and resolved for `target`: what observe would report. */
const liveArb = fc.record({ api: apiSpecArb, roles: fc.tuple(...ROLE_KEYS.map(roleSpecArb)), target: targetArb, apiKey: fc.constantFrom("prop-api", "other.name") }).map(({ api, roles, target, apiKey }) => {
  const documents = [
    { apiVersion: "apigw-reconciler/v1", kind: "RestApi", metadata: { name: apiKey }, spec: api },
    ...roles.map((spec, i) => ({ apiVersion: "apigw-reconciler/v1", kind: "IamRole", metadata: { name: ROLE_KEYS[i] }, spec })),
  ];
  const text = documents.map((d) => stringify(d)).join("---\n");
  const desired = resolvePlaceholders(parseManifests([{ file: "prop.yaml", text }]).desired, target);
  // A model keeps its lists sorted (load and observe both sort them); resolving placeholders may unsort one.
  for (const role of rolesOf(desired)) role.model.managedPolicyArns.sort();
  return { desired, target };
});

function exportAll(desired: DesiredState, target: Target, adopt = false) {
  const roleRefs = new Map(rolesOf(desired).map((r) => [roleArn(target.accountId, r.model.path, r.model.roleName, target.partition), r.model.key]));
  const [api] = apisOf(desired);
  if (!api) throw new Error("no API");
  return [restApiManifest(api.model, api.model.key, { target, adopt, roleRefs }), ...rolesOf(desired).map((r) => iamRoleManifest(r.model, r.model.key, { target, adopt }))];
}

describe("property: export then load gives back the model", () => {
  it("for any API model and its roles, the exported YAML loads (placeholders resolved) to the same models", () => {
    fc.assert(
      fc.property(liveArb, fc.boolean(), ({ desired, target }, adopt) => {
        const documents = exportAll(desired, target, adopt);
        const loaded = resolvePlaceholders(parseManifests([{ file: "exported.yaml", text: documentsYaml(documents) }]).desired, target);
        expect(apisOf(loaded).map((a) => a.model)).toEqual(apisOf(desired).map((a) => a.model));
        expect(rolesOf(loaded).map((r) => r.model)).toEqual(rolesOf(desired).map((r) => r.model));
        expect(apisOf(loaded).every((a) => a.options.adopt === adopt) && rolesOf(loaded).every((r) => r.options.adopt === adopt)).toBe(true);
        // and the check the CLI makes agrees
        const [api] = apisOf(desired);
        expect(roundTripDifferences({ api: api?.model as RestApiModel, roles: rolesOf(desired).map((r) => r.model) }, loaded)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("export is deterministic: the same model with its maps in another key order gives the same YAML", () => {
    fc.assert(
      fc.property(liveArb, ({ desired, target }) => {
        const reversed = reverseKeys(desired) as DesiredState;
        expect(documentsYaml(exportAll(reversed, target))).toBe(documentsYaml(exportAll(desired, target)));
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  return value;
}

describe("the seed manifests round-trip", () => {
  it("exporting the seed (as live) gives manifests equal to it in meaning, with the same roleRef", () => {
    const desired = resolvePlaceholders(parseManifests(seedFiles()).desired, TARGET);
    const documents = exportAll(desired, TARGET);
    const loaded = loadExported(documents.map((d) => ({ file: fileNameOf(d), text: documentYaml(d) })), TARGET);
    expect(roundTripDifferences({ api: apisOf(desired)[0]?.model as RestApiModel, roles: rolesOf(desired).map((r) => r.model) }, loaded)).toEqual([]);
    const yaml = documentsYaml(documents);
    expect(yaml).toContain("credentials:\n              roleRef: apig-aws-proxy-role");
    expect(yaml).toContain("uri: arn:${AWS_PARTITION}:apigateway:${AWS_REGION}:s3:path/{bucket}/{object}");
    expect(yaml).toContain('Version: "2012-10-17"');
    expect(parseAllDocuments(yaml)).toHaveLength(2);
    expect(documents.map(fileNameOf)).toEqual(["my-s3-api.yaml", "apig-aws-proxy-role-role.yaml"]);
  });
});

// ---------------------------------------------------------------- tables

const base: RestApiModel = {
  key: "k",
  name: "k",
  endpointType: "REGIONAL",
  binaryMediaTypes: [],
  apiKeySource: "HEADER",
  disableExecuteApiEndpoint: false,
  tags: {},
  resources: { "/": { path: "/", methods: {} } },
  stages: {},
};
const method = { authorizationType: "NONE", apiKeyRequired: false, requestParameters: {}, responses: {} };
const integration = { type: "MOCK", requestParameters: {}, requestTemplates: {}, passthroughBehavior: "WHEN_NO_MATCH", timeoutInMillis: 29000, cacheKeyParameters: [], responses: {} };
const stage = { name: "s", variables: {}, tracingEnabled: false, methodSettings: {}, tags: {} };
const NO_ROLES = new Map<string, string>();

function specOf(model: Partial<RestApiModel>, roleRefs: ReadonlyMap<string, string> = NO_ROLES): Record<string, unknown> {
  return restApiManifest({ ...base, ...model }, "k", { target: TARGET, adopt: false, roleRefs }).spec;
}

describe("table: what the RestApi manifest says", () => {
  const rows: { reason: string; model: Partial<RestApiModel>; spec: Record<string, unknown>; roleRefs?: Map<string, string> }[] = [
    { reason: "every field at its default: only resources (required by the schema), and no name (it is metadata.name)", model: {}, spec: { resources: {} } },
    { reason: "a name other than the manifest's is written", model: { name: "MyS3" }, spec: { name: "MyS3", resources: {} } },
    {
      reason: "non-default API fields are written, tags sorted",
      model: { endpointType: "EDGE", apiKeySource: "AUTHORIZER", disableExecuteApiEndpoint: true, minimumCompressionSize: 0, binaryMediaTypes: ["*/*"], tags: { b: "2", a: "1" } },
      spec: { endpointType: "EDGE", binaryMediaTypes: ["*/*"], minimumCompressionSize: 0, apiKeySource: "AUTHORIZER", disableExecuteApiEndpoint: true, tags: { a: "1", b: "2" }, resources: {} },
    },
    {
      reason: "ancestors without methods are implied by their children; a leaf without methods is kept as {}",
      model: { resources: { "/": { path: "/", methods: {} }, "/a": { path: "/a", methods: {} }, "/a/b": { path: "/a/b", methods: {} }, "/c": { path: "/c", methods: { GET: method } } } },
      spec: { resources: { "/a/b": {}, "/c": { methods: { GET: {} } } } },
    },
    {
      reason: "methods in a fixed order (GET PUT POST DELETE HEAD OPTIONS PATCH ANY), default fields left out",
      model: { resources: { "/": { path: "/", methods: { ANY: method, HEAD: method, GET: { ...method, apiKeyRequired: true, authorizationType: "AWS_IAM" } } } } },
      spec: { resources: { "/": { methods: { GET: { authorizationType: "AWS_IAM", apiKeyRequired: true }, HEAD: {}, ANY: {} } } } },
    },
    {
      reason: "an integration at its defaults is only its type: no timeoutInMillis 29000, passthroughBehavior WHEN_NO_MATCH, empty maps",
      model: { resources: { "/": { path: "/", methods: { GET: { ...method, integration } } } } },
      spec: { resources: { "/": { methods: { GET: { integration: { type: "MOCK" } } } } } },
    },
    {
      reason: "the role an exported IamRole stands for becomes a roleRef; the target's Region and partition become placeholders",
      model: { resources: { "/": { path: "/", methods: { GET: { ...method, integration: { ...integration, type: "AWS", uri: "arn:aws:apigateway:us-east-1:s3:path//", credentials: "arn:aws:iam::123456789012:role/r" } } } } } },
      roleRefs: new Map([["arn:aws:iam::123456789012:role/r", "r"]]),
      spec: { resources: { "/": { methods: { GET: { integration: { type: "AWS", uri: "arn:${AWS_PARTITION}:apigateway:${AWS_REGION}:s3:path//", credentials: { roleRef: "r" } } } } } } },
    },
    {
      reason: "a role not exported (another account) stays an ARN; only the target's partition is a placeholder",
      model: { resources: { "/": { path: "/", methods: { GET: { ...method, integration: { ...integration, type: "AWS", credentials: "arn:aws:iam::999999999999:role/r" } } } } } },
      spec: { resources: { "/": { methods: { GET: { integration: { type: "AWS", credentials: "arn:${AWS_PARTITION}:iam::999999999999:role/r" } } } } } },
    },
    {
      reason: "a stage at its defaults is {}; */* first, method entries (even empty) as the model holds them",
      model: { resources: { "/": { path: "/", methods: { GET: method } } }, stages: { b: { ...stage, name: "b" }, a: { ...stage, name: "a", tracingEnabled: true, methodSettings: { "/GET": {}, "*/*": { metricsEnabled: true } }, variables: { v: "1" }, tags: { t: "x" } } } },
      spec: {
        resources: { "/": { methods: { GET: {} } } },
        stages: { a: { variables: { v: "1" }, tracingEnabled: true, methodSettings: { "*/*": { metricsEnabled: true }, "/GET": {} }, tags: { t: "x" } }, b: {} },
      },
    },
  ];
  it.each(rows)("$reason", ({ model, spec, roleRefs }) => {
    const got = specOf(model, roleRefs);
    expect(got).toEqual(spec);
    // key order too: the manifest reads the same on every export
    expect(stringify(got)).toBe(stringify(spec));
  });

  it("--adopt adds adopt: true, last", () => {
    const spec = restApiManifest(base, "k", { target: TARGET, adopt: true, roleRefs: NO_ROLES }).spec;
    expect(Object.entries(spec).at(-1)).toEqual(["adopt", true]);
  });
});

describe("table: the IamRole manifest", () => {
  const trust = { Version: "2012-10-17" as const, Statement: [{ Effect: "Allow" as const, Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }] };
  const role: IamRoleModel = { key: "r", roleName: "r", path: "/", assumeRolePolicy: trust, inlinePolicies: {}, managedPolicyArns: [], maxSessionDuration: 3600, tags: {} };
  const rows: { reason: string; model: Partial<IamRoleModel>; spec: Record<string, unknown> }[] = [
    { reason: "defaults left out; the trust policy's own-account principal written with placeholders", model: {}, spec: { assumeRolePolicy: { ...trust, Statement: [{ ...trust.Statement[0], Principal: { AWS: "arn:${AWS_PARTITION}:iam::${AWS_ACCOUNT_ID}:root" } }] } } },
    {
      reason: "non-defaults written; AWS managed policies keep their account field (aws), the partition is a placeholder",
      model: { roleName: "RoleX", path: "/svc/", maxSessionDuration: 7200, managedPolicyArns: ["arn:aws:iam::aws:policy/P"], tags: { a: "b" } },
      spec: { roleName: "RoleX", path: "/svc/", assumeRolePolicy: expect.anything() as unknown, managedPolicyArns: ["arn:${AWS_PARTITION}:iam::aws:policy/P"], maxSessionDuration: 7200, tags: { a: "b" } },
    },
  ];
  it.each(rows)("$reason", ({ model, spec }) => {
    expect(iamRoleManifest({ ...role, ...model }, "r", { target: TARGET, adopt: false }).spec).toEqual(spec);
  });
});

describe("table: ARNs with placeholders", () => {
  const rows: [reason: string, arn: string, expected: string][] = [
    ["the target's partition, Region and account in their fields", "arn:aws:execute-api:us-east-1:123456789012:abc/*", "arn:${AWS_PARTITION}:execute-api:${AWS_REGION}:${AWS_ACCOUNT_ID}:abc/*"],
    ["another Region and account stay", "arn:aws:sqs:eu-west-1:999999999999:q", "arn:${AWS_PARTITION}:sqs:eu-west-1:999999999999:q"],
    ["the account inside a path is not a field: kept", "arn:aws:apigateway:us-east-1:sqs:path/123456789012/q", "arn:${AWS_PARTITION}:apigateway:${AWS_REGION}:sqs:path/123456789012/q"],
    ["another partition stays", "arn:aws-cn:s3:::b", "arn:aws-cn:s3:::b"],
    ["not an ARN", "https://example.com/us-east-1", "https://example.com/us-east-1"],
    ["already holds a placeholder: left alone", "arn:${AWS_PARTITION}:s3:::b", "arn:${AWS_PARTITION}:s3:::b"],
  ];
  it.each(rows)("%s", (_, arn, expected) => {
    expect(withPlaceholders(arn, TARGET)).toBe(expected);
    if (!arn.includes("${")) expect((resolvePlaceholders({ objects: [{ kind: "IamRole", model: { key: "r", roleName: withPlaceholders(arn, TARGET) } } as never] }, TARGET).objects[0]?.model as { roleName?: string } | undefined)?.roleName).toBe(arn);
  });
});

describe("table: names", () => {
  const rows: [reason: string, name: string, slug: string][] = [
    ["camel case split at its humps", "MyS3", "my-s3"],
    ["the seed role's name gives the seed role's key", "apigAwsProxyRole", "apig-aws-proxy-role"],
    ["acronyms kept together", "HTTPProxy", "http-proxy"],
    ["spaces and symbols become one '-'", "My  API (v2)!", "my-api-v2"],
    ["nothing usable", "???", "exported"],
    ["at most 63 characters, no trailing '-'", `${"a".repeat(62)} b`, "a".repeat(62)],
  ];
  it.each(rows)("%s", (_, name, slug) => {
    expect(manifestNameOf(name)).toBe(slug);
    expect(slug).toMatch(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/);
  });

  const api = (id: string, name: string, tag?: string): RawRestApi => ({ raw: {}, summary: { id, name, tags: tag ? { "apigw-reconciler:name": tag } : {} } });
  const apis = [api("a1", "MyS3", "my-s3"), api("a2", "Same"), api("a3", "Same"), api("my-s3x", "Other")];
  const lookups: [reason: string, wanted: string, found: string | RegExp][] = [
    ["the manifest name (tag) first", "my-s3", "a1"],
    ["else the id", "a2", "a2"],
    ["else a name held by exactly one API", "Other", "my-s3x"],
    ["a name two APIs hold is ambiguous", "Same", /2 APIs are named Same/],
    ["nothing matches", "nope", /no API tagged/],
  ];
  it.each(lookups)("--api: %s", (_, wanted, found) => {
    if (typeof found === "string") expect(findApi(apis, wanted).summary.id).toBe(found);
    else expect(() => findApi(apis, wanted)).toThrow(found);
  });

  it("role ARNs: account, path and name", () => {
    expect(parseRoleArn("arn:aws:iam::123456789012:role/svc/a/Name")).toEqual({ accountId: "123456789012", path: "/svc/a/", roleName: "Name" });
    expect(parseRoleArn("arn:aws:iam::123456789012:role/Name")).toEqual({ accountId: "123456789012", path: "/", roleName: "Name" });
    expect(parseRoleArn("arn:aws:iam::123456789012:user/Name")).toBeUndefined();
  });
});

describe("the round-trip check reports what would change", () => {
  it("a description holding ${AWS_REGION} cannot be exported exactly: said, with its pointer", () => {
    const model: RestApiModel = { ...base, description: "in ${AWS_REGION}" };
    const documents = [restApiManifest(model, "k", { target: TARGET, adopt: false, roleRefs: NO_ROLES })];
    const loaded = loadExported([{ file: "k-api.yaml", text: documentYaml(documents[0] as never) }], TARGET);
    expect(roundTripDifferences({ api: model, roles: [] }, loaded)).toEqual([`RestApi k /description: live "in \${AWS_REGION}", manifest "in us-east-1"`]);
    expect(parse(documentYaml(documents[0] as never))).toMatchObject({ kind: "RestApi" });
  });
});
