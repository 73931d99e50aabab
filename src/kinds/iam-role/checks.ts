// The checks of an IamRole document that its schema cannot express: reserved tag keys, unknown placeholders
// and the policies IAM would refuse (manifest/policy-checks.ts, which the RestApi's resource policy shares).
import { checkPlaceholders, checkTags, type CheckProblem } from "../../manifest/checks.ts";
import { checkRolePolicies } from "../../manifest/policy-checks.ts";
import type { IamRoleDocument } from "./schema.ts";

export function checkIamRole(doc: IamRoleDocument): CheckProblem[] {
  return [...checkTags(doc.spec.tags, ["spec", "tags"]), ...checkPlaceholders(doc.spec, ["spec"]), ...checkRolePolicies(doc.spec)];
}
