// The IamRole kind: an IAM role (trust policy, inline and managed policies, boundary, tags) that API
// Gateway integrations assume. IAM is global: one account-wide scope, orphans listed by one part only.
// Provides: a role's ARN is ready (for the integrations that name it) after the role's last policy.
import { roleArn } from "../../model/arn.ts";
import type { LiveIamRole } from "../../model/live.ts";
import type { IamRoleModel } from "../../model/types.ts";
import type { KindDiff, KindHandler } from "../kind.ts";
import { securityNotes } from "./broadening.ts";
import { checkIamRole } from "./checks.ts";
import { observeIamRoles } from "./claims.ts";
import { diffIamRole, planIamRole, planRoleDeletion, roleSpecHash } from "./diff.ts";
import { expandIamRole } from "./expand.ts";
import { IamRoleDocumentSchema, type IamRoleDocument } from "./schema.ts";

export const iamRoleKind: KindHandler<IamRoleModel, LiveIamRole, KindDiff, IamRoleDocument> = {
  kind: "IamRole",
  plural: "roles",
  changeKinds: ["IamRole", "RolePolicy", "RolePolicyAttachment"],
  root: "role",
  requires: [],
  scope: "account",
  describe: (change) => (change.kind === "IamRole" ? (change.id.role ?? "") : (change.id.policy ?? "")),
  // Manifest names have no '/': role/NAME never collides with an API's label.
  metricLabel: (name) => `role/${name}`,
  documentSchema: IamRoleDocumentSchema,
  exportsOf: (doc) => ({ roleName: doc.spec.roleName ?? doc.metadata.name, path: doc.spec.path ?? "/", account: doc.spec.assumeRoleArn ?? "" }),
  check: (doc) => checkIamRole(doc),
  expand: (doc, _index, source) => expandIamRole(doc, source),
  observe: observeIamRoles,
  specHash: roleSpecHash,
  diff: (desired, live) => ({ changes: diffIamRole(desired, live) }),
  withModel: (live, model) => ({ ...live, model }),
  plan: (diff, desired, live, context) => {
    const planned = planIamRole(diff.changes, (c) => diff.changes.indexOf(c), desired, live, context.owner, roleSpecHash(context.manifest as IamRoleModel));
    if (planned.readyAfter) context.ready.set(roleArn(context.target.accountId, desired.path, desired.roleName, context.target.partition), planned.readyAfter);
    return planned.operations;
  },
  prune: (orphan, group, change) => planRoleDeletion(orphan.live, group, change),
  securityNotes,
  // IAM calls name the role in their request (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html).
  events: { source: "iam.amazonaws.com", ids: (event) => (typeof event.requestParameters.roleName === "string" ? [event.requestParameters.roleName] : []) },
  recovery: { CreateRole: { alreadyDone: (e) => e.detail.name === "EntityAlreadyExists" || e.detail.name === "EntityAlreadyExistsException" } },
};
