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
    const after = [...new Set((draft.after ?? []).filter((a): a is string => a !== undefined))];
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
    return this.ops.map((o) => o.id);
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
  const { id } = change;
  const path = id.path ?? "/";
  const httpMethod = id.httpMethod ?? "";
  const methodKey = `${path} ${httpMethod}`;
  const { restApiId } = plan;
  return {
    change,
    index,
    path,
    httpMethod,
    statusCode: id.statusCode ?? "",
    methodKey,
    responseKey: `${methodKey} ${id.statusCode}`,
    // Names from change ids are looked up as own entries only (see model/own.ts).
    method: id.httpMethod ? ownValue(ownValue(plan.desired.resources, path)?.methods, id.httpMethod) : undefined,
    location: { restApiId, resourceId: plan.resourceId(path), httpMethod },
    liveLocation: () => {
      const livePath = plan.diff.resourceMatch.get(path) ?? path;
      return { restApiId, resourceId: ownValue(plan.live?.resourceIds, livePath) ?? plan.resourceId(path), httpMethod };
    },
  };
}
