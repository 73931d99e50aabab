// The checks of a DomainName document the schema cannot express: its mappings against the RestApi
// manifests (API and stage exist, same account and Region), API Gateway's own rules on base paths, the
// certificate's Region and reserved tags. Each problem names its field; the loader makes it file:line.
import { checkTags, type CheckProblem } from "../../manifest/checks.ts";
import { didYouMean, quote } from "../../manifest/issues.ts";
import type { ManifestIndex } from "../kind.ts";
import type { RestApiExports } from "../rest-api/index.ts";
import { NONE, type DomainNameDocument } from "./schema.ts";

export function checkDomainName(doc: DomainNameDocument, index: ManifestIndex): CheckProblem[] {
  const spec = doc.spec;
  return [...checkBasePaths(doc), ...checkMappingTargets(doc, index), ...checkCertificate(spec), ...checkSecurityPolicy(spec), ...checkTags(spec.tags, ["spec", "tags"])];
}

/** Each base path once; an empty one alone: AWS answers 409 "Only one base path mapping is allowed if the base path is empty." (research §1.5). */
function checkBasePaths(doc: DomainNameDocument): CheckProblem[] {
  const mappings = doc.spec.basePathMappings ?? [];
  const problems: CheckProblem[] = [];
  const seen = new Map<string, number>();
  mappings.forEach((mapping, i) => {
    const at = ["spec", "basePathMappings", i, "basePath"];
    const first = seen.get(mapping.basePath);
    if (first !== undefined) problems.push({ path: at, message: `base path ${quote(mapping.basePath || NONE)} is already mapped by basePathMappings[${first}]` });
    else seen.set(mapping.basePath, i);
  });
  const empty = mappings.findIndex((m) => m.basePath === "");
  if (empty >= 0 && mappings.length > 1) {
    problems.push({ path: ["spec", "basePathMappings", empty, "basePath"], message: `an empty base path (${NONE}) must be the domain's only mapping (AWS refuses others beside it)` });
  }
  return problems;
}

/** What a mapping names must be a RestApi manifest with that stage, managed in the domain's account and Region. */
function checkMappingTargets(doc: DomainNameDocument, index: ManifestIndex): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const declared = index.declared("RestApi");
  (doc.spec.basePathMappings ?? []).forEach((mapping, i) => {
    const at = ["spec", "basePathMappings", i];
    if (!declared.has(mapping.api)) {
      if (index.inUnreadFile?.(mapping.api) !== true) problems.push({ path: [...at, "api"], message: `no RestApi named ${quote(mapping.api)}${didYouMean(mapping.api, [...declared])}` });
      return;
    }
    // Declared but not valid: its own problems are reported; nothing more is known of it.
    const api = index.exported("RestApi", mapping.api) as RestApiExports | undefined;
    if (!api) return;
    if (!api.stages.includes(mapping.stage)) {
      const known = api.stages.length > 0 ? `; its stages: ${api.stages.join(", ")}` : "; it declares no stage";
      problems.push({ path: [...at, "stage"], message: `RestApi ${quote(mapping.api)} has no stage ${quote(mapping.stage)}${known}${didYouMean(mapping.stage, api.stages)}` });
    }
    problems.push(...sameTarget(doc, api, mapping.api, [...at, "api"]));
  });
  return problems;
}

/** A base path mapping can only name an API of the domain's own account and Region (the API id is looked up there). */
function sameTarget(doc: DomainNameDocument, api: RestApiExports, name: string, at: (string | number)[]): CheckProblem[] {
  const where = (account: string, region: string) => `${account ? `assumeRoleArn ${account}` : "the run's account"}, ${region ? `Region ${region}` : "the run's Region"}`;
  const account = doc.spec.assumeRoleArn ?? "";
  const region = doc.spec.region ?? "";
  if (api.account === account && api.region === region) return [];
  return [{ path: at, message: `RestApi ${quote(name)} is managed in ${where(api.account, api.region)}, this domain in ${where(account, region)}: a mapping's API must be beside its domain` }];
}

/**
 * A regional certificate must be in the domain's Region: AWS answers 400 "Invalid certificate ARN: ….
 * Certificate must be in 'us-west-2'." (quoted in amplify-education/serverless-domain-manager#49).
 * Checked when both Regions are written out (not a ${AWS_REGION} placeholder, not the run's default).
 */
function checkCertificate(spec: DomainNameDocument["spec"]): CheckProblem[] {
  const certificateRegion = spec.certificateArn.split(":")[3] ?? "";
  if (!spec.region || certificateRegion.startsWith("${") || certificateRegion === spec.region) return [];
  return [{ path: ["spec", "certificateArn"], message: `the certificate is in ${certificateRegion}, the domain in ${spec.region} (spec.region): a regional domain needs a certificate of its own Region` }];
}

/**
 * The SecurityPolicy_* policies need an endpointAccessMode (AWS: 400 "Endpoint access mode is required
 * for the specified security policy", quoted in serverless/serverless#13332), which this kind does not
 * manage yet; the *_EDGE ones are for edge-optimized domains.
 */
function checkSecurityPolicy(spec: DomainNameDocument["spec"]): CheckProblem[] {
  const policy = spec.securityPolicy;
  if (policy === undefined || policy === "TLS_1_0" || policy === "TLS_1_2") return [];
  const why = policy.endsWith("_EDGE") ? "is for edge-optimized domains" : "needs an endpoint access mode, which this reconciler does not manage yet";
  return [{ path: ["spec", "securityPolicy"], message: `${policy} ${why}; use TLS_1_2 (or TLS_1_0)` }];
}
