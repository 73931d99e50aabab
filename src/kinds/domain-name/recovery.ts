// Lost-answer recovery of the DomainName calls: after a create whose answer was lost (a dropped connection,
// a 5xx that may have followed the write), look for what it made before retrying, so a retry never fails
// on (or, worse, takes over) a domain or mapping that is already there.
import { AwsCallError } from "../../aws/errors.ts";
import type { Gateway } from "../../aws/gateway.ts";
import { TAG } from "../../model/live.ts";
import type { CallRecovery } from "../kind.ts";
import { NONE } from "./schema.ts";

export const domainNameRecovery: Readonly<Record<string, CallRecovery>> = {
  CreateDomainName: {
    // The name is the domain's id; it is ours when it carries the ownership tags it was created with. A
    // second create of an existing name is refused ("The domain name you provided already exists.", 400,
    // quoted in Miserlou/Zappa#1410; a ConflictException per the research): without this lookup the
    // retry would fail on our own domain. A namesake without our tags is not ours, and is left to fail.
    find: async (input, gateway) => {
      const domainName = String(input.domainName);
      const found = await readDomain(gateway, domainName);
      const wanted = (input.tags ?? {}) as Record<string, string>;
      return found && found.tags?.[TAG.name] === wanted[TAG.name] && found.tags?.[TAG.owner] === wanted[TAG.owner] ? { id: domainName } : undefined;
    },
  },
  CreateBasePathMapping: {
    // Ours when the mapping at that base path names the same API and stage.
    find: async (input, gateway) => {
      const basePath = typeof input.basePath === "string" && input.basePath !== "" ? input.basePath : NONE;
      const found = await readMapping(gateway, String(input.domainName), basePath);
      return found && found.restApiId === input.restApiId && found.stage === input.stage ? { id: basePath } : undefined;
    },
    // 409 "Base path already exists for this domain name" (quoted in aws/aws-extensions-for-dotnet-cli#102)
    // after a lost answer: the first attempt took effect. Not the empty-base-path 409, which is a real refusal.
    alreadyDone: (e) => e.detail.name === "ConflictException" && /already exists/i.test(e.detail.message),
    // Right after its stage is created AWS may still answer 400 "Invalid stage identifier specified"
    // (quoted in serverless-components/domain#8); terraform-provider-aws base_path_mapping.go retries
    // CreateBasePathMapping on BadRequestException for 30 s.
    settling: { matches: (e) => e.detail.name === "BadRequestException" && /invalid stage identifier/i.test(e.detail.message), withinMs: 30_000 },
  },
};

async function readDomain(gateway: Gateway, domainName: string) {
  try {
    return await gateway.read("apigateway", "GetDomainName", { domainName });
  } catch (error) {
    if (error instanceof AwsCallError && error.detail.class === "not-found") return undefined;
    throw error;
  }
}

async function readMapping(gateway: Gateway, domainName: string, basePath: string) {
  try {
    return await gateway.read("apigateway", "GetBasePathMapping", { domainName, basePath });
  } catch (error) {
    if (error instanceof AwsCallError && error.detail.class === "not-found") return undefined;
    throw error;
  }
}
