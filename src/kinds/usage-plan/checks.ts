// The checks of a UsagePlan document that its schema cannot express: references to RestApi manifests and
// their stages, duplicates, API Gateway's rules for key values, and the environment the values come from.
import { checkTags, type CheckProblem } from "../../manifest/checks.ts";
import type { FieldPath } from "../../manifest/issues.ts";
import type { ManifestIndex } from "../kind.ts";
import type { RestApiExports } from "../rest-api/index.ts";
import type { UsagePlanDocument } from "./schema.ts";

export function checkUsagePlan(doc: UsagePlanDocument, index: ManifestIndex, env: NodeJS.ProcessEnv = process.env): CheckProblem[] {
  return [...checkTags(doc.spec.tags, ["spec", "tags"]), ...checkQuota(doc), ...checkApiStages(doc, index), ...checkKeys(doc, env)];
}

/** The offset is "the number of requests subtracted from the given limit in the initial time period" (SDK QuotaSettings): at most the limit. */
function checkQuota(doc: UsagePlanDocument): CheckProblem[] {
  const quota = doc.spec.quota;
  if (!quota || (quota.offset ?? 0) <= quota.limit) return [];
  return [{ path: ["spec", "quota", "offset"], message: `is more than the quota's limit (${quota.limit})` }];
}

function checkApiStages(doc: UsagePlanDocument, index: ManifestIndex): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const seen = new Set<string>();
  const apis = new Set<string>();
  (doc.spec.apiStages ?? []).forEach(({ api, stage }, i) => {
    const at = ["spec", "apiStages", i];
    const id = `${api}:${stage}`;
    if (seen.has(id)) problems.push({ path: at, message: `RestApi ${api} stage ${stage} is listed twice` });
    seen.add(id);
    const exported = index.exported("RestApi", api) as RestApiExports | undefined;
    if (!exported) {
      // A RestApi that is declared but broken has its own problems reported; a missing one is this document's.
      if (!index.declared("RestApi").has(api) && index.inUnreadFile?.(api) !== true) problems.push({ path: [...at, "api"], message: `no RestApi manifest named ${api}` });
      return;
    }
    if (!exported.stages.includes(stage)) {
      problems.push({ path: [...at, "stage"], message: `RestApi ${api} has no stage ${stage}${exported.stages.length > 0 ? ` (its stages: ${exported.stages.join(", ")})` : ""}` });
    }
    problems.push(...sameTarget(doc, api, exported, at));
    if (!apis.has(api) && exported.keyRequiredMethods.length === 0) {
      problems.push({ path: [...at, "api"], severity: "warning", message: `no method of RestApi ${api} requires an API key; the keys of this plan limit nothing` });
    }
    apis.add(api);
  });
  return problems;
}

/** A usage plan covers stages of its own account and Region only: API Gateway looks the stage up where the plan is. */
function sameTarget(doc: UsagePlanDocument, api: string, exported: RestApiExports, at: FieldPath): CheckProblem[] {
  const account = doc.spec.assumeRoleArn ?? "";
  const region = doc.spec.region ?? "";
  if (account === exported.account && region === exported.region) return [];
  return [{ path: at, message: `RestApi ${api} is managed in another account or Region (assumeRoleArn/region differ): a usage plan covers stages of its own account and Region only` }];
}

function checkKeys(doc: UsagePlanDocument, env: NodeJS.ProcessEnv): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const names = new Set<string>();
  const envs = new Map<string, string>();
  (doc.spec.apiKeys ?? []).forEach((key, i) => {
    const at = ["spec", "apiKeys", i];
    if (names.has(key.name)) problems.push({ path: [...at, "name"], message: `key name ${key.name} is used twice in this plan` });
    names.add(key.name);
    if (!key.valueFrom) return;
    const variable = key.valueFrom.env;
    const other = envs.get(variable);
    // API key values are unique per account and Region: a second key with the same value is a 409 (LS; Docs usage-plans page).
    if (other !== undefined) problems.push({ path: [...at, "valueFrom", "env"], message: `keys ${other} and ${key.name} take their value from the same variable ${variable}; key values must be unique` });
    envs.set(variable, key.name);
    problems.push(...checkValue(variable, env[variable], [...at, "valueFrom", "env"]));
  });
  return problems;
}

/** Messages name the variable and the rule, never the value. */
function checkValue(variable: string, value: string | undefined, at: FieldPath): CheckProblem[] {
  if (value === undefined || value === "") return [{ path: at, message: `the environment variable ${variable} is not set (it holds this key's value)` }];
  // 20-128 characters: CreateApiKey answers 400 "API Key value should be at least 20 characters" /
  // "exceeds maximum size of 128 characters" (LS test_create_api_key_with_invalid_value).
  if (value.length < 20 || value.length > 128) return [{ path: at, message: `the value in ${variable} has ${value.length} characters; API key values have 20-128` }];
  // "alphanumeric" (Docs api-gateway-api-usage-plans.html); AWS's answer to other characters is not recorded: a warning.
  if (!/^[A-Za-z0-9]+$/.test(value)) return [{ path: at, severity: "warning", message: `the value in ${variable} is not only letters and digits; AWS documents API key values as alphanumeric` }];
  return [];
}
