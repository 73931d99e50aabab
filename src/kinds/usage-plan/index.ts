// The UsagePlan kind: an API Gateway usage plan (throttle, quota, the RestApi stages it covers) and its API
// keys, inline. Requires RestApi: its stages must exist before a plan names them (CreateUsagePlan and
// `add /apiStages` are refused otherwise: SOURCES.md §5), and a stage's API id may come from a CreateRestApi
// of the same pass (context.ids, context.ready).
//
// AWS calls per pass (measured in test/e2e/usage-plans.test.ts):
// - observe: 1 GetUsagePlans + 1 GetApiKeys (500 a page; values not included) + 1 GetUsagePlanKeys per live
//   owned plan (values dropped at once); the live stages name API ids, which observe maps to manifest names
//   from the pass's one GetRestApis (ObserveContext.shared, the RestApi kind's answer: no extra call).
//   A no-op with one plan: 3 reads. From empty: 2 reads.
// - plan changes: at most 1 UpdateUsagePlan per plan (all patch ops coalesced: 1 per 20 s per account,
//   src/aws/quotas.ts), 1 TagResource (user tags + spec hash, last); UntagResource for removed tags;
//   per key: CreateApiKey + CreateUsagePlanKey / UpdateApiKey / DeleteApiKey; a new value: a new key.
// Ownership: plans carry apigw-reconciler:name/owner/spec-hash; keys carry name `<plan>/<key>`, owner and
// apigw-reconciler:value-hash (an HMAC of the value, model.ts). Keys in the plan that are not its own are
// taken out of it (UsagePlanKey delete): the manifest lists who may call.
import type { Change } from "../../model/changes.ts";
import type { KindHandler } from "../kind.ts";
import { checkUsagePlan } from "./checks.ts";
import { diffUsagePlan, usagePlanSpecHash } from "./diff.ts";
import { expandUsagePlan, type LiveUsagePlan, type UsagePlanModel } from "./model.ts";
import { observeUsagePlans } from "./observe.ts";
import { planUsagePlan, planUsagePlanDeletion } from "./plan.ts";
import { usagePlanRecovery } from "./recovery.ts";
import { UsagePlanDocumentSchema, type UsagePlanDocument } from "./schema.ts";
import { securityNotes } from "./security.ts";

function describe(change: Change): string {
  if (change.kind === "UsagePlan") return change.id.usagePlan ?? "";
  return `key ${change.id.apiKey ?? ""}`;
}

export const usagePlanKind: KindHandler<UsagePlanModel, LiveUsagePlan, { changes: Change[] }, UsagePlanDocument> = {
  kind: "UsagePlan",
  plural: "usage plans",
  changeKinds: ["UsagePlan", "ApiKey", "UsagePlanKey"],
  root: "usagePlan",
  requires: ["RestApi"],
  scope: "region",
  describe,
  // Manifest names have no '/': usage-plan/NAME never collides with an API's label or role/NAME.
  metricLabel: (name) => `usage-plan/${name}`,
  documentSchema: UsagePlanDocumentSchema,
  check: (doc, index) => checkUsagePlan(doc, index),
  expand: (doc, _index, source) => expandUsagePlan(doc, source),
  observe: observeUsagePlans,
  specHash: usagePlanSpecHash,
  diff: (desired, live) => ({ changes: diffUsagePlan(desired, live) }),
  withModel: (live, model) => ({ ...live, model }),
  plan: (diff, desired, live, context) => planUsagePlan(diff.changes, desired, live, { ...context, specHash: usagePlanSpecHash(context.manifest as UsagePlanModel) }),
  prune: (orphan, group, change) => planUsagePlanDeletion(orphan.live, group, change),
  securityNotes,
  recovery: usagePlanRecovery,
};
