// Shared builders for the unit and golden tests: the seed manifests as a Desired model (placeholders
// resolved for a fixed target), and "live" models made by cloning a desired model (live = desired after
// an apply), with the ids and ownership tags observe would report.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Observed } from "../../../src/engine/observe.ts";
import type { ObservedObject, Orphan } from "../../../src/kinds/kind.ts";
import type { PlanOptions } from "../../../src/engine/plan.ts";
import { roleSpecHash } from "../../../src/kinds/iam-role/diff.ts";
import { restApiHashes, specHashOf } from "../../../src/kinds/rest-api/diff.ts";
import { parseManifests, type SourceFile } from "../../../src/manifest/load.ts";
import { roleArn } from "../../../src/model/arn.ts";
import { TAG, type LiveIamRole, type LiveRestApi } from "../../../src/model/live.ts";
import { resolvePlaceholders, type Target } from "../../../src/model/placeholders.ts";
import {
  objectsOf,
  type DesiredIamRole,
  type DesiredRestApi,
  type DesiredState,
  type HttpMethod,
  type IamRoleModel,
  type IntegrationModel,
  type MethodModel,
  type RestApiModel,
} from "../../../src/model/types.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const TARGET: Target = { region: "us-east-1", accountId: "123456789012", partition: "aws" };
export const OWNER = "test-owner";
export const PLAN_OPTIONS: PlanOptions = { owner: OWNER, mode: "heal", prune: false, maxDeletions: 1, force: false };
export const ROLE_ARN = roleArn(TARGET.accountId, "/", "apigAwsProxyRole");

export function seedFiles(): SourceFile[] {
  return ["s3-proxy-api.yaml", "s3-proxy-role.yaml"].map((file) => ({ file: `manifests/${file}`, text: readFileSync(join(ROOT, "manifests", file), "utf8") }));
}

let seedCache: DesiredState | undefined;

/** The seed manifests (manifests/), loaded and resolved for TARGET. A fresh deep copy on each call. */
export function seedDesired(): DesiredState {
  seedCache ??= resolvePlaceholders(parseManifests(seedFiles()).desired, TARGET);
  return structuredClone(seedCache);
}

export function seedApi(): DesiredRestApi {
  const [api] = apisOf(seedDesired());
  if (!api) throw new Error("seed has no RestApi");
  return api;
}

export function seedRole(): DesiredIamRole {
  const [role] = rolesOf(seedDesired());
  if (!role) throw new Error("seed has no IamRole");
  return role;
}

export function configHashOf(model: RestApiModel): string {
  return restApiHashes(model).configHash;
}

export interface LiveApiOptions {
  id?: string;
  /** Deployment the stages are on and the deployed tag names (default "dep1"). */
  deploymentId?: string;
  /** Config hash recorded in the deployed tag (default: the live model's own). undefined + noDeployedTag: no tag. */
  deployedHash?: string;
  noDeployedTag?: boolean;
}

/** The live API as observe would report it after the model was applied and deployed. */
export function liveApiOf(model: RestApiModel, options: LiveApiOptions = {}): LiveRestApi {
  const id = options.id ?? "api1";
  const deploymentId = options.deploymentId ?? "dep1";
  const copy = structuredClone(model);
  // Readable, stable ids: "root" for /, "id/{folder}" for /{folder}.
  const resourceIds = Object.fromEntries(Object.keys(copy.resources).map((path) => [path, path === "/" ? "root" : `id${path}`]));
  const tags: Record<string, string> = {
    ...copy.tags,
    [TAG.name]: copy.key,
    [TAG.owner]: OWNER,
    [TAG.specHash]: specHashOf(model),
  };
  if (!options.noDeployedTag) tags[TAG.deployed] = `${deploymentId}:${options.deployedHash ?? configHashOf(model)}`;
  return {
    id,
    model: copy,
    tags,
    resourceIds,
    stageDeployments: Object.fromEntries(Object.keys(copy.stages).map((name) => [name, deploymentId])),
  };
}

export function liveRoleOf(model: IamRoleModel): LiveIamRole {
  const copy = structuredClone(model);
  return {
    arn: roleArn(TARGET.accountId, copy.path, copy.roleName),
    model: copy,
    tags: { ...copy.tags, [TAG.name]: copy.key, [TAG.owner]: OWNER, [TAG.specHash]: roleSpecHash(model) },
  };
}

/** An owned API whose manifest is gone, as GetRestApis lists it. */
export interface OrphanApi {
  id: string;
  key: string;
  name: string;
}

export function observedOf(parts: { apis?: LiveRestApi[]; roles?: LiveIamRole[]; orphanApis?: OrphanApi[]; orphanRoles?: LiveIamRole[] } = {}): Observed {
  const objects = new Map<string, ObservedObject>([
    ...(parts.apis ?? []).map((live) => [`RestApi/${live.model.key}`, { kind: "RestApi", key: live.model.key, live, adopted: false }] as const),
    ...(parts.roles ?? []).map((live) => [`IamRole/${live.model.key}`, { kind: "IamRole", key: live.model.key, live, adopted: false }] as const),
  ]);
  const orphans: Orphan[] = [
    ...(parts.orphanApis ?? []).map((a) => ({ kind: "RestApi", key: a.key, label: `RestApi ${a.key} (${a.id})`, live: { id: a.id, tags: {}, resourceIds: {}, stageDeployments: {}, model: { key: a.key, name: a.name } } })),
    ...(parts.orphanRoles ?? []).map((live) => ({ kind: "IamRole", key: live.model.key, label: `IamRole ${live.model.key}`, live })),
  ];
  return { target: TARGET, objects, orphans };
}

/** The desired state of some APIs and roles (roles first, as manifests usually come). */
export function desiredOf(parts: { apis?: DesiredRestApi[]; roles?: DesiredIamRole[] }): DesiredState {
  return { objects: [...(parts.roles ?? []), ...(parts.apis ?? [])] };
}

export function apisOf(desired: DesiredState): DesiredRestApi[] {
  return objectsOf<DesiredRestApi>(desired, "RestApi");
}

export function rolesOf(desired: DesiredState): DesiredIamRole[] {
  return objectsOf<DesiredIamRole>(desired, "IamRole");
}

export function methodOf(model: RestApiModel, path: string, verb: HttpMethod): MethodModel {
  const method = model.resources[path]?.methods[verb];
  if (!method) throw new Error(`no ${verb} ${path}`);
  return method;
}

export function integrationOf(model: RestApiModel, path: string, verb: HttpMethod): IntegrationModel {
  const integration = methodOf(model, path, verb).integration;
  if (!integration) throw new Error(`no integration on ${verb} ${path}`);
  return integration;
}

/** Moves a resource (and its subtree) to a new path, as a manifest edit renaming a path part would. */
export function renamePath(model: RestApiModel, from: string, to: string): void {
  for (const path of Object.keys(model.resources)) {
    if (path !== from && !path.startsWith(`${from}/`)) continue;
    const resource = model.resources[path];
    if (!resource) continue;
    const moved = to + path.slice(from.length);
    delete model.resources[path];
    model.resources[moved] = { ...resource, path: moved };
  }
}

/** Removes a resource and everything below it. */
export function deleteSubtree(model: RestApiModel, path: string): void {
  for (const p of Object.keys(model.resources)) if (p === path || p.startsWith(`${path}/`)) delete model.resources[p];
}
