// plan for UsagePlan (pure): each change → its API Gateway calls. One UpdateUsagePlan per plan carries every
// patch op (AWS allows UpdateUsagePlan once per 20 s per account: Docs limits page, research §1.8); a plan is
// created whole by CreateUsagePlan (no follow-up update); the spec-hash tag is written last.
import type { QuotaPeriodType } from "@aws-sdk/client-api-gateway";
import { sdkCall, type Planned, type PlannedCall } from "../../aws/calls.ts";
import type { Change, Operation, PatchOperation, SecretRef } from "../../model/changes.ts";
import { TAG } from "../../model/live.ts";
import { hasOwn, ownValue } from "../../model/own.ts";
import type { KindPlanContext } from "../kind.ts";
import { apiStageKey } from "../rest-api/index.ts";
import { splitStage, VALUE_HASH_TAG, type ApiKeyModel, type LiveUsagePlan, type UsagePlanModel } from "./model.ts";
import { keyTagName } from "./observe.ts";

type Id = Planned<string>;

/** What the operations of one plan share while they are planned. */
export class UsagePlanPlan {
  readonly ops: Operation[] = [];
  readonly group: string;
  /** The plan's id: live, or the answer of its CreateUsagePlan. */
  planId: Id;
  /** The op after which the plan exists (its CreateUsagePlan), when created in this pass. */
  createdBy: string | undefined;
  /** Whether the user's tags differ from the plan's (the final TagResource writes them). */
  tagsChanged = false;

  constructor(
    readonly desired: UsagePlanModel,
    readonly live: LiveUsagePlan | undefined,
    readonly context: Pick<KindPlanContext, "target" | "owner" | "ready" | "ids">,
  ) {
    this.group = `UsagePlan/${desired.key}`;
    this.planId = live?.id ?? { $ref: "usagePlan" };
  }

  add(suffix: string, planned: PlannedCall, extra: { after?: string[]; change?: number; produces?: string; releases?: string[] } = {}): string {
    const id = `${this.group}:${planned.call}${suffix}`;
    const after = [...new Set([...(this.createdBy && id !== this.createdBy ? [this.createdBy] : []), ...(extra.after ?? [])])];
    const releases = extra.releases?.length ? { releases: extra.releases } : {};
    this.ops.push({ id, ...planned, after, group: this.group, ...(extra.change !== undefined ? { change: extra.change } : {}), ...(extra.produces ? { produces: extra.produces } : {}), ...releases });
    return id;
  }

  /** `arn:{partition}:apigateway:{region}::/{kind}/{id}` (TF usage_plan.go, api_key.go). */
  arn(kind: "usageplans" | "apikeys", id: Id): Id {
    const prefix = `arn:${this.context.target.partition}:apigateway:${this.context.target.region}::/${kind}/`;
    return typeof id === "string" ? `${prefix}${id}` : { ...id, format: `${prefix}{}` };
  }

  /** An API's id as `{apiId}:{stage}` for a patch value: the live id, or a ref to the CreateRestApi of this pass. */
  stageValue(api: string, stage: string): Id | undefined {
    const id = this.apiId(api);
    if (id === undefined) return undefined;
    return typeof id === "string" ? `${id}:${stage}` : { ...id, format: `{}:${stage}` };
  }

  apiId(api: string): Id | undefined {
    return this.context.ids.get(`RestApi/${api}`) ?? ownValue(this.live?.apiIds, api);
  }

  /** The op after which a stage created in this pass exists (none: it already does). */
  stageReady(stages: readonly string[]): string[] {
    return stages.flatMap((s) => {
      const op = this.context.ready.get(stageKeyOf(s));
      return op ? [op] : [];
    });
  }
}

/** A model stage (`my-s3:prod`) as the RestApi kind keys its stages (`RestApi/my-s3/stages/prod`). */
function stageKeyOf(modelStage: string): string {
  const { api, stage } = splitStage(modelStage);
  return apiStageKey(api, stage);
}

export function planUsagePlan(changes: readonly Change[], desired: UsagePlanModel, live: LiveUsagePlan | undefined, context: KindPlanContext & { specHash: string }): Operation[] {
  const plan = new UsagePlanPlan(desired, live, context);
  changes.forEach((change, index) => {
    if (change.kind === "UsagePlan") planPlanChange(plan, change, index);
  });
  changes.forEach((change, index) => {
    if (change.kind !== "UsagePlan") planKeyChange(plan, change, index);
  });
  planFinalTags(plan, context.specHash);
  return plan.ops;
}

function planPlanChange(plan: UsagePlanPlan, change: Change, index: number): void {
  const { desired } = plan;
  if (change.action === "create") {
    const stages = desired.apiStages.flatMap((s) => {
      const { api, stage } = splitStage(s);
      const apiId = plan.apiId(api);
      return apiId === undefined ? [] : [{ apiId, stage }];
    });
    // Created with its ownership tags but without the spec hash: it is written last (see planFinalTags).
    plan.createdBy = plan.add(
      "",
      sdkCall("apigateway", "CreateUsagePlan", {
        name: desired.name,
        ...(desired.description !== undefined ? { description: desired.description } : {}),
        ...(desired.throttle ? { throttle: { ...desired.throttle } } : {}),
        ...(desired.quota ? { quota: { ...desired.quota, period: desired.quota.period as QuotaPeriodType } } : {}),
        ...(stages.length > 0 ? { apiStages: stages } : {}),
        tags: { ...desired.tags, [TAG.name]: desired.key, [TAG.owner]: plan.context.owner },
      }),
      // A plan can only name a stage that exists (400 otherwise: SOURCES.md §5): after the stages made in this pass.
      { after: plan.stageReady(desired.apiStages), change: index, produces: "usagePlan" },
    );
    return;
  }
  const patch = resolvedPatch(plan, change);
  const { added, removed } = stagesChanged(change);
  // A stage deleted in this pass waits for the plan to let go of it (Operation.releases).
  const update = { after: plan.stageReady(added), change: index, releases: removed.map(stageKeyOf) };
  if (patch.length > 0) plan.add("", sdkCall("apigateway", "UpdateUsagePlan", { usagePlanId: plan.planId, patchOperations: patch }), update);
  const tags = change.fields.find((f) => f.field === "tags");
  plan.tagsChanged = tags !== undefined;
  const untagged = Object.keys((tags?.before ?? {}) as Record<string, string>).filter((k) => !hasOwn(tags?.after as Record<string, string>, k));
  // New and changed tags are written by the final TagResource, with the ownership tags.
  if (untagged.length > 0) plan.add("", sdkCall("apigateway", "UntagResource", { resourceArn: plan.arn("usageplans", plan.planId), tagKeys: untagged }), { change: index });
}

/** The model stages (`my-s3:prod`) a change adds to the plan and removes from it. */
function stagesChanged(change: Change): { added: string[]; removed: string[] } {
  const field = change.fields.find((f) => f.field === "apiStages");
  const before = (field?.before as string[] | undefined) ?? [];
  const after = (field?.after as string[] | undefined) ?? [];
  return { added: after.filter((s) => !before.includes(s)), removed: before.filter((s) => !after.includes(s)) };
}

/** The change's patch with each added stage's value as the API's id (a ref when the API is created in this pass). */
function resolvedPatch(plan: UsagePlanPlan, change: Change): Planned<PatchOperation>[] {
  const { added } = stagesChanged(change);
  const kept = change.patch.filter((op) => !(op.path === "/apiStages" && op.op === "add"));
  const adds = added.flatMap((s) => {
    const { api, stage } = splitStage(s);
    const value = plan.stageValue(api, stage);
    return value === undefined ? [] : [{ op: "add" as const, path: "/apiStages", value }];
  });
  return [...kept, ...adds];
}

function planKeyChange(plan: UsagePlanPlan, change: Change, index: number): void {
  const name = change.id.apiKey ?? "";
  const want = ownValue(plan.desired.apiKeys, name);
  const facts = ownValue(plan.live?.keys, name);
  switch (`${change.kind}:${change.action}`) {
    case "ApiKey:create":
      if (want) addNewKey(plan, name, want, index);
      return;
    case "ApiKey:replace": {
      if (!want || !facts) return;
      // New key, in the plan, then the old one deleted (DeleteApiKey also takes it out of the plan: LS "get-up-keys-after-delete").
      const added = addNewKey(plan, name, want, index);
      plan.add(`:${name}`, sdkCall("apigateway", "DeleteApiKey", { apiKey: facts.id }), { after: [added], change: index });
      return;
    }
    case "ApiKey:update":
      if (facts) plan.add(`:${name}`, sdkCall("apigateway", "UpdateApiKey", { apiKey: facts.id, patchOperations: change.patch }), { change: index });
      return;
    case "ApiKey:delete": {
      const id = change.id.keyId ?? facts?.id;
      if (id) plan.add(`:${change.id.keyId ?? name}`, sdkCall("apigateway", "DeleteApiKey", { apiKey: id }), { change: index });
      return;
    }
    case "UsagePlanKey:create":
      if (facts) plan.add(`:${name}`, sdkCall("apigateway", "CreateUsagePlanKey", { usagePlanId: plan.planId, keyId: facts.id, keyType: "API_KEY" }), { change: index });
      return;
    case "UsagePlanKey:delete":
      if (change.id.keyId) plan.add(`:${change.id.keyId}`, sdkCall("apigateway", "DeleteUsagePlanKey", { usagePlanId: plan.planId, keyId: change.id.keyId }), { change: index });
      return;
  }
}

/** CreateApiKey then CreateUsagePlanKey; returns the latter's op id. */
function addNewKey(plan: UsagePlanPlan, name: string, want: ApiKeyModel, index: number): string {
  const call = sdkCall("apigateway", "CreateApiKey", {
    name: want.name,
    ...(want.description !== undefined ? { description: want.description } : {}),
    // AWS's default is false (LS "create-api-key"): always sent.
    enabled: want.enabled,
    tags: { [TAG.name]: keyTagName(plan.desired.key, name), [TAG.owner]: plan.context.owner, ...(want.valueHash ? { [VALUE_HASH_TAG]: want.valueHash } : {}) },
  });
  // The value is named, never held: apply reads the variable at the call (engine/apply.ts secretValue).
  // Set past sdkCall, whose typed input has no place for a SecretRef.
  if (want.valueEnv) call.input.value = { $secret: { env: want.valueEnv } } satisfies SecretRef;
  const created = plan.add(`:${name}`, call, { change: index, produces: `apiKey:${name}` });
  return plan.add(`:${name}`, sdkCall("apigateway", "CreateUsagePlanKey", { usagePlanId: plan.planId, keyId: { $ref: `apiKey:${name}` }, keyType: "API_KEY" }), { after: [created], change: index });
}

/**
 * The plan's tags and its spec hash, after every other operation: the hash says "AWS holds this spec", only
 * true once all is done (as for RestApi and IamRole). Written when the hash, the ownership tags or the user's
 * tags differ (a new plan, a manifest change, one AWS does not see, an adopted plan); healing drift under an
 * unchanged hash needs no tag write.
 */
function planFinalTags(plan: UsagePlanPlan, specHash: string): void {
  const { desired, live, context } = plan;
  const stale = !live?.id || live.tags[TAG.specHash] !== specHash || live.tags[TAG.name] !== desired.key || live.tags[TAG.owner] !== context.owner;
  if (!stale && !plan.tagsChanged) return;
  const after = plan.ops.map((op) => op.id);
  plan.add(":spec-hash", sdkCall("apigateway", "TagResource", { resourceArn: plan.arn("usageplans", plan.planId), tags: { ...desired.tags, [TAG.name]: desired.key, [TAG.owner]: context.owner, [TAG.specHash]: specHash } }), { after });
}

/** Prune: every stage removed in one UpdateUsagePlan (AWS refuses to delete a plan with stages: SOURCES.md §5), the plan deleted, then its keys. */
export function planUsagePlanDeletion(live: LiveUsagePlan, group: string, change: number): Operation[] {
  const ops: Operation[] = [];
  const add = (suffix: string, planned: PlannedCall, after: string[], releases: string[] = []) => {
    const id = `${group}:${planned.call}${suffix}`;
    ops.push({ id, ...planned, after, group, change, ...(releases.length > 0 ? { releases } : {}) });
    return id;
  };
  if (!live.id) return ops;
  const stages = Object.entries(live.stageValues);
  const removeAll = stages.map(([, value]) => ({ op: "remove" as const, path: "/apiStages", value }));
  const cleared = stages.length > 0 ? [add("", sdkCall("apigateway", "UpdateUsagePlan", { usagePlanId: live.id, patchOperations: removeAll }), [], stages.map(([model]) => stageKeyOf(model)))] : [];
  const deleted = add("", sdkCall("apigateway", "DeleteUsagePlan", { usagePlanId: live.id }), cleared);
  for (const [name, key] of Object.entries(live.keys)) add(`:${name}`, sdkCall("apigateway", "DeleteApiKey", { apiKey: key.id }), [deleted]);
  for (const id of Object.keys(live.strayKeys ?? {})) add(`:${id}`, sdkCall("apigateway", "DeleteApiKey", { apiKey: id }), [deleted]);
  return ops;
}
