// The one pass, shared by the CLI (`apply`, `plan`, `drift`) and the controller loop (`run`):
// load → select → read state → observe → plan → (apply) → alerts → write state → PassReport.
// It prints nothing and never exits: the CLI renders the report and picks the exit code; the loop logs,
// counts and serves it. Dry-run is "stop before apply" (see applyPlanned), nothing more.
import { AwsCallError } from "../aws/errors.ts";
import { PassAbortedError } from "../aws/quotas.ts";
import type { Gateway } from "../aws/gateway.ts";
import { formatIssue, ManifestError } from "../manifest/issues.ts";
import { loadManifests, type LoadedManifests } from "../manifest/load.ts";
import { parseSelector, selectDesired, SelectorError } from "../manifest/selector.ts";
import { decideAlerts } from "../notify/decide.ts";
import { DEFAULT_DELIVERY, deliverAlerts } from "../notify/deliver.ts";
import { alertPayloads, type AlertFormat } from "../notify/payloads.ts";
import { OwnershipError } from "./observe.ts";
import type { PassKind, PassReport } from "./pass-report.ts";
import { PruneGuardError } from "./plan.ts";
import { applyPlanned, planPass, type PassOptions, type PassResult as ReconcileResult, type Planned } from "./reconcile.ts";
import { addCalls, guardDeletions, joinResults, prunesAccountScope, splitByTarget, type TargetPart } from "./targets.ts";
import type { DesiredState, TargetSpec } from "../model/types.ts";
import { ChangeFeed, DEFAULT_FEED, type FeedOptions, type FeedState } from "../changes/feed.ts";
import { targetKey } from "../aws/targets.ts";
import { groupKey } from "../kinds/kind.ts";
import type { StateFile } from "./state.ts";

export interface PassConfig {
  kind: PassKind;
  /** Manifest files or directories. */
  manifests: readonly string[];
  /** File names in reports are shown relative to this (a Git checkout's root); default the working directory. */
  manifestRoot?: string;
  selector?: string;
  owner: string;
  mode: "heal" | "observe";
  /** apply only: plan, then stop before the first write. */
  dryRun?: boolean;
  prune: boolean;
  maxDeletions: number;
  force: boolean;
  accountId?: string;
  concurrency: number;
  /** Git commit of the manifests, carried into reports, alerts and the deployment description. */
  revision?: string;
  alerts: { webhooks: readonly string[]; format: AlertFormat };
  /** --changes-from cloudtrail: the change feeds, one per account and Region, kept across passes by the caller. */
  feeds?: ChangeFeeds;
  /** Objects read so far, per kind (the CLI's progress line on a terminal). */
  progress?: (plural: string, done: number, total: number) => void;
}

/** The change feed of each target (account and Region), created on first use. */
export class ChangeFeeds {
  private readonly byTarget = new Map<string, ChangeFeed>();

  constructor(
    readonly options: FeedOptions = DEFAULT_FEED,
    /** Feed states a previous process saved (the CLI's scan cache), by target key. */
    saved: Readonly<Record<string, FeedState>> = {},
  ) {
    for (const [key, state] of Object.entries(saved)) this.byTarget.set(key, new ChangeFeed(state, options));
  }

  feedFor(target: TargetSpec | undefined): ChangeFeed {
    const key = targetKey(target);
    let feed = this.byTarget.get(key);
    if (!feed) this.byTarget.set(key, (feed = new ChangeFeed(undefined, this.options)));
    return feed;
  }

  /** What a next process needs to continue (written by the CLI to its scan cache). */
  states(): Record<string, FeedState> {
    return Object.fromEntries([...this.byTarget].map(([key, feed]) => [key, feed.state]));
  }
}

/** Where the state lives (a local file or S3); the pass reads it once and writes it once. */
export interface StateAccess {
  read(signal?: AbortSignal): Promise<StateFile>;
  /** `update` gets the freshest state (another writer may have written since the read) and returns the next. */
  write(update: (current: StateFile) => StateFile, signal?: AbortSignal): Promise<void>;
}

export interface PassDeps {
  /** The process's AWS gateway; the pass takes its own recorder from it (quota buckets are shared). */
  gateway: Gateway;
  /** The gateway of another account or Region (spec.assumeRoleArn, spec.region); default: `gateway` for all. */
  gatewayFor?: (target: TargetSpec | undefined) => Gateway;
  state: StateAccess;
  signal?: AbortSignal;
  /** False when another process holds the write lease: the pass observes and reports, never writes. */
  writer?: boolean;
  /** Asked before the state is written and alerts are sent: false once the lease was lost during the pass. */
  stillWriter?: () => boolean;
  /** Warnings that are not the report (alert delivery problems); never a secret. */
  warn?: (line: string) => void;
}

/** Errors that stop a pass before any write: reported, never thrown to the caller. */
function refusalOf(error: unknown): { result: PassReport["result"]; error: string; problems?: string[] } | undefined {
  if (error instanceof ManifestError) {
    const problems = error.issues.map(formatIssue);
    return { result: "invalid-revision", error: `${problems.length} manifest problem(s): ${problems[0] ?? ""}`, problems };
  }
  if (error instanceof OwnershipError || error instanceof PruneGuardError || error instanceof AwsCallError || error instanceof SelectorError) {
    return { result: "failed", error: error.message };
  }
  return undefined;
}

export async function runPass(config: PassConfig, deps: PassDeps): Promise<PassReport> {
  const startedAt = new Date();
  const writer = deps.writer ?? true;
  const mode = config.kind === "drift" || !writer ? "observe" : config.mode;
  const base = { kind: config.kind, startedAt: startedAt.toISOString(), writer, mode, ...(config.revision ? { revision: config.revision } : {}) };
  const gateways: Gateway[] = [];
  const forPass = (target: TargetSpec | undefined) => {
    const gateway = (deps.gatewayFor?.(target) ?? deps.gateway).forPass(deps.signal);
    gateways.push(gateway);
    return gateway;
  };
  const calls = () => addCalls(gateways.map((g) => g.recorder.snapshot()));
  try {
    const loaded = loadManifests(config.manifests, config.manifestRoot);
    for (const warning of loaded.warnings) deps.warn?.(formatIssue(warning));
    const state = await deps.state.read(deps.signal);
    const { result, failures } = await reconcileTargets(loaded, state, { ...config, mode }, { ...deps, forPass });
    await remember(result, state, { ...config, mode }, deps);
    const aborted = deps.signal?.aborted === true;
    const failed = failures.length > 0 || result.outcomes?.some((o) => o.status === "failed") === true;
    return {
      ...base,
      result: aborted ? "aborted" : failed ? "failed" : "success",
      ...(failures.length > 0 ? { error: failures.join("; ") } : {}),
      durationMs: Date.now() - startedAt.getTime(),
      target: result.target,
      ...(result.targets ? { targets: result.targets } : {}),
      plan: result.plan,
      ...(result.outcomes ? { outcomes: result.outcomes } : {}),
      calls: calls(),
      ...(result.scan ? { scan: result.scan } : {}),
      ...originsOf(loaded.desired),
    };
  } catch (error) {
    const refusal = refusalOf(error) ?? (deps.signal?.aborted ? { result: "aborted" as const, error: "stopped before the plan was complete" } : undefined);
    if (!refusal) throw error;
    return { ...base, ...refusal, durationMs: Date.now() - startedAt.getTime(), calls: calls() };
  }
}

type TargetDeps = PassDeps & { forPass: (target: TargetSpec | undefined) => Gateway };

/**
 * Each account and Region through its own gateway, at the same time (their quotas are separate): first
 * every target is observed and planned, then — unless the prune guard refuses the whole — every plan is
 * applied. A target refused before writing (e.g. its role cannot be assumed) fails the pass but not the
 * other targets; a prune guard refusal anywhere stops every target before any write.
 */
async function reconcileTargets(loaded: LoadedManifests, state: StateFile, config: PassConfig, deps: TargetDeps): Promise<{ result: ReconcileResult; failures: string[] }> {
  const selected = selectDesired(loaded.desired, parseSelector(config.selector ?? ""));
  const parts = splitByTarget(selected, await deps.gateway.region());
  const jobs = parts.map((part, i) => ({ part, gateway: deps.forPass(part.target), options: partOptions(loaded, { ...part, pruneAccountScope: prunesAccountScope(parts, i) }, state, config, deps) }));
  const settled = await Promise.allSettled(jobs.map((job) => planPass(job.gateway, job.part.desired, job.options)));
  const planned: { job: (typeof jobs)[number]; planned: Planned }[] = [];
  const failures: string[] = [];
  settled.forEach((outcome, i) => {
    const job = jobs[i];
    if (!job) return;
    if (outcome.status === "fulfilled") return void planned.push({ job, planned: outcome.value });
    // A stop reaches the targets at different points; a guard refusal stops them all.
    const partial = refusalOf(outcome.reason) !== undefined || outcome.reason instanceof PassAbortedError;
    if (parts.length === 1 || !partial || outcome.reason instanceof PruneGuardError) throw outcome.reason;
    failures.push(`${describeTarget(job.part.target)}: ${String((outcome.reason as Error).message)}`);
  });
  if (planned.length === 0) throw (settled.find((s) => s.status === "rejected") as PromiseRejectedResult).reason;
  if (parts.length > 1) guardDeletions(planned.map((p) => p.planned.plan), config);
  const dryRun = config.kind !== "apply" || config.dryRun === true || config.mode === "observe";
  const results = await Promise.all(planned.map(({ job, planned: p }) => applyPlanned(job.gateway, p, job.options, dryRun)));
  return { result: joinResults(results), failures };
}

function describeTarget(target: TargetSpec | undefined): string {
  return [target?.assumeRoleArn ?? "the run's account", target?.region].filter(Boolean).join(" ");
}

function partOptions(loaded: LoadedManifests, part: TargetPart & { pruneAccountScope: boolean }, state: StateFile, config: PassConfig, deps: TargetDeps): PassOptions {
  // An assumed role names its account: no lookup needed. The run's --account-id is for its own account.
  const accountId = part.target?.assumeRoleArn ? part.target.assumeRoleArn.split(":")[4] : config.accountId;
  return {
    knownNames: namesByKind(loaded.desired),
    owner: config.owner,
    mode: config.mode,
    prune: config.kind !== "drift" && config.prune,
    pruneAccountScope: part.pruneAccountScope,
    maxDeletions: config.maxDeletions,
    force: config.force,
    lastApplied: state.lastApplied,
    ...(config.revision ? { revision: config.revision } : {}),
    ...(accountId ? { accountId } : {}),
    apply: { concurrencyPerGroup: Math.max(1, config.concurrency), ...(deps.signal ? { signal: deps.signal } : {}) },
    ...(config.feeds ? { feed: config.feeds.feedFor(part.target) } : {}),
    ...(config.progress ? { progress: config.progress } : {}),
  };
}

/** The composite document each expanded object came from, by group (absent when none was expanded). */
function originsOf(desired: DesiredState): { origins?: Record<string, { kind: string; name: string }> } {
  const entries = desired.objects.flatMap((o) => (o.origin ? [[groupKey(o.kind, o.model.key), o.origin] as const] : []));
  return entries.length > 0 ? { origins: Object.fromEntries(entries) } : {};
}

/** Every loaded manifest name per kind (selected or not): another shard's object is never an orphan. */
function namesByKind(desired: DesiredState): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (const object of desired.objects) names.set(object.kind, (names.get(object.kind) ?? new Set()).add(object.model.key));
  return names;
}

/** Alerts for drift that appeared or went away, then the state: what was applied and what was announced. */
async function remember(result: ReconcileResult, state: StateFile, config: PassConfig, deps: PassDeps): Promise<void> {
  // Only the writer alerts and keeps the state: replicas that observe must not announce the same drift
  // again, and a process that lost the lease mid-pass must not overwrite what the new writer records.
  if (deps.writer === false || deps.stillWriter?.() === false) return;
  const announced = await announceDrift(result, config, state.announcedDrift, deps.warn);
  if (Object.keys(result.applied).length === 0 && config.alerts.webhooks.length === 0) return;
  await deps.state.write(
    (current) => ({ ...current, lastApplied: { ...current.lastApplied, ...result.applied }, announcedDrift: announced }),
    // The state is written even when the pass is being stopped: what was applied must be remembered.
    undefined,
  );
}

async function announceDrift(result: ReconcileResult, config: PassConfig, announced: Record<string, string>, warn?: (line: string) => void): Promise<Record<string, string>> {
  if (config.alerts.webhooks.length === 0) return announced;
  const items = result.plan.changes.map((change) => ({ change, cause: change.cause ?? "pending" }));
  const decision = decideAlerts(items, announced);
  const context = { ...(config.revision ? { revision: config.revision } : {}), target: result.target };
  const payloads = alertPayloads(decision, config.alerts.format, context);
  if (payloads.length > 0) await deliverAlerts(config.alerts.webhooks, payloads, { ...DEFAULT_DELIVERY, log: (line) => warn?.(line) });
  // Remembered even when delivery failed: a webhook outage must not turn into an alert storm later.
  return decision.announced;
}
