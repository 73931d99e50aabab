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

/** A PatchOperation's `op` (API Gateway also knows `copy`, which we never send). */
export type PatchOp = "add" | "remove" | "replace";

export interface FieldSpec {
  field: string;
  type: FieldType;
  /** Patch path of the field; absent: the field cannot be patched (changing it replaces the object). */
  patch?: string;
  /**
   * The ops AWS accepts on this path (on each key of a map or set). A scalar without `remove` is cleared
   * with `replace` and an empty value; a map without `add` gets its new keys with `replace`.
   */
  ops: readonly PatchOp[];
  /** Value AWS reports when the field was never set; treated as equal to "unset". */
  awsDefault?: unknown;
}

// Which ops AWS accepts, per path. Sources (see also test/emulator/SOURCES.md):
// - LocalStack's AWS-validated snapshots (tests/aws/services/apigateway/test_apigateway_api.snapshot.json):
//   `add /minimumCompressionSize` and `add /operationName` answer "Invalid patch operation specified. Must
//   be one of: [replace]"; `replace /minimumCompressionSize ""` clears it; `remove /description` is accepted
//   on a RestApi; `add`/`remove` per key on /binaryMediaTypes, /requestModels.
// - terraform-provider-aws internal/service/apigateway: integration.go clears /contentHandling and
//   /credentials with `replace` and "", adds and removes /requestParameters and /requestTemplates keys and
//   /cacheKeyParameters members; integration_response.go replaces /selectionPattern and /contentHandling;
//   stage.go sets every stage variable with `replace` (new or not) and removes dropped ones, replaces
//   /description; method.go replaces /operationName.
const REPLACE: readonly PatchOp[] = ["replace"];
const REPLACE_OR_REMOVE: readonly PatchOp[] = ["replace", "remove"];
const PER_KEY: readonly PatchOp[] = ["add", "replace", "remove"];
const PER_MEMBER: readonly PatchOp[] = ["add", "remove"];

export const REST_API_FIELDS: FieldSpec[] = [
  { field: "name", type: "scalar", patch: "/name", ops: REPLACE },
  { field: "description", type: "scalar", patch: "/description", ops: REPLACE_OR_REMOVE },
  { field: "endpointType", type: "scalar", patch: "/endpointConfiguration/types/0", ops: REPLACE },
  { field: "binaryMediaTypes", type: "set", patch: "/binaryMediaTypes", ops: PER_MEMBER },
  { field: "minimumCompressionSize", type: "scalar", patch: "/minimumCompressionSize", ops: REPLACE },
  { field: "apiKeySource", type: "scalar", patch: "/apiKeySource", ops: REPLACE },
  { field: "disableExecuteApiEndpoint", type: "scalar", patch: "/disableExecuteApiEndpoint", ops: REPLACE, awsDefault: false },
  { field: "policy", type: "policy", patch: "/policy", ops: REPLACE },
];

export const METHOD_FIELDS: FieldSpec[] = [
  { field: "authorizationType", type: "scalar", patch: "/authorizationType", ops: REPLACE },
  { field: "apiKeyRequired", type: "scalar", patch: "/apiKeyRequired", ops: REPLACE, awsDefault: false },
  { field: "operationName", type: "scalar", patch: "/operationName", ops: REPLACE },
  { field: "requestParameters", type: "flags", patch: "/requestParameters", ops: PER_KEY },
];

export const INTEGRATION_FIELDS: FieldSpec[] = [
  // No patch path: a new type is a PutIntegration, which replaces the integration.
  { field: "type", type: "scalar", ops: [] },
  { field: "httpMethod", type: "scalar", patch: "/httpMethod", ops: REPLACE },
  { field: "uri", type: "scalar", patch: "/uri", ops: REPLACE },
  { field: "credentials", type: "scalar", patch: "/credentials", ops: REPLACE },
  { field: "requestParameters", type: "map", patch: "/requestParameters", ops: PER_KEY },
  { field: "requestTemplates", type: "map", patch: "/requestTemplates", ops: PER_KEY },
  { field: "passthroughBehavior", type: "scalar", patch: "/passthroughBehavior", ops: REPLACE },
  { field: "contentHandling", type: "scalar", patch: "/contentHandling", ops: REPLACE },
  { field: "timeoutInMillis", type: "scalar", patch: "/timeoutInMillis", ops: REPLACE },
  { field: "cacheKeyParameters", type: "set", patch: "/cacheKeyParameters", ops: PER_MEMBER },
];

export const METHOD_RESPONSE_FIELDS: FieldSpec[] = [
  { field: "responseParameters", type: "flags", patch: "/responseParameters", ops: PER_KEY },
  { field: "responseModels", type: "map", patch: "/responseModels", ops: PER_KEY },
];

export const INTEGRATION_RESPONSE_FIELDS: FieldSpec[] = [
  { field: "selectionPattern", type: "scalar", patch: "/selectionPattern", ops: REPLACE },
  { field: "responseParameters", type: "map", patch: "/responseParameters", ops: PER_KEY },
  { field: "responseTemplates", type: "map", patch: "/responseTemplates", ops: PER_KEY },
  { field: "contentHandling", type: "scalar", patch: "/contentHandling", ops: REPLACE },
];

export const STAGE_FIELDS: FieldSpec[] = [
  { field: "description", type: "scalar", patch: "/description", ops: REPLACE },
  // A variable is set with `replace`, new or not (terraform-provider-aws stage.go); AWS refuses `add`.
  { field: "variables", type: "map", patch: "/variables", ops: REPLACE_OR_REMOVE },
  { field: "tracingEnabled", type: "scalar", patch: "/tracingEnabled", ops: REPLACE, awsDefault: false },
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
      return flatMapEqual(a ?? {}, b ?? {}) ?? stableStringify(a ?? {}) === stableStringify(b ?? {});
    case "scalar":
      // A field cleared with `replace ""` may read back as "" or be absent: both mean unset.
      return (emptyToUnset(a) ?? spec.awsDefault) === (emptyToUnset(b) ?? spec.awsDefault);
  }
}

/**
 * Whether two maps of strings or booleans (the "map" and "flags" fields) are equal as their stable JSON
 * is, without writing it: a large API compares thousands. Undefined when either holds anything else
 * (a nested value, a number: JSON's own rules decide), or when one is not a plain map.
 */
function flatMapEqual(a: unknown, b: unknown): boolean | undefined {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) || Array.isArray(b)) return undefined;
  const x = a as AnyRecord;
  const y = b as AnyRecord;
  let defined = 0;
  let equal = true;
  for (const key of Object.keys(x)) {
    const value = x[key];
    if (value === undefined) continue; // as JSON: an undefined member is no member
    if (typeof value !== "string" && typeof value !== "boolean") return undefined;
    defined++;
    if (equal && (!hasOwn(y, key) || y[key] !== value)) equal = false;
  }
  for (const key of Object.keys(y)) {
    const value = y[key];
    if (value === undefined) continue;
    if (typeof value !== "string" && typeof value !== "boolean") return undefined;
    defined--;
  }
  return equal && defined === 0;
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
      return [scalarPatch(spec, path, after)];
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
    case "flags":
      return mapPatch(spec, path, asRecord(before), asRecord(after));
  }
}

/**
 * Unset: back to AWS's default where the field has one (a flag), else `remove` where AWS takes it, else
 * `replace` with an empty value (how AWS clears such a field).
 */
function scalarPatch(spec: FieldSpec, path: string, after: unknown): PatchOperation {
  const value = after ?? spec.awsDefault;
  if (value !== undefined) return { op: "replace", path, value: scalarText(value) };
  return spec.ops.includes("remove") ? { op: "remove", path } : { op: "replace", path, value: "" };
}

function mapPatch(spec: FieldSpec, path: string, was: AnyRecord, now: AnyRecord): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const addOp = spec.ops.includes("add") ? "add" : "replace";
  // Own keys only: a variable or template named `toString` must be removed, and added (not replaced).
  for (const key of Object.keys(was).sort()) {
    if (!hasOwn(now, key)) ops.push({ op: "remove", path: `${path}/${escapeSegment(key)}` });
  }
  for (const key of Object.keys(now).sort()) {
    const value = String(now[key]);
    if (!hasOwn(was, key)) ops.push({ op: addOp, path: `${path}/${escapeSegment(key)}`, value });
    else if (String(was[key]) !== value) ops.push({ op: "replace", path: `${path}/${escapeSegment(key)}`, value });
  }
  return ops;
}

function emptyToUnset(value: unknown): unknown {
  return value === "" ? undefined : value;
}

function scalarText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
