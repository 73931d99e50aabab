// The diff and plan model: plain data, rendered by report/, executed by engine/apply.

/** What a change is about: a manifest object's kind ("RestApi") or one of its parts ("Method"); each kind lists its own. */
export type ChangeKind = string;

export type ChangeAction = "create" | "update" | "delete" | "replace";

export interface PatchOperation {
  op: "add" | "remove" | "replace" | "copy";
  path: string;
  value?: string;
}

export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

/**
 * The typed address of what a change is about: the field its kind names as root holds the manifest name
 * (`api`, `role`…), the others the part inside it. One address per object, never parsed back out of a string.
 */
export interface ChangeId {
  api?: string;
  path?: string;
  httpMethod?: string;
  statusCode?: string;
  stage?: string;
  role?: string;
  policy?: string;
  /** Address parts of other kinds (their root and parts), by name. */
  [part: string]: string | undefined;
}

export interface Change {
  kind: ChangeKind;
  action: ChangeAction;
  id: ChangeId;
  fields: FieldChange[];
  /** The API Gateway PatchOperations an update sends (empty for creates, deletes and IAM). */
  patch: PatchOperation[];
  /** Why a deployment or replacement happens, in words. */
  reason?: string;
  /** pending: the manifest changed since the last apply; drift: AWS was changed out of band. */
  cause?: "pending" | "drift";
  /** Why this change broadens permissions (IAM, resource policy, authorization), if it does. */
  security?: string[];
  /** "account/Region" of the object, set when a pass spans more than one. */
  target?: string;
}

/**
 * A reference to an id that an earlier operation produces (a new API, resource…): of the same group, or of
 * `group` (another object the operation's object requires, e.g. the API a usage plan covers).
 */
export interface Ref {
  $ref: string;
  group?: string;
}

/**
 * A secret the operation sends (an API key's value), named, never held: the plan, its reports and its
 * JSON carry only the name; apply reads the value from the environment at the moment of the call.
 */
export interface SecretRef {
  $secret: { env: string };
}

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === "object" && value !== null && "$secret" in value && typeof (value as SecretRef).$secret?.env === "string";
}

export function isRef(value: unknown): value is Ref {
  return typeof value === "object" && value !== null && "$ref" in value && typeof (value as Ref).$ref === "string";
}

/** The services the tool calls: API Gateway and IAM (reads and writes), CloudTrail (reads: what changed). */
export type Service = "apigateway" | "iam" | "cloudtrail";

export interface Operation {
  /** Unique within the plan; `after` lists ids. */
  id: string;
  service: Service;
  call: string;
  input: Record<string, unknown>;
  after: string[];
  /** Name of the ref this operation's answer defines (e.g. "api", "resource:/{folder}", "deployment"). */
  produces?: string;
  /** API or role key: a failure stops the rest of its group. */
  group: string;
  /** Index into Plan.changes this operation carries out. */
  change?: number;
  /** What this operation deletes that other kinds' objects may reference (a readiness key: `RestApi/my-s3/stages/dev`). */
  removes?: string;
  /**
   * What this operation stops referencing (readiness keys): deleting it waits for this operation. AWS drops a
   * deleted stage from its usage plans and then refuses to remove it from them (404): the plan lets go first.
   */
  releases?: string[];
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  replace: number;
  redeploy: number;
}

export interface Plan {
  changes: Change[];
  operations: Operation[];
  summary: PlanSummary;
  /** Groups not written because of observe mode, ownership or guards, with the reason. */
  skipped: { group: string; reason: string }[];
}

export function summarize(changes: readonly Change[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, delete: 0, replace: 0, redeploy: 0 };
  for (const change of changes) {
    if (change.kind === "Deployment") summary.redeploy++;
    else summary[change.action]++;
  }
  return summary;
}
