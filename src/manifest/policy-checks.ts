// Policy documents IAM (or API Gateway) would refuse, refused here before any call: the schema accepts
// every field of a statement alone, these checks what a statement needs as a whole, what each kind of
// policy allows, and IAM's size and count quotas.
//
// Quotas: "IAM and AWS STS quotas", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
// (role trust policy length 2,048 characters by default, at most 4,096 after an increase; the aggregate of a
// role's inline policies 10,240 characters; managed policies attached to a role 10 by default, at most 20;
// policy documents hold only tab, line feed, carriage return and U+0020 to U+00FF). IAM does not count
// whitespace; GetAccountSummary calls the trust limit AssumeRolePolicySizeQuota, "in non-whitespace characters".
import type { IamRoleDocument } from "../kinds/iam-role/schema.ts";
import type { CheckProblem } from "./checks.ts";
import type { FieldPath } from "./issues.ts";
import type { PolicyDocument } from "./schema.ts";

/** IAM's default quotas: a raised quota in the account is not known here (see the note in checkRolePolicies). */
export const IAM_QUOTAS = { trustPolicyCharacters: 2_048, inlinePolicyCharacters: 10_240, managedPoliciesPerRole: 10 } as const;

/**
 * trust: a role's assumeRolePolicy (who may assume it); identity: an inline policy (what the role may do);
 * resource: an API's resource policy (who may call it).
 */
export type PolicyKind = "trust" | "identity" | "resource";

type Statement = Exclude<PolicyDocument["Statement"], unknown[]>;

/** Placeholders are resolved before the policy is sent: counted at the longest value they can take. */
const RESOLVED_LENGTH: Record<string, number> = { "${AWS_ACCOUNT_ID}": 12, "${AWS_REGION}": "ap-southeast-2".length };

/**
 * The size IAM counts: the policy as the reconciler sends it (compact JSON, as JSON.stringify writes it),
 * without any whitespace, placeholders counted as resolved.
 */
export function policySize(document: PolicyDocument): number {
  const compact = JSON.stringify(document).replace(/\s/g, "");
  let size = compact.length;
  for (const [placeholder, length] of Object.entries(RESOLVED_LENGTH)) size += (compact.split(placeholder).length - 1) * (length - placeholder.length);
  return size;
}

export function checkPolicy(document: PolicyDocument, kind: PolicyKind, at: FieldPath): CheckProblem[] {
  const statements = Array.isArray(document.Statement) ? document.Statement.map((s, i) => [s, [...at, "Statement", i]] as const) : [[document.Statement, [...at, "Statement"]] as const];
  const problems = statements.flatMap(([statement, path]) => checkStatement(statement, kind, path));
  if (kind !== "resource") problems.push(...checkCharacters(document, at));
  return problems;
}

const EXCLUSIVE = [
  ["Action", "NotAction"],
  ["Resource", "NotResource"],
  ["Principal", "NotPrincipal"],
] as const;

function checkStatement(statement: Statement, kind: PolicyKind, at: FieldPath): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const has = (field: keyof Statement) => statement[field] !== undefined;
  for (const [field, negated] of EXCLUSIVE) {
    if (has(field) && has(negated)) problems.push({ path: [...at, negated], at: "key", message: `${field} and ${negated} exclude each other: a statement has one or the other` });
  }
  if (!has("Action") && !has("NotAction")) problems.push({ path: at, message: "a statement needs Action or NotAction" });
  const principal = has("Principal") || has("NotPrincipal");
  const resource = has("Resource") || has("NotResource");
  if (kind === "identity") {
    if (!resource) problems.push({ path: at, message: "a statement of an inline policy needs Resource or NotResource" });
    for (const field of ["Principal", "NotPrincipal"] as const) {
      if (has(field)) problems.push({ path: [...at, field], at: "key", message: `an inline policy has no ${field}: it applies to the role it is part of` });
    }
  } else if (kind === "trust") {
    if (!principal) problems.push({ path: at, message: "a statement of a trust policy needs Principal: who may assume the role" });
    for (const field of ["Resource", "NotResource"] as const) {
      if (has(field)) problems.push({ path: [...at, field], at: "key", message: `a trust policy has no ${field}: its resource is the role itself` });
    }
  } else if (!principal) {
    problems.push({ path: at, message: "a statement of a resource policy needs Principal: who may call the API" });
  }
  return problems;
}

const NOT_IAM_TEXT = /[^\t\n\r\x20-\xff]/u;

/** The first string (key or value) of an IAM policy with a character IAM refuses, if any. */
function checkCharacters(value: unknown, at: FieldPath): CheckProblem[] {
  if (typeof value === "string") {
    const found = NOT_IAM_TEXT.exec(value)?.[0];
    if (found === undefined) return [];
    const code = `U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
    return [{ path: at, message: `IAM policies hold only tab, line feed, carriage return and characters U+0020 to U+00FF; this has ${code}` }];
  }
  if (typeof value !== "object" || value === null) return [];
  for (const [key, item] of Object.entries(value)) {
    const problems = [...checkCharacters(key, [...at, key]), ...checkCharacters(item, Array.isArray(value) ? [...at, Number(key)] : [...at, key])];
    if (problems.length > 0) return problems.slice(0, 1);
  }
  return [];
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * The policies of a role: each statement's rules, then IAM's quotas. The quotas are the defaults: an account
 * with a raised quota needs a higher limit here (there is no setting for it yet).
 */
export function checkRolePolicies(spec: IamRoleDocument["spec"]): CheckProblem[] {
  const problems = checkPolicy(spec.assumeRolePolicy, "trust", ["spec", "assumeRolePolicy"]);
  const inline = Object.entries(spec.inlinePolicies ?? {});
  for (const [name, document] of inline) problems.push(...checkPolicy(document, "identity", ["spec", "inlinePolicies", name]));
  const trustSize = policySize(spec.assumeRolePolicy);
  if (trustSize > IAM_QUOTAS.trustPolicyCharacters) {
    problems.push({
      path: ["spec", "assumeRolePolicy"],
      message: `the trust policy is ${count(trustSize)} characters without whitespace; IAM allows ${count(IAM_QUOTAS.trustPolicyCharacters)} by default`,
    });
  }
  const inlineSize = inline.reduce((sum, [, document]) => sum + policySize(document), 0);
  if (inlineSize > IAM_QUOTAS.inlinePolicyCharacters) {
    problems.push({
      path: ["spec", "inlinePolicies"],
      message: `the inline policies are ${count(inlineSize)} characters together without whitespace; IAM allows ${count(IAM_QUOTAS.inlinePolicyCharacters)} per role`,
    });
  }
  const managed = new Set(spec.managedPolicyArns ?? []).size;
  if (managed > IAM_QUOTAS.managedPoliciesPerRole) {
    problems.push({
      path: ["spec", "managedPolicyArns"],
      message: `${managed} managed policies; IAM attaches at most ${IAM_QUOTAS.managedPoliciesPerRole} to a role by default`,
    });
  }
  return problems;
}
