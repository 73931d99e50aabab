// export: the model of a live API (and of the roles its integrations assume) → manifests that load back to
// the same model. Pure. What equals its default (the defaults `expand` fills) is left out, so the manifest
// reads as if written by hand; the target's Region, account and partition in ARNs become placeholders.
import { ROLE_DEFAULTS } from "../kinds/iam-role/expand.ts";
import { DEFAULTS } from "../kinds/rest-api/expand.ts";
import { HTTP_METHODS } from "../kinds/rest-api/schema.ts";
import { API_VERSION } from "../manifest/schema.ts";
import { ALL_METHODS } from "../model/method-settings.ts";
import type { Target } from "../model/placeholders.ts";
import type {
  IamRoleModel,
  IntegrationModel,
  IntegrationResponseModel,
  MethodModel,
  MethodResponseModel,
  MethodSettingModel,
  PolicyDocument,
  RestApiModel,
  StageModel,
} from "../model/types.ts";

/** A manifest document as plain data, keys in the order they are written. */
export interface ExportedDocument {
  apiVersion: typeof API_VERSION;
  kind: "RestApi" | "IamRole";
  metadata: { name: string };
  spec: Record<string, unknown>;
}

export interface ExportOptions {
  /** Whose Region, account and partition become ${AWS_REGION}, ${AWS_ACCOUNT_ID}, ${AWS_PARTITION}. */
  target: Target;
  /** Adds `adopt: true` to the spec. */
  adopt: boolean;
}

export interface ApiExportOptions extends ExportOptions {
  /** Role ARN (as the integrations name it) → the IamRole manifest name that stands for it. */
  roleRefs: ReadonlyMap<string, string>;
}

type Obj = Record<string, unknown>;

/** The RestApi manifest of `model`, named `name` (metadata.name). */
export function restApiManifest(model: RestApiModel, name: string, options: ApiExportOptions): ExportedDocument {
  const spec: Obj = {};
  if (model.name !== name) spec.name = model.name;
  put(spec, "description", model.description);
  if (model.endpointType !== DEFAULTS.endpointType) spec.endpointType = model.endpointType;
  if (model.binaryMediaTypes.length > 0) spec.binaryMediaTypes = [...model.binaryMediaTypes];
  put(spec, "minimumCompressionSize", model.minimumCompressionSize);
  if (model.apiKeySource !== DEFAULTS.apiKeySource) spec.apiKeySource = model.apiKeySource;
  if (model.disableExecuteApiEndpoint) spec.disableExecuteApiEndpoint = true;
  putMap(spec, "tags", model.tags);
  if (model.policy) spec.policy = policy(model.policy, options.target);
  spec.resources = resources(model, options);
  const stages = Object.keys(model.stages)
    .sort(byCodePoint)
    .map((stage) => [stage, stageSpec(model.stages[stage] as StageModel)] as const);
  if (stages.length > 0) spec.stages = Object.fromEntries(stages);
  if (options.adopt) spec.adopt = true;
  return { apiVersion: API_VERSION, kind: "RestApi", metadata: { name }, spec };
}

/** The IamRole manifest of `model`, named `name`. */
export function iamRoleManifest(model: IamRoleModel, name: string, options: ExportOptions): ExportedDocument {
  const { target } = options;
  const spec: Obj = {};
  if (model.roleName !== name) spec.roleName = model.roleName;
  if (model.path !== ROLE_DEFAULTS.rolePath) spec.path = model.path;
  put(spec, "description", model.description);
  spec.assumeRolePolicy = policy(model.assumeRolePolicy, target);
  const inline = Object.keys(model.inlinePolicies).sort(byCodePoint);
  if (inline.length > 0) spec.inlinePolicies = Object.fromEntries(inline.map((p) => [p, policy(model.inlinePolicies[p] as PolicyDocument, target)]));
  if (model.managedPolicyArns.length > 0) spec.managedPolicyArns = sortedWithPlaceholders(model.managedPolicyArns, target);
  if (model.maxSessionDuration !== ROLE_DEFAULTS.maxSessionDuration) spec.maxSessionDuration = model.maxSessionDuration;
  if (model.permissionsBoundary !== undefined) spec.permissionsBoundary = withPlaceholders(model.permissionsBoundary, target);
  putMap(spec, "tags", model.tags);
  if (options.adopt) spec.adopt = true;
  return { apiVersion: API_VERSION, kind: "IamRole", metadata: { name }, spec };
}

/**
 * Resources by path, sorted. A path with methods is written; so is a leaf without any (the loader makes
 * every ancestor, so an ancestor without methods needs no entry, and neither does "/").
 */
function resources(model: RestApiModel, options: ApiExportOptions): Obj {
  const paths = Object.keys(model.resources).sort(byCodePoint);
  const isAncestor = (path: string) => paths.some((other) => other !== path && other.startsWith(path === "/" ? "/" : `${path}/`));
  const out: Obj = {};
  for (const path of paths) {
    const methods = model.resources[path]?.methods ?? {};
    const verbs = HTTP_METHODS.filter((verb) => Object.hasOwn(methods, verb) && methods[verb] !== undefined);
    if (verbs.length === 0) {
      if (path !== "/" && !isAncestor(path)) out[path] = {};
      continue;
    }
    out[path] = { methods: Object.fromEntries(verbs.map((verb) => [verb, methodSpec(methods[verb] as MethodModel, options)])) };
  }
  return out;
}

function methodSpec(method: MethodModel, options: ApiExportOptions): Obj {
  const spec: Obj = {};
  if (method.authorizationType !== DEFAULTS.authorizationType) spec.authorizationType = method.authorizationType;
  if (method.apiKeyRequired) spec.apiKeyRequired = true;
  put(spec, "operationName", method.operationName);
  putMap(spec, "requestParameters", method.requestParameters);
  if (method.integration) spec.integration = integrationSpec(method.integration, options);
  const codes = Object.keys(method.responses).sort(byCodePoint);
  if (codes.length > 0) spec.responses = Object.fromEntries(codes.map((code) => [code, methodResponseSpec(method.responses[code] as MethodResponseModel)]));
  return spec;
}

function methodResponseSpec(response: MethodResponseModel): Obj {
  const spec: Obj = {};
  putMap(spec, "responseParameters", response.responseParameters);
  putMap(spec, "responseModels", response.responseModels);
  return spec;
}

function integrationSpec(integration: IntegrationModel, options: ApiExportOptions): Obj {
  const spec: Obj = { type: integration.type };
  put(spec, "httpMethod", integration.httpMethod);
  if (integration.uri !== undefined) spec.uri = withPlaceholders(integration.uri, options.target);
  if (integration.credentials !== undefined) {
    const roleRef = options.roleRefs.get(integration.credentials);
    spec.credentials = roleRef !== undefined ? { roleRef } : withPlaceholders(integration.credentials, options.target);
  }
  if (integration.passthroughBehavior !== DEFAULTS.passthroughBehavior) spec.passthroughBehavior = integration.passthroughBehavior;
  put(spec, "contentHandling", integration.contentHandling);
  if (integration.timeoutInMillis !== DEFAULTS.timeoutInMillis) spec.timeoutInMillis = integration.timeoutInMillis;
  putMap(spec, "requestParameters", integration.requestParameters);
  // Mapping templates are never placeholder-resolved (VTL has ${…} of its own): written as they are.
  putMap(spec, "requestTemplates", integration.requestTemplates);
  if (integration.cacheKeyParameters.length > 0) spec.cacheKeyParameters = [...integration.cacheKeyParameters];
  const codes = Object.keys(integration.responses).sort(byCodePoint);
  if (codes.length > 0) spec.responses = Object.fromEntries(codes.map((code) => [code, integrationResponseSpec(integration.responses[code] as IntegrationResponseModel)]));
  return spec;
}

function integrationResponseSpec(response: IntegrationResponseModel): Obj {
  const spec: Obj = {};
  put(spec, "selectionPattern", response.selectionPattern);
  putMap(spec, "responseParameters", response.responseParameters);
  putMap(spec, "responseTemplates", response.responseTemplates);
  put(spec, "contentHandling", response.contentHandling);
  return spec;
}

const SETTING_FIELDS: readonly (keyof MethodSettingModel)[] = [
  "loggingLevel",
  "dataTraceEnabled",
  "metricsEnabled",
  "throttlingBurstLimit",
  "throttlingRateLimit",
  "cachingEnabled",
  "cacheTtlInSeconds",
  "cacheDataEncrypted",
  "requireAuthorizationForCacheControl",
  "unauthorizedCacheControlHeaderStrategy",
];

function stageSpec(stage: StageModel): Obj {
  const spec: Obj = {};
  put(spec, "description", stage.description);
  putMap(spec, "variables", stage.variables);
  if (stage.tracingEnabled) spec.tracingEnabled = true;
  // `*/*` first, then the method entries by key; a method entry is written even when empty (the model keeps it).
  const keys = Object.keys(stage.methodSettings).sort((a, b) => (a === ALL_METHODS ? -1 : b === ALL_METHODS ? 1 : byCodePoint(a, b)));
  if (keys.length > 0) {
    spec.methodSettings = Object.fromEntries(
      keys.map((key) => {
        const setting = stage.methodSettings[key] as MethodSettingModel;
        return [key, Object.fromEntries(SETTING_FIELDS.filter((field) => setting[field] !== undefined).map((field) => [field, setting[field]]))];
      }),
    );
  }
  putMap(spec, "tags", stage.tags);
  return spec;
}

const POLICY_KEYS = ["Version", "Id", "Statement"];
const STATEMENT_KEYS = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];
const PRINCIPAL_KEYS = ["AWS", "Service", "Federated", "CanonicalUser"];

/**
 * A policy document with the target's ARNs as placeholders (every string in it: Resource, Principal,
 * Condition), its keys in IAM's documented order (conditions sorted): the same document reads the same
 * whatever order AWS answered it in. Statements and lists keep their order.
 */
function policy(document: PolicyDocument, target: Target): PolicyDocument {
  const strings = (value: unknown): unknown => (typeof value === "string" ? withPlaceholders(value, target) : Array.isArray(value) ? value.map(strings) : value);
  const principal = (value: unknown): unknown => (typeof value === "object" && value !== null ? ordered(value as Obj, PRINCIPAL_KEYS, strings) : strings(value));
  const condition = (value: unknown): unknown =>
    typeof value === "object" && value !== null ? ordered(value as Obj, [], (operator) => (typeof operator === "object" && operator !== null && !Array.isArray(operator) ? ordered(operator as Obj, [], strings) : strings(operator))) : value;
  const statement = (value: unknown): unknown =>
    ordered(value as Obj, STATEMENT_KEYS, (member, key) => (key === "Principal" || key === "NotPrincipal" ? principal(member) : key === "Condition" ? condition(member) : strings(member)));
  return ordered(document, POLICY_KEYS, (member, key) => (key === "Statement" ? (Array.isArray(member) ? member.map(statement) : statement(member)) : strings(member))) as unknown as PolicyDocument;
}

/** The entries of `record`: first those named in `order`, in that order, then the rest sorted; each value mapped. */
function ordered(record: Obj, order: readonly string[], map: (value: unknown, key: string) => unknown): Obj {
  const keys = Object.keys(record);
  const first = order.filter((key) => keys.includes(key));
  const rest = keys.filter((key) => !order.includes(key)).sort(byCodePoint);
  return Object.fromEntries([...first, ...rest].map((key) => [key, map(record[key], key)]));
}

const ARN = /^arn:([^:]*):([^:]*):([^:]*):([^:]*)(:.*)?$/s;

/**
 * An ARN with the target's partition, Region and account (in their own fields) as placeholders, which
 * resolve back to the same ARN for that target. Anything else, and any string that already holds `${`
 * (a placeholder there would be resolved, not kept), is returned as it is.
 */
export function withPlaceholders(value: string, target: Target): string {
  if (value.includes("${")) return value;
  const match = ARN.exec(value);
  if (!match) return value;
  const [, partition = "", service = "", region = "", account = "", rest = ""] = match;
  const p = partition === target.partition ? "${AWS_PARTITION}" : partition;
  const r = region !== "" && region === target.region ? "${AWS_REGION}" : region;
  const a = account !== "" && account === target.accountId ? "${AWS_ACCOUNT_ID}" : account;
  return `arn:${p}:${service}:${r}:${a}${rest}`;
}

/**
 * A sorted list of ARNs with placeholders, still sorted: the loader sorts the list as written (placeholders
 * unresolved), so a placeholder that moves an entry would reorder the list it loads to. The account is left
 * literal when it would, then the partition too.
 */
function sortedWithPlaceholders(arns: readonly string[], target: Target): string[] {
  const tries = [target, { ...target, accountId: "" }, { region: "", accountId: "", partition: "" }];
  for (const attempt of tries) {
    const written = arns.map((arn) => withPlaceholders(arn, attempt));
    if (written.every((arn, i) => i === 0 || byCodePoint(written[i - 1] as string, arn) <= 0)) return written;
  }
  return [...arns];
}

/** A manifest name (lowercase letters, digits, '.', '-'; 1-63) from a name such as MyS3 or apigAwsProxyRole: my-s3, apig-aws-proxy-role. */
export function manifestNameOf(name: string): string {
  const slug = name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, "-")
    .slice(0, 63)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return slug === "" ? "exported" : slug;
}

function put(spec: Obj, field: string, value: unknown): void {
  if (value !== undefined) spec[field] = value;
}

/** A map written only when it has entries, its keys sorted. */
function putMap(spec: Obj, field: string, map: Record<string, unknown>): void {
  const keys = Object.keys(map).sort(byCodePoint);
  if (keys.length > 0) spec[field] = Object.fromEntries(keys.map((k) => [k, map[k]]));
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
