// diff for DomainName (pure): the domain's own fields through a field table, its tags, and its base path
// mappings by base path. Change ids: { domain } for the domain, { domain, basePath } for a mapping
// (basePath as AWS addresses it, "(none)" for the empty one).
import type { Change, FieldChange } from "../../model/changes.ts";
import { contentHash } from "../../model/hash.ts";
import { hasOwn, ownValue } from "../../model/own.ts";
import { diffFields, patchOperations, type FieldSpec, type PatchOp } from "../fields.ts";
import type { BasePathMappingModel, DomainNameModel } from "./model.ts";
import type { LiveDomainName } from "./observe.ts";
import { NONE } from "./schema.ts";

const REPLACE: readonly PatchOp[] = ["replace"];

/**
 * UpdateDomainName paths (research §1.4: terraform-provider-aws domain_name.go replaces /regionalCertificateArn,
 * /securityPolicy and /endpointConfiguration/types/0; aws-controllers-k8s domain_name/hooks.go also adds and
 * removes the regional certificate, which a REGIONAL domain never goes without). domainName has no path:
 * a new name is a new domain.
 */
export const DOMAIN_NAME_FIELDS: FieldSpec[] = [
  { field: "domainName", type: "scalar", ops: [] },
  { field: "endpointType", type: "scalar", patch: "/endpointConfiguration/types/0", ops: REPLACE },
  { field: "certificateArn", type: "scalar", patch: "/regionalCertificateArn", ops: REPLACE },
  { field: "securityPolicy", type: "scalar", patch: "/securityPolicy", ops: REPLACE },
];

/**
 * UpdateBasePathMapping paths: replace /restapiId (lower-case "api", sic) and /stage (terraform-provider-aws
 * base_path_mapping.go; the emulator refuses other ops: SOURCES.md §5). The /restapiId value is the API's
 * id, known only when planning (a new API's only at apply): the plan writes that operation.
 */
export const BASE_PATH_MAPPING_FIELDS: FieldSpec[] = [
  { field: "api", type: "scalar", patch: "/restapiId", ops: REPLACE },
  { field: "stage", type: "scalar", patch: "/stage", ops: REPLACE },
];

export function domainSpecHash(model: DomainNameModel): string {
  return contentHash(model);
}

/** How AWS addresses a base path ("" → "(none)"), and back. */
export function addressOf(basePath: string): string {
  return basePath === "" ? NONE : basePath;
}

export function basePathOf(address: string): string {
  return address === NONE ? "" : address;
}

export function diffDomainName(desired: DomainNameModel, live: LiveDomainName | undefined): Change[] {
  const domain = desired.key;
  if (!live) {
    const tags = Object.keys(desired.tags).length > 0 ? [{ field: "tags", after: desired.tags }] : [];
    const create: Change = { kind: "DomainName", action: "create", id: { domain }, fields: [...diffFields(DOMAIN_NAME_FIELDS, desired, undefined), ...tags], patch: [] };
    return [create, ...diffMappings(domain, desired.basePathMappings, {})];
  }
  const fields = diffFields(DOMAIN_NAME_FIELDS, desired, live.model);
  if (fields.some((f) => f.field === "domainName")) {
    // Its mappings go with the old domain (DeleteDomainName deletes them: research §1.4) and are created anew.
    const replace: Change = { kind: "DomainName", action: "replace", id: { domain }, fields, patch: [], reason: "a domain's name is its identity: a new name is a new domain" };
    return [replace, ...diffMappings(domain, desired.basePathMappings, {})];
  }
  const changes: Change[] = [];
  const tags = tagField(desired.tags, live.model.tags);
  if (fields.length > 0 || tags) {
    changes.push({ kind: "DomainName", action: "update", id: { domain }, fields: [...fields, ...(tags ? [tags] : [])], patch: patchOperations(DOMAIN_NAME_FIELDS, fields) });
  }
  return [...changes, ...diffMappings(domain, desired.basePathMappings, live.model.basePathMappings)];
}

function tagField(desired: Record<string, string>, live: Record<string, string>): FieldChange | undefined {
  const same = Object.keys(desired).length === Object.keys(live).length && Object.entries(desired).every(([k, v]) => ownValue(live, k) === v);
  return same ? undefined : { field: "tags", before: live, after: desired };
}

/** Mappings by base path (own entries only): a base path that changes is a delete and a create. */
function diffMappings(domain: string, desired: Record<string, BasePathMappingModel>, live: Record<string, BasePathMappingModel>): Change[] {
  const changes: Change[] = [];
  const id = (basePath: string) => ({ domain, basePath: addressOf(basePath) });
  for (const basePath of Object.keys(live).sort()) {
    const was = ownValue(live, basePath);
    if (!hasOwn(desired, basePath) && was) changes.push({ kind: "BasePathMapping", action: "delete", id: id(basePath), fields: diffFields(BASE_PATH_MAPPING_FIELDS, undefined, was).map(beforeOnly), patch: [] });
  }
  for (const basePath of Object.keys(desired).sort()) {
    const now = ownValue(desired, basePath);
    const was = ownValue(live, basePath);
    if (!now) continue;
    if (!was) {
      changes.push({ kind: "BasePathMapping", action: "create", id: id(basePath), fields: diffFields(BASE_PATH_MAPPING_FIELDS, now, undefined), patch: [] });
      continue;
    }
    const fields = diffFields(BASE_PATH_MAPPING_FIELDS, now, was);
    if (fields.length > 0) {
      // /restapiId is left out of the change's patch: its value (the API's id) is the plan's to resolve.
      const patch = patchOperations(BASE_PATH_MAPPING_FIELDS, fields.filter((f) => f.field !== "api"));
      changes.push({ kind: "BasePathMapping", action: "update", id: id(basePath), fields, patch });
    }
  }
  return changes;
}

/** A deleted mapping's fields: what it was, nothing after. */
function beforeOnly(field: FieldChange): FieldChange {
  return { field: field.field, before: field.before };
}
