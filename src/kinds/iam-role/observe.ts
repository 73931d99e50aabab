// observe for IamRole: GetRole (tags included), ListRolePolicies + GetRolePolicy each,
// ListAttachedRolePolicies. Policy documents arrive URL-encoded and are parsed here.
import { AwsCallError } from "../../aws/errors.ts";
import type { Gateway } from "../../aws/gateway.ts";
import { ROLE_DEFAULTS } from "./expand.ts";
import { userTags, type LiveIamRole } from "../../model/live.ts";
import { parsePolicyDocument } from "../../model/policy.ts";
import type { PolicyDocument } from "../../model/types.ts";

/* eslint-disable @typescript-eslint/no-explicit-any -- AWS answers are read defensively, field by field */
type Raw = Record<string, any>;

/** The live role, or undefined when no role has that name. */
export async function readIamRole(gateway: Gateway, roleName: string, key: string): Promise<LiveIamRole | undefined> {
  let role: Raw;
  try {
    role = ((await gateway.read("iam", "GetRole", { RoleName: roleName })).Role ?? {});
  } catch (error) {
    if (error instanceof AwsCallError && error.detail.class === "not-found") return undefined;
    throw error;
  }
  const [inlinePolicies, managedPolicyArns] = await Promise.all([readInlinePolicies(gateway, roleName), readAttachedPolicies(gateway, roleName)]);
  const tags = Object.fromEntries(((role.Tags ?? []) as Raw[]).map((t) => [String(t.Key), String(t.Value)]));
  return {
    arn: String(role.Arn),
    tags,
    model: {
      key,
      roleName: String(role.RoleName),
      path: String(role.Path ?? ROLE_DEFAULTS.rolePath),
      description: role.Description ? String(role.Description) : undefined,
      assumeRolePolicy: parsePolicyDocument(String(role.AssumeRolePolicyDocument ?? "{}")),
      inlinePolicies,
      managedPolicyArns,
      maxSessionDuration: Number(role.MaxSessionDuration ?? ROLE_DEFAULTS.maxSessionDuration),
      permissionsBoundary: (role.PermissionsBoundary as Raw | undefined)?.PermissionsBoundaryArn as string | undefined,
      tags: userTags(tags),
    },
  };
}

async function readInlinePolicies(gateway: Gateway, roleName: string): Promise<Record<string, PolicyDocument>> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await gateway.read("iam", "ListRolePolicies", { RoleName: roleName, ...(marker ? { Marker: marker } : {}) });
    names.push(...((page.PolicyNames ?? [])));
    marker = page.IsTruncated ? (page.Marker) : undefined;
  } while (marker);
  const documents = await Promise.all(
    names.map(async (name) => {
      const answer = await gateway.read("iam", "GetRolePolicy", { RoleName: roleName, PolicyName: name });
      return [name, parsePolicyDocument(String(answer.PolicyDocument))] as const;
    }),
  );
  return Object.fromEntries(documents);
}

async function readAttachedPolicies(gateway: Gateway, roleName: string): Promise<string[]> {
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const page = await gateway.read("iam", "ListAttachedRolePolicies", { RoleName: roleName, ...(marker ? { Marker: marker } : {}) });
    arns.push(...((page.AttachedPolicies ?? []) as Raw[]).map((p) => String(p.PolicyArn)));
    marker = page.IsTruncated ? (page.Marker) : undefined;
  } while (marker);
  return [...new Set(arns)].sort();
}

