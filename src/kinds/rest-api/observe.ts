// observe for RestApi: GetRestApis once; per API GetResources (embed=methods, limit 500) and GetStages.
// Nothing per method. The answer is normalised into the Desired shape, AWS defaults filled the same way.
import type { Gateway } from "../../aws/gateway.ts";
import { fieldDefault, INTEGRATION_FIELDS, METHOD_FIELDS, readFields, REST_API_FIELDS } from "../fields.ts";
import { TAG, userTags, type LiveRestApi, type RestApiSummary } from "../../model/live.ts";
import type { ObserveContext } from "../kind.ts";
import { parsePolicyDocument } from "../../model/policy.ts";
import { compactRecord } from "../../model/own.ts";
import type {
  HttpMethod,
  IntegrationModel,
  IntegrationResponseModel,
  MethodModel,
  MethodResponseModel,
  MethodSettingModel,
  ResourceModel,
  RestApiModel,
  StageModel,
} from "../../model/types.ts";
import { normalizeMethodSettings, settingsKeyFromAws } from "../../model/method-settings.ts";

/* eslint-disable @typescript-eslint/no-explicit-any -- AWS answers are read defensively, field by field */
type Raw = Record<string, any>;

export interface RawRestApi {
  summary: RestApiSummary;
  raw: Raw;
}

export async function listRestApis(gateway: Gateway): Promise<RawRestApi[]> {
  const out: RawRestApi[] = [];
  let position: string | undefined;
  do {
    const page = await gateway.read("apigateway", "GetRestApis", { limit: 500, ...(position ? { position } : {}) });
    for (const item of (page.items ?? []) as Raw[]) {
      out.push({
        raw: item,
        summary: { id: String(item.id), name: String(item.name ?? ""), tags: (item.tags ?? {}) as Record<string, string>, createdDate: item.createdDate as Date | undefined },
      });
    }
    position = page.position;
  } while (position);
  return out;
}

/** Every API of the account and Region, once per pass however many kinds ask (see ObserveContext.shared). */
export function restApisOnce(gateway: Gateway, context: Pick<ObserveContext, "shared">): Promise<RawRestApi[]> {
  return context.shared ? context.shared("apigateway:GetRestApis", () => listRestApis(gateway)) : listRestApis(gateway);
}

/** Live API id → the manifest name its ownership tag gives it, for this owner's APIs (untagged owner reads as this one). */
export function ownedApiNames(apis: readonly RawRestApi[], owner: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const api of apis) {
    const name = api.summary.tags[TAG.name];
    if (name !== undefined && (api.summary.tags[TAG.owner] ?? owner) === owner) names.set(api.summary.id, name);
  }
  return names;
}

export async function readRestApi(gateway: Gateway, api: RawRestApi, key: string): Promise<LiveRestApi> {
  const [resources, stages] = await Promise.all([readResources(gateway, api.summary.id), gateway.read("apigateway", "GetStages", { restApiId: api.summary.id })]);
  // Built with fromEntries, never `record[name] = …`: a stage AWS calls `__proto__` must be an entry, not
  // the record's prototype (it would vanish from the diff, and `constructor`… would seem to exist).
  const paths = resources.map((resource) => [String(resource.path), resource] as const);
  const stageList = ((stages.item ?? []) as Raw[]).map((stage) => [String(stage.stageName), stage] as const);
  return {
    id: api.summary.id,
    tags: api.summary.tags,
    resourceIds: Object.fromEntries(paths.map(([path, resource]) => [path, String(resource.id)])),
    stageDeployments: Object.fromEntries(stageList.map(([name, stage]) => [name, stage.deploymentId as string | undefined])),
    model: {
      ...restApiFields(api.raw, key),
      resources: Object.fromEntries(paths.map(([path, resource]): [string, ResourceModel] => [path, { path, methods: methodsOf(resource) }])),
      stages: Object.fromEntries(stageList.map(([name, stage]) => [name, stageModel(stage)])),
    },
  };
}

async function readResources(gateway: Gateway, restApiId: string): Promise<Raw[]> {
  const out: Raw[] = [];
  let position: string | undefined;
  do {
    const page = await gateway.read("apigateway", "GetResources", { restApiId, embed: ["methods"], limit: 500, ...(position ? { position } : {}) });
    out.push(...((page.items ?? []) as Raw[]));
    position = page.position;
  } while (position);
  return out;
}

/** The API-level fields (everything but resources and stages) of a GetRestApis item. */
export function restApiFields(raw: Raw, key: string): Omit<RestApiModel, "resources" | "stages"> {
  const read = readFields(REST_API_FIELDS, raw);
  return {
    key,
    name: String(raw.name ?? ""),
    description: emptyToUndefined(raw.description),
    endpointType: String(((raw.endpointConfiguration as Raw | undefined)?.types as string[] | undefined)?.[0] ?? fieldDefault(REST_API_FIELDS, "endpointType")),
    binaryMediaTypes: [...new Set(((raw.binaryMediaTypes ?? []) as string[]).map((t) => t.replace(/~1/g, "/")))].sort(),
    minimumCompressionSize: raw.minimumCompressionSize as number | undefined,
    apiKeySource: read.apiKeySource as string,
    disableExecuteApiEndpoint: read.disableExecuteApiEndpoint as boolean,
    tags: userTags((raw.tags ?? {}) as Record<string, string>),
    policy: raw.policy ? parsePolicyDocument(String(raw.policy)) : undefined,
  };
}

function methodsOf(resource: Raw): Partial<Record<HttpMethod, MethodModel>> {
  return mapValues((resource.resourceMethods ?? {}) as Record<string, Raw>, methodModel);
}

function methodModel(method: Raw): MethodModel {
  return {
    ...(readFields(METHOD_FIELDS, method) as Omit<MethodModel, "integration" | "responses">),
    integration: method.methodIntegration ? integrationModel(method.methodIntegration as Raw) : undefined,
    responses: mapValues((method.methodResponses ?? {}) as Record<string, Raw>, methodResponseModel),
  };
}

function methodResponseModel(response: Raw): MethodResponseModel {
  return {
    responseParameters: { ...((response.responseParameters ?? {}) as Record<string, boolean>) },
    responseModels: { ...((response.responseModels ?? {}) as Record<string, string>) },
  };
}

function integrationModel(integration: Raw): IntegrationModel {
  return {
    ...(readFields(INTEGRATION_FIELDS, integration) as Omit<IntegrationModel, "responses">),
    responses: mapValues((integration.integrationResponses ?? {}) as Record<string, Raw>, integrationResponseModel),
  };
}

function integrationResponseModel(response: Raw): IntegrationResponseModel {
  return {
    selectionPattern: emptyToUndefined(response.selectionPattern),
    responseParameters: { ...((response.responseParameters ?? {}) as Record<string, string>) },
    responseTemplates: { ...((response.responseTemplates ?? {}) as Record<string, string>) },
    contentHandling: emptyToUndefined(response.contentHandling),
  };
}

function stageModel(stage: Raw): StageModel {
  const raw = (stage.methodSettings ?? {}) as Record<string, MethodSettingModel>;
  const settings = Object.fromEntries(Object.entries(raw).map(([key, value]) => [settingsKeyFromAws(key), value]));
  return {
    name: String(stage.stageName),
    description: emptyToUndefined(stage.description),
    variables: { ...((stage.variables ?? {}) as Record<string, string>) },
    tracingEnabled: Boolean(stage.tracingEnabled ?? false),
    methodSettings: normalizeMethodSettings(settings),
    tags: userTags((stage.tags ?? {}) as Record<string, string>),
  };
}

function emptyToUndefined(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

/** The same keys (own entries, whatever their names), each value mapped. */
function mapValues<T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return compactRecord(Object.entries(record).map(([k, v]) => [k, f(v)]));
}
