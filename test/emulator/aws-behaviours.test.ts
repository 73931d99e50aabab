/**
 * Real-AWS API Gateway behaviours that moto lacks and test/emulator/moto_patches.py adds, shown through
 * the JS SDK v3 as the product calls them. Each `it` names the source the behaviour comes from; the
 * full list, with what the sources leave open, is test/emulator/SOURCES.md.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetMethodResponseCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
  UpdateMethodCommand,
  UpdateMethodResponseCommand,
  UpdateResourceCommand,
  UpdateRestApiCommand,
  UpdateStageCommand,
  type MethodSetting,
  type PatchOperation,
} from "@aws-sdk/client-api-gateway";
import { startEmulator, type Emulator } from "./emulator.ts";
import { clientConfig, failure, unique, type Failure } from "./support.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/apigw-s3-proxy`;

let emulator: Emulator;
let apigw: APIGatewayClient;

function client(region: string): APIGatewayClient {
  return new APIGatewayClient(clientConfig(emulator, region));
}

beforeAll(async () => {
  emulator = await startEmulator();
  apigw = client(REGION);
});

afterAll(async () => {
  apigw?.destroy();
  await emulator?.stop();
});

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------


const replace = (path: string, value: string): PatchOperation => ({ op: "replace", path, value });
/** replace with no value: how AWS clients clear a scalar that refuses `remove`. */
const clear = (path: string): PatchOperation => ({ op: "replace", path });
const add = (path: string, value?: string): PatchOperation => ({ op: "add", path, ...(value === undefined ? {} : { value }) });
const remove = (path: string): PatchOperation => ({ op: "remove", path });

const bad = (message: string): Omit<Failure, "message"> & { message: string } => ({ name: "BadRequestException", status: 400, message });

interface Method {
  restApiId: string;
  resourceId: string;
  httpMethod: string;
}

/**
 * An API with GET /files: method (path param `key` declared, operationName set), AWS integration with
 * credentials, contentHandling and a mapping from the path param, a 200 method response declaring
 * Content-Type, and its integration response (selection pattern, contentHandling, Content-Type mapping);
 * deployed to stage `prod` when `stage` is set.
 */
async function s3Api(stage = false): Promise<{ id: string; root: string; m: Method }> {
  const api = await apigw.send(new CreateRestApiCommand({ name: unique("api"), endpointConfiguration: { types: ["REGIONAL"] } }));
  const resource = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "files" }));
  const m = { restApiId: api.id!, resourceId: resource.id!, httpMethod: "GET" };
  await apigw.send(
    new PutMethodCommand({ ...m, authorizationType: "NONE", operationName: "GetFile", requestParameters: { "method.request.path.key": true } }),
  );
  await apigw.send(
    new PutIntegrationCommand({
      ...m,
      type: "AWS",
      integrationHttpMethod: "GET",
      uri: `arn:aws:apigateway:${REGION}:s3:path/bucket/{key}`,
      credentials: ROLE_ARN,
      contentHandling: "CONVERT_TO_TEXT",
      requestParameters: { "integration.request.path.key": "method.request.path.key" },
    }),
  );
  await apigw.send(new PutMethodResponseCommand({ ...m, statusCode: "200", responseParameters: { "method.response.header.Content-Type": true } }));
  await apigw.send(
    new PutIntegrationResponseCommand({
      ...m,
      statusCode: "200",
      selectionPattern: "2\\d{2}",
      contentHandling: "CONVERT_TO_TEXT",
      responseParameters: { "method.response.header.Content-Type": "integration.response.header.Content-Type" },
    }),
  );
  if (stage) await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "prod", stageDescription: "production" }));
  return { id: api.id!, root: api.rootResourceId!, m };
}

/** The policy document inside the `policy` field as API Gateway returns it (escaped JSON, "\/" for "/"). */
function policyDocument(text: string | undefined): unknown {
  return JSON.parse(JSON.parse(`"${text ?? ""}"`) as string);
}

// ---------------------------------------------------------------------------------------
// 1. patch ops per path
// ---------------------------------------------------------------------------------------

describe("patch ops AWS accepts per path (table PATCH_OPS in moto_patches.py)", () => {
  it("refuses ops a path does not take with AWS's 400 and message, applying nothing", async () => {
    // Sources: LocalStack AWS-validated snapshots test_update_method_validation (add /operationName,
    // add /requestValidatorId -> [replace]; /httpMethod, /requestParameters -> "Invalid patch path …"),
    // test_update_rest_api_compression (add /minimumCompressionSize), test_update_rest_api_ip_address_type
    // (remove /endpointConfiguration/types/0), test_update_resource_behaviour, test_update_stage_remove_wildcard
    // and test_stage_access_log_settings_validation (stage removes), test_apigateway_canary "update-stage-add-deployment"
    // (stage add); terraform-provider-aws / aws-controllers-k8s (replace-only scalars, replace for new stage variables).
    const { id, m } = await s3Api(true);
    const r = { ...m, statusCode: "200" };
    const s = { restApiId: id, stageName: "prod" };
    const mustBeReplace = bad("Invalid patch operation specified. Must be one of: [replace]");
    const cases: [string, () => Promise<unknown>, Failure][] = [
      ["UpdateMethod remove /operationName", () => apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [remove("/operationName")] })), mustBeReplace],
      ["UpdateMethod add /operationName", () => apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [add("/operationName", "x")] })), mustBeReplace],
      ["UpdateMethod remove /requestValidatorId", () => apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [remove("/requestValidatorId")] })), mustBeReplace],
      ["UpdateMethod replace /authorizationScopes", () => apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [replace("/authorizationScopes", "s")] })), bad("Invalid patch operation specified. Must be one of: [add, remove]")],
      ["UpdateMethod /httpMethod", () => apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [add("/httpMethod", "PUT")] })), bad("Invalid patch path /httpMethod")],
      ["UpdateMethod bare /requestParameters", () => apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [replace("/requestParameters", "x")] })), bad("Invalid patch path /requestParameters")],
      ["UpdateRestApi remove /minimumCompressionSize", () => apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [remove("/minimumCompressionSize")] })), mustBeReplace],
      ["UpdateRestApi add /minimumCompressionSize", () => apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [add("/minimumCompressionSize", "10")] })), mustBeReplace],
      ["UpdateRestApi remove /endpointConfiguration/types/0", () => apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [remove("/endpointConfiguration/types/0")] })), bad("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")],
      ["UpdateRestApi bare /binaryMediaTypes", () => apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [add("/binaryMediaTypes", "image/png")] })), bad("Invalid patch path /binaryMediaTypes")],
      ["UpdateIntegration remove /contentHandling", () => apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [remove("/contentHandling")] })), mustBeReplace],
      ["UpdateIntegration remove /credentials", () => apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [remove("/credentials")] })), mustBeReplace],
      ["UpdateIntegration add /uri", () => apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [add("/uri", "arn:aws:apigateway:us-east-1:s3:path/x")] })), mustBeReplace],
      ["UpdateIntegration replace /cacheKeyParameters/{p}", () => apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [replace("/cacheKeyParameters/method.request.path.key", "")] })), bad("Invalid patch operation specified. Must be one of: [add, remove]")],
      ["UpdateIntegrationResponse remove /selectionPattern", () => apigw.send(new UpdateIntegrationResponseCommand({ ...r, patchOperations: [remove("/selectionPattern")] })), mustBeReplace],
      ["UpdateIntegrationResponse remove /contentHandling", () => apigw.send(new UpdateIntegrationResponseCommand({ ...r, patchOperations: [remove("/contentHandling")] })), mustBeReplace],
      ["UpdateMethodResponse /statusCode", () => apigw.send(new UpdateMethodResponseCommand({ ...r, patchOperations: [replace("/statusCode", "201")] })), bad("Invalid patch path /statusCode")],
      ["UpdateStage remove /description", () => apigw.send(new UpdateStageCommand({ ...s, patchOperations: [remove("/description")] })), bad("Cannot remove method setting description because there is no method setting for this method ")],
      ["UpdateStage add /description", () => apigw.send(new UpdateStageCommand({ ...s, patchOperations: [add("/description", "d")] })), bad("Invalid add operation with path: /description")],
      ["UpdateStage add /variables/{name}", () => apigw.send(new UpdateStageCommand({ ...s, patchOperations: [add("/variables/bucket", "b1")] })), bad("Invalid add operation with path: /variables/bucket")],
      ["UpdateStage remove /accessLogSettings/destinationArn", () => apigw.send(new UpdateStageCommand({ ...s, patchOperations: [remove("/accessLogSettings/destinationArn")] })), bad("Cannot remove method setting accessLogSettings/destinationArn because there is no method setting for this method ")],
      ["UpdateStage replace /accessLogSettings/other", () => apigw.send(new UpdateStageCommand({ ...s, patchOperations: [replace("/accessLogSettings/other", "x")] })), bad("Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]")],
      ["UpdateResource remove /pathPart", () => apigw.send(new UpdateResourceCommand({ restApiId: id, resourceId: m.resourceId, patchOperations: [remove("/pathPart")] })), bad("Invalid patch path  '/pathPart' specified for op 'remove'. Please choose supported operations")],
      ["UpdateResource /invalid", () => apigw.send(new UpdateResourceCommand({ restApiId: id, resourceId: m.resourceId, patchOperations: [replace("/invalid", "x")] })), bad("Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]")],
    ];
    for (const [what, call, expected] of cases) {
      expect({ what, ...(await failure(call())) }).toEqual({ what, ...expected });
    }
    // An op outside the enum is a ValidationException naming its 1-based position
    // (LocalStack snapshot TestApigatewayMethodResponse::test_update_method_response_wrong_operations).
    const wrongOp = await failure(
      apigw.send(new UpdateMethodResponseCommand({ ...r, patchOperations: [{ op: "wrong_op" as PatchOperation["op"], path: "/responseModels/application~1json", value: "Empty" }] })),
    );
    expect(wrongOp).toEqual({
      name: "ValidationException",
      status: 400,
      message:
        "1 validation error detected: Value 'wrong_op' at 'updateMethodResponseInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]",
    });
    // All-or-nothing: the accepted op before the refused one is not applied.
    await failure(apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [replace("/operationName", "Renamed"), remove("/operationName")] })));
    expect((await apigw.send(new GetMethodCommand(m))).operationName).toBe("GetFile");
    expect((await apigw.send(new GetStageCommand(s))).variables).toBeUndefined();
  });

  it("clears replace-only scalars with replace and no value (or an empty one)", async () => {
    // Sources: LocalStack snapshot test_update_rest_api_compression (replace "" -> minimumCompressionSize
    // absent), test_update_rest_api_operation_add_remove (remove /description accepted on a RestApi);
    // terraform-provider-aws rest_api.go (replace /minimumCompressionSize with a nil value), integration.go
    // (replace /contentHandling with ""), stage.go (replace /description with "").
    const { id, m } = await s3Api(true);
    const r = { ...m, statusCode: "200" };
    const s = { restApiId: id, stageName: "prod" };

    await apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [replace("/minimumCompressionSize", "1024"), replace("/description", "d")] }));
    expect(await apigw.send(new GetRestApiCommand({ restApiId: id }))).toMatchObject({ minimumCompressionSize: 1024, description: "d" });
    await apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [replace("/minimumCompressionSize", ""), remove("/description")] }));
    const api = await apigw.send(new GetRestApiCommand({ restApiId: id }));
    expect(api.minimumCompressionSize).toBeUndefined();
    expect(api.description).toBeUndefined();
    await apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [replace("/minimumCompressionSize", "0")] }));
    await apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [clear("/minimumCompressionSize")] }));
    expect((await apigw.send(new GetRestApiCommand({ restApiId: id }))).minimumCompressionSize).toBeUndefined();
    const negative = await failure(apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [replace("/minimumCompressionSize", "-1")] })));
    expect(negative).toEqual(bad("Invalid minimum compression size, must be between 0 and 10485760"));

    await apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [clear("/operationName")] }));
    expect((await apigw.send(new GetMethodCommand(m))).operationName).toBeUndefined();

    await apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [clear("/contentHandling"), replace("/credentials", "")] }));
    const integration = await apigw.send(new GetIntegrationCommand(m));
    expect(integration.contentHandling).toBeUndefined();
    expect(integration.credentials).toBeUndefined();

    await apigw.send(new UpdateIntegrationResponseCommand({ ...r, patchOperations: [clear("/selectionPattern"), replace("/contentHandling", "")] }));
    const ir = await apigw.send(new GetIntegrationResponseCommand(r));
    expect(ir.selectionPattern).toBeUndefined();
    expect(ir.contentHandling).toBeUndefined();

    expect((await apigw.send(new GetStageCommand(s))).description).toBe("production");
    await apigw.send(new UpdateStageCommand({ ...s, patchOperations: [replace("/description", "")] }));
    expect((await apigw.send(new GetStageCommand(s))).description).toBeUndefined();
  });

  it("UpdateMethod /apiKeyRequired: any value other than \"true\" reads as false", async () => {
    // Source: LocalStack snapshot TestApiGatewayApiMethod::test_update_method_validation ("wrong-value-type").
    const { m } = await s3Api();
    await apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [replace("/apiKeyRequired", "true")] }));
    expect((await apigw.send(new GetMethodCommand(m))).apiKeyRequired).toBe(true);
    await apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [replace("/apiKeyRequired", "whatever")] }));
    expect((await apigw.send(new GetMethodCommand(m))).apiKeyRequired).toBe(false);
  });

  it("stage variables: replace sets a new one and changes it, remove drops it", async () => {
    // Sources: LocalStack snapshot TestStages::test_create_update_stages (replace /variables/var1 on a stage
    // without it); terraform-provider-aws stage.go diffVariablesOps (replace for new and changed, remove for
    // dropped); aws-controllers-k8s stage hooks.go ForMap("/variables", …, addSupported=false).
    const { id } = await s3Api(true);
    const s = { restApiId: id, stageName: "prod" };
    await apigw.send(new UpdateStageCommand({ ...s, patchOperations: [replace("/variables/bucket", "b1"), replace("/variables/prefix", "p/")] }));
    expect((await apigw.send(new GetStageCommand(s))).variables).toEqual({ bucket: "b1", prefix: "p/" });
    await apigw.send(new UpdateStageCommand({ ...s, patchOperations: [replace("/variables/bucket", "b2"), remove("/variables/prefix")] }));
    expect((await apigw.send(new GetStageCommand(s))).variables).toEqual({ bucket: "b2" });
  });

  it("map entries and sets take add/remove per key; replace/remove of an absent key is 404 where AWS says so", async () => {
    // Sources: LocalStack snapshots test_update_method_response (add/remove per key),
    // test_update_method_wrong_param_names and test_update_method_lack_response_parameters_and_models
    // (404 "Invalid parameter name specified" / "Content-Type specified was not found"),
    // test_update_rest_api_operation_add_remove (binaryMediaTypes; replace moves the new type last);
    // terraform-provider-aws integration.go (cacheKeyParameters add/remove) and PR #40124 (404 on
    // replace/remove of an integration request parameter that is not there).
    const { id, m } = await s3Api();
    const r = { ...m, statusCode: "200" };
    await apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [add("/requestParameters/method.request.header.Accept", "false"), add("/requestModels/application~1json", "Empty")] }));
    await apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [remove("/requestModels/application~1json")] }));
    expect(await apigw.send(new GetMethodCommand(m))).toMatchObject({
      requestParameters: { "method.request.path.key": true, "method.request.header.Accept": false },
    });

    await apigw.send(
      new UpdateIntegrationCommand({
        ...m,
        patchOperations: [
          add("/requestParameters/integration.request.header.Accept", "method.request.header.Accept"),
          add("/requestTemplates/application~1json", "{}"),
          add("/cacheKeyParameters/method.request.path.key"),
        ],
      }),
    );
    await apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [remove("/requestTemplates/application~1json"), remove("/cacheKeyParameters/method.request.path.key")] }));
    const integration = await apigw.send(new GetIntegrationCommand(m));
    expect(integration.requestParameters).toEqual({
      "integration.request.path.key": "method.request.path.key",
      "integration.request.header.Accept": "method.request.header.Accept",
    });
    expect(integration.requestTemplates).toBeUndefined();
    expect(integration.cacheKeyParameters).toEqual([]);
    const absentIntegrationParam = await failure(apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [remove("/requestParameters/integration.request.header.Nope")] })));
    expect(absentIntegrationParam).toEqual({ name: "NotFoundException", status: 404, message: "Invalid parameter name specified" });

    await apigw.send(new UpdateMethodResponseCommand({ ...r, patchOperations: [add("/responseParameters/method.response.header.Content-Length", "true"), add("/responseModels/application~1json", "Empty")] }));
    await apigw.send(new UpdateMethodResponseCommand({ ...r, patchOperations: [remove("/responseModels/application~1json")] }));
    expect((await apigw.send(new GetMethodResponseCommand(r))).responseParameters).toEqual({
      "method.response.header.Content-Type": true,
      "method.response.header.Content-Length": true,
    });
    const absentHeader = await failure(apigw.send(new UpdateMethodResponseCommand({ ...r, patchOperations: [replace("/responseParameters/method.response.header.Nope", "true")] })));
    expect(absentHeader).toEqual({ name: "NotFoundException", status: 404, message: "Invalid parameter name specified" });
    const absentModel = await failure(apigw.send(new UpdateMethodResponseCommand({ ...r, patchOperations: [remove("/responseModels/application~1xml")] })));
    expect(absentModel).toEqual({ name: "NotFoundException", status: 404, message: "Content-Type specified was not found" });

    await apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [add("/binaryMediaTypes/image~1png"), add("/binaryMediaTypes/image~1jpeg")] }));
    const replaced = await apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [replace("/binaryMediaTypes/image~1png", "image/gif")] }));
    expect(replaced.binaryMediaTypes).toEqual(["image/jpeg", "image/gif"]);
    await apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [remove("/binaryMediaTypes/image~1gif")] }));
    expect((await apigw.send(new GetRestApiCommand({ restApiId: id }))).binaryMediaTypes).toEqual(["image/jpeg"]);
  });
});

// ---------------------------------------------------------------------------------------
// 2. resource policies
// ---------------------------------------------------------------------------------------

describe("resource policies are rewritten", () => {
  const shorthand = {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: ["execute-api:/*"] },
      {
        Effect: "Deny",
        Principal: "*",
        Action: "execute-api:Invoke",
        NotResource: ["execute-api:/prod/GET/files", "arn:aws:execute-api:us-east-1:999999999999:otherapi/*"],
        Condition: { IpAddress: { "aws:SourceIp": "192.0.2.0/24" } },
      },
    ],
  };
  const expanded = (apiId: string, partition = "aws", region = REGION): unknown => ({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: `arn:${partition}:execute-api:${region}:${ACCOUNT}:${apiId}/*` },
      {
        Effect: "Deny",
        Principal: "*",
        Action: "execute-api:Invoke",
        NotResource: [`arn:${partition}:execute-api:${region}:${ACCOUNT}:${apiId}/prod/GET/files`, "arn:aws:execute-api:us-east-1:999999999999:otherapi/*"],
        Condition: { IpAddress: { "aws:SourceIp": "192.0.2.0/24" } },
      },
    ],
  });

  it("CreateRestApi and UpdateRestApi /policy store execute-api:/… as this API's ARN; GetRestApi returns it escaped", async () => {
    // Sources: AWS docs apigateway-resource-policies-examples.html ("API Gateway converts the abbreviated syntax
    // to the full ARN when you save the policy"); LocalStack AWS-validated snapshot test_apigateway_integrations.py::
    // test_create_execute_api_vpc_endpoint (["execute-api:/*"] reads back as one string
    // "arn:<partition>:execute-api:<region>:<account>:<id>/*"); terraform-provider-aws rest_api.go flattenAPIPolicy and
    // PR #4606 (policy returned as an escaped JSON string, "/" escaped), LocalStack issue #3325.
    const created = await apigw.send(new CreateRestApiCommand({ name: unique("pol"), policy: JSON.stringify(shorthand) }));
    const id = created.id!;
    for (const api of [created, await apigw.send(new GetRestApiCommand({ restApiId: id }))]) {
      expect(api.policy).toMatch(/^\{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":\[\{\\"Effect\\":/);
      expect(api.policy).toContain(`\\"Resource\\":\\"arn:aws:execute-api:${REGION}:${ACCOUNT}:${id}\\/*\\"`);
      expect(policyDocument(api.policy)).toEqual(expanded(id));
    }
    const listed = (await apigw.send(new GetRestApisCommand({ limit: 500 }))).items!.find((a) => a.id === id)!;
    expect(policyDocument(listed.policy)).toEqual(expanded(id));

    const other = await apigw.send(new CreateRestApiCommand({ name: unique("pol") }));
    expect(other.policy).toBeUndefined();
    const updated = await apigw.send(new UpdateRestApiCommand({ restApiId: other.id, patchOperations: [replace("/policy", JSON.stringify(shorthand))] }));
    expect(policyDocument(updated.policy)).toEqual(expanded(other.id!));
    expect(policyDocument((await apigw.send(new GetRestApiCommand({ restApiId: other.id }))).policy)).toEqual(expanded(other.id!));
  });

  it("expands with the partition and Region of the API (aws-cn)", async () => {
    // Source: as above; the ARN partition follows the Region (AWS docs arn-format-reference).
    const cn = client("cn-north-1");
    try {
      const created = await cn.send(new CreateRestApiCommand({ name: unique("pol"), policy: JSON.stringify(shorthand) }));
      expect(policyDocument(created.policy)).toEqual(expanded(created.id!, "aws-cn", "cn-north-1"));
    } finally {
      cn.destroy();
    }
  });
});

// ---------------------------------------------------------------------------------------
// 3. method settings
// ---------------------------------------------------------------------------------------

describe("method settings inherit from */*", () => {
  const settingsOf = async (restApiId: string, key: string): Promise<MethodSetting | undefined> => {
    const stages = await apigw.send(new GetStagesCommand({ restApiId }));
    return stages.item!.find((st) => st.stageName === "prod")!.methodSettings?.[key];
  };

  it("a new per-method entry starts as a copy of */*, then the op applies; later */* changes do not reach it", async () => {
    // Source: LocalStack AWS-validated snapshot TestStages::test_create_update_stages ("update-stage": test/GET carries
    // */*'s cachingEnabled and throttlingRateLimit next to its own burstLimit; "update-stage-override").
    const { id } = await s3Api(true);
    const s = { restApiId: id, stageName: "prod" };
    await apigw.send(
      new UpdateStageCommand({
        ...s,
        patchOperations: [
          replace("/*/*/logging/loglevel", "INFO"),
          replace("/*/*/metrics/enabled", "true"),
          replace("/*/*/throttling/burstLimit", "100"),
          replace("/*/*/throttling/rateLimit", "50"),
        ],
      }),
    );
    await apigw.send(new UpdateStageCommand({ ...s, patchOperations: [replace("/~1files/GET/caching/enabled", "true")] }));
    const star = await settingsOf(id, "*/*");
    expect(await settingsOf(id, "~1files/GET")).toEqual({ ...star, cachingEnabled: true });
    expect(star).toMatchObject({ loggingLevel: "INFO", metricsEnabled: true, throttlingBurstLimit: 100, throttlingRateLimit: 50 });

    await apigw.send(new UpdateStageCommand({ ...s, patchOperations: [replace("/*/*/throttling/burstLimit", "7"), replace("/*/*/logging/loglevel", "ERROR")] }));
    expect(await settingsOf(id, "~1files/GET")).toMatchObject({ loggingLevel: "INFO", throttlingBurstLimit: 100 });
  });

  it("without */*, a new entry reads throttling at the account defaults and no loggingLevel; -1 written reads -1", async () => {
    // Sources: LocalStack AWS-validated snapshot TestStages::test_update_stage_remove_wildcard ("update-stage": a fresh
    // */* entry reads throttlingBurstLimit 5000, throttlingRateLimit 10000.0 and no loggingLevel); -1 is what
    // terraform-provider-aws writes for "throttling disabled" (method_settings.go, issue #5690) and reads back.
    const { id } = await s3Api(true);
    const s = { restApiId: id, stageName: "prod" };
    await apigw.send(new UpdateStageCommand({ ...s, patchOperations: [replace("/~1files/GET/metrics/enabled", "true")] }));
    expect(await settingsOf(id, "~1files/GET")).toEqual({
      cacheDataEncrypted: false,
      cacheTtlInSeconds: 300,
      cachingEnabled: false,
      dataTraceEnabled: false,
      metricsEnabled: true,
      requireAuthorizationForCacheControl: true,
      throttlingBurstLimit: 5000,
      throttlingRateLimit: 10000,
      unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
    });
    await apigw.send(new UpdateStageCommand({ ...s, patchOperations: [replace("/~1files/GET/throttling/burstLimit", "-1"), replace("/~1files/GET/throttling/rateLimit", "-1")] }));
    expect(await settingsOf(id, "~1files/GET")).toMatchObject({ throttlingBurstLimit: -1, throttlingRateLimit: -1 });
  });

  it("remove /{path}/{VERB} drops the whole entry; removing an absent entry is 400", async () => {
    // Sources: LocalStack AWS-validated snapshot TestStages::test_update_stage_remove_wildcard ("delete-error":
    // "Cannot remove method setting */* because there is no method setting for this method ", trailing space
    // verbatim); terraform-provider-aws method_settings.go (delete = remove /{method_path}, tolerates that error).
    const { id } = await s3Api(true);
    const s = { restApiId: id, stageName: "prod" };
    expect(await failure(apigw.send(new UpdateStageCommand({ ...s, patchOperations: [remove("/*/*")] })))).toEqual(
      bad("Cannot remove method setting */* because there is no method setting for this method "),
    );
    await apigw.send(new UpdateStageCommand({ ...s, patchOperations: [replace("/*/*/caching/enabled", "true"), replace("/~1files/GET/logging/loglevel", "INFO")] }));
    await apigw.send(new UpdateStageCommand({ ...s, patchOperations: [remove("/~1files/GET")] }));
    expect(Object.keys((await apigw.send(new GetStageCommand(s))).methodSettings ?? {})).toEqual(["*/*"]);
    expect(await failure(apigw.send(new UpdateStageCommand({ ...s, patchOperations: [remove("/~1files/GET")] })))).toEqual(
      bad("Cannot remove method setting ~1files/GET because there is no method setting for this method "),
    );
    // A single setting cannot be removed: only the whole entry (the path is read as an entry name).
    expect(await failure(apigw.send(new UpdateStageCommand({ ...s, patchOperations: [remove("/*/*/caching/enabled")] })))).toEqual(
      bad("Cannot remove method setting */*/caching/enabled because there is no method setting for this method "),
    );
    await apigw.send(new UpdateStageCommand({ ...s, patchOperations: [remove("/*/*")] }));
    expect((await apigw.send(new GetStageCommand(s))).methodSettings).toEqual({});
  });
});

// ---------------------------------------------------------------------------------------
// 4. mappings validated when written
// ---------------------------------------------------------------------------------------

describe("mappings are validated when written", () => {
  const invalidParameter = (expression: string): Failure =>
    bad(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: ${expression}]`);

  it("PutIntegration / UpdateIntegration: a method.request.* source must be a declared method parameter", async () => {
    // Sources: AWS's answer quoted in aws-cdk issue #17318, Testlio/lambda-tools #56, awsdocs
    // amazon-api-gateway-developer-guide #24, terraform-provider-aws PR #40124 (UpdateIntegration).
    const { m } = await s3Api();
    const integration = { type: "HTTP" as const, integrationHttpMethod: "GET", uri: "https://example.com/{key}" };
    expect(
      await failure(apigw.send(new PutIntegrationCommand({ ...m, ...integration, requestParameters: { "integration.request.header.X": "method.request.header.X" } }))),
    ).toEqual(invalidParameter("method.request.header.X"));
    expect(
      await failure(apigw.send(new PutIntegrationCommand({ ...m, ...integration, requestParameters: { "integration.request.querystring.v": "method.request.multivaluequerystring.v" } }))),
    ).toEqual(invalidParameter("method.request.multivaluequerystring.v"));
    // The integration put by s3Api is still there, untouched.
    expect((await apigw.send(new GetIntegrationCommand(m))).type).toBe("AWS");

    const mapHeader = add("/requestParameters/integration.request.header.X", "method.request.header.X");
    expect(await failure(apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [mapHeader] })))).toEqual(invalidParameter("method.request.header.X"));
    expect((await apigw.send(new GetIntegrationCommand(m))).requestParameters).toEqual({ "integration.request.path.key": "method.request.path.key" });

    // Declared first (UpdateMethod), the same mapping is accepted; static values, context and stage
    // variables need no declaration.
    await apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [add("/requestParameters/method.request.header.X", "false")] }));
    await apigw.send(
      new UpdateIntegrationCommand({
        ...m,
        patchOperations: [
          mapHeader,
          add("/requestParameters/integration.request.header.Y", "method.request.multivalueheader.X"),
          add("/requestParameters/integration.request.header.Z", "'static'"),
          add("/requestParameters/integration.request.header.W", "stageVariables.bucket"),
        ],
      }),
    );
    await apigw.send(
      new PutIntegrationCommand({ ...m, ...integration, requestParameters: { "integration.request.header.X": "method.request.header.X", "integration.request.path.key": "method.request.path.key" } }),
    );
  });

  it("UpdateMethod may remove a request parameter an integration still maps from", async () => {
    // Source: terraform-provider-aws issue #39801 (the method update removing the parameter succeeded; the
    // integration update after it failed). Not refused here either.
    const { m } = await s3Api();
    await apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [remove("/requestParameters/method.request.path.key")] }));
    expect((await apigw.send(new GetMethodCommand(m))).requestParameters).toBeUndefined();
    expect((await apigw.send(new GetIntegrationCommand(m))).requestParameters).toEqual({ "integration.request.path.key": "method.request.path.key" });
  });

  it("PutIntegrationResponse / UpdateIntegrationResponse: a header mapped to must be declared in the method response", async () => {
    // Sources: AWS's answers quoted in aws-apigateway-importer issues #121 ("No method response exists for
    // method.") and #209, aws-solutions-constructs #1130; LocalStack AWS-validated snapshot
    // TestApigatewayIntegrationResponse::test_lifecycle_integration_response (no responseParameters: no method
    // response needed).
    const { m } = await s3Api();
    const noMethodResponse = bad("Invalid mapping expression specified: Validation Result: warnings : [], errors : [No method response exists for method.]");
    const header = { "method.response.header.Content-Type": "integration.response.header.Content-Type" };

    expect(await failure(apigw.send(new PutIntegrationResponseCommand({ ...m, statusCode: "404", selectionPattern: "404", responseParameters: header })))).toEqual(noMethodResponse);
    const plain = await apigw.send(new PutIntegrationResponseCommand({ ...m, statusCode: "404", selectionPattern: "404", responseTemplates: { "application/json": "{}" } }));
    expect(plain.statusCode).toBe("404");
    expect(
      await failure(apigw.send(new UpdateIntegrationResponseCommand({ ...m, statusCode: "404", patchOperations: [add("/responseParameters/method.response.header.Content-Type", "'text/plain'")] }))),
    ).toEqual(noMethodResponse);

    const undeclared = { "method.response.header.ETag": "integration.response.header.ETag" };
    expect(await failure(apigw.send(new PutIntegrationResponseCommand({ ...m, statusCode: "200", responseParameters: { ...header, ...undeclared } })))).toEqual(
      invalidParameter("method.response.header.ETag"),
    );
    const mapEtag = add("/responseParameters/method.response.header.ETag", "integration.response.header.ETag");
    expect(await failure(apigw.send(new UpdateIntegrationResponseCommand({ ...m, statusCode: "200", patchOperations: [mapEtag] })))).toEqual(
      invalidParameter("method.response.header.ETag"),
    );
    expect((await apigw.send(new GetIntegrationResponseCommand({ ...m, statusCode: "200" }))).responseParameters).toEqual(header);

    // Declared first (UpdateMethodResponse), the mapping is accepted.
    await apigw.send(new UpdateMethodResponseCommand({ ...m, statusCode: "200", patchOperations: [add("/responseParameters/method.response.header.ETag", "false")] }));
    await apigw.send(new UpdateIntegrationResponseCommand({ ...m, statusCode: "200", patchOperations: [mapEtag] }));
    expect((await apigw.send(new GetIntegrationResponseCommand({ ...m, statusCode: "200" }))).responseParameters).toEqual({ ...header, ...undeclared });
  });
});
