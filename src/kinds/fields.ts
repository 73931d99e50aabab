// One table per object kind: each field declared once — model (= manifest) name, default, how AWS
// answers it, its name in the create/put input, how it is compared, its patch path and the ops AWS
// accepts on it, whether it needs a deployment. Expand (defaults), observe (reading AWS's answer),
// create inputs, diff, patch operations, rendering and export (what differs from the default) derive
// from these tables.
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
  /** The value when the manifest leaves the field out: the same one observe fills when AWS leaves it out. */
  default?: string | number | boolean;
  /** How a scalar is read from AWS's answer ("" reads as unset). Absent: not read by readFields (a kind reads it itself). */
  read?: "string" | "number" | "boolean";
  /** Its name in the create/put call's input, when not `field` (PutIntegration calls httpMethod integrationHttpMethod). */
  input?: string;
  /** Whether a change of it needs a new deployment to reach callers (API-level fields; stages and tags never do). */
  deployable?: boolean;
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

// Defaults are AWS's own (API_CreateRestApi, API_PutMethod, API_PutIntegration): REGIONAL endpoints are
// what this tool creates unless told (AWS's own default is EDGE), HEADER API key source, NONE
// authorization, WHEN_NO_MATCH passthrough, 29 s integration timeout.
export const REST_API_FIELDS: FieldSpec[] = [
  // Name and description are shown in the console only: a change needs no deployment.
  { field: "name", type: "scalar", patch: "/name", ops: REPLACE, deployable: false },
  { field: "description", type: "scalar", patch: "/description", ops: REPLACE_OR_REMOVE, deployable: false },
  { field: "endpointType", type: "scalar", patch: "/endpointConfiguration/types/0", ops: REPLACE, default: "REGIONAL", deployable: true },
  { field: "binaryMediaTypes", type: "set", patch: "/binaryMediaTypes", ops: PER_MEMBER, deployable: true },
  { field: "minimumCompressionSize", type: "scalar", patch: "/minimumCompressionSize", ops: REPLACE, deployable: true },
  { field: "apiKeySource", type: "scalar", patch: "/apiKeySource", ops: REPLACE, default: "HEADER", read: "string", deployable: true },
  { field: "disableExecuteApiEndpoint", type: "scalar", patch: "/disableExecuteApiEndpoint", ops: REPLACE, awsDefault: false, default: false, read: "boolean", deployable: true },
  { field: "policy", type: "policy", patch: "/policy", ops: REPLACE, deployable: true },
];

export const METHOD_FIELDS: FieldSpec[] = [
  { field: "authorizationType", type: "scalar", patch: "/authorizationType", ops: REPLACE, default: "NONE", read: "string" },
  { field: "apiKeyRequired", type: "scalar", patch: "/apiKeyRequired", ops: REPLACE, awsDefault: false, default: false, read: "boolean" },
  { field: "operationName", type: "scalar", patch: "/operationName", ops: REPLACE, read: "string" },
  { field: "requestParameters", type: "flags", patch: "/requestParameters", ops: PER_KEY },
];

export const INTEGRATION_FIELDS: FieldSpec[] = [
  // No patch path: a new type is a PutIntegration, which replaces the integration.
  { field: "type", type: "scalar", ops: [], read: "string" },
  { field: "httpMethod", type: "scalar", patch: "/httpMethod", ops: REPLACE, read: "string", input: "integrationHttpMethod" },
  { field: "uri", type: "scalar", patch: "/uri", ops: REPLACE, read: "string" },
  { field: "credentials", type: "scalar", patch: "/credentials", ops: REPLACE, read: "string" },
  { field: "requestParameters", type: "map", patch: "/requestParameters", ops: PER_KEY },
  { field: "requestTemplates", type: "map", patch: "/requestTemplates", ops: PER_KEY },
  { field: "passthroughBehavior", type: "scalar", patch: "/passthroughBehavior", ops: REPLACE, default: "WHEN_NO_MATCH", read: "string" },
  { field: "contentHandling", type: "scalar", patch: "/contentHandling", ops: REPLACE, read: "string" },
  { field: "timeoutInMillis", type: "scalar", patch: "/timeoutInMillis", ops: REPLACE, default: 29000, read: "number" },
  { field: "cacheKeyParameters", type: "set", patch: "/cacheKeyParameters", ops: PER_MEMBER },
];

/** The default of a field of a table (what the manifest means by leaving it out). */
export function fieldDefault<T extends string | number | boolean>(table: readonly FieldSpec[], field: string): T {
  const value = table.find((spec) => spec.field === field)?.default;
  if (value === undefined) throw new Error(`internal: ${field} has no default in its field table`);
  return value as T;
}

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

// ---------------------------------------------------------------- derived: expand, observe, inputs, export

/** The table's fields of a manifest object, defaults filled: scalars as given or their default, maps {}, sets sorted. */
export function fillDefaults(table: readonly FieldSpec[], given: object): AnyRecord {
  const source = given as AnyRecord;
  const out: AnyRecord = {};
  for (const spec of table) {
    const value = source[spec.field];
    if (spec.type === "map" || spec.type === "flags") out[spec.field] = value ?? {};
    else if (spec.type === "set") out[spec.field] = [...((value as string[] | undefined) ?? [])].sort();
    else out[spec.field] = value ?? spec.default;
  }
  return out;
}

/** The table's fields (those it says how to read) of an AWS answer, in the model's shape with the same defaults. */
export function readFields(table: readonly FieldSpec[], raw: object): AnyRecord {
  const source = raw as AnyRecord;
  const out: AnyRecord = {};
  for (const spec of table) {
    const value = source[spec.field];
    if (spec.type === "map" || spec.type === "flags") out[spec.field] = { ...asRecord(value) };
    else if (spec.type === "set") out[spec.field] = [...((value as string[] | undefined) ?? [])].sort();
    else if (spec.read) out[spec.field] = readScalar(spec.read, value) ?? spec.default;
  }
  return out;
}

function readScalar(kind: "string" | "number" | "boolean", value: unknown): unknown {
  if (value === undefined || value === null || value === "") return undefined;
  if (kind === "number") return Number(value);
  if (kind === "boolean") return Boolean(value);
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

/** A create/put call's input from a model: set scalars, non-empty maps and sets, under their input names, in table order. */
export function createInput(table: readonly FieldSpec[], model: object): AnyRecord {
  const source = model as AnyRecord;
  const out: AnyRecord = {};
  for (const spec of table) {
    const value = source[spec.field];
    if (value === undefined || spec.type === "policy") continue;
    if ((spec.type === "map" || spec.type === "flags") && Object.keys(asRecord(value)).length === 0) continue;
    if (spec.type === "set" && (value as unknown[]).length === 0) continue;
    out[spec.input ?? spec.field] = value;
  }
  return out;
}

/** What a manifest must say to mean this model: the table's fields that differ from their defaults (export). */
export function nonDefaultFields(table: readonly FieldSpec[], model: object): AnyRecord {
  const source = model as AnyRecord;
  const out: AnyRecord = {};
  for (const spec of table) {
    const value = source[spec.field];
    if (value === undefined || value === spec.default || value === spec.awsDefault) continue;
    if ((spec.type === "map" || spec.type === "flags") && Object.keys(asRecord(value)).length === 0) continue;
    if (spec.type === "set" && (value as unknown[]).length === 0) continue;
    out[spec.field] = value;
  }
  return out;
}

/** The fields whose change needs a deployment. */
export function deployableFields(table: readonly FieldSpec[]): string[] {
  return table.filter((spec) => spec.deployable === true).map((spec) => spec.field);
}

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
      return setEqual((a as string[] | undefined) ?? [], (b as string[] | undefined) ?? []);
    case "map":
    case "flags":
      return flatMapEqual(a ?? {}, b ?? {}) ?? stableStringify(a ?? {}) === stableStringify(b ?? {});
    case "scalar":
      // A field cleared with `replace ""` may read back as "" or be absent: both mean unset.
      return (emptyToUnset(a) ?? spec.awsDefault) === (emptyToUnset(b) ?? spec.awsDefault);
  }
}

/**
 * Whether two sets are equal as their sorted stable JSON is. Two empty ones are: the usual case (no cache
 * keys, no binary types, in thousands of integrations) is answered without copying, sorting and writing.
 */
function setEqual(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 && b.length === 0) return true;
  return stableStringify([...a].sort()) === stableStringify([...b].sort());
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
