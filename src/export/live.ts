// export, the reading half: the live API named on the command line and the roles its integrations assume,
// read with observe's own functions (GetRestApis, GetResources embed=methods, GetStages; per role GetRole,
// ListRolePolicies + GetRolePolicy, ListAttachedRolePolicies), then handed to the pure conversion.
import type { Gateway } from "../aws/gateway.ts";
import { partitionOfRegion } from "../engine/observe.ts";
import { readIamRole } from "../kinds/iam-role/observe.ts";
import { listRestApis, readRestApi, type RawRestApi } from "../kinds/rest-api/observe.ts";
import { TAG, type LiveIamRole } from "../model/live.ts";
import type { Target } from "../model/placeholders.ts";
import type { IamRoleModel, RestApiModel } from "../model/types.ts";
import { iamRoleManifest, manifestNameOf, restApiManifest, type ExportedDocument } from "./to-manifest.ts";

export interface ExportRequest {
  /** Manifest name (apigw-reconciler:name tag), API id, or API name (when exactly one API has it). */
  api: string;
  /** metadata.name of the RestApi manifest (default: the tag's name, else a slug of the API name). */
  name?: string;
  adopt: boolean;
  /** The account for ${AWS_ACCOUNT_ID} (default: asked of STS). */
  accountId?: string;
}

export interface ExportResult {
  apiId: string;
  target: Target;
  documents: ExportedDocument[];
  /** The live models the documents were made from (keys set to the manifest names), for the round-trip check. */
  models: { api: RestApiModel; roles: IamRoleModel[] };
  /** Things to tell the user (stderr): adoption, roles left as ARNs. */
  notes: string[];
}

const MANIFEST_NAME = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;

export async function exportLive(gateway: Gateway, request: ExportRequest): Promise<ExportResult> {
  if (request.name !== undefined && !MANIFEST_NAME.test(request.name)) {
    throw new Error(`--name ${request.name}: names are lowercase letters, digits, '.' and '-' (1-63, as in Kubernetes)`);
  }
  const [apis, region] = await Promise.all([listRestApis(gateway), gateway.region()]);
  const api = findApi(apis, request.api);
  const tagName = api.summary.tags[TAG.name];
  const name = request.name ?? tagName ?? manifestNameOf(api.summary.name);
  const live = await readRestApi(gateway, api, name);
  const accountId = request.accountId ?? (await gateway.accountIdFromSts());
  const target: Target = { region, accountId, partition: partitionOfRegion(region) };
  const notes: string[] = [];

  const arns = [...new Set(Object.values(live.model.resources).flatMap((r) => Object.values(r.methods).flatMap((m) => (m?.integration?.credentials ? [m.integration.credentials] : []))))].sort();
  const roles: { arn: string; live: LiveIamRole; name: string }[] = [];
  const usedNames = new Set<string>();
  for (const arn of arns) {
    const parsed = parseRoleArn(arn);
    if (!parsed || parsed.accountId !== accountId) {
      notes.push(`credentials ${arn} ${parsed ? `is a role of account ${parsed.accountId}, not ${accountId}` : "is not a role ARN"}: kept as an ARN, no IamRole manifest`);
      continue;
    }
    const role = await readIamRole(gateway, parsed.roleName, "");
    if (!role || role.arn !== arn) {
      notes.push(`credentials ${arn}: ${role ? `role ${parsed.roleName} has path ${role.model.path}` : "no such role"}; kept as an ARN, no IamRole manifest`);
      continue;
    }
    let roleName = role.tags[TAG.name] ?? manifestNameOf(role.model.roleName);
    for (let n = 2; usedNames.has(roleName); n++) roleName = `${manifestNameOf(role.model.roleName)}-${n}`;
    usedNames.add(roleName);
    roles.push({ arn, live: role, name: roleName });
    if (role.tags[TAG.name] === undefined && !request.adopt) {
      notes.push(`role ${role.model.roleName} is not managed by apigw-reconciler: applying ${roleName}-role.yaml fails until spec.adopt is true (export with --adopt)`);
    }
  }

  const roleRefs = new Map(roles.map((r) => [r.arn, r.name]));
  const documents = [
    restApiManifest(live.model, name, { target, adopt: request.adopt, roleRefs }),
    ...roles.map((r) => iamRoleManifest(r.live.model, r.name, { target, adopt: request.adopt })),
  ];
  if (tagName === undefined && !request.adopt) {
    notes.push(`API ${api.summary.name} (${api.summary.id}) is not managed by apigw-reconciler: applying these manifests would create a new API unless --adopt`);
  } else if (tagName !== undefined && tagName !== name) {
    notes.push(`API ${api.summary.id} is managed as "${tagName}"; a manifest named "${name}" would not find it (it would create a new API)`);
  }
  const models = { api: live.model, roles: roles.map((r) => ({ ...r.live.model, key: r.name })) };
  return { apiId: api.summary.id, target, documents, models, notes };
}

/** By the apigw-reconciler:name tag, else by id, else by name when exactly one API has it. */
export function findApi(apis: readonly RawRestApi[], wanted: string): RawRestApi {
  const tagged = apis.filter((a) => a.summary.tags[TAG.name] === wanted);
  if (tagged.length > 1) throw new Error(`${tagged.length} APIs are tagged ${TAG.name}=${wanted} (${tagged.map((a) => a.summary.id).join(", ")}); pass the id with --api`);
  const byId = apis.find((a) => a.summary.id === wanted);
  const named = apis.filter((a) => a.summary.name === wanted);
  const found = tagged[0] ?? byId ?? (named.length === 1 ? named[0] : undefined);
  if (found) return found;
  if (named.length > 1) throw new Error(`${named.length} APIs are named ${wanted} (${named.map((a) => a.summary.id).join(", ")}); pass the id with --api`);
  throw new Error(`no API tagged ${TAG.name}=${wanted}, with id ${wanted} or named ${wanted}`);
}

/** arn:<partition>:iam::<account>:role<path><name> */
export function parseRoleArn(arn: string): { accountId: string; path: string; roleName: string } | undefined {
  const match = /^arn:[^:]+:iam::(\d{12}):role(\/(?:.*\/)?)([^/]+)$/.exec(arn);
  if (!match) return undefined;
  return { accountId: match[1] ?? "", path: match[2] ?? "/", roleName: match[3] ?? "" };
}
