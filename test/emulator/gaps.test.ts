/**
 * Each gap of moto 5.2.1 that test/emulator/moto_patches.py fills (aws-notes.md), shown
 * through the JS SDK v3 exactly as the product calls it: one `it` per gap.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteDeploymentCommand,
  DeleteResourceCommand,
  GetDeploymentCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetMethodResponseCommand,
  GetResourceCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateDeploymentCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
  UpdateMethodCommand,
  UpdateMethodResponseCommand,
  UpdateResourceCommand,
  UpdateRestApiCommand,
  UpdateStageCommand,
  paginateGetResources,
  type GetMethodCommandOutput,
  type PatchOperation,
  type Resource,
} from "@aws-sdk/client-api-gateway";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startEmulator, type Emulator } from "./emulator.ts";
import { clientConfig, failure, unique } from "./support.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/apigw-s3-proxy`;
const S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";

let emulator: Emulator;
let apigw: APIGatewayClient;
let iam: IAMClient;
let sts: STSClient;

beforeAll(async () => {
  emulator = await startEmulator();
  const config = clientConfig(emulator, REGION);
  apigw = new APIGatewayClient(config);
  iam = new IAMClient(config);
  sts = new STSClient(config);
});

afterAll(async () => {
  apigw?.destroy();
  iam?.destroy();
  sts?.destroy();
  await emulator?.stop();
});

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------


async function newApi(): Promise<{ id: string; root: string }> {
  const api = await apigw.send(new CreateRestApiCommand({ name: unique("api"), endpointConfiguration: { types: ["REGIONAL"] } }));
  return { id: api.id!, root: api.rootResourceId! };
}

async function newResource(restApiId: string, parentId: string, pathPart: string): Promise<string> {
  const r = await apigw.send(new CreateResourceCommand({ restApiId, parentId, pathPart }));
  return r.id!;
}

/** GET on `/{pathPart}` as an S3 proxy: method, AWS integration, 200 method + integration response. */
async function s3Get(restApiId: string, parentId: string, pathPart: string): Promise<string> {
  const resourceId = await newResource(restApiId, parentId, pathPart);
  const m = { restApiId, resourceId, httpMethod: "GET" };
  await apigw.send(new PutMethodCommand({ ...m, authorizationType: "NONE", requestParameters: { "method.request.path.key": true } }));
  await apigw.send(
    new PutIntegrationCommand({
      ...m,
      type: "AWS",
      integrationHttpMethod: "GET",
      uri: `arn:aws:apigateway:${REGION}:s3:path/bucket/{key}`,
      credentials: ROLE_ARN,
      requestParameters: { "integration.request.path.key": "method.request.path.key" },
    }),
  );
  await apigw.send(new PutMethodResponseCommand({ ...m, statusCode: "200", responseParameters: { "method.response.header.Content-Type": true } }));
  await apigw.send(
    new PutIntegrationResponseCommand({
      ...m,
      statusCode: "200",
      responseParameters: { "method.response.header.Content-Type": "integration.response.header.Content-Type" },
    }),
  );
  return resourceId;
}

async function deployedApi(stageName = "prod"): Promise<{ id: string; root: string; resourceId: string; deploymentId: string }> {
  const api = await newApi();
  const resourceId = await s3Get(api.id, api.root, "files");
  const dep = await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName }));
  return { ...api, resourceId, deploymentId: dep.id! };
}

const replace = (path: string, value: string): PatchOperation => ({ op: "replace", path, value });
const add = (path: string, value?: string): PatchOperation => ({ op: "add", path, ...(value === undefined ? {} : { value }) });
const remove = (path: string): PatchOperation => ({ op: "remove", path });

const decodePolicy = (doc: string | undefined): unknown => JSON.parse(decodeURIComponent(doc ?? ""));
/** A policy as API Gateway returns it: compact JSON escaped once more, "/" as "\/" (see SOURCES.md). */
const apiGatewayPolicyText = (compactJson: string): string => JSON.stringify(compactJson).slice(1, -1).replaceAll("/", "\\/");

// ---------------------------------------------------------------------------------------
// API Gateway
// ---------------------------------------------------------------------------------------

describe("API Gateway gaps filled in moto", () => {
  it("answers absent objects with 404 NotFoundException JSON (not HTML 500) on every Get*", async () => {
    const { id, root, resourceId } = await deployedApi();
    const bare = await newResource(id, root, "bare");
    await apigw.send(new PutMethodCommand({ restApiId: id, resourceId: bare, httpMethod: "GET", authorizationType: "NONE" }));
    const m = { restApiId: id, resourceId, httpMethod: "GET" };
    const cases: [string, () => Promise<unknown>][] = [
      ["GetRestApi", () => apigw.send(new GetRestApiCommand({ restApiId: "nosuchapi0" }))],
      ["GetResource", () => apigw.send(new GetResourceCommand({ restApiId: id, resourceId: "nosuchres0" }))],
      ["GetMethod", () => apigw.send(new GetMethodCommand({ ...m, httpMethod: "POST" }))],
      ["GetIntegration (method has none)", () => apigw.send(new GetIntegrationCommand({ ...m, resourceId: bare }))],
      ["GetIntegration (no method)", () => apigw.send(new GetIntegrationCommand({ ...m, httpMethod: "PUT" }))],
      ["GetMethodResponse", () => apigw.send(new GetMethodResponseCommand({ ...m, statusCode: "404" }))],
      ["GetIntegrationResponse", () => apigw.send(new GetIntegrationResponseCommand({ ...m, statusCode: "404" }))],
      ["GetIntegrationResponse (no integration)", () => apigw.send(new GetIntegrationResponseCommand({ ...m, resourceId: bare, statusCode: "200" }))],
      ["GetStage", () => apigw.send(new GetStageCommand({ restApiId: id, stageName: "nostage" }))],
      ["GetDeployment", () => apigw.send(new GetDeploymentCommand({ restApiId: id, deploymentId: "nosuchdep0" }))],
    ];
    for (const [what, call] of cases) {
      const f = await failure(call());
      expect({ what, name: f.name, status: f.status }).toEqual({ what, name: "NotFoundException", status: 404 });
      expect(f.message, what).toMatch(/^Invalid .* specified/);
    }
  });

  it("CreateRestApi keeps binaryMediaTypes, tags, endpointConfiguration, policy and description", async () => {
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "*" }] });
    const created = await apigw.send(
      new CreateRestApiCommand({
        name: unique("full"),
        description: "S3 proxy",
        binaryMediaTypes: ["image/png", "application/octet-stream"],
        tags: { "apigw-reconciler:name": "files" },
        endpointConfiguration: { types: ["REGIONAL"] },
        policy,
      }),
    );
    const read = await apigw.send(new GetRestApiCommand({ restApiId: created.id }));
    for (const api of [created, read]) {
      expect(api).toMatchObject({
        description: "S3 proxy",
        binaryMediaTypes: ["image/png", "application/octet-stream"],
        tags: { "apigw-reconciler:name": "files" },
        endpointConfiguration: { types: ["REGIONAL"] },
        policy: apiGatewayPolicyText(policy),
      });
    }
  });

  it("UpdateRestApi applies real patch semantics (~1, add/remove binary types, booleans)", async () => {
    const { id } = await newApi();
    await apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [add("/binaryMediaTypes/image~1png"), add("/binaryMediaTypes/image~1gif")] }));
    const rows: { why: string; ops: PatchOperation[]; expected: Record<string, unknown> }[] = [
      { why: "add a binary media type by path key", ops: [add("/binaryMediaTypes/application~1pdf")], expected: { binaryMediaTypes: ["image/png", "image/gif", "application/pdf"] } },
      { why: "remove one by path key", ops: [remove("/binaryMediaTypes/image~1gif")], expected: { binaryMediaTypes: ["image/png", "application/pdf"] } },
      { why: "rename", ops: [replace("/name", "renamed")], expected: { name: "renamed" } },
      { why: "description", ops: [replace("/description", "new text")], expected: { description: "new text" } },
      { why: "endpoint type", ops: [replace("/endpointConfiguration/types/0", "EDGE")], expected: { endpointConfiguration: { types: ["EDGE"] } } },
      { why: "policy", ops: [replace("/policy", '{"Version":"2012-10-17","Statement":[]}')], expected: { policy: apiGatewayPolicyText('{"Version":"2012-10-17","Statement":[]}') } },
      { why: "boolean is the string false", ops: [replace("/disableExecuteApiEndpoint", "false")], expected: { disableExecuteApiEndpoint: false } },
      { why: "boolean is the string true", ops: [replace("/disableExecuteApiEndpoint", "true")], expected: { disableExecuteApiEndpoint: true } },
      { why: "numeric value as string", ops: [replace("/minimumCompressionSize", "1024")], expected: { minimumCompressionSize: 1024 } },
    ];
    for (const row of rows) {
      const out = await apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: row.ops }));
      expect(out, row.why).toMatchObject(row.expected);
    }
    const read = await apigw.send(new GetRestApiCommand({ restApiId: id }));
    expect(read.binaryMediaTypes).toEqual(["image/png", "application/pdf"]);
  });

  it("rejects invalid patch paths and values with 400 BadRequestException, applying nothing", async () => {
    const { id, resourceId } = await deployedApi();
    const m = { restApiId: id, resourceId, httpMethod: "GET" };
    const cases: [string, () => Promise<unknown>][] = [
      ["UpdateRestApi unknown path", () => apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [replace("/nope", "x")] }))],
      ["UpdateRestApi bad endpoint type", () => apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [replace("/endpointConfiguration/types/0", "MARS")] }))],
      ["UpdateMethod add on a scalar", () => apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [add("/operationName", "x")] }))],
      ["UpdateIntegration type needs PutIntegration", () => apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [replace("/type", "MOCK")] }))],
      ["UpdateIntegration non-numeric timeout", () => apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [replace("/timeoutInMillis", "soon")] }))],
      ["UpdateMethodResponse unknown path", () => apigw.send(new UpdateMethodResponseCommand({ ...m, statusCode: "200", patchOperations: [replace("/statusCode", "201")] }))],
      ["UpdateIntegrationResponse unknown path", () => apigw.send(new UpdateIntegrationResponseCommand({ ...m, statusCode: "200", patchOperations: [replace("/foo", "x")] }))],
      ["UpdateStage unknown path", () => apigw.send(new UpdateStageCommand({ restApiId: id, stageName: "prod", patchOperations: [replace("/foo", "x")] }))],
      ["UpdateStage bad log level", () => apigw.send(new UpdateStageCommand({ restApiId: id, stageName: "prod", patchOperations: [replace("/*/*/logging/loglevel", "LOUD")] }))],
      ["UpdateResource unknown path", () => apigw.send(new UpdateResourceCommand({ restApiId: id, resourceId, patchOperations: [replace("/path", "/x")] }))],
    ];
    for (const [what, call] of cases) {
      const f = await failure(call());
      expect({ what, name: f.name, status: f.status }).toEqual({ what, name: "BadRequestException", status: 400 });
    }
    // All-or-nothing: a valid op before an invalid one is not applied.
    await failure(apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [replace("/description", "half"), replace("/nope", "x")] })));
    expect((await apigw.send(new GetRestApiCommand({ restApiId: id }))).description).toBeUndefined();
  });

  it("PutMethod on an existing method answers 409 ConflictException", async () => {
    const { id, resourceId } = await deployedApi();
    const f = await failure(apigw.send(new PutMethodCommand({ restApiId: id, resourceId, httpMethod: "GET", authorizationType: "AWS_IAM" })));
    expect(f).toEqual({ name: "ConflictException", status: 409, message: "Method already exists for this resource" });
    const method = await apigw.send(new GetMethodCommand({ restApiId: id, resourceId, httpMethod: "GET" }));
    expect(method.authorizationType).toBe("NONE");
    expect(method.methodIntegration?.type).toBe("AWS");
  });

  it("GetResources pages by limit (default 25, max 500) and position", async () => {
    const { id, root } = await newApi();
    for (let i = 0; i < 30; i++) await newResource(id, root, `r${i}`);
    const first = await apigw.send(new GetResourcesCommand({ restApiId: id }));
    expect(first.items).toHaveLength(25);
    expect(first.position).toBeTypeOf("string");
    const second = await apigw.send(new GetResourcesCommand({ restApiId: id, position: first.position }));
    expect(second.items).toHaveLength(6);
    expect(second.position).toBeUndefined();
    const ids = new Set([...first.items!, ...second.items!].map((r) => r.id));
    expect(ids.size).toBe(31);

    expect((await apigw.send(new GetResourcesCommand({ restApiId: id, limit: 500 }))).items).toHaveLength(31);
    const small: Resource[] = [];
    for await (const page of paginateGetResources({ client: apigw, pageSize: 7 }, { restApiId: id })) small.push(...(page.items ?? []));
    expect(small).toHaveLength(31);

    const f = await failure(apigw.send(new GetResourcesCommand({ restApiId: id, limit: 501 })));
    expect([f.name, f.status]).toEqual(["BadRequestException", 400]);
  });

  it("GetResources embeds methods only with embed=methods; otherwise empty stubs", async () => {
    const { id, resourceId } = await deployedApi();
    const plain = await apigw.send(new GetResourcesCommand({ restApiId: id, limit: 500 }));
    expect(plain.items!.find((r) => r.id === resourceId)!.resourceMethods).toEqual({ GET: {} });

    const embedded = await apigw.send(new GetResourcesCommand({ restApiId: id, limit: 500, embed: ["methods"] }));
    const get = embedded.items!.find((r) => r.id === resourceId)!.resourceMethods!.GET!;
    expect(get).toMatchObject({
      httpMethod: "GET",
      authorizationType: "NONE",
      requestParameters: { "method.request.path.key": true },
      methodResponses: { "200": { statusCode: "200", responseParameters: { "method.response.header.Content-Type": true } } },
      methodIntegration: {
        type: "AWS",
        credentials: ROLE_ARN,
        passthroughBehavior: "WHEN_NO_MATCH",
        timeoutInMillis: 29000,
        integrationResponses: { "200": { statusCode: "200", responseParameters: { "method.response.header.Content-Type": "integration.response.header.Content-Type" } } },
      },
    });
    const single = await apigw.send(new GetResourceCommand({ restApiId: id, resourceId }));
    expect(single.resourceMethods).toEqual({ GET: {} });
  });

  it("CreateResource: 409 on a duplicate pathPart, 404 on a missing parent, API still readable", async () => {
    const { id, root } = await newApi();
    await newResource(id, root, "items");
    const dup = await failure(apigw.send(new CreateResourceCommand({ restApiId: id, parentId: root, pathPart: "items" })));
    expect([dup.name, dup.status]).toEqual(["ConflictException", 409]);
    const orphan = await failure(apigw.send(new CreateResourceCommand({ restApiId: id, parentId: "nosuchres0", pathPart: "x" })));
    expect([orphan.name, orphan.status]).toEqual(["NotFoundException", 404]);
    const all = await apigw.send(new GetResourcesCommand({ restApiId: id }));
    expect(all.items!.map((r) => r.path).sort()).toEqual(["/", "/items"]);
  });

  it("DeleteResource cascades to child resources", async () => {
    const { id, root } = await newApi();
    const a = await newResource(id, root, "a");
    const b = await newResource(id, a, "b");
    await newResource(id, b, "{key}");
    await newResource(id, root, "keep");
    await apigw.send(new DeleteResourceCommand({ restApiId: id, resourceId: a }));
    const all = await apigw.send(new GetResourcesCommand({ restApiId: id }));
    expect(all.items!.map((r) => r.path).sort()).toEqual(["/", "/keep"]);
    const f = await failure(apigw.send(new GetResourceCommand({ restApiId: id, resourceId: b })));
    expect(f.status).toBe(404);
  });

  it("UpdateResource renames and moves in place (409 on a sibling clash)", async () => {
    const { id, root } = await newApi();
    const docs = await s3Get(id, root, "docs");
    const child = await newResource(id, docs, "{key}");
    const other = await newResource(id, root, "other");
    await newResource(id, other, "taken");

    const renamed = await apigw.send(new UpdateResourceCommand({ restApiId: id, resourceId: docs, patchOperations: [replace("/pathPart", "files")] }));
    expect(renamed).toMatchObject({ id: docs, path: "/files", pathPart: "files" });
    expect((await apigw.send(new GetResourceCommand({ restApiId: id, resourceId: child }))).path).toBe("/files/{key}");
    expect((await apigw.send(new GetMethodCommand({ restApiId: id, resourceId: docs, httpMethod: "GET" }))).methodIntegration?.type).toBe("AWS");

    const moved = await apigw.send(new UpdateResourceCommand({ restApiId: id, resourceId: docs, patchOperations: [replace("/parentId", other)] }));
    expect(moved).toMatchObject({ id: docs, parentId: other, path: "/other/files" });
    expect((await apigw.send(new GetResourceCommand({ restApiId: id, resourceId: child }))).path).toBe("/other/files/{key}");

    const clash = await failure(apigw.send(new UpdateResourceCommand({ restApiId: id, resourceId: docs, patchOperations: [replace("/pathPart", "taken")] })));
    expect([clash.name, clash.status]).toEqual(["ConflictException", 409]);
    const underItself = await failure(apigw.send(new UpdateResourceCommand({ restApiId: id, resourceId: docs, patchOperations: [replace("/parentId", child)] })));
    expect([underItself.name, underItself.status]).toEqual(["BadRequestException", 400]);
  });

  it("UpdateMethod patches fields and map keys", async () => {
    const { id, resourceId } = await deployedApi();
    const m = { restApiId: id, resourceId, httpMethod: "GET" };
    const rows: { why: string; op: PatchOperation; check: (out: GetMethodCommandOutput) => void }[] = [
      { why: "boolean flag", op: replace("/apiKeyRequired", "true"), check: (o) => expect(o.apiKeyRequired).toBe(true) },
      { why: "auth type", op: replace("/authorizationType", "AWS_IAM"), check: (o) => expect(o.authorizationType).toBe("AWS_IAM") },
      { why: "operation name", op: replace("/operationName", "GetFile"), check: (o) => expect(o.operationName).toBe("GetFile") },
      {
        why: "add a request parameter (map key in the path)",
        op: add("/requestParameters/method.request.header.Accept", "false"),
        check: (o) => expect(o.requestParameters).toEqual({ "method.request.path.key": true, "method.request.header.Accept": false }),
      },
      { why: "remove a request parameter", op: remove("/requestParameters/method.request.path.key"), check: (o) => expect(o.requestParameters).toEqual({ "method.request.header.Accept": false }) },
      { why: "request model with ~1", op: add("/requestModels/application~1json", "Empty"), check: (o) => expect(o.requestModels).toEqual({ "application/json": "Empty" }) },
    ];
    for (const row of rows) {
      await apigw.send(new UpdateMethodCommand({ ...m, patchOperations: [row.op] }));
      const read = await apigw.send(new GetMethodCommand(m));
      row.check(read);
    }
  });

  it("UpdateIntegration patches fields and map keys (timeoutInMillis numeric, ~1 in template keys)", async () => {
    const { id, resourceId } = await deployedApi();
    const m = { restApiId: id, resourceId, httpMethod: "GET" };
    const rows: { why: string; op: PatchOperation; expected: Record<string, unknown> }[] = [
      { why: "uri", op: replace("/uri", `arn:aws:apigateway:${REGION}:s3:path/other/{key}`), expected: { uri: `arn:aws:apigateway:${REGION}:s3:path/other/{key}` } },
      { why: "credentials", op: replace("/credentials", `arn:aws:iam::${ACCOUNT}:role/other`), expected: { credentials: `arn:aws:iam::${ACCOUNT}:role/other` } },
      { why: "http method", op: replace("/httpMethod", "HEAD"), expected: { httpMethod: "HEAD" } },
      { why: "passthrough", op: replace("/passthroughBehavior", "WHEN_NO_TEMPLATES"), expected: { passthroughBehavior: "WHEN_NO_TEMPLATES" } },
      { why: "content handling", op: replace("/contentHandling", "CONVERT_TO_BINARY"), expected: { contentHandling: "CONVERT_TO_BINARY" } },
      { why: "timeout is a number", op: replace("/timeoutInMillis", "10000"), expected: { timeoutInMillis: 10000 } },
      {
        why: "request parameter map key",
        op: add("/requestParameters/integration.request.path.bucket", "'my-bucket'"),
        expected: { requestParameters: { "integration.request.path.key": "method.request.path.key", "integration.request.path.bucket": "'my-bucket'" } },
      },
      { why: "request template with ~1", op: add("/requestTemplates/application~1json", '{"a":1}'), expected: { requestTemplates: { "application/json": '{"a":1}' } } },
      { why: "cache key parameter", op: add("/cacheKeyParameters/method.request.path.key"), expected: { cacheKeyParameters: ["method.request.path.key"] } },
    ];
    for (const row of rows) {
      await apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [row.op] }));
      expect(await apigw.send(new GetIntegrationCommand(m)), row.why).toMatchObject(row.expected);
    }
    await apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [remove("/requestTemplates/application~1json")] }));
    expect((await apigw.send(new GetIntegrationCommand(m))).requestTemplates).toBeUndefined();
    expect((await apigw.send(new GetIntegrationCommand(m))).integrationResponses?.["200"]).toBeDefined();
    const notArn = await failure(apigw.send(new UpdateIntegrationCommand({ ...m, patchOperations: [replace("/credentials", "my-role")] })));
    expect([notArn.name, notArn.message]).toEqual(["BadRequestException", "Invalid ARN specified in the request"]);
  });

  it("UpdateMethodResponse patches responseParameters (booleans) and responseModels", async () => {
    const { id, resourceId } = await deployedApi();
    const r = { restApiId: id, resourceId, httpMethod: "GET", statusCode: "200" };
    await apigw.send(
      new UpdateMethodResponseCommand({
        ...r,
        patchOperations: [
          replace("/responseParameters/method.response.header.Content-Type", "false"),
          add("/responseParameters/method.response.header.Content-Length", "true"),
          add("/responseModels/application~1json", "Empty"),
        ],
      }),
    );
    expect(await apigw.send(new GetMethodResponseCommand(r))).toMatchObject({
      responseParameters: { "method.response.header.Content-Type": false, "method.response.header.Content-Length": true },
      responseModels: { "application/json": "Empty" },
    });
    await apigw.send(new UpdateMethodResponseCommand({ ...r, patchOperations: [remove("/responseParameters/method.response.header.Content-Length")] }));
    expect((await apigw.send(new GetMethodResponseCommand(r))).responseParameters).toEqual({ "method.response.header.Content-Type": false });
  });

  it("UpdateIntegrationResponse patches selectionPattern, contentHandling, parameters and templates", async () => {
    const { id, resourceId } = await deployedApi();
    const r = { restApiId: id, resourceId, httpMethod: "GET", statusCode: "200" };
    // AWS: a header mapped to must be declared in the method response first.
    await apigw.send(new UpdateMethodResponseCommand({ ...r, patchOperations: [add("/responseParameters/method.response.header.Content-Length", "false")] }));
    await apigw.send(
      new UpdateIntegrationResponseCommand({
        ...r,
        patchOperations: [
          replace("/selectionPattern", "2\\d{2}"),
          replace("/contentHandling", "CONVERT_TO_TEXT"),
          add("/responseParameters/method.response.header.Content-Length", "integration.response.header.Content-Length"),
          add("/responseTemplates/application~1json", "$input.body"),
        ],
      }),
    );
    expect(await apigw.send(new GetIntegrationResponseCommand(r))).toMatchObject({
      selectionPattern: "2\\d{2}",
      contentHandling: "CONVERT_TO_TEXT",
      responseParameters: {
        "method.response.header.Content-Type": "integration.response.header.Content-Type",
        "method.response.header.Content-Length": "integration.response.header.Content-Length",
      },
      responseTemplates: { "application/json": "$input.body" },
    });
    // AWS accepts only replace on /selectionPattern; replace with no value clears it.
    await apigw.send(new UpdateIntegrationResponseCommand({ ...r, patchOperations: [{ op: "replace", path: "/selectionPattern" }] }));
    expect((await apigw.send(new GetIntegrationResponseCommand(r))).selectionPattern).toBeUndefined();
  });

  it("PutIntegration replaces the integration and drops its integration responses", async () => {
    const { id, resourceId } = await deployedApi();
    const m = { restApiId: id, resourceId, httpMethod: "GET" };
    await apigw.send(new PutIntegrationCommand({ ...m, type: "MOCK", requestTemplates: { "application/json": '{"statusCode":200}' } }));
    const read = await apigw.send(new GetIntegrationCommand(m));
    expect(read).toMatchObject({ type: "MOCK", requestTemplates: { "application/json": '{"statusCode":200}' } });
    expect(read.credentials).toBeUndefined();
    expect(read.integrationResponses).toBeUndefined();
    expect((await failure(apigw.send(new GetIntegrationResponseCommand({ ...m, statusCode: "200" })))).status).toBe(404);
  });

  it("CreateDeployment onto an existing stage moves only its deploymentId", async () => {
    const { id, deploymentId } = await deployedApi("live");
    const stageArn = `arn:aws:apigateway:${REGION}::/restapis/${id}/stages/live`;
    await apigw.send(
      new UpdateStageCommand({
        restApiId: id,
        stageName: "live",
        patchOperations: [replace("/variables/bucket", "b1"), replace("/description", "the live stage"), replace("/*/*/logging/loglevel", "INFO")],
      }),
    );
    await apigw.send(new TagResourceCommand({ resourceArn: stageArn, tags: { "apigw-reconciler:config-hash": "h1" } }));

    const next = await apigw.send(new CreateDeploymentCommand({ restApiId: id, stageName: "live", description: "second" }));
    expect(next.id).not.toBe(deploymentId);
    const stage = await apigw.send(new GetStageCommand({ restApiId: id, stageName: "live" }));
    expect(stage).toMatchObject({
      deploymentId: next.id,
      variables: { bucket: "b1" },
      description: "the live stage",
      methodSettings: { "*/*": { loggingLevel: "INFO" } },
      tags: { "apigw-reconciler:config-hash": "h1" },
    });
  });

  it("DeleteDeployment of a deployment a stage uses answers 400; an unused one is deleted", async () => {
    const { id, deploymentId } = await deployedApi("live");
    const inUse = await failure(apigw.send(new DeleteDeploymentCommand({ restApiId: id, deploymentId })));
    expect([inUse.name, inUse.status]).toEqual(["BadRequestException", 400]);
    const next = await apigw.send(new CreateDeploymentCommand({ restApiId: id, stageName: "live" }));
    await apigw.send(new DeleteDeploymentCommand({ restApiId: id, deploymentId }));
    expect((await failure(apigw.send(new GetDeploymentCommand({ restApiId: id, deploymentId })))).status).toBe(404);
    expect((await apigw.send(new GetDeploymentCommand({ restApiId: id, deploymentId: next.id }))).id).toBe(next.id);
  });

  it("UpdateDeployment changes the description", async () => {
    const { id, deploymentId } = await deployedApi();
    const out = await apigw.send(new UpdateDeploymentCommand({ restApiId: id, deploymentId, patchOperations: [replace("/description", "release 7")] }));
    expect(out.description).toBe("release 7");
    expect((await apigw.send(new GetDeploymentCommand({ restApiId: id, deploymentId }))).description).toBe("release 7");
  });

  it("UpdateStage: variables, description, tracing and method settings", async () => {
    const { id } = await deployedApi("prod");
    const s = { restApiId: id, stageName: "prod" };
    const rows: { why: string; ops: PatchOperation[]; expected: Record<string, unknown> }[] = [
      { why: "add variables", ops: [replace("/variables/bucket", "b1"), replace("/variables/prefix", "p/")], expected: { variables: { bucket: "b1", prefix: "p/" } } },
      { why: "remove a variable", ops: [remove("/variables/prefix")], expected: { variables: { bucket: "b1" } } },
      { why: "description", ops: [replace("/description", "prod stage")], expected: { description: "prod stage" } },
      { why: "tracing (boolean string)", ops: [replace("/tracingEnabled", "true")], expected: { tracingEnabled: true } },
      {
        why: "all-methods settings",
        ops: [
          replace("/*/*/logging/loglevel", "ERROR"),
          replace("/*/*/logging/dataTrace", "true"),
          replace("/*/*/throttling/rateLimit", "100.5"),
          replace("/*/*/throttling/burstLimit", "200"),
        ],
        expected: { methodSettings: { "*/*": { loggingLevel: "ERROR", dataTraceEnabled: true, throttlingRateLimit: 100.5, throttlingBurstLimit: 200 } } },
      },
      { why: "one method's settings", ops: [replace("/~1files/GET/metrics/enabled", "true")], expected: { methodSettings: { "~1files/GET": { metricsEnabled: true } } } },
    ];
    for (const row of rows) {
      await apigw.send(new UpdateStageCommand({ ...s, patchOperations: row.ops }));
      expect(await apigw.send(new GetStageCommand(s)), row.why).toMatchObject(row.expected);
    }
    await apigw.send(new UpdateStageCommand({ ...s, patchOperations: [remove("/~1files/GET")] }));
    expect(Object.keys((await apigw.send(new GetStageCommand(s))).methodSettings ?? {})).toEqual(["*/*"]);
  });

  it("tags REST API and stage ARNs; tags show on GetRestApis/GetRestApi and GetStages/GetStage", async () => {
    const { id } = await deployedApi("prod");
    const targets = [
      { arn: `arn:aws:apigateway:${REGION}::/restapis/${id}`, read: async () => (await apigw.send(new GetRestApiCommand({ restApiId: id }))).tags },
      { arn: `arn:aws:apigateway:${REGION}::/restapis/${id}/stages/prod`, read: async () => (await apigw.send(new GetStageCommand({ restApiId: id, stageName: "prod" }))).tags },
    ];
    for (const t of targets) {
      await apigw.send(new TagResourceCommand({ resourceArn: t.arn, tags: { owner: "ctl", name: "files" } }));
      await apigw.send(new TagResourceCommand({ resourceArn: t.arn, tags: { hash: "abc" } }));
      await apigw.send(new UntagResourceCommand({ resourceArn: t.arn, tagKeys: ["name"] }));
      const expected = { owner: "ctl", hash: "abc" };
      expect((await apigw.send(new GetTagsCommand({ resourceArn: t.arn }))).tags, t.arn).toEqual(expected);
      expect(await t.read(), t.arn).toEqual(expected);
    }
    const listed = await apigw.send(new GetRestApisCommand({ limit: 500 }));
    expect(listed.items!.find((a) => a.id === id)!.tags).toEqual({ owner: "ctl", hash: "abc" });
    const stages = await apigw.send(new GetStagesCommand({ restApiId: id }));
    expect(stages.item!.find((st) => st.stageName === "prod")!.tags).toEqual({ owner: "ctl", hash: "abc" });

    const reserved = await failure(apigw.send(new TagResourceCommand({ resourceArn: targets[0]!.arn, tags: { "aws:x": "y" } })));
    expect([reserved.name, reserved.status]).toEqual(["BadRequestException", 400]);
    const missing = await failure(apigw.send(new GetTagsCommand({ resourceArn: `arn:aws:apigateway:${REGION}::/restapis/nosuchapi0` })));
    expect([missing.name, missing.status]).toEqual(["NotFoundException", 404]);
  });
});

// ---------------------------------------------------------------------------------------
// IAM and STS
// ---------------------------------------------------------------------------------------

const TRUST = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }] };
const PUT_POLICY = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:Put*", Resource: "arn:aws:s3:::my-bucket/*" }] };

async function newRole(): Promise<string> {
  const RoleName = unique("role");
  await iam.send(
    new CreateRoleCommand({
      RoleName,
      AssumeRolePolicyDocument: JSON.stringify(TRUST),
      Description: "S3 proxy role",
      MaxSessionDuration: 7200,
      Tags: [{ Key: "apigw-reconciler:name", Value: "files" }],
      PermissionsBoundary: S3_READ_ONLY,
    }),
  );
  return RoleName;
}

describe("IAM and STS behave as AWS", () => {
  it("GetRole returns the trust policy URL-encoded (RFC 3986) with tags, description, duration, boundary", async () => {
    const RoleName = await newRole();
    const { Role } = await iam.send(new GetRoleCommand({ RoleName }));
    expect(Role!.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22%3A/);
    expect(decodePolicy(Role!.AssumeRolePolicyDocument)).toEqual(TRUST);
    expect(Role).toMatchObject({
      Description: "S3 proxy role",
      MaxSessionDuration: 7200,
      Tags: [{ Key: "apigw-reconciler:name", Value: "files" }],
      PermissionsBoundary: { PermissionsBoundaryArn: S3_READ_ONLY, PermissionsBoundaryType: "PermissionsBoundaryPolicy" },
    });
  });

  it("inline policies: PutRolePolicy upserts, GetRolePolicy is URL-encoded, List/Delete work", async () => {
    const RoleName = await newRole();
    await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: "put", PolicyDocument: JSON.stringify({ ...PUT_POLICY, Statement: [{ ...PUT_POLICY.Statement[0]!, Action: "s3:GetObject" }] }) }));
    await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: "put", PolicyDocument: JSON.stringify(PUT_POLICY) }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: "put" }));
    expect(got.PolicyDocument).toContain("my-bucket%2F%2A");
    expect(decodePolicy(got.PolicyDocument)).toEqual(PUT_POLICY);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames).toEqual(["put"]);
    await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: "put" }));
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames).toEqual([]);
    const gone = await failure(iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: "put" })));
    expect([gone.name, gone.status]).toEqual(["NoSuchEntityException", 404]);
  });

  it("UpdateRole changes only what it is given; UpdateAssumeRolePolicy replaces the trust policy", async () => {
    const RoleName = await newRole();
    await iam.send(new UpdateRoleCommand({ RoleName, Description: "changed" }));
    expect((await iam.send(new GetRoleCommand({ RoleName }))).Role).toMatchObject({ Description: "changed", MaxSessionDuration: 7200 });
    await iam.send(new UpdateRoleCommand({ RoleName, MaxSessionDuration: 3600 }));
    expect((await iam.send(new GetRoleCommand({ RoleName }))).Role).toMatchObject({ Description: "changed", MaxSessionDuration: 3600 });

    const trust2 = { ...TRUST, Statement: [{ ...TRUST.Statement[0]!, Principal: { Service: ["apigateway.amazonaws.com", "lambda.amazonaws.com"] } }] };
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(trust2) }));
    expect(decodePolicy((await iam.send(new GetRoleCommand({ RoleName }))).Role!.AssumeRolePolicyDocument)).toEqual(trust2);
  });

  it("managed policies attach/detach, and DeleteRole fails with DeleteConflict until all are removed", async () => {
    const RoleName = await newRole();
    await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: S3_READ_ONLY }));
    await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: "put", PolicyDocument: JSON.stringify(PUT_POLICY) }));
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies).toEqual([
      { PolicyName: "AmazonS3ReadOnlyAccess", PolicyArn: S3_READ_ONLY },
    ]);

    const attached = await failure(iam.send(new DeleteRoleCommand({ RoleName })));
    expect([attached.name, attached.status]).toEqual(["DeleteConflictException", 409]);
    await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: S3_READ_ONLY }));
    const inline = await failure(iam.send(new DeleteRoleCommand({ RoleName })));
    expect(inline.name).toBe("DeleteConflictException");
    await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: "put" }));
    await iam.send(new DeleteRoleCommand({ RoleName }));
    expect((await failure(iam.send(new GetRoleCommand({ RoleName })))).name).toBe("NoSuchEntityException");
  });

  it("role tags and permissions boundary can be changed", async () => {
    const RoleName = await newRole();
    await iam.send(new TagRoleCommand({ RoleName, Tags: [{ Key: "hash", Value: "h1" }] }));
    await iam.send(new UntagRoleCommand({ RoleName, TagKeys: ["apigw-reconciler:name"] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName }))).Tags).toEqual([{ Key: "hash", Value: "h1" }]);

    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }));
    expect((await iam.send(new GetRoleCommand({ RoleName }))).Role!.PermissionsBoundary?.PermissionsBoundaryArn).toBe("arn:aws:iam::aws:policy/AmazonS3FullAccess");
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName }));
    expect((await iam.send(new GetRoleCommand({ RoleName }))).Role!.PermissionsBoundary).toBeUndefined();
  });

  it("STS GetCallerIdentity answers for account 123456789012", async () => {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(ACCOUNT);
    expect(me.Arn).toMatch(/^arn:aws:(iam|sts)::123456789012:/);
  });
});
