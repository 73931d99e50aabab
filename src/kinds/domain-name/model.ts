// The DomainName model (the Desired shape observe also produces) and expand: a valid document → its
// desired object, defaults filled as observe fills them from AWS.
import type { DesiredObject, ObjectModel, SourceRef } from "../../model/types.ts";
import type { DomainNameDocument } from "./schema.ts";
import { desiredObject } from "../../manifest/expand.ts";

export interface BasePathMappingModel {
  /** metadata.name of the RestApi; a live mapping to an API no manifest of this owner claims reads `id:<restApiId>`. */
  api: string;
  stage: string;
}

export interface DomainNameModel extends ObjectModel {
  domainName: string;
  endpointType: string;
  /** The regional certificate (regionalCertificateArn). */
  certificateArn: string;
  securityPolicy: string;
  tags: Record<string, string>;
  /** By base path, "" for none (AWS's "(none)"): ignore rules read /basePathMappings/<basePath>/stage. */
  basePathMappings: Record<string, BasePathMappingModel>;
}

export type DesiredDomainName = DesiredObject<"DomainName", DomainNameModel>;

/** What AWS reports for a domain created without a security policy (SOURCES.md §5, LocalStack's provider). */
export const DEFAULT_SECURITY_POLICY = "TLS_1_2";
export const DEFAULT_ENDPOINT_TYPE = "REGIONAL";

/** The manifest's mapping to a live API no manifest claims: never equal to a manifest name (those have no ':'). */
export function unmanagedApi(restApiId: string): string {
  return `id:${restApiId}`;
}

export function expandDomainName(doc: DomainNameDocument, source: SourceRef): DesiredDomainName {
  const spec = doc.spec;
  return desiredObject(doc, source, {
    key: doc.metadata.name,
    domainName: spec.domainName,
    endpointType: spec.endpointType ?? DEFAULT_ENDPOINT_TYPE,
    certificateArn: spec.certificateArn,
    securityPolicy: spec.securityPolicy ?? DEFAULT_SECURITY_POLICY,
    tags: spec.tags ?? {},
    // fromEntries defines own entries: a base path called `__proto__` stays a mapping.
    basePathMappings: Object.fromEntries((spec.basePathMappings ?? []).map((m) => [m.basePath, { api: m.api, stage: m.stage }])),
  });
}
