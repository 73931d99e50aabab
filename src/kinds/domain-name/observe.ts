// observe for DomainName. Calls per pass: GetDomainNames once (limit 500: one page up to AWS's 120 public
// domains, research §1.7–1.8), then GetBasePathMappings once per domain claimed by a manifest, and, only
// when one of those has a mapping, GetRestApis once to name the mapped APIs by their ownership tags.
// Ownership as for the other kinds: the name/owner tags (GetDomainNames items carry `tags`, SOURCES.md §5),
// an untagged domain of the manifest's domainName adopted with spec.adopt, anything else an error.
import type { Gateway } from "../../aws/gateway.ts";
import { TAG, userTags } from "../../model/live.ts";
import type { KindObservation, LiveObject, ObserveContext, ObservedObject, Orphan } from "../kind.ts";
import { ownedApiNames, restApisOnce } from "../rest-api/observe.ts";
import { DEFAULT_ENDPOINT_TYPE, DEFAULT_SECURITY_POLICY, unmanagedApi, type BasePathMappingModel, type DesiredDomainName, type DomainNameModel } from "./model.ts";
import { NONE } from "./schema.ts";

/* eslint-disable @typescript-eslint/no-explicit-any -- AWS answers are read defensively, field by field */
type Raw = Record<string, any>;

export interface LiveDomainName extends LiveObject<DomainNameModel> {
  /** AVAILABLE, UPDATING, PENDING…: AWS refuses changes while UPDATING (SDK DomainName docs). */
  status: string;
}

export async function observeDomainNames(gateway: Gateway, desired: readonly DesiredDomainName[], context: ObserveContext): Promise<KindObservation<LiveDomainName>> {
  const domains = await listDomainNames(gateway);
  const errors: string[] = [];
  const claimed = desired.map((d) => ({ desired: d, ...claimDomain(d, domains, context.owner, errors) }));
  const orphans = orphansOf(domains, context);
  if (errors.length > 0) return { objects: [], orphans: [], errors };
  const mappings = await Promise.all(claimed.map(({ raw }) => (raw ? readMappings(gateway, String(raw.domainName)) : Promise.resolve([]))));
  const apiNames = mappings.some((m) => m.length > 0) ? ownedApiNames(await restApisOnce(gateway, context), context.owner) : new Map<string, string>();
  const objects = claimed.map(({ desired: d, raw, adopted }, i): ObservedObject<LiveDomainName> => ({
    kind: "DomainName",
    key: d.model.key,
    adopted,
    ...(raw ? { live: liveDomain(d.model.key, raw, mappingModels(mappings[i] ?? [], apiNames)) } : {}),
  }));
  return { objects, orphans, errors };
}

async function listDomainNames(gateway: Gateway): Promise<Raw[]> {
  const out: Raw[] = [];
  let position: string | undefined;
  do {
    const page = await gateway.read("apigateway", "GetDomainNames", { limit: 500, ...(position ? { position } : {}) });
    out.push(...((page.items ?? []) as Raw[]));
    position = page.position;
  } while (position);
  return out;
}

const tagsOf = (raw: Raw): Record<string, string> => (raw.tags ?? {}) as Record<string, string>;

/** The live domain a manifest claims (by its tags, else an untagged one of its name with adopt), or none; errors otherwise. */
function claimDomain(desired: DesiredDomainName, domains: readonly Raw[], owner: string, errors: string[]): { raw?: Raw; adopted: boolean } {
  const key = desired.model.key;
  const mine = domains.filter((d) => tagsOf(d)[TAG.name] === key && (tagsOf(d)[TAG.owner] ?? owner) === owner);
  if (mine.length > 1) {
    errors.push(`DomainName ${key}: ${mine.length} live domains claim this manifest (${mine.map((d) => String(d.domainName)).join(", ")}); delete or untag all but one`);
    return { adopted: false };
  }
  const [own] = mine;
  const namesake = domains.find((d) => d.domainName === desired.model.domainName);
  // A domain's name is its identity in AWS: a new domainName can only be created where no other domain has it.
  if (namesake && namesake !== own) {
    const tags = tagsOf(namesake);
    if (tags[TAG.name] === undefined && !own && desired.options.adopt) return { raw: namesake, adopted: true };
    if (tags[TAG.name] === undefined) errors.push(`DomainName ${key}: domain ${desired.model.domainName} exists and is not managed by apigw-reconciler; set spec.adopt: true to take it over`);
    else errors.push(`DomainName ${key}: domain ${desired.model.domainName} is managed as "${tags[TAG.name]}" by owner "${tags[TAG.owner] ?? "?"}"`);
    return { adopted: false };
  }
  return own ? { raw: own, adopted: false } : { adopted: false };
}

/** This owner's domains whose manifest is gone. Costs nothing: GetDomainNames has their tags. */
function orphansOf(domains: readonly Raw[], context: ObserveContext): Orphan<LiveDomainName>[] {
  return domains
    .filter((d) => tagsOf(d)[TAG.owner] === context.owner && tagsOf(d)[TAG.name] !== undefined && !context.knownNames.has(tagsOf(d)[TAG.name] ?? ""))
    .map((d) => {
      const key = tagsOf(d)[TAG.name] ?? "";
      return { kind: "DomainName", key, label: `DomainName ${key} (${String(d.domainName)})`, live: liveDomain(key, d, {}) };
    });
}

/** A domain without mappings lists `{items: []}` (research B1, emulated as AWS does: SOURCES.md §5). */
async function readMappings(gateway: Gateway, domainName: string): Promise<Raw[]> {
  const out: Raw[] = [];
  let position: string | undefined;
  do {
    const page = await gateway.read("apigateway", "GetBasePathMappings", { domainName, limit: 500, ...(position ? { position } : {}) });
    out.push(...((page.items ?? []) as Raw[]));
    position = page.position;
  } while (position);
  return out;
}


/** By base path, AWS's "(none)" as "" (the manifest's way to write it). */
function mappingModels(items: readonly Raw[], apiNames: ReadonlyMap<string, string>): Record<string, BasePathMappingModel> {
  return Object.fromEntries(
    items.map((item) => {
      const restApiId = String(item.restApiId ?? "");
      const basePath = item.basePath === NONE || item.basePath === undefined ? "" : String(item.basePath);
      return [basePath, { api: apiNames.get(restApiId) ?? unmanagedApi(restApiId), stage: String(item.stage ?? "") }];
    }),
  );
}

export function liveDomain(key: string, raw: Raw, basePathMappings: Record<string, BasePathMappingModel>): LiveDomainName {
  const tags = tagsOf(raw);
  const types = ((raw.endpointConfiguration as Raw | undefined)?.types ?? []) as string[];
  return {
    tags,
    status: String(raw.domainNameStatus ?? "AVAILABLE"),
    model: {
      key,
      domainName: String(raw.domainName),
      // No type reads as EDGE: AWS's default for a domain (SOURCES.md §5, "no type given = EDGE").
      endpointType: types[0] ?? (raw.regionalDomainName ? DEFAULT_ENDPOINT_TYPE : "EDGE"),
      certificateArn: String(raw.regionalCertificateArn ?? raw.certificateArn ?? ""),
      securityPolicy: String(raw.securityPolicy ?? DEFAULT_SECURITY_POLICY),
      tags: userTags(tags),
      basePathMappings,
    },
  };
}
