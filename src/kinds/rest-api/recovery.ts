// Lost-answer recovery of the RestApi calls: after a create whose answer was lost (a dropped connection, a
// 5xx that may have followed the write), find what it made before retrying, so no duplicate is created.
import type { CallRecovery } from "../kind.ts";
import { TAG } from "../../model/live.ts";

const conflict = (e: { detail: { name: string; message: string } }) => e.detail.name === "ConflictException" && !/concurrent/i.test(e.detail.message);

export const restApiRecovery: Readonly<Record<string, CallRecovery>> = {
  CreateRestApi: {
    // The API is found by its ownership tags (it was created with them).
    find: async (input, gateway) => {
      const tags = (input.tags ?? {}) as Record<string, string>;
      const page = await gateway.read("apigateway", "GetRestApis", { limit: 500 });
      const found = (page.items ?? []).find((api) => api.tags?.[TAG.name] === tags[TAG.name] && api.tags?.[TAG.owner] === tags[TAG.owner]);
      return found?.id ? { id: found.id } : undefined;
    },
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
};
