// A validated IamRole document → its Desired model, with the role's defaults (the same ones observe fills
// from AWS).
import { desiredObject, nonEmpty } from "../../manifest/expand.ts";
import type { DesiredIamRole, SourceRef } from "../../model/types.ts";
import type { IamRoleDocument } from "./schema.ts";

/** The IAM role's defaults. */
export const ROLE_DEFAULTS = {
  maxSessionDuration: 3600,
  rolePath: "/",
} as const;

export function expandIamRole(doc: IamRoleDocument, source: SourceRef): DesiredIamRole {
  const spec = doc.spec;
  return desiredObject(doc, source, {
    key: doc.metadata.name,
    roleName: spec.roleName ?? doc.metadata.name,
    path: spec.path ?? ROLE_DEFAULTS.rolePath,
    description: nonEmpty(spec.description),
    assumeRolePolicy: spec.assumeRolePolicy,
    inlinePolicies: spec.inlinePolicies ?? {},
    managedPolicyArns: [...new Set(spec.managedPolicyArns ?? [])].sort(),
    maxSessionDuration: spec.maxSessionDuration ?? ROLE_DEFAULTS.maxSessionDuration,
    permissionsBoundary: spec.permissionsBoundary,
    tags: spec.tags ?? {},
  });
}
