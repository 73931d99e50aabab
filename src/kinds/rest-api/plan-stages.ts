// Plans what follows the API's configuration: one deployment after all of it (created through its first
// stage, which it creates when new), the other stages pointed at it, stage settings and tags, stage
// deletes, and last the API's TagResource that records what was applied.
import type { PatchOperation } from "@aws-sdk/client-api-gateway";
import { sdkCall, type CallInput, type Planned } from "../../aws/calls.ts";
import type { Change } from "../../model/changes.ts";
import { TAG } from "../../model/live.ts";
import { once } from "../../once.ts";
import { hasOwn, ownValue } from "../../model/own.ts";
import type { StageModel } from "../../model/types.ts";
import { diffMethodSettings } from "./diff.ts";
import { ref, stageKey, type RestApiPlan } from "./plan-context.ts";

/** A desired stage, and whether this plan creates it. */
interface StageTarget {
  name: string;
  stage: StageModel;
  isNew: boolean;
}

/** Plans the deployment, stages and final tags; `configOps` are the configuration's operations, which a deployment waits for. */
export function planStages(plan: RestApiPlan, configOps: string[]): void {
  let deployOp: string | undefined;
  const handled = new Set<string>();
  const deployment = plan.diff.deployment;
  if (deployment) {
    const [carrier, ...others] = deployment.stages;
    // A deployment is made through a stage: without one (the diff never decides that) nothing is planned.
    if (carrier === undefined) return;
    deployOp = planDeployment(plan, carrier, configOps, handled);
    for (const name of others) {
      const stage = ownValue(plan.desired.stages, name);
      if (!stage) continue;
      handled.add(name);
      pointStageAtDeployment(plan, { name, stage, isNew: !isLiveStage(plan, name) }, deployOp);
    }
  }
  for (const name of Object.keys(plan.desired.stages).sort()) {
    if (!handled.has(name)) planStageUpdate(plan, name);
  }
  for (const change of plan.diff.changes) {
    if (change.kind === "Stage" && change.action === "delete" && change.id.stage) {
      const name = change.id.stage;
      const call = sdkCall("apigateway", "DeleteStage", { restApiId: plan.restApiId, stageName: name });
      plan.add({ id: `${plan.group}:DeleteStage:${name}`, ...call, change: stageChangeIndex(plan, name), removes: stageKey(plan.group, name) });
    }
  }
  planApiTags(plan, deployOp);
}

/** CreateDeployment through `carrier` (created with it when new), then the carrier's own settings and tags. */
function planDeployment(plan: RestApiPlan, carrier: string, configOps: string[], handled: Set<string>): string {
  const carrierStage = ownValue(plan.desired.stages, carrier);
  const carrierIsNew = !isLiveStage(plan, carrier);
  // The description names the config hash: written when first read (see restApiHashes).
  const input = once(
    (): Planned<CallInput<"apigateway", "CreateDeployment">> => ({
      restApiId: plan.restApiId,
      stageName: carrier,
      description: deploymentDescription(plan.diff.hashes.configHash, plan.context.revision),
      ...(carrierIsNew && carrierStage ? newStageViaDeployment(carrierStage) : {}),
    }),
  );
  const deployOp = plan.add({
    id: `${plan.group}:CreateDeployment`,
    service: "apigateway",
    call: "CreateDeployment",
    get input() {
      return input() as Record<string, unknown>;
    },
    produces: "deployment",
    after: configOps,
    change: plan.changeIndex((c) => c.kind === "Deployment"),
  }).id;
  plan.stagesReady.set(carrier, deployOp);
  if (carrierStage) {
    const target = { name: carrier, stage: carrierStage, isNew: carrierIsNew };
    planStageSettings(plan, target, deployOp);
    planStageTags(plan, target, deployOp);
    handled.add(carrier);
  }
  return deployOp;
}

/** Another stage of the deployment: an existing one is moved to it (with its other changes), a new one created on it. */
function pointStageAtDeployment(plan: RestApiPlan, target: StageTarget, deployOp: string): void {
  const { name, stage } = target;
  const { group, restApiId } = plan;
  if (!target.isNew) {
    const patch: Planned<PatchOperation[]> = [{ op: "replace", path: "/deploymentId", value: ref("deployment") }, ...(stageChange(plan, name)?.patch ?? [])];
    plan.add({ id: `${group}:UpdateStage:${name}`, ...sdkCall("apigateway", "UpdateStage", { restApiId, stageName: name, patchOperations: patch }), after: [deployOp], change: stageChangeIndex(plan, name) });
    planStageTags(plan, target, deployOp);
    return;
  }
  const created = plan.add({
    id: `${group}:CreateStage:${name}`,
    ...sdkCall("apigateway", "CreateStage", { restApiId, stageName: name, deploymentId: ref("deployment"), ...stageCreateFields(stage), ...(Object.keys(stage.tags).length > 0 ? { tags: stage.tags } : {}) }),
    after: [deployOp],
    change: stageChangeIndex(plan, name),
  });
  plan.stagesReady.set(name, created.id);
  // CreateStage set the tags already.
  planStageSettings(plan, target, created.id);
}

/** A stage the deployment does not touch: its own update, if the diff has one. */
function planStageUpdate(plan: RestApiPlan, name: string): void {
  const stage = ownValue(plan.desired.stages, name);
  const change = stageChange(plan, name);
  if (!stage || !change || change.action !== "update") return;
  if (change.patch.length > 0) {
    plan.add({ id: `${plan.group}:UpdateStage:${name}`, ...sdkCall("apigateway", "UpdateStage", { restApiId: plan.restApiId, stageName: name, patchOperations: change.patch }), change: stageChangeIndex(plan, name) });
  }
  planStageTags(plan, { name, stage, isNew: false }, undefined);
}

/** What the call that created or moved a stage could not set: a new stage's method settings, an existing one's changes. */
function planStageSettings(plan: RestApiPlan, { name, stage, isNew }: StageTarget, createdBy: string): void {
  const patch = isNew ? diffMethodSettings(stage.methodSettings, {}).patch : (stageChange(plan, name)?.patch ?? []);
  if (patch.length > 0) {
    plan.add({ id: `${plan.group}:UpdateStage:${name}`, ...sdkCall("apigateway", "UpdateStage", { restApiId: plan.restApiId, stageName: name, patchOperations: patch }), after: [createdBy], change: stageChangeIndex(plan, name) });
  }
}

/** A new stage's tags; an existing stage's only when its tags changed (untagging the keys it lost). */
function planStageTags(plan: RestApiPlan, { name, stage, isNew }: StageTarget, after: string | undefined): void {
  const before = isNew ? {} : (stageChange(plan, name)?.fields.find((f) => f.field === "tags")?.before as Record<string, string> | undefined);
  if (!isNew && before === undefined) return;
  const removed = Object.keys(before ?? {}).filter((k) => !hasOwn(stage.tags, k));
  if (removed.length > 0) plan.add({ id: `${plan.group}:UntagResource:${name}`, ...sdkCall("apigateway", "UntagResource", { resourceArn: plan.stageArn(name), tagKeys: removed }), after: [after] });
  if (Object.keys(stage.tags).length > 0) plan.add({ id: `${plan.group}:TagResource:${name}`, ...sdkCall("apigateway", "TagResource", { resourceArn: plan.stageArn(name), tags: stage.tags }), after: [after] });
}

/** Record what was applied: the spec hash always, the deployment and its config hash when one was made. */
function planApiTags(plan: RestApiPlan, deployOp: string | undefined): void {
  const { diff, live } = plan;
  const { hashes } = diff;
  const needsSpecTag = live === undefined || live.tags[TAG.specHash] !== hashes.specHash;
  const userTagChange = diff.changes.find((c) => c.kind === "RestApi" && c.action === "update")?.fields.find((f) => f.field === "tags");
  if (!deployOp && !needsSpecTag && !userTagChange) return;
  const resourceArn = plan.apiArn();
  // The tags name the hashes: written when first read (see restApiHashes).
  const input = once((): Planned<CallInput<"apigateway", "TagResource">> => {
    const tags: Record<string, Planned<string>> = { ...(userTagChange ? (userTagChange.after as Record<string, string>) : {}), [TAG.specHash]: hashes.specHash };
    if (live) Object.assign(tags, { [TAG.name]: plan.desired.key, [TAG.owner]: plan.context.owner });
    if (deployOp) tags[TAG.deployed] = ref("deployment", `{}:${hashes.configHash}`);
    return { resourceArn, tags };
  });
  // Last, after every other operation of the API: the tags record what was applied.
  plan.add({
    id: `${plan.group}:TagResource`,
    service: "apigateway",
    call: "TagResource",
    get input() {
      return input() as Record<string, unknown>;
    },
    after: plan.opIds(),
  });
}

function isLiveStage(plan: RestApiPlan, name: string): boolean {
  return plan.live !== undefined && hasOwn(plan.live.stageDeployments, name);
}

function stageChange(plan: RestApiPlan, name: string): Change | undefined {
  return plan.diff.changes.find((c) => c.kind === "Stage" && c.id.stage === name);
}

function stageChangeIndex(plan: RestApiPlan, name: string): number | undefined {
  return plan.changeIndex((c) => c.kind === "Stage" && c.id.stage === name);
}

function newStageViaDeployment(stage: StageModel): Record<string, unknown> {
  return {
    ...(stage.description !== undefined ? { stageDescription: stage.description } : {}),
    ...(Object.keys(stage.variables).length > 0 ? { variables: stage.variables } : {}),
    ...(stage.tracingEnabled ? { tracingEnabled: true } : {}),
  };
}

function stageCreateFields(stage: StageModel): Record<string, unknown> {
  return {
    ...(stage.description !== undefined ? { description: stage.description } : {}),
    ...(Object.keys(stage.variables).length > 0 ? { variables: stage.variables } : {}),
    ...(stage.tracingEnabled ? { tracingEnabled: true } : {}),
  };
}

/** Names the config (for "is this stage current?") and the Git revision it came from (for people). */
function deploymentDescription(configHash: string, revision: string | undefined): string {
  return revision ? `apigw-reconciler config ${configHash} revision ${revision}` : `apigw-reconciler config ${configHash}`;
}
