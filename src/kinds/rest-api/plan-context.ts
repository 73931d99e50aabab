// The state one RestApi plan builds up: the operations so far, the ids of those that later operations
// wait for, and what every change's operation needs to say where it acts (API id, resource id, method).
import type { Planned, PlannedCall } from "../../aws/calls.ts";
import type { Change, Operation, Ref } from "../../model/changes.ts";
import type { LiveRestApi } from "../../model/live.ts";
import { restApiArn, stageArn } from "../../model/arn.ts";
import { ownValue } from "../../model/own.ts";
import type { MethodModel, RestApiModel } from "../../model/types.ts";
import type { RestApiDiff } from "./diff.ts";
import type { RestApiPlanContext } from "./plan.ts";

/** An operation as a handler writes it: `after` may repeat ids, and name undefined for a dependency this plan does not create. */
export type OperationDraft = Omit<Operation, "group" | "after"> & { after?: (string | undefined)[] };

/**
 * The readiness key of an API's stage, `${group}/stages/${stage}`: what requires it (a usage plan, a
 * base-path mapping) waits on it once created, and lets go of it before it is deleted.
 */
export function stageKey(apiGroup: string, stage: string): string {
  return `${apiGroup}/stages/${stage}`;
}

/** A reference to the id an earlier operation answers (`format` wraps it, e.g. into an ARN). */
export const ref = (name: string, format?: string): Ref & { format?: string } => (format ? { $ref: name, format } : { $ref: name });

/** Where a method-level call acts: the API, the resource and the HTTP method. */
export interface MethodLocation {
  restApiId: Planned<string>;
  resourceId: Planned<string>;
  httpMethod: string;
}

/**
 * A method-level call's input: where it acts, then the call's own fields, in that order. Written out and
 * then spread: `{ ...where, statusCode, … }` adds members to a copy of `where` made without room for them,
 * which took microseconds per call (thousands of calls for a large API).
 */
export function inputAt<T extends object>(where: MethodLocation, fields: T): MethodLocation & T {
  return { restApiId: where.restApiId, resourceId: where.resourceId, httpMethod: where.httpMethod, ...fields };
}

export class RestApiPlan {
  readonly diff: RestApiDiff;
  readonly desired: RestApiModel;
  readonly live: LiveRestApi | undefined;
  readonly context: RestApiPlanContext;
  /** Every operation's group: a failure stops the rest of this API. */
  readonly group: string;
  readonly ops: Operation[] = [];
  /** The live API's id, or a ref to the one CreateRestApi answers. */
  readonly restApiId: Planned<string>;
  /** Stage name → the operation after which the stage exists on its new deployment (CreateDeployment through it, or CreateStage). */
  readonly stagesReady = new Map<string, string>();
  /** Set once CreateRestApi is planned: every later operation of the API waits for it. */
  createApiOp: string | undefined;

  // Ids of the operations that create what later operations build on, keyed by resource path, by method
  // key ("<path> <METHOD>") or by response key ("<path> <METHOD> <status>").
  readonly resourceCreateOp = new Map<string, string>();
  readonly methodPutOp = new Map<string, string>();
  readonly integrationPutOp = new Map<string, string>();
  readonly methodResponsePutOp = new Map<string, string>();
  readonly integrationResponseDeleteOp = new Map<string, string>();
  /** Each DeleteMethodResponse with its response key: its sibling DeleteIntegrationResponse may only be planned later. */
  readonly methodResponseDeletes: { op: Operation; responseKey: string }[] = [];
  /** Resource deletes and renames: creates (and renames into a variable part) wait for the slots they free. */
  readonly resourceDeleteOps: string[] = [];
  readonly renameOps: string[] = [];
  /** Declarations (a method's parameters, a method response's headers) and the writes that use them, by key. */
  readonly declarations = { method: new Map<string, Operation>(), methodResponse: new Map<string, Operation>() };
  readonly uses = { method: new Map<string, Operation>(), methodResponse: new Map<string, Operation>() };
  /** What the changes of one method share; the diff lists them one after another, so the last one is kept. */
  private lastMethod: MethodShared | undefined;

  constructor(diff: RestApiDiff, desired: RestApiModel, live: LiveRestApi | undefined, context: RestApiPlanContext) {
    this.diff = diff;
    this.desired = desired;
    this.live = live;
    this.context = context;
    this.group = `RestApi/${desired.key}`;
    this.restApiId = live?.id ?? ref("api");
  }

  /** Appends an operation of this API, its `after` without undefined and repeats, and returns it. */
  add(draft: OperationDraft): Operation {
    const after = distinctIds(draft.after);
    if (this.createApiOp && draft.id !== this.createApiOp && !after.includes(this.createApiOp)) after.push(this.createApiOp);
    // The draft becomes the operation (not a copy): its fields keep the order the handler wrote them in.
    const planned = draft as Operation;
    planned.group = this.group;
    planned.after = after;
    this.ops.push(planned);
    return planned;
  }

  /**
   * `add` for the calls a large API makes thousands of (a method's puts): the same operation, its members
   * in the same order, written out rather than spread from sdkCall's answer (a slow copy, each time).
   */
  addPut(id: string, { service, call, input }: PlannedCall, after: (string | undefined)[], change: number): Operation {
    return this.add({ id, service, call, input, after, change });
  }

  /** The ids of every operation planned so far, in order. */
  opIds(): string[] {
    const ids = this.ops.map((o) => o.id);
    // Operation ids are unique: add() need not sift this list (the deployment's and the final tagging's `after`).
    distinctLists.add(ids);
    return ids;
  }

  /** Index of the first change that matches, for an operation's `change`. */
  changeIndex(predicate: (c: Change) => boolean): number | undefined {
    const i = this.diff.changes.findIndex(predicate);
    return i >= 0 ? i : undefined;
  }

  /** The key, desired model and location of a method, made once for all the changes of the method. */
  methodShared(path: string, httpMethod: string): MethodShared {
    const last = this.lastMethod;
    if (last !== undefined && last.path === path && last.httpMethod === httpMethod) return last;
    // Names from change ids are looked up as own entries only (see model/own.ts).
    const method = httpMethod ? ownValue(ownValue(this.desired.resources, path)?.methods, httpMethod) : undefined;
    const shared = { path, httpMethod, key: `${path} ${httpMethod}`, method, location: { restApiId: this.restApiId, resourceId: this.resourceId(path), httpMethod } };
    this.lastMethod = shared;
    return shared;
  }

  /** A desired resource's id: the live id of the resource it matched, or a ref to the one this plan creates. */
  resourceId(path: string): Planned<string> {
    const livePath = this.diff.resourceMatch.get(path);
    return (livePath !== undefined && this.live ? ownValue(this.live.resourceIds, livePath) : undefined) ?? ref(`resource:${path}`);
  }

  apiArn(): Planned<string> {
    const { region, partition } = this.context;
    return this.live ? restApiArn(region, this.live.id, partition) : ref("api", restApiArn(region, "{}", partition));
  }

  stageArn(name: string): Planned<string> {
    const { region, partition } = this.context;
    return this.live ? stageArn(region, this.live.id, name, partition) : ref("api", stageArn(region, "{}", name, partition));
  }
}

/**
 * A method's key ("<path> <METHOD>"), its desired model and where its calls act: the same for each of its
 * changes (eight for a new method with three responses). Its location is only ever copied into inputs.
 */
interface MethodShared {
  readonly path: string;
  readonly httpMethod: string;
  readonly key: string;
  readonly method: MethodModel | undefined;
  readonly location: MethodLocation;
}

/** One change of the diff as its handler needs it: what it is about, named and looked up once. */
export interface ChangeTarget {
  change: Change;
  /** The change's index in the diff, for its operations' `change`. */
  index: number;
  path: string;
  httpMethod: string;
  statusCode: string;
  /** "<path> <METHOD>": keys the method's operations. */
  methodKey: string;
  /** "<path> <METHOD> <status>": keys a response's operations. */
  responseKey: string;
  /** The desired method, if the change names one the manifest has. */
  method: MethodModel | undefined;
  /** Where a create or update acts. */
  location: MethodLocation;
  /** Where a delete acts: the live resource, which a renamed resource still is under its live path. */
  liveLocation: () => MethodLocation;
}

export function changeTarget(plan: RestApiPlan, change: Change, index: number): ChangeTarget {
  return new Target(plan, change, index);
}

/**
 * A ChangeTarget whose lookups are made when a handler first reads them: a large API's plan has one per
 * change, and most handlers read only part of it (a resource change no method, a delete no location).
 */
class Target implements ChangeTarget {
  readonly change: Change;
  readonly index: number;
  readonly path: string;
  readonly httpMethod: string;
  readonly statusCode: string;
  private readonly plan: RestApiPlan;

  constructor(plan: RestApiPlan, change: Change, index: number) {
    const { id } = change;
    this.plan = plan;
    this.change = change;
    this.index = index;
    this.path = id.path ?? "/";
    this.httpMethod = id.httpMethod ?? "";
    this.statusCode = id.statusCode ?? "";
  }

  get methodKey(): string {
    return this.plan.methodShared(this.path, this.httpMethod).key;
  }

  get responseKey(): string {
    return `${this.methodKey} ${this.change.id.statusCode}`;
  }

  get method(): MethodModel | undefined {
    return this.plan.methodShared(this.path, this.httpMethod).method;
  }

  get location(): MethodLocation {
    return this.plan.methodShared(this.path, this.httpMethod).location;
  }

  liveLocation(): MethodLocation {
    const { plan, path, httpMethod } = this;
    const livePath = plan.diff.resourceMatch.get(path) ?? path;
    return { restApiId: plan.restApiId, resourceId: ownValue(plan.live?.resourceIds, livePath) ?? plan.resourceId(path), httpMethod };
  }
}

/** Lists known to hold distinct ids and no undefined (RestApiPlan.opIds). */
const distinctLists = new WeakSet<readonly (string | undefined)[]>();

/** The ids named, in order, without undefined and repeats. */
function distinctIds(ids: readonly (string | undefined)[] | undefined): string[] {
  const out: string[] = [];
  if (ids === undefined) return out;
  if (distinctLists.has(ids)) return ids.slice() as string[];
  // A handler names a few dependencies; only the deployment and the final tagging name every operation.
  if (ids.length > 8) return [...new Set(ids.filter((a): a is string => a !== undefined))];
  for (const id of ids) if (id !== undefined && !out.includes(id)) out.push(id);
  return out;
}
