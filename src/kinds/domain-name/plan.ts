// plan for DomainName (pure): each change → its API Gateway calls. AWS allows Create/Update/DeleteDomainName
// 1 request per 30 s per account (research §1.8; the client quota is in aws/quotas.ts): every field change
// of a domain goes into ONE UpdateDomainName. Tags are not patched: TagResource/UntagResource on the
// domain's ARN (terraform-provider-aws domain_name.go). The spec hash is written last, by the final
// TagResource: a domain whose plan stopped half-way does not claim to hold its spec (as RestApi does).
import type { SecurityPolicy } from "@aws-sdk/client-api-gateway";
import { sdkCall, type Planned, type PlannedCall } from "../../aws/calls.ts";
import type { Change, Operation, PatchOperation, Ref } from "../../model/changes.ts";
import { TAG } from "../../model/live.ts";
import { hasOwn, ownValue } from "../../model/own.ts";
import { groupKey, type KindPlanContext } from "../kind.ts";
import { apiStageKey } from "../rest-api/index.ts";
import { basePathOf, domainSpecHash } from "./diff.ts";
import type { BasePathMappingModel, DomainNameModel } from "./model.ts";
import type { LiveDomainName } from "./observe.ts";

export function domainArn(partition: string, region: string, domainName: string): string {
  return `arn:${partition}:apigateway:${region}::/domainnames/${domainName}`;
}

/** The operations of one domain as they are planned: ids in order, and what later ones wait for. */
class DomainPlan {
  readonly ops: Operation[] = [];
  readonly group: string;
  /** The CreateDomainName of this pass: mappings wait for it. */
  created: string | undefined;
  readonly mappingDeletes: string[] = [];

  constructor(
    readonly desired: DomainNameModel,
    readonly live: LiveDomainName | undefined,
    readonly context: KindPlanContext,
  ) {
    this.group = groupKey("DomainName", desired.key);
  }

  add(suffix: string, planned: PlannedCall, after: (string | undefined)[], change?: number): string {
    const id = `${this.group}:${planned.call}${suffix}`;
    const waits = [...new Set(after.filter((a): a is string => a !== undefined))];
    this.ops.push({ id, ...planned, after: waits, group: this.group, ...(change !== undefined ? { change } : {}) });
    return id;
  }

  /** The API a mapping names: its live id, or a ref to the CreateRestApi of this pass (kind.ts `ids`). */
  restApiId(api: string): string | Ref {
    const id = this.context.ids.get(groupKey("RestApi", api));
    // The loader checked the RestApi manifest exists; it is absent here only when this pass leaves it out.
    if (id === undefined) throw new Error(`DomainName ${this.desired.key}: its mapping names RestApi ${api}, which is not part of this pass (--selector?)`);
    return id;
  }

  /** Marks the operation as letting go of the stages these live mappings name: a deletion of one waits for it. */
  releases(opId: string, mappings: readonly BasePathMappingModel[]): void {
    const op = this.ops.find((o) => o.id === opId);
    if (op && mappings.length > 0) op.releases = mappingStages(mappings);
  }

  /** The live mapping at a base path, if any. */
  liveMapping(basePath: string): BasePathMappingModel | undefined {
    return ownValue(this.live?.model.basePathMappings, basePath);
  }

  /** The operation after which the API's stage exists, when this pass creates it (absent: it exists already). */
  stageReady(api: string, stage: string): string | undefined {
    return this.context.ready.get(apiStageKey(api, stage));
  }
}

/** The stages mappings name, as the RestApi kind keys them. */
function mappingStages(mappings: readonly BasePathMappingModel[]): string[] {
  return mappings.map((m) => apiStageKey(m.api, m.stage));
}

export function planDomainName(changes: readonly Change[], desired: DomainNameModel, live: LiveDomainName | undefined, context: KindPlanContext): Operation[] {
  const plan = new DomainPlan(desired, live, context);
  const domainChanges = changes.map((change, index) => ({ change, index }));
  for (const { change, index } of domainChanges) if (change.kind === "DomainName") planDomainChange(plan, change, index);
  // Deletes first: a new "" mapping may only be created once the others are gone, and a mapping beside
  // it once "" is gone (409 "Only one base path mapping is allowed if the base path is empty.", research §1.5).
  for (const { change, index } of domainChanges) if (change.kind === "BasePathMapping" && change.action === "delete") planMappingDelete(plan, change, index);
  for (const { change, index } of domainChanges) if (change.kind === "BasePathMapping" && change.action !== "delete") planMappingWrite(plan, change, index);
  planFinalTags(plan, changes);
  return plan.ops;
}

function planDomainChange(plan: DomainPlan, change: Change, index: number): void {
  const { desired, live } = plan;
  if (change.action === "create") {
    plan.created = plan.add("", createDomainCall(plan), [], index);
  } else if (change.action === "replace" && live) {
    // A new name: the old domain goes (with its mappings: research §1.4), the new one is created.
    const deleted = plan.add("", sdkCall("apigateway", "DeleteDomainName", { domainName: live.model.domainName }), [], index);
    plan.releases(deleted, Object.values(live.model.basePathMappings));
    plan.created = plan.add("", createDomainCall(plan), [deleted], index);
  } else if (change.action === "update") {
    if (change.patch.length > 0) plan.add("", sdkCall("apigateway", "UpdateDomainName", { domainName: desired.domainName, patchOperations: change.patch }), [], index);
    const tags = change.fields.find((f) => f.field === "tags");
    const removed = Object.keys((tags?.before ?? {}) as Record<string, string>).filter((k) => !hasOwn(desired.tags, k));
    if (removed.length > 0) plan.add("", sdkCall("apigateway", "UntagResource", { resourceArn: arnOf(plan), tagKeys: removed }), [], index);
  }
}

function createDomainCall(plan: DomainPlan): PlannedCall {
  const { desired, context } = plan;
  // Without the spec hash: it is written by the final TagResource (see the header).
  const tags = { ...desired.tags, [TAG.name]: desired.key, [TAG.owner]: context.owner };
  return sdkCall("apigateway", "CreateDomainName", {
    domainName: desired.domainName,
    // REGIONAL: regionalCertificateArn, not certificateArn (edge/private only): API_CreateDomainName docs, research §1.4.
    regionalCertificateArn: desired.certificateArn,
    endpointConfiguration: { types: ["REGIONAL"] },
    // As the manifest schema validated it (the SDK's enum).
    securityPolicy: desired.securityPolicy as SecurityPolicy,
    tags,
  });
}

function planMappingDelete(plan: DomainPlan, change: Change, index: number): void {
  const address = change.id.basePath ?? "";
  const domainName = plan.live?.model.domainName ?? plan.desired.domainName;
  const deleted = plan.add(`:${address}`, sdkCall("apigateway", "DeleteBasePathMapping", { domainName, basePath: address }), [], index);
  const was = plan.liveMapping(basePathOf(address));
  plan.releases(deleted, was ? [was] : []);
  plan.mappingDeletes.push(deleted);
}

/** A mapping created or repointed: after its domain exists, after the stage it names exists, after the deletes. */
function planMappingWrite(plan: DomainPlan, change: Change, index: number): void {
  const address = change.id.basePath ?? "";
  const basePath = basePathOf(address);
  const mapping = ownValue(plan.desired.basePathMappings, basePath);
  if (!mapping) return;
  const ready = plan.stageReady(mapping.api, mapping.stage);
  const restApiId = plan.restApiId(mapping.api);
  const domainName = plan.desired.domainName;
  if (change.action === "create") {
    // The empty base path is sent as absent (stored as "(none)": research §1.5).
    const input = { domainName, ...(basePath !== "" ? { basePath } : {}), restApiId, stage: mapping.stage };
    plan.add(`:${address}`, sdkCall("apigateway", "CreateBasePathMapping", input), [plan.created, ready, ...plan.mappingDeletes], index);
    return;
  }
  const patchOperations: Planned<PatchOperation>[] = [];
  if (change.fields.some((f) => f.field === "api")) patchOperations.push({ op: "replace", path: "/restapiId", value: restApiId });
  patchOperations.push(...change.patch);
  const updated = plan.add(`:${address}`, sdkCall("apigateway", "UpdateBasePathMapping", { domainName, basePath: address, patchOperations }), [ready, ...plan.mappingDeletes], index);
  const was = plan.liveMapping(basePath);
  plan.releases(updated, was && (was.api !== mapping.api || was.stage !== mapping.stage) ? [was] : []);
}

/**
 * Tags, ownership and spec hash in one TagResource after every other operation, when any of them is not
 * what AWS holds: a new domain (created without the hash), a manifest change, an adopted domain, user tags.
 */
function planFinalTags(plan: DomainPlan, changes: readonly Change[]): void {
  const { desired, live, context } = plan;
  const hash = domainSpecHash(context.manifest as DomainNameModel);
  const tagsChanged = changes.some((c) => c.kind === "DomainName" && c.fields.some((f) => f.field === "tags"));
  const recreated = plan.created !== undefined;
  const stale = !live || live.tags[TAG.specHash] !== hash || live.tags[TAG.name] !== desired.key || live.tags[TAG.owner] !== context.owner;
  if (!recreated && !stale && !tagsChanged) return;
  const tags = { ...desired.tags, [TAG.name]: desired.key, [TAG.owner]: context.owner, [TAG.specHash]: hash };
  plan.add("", sdkCall("apigateway", "TagResource", { resourceArn: arnOf(plan), tags }), plan.ops.map((o) => o.id));
}

function arnOf(plan: DomainPlan): string {
  return domainArn(plan.context.target.partition, plan.context.target.region, plan.desired.domainName);
}

/**
 * The operation that deletes an orphan: its mappings go with it (research §1.4, aws/chalice#1918). An
 * orphan's mappings are not read (GetDomainNames alone finds orphans), so it declares no releases.
 */
export function planDomainDeletion(live: LiveDomainName, group: string, change: number): Operation[] {
  return [{ id: `${group}:DeleteDomainName`, ...sdkCall("apigateway", "DeleteDomainName", { domainName: live.model.domainName }), after: [], group, change }];
}
