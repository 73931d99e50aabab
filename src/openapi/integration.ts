// x-amazon-apigateway-integration → the manifest's integration. The extension's response map is keyed by
// selection pattern ("default" for the default response) and names a statusCode; the manifest's is keyed by
// status code and names the selectionPattern.
import { HTTP_METHODS, INTEGRATION_TYPES, type IntegrationSpec } from "../kinds/rest-api/schema.ts";
import { compact, isObject, objectAt, pointer, stringAt, stringMapAt, stringsAt, type JsonObject, type Report } from "./json.ts";

type IntegrationResponse = NonNullable<IntegrationSpec["responses"]>[string];
type Credentials = IntegrationSpec["credentials"];

export interface IntegrationContext {
  /** ARN → what the manifest says instead (placeholders, or a role reference). */
  credentials: (arn: string) => Credentials;
  uri: (uri: string) => string;
  report: Report;
}

const HANDLED = [
  "type",
  "httpMethod",
  "uri",
  "credentials",
  "requestParameters",
  "requestTemplates",
  "passthroughBehavior",
  "contentHandling",
  "timeoutInMillis",
  "cacheKeyParameters",
  "responses",
];
const PASSTHROUGH = ["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"] as const;
const CONTENT_HANDLING = ["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"] as const;

/** One of `allowed`, compared without case (the extension writes `aws`, `when_no_match`). */
function oneOf<T extends string>(value: unknown, allowed: readonly T[], at: string, report: Report): T | undefined {
  if (value === undefined) return undefined;
  const upper = typeof value === "string" ? value.toUpperCase() : "";
  const found = allowed.find((candidate) => candidate === upper);
  if (!found) report(at, `${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
  return found;
}

export function integrationOf(extension: JsonObject, at: string, context: IntegrationContext): IntegrationSpec | undefined {
  const { report } = context;
  const type = oneOf(extension.type, INTEGRATION_TYPES, `${at}/type`, report);
  if (!type) {
    if (extension.type === undefined) report(`${at}/type`, "an integration without a type is not supported");
    report(at, "integration left out");
    return undefined;
  }
  for (const key of Object.keys(extension)) if (!HANDLED.includes(key)) report(at + pointer(key), `integration field ${key} is not supported`);
  const uri = stringAt(extension.uri);
  const credentials = stringAt(extension.credentials);
  const timeout = typeof extension.timeoutInMillis === "number" ? extension.timeoutInMillis : undefined;
  const cacheKeys = stringsAt(extension.cacheKeyParameters);
  return compact({
    type,
    httpMethod: oneOf(extension.httpMethod, HTTP_METHODS, `${at}/httpMethod`, report),
    uri: uri === undefined ? undefined : context.uri(uri),
    credentials: credentials === undefined ? undefined : context.credentials(credentials),
    requestParameters: stringMapAt(extension.requestParameters),
    requestTemplates: stringMapAt(extension.requestTemplates),
    passthroughBehavior: oneOf(extension.passthroughBehavior, PASSTHROUGH, `${at}/passthroughBehavior`, report),
    contentHandling: oneOf(extension.contentHandling, CONTENT_HANDLING, `${at}/contentHandling`, report),
    timeoutInMillis: timeout,
    cacheKeyParameters: cacheKeys.length > 0 ? cacheKeys : undefined,
    responses: integrationResponsesOf(extension.responses, `${at}/responses`, report),
  });
}

/** The extension's responses by selection pattern → the manifest's by status code. */
export function integrationResponsesOf(value: unknown, at: string, report: Report): IntegrationSpec["responses"] {
  if (!isObject(value)) return undefined;
  const responses: Record<string, IntegrationResponse> = {};
  for (const [pattern, response] of Object.entries(value)) {
    const here = at + pointer(pattern);
    const status = stringAt(objectAt(response).statusCode);
    if (status === undefined || !/^[1-5]\d\d$/.test(status)) {
      report(here, `statusCode ${JSON.stringify(objectAt(response).statusCode)} is not a status code 100-599`);
      continue;
    }
    if (responses[status]) {
      report(here, `a second integration response for status ${status}: API Gateway keys integration responses by status code`);
      continue;
    }
    responses[status] = integrationResponseOf(objectAt(response), pattern === "default" ? undefined : pattern, here, report);
  }
  return Object.keys(responses).length > 0 ? responses : undefined;
}

function integrationResponseOf(response: JsonObject, selectionPattern: string | undefined, at: string, report: Report): IntegrationResponse {
  for (const key of Object.keys(response)) {
    if (!["statusCode", "responseParameters", "responseTemplates", "contentHandling"].includes(key)) report(at + pointer(key), `integration response field ${key} is not supported`);
  }
  return compact({
    selectionPattern,
    responseParameters: stringMapAt(response.responseParameters),
    responseTemplates: stringMapAt(response.responseTemplates),
    contentHandling: oneOf(response.contentHandling, CONTENT_HANDLING, `${at}/contentHandling`, report),
  });
}
