// The RestApi kind: an API Gateway REST API (resources, methods, integrations, responses, stages).
// Observe: GetRestApis once, then GetResources (embed=methods) + GetStages per owned API.
// Requires IamRole: an integration's credentials name a role, which must exist before the integration.
import { sdkCall } from "../../aws/calls.ts";
import type { Change } from "../../model/changes.ts";
import type { LiveRestApi } from "../../model/live.ts";
import { usesExecuteApiShorthand } from "../../model/policy.ts";
import type { RestApiModel } from "../../model/types.ts";
import { securityNotes } from "../iam-role/broadening.ts";
import { groupKey, type KindHandler, type ManifestIndex, type Readiness } from "../kind.ts";
import { checkRestApi } from "./checks.ts";
import { observeRestApis } from "./claims.ts";
import { diffRestApi, restApiHashes, type RestApiDiff, type RestApiHashes } from "./diff.ts";
import { expandRestApi } from "./expand.ts";
import { stageKey } from "./plan-context.ts";
import { planRestApi, type PlannedRestApi } from "./plan.ts";
import { restApiRecovery } from "./recovery.ts";
import { RestApiDocumentSchema, type RestApiDocument } from "./schema.ts";

export { stageKey };

/** The readiness key of the stage of the RestApi manifest `api`, as the kinds that reference stages name it. */
export function apiStageKey(api: string, stage: string): string {
  return stageKey(groupKey("RestApi", api), stage);
}

/** Hashing the resource tree is the costly part of a diff: once per manifest model. */
const hashes = new WeakMap<RestApiModel, RestApiHashes>();
function hashesOf(model: RestApiModel): RestApiHashes {
  let known = hashes.get(model);
  if (!known) hashes.set(model, (known = restApiHashes(model)));
  return known;
}

/** What other documents may know of a RestApi manifest: its stages and the methods that require an API key. */
export interface RestApiExports {
  stages: string[];
  /** "GET /{folder}" of every method with apiKeyRequired: true. */
  keyRequiredMethods: string[];
  /** assumeRoleArn and region ("" for the run's): objects that reference the API must live beside it. */
  account: string;
  region: string;
}

/** A roleRef's role, as the IamRole kind exports it. */
function roleLookup(index: ManifestIndex) {
  return { get: (name: string) => index.exported("IamRole", name) as { roleName: string; path: string } | undefined };
}

/** IamRole name → the role assumed to manage it ("" for the run's own account), for the same-account check. */
function roleAccounts(index: ManifestIndex): Map<string, string> {
  const accounts = new Map<string, string>();
  for (const name of index.declared("IamRole")) {
    const exported = index.exported("IamRole", name) as { account: string } | undefined;
    if (exported) accounts.set(name, exported.account);
  }
  return accounts;
}

function describe(change: Change): string {
  const id = change.id;
  switch (change.kind) {
    case "Resource":
      return id.path ?? "";
    case "Method":
    case "Integration":
      return `${id.httpMethod ?? ""} ${id.path ?? ""}`;
    case "MethodResponse":
    case "IntegrationResponse":
      return `${id.httpMethod ?? ""} ${id.path ?? ""} ${id.statusCode ?? ""}`;
    case "Stage":
    case "Deployment":
      return id.stage ?? "";
    default:
      return id.api ?? "";
  }
}

/**
 * A stage created in this pass exists once its CreateStage (or the CreateDeployment that made it) is done:
 * what requires it (a usage plan, a base-path mapping) waits on `RestApi/<name>/stages/<stage>`.
 */
function publishStages({ group, stagesReady }: PlannedRestApi, ready: Readiness): void {
  for (const [stage, opId] of stagesReady) ready.set(stageKey(group, stage), opId);
}

export const restApiKind: KindHandler<RestApiModel, LiveRestApi, RestApiDiff, RestApiDocument> = {
  kind: "RestApi",
  plural: "APIs",
  changeKinds: ["RestApi", "Resource", "Method", "MethodResponse", "Integration", "IntegrationResponse", "Stage", "Deployment"],
  root: "api",
  requires: ["IamRole"],
  scope: "region",
  describe,
  metricLabel: (name) => name,
  documentSchema: RestApiDocumentSchema,
  // What a usage plan or a domain's base-path mapping may check a reference against.
  exportsOf: (doc): RestApiExports => ({
    stages: Object.keys(doc.spec.stages ?? {}),
    keyRequiredMethods: Object.entries(doc.spec.resources).flatMap(([path, resource]) =>
      Object.entries(resource.methods ?? {}).flatMap(([verb, method]) => (method?.apiKeyRequired ? [`${verb} ${path}`] : [])),
    ),
    account: doc.spec.assumeRoleArn ?? "",
    region: doc.spec.region ?? "",
  }),
  check: (doc, index) =>
    checkRestApi(doc, { roleNames: index.declared("IamRole"), roleAccounts: roleAccounts(index), apiAccount: doc.spec.assumeRoleArn ?? "", ...(index.inUnreadFile ? { inUnreadFile: (name: string) => index.inUnreadFile?.(name) === true } : {}) }),
  expand: (doc, index, source) => expandRestApi(doc, roleLookup(index), source),
  // AWS expands a resource policy's `execute-api:/` with the account: comparing needs it.
  needsAccountId: (model) => usesExecuteApiShorthand(model.policy),
  observe: observeRestApis,
  specHash: (model) => hashesOf(model).specHash,
  // Both hashes are of the manifest as written: a change AWS made under an ignored path is neither a
  // manifest change nor a reason to redeploy.
  diff: (desired, live, context) => diffRestApi(desired, live, hashesOf(context.manifest as RestApiModel), context.target),
  withModel: (live, model) => ({ ...live, model }),
  idOf: (live, group) => live?.id ?? { $ref: "api", group },
  plan: (diff, desired, live, context) => {
    const planned = planRestApi(diff, desired, live, { region: context.target.region, partition: context.target.partition, owner: context.owner, roleReady: context.ready, ...(context.revision ? { revision: context.revision } : {}) });
    publishStages(planned, context.ready);
    return planned.ops;
  },
  prune: (orphan, group, change) => [{ id: `${group}:DeleteRestApi`, ...sdkCall("apigateway", "DeleteRestApi", { restApiId: orphan.live.id }), after: [], group, change }],
  securityNotes,
  recovery: restApiRecovery,
  // Every API Gateway call on an API names it in its request (https://docs.aws.amazon.com/apigateway/latest/developerguide/cloudtrail.html, sample event).
  events: { source: "apigateway.amazonaws.com", ids: (event) => (typeof event.requestParameters.restApiId === "string" ? [event.requestParameters.restApiId] : []) },
};
