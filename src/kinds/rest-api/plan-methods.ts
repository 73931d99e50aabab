// Plans methods and their integrations: a method is put after its resource, an integration after its
// method and after the IAM role it assumes; updates to declarations are ordered around the writes that
// use them.
import { sdkCall, type CallInput } from "../../aws/calls.ts";
import type { Operation, PatchOperation } from "../../model/changes.ts";
import type { IntegrationModel, MethodModel } from "../../model/types.ts";
import { createInput, INTEGRATION_FIELDS, METHOD_FIELDS } from "../fields.ts";
import { inputAt, type ChangeTarget, type RestApiPlan } from "./plan-context.ts";

export function planMethodChange(plan: RestApiPlan, target: ChangeTarget): void {
  const { change, index, methodKey, method, location } = target;
  switch (change.action) {
    case "create":
      if (method) {
        const put = plan.addPut(`${plan.group}:PutMethod:${methodKey}`, sdkCall("apigateway", "PutMethod", inputAt(location, putMethodInput(method))), [plan.resourceCreateOp.get(target.path)], index);
        plan.methodPutOp.set(methodKey, put.id);
      }
      break;
    case "update": {
      const update = plan.add({ id: `${plan.group}:UpdateMethod:${methodKey}`, ...sdkCall("apigateway", "UpdateMethod", inputAt(location, { patchOperations: change.patch })), change: index });
      plan.declarations.method.set(methodKey, update);
      break;
    }
    case "delete":
      plan.add({ id: `${plan.group}:DeleteMethod:${methodKey}`, ...sdkCall("apigateway", "DeleteMethod", target.liveLocation()), change: index });
      break;
    default:
      break;
  }
}

export function planIntegrationChange(plan: RestApiPlan, target: ChangeTarget): void {
  const { change, index, methodKey, method, location } = target;
  switch (change.action) {
    case "create":
    case "replace":
      if (method?.integration) {
        const put = plan.addPut(
          `${plan.group}:PutIntegration:${methodKey}`,
          sdkCall("apigateway", "PutIntegration", inputAt(location, putIntegrationInput(method.integration))),
          [plan.methodPutOp.get(methodKey), roleDependency(plan, method.integration)],
          index,
        );
        plan.integrationPutOp.set(methodKey, put.id);
        plan.uses.method.set(methodKey, put);
      }
      break;
    case "update": {
      const update = plan.add({
        id: `${plan.group}:UpdateIntegration:${methodKey}`,
        ...sdkCall("apigateway", "UpdateIntegration", inputAt(location, { patchOperations: change.patch })),
        after: [roleDependency(plan, method?.integration)],
        change: index,
      });
      plan.uses.method.set(methodKey, update);
      break;
    }
    case "delete": {
      const deleted = plan.add({ id: `${plan.group}:DeleteIntegration:${methodKey}`, ...sdkCall("apigateway", "DeleteIntegration", target.liveLocation()), change: index });
      plan.uses.method.set(methodKey, deleted);
      break;
    }
    default:
      break;
  }
}

/** Orders every declaration update planned (method parameters, method response headers) around the write that uses it. */
export function orderDeclarationsAroundUses(plan: RestApiPlan): void {
  for (const kind of ["method", "methodResponse"] as const) {
    for (const [key, declaration] of plan.declarations[kind]) {
      const use = plan.uses[kind].get(key);
      if (use !== undefined) declareAroundUse(declaration, use);
    }
  }
}

/**
 * AWS validates a mapping when it is written: an integration may only map from a method parameter that is
 * declared, an integration response only to a method response header that is ("Invalid mapping expression
 * parameter specified"; see test/emulator/SOURCES.md). So a declaration that adds goes before the write
 * that uses it; one that only removes goes after it. AWS accepts removing a parameter a mapping still
 * names (terraform-provider-aws issue 39801), so one call that adds and removes goes first, whole: no
 * extra call.
 */
function declareAroundUse(declaration: Operation, use: Operation): void {
  const patch = declaration.input.patchOperations as PatchOperation[];
  if (patch.some((p) => p.op !== "remove")) use.after.push(declaration.id);
  else declaration.after.push(use.id);
}

/** An integration that assumes a role this run creates waits for that role. */
function roleDependency(plan: RestApiPlan, integration: IntegrationModel | undefined): string | undefined {
  return integration?.credentials ? plan.context.roleReady.get(integration.credentials) : undefined;
}

/** The input fields of a call but the ones that say where (API, resource, method). */
type Fields<C extends "PutMethod" | "PutIntegration"> = Omit<CallInput<"apigateway", C>, "restApiId" | "resourceId" | "httpMethod">;

// Enumerations as the manifest schema validated them: the field table builds the input, typed here.
function putMethodInput(method: MethodModel): Fields<"PutMethod"> {
  return createInput(METHOD_FIELDS, method) as Fields<"PutMethod">;
}

function putIntegrationInput(integration: IntegrationModel): Fields<"PutIntegration"> {
  return createInput(INTEGRATION_FIELDS, integration) as Fields<"PutIntegration">;
}
