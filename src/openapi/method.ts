// One OpenAPI operation → the manifest's method: authorization from `security`, request parameters from
// `parameters`, method responses from `responses`, the integration from x-amazon-apigateway-integration.
import type { MethodSpec } from "../kinds/rest-api/schema.ts";
import { integrationOf, type IntegrationContext } from "./integration.ts";
import { compact, isObject, objectAt, pointer, stringAt, stringsAt, type JsonObject, type Report } from "./json.ts";

type MethodResponse = NonNullable<MethodSpec["responses"]>[string];

/** What an operation's mapping needs to know of the whole document. */
export interface DocumentContext extends IntegrationContext {
  /** 2 for Swagger 2.0, 3 for OpenAPI 3.x. */
  version: 2 | 3;
  /** Security scheme name → how API Gateway reads it. */
  schemes: Record<string, "sigv4" | "apiKey" | "other">;
  /** Document-level `security`, used by operations without their own. */
  security: unknown;
  /** Document-level `produces` (Swagger 2.0). */
  produces: string[];
  /** Named schemas (definitions / components.schemas) by object identity after dereferencing. */
  models: Map<object, string>;
}

const PARAMETER_PLACES: Record<string, string> = { path: "path", header: "header", query: "querystring" };
const OPERATION_FIELDS = ["parameters", "responses", "security", "x-amazon-apigateway-integration", "produces", "consumes", "operationId", "summary", "description", "tags", "requestBody"];

export function methodOf(operation: JsonObject, inherited: readonly unknown[], at: string, context: DocumentContext): MethodSpec {
  const { report } = context;
  for (const key of Object.keys(operation)) {
    if (key.startsWith("x-") && !OPERATION_FIELDS.includes(key)) report(at + pointer(key), `${key} is not supported by reconcile import`);
  }
  const extension = operation["x-amazon-apigateway-integration"];
  if (!isObject(extension)) report(`${at}/x-amazon-apigateway-integration`, "an operation without an integration: the method is imported without one");
  if (operation.requestBody !== undefined) report(`${at}/requestBody`, "request bodies (request models) are not supported");
  const requestParameters = requestParametersOf(mergedParameters(inherited, operation.parameters), at, report);
  return compact({
    ...authorizationOf(operation.security ?? context.security, `${at}/security`, context),
    operationName: stringAt(operation.operationId),
    requestParameters: Object.keys(requestParameters).length > 0 ? requestParameters : undefined,
    integration: isObject(extension) ? integrationOf(extension, `${at}/x-amazon-apigateway-integration`, context) : undefined,
    responses: methodResponsesOf(objectAt(operation.responses), stringsAt(operation.produces), `${at}/responses`, context),
  });
}

/** Path-level parameters, overridden by the operation's own of the same name and place. */
export function mergedParameters(inherited: readonly unknown[], own: unknown): JsonObject[] {
  const merged = new Map<string, JsonObject>();
  for (const parameter of [...inherited, ...(Array.isArray(own) ? (own as unknown[]) : [])]) {
    if (isObject(parameter)) merged.set(`${String(parameter.in)}:${String(parameter.name)}`, parameter);
  }
  return [...merged.values()];
}

/** `security` → authorizationType AWS_IAM (sigv4) and apiKeyRequired (an API key scheme). */
export function authorizationOf(security: unknown, at: string, context: DocumentContext): Pick<MethodSpec, "authorizationType" | "apiKeyRequired"> {
  const names = (Array.isArray(security) ? security : []).flatMap((requirement, index) =>
    Object.keys(objectAt(requirement)).map((name) => ({ name, at: `${at}/${index}${pointer(name)}` })),
  );
  const kinds = names.map(({ name, at: where }) => {
    const kind = context.schemes[name] ?? "other";
    if (kind === "other") context.report(where, `security scheme ${name}: only sigv4 (x-amazon-apigateway-authtype: awsSigv4) and API keys are supported`);
    return kind;
  });
  return compact({
    authorizationType: kinds.includes("sigv4") ? ("AWS_IAM" as const) : undefined,
    apiKeyRequired: kinds.includes("apiKey") ? true : undefined,
  });
}

/** path, header and query parameters → method.request.(path|header|querystring).NAME: required. */
export function requestParametersOf(parameters: readonly JsonObject[], at: string, report: Report): Record<string, boolean> {
  const result: Record<string, boolean> = {};
  parameters.forEach((parameter) => {
    const place = PARAMETER_PLACES[String(parameter.in)];
    const name = stringAt(parameter.name);
    if (!place || !name) {
      report(`${at}/parameters`, `${String(parameter.in)} parameter ${String(parameter.name)}: only path, header and query parameters are supported`);
      return;
    }
    result[`method.request.${place}.${name}`] = parameter.required === true || place === "path";
  });
  return result;
}

export function methodResponsesOf(responses: JsonObject, produces: readonly string[], at: string, context: DocumentContext): MethodSpec["responses"] {
  const result: Record<string, MethodResponse> = {};
  for (const [status, response] of Object.entries(responses)) {
    if (!/^[1-5]\d\d$/.test(status)) {
      if (!status.startsWith("x-")) context.report(at + pointer(status), `response ${status}: API Gateway method responses are keyed by status code`);
      continue;
    }
    result[status] = methodResponseOf(objectAt(response), produces, at + pointer(status), context);
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function methodResponseOf(response: JsonObject, produces: readonly string[], at: string, context: DocumentContext): MethodResponse {
  const headers = Object.entries(objectAt(response.headers));
  const responseParameters = Object.fromEntries(headers.map(([name, header]) => [`method.response.header.${name}`, objectAt(header).required === true]));
  const models = responseModelsOf(response, produces, at, context);
  return compact({
    responseParameters: headers.length > 0 ? responseParameters : undefined,
    responseModels: Object.keys(models).length > 0 ? models : undefined,
  });
}

/** Content type → model name; only API Gateway's built-in Empty model is carried over. */
function responseModelsOf(response: JsonObject, produces: readonly string[], at: string, context: DocumentContext): Record<string, string> {
  const bySchema: [string, unknown, string][] =
    context.version === 2
      ? response.schema === undefined
        ? []
        : (produces.length > 0 ? produces : context.produces.length > 0 ? context.produces : ["application/json"]).map((type) => [type, response.schema, `${at}/schema`])
      : Object.entries(objectAt(response.content)).map(([type, media]) => [type, objectAt(media).schema, `${at}/content${pointer(type)}/schema`]);
  const models: Record<string, string> = {};
  for (const [type, schema, where] of bySchema) {
    if (!isObject(schema)) continue;
    const name = context.models.get(schema);
    if (name === "Empty") models[type] = name;
    else context.report(where, name ? `model ${name}: models other than Empty are not supported` : "inline response schemas (models) are not supported");
  }
  return models;
}
