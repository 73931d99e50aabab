// A validated RestApi document → its Desired model: defaults filled (the same ones observe fills from AWS),
// role references turned into ARNs, every ancestor resource made explicit.
import type { DesiredRestApi, HttpMethod, IntegrationModel, MethodModel, ResourceModel, SourceRef, StageModel } from "../../model/types.ts";
import { desiredObject, nonEmpty } from "../../manifest/expand.ts";
import { roleArn } from "../../model/arn.ts";
import { normalizeMethodSettings } from "../../model/method-settings.ts";
import { compactRecord } from "../../model/own.ts";
import { fillDefaults, fieldDefault, INTEGRATION_FIELDS, METHOD_FIELDS, REST_API_FIELDS } from "../fields.ts";
import type { IntegrationSpec, MethodSpec, RestApiDocument, StageSpec } from "./schema.ts";

/** The defaults of the field tables (declared there, once). */
export const DEFAULTS = {
  endpointType: fieldDefault<string>(REST_API_FIELDS, "endpointType"),
  apiKeySource: fieldDefault<string>(REST_API_FIELDS, "apiKeySource"),
  authorizationType: fieldDefault<string>(METHOD_FIELDS, "authorizationType"),
  passthroughBehavior: fieldDefault<string>(INTEGRATION_FIELDS, "passthroughBehavior"),
  timeoutInMillis: fieldDefault<number>(INTEGRATION_FIELDS, "timeoutInMillis"),
} as const;

/** Looks up a role named by a roleRef (its name and path make the ARN). */
type RoleIndex = { get(name: string): { roleName: string; path: string } | undefined };

export function expandRestApi(doc: RestApiDocument, roles: RoleIndex, source: SourceRef): DesiredRestApi {
  const spec = doc.spec;
  return desiredObject(doc, source, {
    key: doc.metadata.name,
    name: spec.name ?? doc.metadata.name,
    description: nonEmpty(spec.description),
    endpointType: spec.endpointType ?? DEFAULTS.endpointType,
    binaryMediaTypes: [...new Set(spec.binaryMediaTypes ?? [])].sort(),
    minimumCompressionSize: spec.minimumCompressionSize,
    apiKeySource: spec.apiKeySource ?? DEFAULTS.apiKeySource,
    disableExecuteApiEndpoint: spec.disableExecuteApiEndpoint ?? false,
    tags: spec.tags ?? {},
    policy: spec.policy,
    resources: expandResources(spec.resources, roles),
    stages: Object.fromEntries(Object.entries(spec.stages ?? {}).map(([name, stage]) => [name, expandStage(name, stage)])),
  });
}

export function canonicalPath(path: string): string {
  return path === "/" ? "/" : path.replace(/\/+$/, "");
}

function expandResources(resources: RestApiDocument["spec"]["resources"], roles: RoleIndex): Record<string, ResourceModel> {
  const out: Record<string, ResourceModel> = { "/": { path: "/", methods: {} } };
  for (const [rawPath, resource] of Object.entries(resources)) {
    const path = canonicalPath(rawPath);
    const parts = path.split("/").filter(Boolean);
    for (let depth = 1; depth <= parts.length; depth++) {
      const ancestor = "/" + parts.slice(0, depth).join("/");
      out[ancestor] ??= { path: ancestor, methods: {} };
    }
    const target = out[path] ?? { path, methods: {} };
    for (const [verb, method] of Object.entries(resource.methods ?? {})) {
      if (method) target.methods[verb as HttpMethod] = expandMethod(method, roles);
    }
    out[path] = target;
  }
  return out;
}

function expandMethod(method: MethodSpec, roles: RoleIndex): MethodModel {
  return {
    ...(fillDefaults(METHOD_FIELDS, method) as Omit<MethodModel, "integration" | "responses">),
    integration: method.integration ? expandIntegration(method.integration, roles) : undefined,
    responses: compactRecord(
      Object.entries(method.responses ?? {}).map(([code, r]) => [code, { responseParameters: r.responseParameters ?? {}, responseModels: r.responseModels ?? {} }]),
    ),
  };
}

function expandIntegration(integration: IntegrationSpec, roles: RoleIndex): IntegrationModel {
  const credentials = integration.credentials;
  let credentialsArn: string | undefined;
  if (typeof credentials === "string") credentialsArn = credentials;
  else if (credentials) {
    const role = roles.get(credentials.roleRef);
    // The loader has already reported a dangling reference; keep a recognisable value for safety.
    // The partition too is the target's (aws, aws-cn, aws-us-gov): known only once AWS is observed.
    credentialsArn = role ? roleArn("${AWS_ACCOUNT_ID}", role.path, role.roleName, "${AWS_PARTITION}") : `unresolved:${credentials.roleRef}`;
  }
  return {
    ...(fillDefaults(INTEGRATION_FIELDS, { ...integration, credentials: credentialsArn }) as Omit<IntegrationModel, "responses">),
    responses: compactRecord(
      Object.entries(integration.responses ?? {}).map(([code, r]) => [
        code,
        {
          selectionPattern: r.selectionPattern === "" ? undefined : r.selectionPattern,
          responseParameters: r.responseParameters ?? {},
          responseTemplates: r.responseTemplates ?? {},
          contentHandling: r.contentHandling,
        },
      ]),
    ),
  };
}

function expandStage(name: string, stage: StageSpec): StageModel {
  return {
    name,
    description: nonEmpty(stage.description),
    variables: stage.variables ?? {},
    tracingEnabled: stage.tracingEnabled ?? false,
    methodSettings: normalizeMethodSettings(stage.methodSettings ?? {}),
    tags: stage.tags ?? {},
  };
}
