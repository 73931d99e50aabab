// Lost-answer recovery of the UsagePlan calls: after a create whose answer was lost (a dropped connection, a
// 5xx that may have followed the write), find what it made before retrying, so no duplicate is created.
// Plans and keys are found by the ownership tags they were created with (names are not unique: research §1.1, §1.3).
import { TAG } from "../../model/live.ts";
import type { CallRecovery } from "../kind.ts";
import { listKeys, listPlans } from "./observe.ts";
import { VALUE_HASH_TAG } from "./model.ts";

function tagsOf(input: Record<string, unknown>): Record<string, string> {
  return (input.tags ?? {}) as Record<string, string>;
}

export const usagePlanRecovery: Readonly<Record<string, CallRecovery>> = {
  CreateUsagePlan: {
    find: async (input, gateway) => {
      const tags = tagsOf(input);
      const found = (await listPlans(gateway)).find((p) => p.tags[TAG.name] === tags[TAG.name] && p.tags[TAG.owner] === tags[TAG.owner]);
      return found ? { id: found.id } : undefined;
    },
  },
  CreateApiKey: {
    // The value-hash tag tells a replacement key from the key it replaces (both carry the key's name tag).
    find: async (input, gateway) => {
      const tags = tagsOf(input);
      const found = (await listKeys(gateway)).find((k) => k.tags[TAG.name] === tags[TAG.name] && k.tags[TAG.owner] === tags[TAG.owner] && k.tags[VALUE_HASH_TAG] === tags[VALUE_HASH_TAG]);
      return found ? { id: found.id } : undefined;
    },
  },
  // The same key twice in a plan is a 409 (SOURCES.md §5, wording inferred): after a lost answer, it was added.
  CreateUsagePlanKey: { alreadyDone: (e) => e.detail.name === "ConflictException" },
};
