// plan for RestApi (pure): each change → the minimal API Gateway call, with the dependencies that
// order them (parent before child, method before integration before responses, deletes bottom-up,
// one deployment last) and refs to ids that only exist once an earlier call answered.
// Each kind of change has its handler (plan-resources, plan-methods, plan-responses); the dependencies
// only the whole set of operations shows are added after; plan-stages then plans deployment and tags.
import type { ApiKeySourceType, EndpointType } from "@aws-sdk/client-api-gateway";
import { sdkCall, type CallInput } from "../../aws/calls.ts";
import type { ChangeKind, Operation } from "../../model/changes.ts";
import { TAG, type LiveRestApi } from "../../model/live.ts";
import { hasOwn } from "../../model/own.ts";
import type { RestApiModel } from "../../model/types.ts";
import type { RestApiDiff } from "./diff.ts";
import { changeTarget, RestApiPlan, type ChangeTarget } from "./plan-context.ts";
import { orderDeclarationsAroundUses, planIntegrationChange, planMethodChange } from "./plan-methods.ts";
import { orderResourceSlots, planResourceChange } from "./plan-resources.ts";
import { orderMethodResponseDeletes, planIntegrationResponseChange, planMethodResponseChange } from "./plan-responses.ts";
import { planStages } from "./plan-stages.ts";

export interface RestApiPlanContext {
  region: string;
  /** aws, aws-cn or aws-us-gov: tag ARNs carry it. */
  partition: string;
  owner: string;
  /** Role ARN → id of the operation after which that role exists (roles created in this run). */
  roleReady: ReadonlyMap<string, string>;
  /** Git commit of the manifests, for the deployment description. */
  revision?: string;
}

type ChangeHandler = (plan: RestApiPlan, target: ChangeTarget) => void;

/** Stage and Deployment changes have none: planStages plans them, after every other operation. */
const changeHandlers: Partial<Record<ChangeKind, ChangeHandler>> = {
  RestApi: planApiChange,
  Resource: planResourceChange,
  Method: planMethodChange,
  Integration: planIntegrationChange,
  MethodResponse: planMethodResponseChange,
  IntegrationResponse: planIntegrationResponseChange,
};

/** An API's operations, and after which of them each stage the plan deploys or creates exists (for kinds that map a stage). */
export interface PlannedRestApi {
  ops: Operation[];
  group: string;
  stagesReady: ReadonlyMap<string, string>;
}

export function planRestApi(diff: RestApiDiff, desired: RestApiModel, live: LiveRestApi | undefined, context: RestApiPlanContext): PlannedRestApi {
  const plan = new RestApiPlan(diff, desired, live, context);
  diff.changes.forEach((change, index) => changeHandlers[change.kind]?.(plan, changeTarget(plan, change, index)));
  // Dependencies on operations that may come later in the diff's order, added once all are planned.
  orderResourceSlots(plan);
  orderMethodResponseDeletes(plan);
  orderDeclarationsAroundUses(plan);
  planStages(plan, plan.opIds());
  return { ops: plan.ops, group: plan.group, stagesReady: plan.stagesReady };
}

function planApiChange(plan: RestApiPlan, { change, index }: ChangeTarget): void {
  if (change.action === "create") {
    plan.createApiOp = plan.add({ id: `${plan.group}:CreateRestApi`, ...sdkCall("apigateway", "CreateRestApi", createRestApiInput(plan)), produces: "api", change: index }).id;
    return;
  }
  if (change.action !== "update") return;
  if (change.patch.length > 0) {
    plan.add({ id: `${plan.group}:UpdateRestApi`, ...sdkCall("apigateway", "UpdateRestApi", { restApiId: plan.restApiId, patchOperations: change.patch }), change: index });
  }
  // Tags are not patched: the API's final TagResource writes them all; only the keys removed need a call.
  const tags = change.fields.find((f) => f.field === "tags");
  if (!tags) return;
  const before = (tags.before ?? {}) as Record<string, string>;
  const after = (tags.after ?? {}) as Record<string, string>;
  const removed = Object.keys(before).filter((k) => !hasOwn(after, k));
  if (removed.length > 0) plan.add({ id: `${plan.group}:UntagResource`, ...sdkCall("apigateway", "UntagResource", { resourceArn: plan.apiArn(), tagKeys: removed }), change: index });
}

function createRestApiInput({ desired: model, context }: RestApiPlan): CallInput<"apigateway", "CreateRestApi"> {
  // The spec hash is not among the tags an API is created with: it says "AWS holds this spec", which is
  // only true once the API's last operation (its final TagResource) is done. An apply stopped half-way
  // leaves no hash, so what is still missing is reported as pending, not as drift.
  const ownershipTags = { [TAG.name]: model.key, [TAG.owner]: context.owner };
  return {
    name: model.name,
    ...(model.description !== undefined ? { description: model.description } : {}),
    // Enumerations as the manifest schema validated them.
    endpointConfiguration: { types: [model.endpointType as EndpointType] },
    ...(model.binaryMediaTypes.length > 0 ? { binaryMediaTypes: model.binaryMediaTypes } : {}),
    ...(model.minimumCompressionSize !== undefined ? { minimumCompressionSize: model.minimumCompressionSize } : {}),
    apiKeySource: model.apiKeySource as ApiKeySourceType,
    ...(model.disableExecuteApiEndpoint ? { disableExecuteApiEndpoint: true } : {}),
    ...(model.policy ? { policy: JSON.stringify(model.policy) } : {}),
    tags: { ...model.tags, ...ownershipTags },
  };
}
