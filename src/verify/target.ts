// Which URL `verify` calls and which Region it signs for: --invoke-url as given (no API Gateway call), or the
// invoke URL of an API found by its manifest name (the ownership tag apigw-reconciler:name, as observe
// finds it) or by its id, in --region or the SDK's Region.
import type { Gateway } from "../aws/gateway.ts";
import { listRestApis } from "../kinds/rest-api/observe.ts";
import { TAG } from "../model/live.ts";
import { invokeUrl, normalizeInvokeUrl, regionOfInvokeUrl } from "./url.ts";

export interface TargetOptions {
  /** RestApi manifest name (metadata.name) or API id. */
  api: string;
  stage: string;
  region?: string;
  invokeUrl?: string;
}

export interface Target {
  invokeUrl: string;
  region: string;
  apiId?: string;
}

/** --invoke-url: signed for --region, else the Region in an execute-api host name, else the environment's. */
export function targetOfUrl(options: TargetOptions, env: NodeJS.ProcessEnv = process.env): Target {
  const url = normalizeInvokeUrl(options.invokeUrl ?? "");
  const region = options.region ?? regionOfInvokeUrl(url) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error(`no Region to sign for: ${url} names none; pass --region`);
  return { invokeUrl: url, region };
}

/** The deployed stage of an API: its id by manifest name or id, the stage checked to exist. */
export async function targetOfApi(options: TargetOptions, gateway: Gateway): Promise<Target> {
  const region = options.region ?? (await gateway.region());
  const apiId = await findApiId(gateway, options.api, region);
  const stages = await gateway.read("apigateway", "GetStages", { restApiId: apiId });
  const names = (stages.item ?? []).map((s) => s.stageName ?? "");
  if (!names.includes(options.stage)) {
    throw new Error(`API ${apiId} (${options.api}) has no stage "${options.stage}" in ${region}${names.length ? `; its stages: ${names.join(", ")}` : ""}`);
  }
  return { invokeUrl: invokeUrl(apiId, region, options.stage), region, apiId };
}

export async function findApiId(gateway: Gateway, api: string, region: string): Promise<string> {
  const apis = await listRestApis(gateway);
  const tagged = apis.filter((a) => a.summary.tags[TAG.name] === api);
  if (tagged.length > 1) {
    const ids = tagged.map((a) => `${a.summary.id} (owner ${a.summary.tags[TAG.owner] ?? "?"})`).join(", ");
    throw new Error(`${tagged.length} APIs are tagged ${TAG.name}=${api} in ${region}: ${ids}; pass the id with --api`);
  }
  const found = tagged[0] ?? apis.find((a) => a.summary.id === api);
  if (!found) throw new Error(`no API tagged ${TAG.name}=${api} and none with id ${api} in ${region}`);
  return found.summary.id;
}
