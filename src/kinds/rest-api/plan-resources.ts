// Plans a RestApi's resources: create (parent first), rename and delete, in an order that frees a path
// slot before a resource takes it.
import { sdkCall } from "../../aws/calls.ts";
import type { Operation } from "../../model/changes.ts";
import { ownValue } from "../../model/own.ts";
import type { ChangeTarget, RestApiPlan } from "./plan-context.ts";

export function planResourceChange(plan: RestApiPlan, { change, index, path }: ChangeTarget): void {
  const { group, restApiId } = plan;
  switch (change.action) {
    case "create": {
      const parent = parentOf(path);
      const created = plan.add({
        id: `${group}:CreateResource:${path}`,
        ...sdkCall("apigateway", "CreateResource", { restApiId, parentId: plan.resourceId(parent), pathPart: lastPart(path) }),
        produces: `resource:${path}`,
        after: [plan.resourceCreateOp.get(parent)],
        change: index,
      });
      plan.resourceCreateOp.set(path, created.id);
      break;
    }
    case "update": {
      const renamed = plan.add({
        id: `${group}:UpdateResource:${path}`,
        ...sdkCall("apigateway", "UpdateResource", { restApiId, resourceId: plan.resourceId(path), patchOperations: change.patch }),
        change: index,
      });
      plan.renameOps.push(renamed.id);
      break;
    }
    case "delete": {
      const deleted = plan.add({
        id: `${group}:DeleteResource:${path}`,
        ...sdkCall("apigateway", "DeleteResource", { restApiId, resourceId: ownValue(plan.live?.resourceIds, path) }),
        change: index,
      });
      plan.resourceDeleteOps.push(deleted.id);
      break;
    }
    default:
      break;
  }
}

/**
 * A new resource may reuse a variable slot that a deleted or renamed sibling frees: deletes and renames
 * first. A rename into a variable part waits likewise, for deletes and for renames to fixed parts (no cycle).
 */
export function orderResourceSlots(plan: RestApiPlan): void {
  const renamesToFixed = plan.ops.filter((o) => o.call === "UpdateResource" && !isVariableRename(o)).map((o) => o.id);
  for (const op of plan.ops) {
    if (op.call === "CreateResource") op.after.push(...plan.resourceDeleteOps, ...plan.renameOps);
    if (op.call === "UpdateResource" && isVariableRename(op)) op.after.push(...plan.resourceDeleteOps, ...renamesToFixed);
  }
}

function isVariableRename(op: Operation): boolean {
  const patch = op.input.patchOperations as { path: string; value?: unknown }[] | undefined;
  return (patch ?? []).some((p) => p.path === "/pathPart" && typeof p.value === "string" && p.value.startsWith("{"));
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

function lastPart(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
