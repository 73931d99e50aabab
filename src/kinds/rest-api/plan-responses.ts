// Plans method responses and integration responses: a method response is put after its method, an
// integration response after its integration and its method response; on delete, the integration
// response of a status code goes before the method response.
import type { ContentHandlingStrategy } from "@aws-sdk/client-api-gateway";
import { sdkCall, type CallInput } from "../../aws/calls.ts";
import { ownValue } from "../../model/own.ts";
import type { IntegrationResponseModel } from "../../model/types.ts";
import { inputAt, type ChangeTarget, type RestApiPlan } from "./plan-context.ts";

export function planMethodResponseChange(plan: RestApiPlan, target: ChangeTarget): void {
  const { change, index, methodKey, responseKey, statusCode, location } = target;
  switch (change.action) {
    case "create": {
      const response = ownValue(target.method?.responses, statusCode);
      if (response) {
        const put = plan.addPut(
          `${plan.group}:PutMethodResponse:${responseKey}`,
          sdkCall("apigateway", "PutMethodResponse", inputAt(location, { statusCode, responseParameters: response.responseParameters, responseModels: response.responseModels })),
          [plan.methodPutOp.get(methodKey)],
          index,
        );
        plan.methodResponsePutOp.set(responseKey, put.id);
      }
      break;
    }
    case "update": {
      const update = plan.add({
        id: `${plan.group}:UpdateMethodResponse:${responseKey}`,
        ...sdkCall("apigateway", "UpdateMethodResponse", inputAt(location, { statusCode, patchOperations: change.patch })),
        change: index,
      });
      plan.declarations.methodResponse.set(responseKey, update);
      break;
    }
    case "delete": {
      const deleted = plan.add({
        id: `${plan.group}:DeleteMethodResponse:${responseKey}`,
        ...sdkCall("apigateway", "DeleteMethodResponse", inputAt(target.liveLocation(), { statusCode: change.id.statusCode })),
        after: [plan.integrationResponseDeleteOp.get(responseKey)],
        change: index,
      });
      plan.methodResponseDeletes.push({ op: deleted, responseKey });
      break;
    }
    default:
      break;
  }
}

export function planIntegrationResponseChange(plan: RestApiPlan, target: ChangeTarget): void {
  const { change, index, methodKey, responseKey, statusCode, location } = target;
  switch (change.action) {
    case "create": {
      const response = ownValue(target.method?.integration?.responses, statusCode);
      if (response) {
        const put = plan.addPut(
          `${plan.group}:PutIntegrationResponse:${responseKey}`,
          sdkCall("apigateway", "PutIntegrationResponse", inputAt(location, putIntegrationResponseInput(statusCode, response))),
          [plan.integrationPutOp.get(methodKey), plan.methodResponsePutOp.get(responseKey)],
          index,
        );
        plan.uses.methodResponse.set(responseKey, put);
      }
      break;
    }
    case "update": {
      const update = plan.add({
        id: `${plan.group}:UpdateIntegrationResponse:${responseKey}`,
        ...sdkCall("apigateway", "UpdateIntegrationResponse", inputAt(location, { statusCode, patchOperations: change.patch })),
        change: index,
      });
      plan.uses.methodResponse.set(responseKey, update);
      break;
    }
    case "delete": {
      const deleted = plan.add({
        id: `${plan.group}:DeleteIntegrationResponse:${responseKey}`,
        ...sdkCall("apigateway", "DeleteIntegrationResponse", inputAt(target.liveLocation(), { statusCode: change.id.statusCode })),
        change: index,
      });
      plan.integrationResponseDeleteOp.set(responseKey, deleted.id);
      plan.uses.methodResponse.set(responseKey, deleted);
      break;
    }
    default:
      break;
  }
}

/**
 * A method response is deleted after the integration response of the same status code, which the diff
 * may list later than it: those that the method response's own planning could not name yet are added here.
 */
export function orderMethodResponseDeletes(plan: RestApiPlan): void {
  for (const { op, responseKey } of plan.methodResponseDeletes) {
    const sibling = plan.integrationResponseDeleteOp.get(responseKey);
    if (sibling !== undefined && !op.after.includes(sibling)) op.after.push(sibling);
  }
}

/** The input fields of PutIntegrationResponse but the ones that say where (API, resource, method, status code). */
type IntegrationResponseFields = Omit<CallInput<"apigateway", "PutIntegrationResponse">, "restApiId" | "resourceId" | "httpMethod" | "statusCode">;

/** The status code and the response's fields, in one object: optional members spread in cost a copy each (thousands per API). */
function putIntegrationResponseInput(statusCode: string, response: IntegrationResponseModel): IntegrationResponseFields & { statusCode: string } {
  const input: IntegrationResponseFields & { statusCode: string } = { statusCode };
  if (response.selectionPattern !== undefined) input.selectionPattern = response.selectionPattern;
  input.responseParameters = response.responseParameters;
  input.responseTemplates = response.responseTemplates;
  if (response.contentHandling) input.contentHandling = response.contentHandling as ContentHandlingStrategy;
  return input;
}
