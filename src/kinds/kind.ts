// The contract of a kind: everything the loader, the engine and the reports need to know about one kind of
// manifest object, declared in the kind's own folder. The engine iterates the registry (kinds/index.ts)
// and names no kind; adding a kind is a folder and one registry line.
//
// The shape follows Crossplane's ExternalClient: observe states facts (what exists, whose it is), the
// engine decides; diff and plan are pure functions over plain data (the plan is data, Terraform-style).
import type { ZodType } from "zod";
import type { AwsCallError } from "../aws/errors.ts";
import type { Gateway } from "../aws/gateway.ts";
import type { CheckProblem } from "../manifest/checks.ts";
import type { FieldPath } from "../manifest/issues.ts";
import type { Change, Operation, Ref } from "../model/changes.ts";
import type { Target } from "../model/placeholders.ts";
import type { DesiredObject, ObjectModel, SourceRef } from "../model/types.ts";

/** What a kind's loader may know of the other documents (valid or not). */
export interface ManifestIndex {
  /** metadata.name of every document of `kind`, valid or not (a reference to a broken document is not "missing"). */
  declared(kind: string): ReadonlySet<string>;
  /** What a valid document of `kind` exports for others (KindHandler.exportsOf), e.g. a role's name and path. */
  exported(kind: string, name: string): unknown;
  /** Whether a file that could not be read mentions `name` (a reference into it is not reported as missing). */
  inUnreadFile?(name: string): boolean;
}

/** A live object as every kind reports it: its model in the desired shape and its tags (ownership included). */
export interface LiveObject<M extends ObjectModel = ObjectModel> {
  model: M;
  tags: Record<string, string>;
}

/** One desired object as observed: its live counterpart (absent: to create), and whether it is adopted. */
export interface ObservedObject<L extends LiveObject = LiveObject> {
  kind: string;
  key: string;
  live?: L;
  /** Taken over from an untagged object (spec.adopt: true). */
  adopted: boolean;
}

/** An owned live object whose manifest is gone: a prune candidate. */
export interface Orphan<L = unknown> {
  kind: string;
  key: string;
  /** How the prune guard names it ("RestApi legacy (a1b2c3)"). */
  label: string;
  live: L;
}

/**
 * What the last full scan (and the passes since) read, for a pass that knows from CloudTrail which
 * objects were written since: an object no write event names is taken from here instead of re-read.
 * Keyed by the object's AWS identity (API id, role name), as the kind's `events` name it.
 */
export interface ReadCache {
  /** The object as last read, when no write since can have changed it; undefined: read it. */
  reuse<L>(awsId: string): L | undefined;
  /** What this pass read (or reused): the next pass starts from it. */
  remember(awsId: string, live: unknown): void;
}

/** One CloudTrail management event as the change feed hands it to a kind: what was called, with which request. */
export interface WriteEvent {
  eventName: string;
  requestParameters: Record<string, unknown>;
  responseElements: Record<string, unknown>;
  /** Resources CloudTrail lists for the event (name = an id, an ARN). */
  resources: { type?: string; name?: string }[];
}

export interface ObserveContext {
  owner: string;
  /** Whether orphans are wanted even when listing them costs calls (--prune on the part that prunes this scope). */
  prune: boolean;
  /** Every manifest name of this kind loaded, selected or not: another shard's object is never an orphan. */
  knownNames: ReadonlySet<string>;
  /** Present on an incremental pass (--changes-from cloudtrail): reuse what no write event names. */
  cache?: ReadCache;
  /**
   * One answer per pass for a read several kinds need (GetRestApis: RestApi claims from it, the kinds
   * that map API ids back to manifest names use it too): the first caller reads, the others wait for it.
   */
  shared?: <T>(key: string, read: () => Promise<T>) => Promise<T>;
  /** Called as objects are read (done of total): the CLI shows `[120/500] APIs read` on a terminal. */
  progress?: (done: number, total: number) => void;
}

export interface KindObservation<L extends LiveObject = LiveObject> {
  objects: ObservedObject<L>[];
  orphans: Orphan<L>[];
  /** Ownership conflicts (claimed by another owner, unmanaged without adopt…): the pass stops before any write. */
  errors: string[];
  /** ARNs read along the way: the account and partition are taken from them instead of asking STS. */
  arns?: string[];
}

/**
 * What objects planned earlier in the pass make available: a key (a role's ARN, an API stage…) → the id of
 * the operation after which it exists. Kinds that require others are planned after them and wait on these.
 */
export type Readiness = Map<string, string>;

export interface KindPlanContext {
  /** The model as the manifest says, before ignore rules: the spec hash written with the object is of it. */
  manifest: ObjectModel;
  target: Target;
  owner: string;
  /** Git commit of the manifests (deployment descriptions). */
  revision?: string;
  ready: Readiness;
  /** The AWS id of every object planned so far by group ("RestApi/my-s3"): the live id, or a ref to its create's answer. */
  ids: ReadonlyMap<string, string | Ref>;
}

export interface KindDiffContext {
  /** The model as the manifest says, before ignore rules: hashes are of it. */
  manifest: ObjectModel;
  target: Target;
}

export interface KindDiff {
  changes: Change[];
}

/** A kind. M: its desired model; L: its live object; D: its diff (changes and what its plan needs besides). */
export interface KindHandler<M extends ObjectModel = ObjectModel, L extends LiveObject<M> = LiveObject<M>, D extends KindDiff = KindDiff, Doc = unknown> {
  /** The manifest `kind:` and the change kind of the object itself. */
  kind: string;
  /** How people count its objects ("APIs"): the progress line `[120/500] APIs read`. */
  plural: string;
  /** Every Change.kind its diff produces (its own kind first): reports and groups find the kind by them. */
  changeKinds: readonly string[];
  /** The field of Change.id that holds the manifest name (the address root): `api` for RestApi. */
  root: string;
  /** Kinds whose objects this one references: planned before it (and pruned after it). */
  requires: readonly string[];
  /** "region": one per Region; "account": global in the account (IAM), listed for prune by one part only. */
  scope: "region" | "account";
  /** The report's name for one change's object inside the manifest object ("GET /{folder}"). */
  describe(change: Change): string;
  /** The label of the object in metrics (stable, never holds a '/'-free name of another kind). */
  metricLabel(name: string): string;

  /** The whole document's strict schema (apiVersion, kind, metadata, spec); the JSON Schema is derived from it. */
  documentSchema: ZodType<Doc>;
  /** What other documents may use of a valid one (a role's name, path, account). */
  exportsOf?(doc: Doc): unknown;
  /** Checks the schema cannot express, with field paths. */
  check(doc: Doc, index: ManifestIndex): CheckProblem[];
  /** A valid document → its desired object, defaults filled as observe fills them. */
  expand(doc: Doc, index: ManifestIndex, source: SourceRef): DesiredObject<string, M>;
  /** Whether the model needs the account id to be compared (beyond ${AWS_ACCOUNT_ID} placeholders). */
  needsAccountId?(model: M): boolean;

  /** Reads what the desired objects need, in the fewest calls, and states ownership facts. */
  observe(gateway: Gateway, desired: readonly DesiredObject<string, M>[], context: ObserveContext): Promise<KindObservation<L>>;

  /** Of the manifest as written: tells pending from drift (stored as a tag and in the state file). */
  specHash(model: M): string;
  diff(desired: M, live: L | undefined, context: KindDiffContext): D;
  /** The object's AWS id when live, else a ref to the answer of the call that creates it (for objects that require it). */
  idOf?(live: L | undefined, group: string): string | Ref;
  /** The live object with another model (to diff the last applied spec against the same live ids). */
  withModel(live: L, model: M): L;
  /** The operations of one object; Operation.change indexes diff.changes. */
  plan(diff: D, desired: M, live: L | undefined, context: KindPlanContext): Operation[];
  /** The operations that delete an orphan; `change` is the index of its delete change in the plan. */
  prune(orphan: Orphan<L>, group: string, change: number): Operation[];
  /** Why a change broadens access (IAM, resource policy, authorization), in words. */
  securityNotes(change: Change): string[];
  /**
   * How CloudTrail names this kind's objects: the event source of its writes and the AWS identities
   * (the keys of its ReadCache) an event names. A kind without it is read in full on every pass.
   */
  events?: { source: string; ids(event: WriteEvent): string[] };
  /**
   * What apply must know of some of its calls, by call name: lost-answer recovery (retries must never make
   * duplicates), errors AWS answers while something settles, and ids an answer yields besides its own.
   */
  recovery?: Readonly<Record<string, CallRecovery>>;
}

/** How apply treats one of a kind's calls: after a lost answer (the call may have taken effect), while AWS settles. */
export interface CallRecovery {
  /** The object a create made, looked up by what identifies it (ownership tags, parent and path…). */
  find?(input: Record<string, unknown>, gateway: Gateway): Promise<{ id: string } | undefined>;
  /** Whether this error, after a lost answer, means the earlier attempt took effect ("already exists"). */
  alreadyDone?(error: AwsCallError): boolean;
  /**
   * An error AWS answers while something this call needs is still settling (a stage created a moment
   * ago): retried, for at most `withinMs` after the first attempt.
   */
  settling?: {
    matches(error: AwsCallError): boolean;
    withinMs: number;
    /** The failure's message once retrying stopped, after `waitedMs` (the default: AWS's own). */
    gaveUp?(error: AwsCallError, waitedMs: number): string;
  };
  /** Ids the answer yields besides its own `id`, by the ref name operations use in the same group ("resource:/"). */
  produced?(answer: Record<string, unknown>, gateway: Gateway): Promise<Record<string, string>>;
}

/** A kind as the registry holds it: its model and live types erased. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKind = KindHandler<any, any, any, any>;

/** The group of a manifest object: how plans name operation groups, state entries and skipped objects. */
export function groupKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/**
 * One document a composite kind writes for another kind: a plain manifest document (apiVersion, kind,
 * metadata, spec), validated, checked and expanded exactly as a written one would be.
 */
export interface GeneratedDocument {
  document: { apiVersion: string; kind: string; metadata: { name: string }; spec: unknown };
  /**
   * The field of the composite document that a problem at `path` of this document comes from, so that
   * a message points at what the author wrote (a stage setting → `spec.stage…`), not at a generated line.
   */
  fieldOf: (path: FieldPath) => FieldPath;
}

/**
 * A kind that only exists in manifests: the loader validates and checks its document, then replaces it by
 * the documents of other kinds it expands to (S3Proxy → RestApi + IamRole). Nothing past the loader sees
 * it, except as the `origin` of the objects it made: it has no observe, diff or plan of its own.
 */
export interface CompositeKind<Doc = unknown> {
  kind: string;
  /** The whole document's strict schema; the JSON Schema is derived from it as from a kind's. */
  documentSchema: ZodType<Doc>;
  /** Checks the schema cannot express (an operation exposed without the access it needs), with field paths. */
  check(doc: Doc): CheckProblem[];
  /** A valid, checked document → the documents it stands for, in the order `render` prints them. */
  expandsTo(doc: Doc): GeneratedDocument[];
}

/** A composite kind as the registry holds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCompositeKind = CompositeKind<any>;
