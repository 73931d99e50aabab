// diff and plan for IamRole (pure). Policies are compared by meaning; the trust policy, inline policies,
// attachments, tags and role settings each map to their own IAM call.
import type { Change, FieldChange, Operation } from "../../model/changes.ts";
import { contentHash } from "../../model/hash.ts";
import { TAG, type LiveIamRole } from "../../model/live.ts";
import { hasOwn, ownValue } from "../../model/own.ts";
import { policiesEqual } from "../../model/policy.ts";
import type { IamRoleModel, PolicyDocument } from "../../model/types.ts";
import { sdkCall, type CallInput, type PlannedCall } from "../../aws/calls.ts";
import { diffFields, type FieldSpec } from "../fields.ts";

/** Role settings; IAM has no patch operations, so `patch` is unused here. */
export const IAM_ROLE_FIELDS: FieldSpec[] = [
  { field: "description", type: "scalar", ops: [] },
  { field: "maxSessionDuration", type: "scalar", ops: [] },
  { field: "assumeRolePolicy", type: "policy", ops: [] },
  { field: "permissionsBoundary", type: "scalar", ops: [] },
  { field: "path", type: "scalar", ops: [] },
];

export function roleSpecHash(model: IamRoleModel): string {
  return contentHash(model);
}

export function diffIamRole(desired: IamRoleModel, live: LiveIamRole | undefined): Change[] {
  const role = desired.key;
  if (!live) {
    return [
      { kind: "IamRole", action: "create", id: { role }, fields: [...diffFields(IAM_ROLE_FIELDS, desired, undefined), ...tagField(desired.tags, {})], patch: [] },
      ...Object.keys(desired.inlinePolicies).sort().map((policy): Change => ({ kind: "RolePolicy", action: "create", id: { role, policy }, fields: [{ field: "document", after: desired.inlinePolicies[policy] }], patch: [] })),
      ...desired.managedPolicyArns.map((policy): Change => ({ kind: "RolePolicyAttachment", action: "create", id: { role, policy }, fields: [], patch: [] })),
    ];
  }
  const changes: Change[] = [];
  const fields = diffFields(IAM_ROLE_FIELDS, desired, live.model);
  if (fields.some((f) => f.field === "path")) {
    return [{ kind: "IamRole", action: "replace", id: { role }, fields, patch: [], reason: "a role's path cannot be changed in place" }];
  }
  const tags = tagField(desired.tags, live.model.tags);
  if (fields.length > 0 || tags.length > 0) changes.push({ kind: "IamRole", action: "update", id: { role }, fields: [...fields, ...tags], patch: [] });
  changes.push(...diffInlinePolicies(role, desired.inlinePolicies, live.model.inlinePolicies));
  const attached = new Set(live.model.managedPolicyArns);
  const wanted = new Set(desired.managedPolicyArns);
  for (const arn of desired.managedPolicyArns) if (!attached.has(arn)) changes.push({ kind: "RolePolicyAttachment", action: "create", id: { role, policy: arn }, fields: [], patch: [] });
  for (const arn of live.model.managedPolicyArns) if (!wanted.has(arn)) changes.push({ kind: "RolePolicyAttachment", action: "delete", id: { role, policy: arn }, fields: [], patch: [] });
  return changes;
}

function tagField(desired: Record<string, string>, live: Record<string, string>): FieldChange[] {
  const same = Object.keys(desired).length === Object.keys(live).length && Object.entries(desired).every(([k, v]) => ownValue(live, k) === v);
  return same ? [] : [{ field: "tags", before: live, after: desired }];
}

/** By name, own entries only: an out-of-band policy named `toString` is an extra policy like any other. */
function diffInlinePolicies(role: string, desired: Record<string, PolicyDocument>, live: Record<string, PolicyDocument>): Change[] {
  const changes: Change[] = [];
  for (const policy of Object.keys(desired).sort()) {
    const document = desired[policy];
    const current = ownValue(live, policy);
    if (current === undefined) changes.push({ kind: "RolePolicy", action: "create", id: { role, policy }, fields: [{ field: "document", after: document }], patch: [] });
    else if (!policiesEqual(document, current)) changes.push({ kind: "RolePolicy", action: "update", id: { role, policy }, fields: [{ field: "document", before: current, after: document }], patch: [] });
  }
  for (const policy of Object.keys(live).sort()) {
    if (!hasOwn(desired, policy)) changes.push({ kind: "RolePolicy", action: "delete", id: { role, policy }, fields: [{ field: "document", before: live[policy] }], patch: [] });
  }
  return changes;
}

export interface RolePlan {
  operations: Operation[];
  /** Id of the operation after which the role exists and carries its policies (for integrations). */
  readyAfter?: string;
}

/** `specHash`: of the manifest as written (ignore rules may have changed `desired`). */
export function planIamRole(
  changes: readonly Change[],
  indexOf: (c: Change) => number,
  desired: IamRoleModel,
  live: LiveIamRole | undefined,
  owner: string,
  specHash: string = roleSpecHash(desired),
): RolePlan {
  const group = `IamRole/${desired.key}`;
  const RoleName = desired.roleName;
  const ops: Operation[] = [];
  let previous: string | undefined;
  // IAM calls of one role run in order: IAM answers concurrent writes to one role with conflicts.
  const add = (planned: PlannedCall, change: Change | undefined, suffix = ""): string => {
    const id = `${group}:${planned.call}${suffix}`;
    ops.push({ id, ...planned, after: previous ? [previous] : [], group, ...(change ? { change: indexOf(change) } : {}) });
    previous = id;
    return id;
  };
  const ownership = { [TAG.name]: desired.key, [TAG.owner]: owner, [TAG.specHash]: specHash };
  // Created without the spec hash, tagged with it after its last policy: a role whose creation was cut
  // short must not claim to hold the spec (see the RestApi plan).
  const { [TAG.specHash]: _hash, ...identity } = ownership;

  const replaced = live ? changes.find((c) => c.kind === "IamRole" && c.action === "replace") : undefined;
  if (replaced && live) {
    planReplacement(desired, live, (planned, suffix) => add(planned, replaced, suffix), identity);
    const readyAfter = previous;
    add(sdkCall("iam", "TagRole", { RoleName, Tags: toTagList({ [TAG.specHash]: specHash }) }), undefined, ":spec-hash");
    return { operations: ops, ...(readyAfter ? { readyAfter } : {}) };
  }
  let created = false;
  for (const change of changes) created = planRoleChange(change, { desired, live, identity }, add) || created;
  const ready = created ? previous : undefined;
  if (created) add(sdkCall("iam", "TagRole", { RoleName, Tags: toTagList({ [TAG.specHash]: specHash }) }), undefined, ":spec-hash");
  else if (live && (live.tags[TAG.specHash] !== specHash || live.tags[TAG.name] !== desired.key || live.tags[TAG.owner] !== owner)) {
    add(sdkCall("iam", "TagRole", { RoleName, Tags: toTagList(ownership) }), undefined, ":ownership");
  }
  return { operations: ops, readyAfter: ready };
}

type AddRoleCall = (planned: PlannedCall, change: Change | undefined, suffix?: string) => string;

/** The IAM calls of one change of a role; true when it creates the role. */
function planRoleChange(change: Change, role: { desired: IamRoleModel; live: LiveIamRole | undefined; identity: Record<string, string> }, add: AddRoleCall): boolean {
  const { desired, live } = role;
  const RoleName = desired.roleName;
  const policy = change.id.policy ?? "";
  switch (`${change.kind}:${change.action}`) {
    case "IamRole:create":
      add(sdkCall("iam", "CreateRole", createRoleInput(desired, role.identity)), change);
      return true;
    case "IamRole:update":
      for (const field of change.fields) planRoleField(field, desired, live, add, change, RoleName);
      return false;
    case "RolePolicy:create":
    case "RolePolicy:update":
      add(sdkCall("iam", "PutRolePolicy", { RoleName, PolicyName: policy, PolicyDocument: JSON.stringify(ownValue(desired.inlinePolicies, policy)) }), change, `:${policy}`);
      return false;
    case "RolePolicy:delete":
      add(sdkCall("iam", "DeleteRolePolicy", { RoleName, PolicyName: policy }), change, `:${policy}`);
      return false;
    case "RolePolicyAttachment:create":
    case "RolePolicyAttachment:delete":
      add(sdkCall("iam", change.action === "create" ? "AttachRolePolicy" : "DetachRolePolicy", { RoleName, PolicyArn: policy }), change, `:${policy}`);
      return false;
    default:
      return false;
  }
}

/** A role whose path changed: everything off, delete, create at the new path, everything back on. */
function planReplacement(
  desired: IamRoleModel,
  live: LiveIamRole,
  add: (planned: PlannedCall, suffix?: string) => string,
  identity: Record<string, string>,
): void {
  const RoleName = desired.roleName;
  for (const arn of live.model.managedPolicyArns) add(sdkCall("iam", "DetachRolePolicy", { RoleName, PolicyArn: arn }), `:${arn}`);
  for (const name of Object.keys(live.model.inlinePolicies)) add(sdkCall("iam", "DeleteRolePolicy", { RoleName, PolicyName: name }), `:${name}`);
  add(sdkCall("iam", "DeleteRole", { RoleName }));
  add(sdkCall("iam", "CreateRole", createRoleInput(desired, identity)));
  for (const [name, document] of Object.entries(desired.inlinePolicies)) add(sdkCall("iam", "PutRolePolicy", { RoleName, PolicyName: name, PolicyDocument: JSON.stringify(document) }), `:${name}`);
  for (const arn of desired.managedPolicyArns) add(sdkCall("iam", "AttachRolePolicy", { RoleName, PolicyArn: arn }), `:${arn}`);
}

function planRoleField(
  field: FieldChange,
  desired: IamRoleModel,
  live: LiveIamRole | undefined,
  add: (planned: PlannedCall, change: Change | undefined, suffix?: string) => string,
  change: Change,
  RoleName: string,
): void {
  switch (field.field) {
    case "description":
    case "maxSessionDuration":
      // One UpdateRole carries both settings.
      if (field.field === "maxSessionDuration" && change.fields.some((f) => f.field === "description")) return;
      add(sdkCall("iam", "UpdateRole", { RoleName, Description: desired.description ?? "", MaxSessionDuration: desired.maxSessionDuration }), change);
      return;
    case "assumeRolePolicy":
      add(sdkCall("iam", "UpdateAssumeRolePolicy", { RoleName, PolicyDocument: JSON.stringify(desired.assumeRolePolicy) }), change);
      return;
    case "permissionsBoundary":
      if (desired.permissionsBoundary) add(sdkCall("iam", "PutRolePermissionsBoundary", { RoleName, PermissionsBoundary: desired.permissionsBoundary }), change);
      else add(sdkCall("iam", "DeleteRolePermissionsBoundary", { RoleName }), change);
      return;
    case "tags": {
      const before = live?.model.tags ?? {};
      const removed = Object.keys(before).filter((k) => !hasOwn(desired.tags, k));
      if (removed.length > 0) add(sdkCall("iam", "UntagRole", { RoleName, TagKeys: removed }), change);
      const changed = Object.entries(desired.tags).filter(([k, v]) => ownValue(before, k) !== v);
      if (changed.length > 0) add(sdkCall("iam", "TagRole", { RoleName, Tags: toTagList(Object.fromEntries(changed)) }), change);
      return;
    }
  }
}

function createRoleInput(desired: IamRoleModel, ownership: Record<string, string>): CallInput<"iam", "CreateRole"> {
  return {
    RoleName: desired.roleName,
    Path: desired.path,
    AssumeRolePolicyDocument: JSON.stringify(desired.assumeRolePolicy),
    ...(desired.description !== undefined ? { Description: desired.description } : {}),
    MaxSessionDuration: desired.maxSessionDuration,
    ...(desired.permissionsBoundary ? { PermissionsBoundary: desired.permissionsBoundary } : {}),
    Tags: toTagList({ ...desired.tags, ...ownership }),
  };
}

function toTagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Operations that delete an owned role whose manifest is gone (--prune). */
export function planRoleDeletion(live: LiveIamRole, group: string, change: number): Operation[] {
  const RoleName = live.model.roleName;
  const ops: Operation[] = [];
  let previous: string | undefined;
  const add = (planned: PlannedCall, suffix = "") => {
    const id = `${group}:${planned.call}${suffix}`;
    ops.push({ id, ...planned, after: previous ? [previous] : [], group, change });
    previous = id;
  };
  for (const arn of live.model.managedPolicyArns) add(sdkCall("iam", "DetachRolePolicy", { RoleName, PolicyArn: arn }), `:${arn}`);
  for (const name of Object.keys(live.model.inlinePolicies)) add(sdkCall("iam", "DeleteRolePolicy", { RoleName, PolicyName: name }), `:${name}`);
  if (live.model.permissionsBoundary) add(sdkCall("iam", "DeleteRolePermissionsBoundary", { RoleName }));
  add(sdkCall("iam", "DeleteRole", { RoleName }));
  return ops;
}
