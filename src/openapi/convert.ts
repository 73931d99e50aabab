// A dereferenced Swagger 2.0 / OpenAPI 3.x document → one RestApi manifest, and the list of what it could
// not carry over. Pure: the document is read, never changed.
import { HTTP_METHODS, type MethodSpec, type RestApiDocument } from "../kinds/rest-api/schema.ts";
import { API_VERSION } from "../manifest/schema.ts";
import { compact, isObject, objectAt, pointer, reportExtensions, stringAt, stringsAt, type JsonObject, type Unsupported } from "./json.ts";
import { methodOf, type DocumentContext } from "./method.ts";
import { originOf, withPlaceholders } from "./placeholders.ts";

export interface ImportOptions {
  /** metadata.name; default: a slug of info.title. */
  name?: string;
  /** Every integration's credentials become { roleRef: role }. */
  role?: string;
  /** The document's Region, account and partition in ARNs → ${AWS_REGION}, ${AWS_ACCOUNT_ID}, ${AWS_PARTITION}. */
  placeholders: boolean;
}

export interface Imported {
  manifest: RestApiDocument;
  unsupported: Unsupported[];
}

type Spec = RestApiDocument["spec"];
type Resource = Spec["resources"][string];

const DOCUMENT_EXTENSIONS = [
  "x-amazon-apigateway-binary-media-types",
  "x-amazon-apigateway-endpoint-configuration",
  "x-amazon-apigateway-minimum-compression-size",
  "x-amazon-apigateway-api-key-source",
  "x-amazon-apigateway-policy",
];

export function importDocument(document: JsonObject, models: Map<object, string>, options: ImportOptions): Imported {
  const unsupported: Unsupported[] = [];
  const context = documentContext(document, models, options, (at, what) => unsupported.push({ pointer: at, what }));
  reportExtensions(document, "", DOCUMENT_EXTENSIONS, context.report);
  reportModels(document, context);
  const info = objectAt(document.info);
  const title = stringAt(info.title) ?? "imported-api";
  const spec: Spec = compact({
    name: title,
    description: stringAt(info.description),
    ...apiSettingsOf(document, context),
    resources: resourcesOf(objectAt(document.paths), context),
  });
  const manifest: RestApiDocument = { apiVersion: API_VERSION, kind: "RestApi", metadata: { name: options.name ?? slugOf(title) }, spec };
  return { manifest, unsupported };
}

/** "My S3 API" → "my-s3-api": a manifest name (lowercase letters, digits, '-', at most 63). */
export function slugOf(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 63)
    .replace(/^-+|-+$/g, "");
  return slug === "" ? "imported-api" : slug;
}

function documentContext(document: JsonObject, models: Map<object, string>, options: ImportOptions, report: DocumentContext["report"]): DocumentContext {
  const origin = options.placeholders ? originOf(integrationArns(document)) : {};
  const arn = (value: string) => (options.placeholders ? withPlaceholders(value, origin) : value);
  return {
    version: typeof document.swagger === "string" ? 2 : 3,
    schemes: schemesOf(document),
    security: document.security,
    produces: stringsAt(document.produces),
    models,
    report,
    uri: arn,
    credentials: (value) => (options.role !== undefined ? { roleRef: options.role } : arn(value)),
  };
}

/** Every integration's uri and credentials, to learn the document's Region and account from. */
function integrationArns(document: JsonObject): string[] {
  return Object.values(objectAt(document.paths)).flatMap((item) =>
    Object.values(objectAt(item)).flatMap((operation) => {
      const integration = objectAt(objectAt(operation)["x-amazon-apigateway-integration"]);
      return [stringAt(integration.uri), stringAt(integration.credentials)].filter((value) => value !== undefined);
    }),
  );
}

/** securityDefinitions (2.0) / components.securitySchemes (3.x) → sigv4, API key or something else. */
export function schemesOf(document: JsonObject): DocumentContext["schemes"] {
  const schemes = isObject(document.securityDefinitions) ? document.securityDefinitions : objectAt(objectAt(document.components).securitySchemes);
  return Object.fromEntries(
    Object.entries(schemes).map(([name, value]) => {
      const scheme = objectAt(value);
      const apiKeyInHeader = scheme.type === "apiKey" && scheme.in === "header";
      if (apiKeyInHeader && scheme["x-amazon-apigateway-authtype"] === "awsSigv4") return [name, "sigv4"];
      if (apiKeyInHeader && scheme["x-amazon-apigateway-authtype"] === undefined && String(scheme.name).toLowerCase() === "x-api-key") return [name, "apiKey"];
      return [name, "other"];
    }),
  );
}

function reportModels(document: JsonObject, context: DocumentContext): void {
  const at = isObject(document.definitions) ? "/definitions" : "/components/schemas";
  const schemas = isObject(document.definitions) ? document.definitions : objectAt(objectAt(document.components).schemas);
  for (const name of Object.keys(schemas)) {
    if (name !== "Empty") context.report(at + pointer(name), `model ${name}: models other than Empty are not supported`);
  }
}

/** The API-level extensions the manifest has fields for. */
function apiSettingsOf(document: JsonObject, context: DocumentContext): Partial<Spec> {
  const binary = stringsAt(document["x-amazon-apigateway-binary-media-types"]);
  const endpoint = objectAt(document["x-amazon-apigateway-endpoint-configuration"]);
  const types = stringsAt(endpoint.types);
  if (types.length > 1) context.report("/x-amazon-apigateway-endpoint-configuration/types", "more than one endpoint type");
  const endpointType = types.length === 1 ? (types[0] as Spec["endpointType"]) : undefined;
  const compression = document["x-amazon-apigateway-minimum-compression-size"];
  const keySource = stringAt(document["x-amazon-apigateway-api-key-source"])?.toUpperCase();
  const policy = document["x-amazon-apigateway-policy"];
  return compact({
    endpointType,
    disableExecuteApiEndpoint: typeof endpoint.disableExecuteApiEndpoint === "boolean" ? endpoint.disableExecuteApiEndpoint : undefined,
    binaryMediaTypes: binary.length > 0 ? binary : undefined,
    minimumCompressionSize: typeof compression === "number" ? compression : undefined,
    apiKeySource: keySource === "HEADER" || keySource === "AUTHORIZER" ? keySource : undefined,
    policy: isObject(policy) ? (policy as Spec["policy"]) : undefined,
  });
}

const OPERATIONS = new Map<string, (typeof HTTP_METHODS)[number]>([
  ...HTTP_METHODS.filter((method) => method !== "ANY").map((method) => [method.toLowerCase(), method] as const),
  ["x-amazon-apigateway-any-method", "ANY"],
]);
const PATH_FIELDS = ["parameters", "summary", "description", "servers", "$ref"];

/** paths → resources: every path, each with its operations as methods. */
export function resourcesOf(paths: JsonObject, context: DocumentContext): Spec["resources"] {
  const resources: Spec["resources"] = {};
  for (const [path, value] of Object.entries(paths)) {
    if (path.startsWith("x-")) {
      context.report(pointer("paths", path), `${path} is not supported by reconcile import`);
      continue;
    }
    resources[path] = resourceOf(objectAt(value), pointer("paths", path), context);
  }
  return resources;
}

function resourceOf(item: JsonObject, at: string, context: DocumentContext): Resource {
  const inherited = Array.isArray(item.parameters) ? (item.parameters as unknown[]) : [];
  const methods: Partial<Record<(typeof HTTP_METHODS)[number], MethodSpec>> = {};
  for (const [key, operation] of Object.entries(item)) {
    const method = OPERATIONS.get(key);
    if (method && isObject(operation)) methods[method] = methodOf(operation, inherited, at + pointer(key), context);
    else if (!PATH_FIELDS.includes(key)) context.report(at + pointer(key), `${key} is not supported by reconcile import`);
  }
  return Object.keys(methods).length > 0 ? { methods } : {};
}
