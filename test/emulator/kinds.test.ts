/**
 * Usage plans, API keys, custom domain names and base path mappings: the real-AWS behaviours moto 5.2.1 lacks
 * and test/emulator/moto_patches.py (`_patch_kinds`, `_tag_target`) and server.py (quota table) add, shown
 * through the JS SDK v3 as the product calls them. Each `it` names its sources; the full list, with what the
 * sources leave open, is section 5 of test/emulator/SOURCES.md.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateBasePathMappingCommand,
  CreateDeploymentCommand,
  CreateDomainNameCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteBasePathMappingCommand,
  DeleteDomainNameCommand,
  DeleteRestApiCommand,
  DeleteStageCommand,
  DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetBasePathMappingCommand,
  GetBasePathMappingsCommand,
  GetDomainNameCommand,
  GetDomainNamesCommand,
  GetTagsCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiKeyCommand,
  UpdateBasePathMappingCommand,
  UpdateDomainNameCommand,
  UpdateUsagePlanCommand,
  type CreateDomainNameCommandInput,
  type PatchOperation,
} from "@aws-sdk/client-api-gateway";
import { startEmulator, type Emulator } from "./emulator.ts";
import { clientConfig, failure, unique, type Failure } from "./support.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const CERT = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab`;
const OTHER_REGION_CERT = `arn:aws:acm:us-west-2:${ACCOUNT}:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab`;

let emulator: Emulator;
let apigw: APIGatewayClient;

beforeAll(async () => {
  emulator = await startEmulator();
  apigw = new APIGatewayClient(clientConfig(emulator, REGION));
});

afterAll(async () => {
  apigw?.destroy();
  await emulator?.stop();
});

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------

const bad = (message: string): Failure => ({ name: "BadRequestException", status: 400, message });
const notFound = (message: string): Failure => ({ name: "NotFoundException", status: 404, message });
const conflict = (message: string): Failure => ({ name: "ConflictException", status: 409, message });

const replace = (path: string, value?: string): PatchOperation => ({ op: "replace", path, ...(value === undefined ? {} : { value }) });
const add = (path: string, value?: string): PatchOperation => ({ op: "add", path, ...(value === undefined ? {} : { value }) });
const remove = (path: string, value?: string): PatchOperation => ({ op: "remove", path, ...(value === undefined ? {} : { value }) });

const arn = (kind: "usageplans" | "apikeys" | "domainnames", id: string): string => `arn:aws:apigateway:${REGION}::/${kind}/${id}`;

/** A REGIONAL API with GET / (MOCK) deployed to each of `stages`. */
async function deployedApi(...stages: string[]): Promise<string> {
  const api = await apigw.send(new CreateRestApiCommand({ name: unique("api"), endpointConfiguration: { types: ["REGIONAL"] } }));
  const m = { restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET" };
  await apigw.send(new PutMethodCommand({ ...m, authorizationType: "NONE" }));
  await apigw.send(new PutIntegrationCommand({ ...m, type: "MOCK" }));
  for (const stageName of stages) await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName }));
  return api.id!;
}

const regional = (domainName: string, extra: Partial<CreateDomainNameCommandInput> = {}): CreateDomainNameCommandInput => ({
  domainName,
  regionalCertificateArn: CERT,
  endpointConfiguration: { types: ["REGIONAL"] },
  securityPolicy: "TLS_1_2",
  ...extra,
});

const domainName = (): string => `${unique("d")}.example.com`;

// ---------------------------------------------------------------------------------------
// 1. tags
// ---------------------------------------------------------------------------------------

describe("tags on usage plans, API keys and custom domain names", () => {
  it("TagResource / GetTags / UntagResource work on the three ARNs; absent resources are 404", async () => {
    // Sources: terraform-provider-aws usage_plan.go, api_key.go, domain_name.go (ARNs arn:aws:apigateway:{region}::/usageplans/{id},
    // …/apikeys/{id}, …/domainnames/{name}; tag updates through TagResource/UntagResource); moto's 404 messages.
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), tags: { owner: "a" } }));
    const key = await apigw.send(new CreateApiKeyCommand({ name: unique("key"), tags: { owner: "a" } }));
    const dn = domainName();
    await apigw.send(new CreateDomainNameCommand(regional(dn, { tags: { owner: "a" } })));
    for (const resourceArn of [arn("usageplans", plan.id!), arn("apikeys", key.id!), arn("domainnames", dn)]) {
      await apigw.send(new TagResourceCommand({ resourceArn, tags: { team: "t", owner: "b" } }));
      expect((await apigw.send(new GetTagsCommand({ resourceArn }))).tags).toEqual({ owner: "b", team: "t" });
      await apigw.send(new UntagResourceCommand({ resourceArn, tagKeys: ["owner"] }));
      expect((await apigw.send(new GetTagsCommand({ resourceArn }))).tags).toEqual({ team: "t" });
      // AWS: the aws: prefix is reserved (same rule as RestApi).
      expect(await failure(apigw.send(new TagResourceCommand({ resourceArn, tags: { "aws:x": "1" } })))).toEqual(bad("Tag keys cannot start with 'aws:'"));
    }
    expect(await failure(apigw.send(new GetTagsCommand({ resourceArn: arn("usageplans", "nope") })))).toEqual(notFound("Invalid Usage Plan ID specified"));
    expect(await failure(apigw.send(new GetTagsCommand({ resourceArn: arn("apikeys", "nope") })))).toEqual(notFound("Invalid API Key identifier specified"));
    expect(await failure(apigw.send(new GetTagsCommand({ resourceArn: arn("domainnames", "nope.example.com") })))).toEqual(
      notFound("Invalid domain name identifier specified"),
    );
  });

  it("Create* validate tags; list items carry tags when there are some, GetUsagePlan / UpdateApiKey carry {} when none", async () => {
    // Sources: LocalStack AWS-validated snapshots test_usage_plan_crud ("create-usage-plan" without tags, "get-usage-plan"
    // tags {}, "get-usage-plans" no tags), test_api_key_required_for_methods ("create-usage-plan" with tags),
    // test_negative_get_usage_plan_api_keys ("update-api-key-name" tags {}); steampipe-plugin-aws (reads tags from list items).
    const reserved = { "aws:cloudformation:stack-name": "s" };
    const reservedError = bad("Tag keys cannot start with 'aws:'");
    expect(await failure(apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), tags: reserved })))).toEqual(reservedError);
    expect(await failure(apigw.send(new CreateApiKeyCommand({ name: unique("key"), tags: reserved })))).toEqual(reservedError);
    expect(await failure(apigw.send(new CreateDomainNameCommand(regional(domainName(), { tags: reserved }))))).toEqual(reservedError);
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    expect((await failure(apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), tags: tooMany })))).status).toBe(400);

    const bare = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan") }));
    expect(bare.tags).toBeUndefined();
    expect((await apigw.send(new GetUsagePlanCommand({ usagePlanId: bare.id }))).tags).toEqual({});
    const tagged = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), tags: { owner: "a" } }));
    expect(tagged.tags).toEqual({ owner: "a" });
    const plans = (await apigw.send(new GetUsagePlansCommand({ limit: 500 }))).items!;
    expect(plans.find((p) => p.id === bare.id)!.tags).toBeUndefined();
    expect(plans.find((p) => p.id === tagged.id)!.tags).toEqual({ owner: "a" });

    const key = await apigw.send(new CreateApiKeyCommand({ name: unique("key"), tags: { owner: "k" } }));
    const keys = (await apigw.send(new GetApiKeysCommand({ limit: 500 }))).items!;
    expect(keys.find((k) => k.id === key.id)!.tags).toEqual({ owner: "k" });
    const plainKey = await apigw.send(new CreateApiKeyCommand({ name: unique("key") }));
    expect((await apigw.send(new UpdateApiKeyCommand({ apiKey: plainKey.id, patchOperations: [replace("/description", "d")] }))).tags).toEqual({});

    const dn = domainName();
    await apigw.send(new CreateDomainNameCommand(regional(dn, { tags: { owner: "d" } })));
    const domains = (await apigw.send(new GetDomainNamesCommand({ limit: 500 }))).items!;
    expect(domains.find((d) => d.domainName === dn)!.tags).toEqual({ owner: "d" });
  });
});

// ---------------------------------------------------------------------------------------
// 2. usage plans
// ---------------------------------------------------------------------------------------

describe("usage plans", () => {
  it("CreateUsagePlan: numbers read back as numbers (rateLimit a double, quota offset 0), stages must exist, name required", async () => {
    // Sources: LocalStack snapshots test_api_key_required_for_methods ("create-usage-plan": rateLimit 2 -> 2.0),
    // test_create_usage_plan_with_throttle (burst > rate accepted), LocalStack CFN test_update_usage_plan (offset 0);
    // AWS's answer quoted in aws/aws-cdk#6169 and aws/aws-sdk#354 (missing stage: literal "%s", 400).
    const apiId = await deployedApi("dev");
    const plan = await apigw.send(
      new CreateUsagePlanCommand({
        name: unique("plan"),
        apiStages: [{ apiId, stage: "dev", throttle: { "/GET": { burstLimit: 5, rateLimit: 2 } } }],
        throttle: { burstLimit: 20, rateLimit: 10 },
        quota: { limit: 100, period: "DAY" },
      }),
    );
    expect(plan).toMatchObject({
      apiStages: [{ apiId, stage: "dev", throttle: { "/GET": { burstLimit: 5, rateLimit: 2 } } }],
      throttle: { burstLimit: 20, rateLimit: 10 },
      quota: { limit: 100, offset: 0, period: "DAY" },
    });
    expect(plan.description).toBeUndefined();
    expect(plan.productCode).toBeUndefined();

    expect(await failure(apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), apiStages: [{ apiId, stage: "nope" }] })))).toEqual(
      bad("Invalid API Stage {api: %s, stage: %s} specified for usageplan %s"),
    );
    expect(await failure(apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), apiStages: [{ apiId: "zzzzzzzzzz", stage: "dev" }] })))).toEqual(
      bad("Invalid API Stage {api: %s, stage: %s} specified for usageplan %s"),
    );
    const noName = await failure(apigw.send(new CreateUsagePlanCommand({} as never)));
    expect(noName).toMatchObject({ name: "ValidationException", status: 400 });
    const year = await failure(apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), quota: { limit: 1, period: "YEAR" as "DAY" } })));
    expect(year).toEqual({
      name: "ValidationException",
      status: 400,
      message:
        "1 validation error detected: Value 'YEAR' at 'createUsagePlanInput.quota.period' failed to satisfy constraint: Member must satisfy enum value set: [DAY, WEEK, MONTH]",
    });
  });

  it("UpdateUsagePlan takes AWS's paths and ops; numbers stay numbers; a throttle or quota set by patch is created", async () => {
    // Sources: LocalStack snapshot test_usage_plan_crud ("update-usage-plan": replace /throttle/* and /quota/* on a plan
    // without either, quota gets offset 0; rateLimit a double); terraform-provider-aws usage_plan.go (add when absent,
    // replace otherwise; remove /throttle, /quota, /productCode; per-stage throttle paths).
    const apiId = await deployedApi("dev");
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), apiStages: [{ apiId, stage: "dev" }] }));
    const usagePlanId = plan.id!;
    const updated = await apigw.send(
      new UpdateUsagePlanCommand({
        usagePlanId,
        patchOperations: [
          replace("/name", "renamed"),
          replace("/description", "d"),
          add("/productCode", "pc"),
          replace("/throttle/burstLimit", "100"),
          replace("/throttle/rateLimit", "12.5"),
          replace("/quota/period", "MONTH"),
          add("/quota/limit", "500"),
          replace(`/apiStages/${apiId}:dev/throttle//pets/GET/rateLimit`, "3.5"),
          replace(`/apiStages/${apiId}:dev/throttle//pets/GET/burstLimit`, "7"),
        ],
      }),
    );
    expect(updated).toMatchObject({
      name: "renamed",
      description: "d",
      productCode: "pc",
      throttle: { burstLimit: 100, rateLimit: 12.5 },
      quota: { limit: 500, offset: 0, period: "MONTH" },
      apiStages: [{ apiId, stage: "dev", throttle: { "/pets/GET": { rateLimit: 3.5, burstLimit: 7 } } }],
      tags: {},
    });
    const read = await apigw.send(new GetUsagePlanCommand({ usagePlanId }));
    expect(typeof read.quota!.limit).toBe("number");
    expect(typeof read.quota!.offset).toBe("number");
    expect(typeof read.throttle!.rateLimit).toBe("number");

    const cleared = await apigw.send(
      new UpdateUsagePlanCommand({
        usagePlanId,
        patchOperations: [remove("/throttle"), remove("/quota"), remove("/productCode"), replace("/description", ""), remove(`/apiStages/${apiId}:dev/throttle//pets/GET`)],
      }),
    );
    expect(cleared.throttle).toBeUndefined();
    expect(cleared.quota).toBeUndefined();
    expect(cleared.productCode).toBeUndefined();
    expect(cleared.description).toBeUndefined();
    expect(cleared.apiStages).toEqual([{ apiId, stage: "dev" }]);
  });

  it("UpdateUsagePlan refuses other paths with AWS's message and list, all-or-nothing", async () => {
    // Sources: AWS's remove list quoted verbatim in boto/boto3#2629 (two spaces after "path", "apidId" sic); the
    // add/replace lists are the same shape (inferred, SOURCES.md).
    const apiId = await deployedApi("dev");
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), apiStages: [{ apiId, stage: "dev" }] }));
    const usagePlanId = plan.id!;
    const update = (...patchOperations: PatchOperation[]): Promise<unknown> => apigw.send(new UpdateUsagePlanCommand({ usagePlanId, patchOperations }));
    expect(await failure(update(remove(`/apiStages/${apiId}:dev`)))).toEqual(
      bad(
        `Invalid patch path  '/apiStages/${apiId}:dev' specified for op 'remove'. Must be one of: [/apiStages, /quota, /throttle, /productCode, /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>, /apiStages/<apidId:stageName>/throttle]`,
      ),
    );
    expect(await failure(update(replace("/foo", "x")))).toMatchObject(bad(expect.stringMatching(/^Invalid patch path {2}'\/foo' specified for op 'replace'\. Must be one of: \[\/name, /) as never));
    expect(await failure(update(add("/name", "x")))).toMatchObject(bad(expect.stringMatching(/^Invalid patch path {2}'\/name' specified for op 'add'\. Must be one of: \[\/apiStages, /) as never));
    const forRemove: unknown = expect.stringContaining("specified for op 'remove'");
    expect(await failure(update(remove("/description")))).toMatchObject({ status: 400, message: forRemove });
    expect(await failure(update(replace("/throttle/rateLimit", "fast")))).toMatchObject({ name: "BadRequestException", status: 400 });
    expect(await failure(update(replace("/quota/period", "YEAR")))).toMatchObject({ name: "BadRequestException", status: 400 });
    // All-or-nothing: the rename before the refused op is not applied.
    await failure(update(replace("/name", "renamed"), replace("/foo", "x")));
    expect((await apigw.send(new GetUsagePlanCommand({ usagePlanId }))).name).toBe(plan.name);
    expect(await failure(apigw.send(new UpdateUsagePlanCommand({ usagePlanId: "nope", patchOperations: [replace("/name", "x")] })))).toEqual(
      notFound("Invalid Usage Plan ID specified"),
    );
  });

  it("apiStages add/remove are checked against the plan and the API's stages with AWS's 400/404", async () => {
    // Sources: LocalStack snapshot test_usage_plan_crud ("update-wrong-api-stages-no-value" / "-wrong-value": 400
    // "Invalid API Stage specified"; "-wrong-api" / "-wrong-stage": 404 "Invalid API Stage {api: …, stage: …} specified
    // for usageplan …"); "API Stage not found: …" for add of a missing stage quoted in boto/boto3#825,
    // serverless/serverless#2831; terraform-provider-aws (removes every old stage, adds every new one, in one call).
    const apiId = await deployedApi("dev", "prod");
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), apiStages: [{ apiId, stage: "dev" }] }));
    const usagePlanId = plan.id!;
    const update = (...patchOperations: PatchOperation[]): Promise<unknown> => apigw.send(new UpdateUsagePlanCommand({ usagePlanId, patchOperations }));
    expect(await failure(update(remove("/apiStages")))).toEqual(bad("Invalid API Stage specified"));
    expect(await failure(update(remove("/apiStages", "fakevalue")))).toEqual(bad("Invalid API Stage specified"));
    expect(await failure(update(remove("/apiStages", `${apiId}b:dev`)))).toEqual(notFound(`Invalid API Stage {api: ${apiId}b, stage: dev} specified for usageplan ${usagePlanId}`));
    expect(await failure(update(remove("/apiStages", `${apiId}:fakestagename`)))).toEqual(
      notFound(`Invalid API Stage {api: ${apiId}, stage: fakestagename} specified for usageplan ${usagePlanId}`),
    );
    // A stage of the API that the plan does not hold.
    expect(await failure(update(remove("/apiStages", `${apiId}:prod`)))).toEqual(notFound(`Invalid API Stage {api: ${apiId}, stage: prod} specified for usageplan ${usagePlanId}`));
    expect(await failure(update(add("/apiStages", `${apiId}:nope`)))).toEqual(notFound(`API Stage not found: ${apiId}:nope`));
    expect((await failure(update(add("/apiStages", `${apiId}:dev`)))).status).toBe(409);

    const swapped = await apigw.send(
      new UpdateUsagePlanCommand({ usagePlanId, patchOperations: [remove("/apiStages", `${apiId}:dev`), add("/apiStages", `${apiId}:dev`), add("/apiStages", `${apiId}:prod`)] }),
    );
    expect(swapped.apiStages).toEqual([
      { apiId, stage: "dev" },
      { apiId, stage: "prod" },
    ]);
    // Per-stage throttling needs the stage in the plan.
    expect((await failure(update(replace(`/apiStages/${apiId}:nope/throttle//x/GET/rateLimit`, "1")))).status).toBe(404);
  });

  it("usage plan keys: plan must exist, one membership per key, one plan per key and stage; keys read live", async () => {
    // Sources: LocalStack snapshot test_get_usage_plan_api_keys (create-up-key returns the value; unknown plan lists
    // []; nameQuery case-sensitive prefix); AWS docs api-gateway-api-usage-plans.html ("A given API key can only be
    // associated with one usage plan for each stage of your API"); the conflict wordings are inferred.
    const apiId = await deployedApi("dev");
    const a = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), apiStages: [{ apiId, stage: "dev" }] }));
    const b = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), apiStages: [{ apiId, stage: "dev" }] }));
    const c = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan") }));
    const key = await apigw.send(new CreateApiKeyCommand({ name: "Shared-key", enabled: true }));
    const member = await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: a.id, keyId: key.id, keyType: "API_KEY" }));
    expect(member).toMatchObject({ id: key.id, name: "Shared-key", type: "API_KEY", value: key.value });
    expect(await failure(apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: "nope", keyId: key.id, keyType: "API_KEY" })))).toEqual(
      notFound("Invalid Usage Plan ID specified"),
    );
    expect((await failure(apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: a.id, keyId: key.id, keyType: "API_KEY" })))).status).toBe(409);
    expect((await failure(apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: b.id, keyId: key.id, keyType: "API_KEY" })))).status).toBe(409);
    expect((await failure(apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: c.id, keyId: key.id, keyType: "FOO" })))).status).toBe(400);
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: c.id, keyId: key.id, keyType: "API_KEY" }));

    expect((await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: a.id, nameQuery: "Shared" }))).items!.map((k) => k.id)).toEqual([key.id]);
    expect((await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: a.id, nameQuery: "shared" }))).items).toEqual([]);
    expect((await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: "nope" }))).items).toEqual([]);
    await apigw.send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [replace("/name", "Renamed")] }));
    expect((await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: a.id }))).items![0]!.name).toBe("Renamed");
    expect((await apigw.send(new GetUsagePlansCommand({ keyId: key.id }))).items!.map((p) => p.id).sort()).toEqual([a.id, c.id].sort());

    await apigw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: c.id, keyId: key.id }));
    expect(await failure(apigw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: c.id, keyId: key.id })))).toMatchObject({ status: 404 });
  });
});

// ---------------------------------------------------------------------------------------
// 3. API keys
// ---------------------------------------------------------------------------------------

describe("API keys", () => {
  it("UpdateApiKey: replace on /name, /description, /enabled, /customerId only; the answer has no value and tags {}", async () => {
    // Sources: LocalStack snapshots test_update_api_key_immutable_field (verbatim message), test_update_api_key_invalid_enabled_type
    // ("not-a-boolean" -> false), test_negative_get_usage_plan_api_keys ("update-api-key-name": no value, tags {}),
    // test_update_api_key_invalid_description_length; aws-controllers-k8s api_key/hooks.go (stage keys add/remove).
    const key = await apigw.send(new CreateApiKeyCommand({ name: unique("key"), enabled: true, customerId: "c1" }));
    const apiKey = key.id!;
    const only = (path: string, op = "replace"): Failure =>
      bad(`Invalid patch path  '${path}' specified for op '${op}'. Must be one of: [/description, /enabled, /name, /customerId]`);
    expect(await failure(apigw.send(new UpdateApiKeyCommand({ apiKey, patchOperations: [replace("/id", "new-id")] })))).toEqual(only("/id"));
    expect(await failure(apigw.send(new UpdateApiKeyCommand({ apiKey, patchOperations: [replace("/value", "x".repeat(30))] })))).toEqual(only("/value"));
    expect((await failure(apigw.send(new UpdateApiKeyCommand({ apiKey, patchOperations: [remove("/description")] })))).status).toBe(400);
    expect(await failure(apigw.send(new UpdateApiKeyCommand({ apiKey, patchOperations: [replace("/description", "a".repeat(125001))] })))).toEqual(
      bad("Invalid API Key description specified."),
    );

    const updated = await apigw.send(
      new UpdateApiKeyCommand({ apiKey, patchOperations: [replace("/name", "renamed"), replace("/enabled", "not-a-boolean"), replace("/customerId", "c2")] }),
    );
    expect(updated).toMatchObject({ id: apiKey, name: "renamed", enabled: false, customerId: "c2", tags: {}, stageKeys: [] });
    expect(updated.value).toBeUndefined();
    expect((await apigw.send(new GetApiKeyCommand({ apiKey, includeValue: true }))).value).toBe(key.value);

    const apiId = await deployedApi("dev");
    const withStage = await apigw.send(new UpdateApiKeyCommand({ apiKey, patchOperations: [add(`/stages/${apiId}~1dev`, "")] }));
    expect(withStage.stageKeys).toEqual([`${apiId}/dev`]);
    expect((await apigw.send(new UpdateApiKeyCommand({ apiKey, patchOperations: [remove(`/stages/${apiId}~1dev`)] }))).stageKeys).toEqual([]);
  });

  it("CreateApiKey: value 20–128 characters and unique, name ≤ 1024; disabled by default; values only when asked for", async () => {
    // Sources: LocalStack snapshots test_create_api_key_with_invalid_value, test_create_api_key_with_invalid_name,
    // test_update_api_key_invalid_description_length, test_get_api_keys (enabled false, list items without value);
    // AWS's 409 "API Key already exists" quoted in rrahul963/serverless-add-api-key#27.
    expect(await failure(apigw.send(new CreateApiKeyCommand({ value: "short" })))).toEqual(bad("API Key value should be at least 20 characters"));
    expect(await failure(apigw.send(new CreateApiKeyCommand({ value: "a".repeat(129) })))).toEqual(bad("API Key value exceeds maximum size of 128 characters"));
    expect(await failure(apigw.send(new CreateApiKeyCommand({ name: "n".repeat(1025) })))).toEqual(bad("Invalid API Key name, can be at most 1024 characters."));
    expect(await failure(apigw.send(new CreateApiKeyCommand({ description: "d".repeat(125001) })))).toEqual(bad("Invalid API Key description specified."));
    const value = `v${unique("value")}`.padEnd(24, "x");
    const key = await apigw.send(new CreateApiKeyCommand({ name: unique("key"), value, customerId: "cust-1" }));
    expect(key).toMatchObject({ value, enabled: false, stageKeys: [] });
    expect(await failure(apigw.send(new CreateApiKeyCommand({ name: unique("key"), value })))).toEqual(conflict("API Key already exists"));
    const generated = await apigw.send(new CreateApiKeyCommand({ value: "" }));
    expect(generated.value!.length).toBeGreaterThanOrEqual(20);
    expect(generated.name).toBeUndefined();

    expect((await apigw.send(new GetApiKeyCommand({ apiKey: key.id }))).value).toBeUndefined();
    expect((await apigw.send(new GetApiKeysCommand({ customerId: "cust-1" }))).items!.map((k) => [k.id, k.value])).toEqual([[key.id, undefined]]);
    expect((await apigw.send(new GetApiKeysCommand({ customerId: "cust-1", includeValues: true }))).items!.map((k) => k.value)).toEqual([value]);
    // Paged by limit / position.
    const first = await apigw.send(new GetApiKeysCommand({ limit: 1 }));
    expect(first.items).toHaveLength(1);
    expect(first.position).toBeDefined();
    const second = await apigw.send(new GetApiKeysCommand({ limit: 1, position: first.position }));
    expect(second.items![0]!.id).not.toBe(first.items![0]!.id);
  });
});

// ---------------------------------------------------------------------------------------
// 4. custom domain names and base path mappings
// ---------------------------------------------------------------------------------------

describe("custom domain names", () => {
  it("CreateDomainName (REGIONAL): regional fields only, domainNameArn, the Region's hosted zone; a second create is 400", async () => {
    // Sources: SDK DomainName docs (distribution* edge-only, regional* regional-only; domainNameArn); AWS General Reference
    // apigateway.html (Regional hosted zone per Region, Z2FDTNDATAQYW2 for edge); the duplicate's answer quoted in
    // Miserlou/Zappa#1410 and aws/chalice#1852 (BadRequestException, "Status Code: 400").
    const dn = domainName();
    const created = await apigw.send(new CreateDomainNameCommand(regional(dn, { regionalCertificateName: "cert" })));
    const regionalName: unknown = expect.stringMatching(new RegExp(`^d-[a-z0-9]+\\.execute-api\\.${REGION}\\.amazonaws\\.com$`));
    expect(created).toMatchObject({
      domainName: dn,
      domainNameArn: `arn:aws:apigateway:${REGION}::/domainnames/${dn}`,
      regionalDomainName: regionalName,
      regionalHostedZoneId: "Z1UJRXOUMOOFQ8",
      regionalCertificateArn: CERT,
      regionalCertificateName: "cert",
      endpointConfiguration: { types: ["REGIONAL"] },
      securityPolicy: "TLS_1_2",
      domainNameStatus: "AVAILABLE",
    });
    expect(created.distributionDomainName).toBeUndefined();
    expect(created.distributionHostedZoneId).toBeUndefined();
    expect(created.tags).toBeUndefined();
    expect((await apigw.send(new GetDomainNameCommand({ domainName: dn }))).tags).toEqual({});

    expect(await failure(apigw.send(new CreateDomainNameCommand(regional(dn, { securityPolicy: "TLS_1_0", tags: { x: "y" } }))))).toEqual(
      bad("The domain name you provided already exists."),
    );
    // The first domain is untouched.
    expect(await apigw.send(new GetDomainNameCommand({ domainName: dn }))).toMatchObject({ securityPolicy: "TLS_1_2", regionalDomainName: created.regionalDomainName, tags: {} });
  });

  it("CreateDomainName validates the security policy, the endpoint type's certificate and its Region", async () => {
    // Sources: SDK 3.1142 SecurityPolicy enum; the ValidationException shape of LocalStack snapshot "putIntegrationInput.type";
    // AWS's answers quoted in serverless/serverless#13332 ("Endpoint access mode is required for the specified security
    // policy"), amplify-education/serverless-domain-manager#49 ("Certificate must be in 'us-west-2'."), anomalyco/sst#4131
    // ("Cannot import certificates for EDGE while REGIONAL is active."), hashicorp/terraform-provider-aws#3276 ("A certificate
    // was not provided for the endpoint type EDGE.").
    const policy = await failure(apigw.send(new CreateDomainNameCommand(regional(domainName(), { securityPolicy: "TLS_9" as "TLS_1_2" }))));
    const enumMessage: unknown = expect.stringMatching(
      /^1 validation error detected: Value 'TLS_9' at 'createDomainNameInput\.securityPolicy' failed to satisfy constraint: Member must satisfy enum value set: \[.*TLS_1_2\]$/,
    );
    expect(policy).toMatchObject({ name: "ValidationException", status: 400, message: enumMessage });
    expect(await failure(apigw.send(new CreateDomainNameCommand(regional(domainName(), { securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06" }))))).toEqual(
      bad("Endpoint access mode is required for the specified security policy"),
    );
    const strict = await apigw.send(new CreateDomainNameCommand(regional(domainName(), { securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06", endpointAccessMode: "STRICT" })));
    expect(strict).toMatchObject({ securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06", endpointAccessMode: "STRICT" });

    expect(await failure(apigw.send(new CreateDomainNameCommand(regional(domainName(), { regionalCertificateArn: undefined }))))).toEqual(
      bad("A certificate was not provided for the endpoint type REGIONAL."),
    );
    expect(await failure(apigw.send(new CreateDomainNameCommand(regional(domainName(), { regionalCertificateArn: undefined, certificateArn: CERT }))))).toEqual(
      bad("Cannot import certificates for EDGE while REGIONAL is active."),
    );
    expect(await failure(apigw.send(new CreateDomainNameCommand(regional(domainName(), { regionalCertificateArn: OTHER_REGION_CERT }))))).toEqual(
      bad(`Invalid certificate ARN: ${OTHER_REGION_CERT}. Certificate must be in '${REGION}'.`),
    );
    expect(await failure(apigw.send(new CreateDomainNameCommand({ domainName: domainName() })))).toEqual(bad("A certificate was not provided for the endpoint type EDGE."));
    const edge = await apigw.send(new CreateDomainNameCommand({ domainName: domainName(), certificateArn: CERT }));
    expect(edge).toMatchObject({ endpointConfiguration: { types: ["EDGE"] }, distributionHostedZoneId: "Z2FDTNDATAQYW2", certificateArn: CERT });
    expect(edge.regionalDomainName).toBeUndefined();
  });

  it("UpdateDomainName applies the paths clients send, checks the result, refuses other paths", async () => {
    // Sources: moto 5.2.1 has no UpdateDomainName (500); terraform-provider-aws domain_name.go (replace /securityPolicy,
    // /regionalCertificateArn, /regionalCertificateName, /endpointConfiguration/types/0 …); aws-controllers-k8s
    // domain_name/hooks.go (add/remove on the regional certificate fields); message shape quoted in hashicorp/terraform#8789.
    const dn = domainName();
    await apigw.send(new CreateDomainNameCommand(regional(dn)));
    const otherCert = CERT.replace("0a1b2c3d", "9f8e7d6c");
    const updated = await apigw.send(
      new UpdateDomainNameCommand({ domainName: dn, patchOperations: [replace("/securityPolicy", "TLS_1_0"), replace("/regionalCertificateArn", otherCert), add("/regionalCertificateName", "c2")] }),
    );
    expect(updated).toMatchObject({ securityPolicy: "TLS_1_0", regionalCertificateArn: otherCert, regionalCertificateName: "c2", tags: {} });
    expect(await apigw.send(new GetDomainNameCommand({ domainName: dn }))).toMatchObject({ securityPolicy: "TLS_1_0", regionalCertificateArn: otherCert });

    expect(await failure(apigw.send(new UpdateDomainNameCommand({ domainName: dn, patchOperations: [replace("/regionalCertificateArn", OTHER_REGION_CERT)] })))).toEqual(
      bad(`Invalid certificate ARN: ${OTHER_REGION_CERT}. Certificate must be in '${REGION}'.`),
    );
    expect(await failure(apigw.send(new UpdateDomainNameCommand({ domainName: dn, patchOperations: [replace("/domainName", "x.example.com")] })))).toMatchObject(
      bad(expect.stringMatching(/^Invalid patch path {2}'\/domainName' specified for op 'replace'\. Must be one of: \[\/certificateName, /) as never),
    );
    expect((await failure(apigw.send(new UpdateDomainNameCommand({ domainName: dn, patchOperations: [replace("/securityPolicy", "TLS_9")] })))).status).toBe(400);
    // All-or-nothing, and the result must keep the certificate its endpoint type needs.
    expect(
      await failure(apigw.send(new UpdateDomainNameCommand({ domainName: dn, patchOperations: [replace("/securityPolicy", "TLS_1_2"), remove("/regionalCertificateArn")] }))),
    ).toEqual(bad("A certificate was not provided for the endpoint type REGIONAL."));
    expect((await apigw.send(new GetDomainNameCommand({ domainName: dn }))).securityPolicy).toBe("TLS_1_0");
    expect(await failure(apigw.send(new UpdateDomainNameCommand({ domainName: "nope.example.com", patchOperations: [replace("/securityPolicy", "TLS_1_2")] })))).toEqual(
      notFound("Invalid domain name identifier specified"),
    );
  });
});

describe("base path mappings", () => {
  it("an empty base path is (none), must be the only mapping; a domain without mappings lists []", async () => {
    // Sources: terraform-provider-aws base_path_mapping.go (emptyBasePathMappingValue = "(none)"); SDK CreateBasePathMapping
    // doc ("Specify '(none)'…"); AWS's 409 quoted in amplify-education/serverless-domain-manager#179 and aws-cdk#17915.
    const apiId = await deployedApi("dev");
    const dn = domainName();
    await apigw.send(new CreateDomainNameCommand(regional(dn)));
    expect((await apigw.send(new GetBasePathMappingsCommand({ domainName: dn }))).items).toEqual([]);

    const root = await apigw.send(new CreateBasePathMappingCommand({ domainName: dn, restApiId: apiId, stage: "dev" }));
    expect(root).toMatchObject({ basePath: "(none)", restApiId: apiId, stage: "dev" });
    expect(await apigw.send(new GetBasePathMappingCommand({ domainName: dn, basePath: "(none)" }))).toMatchObject({ basePath: "(none)", restApiId: apiId });
    const onlyOne = conflict("Only one base path mapping is allowed if the base path is empty.");
    expect(await failure(apigw.send(new CreateBasePathMappingCommand({ domainName: dn, restApiId: apiId, stage: "dev", basePath: "v1" })))).toEqual(onlyOne);
    expect(await failure(apigw.send(new CreateBasePathMappingCommand({ domainName: dn, restApiId: apiId, stage: "dev" })))).toEqual(
      conflict("Base path already exists for this domain name"),
    );

    const other = domainName();
    await apigw.send(new CreateDomainNameCommand(regional(other)));
    await apigw.send(new CreateBasePathMappingCommand({ domainName: other, restApiId: apiId, stage: "dev", basePath: "v1" }));
    expect(await failure(apigw.send(new CreateBasePathMappingCommand({ domainName: other, restApiId: apiId, stage: "dev", basePath: "" })))).toEqual(onlyOne);
    expect((await apigw.send(new GetBasePathMappingsCommand({ domainName: other }))).items).toEqual([{ basePath: "v1", restApiId: apiId, stage: "dev" }]);
  });

  it("UpdateBasePathMapping: replace /basePath (renames), /restapiId, /stage; other ops and paths refused", async () => {
    // Source: terraform-provider-aws base_path_mapping.go resourceBasePathMappingUpdate (the three replace paths); AWS's
    // answer to anything else is unrecorded (refused, wording inferred).
    const apiId = await deployedApi("dev", "prod");
    const dn = domainName();
    await apigw.send(new CreateDomainNameCommand(regional(dn)));
    await apigw.send(new CreateBasePathMappingCommand({ domainName: dn, restApiId: apiId, stage: "dev", basePath: "v1" }));
    const renamed = await apigw.send(new UpdateBasePathMappingCommand({ domainName: dn, basePath: "v1", patchOperations: [replace("/basePath", "v2"), replace("/stage", "prod")] }));
    expect(renamed).toEqual(expect.objectContaining({ basePath: "v2", restApiId: apiId, stage: "prod" }));
    expect((await failure(apigw.send(new GetBasePathMappingCommand({ domainName: dn, basePath: "v1" })))).status).toBe(404);
    expect(await failure(apigw.send(new UpdateBasePathMappingCommand({ domainName: dn, basePath: "v2", patchOperations: [add("/stage", "dev")] })))).toEqual(
      bad("Invalid patch operation specified. Must be one of: [replace]"),
    );
    expect(await failure(apigw.send(new UpdateBasePathMappingCommand({ domainName: dn, basePath: "v2", patchOperations: [replace("/foo", "x")] })))).toEqual(
      bad("Invalid patch path  '/foo' specified for op 'replace'. Must be one of: [/basePath, /restapiId, /stage]"),
    );
    expect(await failure(apigw.send(new UpdateBasePathMappingCommand({ domainName: dn, basePath: "v2", patchOperations: [replace("/stage", "nope")] })))).toEqual(
      bad("Invalid stage identifier specified"),
    );
  });
});

// ---------------------------------------------------------------------------------------
// 5. cross-object rules
// ---------------------------------------------------------------------------------------

describe("cross-object rules", () => {
  it("DeleteUsagePlan is refused while the plan has stages; once deleted its keys are gone", async () => {
    // Sources: AWS's answer quoted in aws/aws-sdk-js#3841 and serverless/serverless#4006; terraform-provider-aws
    // resourceUsagePlanDelete (removes the stages in one UpdateUsagePlan first); LocalStack snapshot
    // "get-up-keys-bad-usage-plan" (an unknown plan lists no keys).
    const apiId = await deployedApi("dev");
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), apiStages: [{ apiId, stage: "dev" }] }));
    const key = await apigw.send(new CreateApiKeyCommand({ name: unique("key") }));
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: "API_KEY" }));
    expect(await failure(apigw.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id })))).toEqual(
      bad(`Cannot delete Usage Plan ${plan.id} because there are API Stages associated with it, including ${apiId}:dev`),
    );
    await apigw.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [remove("/apiStages", `${apiId}:dev`)] }));
    await apigw.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id }));
    expect((await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }))).items).toEqual([]);
    expect(await failure(apigw.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id })))).toEqual(notFound("Invalid Usage Plan ID specified"));
  });

  it("DeleteApiKey takes the key out of every usage plan", async () => {
    // Source: LocalStack snapshot test_get_usage_plan_api_keys ("get-up-keys-after-delete": []).
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan") }));
    const key = await apigw.send(new CreateApiKeyCommand({ name: unique("key") }));
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: "API_KEY" }));
    await apigw.send(new DeleteApiKeyCommand({ apiKey: key.id }));
    expect((await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }))).items).toEqual([]);
    expect((await apigw.send(new GetUsagePlansCommand({ keyId: key.id }))).items).toEqual([]);
    expect(await failure(apigw.send(new DeleteApiKeyCommand({ apiKey: key.id })))).toEqual(notFound("Invalid API Key identifier specified"));
  });

  it("DeleteStage drops the stage from usage plans; deleting its API drops them all", async () => {
    // Source: terraform-provider-aws#14100 (maintainer: stage recreation "will remove downstream resources such as …
    // aws_api_gateway_usage_plan associated with that stage"); the API-level rule follows (inferred).
    const apiId = await deployedApi("dev", "prod");
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan"), apiStages: [{ apiId, stage: "dev" }, { apiId, stage: "prod" }] }));
    await apigw.send(new DeleteStageCommand({ restApiId: apiId, stageName: "dev" }));
    expect((await apigw.send(new GetUsagePlanCommand({ usagePlanId: plan.id }))).apiStages).toEqual([{ apiId, stage: "prod" }]);
    await apigw.send(new DeleteRestApiCommand({ restApiId: apiId }));
    expect((await apigw.send(new GetUsagePlanCommand({ usagePlanId: plan.id }))).apiStages).toEqual([]);
  });

  it("DeleteRestApi is refused while base path mappings point at it; DeleteDomainName deletes its mappings", async () => {
    // Sources: AWS's answer quoted in serverless/serverless#3638 and glomex/gcdt#373; DeleteDomainName taking the
    // mappings with it quoted in aws/chalice#1918.
    const apiId = await deployedApi("dev");
    const dn = domainName();
    await apigw.send(new CreateDomainNameCommand(regional(dn)));
    await apigw.send(new CreateBasePathMappingCommand({ domainName: dn, restApiId: apiId, stage: "dev", basePath: "v1" }));
    expect(await failure(apigw.send(new DeleteRestApiCommand({ restApiId: apiId })))).toEqual(
      bad(`Deleting RestApi ${apiId} failed. Please remove all base path mappings related to the RestApi in your domains: ${dn}.`),
    );
    await apigw.send(new DeleteBasePathMappingCommand({ domainName: dn, basePath: "v1" }));
    await apigw.send(new CreateBasePathMappingCommand({ domainName: dn, restApiId: apiId, stage: "dev" }));
    await apigw.send(new DeleteDomainNameCommand({ domainName: dn }));
    await apigw.send(new CreateDomainNameCommand(regional(dn)));
    expect((await apigw.send(new GetBasePathMappingsCommand({ domainName: dn }))).items).toEqual([]);
    await apigw.send(new DeleteRestApiCommand({ restApiId: apiId }));
  });
});

// ---------------------------------------------------------------------------------------
// 6. write quotas
// ---------------------------------------------------------------------------------------

describe("quota mode: the write quotas of these kinds", () => {
  afterAll(async () => {
    await emulator.configure({ quota: false });
  });

  it("UpdateUsagePlan 1 / 20 s; Create/Update/DeleteDomainName 1 / 30 s each; CreateApiKey / DeleteApiKey 5 / s", async () => {
    // Source: AWS docs https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html (fixed control-plane quotas).
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: unique("plan") }));
    const dn = domainName();
    await emulator.configure({ quota: true }); // refills every bucket
    const throttled = { name: "TooManyRequestsException", status: 429, message: "Too Many Requests" };

    await apigw.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [replace("/description", "1")] }));
    expect(await failure(apigw.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [replace("/description", "2")] })))).toEqual(throttled);
    // Other usage-plan calls only share the account-wide bucket.
    await apigw.send(new GetUsagePlanCommand({ usagePlanId: plan.id }));

    await apigw.send(new CreateDomainNameCommand(regional(dn)));
    expect(await failure(apigw.send(new CreateDomainNameCommand(regional(domainName()))))).toEqual(throttled);
    await apigw.send(new UpdateDomainNameCommand({ domainName: dn, patchOperations: [replace("/securityPolicy", "TLS_1_0")] }));
    expect(await failure(apigw.send(new UpdateDomainNameCommand({ domainName: dn, patchOperations: [replace("/securityPolicy", "TLS_1_2")] })))).toEqual(throttled);
    await apigw.send(new DeleteDomainNameCommand({ domainName: dn }));
    expect(await failure(apigw.send(new DeleteDomainNameCommand({ domainName: dn })))).toEqual(throttled);

    // Sent together so they arrive well within the 0.2 s the bucket takes to refill one token.
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        apigw.send(new CreateApiKeyCommand({ name: unique("q") })).then(
          () => "ok",
          (e: { $metadata?: { httpStatusCode?: number } }) => String(e.$metadata?.httpStatusCode),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === "ok").length).toBeGreaterThanOrEqual(5);
    expect(outcomes).toContain("429");

    const log = await emulator.calls();
    expect(log.throttled).toBeGreaterThanOrEqual(5);
  });
});
