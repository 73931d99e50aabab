// One table per object kind: model field ↔ how it is compared ↔ its API Gateway patch path.
// diff, patch operations and rendering are all derived from these tables.
import type { FieldChange, PatchOperation } from "../model/changes.ts";
import { hasOwn } from "../model/own.ts";
import { policiesEqual, stableStringify } from "../model/policy.ts";
import type { PolicyDocument } from "../model/types.ts";

export type FieldType =
  /** string / number / boolean: replace, or remove when unset */
  | "scalar"
  /** string → string map: one add/replace/remove per key, key in the path */
  | "map"
  /** string → boolean map (required flags) */
  | "flags"
  /** set of strings: add/remove per member, the member in the path */
  | "set"
  /** policy document, compared by meaning, sent whole as JSON */
  | "policy";

export interface FieldSpec {
  field: string;
  type: FieldType;
  /** Patch path of the field; absent: the field cannot be patched (changing it replaces the object). */
  patch?: string;
  /** Value AWS reports when the field was never set; treated as equal to "unset". */
  awsDefault?: unknown;
}

export const REST_API_FIELDS: FieldSpec[] = [
  { field: "name", type: "scalar", patch: "/name" },
  { field: "description", type: "scalar", patch: "/description" },
  { field: "endpointType", type: "scalar", patch: "/endpointConfiguration/types/0" },
  { field: "binaryMediaTypes", type: "set", patch: "/binaryMediaTypes" },
  { field: "minimumCompressionSize", type: "scalar", patch: "/minimumCompressionSize" },
  { field: "apiKeySource", type: "scalar", patch: "/apiKeySource" },
  { field: "disableExecuteApiEndpoint", type: "scalar", patch: "/disableExecuteApiEndpoint" },
  { field: "policy", type: "policy", patch: "/policy" },
];

export const METHOD_FIELDS: FieldSpec[] = [
  { field: "authorizationType", type: "scalar", patch: "/authorizationType" },
  { field: "apiKeyRequired", type: "scalar", patch: "/apiKeyRequired" },
  { field: "operationName", type: "scalar", patch: "/operationName" },
  { field: "requestParameters", type: "flags", patch: "/requestParameters" },
];

export const INTEGRATION_FIELDS: FieldSpec[] = [
  { field: "type", type: "scalar" },
  { field: "httpMethod", type: "scalar", patch: "/httpMethod" },
  { field: "uri", type: "scalar", patch: "/uri" },
  { field: "credentials", type: "scalar", patch: "/credentials" },
  { field: "requestParameters", type: "map", patch: "/requestParameters" },
  { field: "requestTemplates", type: "map", patch: "/requestTemplates" },
  { field: "passthroughBehavior", type: "scalar", patch: "/passthroughBehavior" },
  { field: "contentHandling", type: "scalar", patch: "/contentHandling" },
  { field: "timeoutInMillis", type: "scalar", patch: "/timeoutInMillis" },
  { field: "cacheKeyParameters", type: "set", patch: "/cacheKeyParameters" },
];

export const METHOD_RESPONSE_FIELDS: FieldSpec[] = [
  { field: "responseParameters", type: "flags", patch: "/responseParameters" },
  { field: "responseModels", type: "map", patch: "/responseModels" },
];

export const INTEGRATION_RESPONSE_FIELDS: FieldSpec[] = [
  { field: "selectionPattern", type: "scalar", patch: "/selectionPattern" },
  { field: "responseParameters", type: "map", patch: "/responseParameters" },
  { field: "responseTemplates", type: "map", patch: "/responseTemplates" },
  { field: "contentHandling", type: "scalar", patch: "/contentHandling" },
];

export const STAGE_FIELDS: FieldSpec[] = [
  { field: "description", type: "scalar", patch: "/description" },
  { field: "variables", type: "map", patch: "/variables" },
  { field: "tracingEnabled", type: "scalar", patch: "/tracingEnabled" },
];

/** Method settings of a stage: model field ↔ patch sub-path under /{resourcePath}/{METHOD}/. */
export const METHOD_SETTING_FIELDS: { field: string; patch: string }[] = [
  { field: "loggingLevel", patch: "logging/loglevel" },
  { field: "dataTraceEnabled", patch: "logging/dataTrace" },
  { field: "metricsEnabled", patch: "metrics/enabled" },
  { field: "throttlingBurstLimit", patch: "throttling/burstLimit" },
  { field: "throttlingRateLimit", patch: "throttling/rateLimit" },
  { field: "cachingEnabled", patch: "caching/enabled" },
  { field: "cacheTtlInSeconds", patch: "caching/ttlInSeconds" },
  { field: "cacheDataEncrypted", patch: "caching/dataEncrypted" },
  { field: "requireAuthorizationForCacheControl", patch: "caching/requireAuthorizationForCacheControl" },
  { field: "unauthorizedCacheControlHeaderStrategy", patch: "caching/unauthorizedCacheControlHeaderStrategy" },
];

/** `/` and `~` inside one patch-path segment (RFC 6901 escaping, as API Gateway expects). */
export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

type AnyRecord = Record<string, unknown>;

function asRecord(value: unknown): AnyRecord {
  return (value ?? {}) as AnyRecord;
}

/** Field-level differences between two objects of one kind (undefined object = all fields unset). */
export function diffFields(table: readonly FieldSpec[], desired: object | undefined, live: object | undefined): FieldChange[] {
  const d = asRecord(desired);
  const l = asRecord(live);
  const changes: FieldChange[] = [];
  for (const spec of table) {
    const after = d[spec.field];
    const before = l[spec.field];
    if (!fieldEqual(spec, after, before)) changes.push({ field: spec.field, before, after });
  }
  return changes;
}

export function fieldEqual(spec: FieldSpec, a: unknown, b: unknown): boolean {
  switch (spec.type) {
    case "policy":
      return policiesEqual(a as PolicyDocument | undefined, b as PolicyDocument | undefined);
    case "set":
      return stableStringify([...((a as string[] | undefined) ?? [])].sort()) === stableStringify([...((b as string[] | undefined) ?? [])].sort());
    case "map":
    case "flags":
      return stableStringify(a ?? {}) === stableStringify(b ?? {});
    case "scalar":
      return (a ?? spec.awsDefault) === (b ?? spec.awsDefault);
  }
}

/** The PatchOperations that turn `before` into `after` for the given field changes. */
export function patchOperations(table: readonly FieldSpec[], changes: readonly FieldChange[]): PatchOperation[] {
  const ops: PatchOperation[] = [];
  for (const change of changes) {
    const spec = table.find((s) => s.field === change.field);
    if (!spec?.patch) continue;
    ops.push(...fieldPatch(spec, spec.patch, change.before, change.after));
  }
  return ops;
}

function fieldPatch(spec: FieldSpec, path: string, before: unknown, after: unknown): PatchOperation[] {
  switch (spec.type) {
    case "scalar":
      return after === undefined ? [{ op: "remove", path }] : [{ op: "replace", path, value: scalarText(after) }];
    case "policy":
      return [{ op: "replace", path, value: after === undefined ? "" : JSON.stringify(after) }];
    case "set": {
      const was = new Set((before as string[] | undefined) ?? []);
      const now = new Set((after as string[] | undefined) ?? []);
      return [
        ...[...was].filter((m) => !now.has(m)).map((m) => ({ op: "remove" as const, path: `${path}/${escapeSegment(m)}` })),
        ...[...now].filter((m) => !was.has(m)).map((m) => ({ op: "add" as const, path: `${path}/${escapeSegment(m)}` })),
      ];
    }
    case "map":
    case "flags": {
      const was = asRecord(before);
      const now = asRecord(after);
      const ops: PatchOperation[] = [];
      // Own keys only: a variable or template named `toString` must be removed, and added (not replaced).
      for (const key of Object.keys(was).sort()) {
        if (!hasOwn(now, key)) ops.push({ op: "remove", path: `${path}/${escapeSegment(key)}` });
      }
      for (const key of Object.keys(now).sort()) {
        const value = String(now[key]);
        if (!hasOwn(was, key)) ops.push({ op: "add", path: `${path}/${escapeSegment(key)}`, value });
        else if (String(was[key]) !== value) ops.push({ op: "replace", path: `${path}/${escapeSegment(key)}`, value });
      }
      return ops;
    }
  }
}

function scalarText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
