// diff for UsagePlan (pure): the plan's fields through its field table (→ one coalesced UpdateUsagePlan), its
// tags, and its keys (ApiKey: the key itself; UsagePlanKey: the key's membership in the plan).
// Patch paths and ops: SOURCES.md §5 "Usage plans" / "API keys" (terraform-provider-aws usage_plan.go,
// api_key.go; LocalStack's AWS-validated snapshots).
import type { Change, FieldChange, PatchOperation } from "../../model/changes.ts";
import { contentHash } from "../../model/hash.ts";
import { hasOwn, ownValue } from "../../model/own.ts";
import { fieldEqual, type FieldSpec, type PatchOp } from "../fields.ts";
import { splitStage, type ApiKeyModel, type LiveUsagePlan, type UsagePlanModel } from "./model.ts";

const REPLACE: readonly PatchOp[] = ["replace"];
// `add` when absent, `replace` otherwise (TF); `replace` on an absent throttle or quota creates it (LS
// "update-usage-plan"), so `replace` is what we send.
const ADD_OR_REPLACE: readonly PatchOp[] = ["add", "replace"];

/** Model field (dotted below throttle / quota) ↔ UpdateUsagePlan patch path ↔ the ops AWS accepts there. */
export const USAGE_PLAN_FIELDS: FieldSpec[] = [
  { field: "name", type: "scalar", patch: "/name", ops: REPLACE },
  // Cleared with `replace ""` (SOURCES.md §5: "`replace` `/name`, `/description` (`""` clears)").
  { field: "description", type: "scalar", patch: "/description", ops: REPLACE },
  { field: "throttle.burstLimit", type: "scalar", patch: "/throttle/burstLimit", ops: ADD_OR_REPLACE },
  { field: "throttle.rateLimit", type: "scalar", patch: "/throttle/rateLimit", ops: ADD_OR_REPLACE },
  { field: "quota.limit", type: "scalar", patch: "/quota/limit", ops: ADD_OR_REPLACE },
  { field: "quota.offset", type: "scalar", patch: "/quota/offset", ops: ADD_OR_REPLACE },
  { field: "quota.period", type: "scalar", patch: "/quota/period", ops: ADD_OR_REPLACE },
  // value `{apiId}:{stage}`; a bad or unknown one is 400/404 (LS test_usage_plan_crud).
  { field: "apiStages", type: "set", patch: "/apiStages", ops: ["add", "remove"] },
];

/** Settings removed whole: AWS's `remove` list has /throttle and /quota, not their members (boto3 #2629). */
export const USAGE_PLAN_GROUPS: FieldSpec[] = [
  { field: "throttle", type: "scalar", patch: "/throttle", ops: ["remove"] },
  { field: "quota", type: "scalar", patch: "/quota", ops: ["remove"] },
];

/** UpdateApiKey takes only `replace` on /description, /enabled, /name, /customerId (LS test_update_api_key_immutable_field). */
export const API_KEY_FIELDS: FieldSpec[] = [
  { field: "name", type: "scalar", patch: "/name", ops: REPLACE },
  { field: "description", type: "scalar", patch: "/description", ops: REPLACE },
  { field: "enabled", type: "scalar", patch: "/enabled", ops: REPLACE },
  // No patch path: /value is refused, a new value is a new key (LS; TF api_key.go: value is ForceNew).
  { field: "valueHash", type: "scalar", ops: [] },
];

export function usagePlanSpecHash(model: UsagePlanModel): string {
  return contentHash(model);
}

export function diffUsagePlan(desired: UsagePlanModel, live: LiveUsagePlan | undefined): Change[] {
  const usagePlan = desired.key;
  const changes: Change[] = [];
  if (!live?.id) {
    changes.push({ kind: "UsagePlan", action: "create", id: { usagePlan }, fields: planFields(desired, undefined), patch: [] });
  } else {
    const fields = planFields(desired, live.model);
    const tags = tagField(desired.tags, live.model.tags);
    if (fields.length > 0 || tags.length > 0) changes.push({ kind: "UsagePlan", action: "update", id: { usagePlan }, fields: [...fields, ...tags], patch: planPatch(fields, live) });
  }
  changes.push(...diffKeys(desired, live));
  return changes;
}

function valueAt(model: object | undefined, field: string): unknown {
  return field.split(".").reduce<unknown>((value, part) => (value && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined), model);
}

/** Field changes of the plan: a settings group gone whole is one change of the group, else one per member. */
export function planFields(desired: UsagePlanModel, live: UsagePlanModel | undefined): FieldChange[] {
  const changes: FieldChange[] = [];
  const gone = USAGE_PLAN_GROUPS.filter((g) => live !== undefined && valueAt(desired, g.field) === undefined && valueAt(live, g.field) !== undefined).map((g) => g.field);
  for (const group of gone) changes.push({ field: group, before: valueAt(live, group) });
  for (const spec of USAGE_PLAN_FIELDS) {
    if (gone.some((g) => spec.field.startsWith(`${g}.`))) continue;
    const after = valueAt(desired, spec.field);
    const before = valueAt(live, spec.field);
    if (!fieldEqual(spec, after, before)) changes.push({ field: spec.field, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
  }
  return changes;
}

/** The UpdateUsagePlan ops of the field changes, stages removed before they are added (TF does the same in one call). */
export function planPatch(fields: readonly FieldChange[], live: LiveUsagePlan): PatchOperation[] {
  const ops: PatchOperation[] = [];
  for (const change of fields) {
    const group = USAGE_PLAN_GROUPS.find((g) => g.field === change.field);
    if (group?.patch) ops.push({ op: "remove", path: group.patch });
    const spec = USAGE_PLAN_FIELDS.find((s) => s.field === change.field);
    if (!spec?.patch) continue;
    if (spec.type === "set") ops.push(...stagePatch(change, live));
    else ops.push({ op: "replace", path: spec.patch, value: scalarText(change.after) });
  }
  return ops;
}

/** `remove` sends the value AWS holds; `add` the API's live id when known (the plan puts a ref for an API created in the pass). */
function stagePatch(change: FieldChange, live: LiveUsagePlan): PatchOperation[] {
  const before = new Set((change.before as string[] | undefined) ?? []);
  const after = new Set((change.after as string[] | undefined) ?? []);
  const removed = [...before].filter((s) => !after.has(s)).map((s) => ({ op: "remove" as const, path: "/apiStages", value: ownValue(live.stageValues, s) ?? s }));
  const added = [...after].filter((s) => !before.has(s)).map((s) => {
    const { api, stage } = splitStage(s);
    return { op: "add" as const, path: "/apiStages", value: `${ownValue(live.apiIds, api) ?? `{RestApi/${api}}`}:${stage}` };
  });
  return [...removed, ...added];
}

/** A scalar as a patch value (AWS takes strings: "75.5", "true"); unset is "", which clears. */
function scalarText(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

function tagField(desired: Record<string, string>, live: Record<string, string>): FieldChange[] {
  const same = Object.keys(desired).length === Object.keys(live).length && Object.entries(desired).every(([k, v]) => ownValue(live, k) === v);
  return same ? [] : [{ field: "tags", before: live, after: desired }];
}

/** A short form of a value hash for reports (the hash is not the value; a prefix is enough to tell two apart). */
export function shortHash(hash: string | undefined): string | undefined {
  return hash === undefined ? undefined : `hmac:${hash.slice(0, 12)}`;
}

function keyFields(desired: ApiKeyModel, live: ApiKeyModel | undefined): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const spec of API_KEY_FIELDS) {
    const after = desired[spec.field as keyof ApiKeyModel];
    const before = live?.[spec.field as keyof ApiKeyModel];
    // No value in the manifest: whatever value the key has is right.
    if (spec.field === "valueHash" && (after === undefined || live === undefined)) continue;
    if (fieldEqual(spec, after, before)) continue;
    if (spec.field === "valueHash") changes.push({ field: "value", before: shortHash(before as string | undefined) ?? "(unknown)", after: `from $${desired.valueEnv ?? "?"}` });
    else changes.push({ field: spec.field, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
  }
  return changes;
}

function createdKeyFields(desired: ApiKeyModel): FieldChange[] {
  return [
    { field: "name", after: desired.name },
    { field: "enabled", after: desired.enabled },
    ...(desired.description !== undefined ? [{ field: "description", after: desired.description }] : []),
    { field: "value", after: desired.valueEnv ? `from $${desired.valueEnv}` : "generated by API Gateway" },
  ];
}

function diffKeys(desired: UsagePlanModel, live: LiveUsagePlan | undefined): Change[] {
  const usagePlan = desired.key;
  const changes: Change[] = [];
  const planExists = live?.id !== undefined;
  for (const name of Object.keys(desired.apiKeys).sort()) {
    const want = desired.apiKeys[name] as ApiKeyModel;
    const have = ownValue(live?.model.apiKeys, name);
    const facts = ownValue(live?.keys, name);
    const id = { usagePlan, apiKey: name };
    if (!have || !facts) {
      changes.push({ kind: "ApiKey", action: "create", id, fields: createdKeyFields(want), patch: [] });
      continue;
    }
    const fields = keyFields(want, have);
    if (fields.some((f) => f.field === "value")) {
      changes.push({ kind: "ApiKey", action: "replace", id, fields, patch: [], reason: "an API key's value cannot be changed in place: a new key replaces it" });
      continue;
    }
    const patch = fields.map((f): PatchOperation => ({ op: "replace", path: `/${f.field}`, value: scalarText(f.after) }));
    if (fields.length > 0) changes.push({ kind: "ApiKey", action: "update", id, fields, patch });
    if (!facts.inPlan || !planExists) changes.push({ kind: "UsagePlanKey", action: "create", id, fields: [], patch: [] });
  }
  for (const name of Object.keys(live?.model.apiKeys ?? {}).sort()) {
    if (!hasOwn(desired.apiKeys, name)) changes.push({ kind: "ApiKey", action: "delete", id: { usagePlan, apiKey: name }, fields: [], patch: [] });
  }
  for (const [keyId, name] of Object.entries(live?.strayKeys ?? {}).sort()) {
    changes.push({ kind: "ApiKey", action: "delete", id: { usagePlan, apiKey: `${name} (${keyId})`, keyId }, fields: [], patch: [], reason: "a second key of this name (a replacement cut short)" });
  }
  for (const [keyId, name] of Object.entries(live?.foreignKeys ?? {}).sort()) {
    changes.push({ kind: "UsagePlanKey", action: "delete", id: { usagePlan, apiKey: `${name} (${keyId})`, keyId }, fields: [], patch: [], reason: "a key the manifest does not list" });
  }
  return changes;
}
