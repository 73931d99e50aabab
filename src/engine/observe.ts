// observe: reads what the desired objects need from AWS, in parallel within the quotas, and states the
// ownership facts. The engine decides what to do with them.
import type { Gateway } from "../aws/gateway.ts";
import { usesExecuteApiShorthand } from "../model/policy.ts";
import { accountIdOfArn, partitionOfArn, readIamRole } from "../kinds/iam-role/observe.ts";
import { listRestApis, readRestApi, type RawRestApi } from "../kinds/rest-api/observe.ts";
import { TAG, type LiveIamRole, type LiveRestApi } from "../model/live.ts";
import type { Target } from "../model/placeholders.ts";
import type { DesiredState } from "../model/types.ts";

export interface ObservedApi {
  key: string;
  live?: LiveRestApi;
  /** Taken over from an untagged API (adopt: true). */
  adopted: boolean;
}

export interface ObservedRole {
  key: string;
  live?: LiveIamRole;
  adopted: boolean;
}

export interface Observed {
  target: Target;
  apis: Map<string, ObservedApi>;
  roles: Map<string, ObservedRole>;
  /** Owned APIs whose manifest is gone (prune candidates). */
  orphanApis: { id: string; key: string; name: string }[];
  /** Owned roles whose manifest is gone (listed only with --prune). */
  orphanRoles: LiveIamRole[];
}

export class OwnershipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OwnershipError";
  }
}

export interface ObserveOptions {
  owner: string;
  prune: boolean;
  accountId?: string;
  /**
   * Every manifest name loaded, selected or not (--selector): an object whose manifest exists but was not
   * selected is another shard's, never an orphan.
   */
  knownNames?: { apis: ReadonlySet<string>; roles: ReadonlySet<string> };
}

export async function observe(gateway: Gateway, desired: DesiredState, options: ObserveOptions): Promise<Observed> {
  const [allApis, roleResults, region] = await Promise.all([
    listRestApis(gateway),
    Promise.all(desired.roles.map(async (role) => ({ role, live: await readIamRole(gateway, role.model.roleName, role.model.key) }))),
    gateway.region(),
  ]);
  const errors: string[] = [];
  const roles = claimRoles(roleResults, options.owner, errors);
  const claims = apiClaims(allApis, options.owner);
  const { apis, toRead } = claimApis(desired, { allApis, claims }, errors);
  if (errors.length > 0) throw new OwnershipError(errors.join("\n"));

  const read = await Promise.all(toRead.map(async ({ key, api, adopted }) => ({ key, adopted, live: await readRestApi(gateway, api, key) })));
  for (const { key, adopted, live } of read) apis.set(key, { key, live, adopted });

  const desiredKeys = options.knownNames?.apis ?? new Set(desired.apis.map((a) => a.model.key));
  const orphanApis = [...claims.entries()]
    .filter(([key]) => !desiredKeys.has(key))
    .flatMap(([key, list]) => list.filter((a) => a.summary.tags[TAG.owner] === options.owner).map((a) => ({ id: a.summary.id, key, name: a.summary.name })));

  const orphanRoles = options.prune ? await listOrphanRoles(gateway, options.knownNames?.roles ?? new Set(desired.roles.map((r) => r.model.key)), options.owner) : [];

  const knownArn = [...roles.values()].map((r) => r.live?.arn).find((arn) => arn !== undefined);
  const accountId = options.accountId ?? (knownArn ? accountIdOfArn(knownArn) : undefined) ?? (needsAccountId(desired) ? await gateway.accountIdFromSts() : "000000000000");
  const partition = (knownArn ? partitionOfArn(knownArn) : undefined) ?? partitionOfRegion(region);
  return { target: { region, accountId, partition }, apis, roles, orphanApis, orphanRoles };
}

/** Each desired role: ours (tagged by this owner), adopted (untagged, adopt: true), or an ownership error. */
function claimRoles(results: { role: DesiredState["roles"][number]; live: LiveIamRole | undefined }[], owner: string, errors: string[]): Map<string, ObservedRole> {
  const roles = new Map<string, ObservedRole>();
  for (const { role, live } of results) {
    const key = role.model.key;
    if (!live) {
      roles.set(key, { key, adopted: false });
      continue;
    }
    const claimed = live.tags[TAG.name];
    if (claimed === key && (live.tags[TAG.owner] ?? owner) === owner) roles.set(key, { key, live, adopted: false });
    else if (claimed === undefined && role.options.adopt) roles.set(key, { key, live, adopted: true });
    else if (claimed === undefined) errors.push(`IamRole ${key}: role ${live.model.roleName} exists and is not managed by apigw-reconciler; set spec.adopt: true to take it over`);
    else errors.push(`IamRole ${key}: role ${live.model.roleName} is managed as "${claimed}" by owner "${live.tags[TAG.owner] ?? "?"}"`);
  }
  return roles;
}

/** Live APIs by the manifest name their tag claims (this owner's, or untagged by owner). */
function apiClaims(allApis: readonly RawRestApi[], owner: string): Map<string, RawRestApi[]> {
  const claims = new Map<string, RawRestApi[]>();
  for (const api of allApis) {
    const name = api.summary.tags[TAG.name];
    if (name !== undefined && (api.summary.tags[TAG.owner] ?? owner) === owner) claims.set(name, [...(claims.get(name) ?? []), api]);
  }
  return claims;
}

/** Each desired API: the one live API that claims it, an untagged namesake to adopt, or none (to create). */
function claimApis(desired: DesiredState, live: { allApis: readonly RawRestApi[]; claims: Map<string, RawRestApi[]> }, errors: string[]) {
  const toRead: { key: string; api: RawRestApi; adopted: boolean }[] = [];
  const apis = new Map<string, ObservedApi>();
  for (const api of desired.apis) {
    const key = api.model.key;
    const claimed = live.claims.get(key) ?? [];
    if (claimed.length > 1) {
      errors.push(`RestApi ${key}: ${claimed.length} live APIs claim this manifest (${claimed.map((c) => c.summary.id).join(", ")}); delete or untag all but one`);
      continue;
    }
    const [own] = claimed;
    const candidates = own || !api.options.adopt ? [] : live.allApis.filter((a) => a.summary.tags[TAG.name] === undefined && a.summary.name === api.model.name);
    if (candidates.length > 1) {
      errors.push(`RestApi ${key}: ${candidates.length} untagged APIs are named ${api.model.name} (${candidates.map((c) => c.summary.id).join(", ")}); adopt needs exactly one`);
      continue;
    }
    const [candidate] = candidates;
    if (own) toRead.push({ key, api: own, adopted: false });
    else if (candidate) toRead.push({ key, api: candidate, adopted: true });
    else apis.set(key, { key, adopted: false });
  }
  return { apis, toRead };
}

/** The account is looked up only when a manifest needs it: a placeholder, or a resource policy's `execute-api:/` (AWS expands it with the account). */
function needsAccountId(desired: DesiredState): boolean {
  return JSON.stringify(desired).includes("${AWS_ACCOUNT_ID}") || desired.apis.some((api) => usesExecuteApiShorthand(api.model.policy));
}

/** Roles tagged as ours whose manifest is gone. IAM lists roles without tags, so this costs a call per role: only for --prune. */
async function listOrphanRoles(gateway: Gateway, desiredKeys: ReadonlySet<string>, owner: string): Promise<LiveIamRole[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await gateway.read("iam", "ListRoles", marker ? { Marker: marker } : {});
    names.push(...(page.Roles ?? []).map((r) => String(r.RoleName)));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  const orphans: LiveIamRole[] = [];
  for (const name of names) {
    const tags = await gateway.read("iam", "ListRoleTags", { RoleName: name });
    const map = Object.fromEntries((tags.Tags ?? []).map((t) => [String(t.Key), String(t.Value)]));
    const key = map[TAG.name];
    if (key === undefined || map[TAG.owner] !== owner || desiredKeys.has(key)) continue;
    const live = await readIamRole(gateway, name, key);
    if (live) orphans.push(live);
  }
  return orphans;
}

/** Without an ARN to read it from: the partition of the Region (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
