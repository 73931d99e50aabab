// A drift report fixture shared by the golden renderings and the browser test: the seed after one apply
// (the "last applied" spec, recorded in the live spec-hash tags and in the state file), then
//   - manifest edits since that apply (pending), one of which broadens the role's permissions, and
//   - out-of-band edits in AWS (drift), one of which makes the reconciler remove a permissions boundary.
import type { CallCounts } from "../../../src/aws/recorder.ts";
import { buildPlan } from "../../../src/engine/plan.ts";
import { roleSpecHash } from "../../../src/kinds/iam-role/diff.ts";
import { specHashOf } from "../../../src/kinds/rest-api/diff.ts";
import type { Plan } from "../../../src/model/changes.ts";
import { TAG } from "../../../src/model/live.ts";
import { apisOf, integrationOf, liveApiOf, liveRoleOf, methodOf, observedOf, PLAN_OPTIONS, rolesOf, seedDesired } from "./models.ts";

export const API_GROUP = "RestApi/my-s3";
export const ROLE_GROUP = "IamRole/apig-aws-proxy-role";
export const GENERATED_AT = "2025-01-02T03:04:05Z";
/** The seed role's inline policy, which the pending manifest edit broadens. */
export const INLINE_POLICY = "s3-proxy-access";
export const DRIFT_TITLE = "Drift report: my-s3 & apig-aws-proxy-role";

export const OBSERVE_CALLS: CallCounts = {
  total: 7,
  writes: 0,
  byOperation: { GetResources: 1, GetRestApis: 1, GetRole: 1, GetRolePolicy: 1, GetStages: 1, ListAttachedRolePolicies: 1, ListRolePolicies: 1 },
  errors: {},
};

export function driftPlan(): Plan {
  const desired = seedDesired();
  const api = apisOf(desired)[0]!.model;
  const role = rolesOf(desired)[0]!.model;
  // What the last apply wrote: the seed as it was then.
  const appliedApi = structuredClone(api);
  const appliedRole = structuredClone(role);

  // AWS now: the applied spec, changed out of band (drift).
  const liveApiModel = structuredClone(appliedApi);
  integrationOf(liveApiModel, "/{folder}/{item}", "PUT").passthroughBehavior = "NEVER";
  methodOf(liveApiModel, "/", "GET").authorizationType = "NONE";
  liveApiModel.resources["/legacy"] = { path: "/legacy", methods: { GET: structuredClone(methodOf(liveApiModel, "/", "GET")) } };
  liveApiModel.stages.prod!.methodSettings["*/*"]!.loggingLevel = "INFO";
  const liveApi = liveApiOf(liveApiModel);
  liveApi.tags[TAG.specHash] = specHashOf(appliedApi);

  const liveRoleModel = structuredClone(appliedRole);
  liveRoleModel.maxSessionDuration = 7200;
  liveRoleModel.permissionsBoundary = "arn:aws:iam::123456789012:policy/boundary";
  const liveRole = liveRoleOf(liveRoleModel);
  liveRole.tags[TAG.specHash] = roleSpecHash(appliedRole);

  // The manifests now: edited since the last apply (pending).
  api.description = "Amazon S3 proxy, v2";
  integrationOf(api, "/{folder}", "GET").timeoutInMillis = 10000;
  api.binaryMediaTypes = [...api.binaryMediaTypes, "image/webp"].sort();
  // The inline policy gains a statement on every resource (broadening), and a managed policy is attached.
  const inline = role.inlinePolicies[INLINE_POLICY];
  if (!inline) throw new Error(`the seed role has no inline policy ${INLINE_POLICY}`);
  inline.Statement = [{ Effect: "Allow", Action: "s3:DeleteObjectVersion", Resource: "*" }, ...(Array.isArray(inline.Statement) ? inline.Statement : [inline.Statement])];
  role.managedPolicyArns = [...role.managedPolicyArns, "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"].sort();

  return buildPlan(desired, observedOf({ apis: [liveApi], roles: [liveRole] }), {
    ...PLAN_OPTIONS,
    lastApplied: {
      [API_GROUP]: { hash: specHashOf(appliedApi), model: appliedApi },
      [ROLE_GROUP]: { hash: roleSpecHash(appliedRole), model: appliedRole },
    },
  });
}
