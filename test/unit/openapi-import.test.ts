// The OpenAPI → manifest mapping, one row per rule, each with the reason for it. Every document goes through
// @apidevtools/swagger-parser (parse, $ref resolution, validation) as `reconcile import` reads a file.
import { describe, expect, it } from "vitest";
import { importDocument, slugOf, type ImportOptions } from "../../src/openapi/convert.ts";
import { pointer, type JsonObject } from "../../src/openapi/json.ts";
import { loadDefinition, OpenApiError } from "../../src/openapi/load.ts";
import { originOf, withPlaceholders } from "../../src/openapi/placeholders.ts";

const SIGV4 = { sigv4: { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "awsSigv4" } };
const INTEGRATION = {
  type: "aws",
  httpMethod: "GET",
  uri: "arn:aws:apigateway:eu-west-1:s3:path/{bucket}",
  credentials: "arn:aws:iam::111122223333:role/proxy",
  passthroughBehavior: "when_no_match",
  responses: { default: { statusCode: "200" } },
};

/** Every test path is /{folder}: the library checks that a path's template parameters are declared. */
const FOLDER = { name: "folder", in: "path", required: true, type: "string" };

function swagger2(operation: JsonObject, extra: JsonObject = {}): JsonObject {
  return {
    swagger: "2.0",
    info: { title: "Sample API", version: "1" },
    paths: { "/{folder}": { parameters: [FOLDER], get: { responses: { "200": { description: "ok" } }, "x-amazon-apigateway-integration": INTEGRATION, ...operation } } },
    securityDefinitions: SIGV4,
    definitions: { Empty: { type: "object", title: "Empty Schema" } },
    ...extra,
  };
}

function openapi3(operation: JsonObject, extra: JsonObject = {}): JsonObject {
  return {
    openapi: "3.0.1",
    info: { title: "Sample API", version: "1" },
    paths: {
      "/{folder}": {
        parameters: [{ name: "folder", in: "path", required: true, schema: { type: "string" } }],
        get: { responses: { "200": { description: "ok" } }, "x-amazon-apigateway-integration": INTEGRATION, ...operation },
      },
    },
    components: { securitySchemes: SIGV4, schemas: { Empty: { type: "object", title: "Empty Schema" } } },
    ...extra,
  };
}

async function run(document: JsonObject, options: Partial<ImportOptions> = {}) {
  const { document: api, models } = await loadDefinition(document);
  return importDocument(api, models, { placeholders: true, ...options });
}

const GET = ["spec", "resources", "/{folder}", "methods", "GET"];

interface Row {
  why: string;
  document: JsonObject;
  options?: Partial<ImportOptions>;
  /** A path into the manifest and what must be there. */
  at: string[];
  expected: unknown;
}

const ROWS: Row[] = [
  { why: "info.title is the API Gateway name", document: swagger2({}), at: ["spec", "name"], expected: "Sample API" },
  { why: "metadata.name is a slug of the title unless --name", document: swagger2({}), at: ["metadata", "name"], expected: "sample-api" },
  { why: "--name sets metadata.name", document: swagger2({}), options: { name: "mine" }, at: ["metadata", "name"], expected: "mine" },
  { why: "info.description is the API's description", document: swagger2({}, { info: { title: "T", version: "1", description: "d" } }), at: ["spec", "description"], expected: "d" },
  { why: "security sigv4 (x-amazon-apigateway-authtype awsSigv4) is AWS_IAM", document: swagger2({ security: [{ sigv4: [] }] }), at: [...GET, "authorizationType"], expected: "AWS_IAM" },
  { why: "document-level security applies to operations without their own", document: swagger2({}, { security: [{ sigv4: [] }] }), at: [...GET, "authorizationType"], expected: "AWS_IAM" },
  { why: "no security: authorizationType left to its default NONE", document: swagger2({}), at: [...GET, "authorizationType"], expected: undefined },
  { why: "OpenAPI 3 components.securitySchemes sigv4 is AWS_IAM too", document: openapi3({ security: [{ sigv4: [] }] }), at: [...GET, "authorizationType"], expected: "AWS_IAM" },
  {
    why: "an x-api-key header scheme is apiKeyRequired",
    document: swagger2({ security: [{ key: [] }] }, { securityDefinitions: { key: { type: "apiKey", name: "x-api-key", in: "header" } } }),
    at: [...GET, "apiKeyRequired"],
    expected: true,
  },
  {
    why: "path parameters are always required; header and query ones as the document says",
    document: swagger2({
      parameters: [
        { name: "folder", in: "path", required: true, type: "string" },
        { name: "Content-Type", in: "header", required: false, type: "string" },
        { name: "key", in: "query", required: true, type: "string" },
      ],
    }),
    at: [...GET, "requestParameters"],
    expected: { "method.request.path.folder": true, "method.request.header.Content-Type": false, "method.request.querystring.key": true },
  },
  {
    why: "path-level parameters apply to every operation of the path",
    document: swagger2({}),
    at: [...GET, "requestParameters"],
    expected: { "method.request.path.folder": true },
  },
  {
    why: "a $ref parameter is resolved by the library",
    document: swagger2({ parameters: [{ $ref: "#/parameters/key" }] }, { parameters: { key: { name: "key", in: "query", required: true, type: "string" } } }),
    at: [...GET, "requestParameters"],
    expected: { "method.request.path.folder": true, "method.request.querystring.key": true },
  },
  {
    why: "response headers are method response parameters; the Empty schema a response model per produced type",
    document: swagger2({ produces: ["application/json"], responses: { "200": { description: "ok", schema: { $ref: "#/definitions/Empty" }, headers: { Date: { type: "string" } } } } }),
    at: [...GET, "responses", "200"],
    expected: { responseParameters: { "method.response.header.Date": false }, responseModels: { "application/json": "Empty" } },
  },
  {
    why: "OpenAPI 3 response content → responseModels by media type",
    document: openapi3({ responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Empty" } } } } } }),
    at: [...GET, "responses", "200", "responseModels"],
    expected: { "application/json": "Empty" },
  },
  {
    why: "the integration's type, method and passthrough behaviour are upper-cased; the ARNs get placeholders",
    document: swagger2({}),
    at: [...GET, "integration"],
    expected: {
      type: "AWS",
      httpMethod: "GET",
      uri: "arn:${AWS_PARTITION}:apigateway:${AWS_REGION}:s3:path/{bucket}",
      credentials: "arn:${AWS_PARTITION}:iam::${AWS_ACCOUNT_ID}:role/proxy",
      passthroughBehavior: "WHEN_NO_MATCH",
      responses: { "200": {} },
    },
  },
  { why: "--role turns every credentials ARN into a role reference", document: swagger2({}), options: { role: "proxy-role" }, at: [...GET, "integration", "credentials"], expected: { roleRef: "proxy-role" } },
  {
    why: "--no-placeholders keeps the ARN as written",
    document: swagger2({}),
    options: { placeholders: false },
    at: [...GET, "integration", "uri"],
    expected: "arn:aws:apigateway:eu-west-1:s3:path/{bucket}",
  },
  {
    why: "integration responses are keyed by status code; the extension's key is the selection pattern, default none",
    document: swagger2({
      "x-amazon-apigateway-integration": {
        ...INTEGRATION,
        responses: {
          "4\\d{2}": { statusCode: "400" },
          default: { statusCode: "200", responseParameters: { "method.response.header.Date": "integration.response.header.Date" }, contentHandling: "CONVERT_TO_TEXT" },
        },
      },
    }),
    at: [...GET, "integration", "responses"],
    expected: {
      "400": { selectionPattern: "4\\d{2}" },
      "200": { responseParameters: { "method.response.header.Date": "integration.response.header.Date" }, contentHandling: "CONVERT_TO_TEXT" },
    },
  },
  {
    why: "the other integration fields are carried over as written",
    document: swagger2({
      "x-amazon-apigateway-integration": {
        ...INTEGRATION,
        requestParameters: { "integration.request.path.bucket": "method.request.path.folder" },
        requestTemplates: { "application/json": "{}" },
        contentHandling: "CONVERT_TO_BINARY",
        timeoutInMillis: 5000,
        cacheKeyParameters: ["method.request.path.folder"],
      },
    }),
    at: [...GET, "integration"],
    expected: expect.objectContaining({
      requestParameters: { "integration.request.path.bucket": "method.request.path.folder" },
      requestTemplates: { "application/json": "{}" },
      contentHandling: "CONVERT_TO_BINARY",
      timeoutInMillis: 5000,
      cacheKeyParameters: ["method.request.path.folder"],
    }),
  },
  {
    why: "x-amazon-apigateway-binary-media-types is binaryMediaTypes",
    document: swagger2({}, { "x-amazon-apigateway-binary-media-types": ["image/png", "application/octet-stream"] }),
    at: ["spec", "binaryMediaTypes"],
    expected: ["image/png", "application/octet-stream"],
  },
  {
    why: "x-amazon-apigateway-endpoint-configuration with one type is endpointType",
    document: swagger2({}, { "x-amazon-apigateway-endpoint-configuration": { types: ["EDGE"] } }),
    at: ["spec", "endpointType"],
    expected: "EDGE",
  },
  {
    why: "x-amazon-apigateway-any-method is the ANY method",
    document: { ...swagger2({}), paths: { "/": { "x-amazon-apigateway-any-method": { responses: { "200": { description: "ok" } }, "x-amazon-apigateway-integration": INTEGRATION } } } },
    at: ["spec", "resources", "/", "methods", "ANY", "integration", "type"],
    expected: "AWS",
  },
  { why: "operationId is the method's operationName", document: swagger2({ operationId: "ListFolder" }), at: [...GET, "operationName"], expected: "ListFolder" },
];

function valueAt(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as JsonObject)[key] : undefined), value);
}

describe("OpenAPI → RestApi manifest", () => {
  it.each(ROWS)("$why", async ({ document, options, at, expected }) => {
    const { manifest } = await run(document, options);
    expect(valueAt(manifest, at)).toEqual(expected);
  });
});

interface UnsupportedRow {
  why: string;
  document: JsonObject;
  pointer: string;
  what: RegExp;
}

const UNSUPPORTED: UnsupportedRow[] = [
  {
    why: "gateway responses have no manifest field",
    document: swagger2({}, { "x-amazon-apigateway-gateway-responses": { DEFAULT_4XX: { statusCode: 400 } } }),
    pointer: "/x-amazon-apigateway-gateway-responses",
    what: /not supported/,
  },
  {
    why: "request validators have no manifest field",
    document: swagger2({ "x-amazon-apigateway-request-validator": "all" }, { "x-amazon-apigateway-request-validators": { all: { validateRequestBody: true } } }),
    pointer: "/x-amazon-apigateway-request-validators",
    what: /not supported/,
  },
  {
    why: "an operation's request validator is listed at the operation",
    document: swagger2({ "x-amazon-apigateway-request-validator": "all" }, { "x-amazon-apigateway-request-validators": { all: { validateRequestBody: true } } }),
    pointer: "/paths/~1{folder}/get/x-amazon-apigateway-request-validator",
    what: /not supported/,
  },
  {
    why: "authorizers other than sigv4 (here a Lambda authorizer) are not imported",
    document: swagger2(
      { security: [{ lambda: [] }] },
      { securityDefinitions: { lambda: { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "custom", "x-amazon-apigateway-authorizer": { type: "token" } } } },
    ),
    pointer: "/paths/~1{folder}/get/security/0/lambda",
    what: /only sigv4/,
  },
  {
    why: "models other than Empty are listed where defined",
    document: swagger2({}, { definitions: { Empty: { type: "object" }, Error: { type: "object", properties: { message: { type: "string" } } } } }),
    pointer: "/definitions/Error",
    what: /models other than Empty/,
  },
  {
    why: "…and where a response uses one (its responseModels entry is left out)",
    document: swagger2({ responses: { "200": { description: "ok", schema: { $ref: "#/definitions/Error" } } } }, { definitions: { Error: { type: "object" } } }),
    pointer: "/paths/~1{folder}/get/responses/200/schema",
    what: /model Error/,
  },
  {
    why: "body parameters (request models) are not imported",
    document: swagger2({ parameters: [{ name: "body", in: "body", schema: { type: "object" } }] }),
    pointer: "/paths/~1{folder}/get/parameters",
    what: /only path, header and query/,
  },
  {
    why: "an integration field the manifest lacks (VPC link) is listed",
    document: swagger2({ "x-amazon-apigateway-integration": { ...INTEGRATION, connectionType: "VPC_LINK" } }),
    pointer: "/paths/~1{folder}/get/x-amazon-apigateway-integration/connectionType",
    what: /not supported/,
  },
  {
    why: "two selection patterns for one status code cannot both be kept",
    document: swagger2({ "x-amazon-apigateway-integration": { ...INTEGRATION, responses: { "4\\d{2}": { statusCode: "400" }, "40[0-9]": { statusCode: "400" } } } }),
    pointer: "/paths/~1{folder}/get/x-amazon-apigateway-integration/responses/40[0-9]",
    what: /second integration response/,
  },
  {
    why: "a `default` method response has no status code",
    document: swagger2({ responses: { default: { description: "any" } } }),
    pointer: "/paths/~1{folder}/get/responses/default",
    what: /keyed by status code/,
  },
];

describe("what import cannot carry over is listed, not dropped", () => {
  it.each(UNSUPPORTED)("$why", async ({ document, pointer: where, what }) => {
    const { unsupported } = await run(document);
    expect(unsupported.filter((entry) => entry.pointer === where).map((entry) => entry.what)).toEqual(expect.arrayContaining([expect.stringMatching(what)]));
  });

  it("a document with nothing unsupported lists nothing", async () => {
    expect((await run(swagger2({ security: [{ sigv4: [] }] }))).unsupported).toEqual([]);
  });
});

describe("invalid documents", () => {
  it.each([
    { why: "the AWS page's text as written: host holds the {region} placeholder, which Swagger 2.0 forbids", document: { ...swagger2({}), host: "9gn28ca086.execute-api.{region}.amazonaws.com" }, message: /#\/host/ },
    { why: "a $ref to nothing", document: swagger2({ parameters: [{ $ref: "#/parameters/missing" }] }), message: /missing/ },
    { why: "neither swagger nor openapi", document: { info: { title: "x", version: "1" }, paths: {} }, message: /not a valid|Unsupported|swagger|openapi/i },
  ])("$why: refused with the library's message", async ({ document, message }) => {
    const error = await loadDefinition(document, "doc.json").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenApiError);
    expect((error as OpenApiError).message).toMatch(/^doc\.json: /);
    expect((error as OpenApiError).message).toMatch(message);
  });
});

describe("helpers", () => {
  it.each([
    { title: "MyS3", slug: "mys3", why: "letters and digits lowercased" },
    { title: "My S3 API!", slug: "my-s3-api", why: "other characters become single dashes, none at the ends" },
    { title: "!!!", slug: "imported-api", why: "nothing left: a fixed name" },
    { title: "a".repeat(80), slug: "a".repeat(63), why: "at most 63 characters" },
  ])("slugOf($title) = $slug: $why", ({ title, slug }) => {
    expect(slugOf(title)).toBe(slug);
  });

  it.each([
    { arn: "arn:aws:apigateway:us-west-2:s3:path/{bucket}", expected: "arn:${AWS_PARTITION}:apigateway:${AWS_REGION}:s3:path/{bucket}", why: "the document's Region" },
    { arn: "arn:aws:iam::123456789012:role/r", expected: "arn:${AWS_PARTITION}:iam::${AWS_ACCOUNT_ID}:role/r", why: "the document's account" },
    { arn: "arn:aws:apigateway:eu-central-1:s3:path/x", expected: "arn:${AWS_PARTITION}:apigateway:eu-central-1:s3:path/x", why: "another Region is left alone" },
    { arn: "arn:aws:iam::999999999999:role/r", expected: "arn:${AWS_PARTITION}:iam::999999999999:role/r", why: "another account is left alone" },
    { arn: "https://example.com/x", expected: "https://example.com/x", why: "not an ARN: unchanged" },
  ])("withPlaceholders: $why", ({ arn, expected }) => {
    const origin = originOf(["arn:aws:apigateway:us-west-2:s3:path//", "arn:aws:iam::123456789012:role/apigAwsProxyRole"]);
    expect(withPlaceholders(arn, origin)).toBe(expected);
  });

  it("pointer escapes ~ and /", () => {
    expect(pointer("paths", "/{folder}/a~b")).toBe("/paths/~1{folder}~1a~0b");
  });
});
