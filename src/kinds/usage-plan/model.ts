// The UsagePlan model (desired and live share it), the live object observe reports, and expand: a valid
// document → its desired object, defaults filled as observe fills them from AWS.
import { createHmac } from "node:crypto";
import type { LiveObject } from "../kind.ts";
import type { DesiredObject, ObjectModel, SourceRef } from "../../model/types.ts";
import type { UsagePlanDocument } from "./schema.ts";
import { desiredObject, nonEmpty } from "../../manifest/expand.ts";

export interface ThrottleModel {
  burstLimit: number;
  rateLimit: number;
}

export interface QuotaModel {
  limit: number;
  period: string;
  offset: number;
}

export interface ApiKeyModel {
  /** The key's name in API Gateway (the manifest's key name). */
  name: string;
  enabled: boolean;
  description?: string;
  /** HMAC of the value (valueHash): desired when the manifest names a value, live from the key's tag. Absent desired: any value. */
  valueHash?: string;
  /** The environment variable of the value (desired only; never compared: the hash is). */
  valueEnv?: string;
}

export interface UsagePlanModel extends ObjectModel {
  key: string;
  name: string;
  description?: string;
  throttle?: ThrottleModel;
  quota?: QuotaModel;
  /**
   * `<RestApi manifest name>:<stage>`, sorted. A live stage of an API no manifest of this owner claims reads
   * `id/<apiId>:<stage>` ('/' is never in a manifest name): it is not the manifest's, so it is removed.
   */
  apiStages: string[];
  /** By key name (the manifest's list, keyed: an ignore rule reads /apiKeys/<name>/enabled). */
  apiKeys: Record<string, ApiKeyModel>;
  tags: Record<string, string>;
}

/** An API key as observe found it: its id, and whether the plan holds it (GetUsagePlanKeys). */
export interface LiveKeyFacts {
  id: string;
  inPlan: boolean;
}

export interface LiveUsagePlan extends LiveObject<UsagePlanModel> {
  /** Absent: no plan, only keys tagged as its (the plan was deleted out of band): the plan is created, the keys kept. */
  id?: string;
  model: UsagePlanModel;
  /** The plan's tags, ownership included. */
  tags: Record<string, string>;
  /** Model stage (`my-s3:prod`) → the value AWS holds (`a1b2c3:prod`): what a `remove /apiStages` sends. */
  stageValues: Record<string, string>;
  /** RestApi manifest name → live API id, for the APIs of the live stages (reports show real ids). */
  apiIds: Record<string, string>;
  /** Owned keys by name. */
  keys: Record<string, LiveKeyFacts>;
  /** Keys in the plan that are not its own (added out of band): key id → its name, for reports. */
  foreignKeys: Record<string, string>;
  /**
   * Owned keys beyond the one kept per name (a replacement cut short between its CreateApiKey and the old key's
   * DeleteApiKey): key id → key name. Deleted; the one kept is the one whose value-hash is the manifest's.
   */
  strayKeys?: Record<string, string>;
}

export type DesiredUsagePlan = DesiredObject<"UsagePlan", UsagePlanModel>;

/** The tag of a key that records the hash of its value (keys carry the ownership tags besides). */
export const VALUE_HASH_TAG = "apigw-reconciler:value-hash";

/**
 * The hash of a key value, as the value-hash tag and the model hold it. A tag is readable by whoever may read
 * the key, so the value must not be recoverable from it: an API key value is 20-128 characters (CreateApiKey
 * refuses shorter ones, LS test_create_api_key_with_invalid_value) and a generated or random one has far too
 * much entropy to guess from a hash. The HMAC's fixed label is domain separation (the tag matches no plain
 * SHA-256 of the value found elsewhere), not a secret: a low-entropy value chosen by hand stays guessable.
 */
export function valueHash(value: string): string {
  return createHmac("sha256", "apigw-reconciler/api-key-value/v1").update(value, "utf8").digest("hex");
}

/** `my-s3:prod`: how the model names an API stage. */
export function stageOf(api: string, stage: string): string {
  return `${api}:${stage}`;
}

/** The manifest name and stage of a model stage (`id/<apiId>` for a stage of an unknown API). */
export function splitStage(value: string): { api: string; stage: string } {
  const at = value.lastIndexOf(":");
  return { api: value.slice(0, at), stage: value.slice(at + 1) };
}

export function expandUsagePlan(doc: UsagePlanDocument, source: SourceRef, env: NodeJS.ProcessEnv = process.env): DesiredUsagePlan {
  const spec = doc.spec;
  return desiredObject(doc, source, {
    key: doc.metadata.name,
    name: spec.name ?? doc.metadata.name,
    description: nonEmpty(spec.description),
    throttle: spec.throttle ? { burstLimit: spec.throttle.burstLimit, rateLimit: spec.throttle.rateLimit } : undefined,
    // A quota without offset reads back offset 0 (LS cloudformation test_update_usage_plan).
    quota: spec.quota ? { limit: spec.quota.limit, period: spec.quota.period, offset: spec.quota.offset ?? 0 } : undefined,
    apiStages: [...new Set((spec.apiStages ?? []).map((s) => stageOf(s.api, s.stage)))].sort(),
    apiKeys: Object.fromEntries((spec.apiKeys ?? []).map((k) => [k.name, expandKey(k, env)])),
    tags: spec.tags ?? {},
  });
}

function expandKey(key: NonNullable<UsagePlanDocument["spec"]["apiKeys"]>[number], env: NodeJS.ProcessEnv): ApiKeyModel {
  // checks.ts made sure the variable is set; the value itself is hashed here and dropped.
  const value = key.valueFrom ? env[key.valueFrom.env] : undefined;
  return {
    name: key.name,
    enabled: key.enabled ?? true,
    ...(key.description ? { description: key.description } : {}),
    ...(value ? { valueHash: valueHash(value) } : {}),
    ...(key.valueFrom ? { valueEnv: key.valueFrom.env } : {}),
  };
}

