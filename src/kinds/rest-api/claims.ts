// observe for RestApi, the ownership half: GetRestApis lists every API once; each desired API is matched
// to the one live API whose tag claims it (or an untagged namesake to adopt), and owned APIs whose
// manifest is gone are orphans. Only matched APIs are then read in full (observe.ts).
import type { Gateway } from "../../aws/gateway.ts";
import { TAG, type LiveRestApi } from "../../model/live.ts";
import type { DesiredRestApi } from "../../model/types.ts";
import type { KindObservation, ObserveContext, ObservedObject, Orphan, ReadCache } from "../kind.ts";
import { readRestApi, restApiFields, restApisOnce, type RawRestApi } from "./observe.ts";

export async function observeRestApis(gateway: Gateway, desired: readonly DesiredRestApi[], context: ObserveContext): Promise<KindObservation<LiveRestApi>> {
  const allApis = await restApisOnce(gateway, context);
  const errors: string[] = [];
  const claims = apiClaims(allApis, context.owner);
  const { objects, toRead } = claimApis(desired, { allApis, claims }, errors);
  if (errors.length > 0) return { objects: [], orphans: [], errors };
  let done = 0;
  const read = await Promise.all(
    toRead.map(async ({ key, api, adopted }) => {
      const live = await readOrReuse(gateway, api, key, context.cache);
      context.progress?.(++done, toRead.length);
      return { kind: "RestApi", key, adopted, live };
    }),
  );
  return { objects: [...objects, ...read], orphans: orphansOf(claims, context), errors };
}

/**
 * The API in full (GetResources + GetStages), or — on an incremental pass, when no write event names it —
 * its resources and stages as last read, with the API-level fields and tags GetRestApis just answered.
 */
async function readOrReuse(gateway: Gateway, api: RawRestApi, key: string, cache: ReadCache | undefined): Promise<LiveRestApi> {
  const cached = cache?.reuse<LiveRestApi>(api.summary.id);
  const live = cached ? { ...cached, tags: api.summary.tags, model: { ...cached.model, ...restApiFields(api.raw, key) } } : await readRestApi(gateway, api, key);
  cache?.remember(api.summary.id, live);
  return live;
}

/** Owned APIs (this owner's tag) whose manifest is not among the loaded ones. Costs nothing: GetRestApis has their tags. */
function orphansOf(claims: Map<string, RawRestApi[]>, context: ObserveContext): Orphan<LiveRestApi>[] {
  return [...claims.entries()]
    .filter(([key]) => !context.knownNames.has(key))
    .flatMap(([key, list]) => list.filter((a) => a.summary.tags[TAG.owner] === context.owner).map((a) => orphan(key, a)));
}

/** An orphan is deleted by id: what is known of it from the list is enough. */
function orphan(key: string, api: RawRestApi): Orphan<LiveRestApi> {
  return { kind: "RestApi", key, label: `RestApi ${key} (${api.summary.id})`, live: { id: api.summary.id, tags: api.summary.tags, resourceIds: {}, stageDeployments: {}, model: summaryModel(key, api.summary.name) } };
}

function summaryModel(key: string, name: string): LiveRestApi["model"] {
  return { key, name, endpointType: "", binaryMediaTypes: [], apiKeySource: "", disableExecuteApiEndpoint: false, tags: {}, resources: {}, stages: {} };
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
function claimApis(desired: readonly DesiredRestApi[], live: { allApis: readonly RawRestApi[]; claims: Map<string, RawRestApi[]> }, errors: string[]) {
  const toRead: { key: string; api: RawRestApi; adopted: boolean }[] = [];
  const objects: ObservedObject<LiveRestApi>[] = [];
  for (const api of desired) {
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
    else objects.push({ kind: "RestApi", key, adopted: false });
  }
  return { objects, toRead };
}
