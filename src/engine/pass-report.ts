// What one pass tells the world: plain data that the CLI renders, the controller logs, counts in
// metrics, shows on its status page and keeps for alerts. Nothing here formats or sends anything.
import type { CallCounts } from "../aws/recorder.ts";
import type { ScanReport } from "../changes/feed.ts";
import type { Plan } from "../model/changes.ts";
import type { Target } from "../model/placeholders.ts";
import type { OperationOutcome } from "./apply.ts";

/** What the pass was asked to do: apply writes (unless observe/dry-run), plan and drift never do. */
export type PassKind = "apply" | "plan" | "drift";

/**
 * How the pass ended.
 * - success: observed, planned and (for apply) every operation applied.
 * - failed: an AWS call failed, an operation failed, or a guard refused (ownership, prune).
 * - source-unavailable: the Git source could not be read; nothing was written.
 * - invalid-revision: the manifests at the new revision did not load; nothing was written.
 * - aborted: a stop signal arrived; what had started finished, the rest was skipped.
 */
export type PassResult = "success" | "failed" | "source-unavailable" | "invalid-revision" | "aborted";

export interface PassReport {
  kind: PassKind;
  result: PassResult;
  /** ISO 8601 time the pass started. */
  startedAt: string;
  durationMs: number;
  /** Git commit (or --source-revision) of the manifests the pass used. */
  revision?: string;
  /** False when another process holds the write lease: this pass only observed and reported. */
  writer: boolean;
  /** heal: differences are corrected; observe: reported only. */
  mode: "heal" | "observe";
  /** Why the pass did not succeed, in words (file:line:column for a manifest problem). Never a secret. */
  error?: string;
  /** invalid-revision: every manifest problem as `file:line:column field: message`. */
  problems?: string[];
  /** Present once AWS was observed (the first, when the pass spans several). */
  target?: Target;
  /** Every account and Region of the pass, when there is more than one. */
  targets?: Target[];
  plan?: Plan;
  /** Present when operations were executed (not for a dry run). */
  outcomes?: OperationOutcome[];
  /** AWS calls of this pass only (each attempt, as AWS saw it). */
  calls: CallCounts;
  /** Objects expanded from a composite document (an S3Proxy), by group: the reports name it. */
  origins?: Record<string, { kind: string; name: string }>;
  /** With --changes-from cloudtrail: whether AWS was read in full (and why) or only what was written since. */
  scan?: ScanReport;
}
