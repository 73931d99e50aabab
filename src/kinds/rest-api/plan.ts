// plan for RestApi (pure): each change → the minimal API Gateway call, with the dependencies that
// order them (parent before child, method before integration before responses, deletes bottom-up,
// one deployment last) and refs to ids that only exist once an earlier call answered.
import type { ApiKeySourceType, ContentHandlingStrategy, EndpointType, IntegrationType, PatchOperation as SdkPatchOperation } from "@aws-sdk/client-api-gateway";
import { sdkCall, type CallInput, type Planned } from "../../aws/calls.ts";
import type { Change, Operation, PatchOperation, Ref } from "../../model/changes.ts";
import { TAG, type LiveRestApi } from "../../model/live.ts";
import { restApiArn, stageArn } from "../../model/arn.ts";
import { hasOwn, ownValue } from "../../model/own.ts";
import type { IntegrationModel, MethodModel, RestApiModel, StageModel } from "../../model/types.ts";
import type { RestApiDiff } from "./diff.ts";
import { diffMethodSettings } from "./diff.ts";

export interface RestApiPlanContext {
  region: string;
  /** aws, aws-cn or aws-us-gov: tag ARNs carry it. */
  partition: string;
  owner: string;
  /** Role ARN → id of the operation after which that role exists (roles created in this run). */
  roleReady: ReadonlyMap<string, string>;
  /** Git commit of the manifests, for the deployment description. */
  revision?: string;
}

const ref = (name: string, format?: string): Ref & { format?: string } => (format ? { $ref: name, format } : { $ref: name });

export function planRestApi(diff: RestApiDiff, desired: RestApiModel, live: LiveRestApi | undefined, context: RestApiPlanContext): Operation[] {
  const group = `RestApi/${desired.key}`;
  const ops: Operation[] = [];
  const restApiId: Planned<string> = live?.id ?? ref("api");
  const apiArn: Planned<string> = live ? restApiArn(context.region, live.id, context.partition) : ref("api", restApiArn(context.region, "{}", context.partition));
  let createApiOp: string | undefined;

  const add = (op: Omit<Operation, "group" | "after"> & { after?: (string | undefined)[] }): string => {
    const listed = op.after ?? [];
    const after: string[] = listed.length > 8 ? [...new Set(listed.filter((a): a is string => a !== undefined))] : [];
    if (listed.length <= 8) for (const a of listed) if (a !== undefined && !after.includes(a)) after.push(a);
    if (createApiOp && op.id !== createApiOp && !after.includes(createApiOp)) after.push(createApiOp);
    const planned = op as Operation;
    planned.group = group;
    planned.after = after;
    ops.push(planned);
    return op.id;
  };
  const changeIndex = (predicate: (c: Change) => boolean) => {
    const i = diff.changes.findIndex(predicate);
    return i >= 0 ? i : undefined;
  };

  // The spec hash is not among the tags an API is created with: it says "AWS holds this spec", which is
  // only true once the API's last operation (its final TagResource) is done. An apply stopped half-way
  // leaves no hash, so what is still missing is reported as pending, not as drift.
  const ownershipTags = { [TAG.name]: desired.key, [TAG.owner]: context.owner };

  // Resource ids: live ids for matched resources, refs for resources this plan creates.
  const resourceId = (path: string): Planned<string> => {
    const livePath = diff.resourceMatch.get(path);
    return (livePath !== undefined && live ? ownValue(live.resourceIds, livePath) : undefined) ?? ref(`resource:${path}`);
  };
  const resourceCreateOp = new Map<string, string>();
  const methodPutOp = new Map<string, string>();
  const integrationPutOp = new Map<string, string>();
  const methodResponsePutOp = new Map<string, string>();
  const integrationResponseDeleteOp = new Map<string, string>();
  const resourceDeleteOps: string[] = [];
  const renameOps: string[] = [];
  // Declarations (a method's parameters, a method response's headers) and the writes that use them.
  const declarations = { method: new Map<string, Operation>(), methodResponse: new Map<string, Operation>() };
  const uses = { method: new Map<string, Operation>(), methodResponse: new Map<string, Operation>() };
  const lastOp = (): Operation => ops[ops.length - 1] as Operation;

  diff.changes.forEach((change, index) => {
    const { kind, action, id } = change;
    const path = id.path ?? "/";
    const methodKey = `${path} ${id.httpMethod ?? ""}`;
    // Names from change ids are looked up as own entries only (see model/own.ts).
    const method = id.httpMethod ? ownValue(ownValue(desired.resources, path)?.methods, id.httpMethod) : undefined;
    const httpMethod = id.httpMethod ?? "";
    const statusCode = id.statusCode ?? "";
    const base = { restApiId, resourceId: resourceId(path), httpMethod };
    const liveBase = () => {
      const livePath = diff.resourceMatch.get(path) ?? path;
      return { restApiId, resourceId: ownValue(live?.resourceIds, livePath) ?? resourceId(path), httpMethod };
    };

    switch (`${kind}:${action}`) {
      case "RestApi:create":
        createApiOp = add({
          id: `${group}:CreateRestApi`,
          ...sdkCall("apigateway", "CreateRestApi", createRestApiInput(desired, ownershipTags)),
          produces: "api",
          change: index,
        });
        break;
      case "RestApi:update": {
        if (change.patch.length > 0) {
          add({ id: `${group}:UpdateRestApi`, ...sdkCall("apigateway", "UpdateRestApi", { restApiId, patchOperations: change.patch }), change: index });
        }
        const tags = change.fields.find((f) => f.field === "tags");
        if (tags) {
          const before = (tags.before ?? {}) as Record<string, string>;
          const after = (tags.after ?? {}) as Record<string, string>;
          const removed = Object.keys(before).filter((k) => !hasOwn(after, k));
          if (removed.length > 0) add({ id: `${group}:UntagResource`, ...sdkCall("apigateway", "UntagResource", { resourceArn: apiArn, tagKeys: removed }), change: index });
        }
        break;
      }
      case "Resource:create": {
        const parent = parentOf(path);
        resourceCreateOp.set(
          path,
          add({
            id: `${group}:CreateResource:${path}`,
            ...sdkCall("apigateway", "CreateResource", { restApiId, parentId: resourceId(parent), pathPart: lastPart(path) }),
            produces: `resource:${path}`,
            after: [resourceCreateOp.get(parent)],
            change: index,
          }),
        );
        break;
      }
      case "Resource:update":
        renameOps.push(
          add({
            id: `${group}:UpdateResource:${path}`,
            ...sdkCall("apigateway", "UpdateResource", { restApiId, resourceId: resourceId(path), patchOperations: change.patch }),
            change: index,
          }),
        );
        break;
      case "Resource:delete":
        resourceDeleteOps.push(
          add({
            id: `${group}:DeleteResource:${path}`,
            ...sdkCall("apigateway", "DeleteResource", { restApiId, resourceId: ownValue(live?.resourceIds, path) }),
            change: index,
          }),
        );
        break;
      case "Method:create":
        if (method) {
          methodPutOp.set(
            methodKey,
            add({
              id: `${group}:PutMethod:${methodKey}`,
              ...sdkCall("apigateway", "PutMethod", { ...base, ...putMethodInput(method) }),
              after: [resourceCreateOp.get(path)],
              change: index,
            }),
          );
        }
        break;
      case "Method:update":
        add({ id: `${group}:UpdateMethod:${methodKey}`, ...sdkCall("apigateway", "UpdateMethod", { ...base, patchOperations: change.patch }), change: index });
        declarations.method.set(methodKey, lastOp());
        break;
      case "Method:delete":
        add({ id: `${group}:DeleteMethod:${methodKey}`, ...sdkCall("apigateway", "DeleteMethod", liveBase()), change: index });
        break;
      case "Integration:create":
      case "Integration:replace":
        if (method?.integration) {
          integrationPutOp.set(
            methodKey,
            add({
              id: `${group}:PutIntegration:${methodKey}`,
              ...sdkCall("apigateway", "PutIntegration", { ...base, ...putIntegrationInput(method.integration) }),
              after: [methodPutOp.get(methodKey), roleDependency(method.integration, context)],
              change: index,
            }),
          );
          uses.method.set(methodKey, lastOp());
        }
        break;
      case "Integration:update":
        add({
          id: `${group}:UpdateIntegration:${methodKey}`,
          ...sdkCall("apigateway", "UpdateIntegration", { ...base, patchOperations: change.patch }),
          after: [roleDependency(method?.integration, context)],
          change: index,
        });
        uses.method.set(methodKey, lastOp());
        break;
      case "Integration:delete":
        add({ id: `${group}:DeleteIntegration:${methodKey}`, ...sdkCall("apigateway", "DeleteIntegration", liveBase()), change: index });
        uses.method.set(methodKey, lastOp());
        break;
      case "MethodResponse:create": {
        const response = ownValue(method?.responses, id.statusCode ?? "");
        if (response) {
          methodResponsePutOp.set(
            `${methodKey} ${id.statusCode}`,
            add({
              id: `${group}:PutMethodResponse:${methodKey} ${id.statusCode}`,
              ...sdkCall("apigateway", "PutMethodResponse", { ...base, statusCode, responseParameters: response.responseParameters, responseModels: response.responseModels }),
              after: [methodPutOp.get(methodKey)],
              change: index,
            }),
          );
        }
        break;
      }
      case "MethodResponse:update":
        add({
          id: `${group}:UpdateMethodResponse:${methodKey} ${id.statusCode}`,
          ...sdkCall("apigateway", "UpdateMethodResponse", { ...base, statusCode, patchOperations: change.patch }),
          change: index,
        });
        declarations.methodResponse.set(`${methodKey} ${id.statusCode}`, lastOp());
        break;
      case "MethodResponse:delete":
        add({
          id: `${group}:DeleteMethodResponse:${methodKey} ${id.statusCode}`,
          ...sdkCall("apigateway", "DeleteMethodResponse", { ...liveBase(), statusCode: id.statusCode }),
          after: [integrationResponseDeleteOp.get(`${methodKey} ${id.statusCode}`)],
          change: index,
        });
        break;
      case "IntegrationResponse:create": {
        const response = ownValue(method?.integration?.responses, id.statusCode ?? "");
        if (response) {
          add({
            id: `${group}:PutIntegrationResponse:${methodKey} ${id.statusCode}`,
            ...sdkCall("apigateway", "PutIntegrationResponse", {
              ...base,
              statusCode,
              ...(response.selectionPattern !== undefined ? { selectionPattern: response.selectionPattern } : {}),
              responseParameters: response.responseParameters,
              responseTemplates: response.responseTemplates,
              ...(response.contentHandling ? { contentHandling: response.contentHandling as ContentHandlingStrategy } : {}),
            }),
            after: [integrationPutOp.get(methodKey), methodResponsePutOp.get(`${methodKey} ${id.statusCode}`)],
            change: index,
          });
          uses.methodResponse.set(`${methodKey} ${id.statusCode}`, lastOp());
        }
        break;
      }
      case "IntegrationResponse:update":
        add({
          id: `${group}:UpdateIntegrationResponse:${methodKey} ${id.statusCode}`,
          ...sdkCall("apigateway", "UpdateIntegrationResponse", { ...base, statusCode, patchOperations: change.patch }),
          change: index,
        });
        uses.methodResponse.set(`${methodKey} ${id.statusCode}`, lastOp());
        break;
      case "IntegrationResponse:delete":
        integrationResponseDeleteOp.set(
          `${methodKey} ${id.statusCode}`,
          add({
            id: `${group}:DeleteIntegrationResponse:${methodKey} ${id.statusCode}`,
            ...sdkCall("apigateway", "DeleteIntegrationResponse", { ...liveBase(), statusCode: id.statusCode }),
            change: index,
          }),
        );
        uses.methodResponse.set(`${methodKey} ${id.statusCode}`, lastOp());
        break;
      default:
        break;
    }
  });

  // A new resource may reuse a variable slot that a deleted or renamed sibling frees: deletes and renames first.
  // A rename into a variable part waits likewise, for deletes and for renames to fixed parts (no cycle).
  const renamesToFixed = ops.filter((o) => o.call === "UpdateResource" && !isVariableRename(o)).map((o) => o.id);
  for (const op of ops) {
    if (op.call === "CreateResource") op.after.push(...resourceDeleteOps, ...renameOps);
    if (op.call === "UpdateResource" && isVariableRename(op)) op.after.push(...resourceDeleteOps, ...renamesToFixed);
  }
  // A method response goes after the integration response of the same status code (planned later).
  for (const op of ops) {
    if (op.call !== "DeleteMethodResponse") continue;
    const sibling = op.id.replace(":DeleteMethodResponse:", ":DeleteIntegrationResponse:");
    if (ops.some((o) => o.id === sibling) && !op.after.includes(sibling)) op.after.push(sibling);
  }

  for (const kind of ["method", "methodResponse"] as const) {
    for (const [key, declaration] of declarations[kind]) {
      const use = uses[kind].get(key);
      if (use !== undefined) declareAroundUse(declaration, use);
    }
  }

  const configOps = ops.map((o) => o.id);
  planStages(diff, desired, live, context, group, restApiId, add, changeIndex, configOps, () => ops.map((o) => o.id));
  return ops;
}

function planStages(
  diff: RestApiDiff,
  desired: RestApiModel,
  live: LiveRestApi | undefined,
  context: RestApiPlanContext,
  group: string,
  restApiId: Planned<string>,
  add: (op: Omit<Operation, "group" | "after"> & { after?: (string | undefined)[] }) => string,
  changeIndex: (predicate: (c: Change) => boolean) => number | undefined,
  configOps: string[],
  allOps: () => string[],
): string[] {
  const out: string[] = [];
  const stageArnOf = (name: string): Planned<string> => (live ? stageArn(context.region, live.id, name, context.partition) : ref("api", stageArn(context.region, "{}", name, context.partition)));
  const deployment = diff.deployment;
  const stageChange = (name: string) => diff.changes.find((c) => c.kind === "Stage" && c.id.stage === name);
  const stageChangeIndex = (name: string) => changeIndex((c) => c.kind === "Stage" && c.id.stage === name);
  let deployOp: string | undefined;
  const handled = new Set<string>();

  if (deployment) {
    const [carrier, ...others] = deployment.stages;
    if (carrier === undefined) return out;
    const carrierStage = ownValue(desired.stages, carrier);
    const carrierIsNew = !live || !hasOwn(live.stageDeployments, carrier);
    deployOp = add({
      id: `${group}:CreateDeployment`,
      ...sdkCall("apigateway", "CreateDeployment", {
        restApiId,
        stageName: carrier,
        description: deploymentDescription(diff.configHash, context.revision),
        ...(carrierIsNew && carrierStage ? newStageViaDeployment(carrierStage) : {}),
      }),
      produces: "deployment",
      after: configOps,
      change: changeIndex((c) => c.kind === "Deployment"),
    });
    out.push(deployOp);
    if (carrierStage) {
      out.push(...stageFollowUps(carrier, carrierStage, carrierIsNew, deployOp));
      handled.add(carrier);
    }
    for (const name of others) {
      const stage = ownValue(desired.stages, name);
      if (!stage) continue;
      handled.add(name);
      const exists = live !== undefined && hasOwn(live.stageDeployments, name);
      if (exists) {
        const patch: Planned<PatchOperations> = [{ op: "replace", path: "/deploymentId", value: ref("deployment") }, ...(stageChange(name)?.patch ?? [])];
        out.push(add({ id: `${group}:UpdateStage:${name}`, ...sdkCall("apigateway", "UpdateStage", { restApiId, stageName: name, patchOperations: patch }), after: [deployOp], change: stageChangeIndex(name) }));
        out.push(...stageTagOps(name, stage, false, deployOp));
      } else {
        const created = add({
          id: `${group}:CreateStage:${name}`,
          ...sdkCall("apigateway", "CreateStage", { restApiId, stageName: name, deploymentId: ref("deployment"), ...stageCreateFields(stage), ...(Object.keys(stage.tags).length > 0 ? { tags: stage.tags } : {}) }),
          after: [deployOp],
          change: stageChangeIndex(name),
        });
        out.push(created, ...stageFollowUps(name, stage, true, created, true));
      }
    }
  }

  for (const name of Object.keys(desired.stages).sort()) {
    if (handled.has(name)) continue;
    const stage = ownValue(desired.stages, name);
    const change = stageChange(name);
    if (!stage || !change || change.action !== "update") continue;
    if (change.patch.length > 0) {
      out.push(add({ id: `${group}:UpdateStage:${name}`, ...sdkCall("apigateway", "UpdateStage", { restApiId, stageName: name, patchOperations: change.patch }), change: stageChangeIndex(name) }));
    }
    out.push(...stageTagOps(name, stage, false, undefined));
  }
  for (const change of diff.changes) {
    if (change.kind === "Stage" && change.action === "delete" && change.id.stage) {
      out.push(add({ id: `${group}:DeleteStage:${change.id.stage}`, ...sdkCall("apigateway", "DeleteStage", { restApiId, stageName: change.id.stage }), change: stageChangeIndex(change.id.stage) }));
    }
  }

  // Record what was applied: the spec hash always, the deployment and its config hash when one was made.
  const needsSpecTag = live === undefined || live.tags[TAG.specHash] !== diff.specHash;
  const userTagChange = diff.changes.find((c) => c.kind === "RestApi" && c.action === "update")?.fields.find((f) => f.field === "tags");
  const apiArnValue: Planned<string> = live ? restApiArn(context.region, live.id, context.partition) : ref("api", restApiArn(context.region, "{}", context.partition));
  if (deployOp || needsSpecTag || userTagChange) {
    const tags: Record<string, Planned<string>> = { ...(userTagChange ? (userTagChange.after as Record<string, string>) : {}), [TAG.specHash]: diff.specHash };
    if (live) Object.assign(tags, { [TAG.name]: desired.key, [TAG.owner]: context.owner });
    if (deployOp) tags[TAG.deployed] = ref("deployment", `{}:${diff.configHash}`);
    // Last, after every other operation of the API: the tags record what was applied.
    out.push(add({ id: `${group}:TagResource`, ...sdkCall("apigateway", "TagResource", { resourceArn: apiArnValue, tags }), after: allOps() }));
  }
  return out;

  function stageFollowUps(name: string, stage: StageModel, isNew: boolean, createdBy: string, tagsSet = false): string[] {
    const ids: string[] = [];
    const settings = isNew ? diffMethodSettings(stage.methodSettings, {}) : undefined;
    const patch = isNew ? (settings?.patch ?? []) : (stageChange(name)?.patch ?? []);
    if (patch.length > 0) {
      ids.push(add({ id: `${group}:UpdateStage:${name}`, ...sdkCall("apigateway", "UpdateStage", { restApiId, stageName: name, patchOperations: patch }), after: [createdBy], change: stageChangeIndex(name) }));
    }
    if (!tagsSet) ids.push(...stageTagOps(name, stage, isNew, createdBy));
    return ids;
  }

  function stageTagOps(name: string, stage: StageModel, isNew: boolean, after: string | undefined): string[] {
    const ids: string[] = [];
    const before = isNew ? {} : ((stageChange(name)?.fields.find((f) => f.field === "tags")?.before as Record<string, string> | undefined) ?? undefined);
    if (!isNew && before === undefined) return ids;
    const removed = Object.keys(before ?? {}).filter((k) => !hasOwn(stage.tags, k));
    if (removed.length > 0) ids.push(add({ id: `${group}:UntagResource:${name}`, ...sdkCall("apigateway", "UntagResource", { resourceArn: stageArnOf(name), tagKeys: removed }), after: [after] }));
    if (Object.keys(stage.tags).length > 0) ids.push(add({ id: `${group}:TagResource:${name}`, ...sdkCall("apigateway", "TagResource", { resourceArn: stageArnOf(name), tags: stage.tags }), after: [after] }));
    return ids;
  }
}

/**
 * AWS validates a mapping when it is written: an integration may only map from a method parameter that is
 * declared, an integration response only to a method response header that is ("Invalid mapping expression
 * parameter specified"; see test/emulator/SOURCES.md). So a declaration that adds goes before the write
 * that uses it; one that only removes goes after it. AWS accepts removing a parameter a mapping still
 * names (terraform-provider-aws issue 39801), so one call that adds and removes goes first, whole: no
 * extra call.
 */
function declareAroundUse(declaration: Operation, use: Operation): void {
  const patch = declaration.input.patchOperations as PatchOperation[];
  if (patch.some((p) => p.op !== "remove")) use.after.push(declaration.id);
  else declaration.after.push(use.id);
}

function newStageViaDeployment(stage: StageModel): Record<string, unknown> {
  return {
    ...(stage.description !== undefined ? { stageDescription: stage.description } : {}),
    ...(Object.keys(stage.variables).length > 0 ? { variables: stage.variables } : {}),
    ...(stage.tracingEnabled ? { tracingEnabled: true } : {}),
  };
}

function stageCreateFields(stage: StageModel): Record<string, unknown> {
  return {
    ...(stage.description !== undefined ? { description: stage.description } : {}),
    ...(Object.keys(stage.variables).length > 0 ? { variables: stage.variables } : {}),
    ...(stage.tracingEnabled ? { tracingEnabled: true } : {}),
  };
}

function createRestApiInput(model: RestApiModel, ownershipTags: Record<string, string>): CallInput<"apigateway", "CreateRestApi"> {
  return {
    name: model.name,
    ...(model.description !== undefined ? { description: model.description } : {}),
    // Enumerations as the manifest schema validated them.
    endpointConfiguration: { types: [model.endpointType as EndpointType] },
    ...(model.binaryMediaTypes.length > 0 ? { binaryMediaTypes: model.binaryMediaTypes } : {}),
    ...(model.minimumCompressionSize !== undefined ? { minimumCompressionSize: model.minimumCompressionSize } : {}),
    apiKeySource: model.apiKeySource as ApiKeySourceType,
    ...(model.disableExecuteApiEndpoint ? { disableExecuteApiEndpoint: true } : {}),
    ...(model.policy ? { policy: JSON.stringify(model.policy) } : {}),
    tags: { ...model.tags, ...ownershipTags },
  };
}

type PatchOperations = SdkPatchOperation[];

/** The input fields of a call but the ones that say where (API, resource, method). */
type Fields<C extends "PutMethod" | "PutIntegration"> = Omit<CallInput<"apigateway", C>, "restApiId" | "resourceId" | "httpMethod">;

function putMethodInput(method: MethodModel): Fields<"PutMethod"> {
  return {
    authorizationType: method.authorizationType,
    apiKeyRequired: method.apiKeyRequired,
    ...(method.operationName !== undefined ? { operationName: method.operationName } : {}),
    ...(Object.keys(method.requestParameters).length > 0 ? { requestParameters: method.requestParameters } : {}),
  };
}

function putIntegrationInput(integration: IntegrationModel): Fields<"PutIntegration"> {
  return {
    // Enumerations as the manifest schema validated them.
    type: integration.type as IntegrationType,
    ...(integration.httpMethod !== undefined ? { integrationHttpMethod: integration.httpMethod } : {}),
    ...(integration.uri !== undefined ? { uri: integration.uri } : {}),
    ...(integration.credentials !== undefined ? { credentials: integration.credentials } : {}),
    ...(Object.keys(integration.requestParameters).length > 0 ? { requestParameters: integration.requestParameters } : {}),
    ...(Object.keys(integration.requestTemplates).length > 0 ? { requestTemplates: integration.requestTemplates } : {}),
    passthroughBehavior: integration.passthroughBehavior,
    ...(integration.contentHandling !== undefined ? { contentHandling: integration.contentHandling as ContentHandlingStrategy } : {}),
    timeoutInMillis: integration.timeoutInMillis,
    ...(integration.cacheKeyParameters.length > 0 ? { cacheKeyParameters: integration.cacheKeyParameters } : {}),
  };
}

function roleDependency(integration: IntegrationModel | undefined, context: RestApiPlanContext): string | undefined {
  return integration?.credentials ? context.roleReady.get(integration.credentials) : undefined;
}

function isVariableRename(op: Operation): boolean {
  const patch = op.input.patchOperations as { path: string; value?: unknown }[] | undefined;
  return (patch ?? []).some((p) => p.path === "/pathPart" && typeof p.value === "string" && p.value.startsWith("{"));
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

function lastPart(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Names the config (for "is this stage current?") and the Git revision it came from (for people). */
function deploymentDescription(configHash: string, revision: string | undefined): string {
  return revision ? `apigw-reconciler config ${configHash} revision ${revision}` : `apigw-reconciler config ${configHash}`;
}
