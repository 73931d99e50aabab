// The state one RestApi plan builds up: the operations so far, the ids of those that later operations
// wait for, and what every change's operation needs to say where it acts (API id, resource id, method).
import type { Planned } from "../../aws/calls.ts";
import type { Change, Operation, Ref } from "../../model/changes.ts";
import type { LiveRestApi } from "../../model/live.ts";
import { restApiArn, stageArn } from "../../model/arn.ts";
import { ownValue } from "../../model/own.ts";
import type { MethodModel, RestApiModel } from "../../model/types.ts";
import type { RestApiDiff } from "./diff.ts";
import type { RestApiPlanContext } from "./plan.ts";

/** An operation as a handler writes it: `after` may repeat ids, and name undefined for a dependency this plan does not create. */
export type OperationDraft = Omit<Operation, "group" | "after"> & { after?: (string | undefined)[] };

/** A reference to the id an earlier operation answers (`format` wraps it, e.g. into an ARN). */
export const ref = (name: string, format?: string): Ref & { format?: string } => (format ? { $ref: name, format } : { $ref: name });

/** Where a method-level call acts: the API, the resource and the HTTP method. */
export interface MethodLocation {
  restApiId: Planned<string>;
  resourceId: Planned<string>;
  httpMethod: string;
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
  private where: MethodLocation | undefined;

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
    return `${this.path} ${this.httpMethod}`;
  }

  get responseKey(): string {
    return `${this.path} ${this.httpMethod} ${this.change.id.statusCode}`;
  }

  get method(): MethodModel | undefined {
    const { httpMethod } = this.change.id;
    // Names from change ids are looked up as own entries only (see model/own.ts).
    return httpMethod ? ownValue(ownValue(this.plan.desired.resources, this.path)?.methods, httpMethod) : undefined;
  }

  get location(): MethodLocation {
    this.where ??= { restApiId: this.plan.restApiId, resourceId: this.plan.resourceId(this.path), httpMethod: this.httpMethod };
    return this.where;
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
