// observe for UsagePlan, in the fewest calls: GetUsagePlans once (paged, 500 a page: AWS's maximum) lists
// every plan with its stages, throttle, quota and tags; GetApiKeys once (values NOT included) lists every key
// with its tags; GetUsagePlanKeys per owned plan says which keys the plan holds — its answer carries the key
// VALUES (LS test_get_usage_plan_api_keys): only ids are kept, the answer is dropped at once. GetRestApis,
// only when an owned plan holds stages: the live stages name API ids, the manifest names APIs by manifest
// name, and the contract's diff receives no ids (see index.ts).
import type { Gateway } from "../../aws/gateway.ts";
import { TAG } from "../../model/live.ts";
import { ownValue } from "../../model/own.ts";
import type { KindObservation, ObserveContext, ObservedObject, Orphan } from "../kind.ts";
import { ownedApiNames, restApisOnce } from "../rest-api/observe.ts";
import { stageOf, VALUE_HASH_TAG, type ApiKeyModel, type DesiredUsagePlan, type LiveUsagePlan, type UsagePlanModel } from "./model.ts";

/** A plan as GetUsagePlans lists it (the fields we read). */
export interface RawPlan {
  id: string;
  name: string;
  description?: string;
  throttle?: { burstLimit?: number; rateLimit?: number };
  quota?: { limit?: number; offset?: number; period?: string };
  apiStages: { apiId: string; stage: string }[];
  tags: Record<string, string>;
}

/** A key as GetApiKeys lists it, without its value. */
export interface RawKey {
  id: string;
  name: string;
  enabled: boolean;
  description?: string;
  tags: Record<string, string>;
}

export async function listPlans(gateway: Gateway): Promise<RawPlan[]> {
  const plans: RawPlan[] = [];
  let position: string | undefined;
  do {
    const page = await gateway.read("apigateway", "GetUsagePlans", { limit: 500, ...(position ? { position } : {}) });
    for (const p of page.items ?? []) {
      plans.push({
        id: String(p.id),
        name: p.name ?? "",
        ...(p.description ? { description: p.description } : {}),
        ...(p.throttle ? { throttle: p.throttle } : {}),
        ...(p.quota ? { quota: p.quota } : {}),
        apiStages: (p.apiStages ?? []).map((s) => ({ apiId: String(s.apiId), stage: String(s.stage) })),
        // List items of untagged plans carry no tags (LS "get-usage-plans").
        tags: p.tags ?? {},
      });
    }
    position = page.position;
  } while (position);
  return plans;
}

export async function listKeys(gateway: Gateway): Promise<RawKey[]> {
  const keys: RawKey[] = [];
  let position: string | undefined;
  do {
    // includeValues false: the list then carries no value (LS test_get_api_keys).
    const page = await gateway.read("apigateway", "GetApiKeys", { limit: 500, includeValues: false, ...(position ? { position } : {}) });
    for (const k of page.items ?? []) {
      keys.push({ id: String(k.id), name: k.name ?? "", enabled: k.enabled === true, ...(k.description ? { description: k.description } : {}), tags: k.tags ?? {} });
    }
    position = page.position;
  } while (position);
  return keys;
}

/** The ids of the keys a plan holds. The answer's values are never kept (nor its names: GetApiKeys has them). */
export async function planKeyIds(gateway: Gateway, usagePlanId: string): Promise<string[]> {
  const ids: string[] = [];
  let position: string | undefined;
  do {
    const page = await gateway.read("apigateway", "GetUsagePlanKeys", { usagePlanId, limit: 500, ...(position ? { position } : {}) });
    for (const item of page.items ?? []) if (item.id) ids.push(item.id);
    position = page.position;
  } while (position);
  return ids;
}


/** Whether a tag set claims `name` for this owner (an untagged owner reads as this one, as for RestApi). */
export function claims(tags: Record<string, string>, name: string, owner: string): boolean {
  return tags[TAG.name] === name && (tags[TAG.owner] ?? owner) === owner;
}

/** The ownership tag of a key: `<plan>/<key>` (a plan's manifest name never holds '/'). */
export function keyTagName(plan: string, key: string): string {
  return `${plan}/${key}`;
}

export async function observeUsagePlans(gateway: Gateway, desired: readonly DesiredUsagePlan[], context: ObserveContext): Promise<KindObservation<LiveUsagePlan>> {
  const [plans, keys] = await Promise.all([listPlans(gateway), listKeys(gateway)]);
  const errors: string[] = [];
  const matched = desired.map((d) => ({ desired: d, ...claimPlan(d, plans, context.owner, errors) }));
  const orphanPlans = plans.filter((p) => p.tags[TAG.name] !== undefined && p.tags[TAG.owner] === context.owner && !context.knownNames.has(String(p.tags[TAG.name])));
  if (errors.length > 0) return { objects: [], orphans: [], errors };
  // A pruned plan's stages are named too: a stage deleted in the same pass waits for the plan to let go of it.
  const withStages = [...matched.map((m) => m.plan), ...(context.prune ? orphanPlans : [])].some((p) => (p?.apiStages.length ?? 0) > 0);
  const names = withStages ? ownedApiNames(await restApisOnce(gateway, context), context.owner) : new Map<string, string>();
  const objects = await Promise.all(matched.map((m) => observed(gateway, { ...m, keys, names, owner: context.owner })));
  return { objects, orphans: orphanPlans.map((p) => orphanOf(p, keys, { owner: context.owner, names })), errors };
}

/** A desired plan's live plan: the one this owner's tag claims, or an untagged namesake to adopt. */
function claimPlan(desired: DesiredUsagePlan, plans: readonly RawPlan[], owner: string, errors: string[]): { plan?: RawPlan; adopted: boolean } {
  const key = desired.model.key;
  const claimed = plans.filter((p) => claims(p.tags, key, owner));
  if (claimed.length > 1) {
    errors.push(`UsagePlan ${key}: ${claimed.length} live usage plans claim this manifest (${claimed.map((p) => p.id).join(", ")}); delete or untag all but one`);
    return { adopted: false };
  }
  if (claimed[0]) return { plan: claimed[0], adopted: false };
  if (!desired.options.adopt) return { adopted: false };
  // Plan names need not be unique (no source says they must; moto allows duplicates): adopt exactly one.
  const candidates = plans.filter((p) => p.tags[TAG.name] === undefined && p.name === desired.model.name);
  if (candidates.length > 1) errors.push(`UsagePlan ${key}: ${candidates.length} untagged usage plans are named ${desired.model.name} (${candidates.map((p) => p.id).join(", ")}); adopt needs exactly one`);
  return candidates.length === 1 && candidates[0] ? { plan: candidates[0], adopted: true } : { adopted: false };
}

interface ObserveFacts {
  desired: DesiredUsagePlan;
  plan?: RawPlan;
  adopted: boolean;
  keys: readonly RawKey[];
  names: ReadonlyMap<string, string>;
  owner: string;
}

async function observed(gateway: Gateway, facts: ObserveFacts): Promise<ObservedObject<LiveUsagePlan>> {
  const { desired, plan, keys, owner } = facts;
  const key = desired.model.key;
  const { owned, strays } = ownedKeys(desired, keys, owner);
  if (!plan && owned.length === 0) return { kind: "UsagePlan", key, adopted: false };
  const inPlan = new Set(plan ? await planKeyIds(gateway, plan.id) : []);
  const live = liveOf(key, plan, { owned, inPlan, names: facts.names, allKeys: keys });
  const strayKeys = Object.fromEntries(strays.map((k) => [k.id, k.name]));
  for (const id of Object.keys(strayKeys)) delete live.foreignKeys[id];
  return { kind: "UsagePlan", key, live: strays.length > 0 ? { ...live, strayKeys } : live, adopted: facts.adopted };
}

/** The keys whose ownership tag names this plan, one per key name; the others (strays) are to delete. */
function ownedKeys(desired: DesiredUsagePlan, keys: readonly RawKey[], owner: string): { owned: RawKey[]; strays: RawKey[] } {
  const prefix = keyTagName(desired.model.key, "");
  const byName = new Map<string, RawKey[]>();
  for (const k of keys) {
    const tag = k.tags[TAG.name] ?? "";
    if (tag.startsWith(prefix) && (k.tags[TAG.owner] ?? owner) === owner) byName.set(tag, [...(byName.get(tag) ?? []), k]);
  }
  const owned: RawKey[] = [];
  const strays: RawKey[] = [];
  for (const [tag, claimed] of byName) {
    const wanted = ownValue(desired.model.apiKeys, tag.slice(prefix.length))?.valueHash;
    const kept = claimed.find((k) => wanted !== undefined && k.tags[VALUE_HASH_TAG] === wanted) ?? claimed[0];
    for (const k of claimed) (k === kept ? owned : strays).push(k);
  }
  return { owned, strays };
}

interface KeyFacts {
  owned: readonly RawKey[];
  inPlan: ReadonlySet<string>;
  names: ReadonlyMap<string, string>;
  allKeys: readonly RawKey[];
}

export function liveOf(key: string, plan: RawPlan | undefined, facts: KeyFacts): LiveUsagePlan {
  const stageValues: Record<string, string> = {};
  const apiIds: Record<string, string> = {};
  for (const s of plan?.apiStages ?? []) {
    const name = facts.names.get(s.apiId);
    stageValues[stageOf(name ?? `id/${s.apiId}`, s.stage)] = `${s.apiId}:${s.stage}`;
    if (name !== undefined) apiIds[name] = s.apiId;
  }
  const apiKeys: Record<string, ApiKeyModel> = {};
  const keys: LiveUsagePlan["keys"] = {};
  for (const k of facts.owned) {
    const name = String(k.tags[TAG.name]).slice(key.length + 1);
    apiKeys[name] = { name: k.name, enabled: k.enabled, ...(k.description ? { description: k.description } : {}), ...(k.tags[VALUE_HASH_TAG] ? { valueHash: k.tags[VALUE_HASH_TAG] } : {}) };
    keys[name] = { id: k.id, inPlan: facts.inPlan.has(k.id) };
  }
  const ownedIds = new Set(facts.owned.map((k) => k.id));
  const foreignKeys = Object.fromEntries([...facts.inPlan].filter((id) => !ownedIds.has(id)).map((id) => [id, facts.allKeys.find((k) => k.id === id)?.name ?? id]));
  return { ...(plan ? { id: plan.id } : {}), model: modelOf(key, plan, stageValues, apiKeys), tags: plan?.tags ?? {}, stageValues, apiIds, keys, foreignKeys };
}

function modelOf(key: string, plan: RawPlan | undefined, stageValues: Record<string, string>, apiKeys: Record<string, ApiKeyModel>): UsagePlanModel {
  const t = plan?.throttle;
  const q = plan?.quota;
  return {
    key,
    name: plan?.name ?? "",
    ...(plan?.description ? { description: plan.description } : {}),
    // Numbers as numbers: moto stored patched ones as strings (research U5); the emulator and AWS answer numbers.
    ...(t ? { throttle: { burstLimit: Number(t.burstLimit ?? 0), rateLimit: Number(t.rateLimit ?? 0) } } : {}),
    ...(q ? { quota: { limit: Number(q.limit ?? 0), period: String(q.period ?? ""), offset: Number(q.offset ?? 0) } } : {}),
    apiStages: Object.keys(stageValues).sort(),
    apiKeys,
    tags: Object.fromEntries(Object.entries(plan?.tags ?? {}).filter(([k]) => !k.startsWith("apigw-reconciler:"))),
  };
}

/** An owned plan whose manifest is gone, with its owned keys (deleted with it) and its stages (removed first). */
function orphanOf(plan: RawPlan, keys: readonly RawKey[], { owner, names }: { owner: string; names: ReadonlyMap<string, string> }): Orphan<LiveUsagePlan> {
  const key = String(plan.tags[TAG.name]);
  const owned = keys.filter((k) => (k.tags[TAG.name] ?? "").startsWith(keyTagName(key, "")) && k.tags[TAG.owner] === owner);
  const live = liveOf(key, plan, { owned, inPlan: new Set(), names, allKeys: keys });
  // Every owned key goes with the plan, duplicates of one name included.
  const strayKeys = Object.fromEntries(owned.filter((k) => !Object.values(live.keys).some((f) => f.id === k.id)).map((k) => [k.id, k.name]));
  return { kind: "UsagePlan", key, label: `UsagePlan ${key} (${plan.id})`, live: { ...live, strayKeys } };
}
