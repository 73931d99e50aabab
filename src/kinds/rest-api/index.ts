// The RestApi kind: an API Gateway REST API (resources, methods, integrations, responses, stages).
// Observe: GetRestApis once, then GetResources (embed=methods) + GetStages per owned API.
// Requires IamRole: an integration's credentials name a role, which must exist before the integration.
import { checkRestApi } from "../../manifest/checks.ts";
import { expandRestApi } from "../../manifest/expand.ts";
import { RestApiDocumentSchema, type RestApiDocument } from "../../manifest/schema.ts";
import { sdkCall } from "../../aws/calls.ts";
import type { Change } from "../../model/changes.ts";
import type { LiveRestApi } from "../../model/live.ts";
import { usesExecuteApiShorthand } from "../../model/policy.ts";
import type { RestApiModel } from "../../model/types.ts";
import { securityNotes } from "../iam-role/broadening.ts";
import type { KindHandler, ManifestIndex } from "../kind.ts";
import { observeRestApis } from "./claims.ts";
import { diffRestApi, restApiHashes, type RestApiDiff, type RestApiHashes } from "./diff.ts";
import { planRestApi } from "./plan.ts";

/** Hashing the resource tree is the costly part of a diff: once per manifest model. */
const hashes = new WeakMap<RestApiModel, RestApiHashes>();
function hashesOf(model: RestApiModel): RestApiHashes {
  let known = hashes.get(model);
  if (!known) hashes.set(model, (known = restApiHashes(model)));
  return known;
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

export const restApiKind: KindHandler<RestApiModel, LiveRestApi, RestApiDiff, RestApiDocument> = {
  kind: "RestApi",
  changeKinds: ["RestApi", "Resource", "Method", "MethodResponse", "Integration", "IntegrationResponse", "Stage", "Deployment"],
  root: "api",
  requires: ["IamRole"],
  scope: "region",
  describe,
  metricLabel: (name) => name,
  documentSchema: RestApiDocumentSchema,
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
  plan: (diff, desired, live, context) =>
    planRestApi(diff, desired, live, { region: context.target.region, partition: context.target.partition, owner: context.owner, roleReady: context.ready, ...(context.revision ? { revision: context.revision } : {}) }),
  prune: (orphan, group, change) => [{ id: `${group}:DeleteRestApi`, ...sdkCall("apigateway", "DeleteRestApi", { restApiId: orphan.live.id }), after: [], group, change }],
  securityNotes,
};
