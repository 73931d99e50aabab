// observe: every kind reads what its desired objects need from AWS, at the same time (within the quotas),
// and states the ownership facts. The engine decides what to do with them.
import type { Gateway } from "../aws/gateway.ts";
import { KINDS } from "../kinds/index.ts";
import { groupKey, type AnyKind, type KindObservation, type ObserveContext, type ObservedObject, type Orphan, type ReadCache } from "../kinds/kind.ts";
import { accountIdOfArn, partitionOfArn } from "../model/arn.ts";
import type { Target } from "../model/placeholders.ts";
import type { DesiredState } from "../model/types.ts";

export interface Observed {
  target: Target;
  /** Every desired object, by group ("RestApi/my-s3"): its live counterpart, if any. */
  objects: Map<string, ObservedObject>;
  /** Owned objects whose manifest is gone (prune candidates). */
  orphans: Orphan[];
}

export class OwnershipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OwnershipError";
  }
}

export interface ObserveOptions {
  owner: string;
  prune: boolean;
  /** With prune: whether this part also lists orphans of account-wide kinds (IAM is global: one part does). */
  pruneAccountScope?: boolean;
  accountId?: string;
  /**
   * Every manifest name loaded per kind, selected or not (--selector): an object whose manifest exists but
   * was not selected is another shard's, never an orphan.
   */
  knownNames?: ReadonlyMap<string, ReadonlySet<string>>;
  /** On an incremental pass: each kind's cache of what the last pass read (see changes/feed.ts). */
  cacheFor?: (kind: AnyKind) => ReadCache | undefined;
  /** Objects read so far of each kind (named by its plural), as they are read. */
  progress?: (plural: string, done: number, total: number) => void;
}

export async function observe(gateway: Gateway, desired: DesiredState, options: ObserveOptions, kinds: readonly AnyKind[] = KINDS): Promise<Observed> {
  const reads = new Map<string, Promise<unknown>>();
  const shared = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    if (!reads.has(key)) reads.set(key, read());
    return reads.get(key) as Promise<T>;
  };
  const [observations, region] = await Promise.all([Promise.all(kinds.map((kind) => observeKind(gateway, kind, desired, { ...options, shared }))), gateway.region()]);
  const errors = observations.flatMap((o) => o.errors);
  if (errors.length > 0) throw new OwnershipError(errors.join("\n"));
  const objects = new Map(observations.flatMap((o) => o.objects.map((object) => [groupKey(object.kind, object.key), object] as const)));
  const knownArn = observations.flatMap((o) => o.arns ?? [])[0];
  const accountId = options.accountId ?? (knownArn ? accountIdOfArn(knownArn) : undefined) ?? (needsAccountId(desired, kinds) ? await gateway.accountIdFromSts() : "000000000000");
  const partition = (knownArn ? partitionOfArn(knownArn) : undefined) ?? partitionOfRegion(region);
  return { target: { region, accountId, partition }, objects, orphans: observations.flatMap((o) => o.orphans) };
}

function observeKind(gateway: Gateway, kind: AnyKind, desired: DesiredState, options: ObserveOptions & Pick<ObserveContext, "shared">): Promise<KindObservation> {
  const mine = desired.objects.filter((o) => o.kind === kind.kind);
  const prune = options.prune && (kind.scope === "region" || options.pruneAccountScope !== false);
  // A kind without desired objects has nothing to observe but orphans, which matter only to a prune:
  // a pass over manifests without usage plans makes no usage-plan call.
  if (mine.length === 0 && !prune) return Promise.resolve({ objects: [], orphans: [], errors: [] });
  const knownNames = options.knownNames?.get(kind.kind) ?? new Set(mine.map((o) => o.model.key));
  const cache = options.cacheFor?.(kind);
  const progress = options.progress;
  const context = { owner: options.owner, prune, knownNames, shared: options.shared, ...(cache ? { cache } : {}), ...(progress ? { progress: (done: number, total: number) => progress(kind.plural, done, total) } : {}) };
  return kind.observe(gateway, mine, context) as Promise<KindObservation>;
}

/** The account is looked up only when a manifest needs it: a placeholder, or what a kind compares with it (AWS expands `execute-api:/` with the account). */
function needsAccountId(desired: DesiredState, kinds: readonly AnyKind[]): boolean {
  return JSON.stringify(desired).includes("${AWS_ACCOUNT_ID}") || desired.objects.some((o) => kinds.find((k) => k.kind === o.kind)?.needsAccountId?.(o.model) === true);
}

/** Without an ARN to read it from: the partition of the Region (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
