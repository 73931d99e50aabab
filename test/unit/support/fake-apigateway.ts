// A small in-memory API Gateway (REST, control plane) behind the Gateway interface, written from the
// AWS API reference rather than from the reconciler: it answers the reads observe makes (GetRestApis,
// GetResources embed=methods, GetStages) and carries out the writes a plan emits, applying
// PatchOperations path by path (values must be strings, `/` in a segment is `~1`, unknown paths fail).
// It enforces the AWS rules a wrong order would break: parent before child, one variable path part
// among siblings, unique path parts, a method before its integration and responses, a method response
// before the integration response of its status, PutIntegration dropping integration responses,
// PutMethod on an existing method failing, a deployment needing methods with integrations.
import { AwsCallError, classifyError } from "../../../src/aws/errors.ts";
import type { PlannedCall } from "../../../src/aws/calls.ts";
import type { Gateway } from "../../../src/aws/gateway.ts";
import { IAM_QUOTAS, QuotaScheduler } from "../../../src/aws/quotas.ts";
import { CallRecorder } from "../../../src/aws/recorder.ts";
import type { PatchOperation, Service } from "../../../src/model/changes.ts";
import type { HttpMethod, MethodSettingModel, RestApiModel } from "../../../src/model/types.ts";

type Json = Record<string, unknown>;

interface FakeIntegrationResponse {
  statusCode: string;
  selectionPattern?: string;
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
  contentHandling?: string;
}

interface FakeIntegration {
  type: string;
  httpMethod?: string;
  uri?: string;
  credentials?: string;
  requestParameters: Record<string, string>;
  requestTemplates: Record<string, string>;
  passthroughBehavior: string;
  contentHandling?: string;
  timeoutInMillis: number;
  cacheKeyParameters: string[];
  integrationResponses: Record<string, FakeIntegrationResponse>;
}

interface FakeMethod {
  httpMethod: string;
  authorizationType: string;
  apiKeyRequired: boolean;
  operationName?: string;
  requestParameters: Record<string, boolean>;
  methodResponses: Record<string, { statusCode: string; responseParameters: Record<string, boolean>; responseModels: Record<string, string> }>;
  methodIntegration?: FakeIntegration;
}

interface FakeResource {
  id: string;
  parentId?: string;
  pathPart?: string;
  methods: Record<string, FakeMethod>;
}

interface FakeStage {
  stageName: string;
  deploymentId: string;
  description?: string;
  variables: Record<string, string>;
  tracingEnabled: boolean;
  methodSettings: Record<string, Required<MethodSettingModel>>;
  tags: Record<string, string>;
}

interface FakeApi {
  id: string;
  name: string;
  description?: string;
  endpointType: string;
  binaryMediaTypes: string[];
  minimumCompressionSize?: number;
  apiKeySource: string;
  disableExecuteApiEndpoint: boolean;
  policy?: string;
  tags: Record<string, string>;
  resources: Map<string, FakeResource>;
  stages: Map<string, FakeStage>;
  deployments: Set<string>;
}

const SETTING_DEFAULTS: Required<MethodSettingModel> = {
  loggingLevel: "OFF",
  dataTraceEnabled: false,
  metricsEnabled: false,
  throttlingBurstLimit: 5000,
  throttlingRateLimit: 10000,
  cachingEnabled: false,
  cacheTtlInSeconds: 300,
  cacheDataEncrypted: false,
  requireAuthorizationForCacheControl: true,
  unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
};

/** UpdateStage method-setting sub-paths (API reference, UpdateStage) → field and type. */
const SETTING_PATHS: Record<string, [keyof MethodSettingModel, "string" | "boolean" | "number"]> = {
  "logging/loglevel": ["loggingLevel", "string"],
  "logging/dataTrace": ["dataTraceEnabled", "boolean"],
  "metrics/enabled": ["metricsEnabled", "boolean"],
  "throttling/burstLimit": ["throttlingBurstLimit", "number"],
  "throttling/rateLimit": ["throttlingRateLimit", "number"],
  "caching/enabled": ["cachingEnabled", "boolean"],
  "caching/ttlInSeconds": ["cacheTtlInSeconds", "number"],
  "caching/dataEncrypted": ["cacheDataEncrypted", "boolean"],
  "caching/requireAuthorizationForCacheControl": ["requireAuthorizationForCacheControl", "boolean"],
  "caching/unauthorizedCacheControlHeaderStrategy": ["unauthorizedCacheControlHeaderStrategy", "string"],
};

class FakeAwsError extends Error {
  constructor(
    name: string,
    message: string,
    readonly $metadata: { httpStatusCode: number },
  ) {
    super(message);
    this.name = name;
  }
}

const badRequest = (message: string) => new FakeAwsError("BadRequestException", message, { httpStatusCode: 400 });
const notFound = (message: string) => new FakeAwsError("NotFoundException", message, { httpStatusCode: 404 });
const conflict = (message: string) => new FakeAwsError("ConflictException", message, { httpStatusCode: 409 });

// Manifest key → the key GetStages answers after a patch that wrote it as /{resource path, / as ~1}/{METHOD}/…:
// /{folder}/GET → ~1{folder}/GET, the root's /GET → ~1/GET, "*" + "/*" unchanged.
function awsSettingsKey(key: string): string {
  if (key === "*/*") return key;
  const slash = key.lastIndexOf("/");
  const path = key.slice(0, slash) || "/";
  return `${path.replace(/~/g, "~0").replace(/\//g, "~1")}/${key.slice(slash + 1)}`;
}

const unescape = (segment: string) => segment.replace(/~1/g, "/").replace(/~0/g, "~");

/** An input field that must be a string (an unresolved $ref or a number here is a bug of the caller). */
function text(value: unknown): string {
  if (typeof value !== "string") throw badRequest(`expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function str(op: PatchOperation): string {
  if (typeof op.value !== "string") throw badRequest(`${op.op} ${op.path}: value must be a string, got ${JSON.stringify(op.value)}`);
  return op.value;
}

function bool(op: PatchOperation): boolean {
  const v = str(op);
  if (v !== "true" && v !== "false") throw badRequest(`${op.path}: "${v}" is not a boolean`);
  return v === "true";
}

function num(op: PatchOperation): number {
  const v = Number(str(op));
  if (!Number.isFinite(v)) throw badRequest(`${op.path}: "${op.value}" is not a number`);
  return v;
}

/**
 * How AWS patches a field (see test/emulator/SOURCES.md): scalars take `replace` only ("Invalid patch
 * operation specified. Must be one of: [replace]"), and `replace` with an empty value clears them, except
 * a "removable-string" (RestApi /description) which also takes `remove`; an "upsert-map" (stage variables)
 * takes `replace` for new keys and refuses `add`.
 */
/** AWS's answer to a mapping that names an undeclared parameter or header (test/emulator/SOURCES.md). */
function invalidMapping(expression: string): FakeAwsError {
  return badRequest(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: ${expression}]`);
}

/** `target` takes `source`'s fields, and loses those `source` lacks (a patch that cleared them). */
function replaceContents<T extends object>(target: T, source: T): void {
  for (const key of Object.keys(target)) if (!(key in source)) delete (target as Record<string, unknown>)[key];
  Object.assign(target, source);
}

/** An integration may map only from a method request parameter the method declares. */
function checkRequestMappings(method: FakeMethod, integration: FakeIntegration): void {
  for (const source of Object.values(integration.requestParameters)) {
    const parameter = /^method\.request\.(?:multivalue)?(path|querystring|header)\.(.+)$/.exec(source);
    if (parameter && !(`method.request.${parameter[1]}.${parameter[2]}` in method.requestParameters)) throw invalidMapping(source);
  }
}

/** An integration response may map only to a header its method response declares. */
function checkResponseMappings(method: FakeMethod, code: string, response: FakeIntegrationResponse): void {
  const declared = method.methodResponses[code]?.responseParameters ?? {};
  for (const target of Object.keys(response.responseParameters)) {
    if (target.startsWith("method.response.header.") && !(target in declared)) throw invalidMapping(target);
  }
}

export type FieldKind = "string" | "removable-string" | "boolean" | "number" | "map" | "upsert-map" | "flags" | "set";

const REPLACE_ONLY = "Invalid patch operation specified. Must be one of: [replace]";

/** Applies the patch to `target` whose patchable fields (top-level path segment) are described in `fields`. */
export function applyPatch(target: Json, ops: unknown, fields: Readonly<Record<string, FieldKind>>, what: string): void {
  if (!Array.isArray(ops)) throw badRequest(`${what}: patchOperations missing`);
  for (const op of ops as PatchOperation[]) {
    const [empty, head, ...rest] = op.path.split("/");
    if (empty !== "" || head === undefined) throw badRequest(`${what}: invalid patch path ${op.path}`);
    const field = head;
    const kind = fields[field];
    if (!kind) throw badRequest(`${what}: invalid patch path ${op.path}`);
    if (kind === "map" || kind === "upsert-map" || kind === "flags" || kind === "set") {
      if (rest.length !== 1) throw badRequest(`${what}: invalid patch path ${op.path}`);
      const key = unescape(rest[0] ?? "");
      if (kind === "set") {
        const set = (target[field] ?? []) as string[];
        if (op.op === "add") {
          if (op.value !== undefined && op.value !== "") throw badRequest(`${what}: ${op.path}: a set member goes in the path, not the value`);
          target[field] = [...new Set([...set, key])];
        } else if (op.op === "remove") {
          if (!set.includes(key)) throw notFound(`${what}: ${op.path}: no such member`);
          target[field] = set.filter((m) => m !== key);
        } else throw badRequest(`${what}: ${op.op} not supported on ${op.path}`);
        continue;
      }
      const map = { ...((target[field] ?? {}) as Json) };
      if (op.op === "remove") {
        if (!(key in map)) throw notFound(`${what}: ${op.path}: no such key`);
        delete map[key];
      } else if (op.op === "add" || op.op === "replace") {
        if (op.op === "add" && kind === "upsert-map") throw badRequest(`${what}: ${op.path}: ${REPLACE_ONLY}`);
        if (op.op === "replace" && !(key in map) && kind !== "upsert-map") throw notFound(`${what}: replace of absent ${op.path}`);
        map[key] = kind === "flags" ? bool(op) : str(op);
      } else throw badRequest(`${what}: ${op.op} not supported on ${op.path}`);
      target[field] = map;
      continue;
    }
    if (rest.length !== 0) throw badRequest(`${what}: invalid patch path ${op.path}`);
    if (op.op === "remove" && kind === "removable-string") delete target[field];
    else if (op.op !== "replace") throw badRequest(`${what}: ${op.op} ${op.path}: ${REPLACE_ONLY}`);
    else if (op.value === "" && kind !== "boolean") delete target[field];
    else target[field] = kind === "boolean" ? bool(op) : kind === "number" ? num(op) : str(op);
  }
}

/** The patchable fields of each object, by the model's (= AWS's) field names. */
export const PATCHABLE = {
  restApi: { name: "string", description: "removable-string", binaryMediaTypes: "set", minimumCompressionSize: "number", apiKeySource: "string", disableExecuteApiEndpoint: "boolean", policy: "string" },
  method: { authorizationType: "string", apiKeyRequired: "boolean", operationName: "string", requestParameters: "flags" },
  integration: {
    uri: "string",
    credentials: "string",
    httpMethod: "string",
    passthroughBehavior: "string",
    contentHandling: "string",
    timeoutInMillis: "number",
    requestParameters: "map",
    requestTemplates: "map",
    cacheKeyParameters: "set",
  },
  methodResponse: { responseParameters: "flags", responseModels: "map" },
  integrationResponse: { selectionPattern: "string", contentHandling: "string", responseParameters: "map", responseTemplates: "map" },
  stage: { description: "string", variables: "upsert-map", tracingEnabled: "boolean" },
} as const satisfies Record<string, Record<string, FieldKind>>;

export interface FakeApiGatewayOptions {
  /** Extra awaits before each answer, cycled: shuffles the completion order of concurrent calls. */
  delays?: number[];
}

export class FakeApiGateway implements Gateway {
  readonly recorder = new CallRecorder();
  readonly scheduler = new QuotaScheduler({ apigateway: { "*": { rate: 1e9, burst: 1e9 } }, iam: IAM_QUOTAS });
  readonly apis = new Map<string, FakeApi>();
  /** Every write, in the order it took effect. */
  readonly writes: string[] = [];
  private counter = 0;
  private delayIndex = 0;

  constructor(private readonly options: FakeApiGatewayOptions = {}) {}

  private nextId(prefix: string): string {
    return `${prefix}${(++this.counter).toString(36).padStart(4, "0")}`;
  }

  region(): Promise<string> {
    return Promise.resolve("us-east-1");
  }

  accountIdFromSts(): Promise<string> {
    return Promise.resolve("123456789012");
  }

  destroy(): void {}

  /** One fake for every pass: its recorder counts across passes, which the unit tests want. */
  forPass(): Gateway {
    return this;
  }

  read<T = Record<string, unknown>>(service: Service, operation: string, input: Record<string, unknown>): Promise<T> {
    return this.send<T>(service, operation, input);
  }

  sendPlanned(call: PlannedCall): Promise<Record<string, unknown>> {
    return this.send(call.service, call.call, call.input);
  }

  async send<T = Record<string, unknown>>(service: Service, operation: string, input: Record<string, unknown>): Promise<T> {
    const delays = this.options.delays ?? [];
    const wait = delays.length > 0 ? (delays[this.delayIndex++ % delays.length] ?? 0) : 0;
    for (let i = 0; i < wait; i++) await Promise.resolve();
    this.recorder.record(operation);
    if (service !== "apigateway") throw new AwsCallError(operation, classifyError(badRequest(`the fake answers API Gateway only, not ${service}`)));
    try {
      const answer = this.dispatch(operation, input);
      if (!/^Get/.test(operation)) this.writes.push(operation);
      return structuredClone(answer) as T;
    } catch (error) {
      const detail = classifyError(error);
      this.recorder.recordError(detail.name);
      throw new AwsCallError(operation, detail);
    }
  }

  // ---------------------------------------------------------------- lookup

  private api(input: Json): FakeApi {
    const api = this.apis.get(text(input.restApiId));
    if (!api) throw notFound(`Invalid API identifier specified ${text(input.restApiId)}`);
    return api;
  }

  private resource(api: FakeApi, id: unknown): FakeResource {
    const resource = api.resources.get(text(id));
    if (!resource) throw notFound(`Invalid Resource identifier specified ${text(id)}`);
    return resource;
  }

  private method(api: FakeApi, input: Json): FakeMethod {
    const method = this.resource(api, input.resourceId).methods[text(input.httpMethod)];
    if (!method) throw notFound(`Invalid Method identifier specified ${text(input.httpMethod)}`);
    return method;
  }

  private integration(api: FakeApi, input: Json): FakeIntegration {
    const integration = this.method(api, input).methodIntegration;
    if (!integration) throw notFound("No integration defined for method");
    return integration;
  }

  private stage(api: FakeApi, name: unknown): FakeStage {
    const stage = api.stages.get(text(name));
    if (!stage) throw notFound(`Invalid stage identifier specified ${text(name)}`);
    return stage;
  }

  pathOf(api: FakeApi, resource: FakeResource): string {
    if (resource.parentId === undefined) return "/";
    const parent = this.resource(api, resource.parentId);
    const base = this.pathOf(api, parent);
    return `${base === "/" ? "" : base}/${resource.pathPart ?? ""}`;
  }

  private checkSiblings(api: FakeApi, parentId: string, pathPart: string, self?: string): void {
    for (const sibling of api.resources.values()) {
      if (sibling.parentId !== parentId || sibling.id === self) continue;
      if (sibling.pathPart === pathPart) throw conflict(`Another resource with the same parent already has this name: ${pathPart}`);
      if (pathPart.startsWith("{") && sibling.pathPart?.startsWith("{")) {
        throw badRequest(`A sibling (${sibling.pathPart}) of this resource already has a variable path part -- only one is allowed`);
      }
    }
  }

  private taggable(arn: string): Record<string, string> {
    const match = /^arn:aws:apigateway:[^:]+::\/restapis\/([^/]+)(?:\/stages\/([^/]+))?$/.exec(arn);
    if (!match) throw badRequest(`Invalid ARN ${arn}`);
    const api = this.api({ restApiId: match[1] });
    return match[2] !== undefined ? this.stage(api, match[2]).tags : api.tags;
  }

  // ---------------------------------------------------------------- operations

  private dispatch(operation: string, input: Json): unknown {
    switch (operation) {
      case "GetRestApis":
        return { items: [...this.apis.values()].map((api) => this.restApiItem(api)) };
      case "GetResources": {
        const api = this.api(input);
        return { items: [...api.resources.values()].map((r) => this.resourceItem(api, r, input.embed)) };
      }
      case "GetStages":
        return { item: [...this.api(input).stages.values()].map((s) => ({ ...structuredClone(s), tags: { ...s.tags } })) };
      case "CreateRestApi":
        return this.createRestApi(input);
      case "UpdateRestApi": {
        const api = this.api(input);
        const view: Json = {
          name: api.name,
          description: api.description,
          endpointConfiguration: api.endpointType,
          binaryMediaTypes: api.binaryMediaTypes,
          minimumCompressionSize: api.minimumCompressionSize,
          apiKeySource: api.apiKeySource,
          disableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
          policy: api.policy,
        };
        const ops = (input.patchOperations as PatchOperation[] | undefined) ?? [];
        // /endpointConfiguration/types/0 is the one nested scalar path.
        const endpoint = ops.filter((op) => op.path.startsWith("/endpointConfiguration/"));
        for (const op of endpoint) {
          if (op.path !== "/endpointConfiguration/types/0" || op.op !== "replace") throw badRequest(`invalid patch path ${op.path}`);
          view.endpointConfiguration = str(op);
        }
        applyPatch(
          view,
          ops.filter((op) => !endpoint.includes(op)),
          PATCHABLE.restApi,
          "UpdateRestApi",
        );
        Object.assign(api, {
          name: view.name,
          description: view.description,
          endpointType: view.endpointConfiguration,
          binaryMediaTypes: view.binaryMediaTypes,
          minimumCompressionSize: view.minimumCompressionSize,
          apiKeySource: view.apiKeySource,
          disableExecuteApiEndpoint: view.disableExecuteApiEndpoint,
          policy: view.policy === "" ? undefined : view.policy,
        });
        return this.restApiItem(api);
      }
      case "DeleteRestApi":
        this.api(input);
        this.apis.delete(text(input.restApiId));
        return {};
      case "TagResource":
        Object.assign(this.taggable(text(input.resourceArn)), input.tags as Record<string, string>);
        return {};
      case "UntagResource": {
        const tags = this.taggable(text(input.resourceArn));
        for (const key of input.tagKeys as string[]) delete tags[key];
        return {};
      }
      case "CreateResource": {
        const api = this.api(input);
        const parent = this.resource(api, input.parentId);
        const pathPart = text(input.pathPart);
        this.checkSiblings(api, parent.id, pathPart);
        const resource: FakeResource = { id: this.nextId("r"), parentId: parent.id, pathPart, methods: {} };
        api.resources.set(resource.id, resource);
        return { id: resource.id, parentId: parent.id, pathPart, path: this.pathOf(api, resource) };
      }
      case "UpdateResource": {
        const api = this.api(input);
        const resource = this.resource(api, input.resourceId);
        for (const op of input.patchOperations as PatchOperation[]) {
          if (op.op !== "replace" || (op.path !== "/pathPart" && op.path !== "/parentId")) throw badRequest(`UpdateResource: invalid patch ${op.op} ${op.path}`);
          if (op.path === "/pathPart") {
            this.checkSiblings(api, resource.parentId ?? "", str(op), resource.id);
            resource.pathPart = str(op);
          } else {
            this.resource(api, str(op));
            this.checkSiblings(api, str(op), resource.pathPart ?? "", resource.id);
            resource.parentId = str(op);
          }
        }
        return { id: resource.id, path: this.pathOf(api, resource) };
      }
      case "DeleteResource": {
        const api = this.api(input);
        const resource = this.resource(api, input.resourceId);
        if (resource.parentId === undefined) throw badRequest("Cannot delete the root resource");
        const doomed = new Set([resource.id]);
        for (let grew = true; grew; ) {
          grew = false;
          for (const r of api.resources.values()) {
            if (r.parentId !== undefined && doomed.has(r.parentId) && !doomed.has(r.id)) {
              doomed.add(r.id);
              grew = true;
            }
          }
        }
        for (const id of doomed) api.resources.delete(id);
        return {};
      }
      case "PutMethod": {
        const api = this.api(input);
        const resource = this.resource(api, input.resourceId);
        const verb = text(input.httpMethod);
        if (resource.methods[verb]) throw conflict("Method already exists for this resource");
        resource.methods[verb] = {
          httpMethod: verb,
          authorizationType: text(input.authorizationType),
          apiKeyRequired: Boolean(input.apiKeyRequired ?? false),
          ...(input.operationName !== undefined ? { operationName: text(input.operationName) } : {}),
          requestParameters: { ...((input.requestParameters ?? {}) as Record<string, boolean>) },
          methodResponses: {},
        };
        return structuredClone(resource.methods[verb]);
      }
      case "UpdateMethod": {
        const method = this.method(this.api(input), input);
        applyPatch(method as unknown as Json, input.patchOperations, PATCHABLE.method, "UpdateMethod");
        return structuredClone(method);
      }
      case "DeleteMethod": {
        const api = this.api(input);
        this.method(api, input);
        delete this.resource(api, input.resourceId).methods[text(input.httpMethod)];
        return {};
      }
      case "PutIntegration": {
        const method = this.method(this.api(input), input);
        if (input.type !== "MOCK" && (input.uri === undefined || input.integrationHttpMethod === undefined)) throw badRequest("Enumeration value for HttpMethod must be non-empty");
        // Replaces the integration: its integration responses are gone.
        method.methodIntegration = {
          type: text(input.type),
          ...(input.integrationHttpMethod !== undefined ? { httpMethod: text(input.integrationHttpMethod) } : {}),
          ...(input.uri !== undefined ? { uri: text(input.uri) } : {}),
          ...(input.credentials !== undefined ? { credentials: text(input.credentials) } : {}),
          requestParameters: { ...((input.requestParameters ?? {}) as Record<string, string>) },
          requestTemplates: { ...((input.requestTemplates ?? {}) as Record<string, string>) },
          passthroughBehavior: text(input.passthroughBehavior ?? "WHEN_NO_MATCH"),
          ...(input.contentHandling !== undefined ? { contentHandling: text(input.contentHandling) } : {}),
          timeoutInMillis: Number(input.timeoutInMillis ?? 29000),
          cacheKeyParameters: [...((input.cacheKeyParameters ?? []) as string[])],
          integrationResponses: {},
        };
        checkRequestMappings(method, method.methodIntegration);
        return structuredClone(method.methodIntegration);
      }
      case "UpdateIntegration": {
        const api = this.api(input);
        const integration = this.integration(api, input);
        const patched = structuredClone(integration);
        applyPatch(patched as unknown as Json, input.patchOperations, PATCHABLE.integration, "UpdateIntegration");
        checkRequestMappings(this.method(api, input), patched);
        replaceContents(integration, patched);
        return structuredClone(integration);
      }
      case "DeleteIntegration": {
        const method = this.method(this.api(input), input);
        if (!method.methodIntegration) throw notFound("No integration defined for method");
        delete method.methodIntegration;
        return {};
      }
      case "PutMethodResponse": {
        const method = this.method(this.api(input), input);
        const code = text(input.statusCode);
        method.methodResponses[code] = {
          statusCode: code,
          responseParameters: { ...((input.responseParameters ?? {}) as Record<string, boolean>) },
          responseModels: { ...((input.responseModels ?? {}) as Record<string, string>) },
        };
        return structuredClone(method.methodResponses[code]);
      }
      case "UpdateMethodResponse": {
        const method = this.method(this.api(input), input);
        const response = method.methodResponses[text(input.statusCode)];
        if (!response) throw notFound("Invalid Response status code specified");
        applyPatch(response, input.patchOperations, PATCHABLE.methodResponse, "UpdateMethodResponse");
        return structuredClone(response);
      }
      case "DeleteMethodResponse": {
        const method = this.method(this.api(input), input);
        const code = text(input.statusCode);
        if (!method.methodResponses[code]) throw notFound("Invalid Response status code specified");
        delete method.methodResponses[code];
        return {};
      }
      case "PutIntegrationResponse": {
        const api = this.api(input);
        const method = this.method(api, input);
        const integration = this.integration(api, input);
        const code = text(input.statusCode);
        if (!method.methodResponses[code]) throw notFound("Invalid Response status code specified");
        integration.integrationResponses[code] = {
          statusCode: code,
          ...(input.selectionPattern !== undefined ? { selectionPattern: text(input.selectionPattern) } : {}),
          responseParameters: { ...((input.responseParameters ?? {}) as Record<string, string>) },
          responseTemplates: { ...((input.responseTemplates ?? {}) as Record<string, string>) },
          ...(input.contentHandling !== undefined ? { contentHandling: text(input.contentHandling) } : {}),
        };
        checkResponseMappings(method, code, integration.integrationResponses[code]);
        return structuredClone(integration.integrationResponses[code]);
      }
      case "UpdateIntegrationResponse": {
        const api = this.api(input);
        const integration = this.integration(api, input);
        const code = text(input.statusCode);
        const response = integration.integrationResponses[code];
        if (!response) throw notFound("Invalid Response status code specified");
        const patched = structuredClone(response);
        applyPatch(patched as unknown as Json, input.patchOperations, PATCHABLE.integrationResponse, "UpdateIntegrationResponse");
        checkResponseMappings(this.method(api, input), code, patched);
        replaceContents(response, patched);
        return structuredClone(response);
      }
      case "DeleteIntegrationResponse": {
        const integration = this.integration(this.api(input), input);
        const code = text(input.statusCode);
        if (!integration.integrationResponses[code]) throw notFound("Invalid Response status code specified");
        delete integration.integrationResponses[code];
        return {};
      }
      case "CreateDeployment":
        return this.createDeployment(input);
      case "CreateStage": {
        const api = this.api(input);
        const name = text(input.stageName);
        if (api.stages.has(name)) throw conflict("Stage already exists");
        if (!api.deployments.has(text(input.deploymentId))) throw notFound("Invalid Deployment identifier specified");
        api.stages.set(name, {
          stageName: name,
          deploymentId: text(input.deploymentId),
          ...(input.description !== undefined ? { description: text(input.description) } : {}),
          variables: { ...((input.variables ?? {}) as Record<string, string>) },
          tracingEnabled: Boolean(input.tracingEnabled ?? false),
          methodSettings: {},
          tags: { ...((input.tags ?? {}) as Record<string, string>) },
        });
        return {};
      }
      case "UpdateStage":
        return this.updateStage(input);
      case "DeleteStage": {
        const api = this.api(input);
        this.stage(api, input.stageName);
        api.stages.delete(text(input.stageName));
        return {};
      }
      default:
        throw badRequest(`the fake does not implement ${operation}`);
    }
  }

  private createRestApi(input: Json): unknown {
    const id = this.nextId("api");
    const root: FakeResource = { id: this.nextId("r"), methods: {} };
    const endpoint = (input.endpointConfiguration as { types?: string[] } | undefined)?.types?.[0] ?? "EDGE";
    const api: FakeApi = {
      id,
      name: text(input.name),
      ...(input.description !== undefined ? { description: text(input.description) } : {}),
      endpointType: endpoint,
      binaryMediaTypes: [...((input.binaryMediaTypes ?? []) as string[])],
      ...(input.minimumCompressionSize !== undefined ? { minimumCompressionSize: Number(input.minimumCompressionSize) } : {}),
      apiKeySource: text(input.apiKeySource ?? "HEADER"),
      disableExecuteApiEndpoint: Boolean(input.disableExecuteApiEndpoint ?? false),
      ...(input.policy !== undefined ? { policy: text(input.policy) } : {}),
      tags: { ...((input.tags ?? {}) as Record<string, string>) },
      resources: new Map([[root.id, root]]),
      stages: new Map(),
      deployments: new Set(),
    };
    this.apis.set(id, api);
    return { id, rootResourceId: root.id, name: api.name };
  }

  private createDeployment(input: Json): unknown {
    const api = this.api(input);
    const methods = [...api.resources.values()].flatMap((r) => Object.values(r.methods).map((m) => [r, m] as const));
    if (methods.length === 0) throw badRequest("The REST API doesn't contain any methods");
    for (const [resource, method] of methods) {
      if (!method.methodIntegration) throw badRequest(`No integration defined for method ${method.httpMethod} ${this.pathOf(api, resource)}`);
    }
    const id = this.nextId("dep");
    api.deployments.add(id);
    if (input.stageName !== undefined) {
      const name = text(input.stageName);
      const existing = api.stages.get(name);
      if (existing) existing.deploymentId = id;
      else {
        api.stages.set(name, {
          stageName: name,
          deploymentId: id,
          ...(input.stageDescription !== undefined ? { description: text(input.stageDescription) } : {}),
          variables: { ...((input.variables ?? {}) as Record<string, string>) },
          tracingEnabled: Boolean(input.tracingEnabled ?? false),
          methodSettings: {},
          tags: {},
        });
      }
    }
    return { id };
  }

  private updateStage(input: Json): unknown {
    const api = this.api(input);
    const stage = this.stage(api, input.stageName);
    const plain: PatchOperation[] = [];
    for (const op of input.patchOperations as PatchOperation[]) {
      const segments = op.path.split("/");
      if (segments.length === 3 && op.op === "remove" && segments[1] !== "variables") {
        // remove /{resource path}/{METHOD}: drops a method's settings override.
        const key = `${segments[1]}/${segments[2]}`;
        if (!(key in stage.methodSettings)) throw badRequest(`Cannot remove method setting ${key} because there is no method setting for this method`);
        delete stage.methodSettings[key];
        continue;
      }
      if (segments.length === 5) {
        // /{resource path, / as ~1}/{METHOD}/{section}/{name}, or /*/*/{section}/{name}. API Gateway keys the
        // setting as the path names it (AWS CLI reference, update-stage: "~1resourceName/GET").
        const [, resource = "", verb = "", section = "", name = ""] = segments;
        const spec = SETTING_PATHS[`${section}/${name}`];
        if (!spec || op.op !== "replace") throw badRequest(`UpdateStage: invalid method setting patch ${op.op} ${op.path}`);
        const key = `${resource}/${verb}`;
        const [field, type] = spec;
        // A method's new entry starts as a copy of the stage-wide `*/*` one (test/emulator/SOURCES.md).
        const setting = (stage.methodSettings[key] ??= { ...SETTING_DEFAULTS, ...stage.methodSettings["*/*"] });
        (setting as Record<string, unknown>)[field] = type === "boolean" ? bool(op) : type === "number" ? num(op) : str(op);
        continue;
      }
      if (op.path === "/deploymentId") {
        if (op.op !== "replace" || !api.deployments.has(str(op))) throw badRequest(`UpdateStage: invalid deployment ${String(op.value)}`);
        stage.deploymentId = str(op);
        continue;
      }
      plain.push(op);
    }
    applyPatch(stage as unknown as Json, plain, PATCHABLE.stage, "UpdateStage");
    return {};
  }

  // ---------------------------------------------------------------- answers in AWS shape

  private restApiItem(api: FakeApi): Json {
    return {
      id: api.id,
      name: api.name,
      ...(api.description !== undefined ? { description: api.description } : {}),
      endpointConfiguration: { types: [api.endpointType] },
      ...(api.binaryMediaTypes.length > 0 ? { binaryMediaTypes: [...api.binaryMediaTypes] } : {}),
      ...(api.minimumCompressionSize !== undefined ? { minimumCompressionSize: api.minimumCompressionSize } : {}),
      apiKeySource: api.apiKeySource,
      disableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
      // API Gateway answers the resource policy as JSON with its quotes escaped.
      ...(api.policy !== undefined ? { policy: api.policy.replace(/"/g, '\\"') } : {}),
      tags: { ...api.tags },
    };
  }

  private resourceItem(api: FakeApi, resource: FakeResource, embed: unknown): Json {
    const withMethods = Array.isArray(embed) && embed.includes("methods");
    return {
      id: resource.id,
      ...(resource.parentId !== undefined ? { parentId: resource.parentId, pathPart: resource.pathPart } : {}),
      path: this.pathOf(api, resource),
      ...(Object.keys(resource.methods).length > 0
        ? { resourceMethods: Object.fromEntries(Object.entries(resource.methods).map(([verb, m]) => [verb, withMethods ? structuredClone(m) : {}])) }
        : {}),
    };
  }

  // ---------------------------------------------------------------- building a starting state

  /** Puts a model into the fake as if it had been applied: returns the API id. */
  load(model: RestApiModel, tags: Record<string, string>, deploymentId = "dep0000"): string {
    const id = this.nextId("api");
    const api: FakeApi = {
      id,
      name: model.name,
      ...(model.description !== undefined ? { description: model.description } : {}),
      endpointType: model.endpointType,
      binaryMediaTypes: [...model.binaryMediaTypes],
      ...(model.minimumCompressionSize !== undefined ? { minimumCompressionSize: model.minimumCompressionSize } : {}),
      apiKeySource: model.apiKeySource,
      disableExecuteApiEndpoint: model.disableExecuteApiEndpoint,
      ...(model.policy !== undefined ? { policy: JSON.stringify(model.policy) } : {}),
      tags: { ...model.tags, ...tags },
      resources: new Map(),
      stages: new Map(),
      deployments: new Set([deploymentId]),
    };
    const idByPath = new Map<string, string>();
    const paths = Object.keys(model.resources).sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
    for (const path of paths) {
      const resource = model.resources[path];
      if (!resource) continue;
      const rid = this.nextId("r");
      const parentPath = path === "/" ? undefined : path.slice(0, path.lastIndexOf("/")) || "/";
      const fake: FakeResource = { id: rid, methods: {} };
      if (parentPath !== undefined) {
        fake.parentId = idByPath.get(parentPath);
        fake.pathPart = path.slice(path.lastIndexOf("/") + 1);
      }
      for (const [verb, method] of Object.entries(resource.methods) as [HttpMethod, NonNullable<(typeof resource.methods)[HttpMethod]>][]) {
        const integration = method.integration;
        fake.methods[verb] = {
          httpMethod: verb,
          authorizationType: method.authorizationType,
          apiKeyRequired: method.apiKeyRequired,
          ...(method.operationName !== undefined ? { operationName: method.operationName } : {}),
          requestParameters: { ...method.requestParameters },
          methodResponses: Object.fromEntries(Object.entries(method.responses).map(([code, r]) => [code, { statusCode: code, ...structuredClone(r) }])),
          ...(integration
            ? {
                methodIntegration: {
                  type: integration.type,
                  ...(integration.httpMethod !== undefined ? { httpMethod: integration.httpMethod } : {}),
                  ...(integration.uri !== undefined ? { uri: integration.uri } : {}),
                  ...(integration.credentials !== undefined ? { credentials: integration.credentials } : {}),
                  requestParameters: { ...integration.requestParameters },
                  requestTemplates: { ...integration.requestTemplates },
                  passthroughBehavior: integration.passthroughBehavior,
                  ...(integration.contentHandling !== undefined ? { contentHandling: integration.contentHandling } : {}),
                  timeoutInMillis: integration.timeoutInMillis,
                  cacheKeyParameters: [...integration.cacheKeyParameters],
                  integrationResponses: Object.fromEntries(
                    Object.entries(integration.responses).map(([code, r]) => [
                      code,
                      {
                        statusCode: code,
                        ...(r.selectionPattern !== undefined ? { selectionPattern: r.selectionPattern } : {}),
                        responseParameters: { ...r.responseParameters },
                        responseTemplates: { ...r.responseTemplates },
                        ...(r.contentHandling !== undefined ? { contentHandling: r.contentHandling } : {}),
                      },
                    ]),
                  ),
                },
              }
            : {}),
        };
      }
      idByPath.set(path, rid);
      api.resources.set(rid, fake);
    }
    for (const [name, stage] of Object.entries(model.stages)) {
      api.stages.set(name, {
        stageName: name,
        deploymentId,
        ...(stage.description !== undefined ? { description: stage.description } : {}),
        variables: { ...stage.variables },
        tracingEnabled: stage.tracingEnabled,
        methodSettings: Object.fromEntries(
          // A method's entry holds a copy of `*/*` plus its own values, as AWS keeps it.
          Object.entries(stage.methodSettings).map(([key, s]) => [awsSettingsKey(key), { ...SETTING_DEFAULTS, ...(key === "*/*" ? {} : stage.methodSettings["*/*"]), ...s }]),
        ),
        tags: { ...stage.tags },
      });
    }
    this.apis.set(id, api);
    return id;
  }
}
