// Lost-answer recovery of the RestApi calls: after a create whose answer was lost (a dropped connection, a
// 5xx that may have followed the write), find what it made before retrying, so no duplicate is created.
import { isRoleNotYetUsable } from "../../aws/errors.ts";
import type { Gateway } from "../../aws/gateway.ts";
import type { CallRecovery } from "../kind.ts";
import { TAG } from "../../model/live.ts";

const conflict = (e: { detail: { name: string; message: string } }) => e.detail.name === "ConflictException" && !/concurrent/i.test(e.detail.message);

/**
 * IAM is eventually consistent: a role created seconds ago is not yet usable by API Gateway, whose
 * integration writes then answer 400 (terraform-provider-aws retries PutIntegration on "role" errors too).
 */
const roleSettling: CallRecovery["settling"] = {
  matches: (e) => isRoleNotYetUsable(e.detail),
  withinMs: 60_000,
  gaveUp: (e, waitedMs) => `${e.message} (the role did not become usable by API Gateway in ${Math.round(waitedMs / 1000)} s of retrying; IAM is eventually consistent — run again)`,
};

/** The root resource AWS makes with every API: CreateRestApi answers its id (moto did not always: read it then). */
async function rootResource(answer: Record<string, unknown>, gateway: Gateway): Promise<Record<string, string>> {
  if (typeof answer.rootResourceId === "string") return { "resource:/": answer.rootResourceId };
  if (typeof answer.id !== "string") return {};
  const page = await gateway.read("apigateway", "GetResources", { restApiId: answer.id, limit: 500 });
  const root = (page.items ?? []).find((r) => r.path === "/");
  if (!root?.id) throw new Error(`API ${answer.id} has no root resource`);
  return { "resource:/": root.id };
}

export const restApiRecovery: Readonly<Record<string, CallRecovery>> = {
  CreateRestApi: {
    // The API is found by its ownership tags (it was created with them).
    find: async (input, gateway) => {
      const tags = (input.tags ?? {}) as Record<string, string>;
      const page = await gateway.read("apigateway", "GetRestApis", { limit: 500 });
      const found = (page.items ?? []).find((api) => api.tags?.[TAG.name] === tags[TAG.name] && api.tags?.[TAG.owner] === tags[TAG.owner]);
      return found?.id ? { id: found.id } : undefined;
    },
    produced: rootResource,
  },
  CreateResource: {
    find: async (input, gateway) => {
      const page = await gateway.read("apigateway", "GetResources", { restApiId: String(input.restApiId), limit: 500 });
      const found = (page.items ?? []).find((r) => r.parentId === input.parentId && r.pathPart === input.pathPart);
      return found?.id ? { id: found.id } : undefined;
    },
  },
  PutMethod: { alreadyDone: conflict },
  CreateStage: { alreadyDone: conflict },
  PutIntegration: { settling: roleSettling },
  UpdateIntegration: { settling: roleSettling },
};
