// Which manifests a controller pass uses, and what happens when the source or a new revision is broken:
// that pass writes nothing and prunes nothing; drift keeps being reported against the last good revision;
// the problem is named once (file:line for a broken manifest).
import { noCalls } from "../aws/recorder.ts";
import type { PassKind, PassReport } from "../engine/pass-report.ts";

export interface SourceRevision {
  /** Git commit, or the --source-revision given for local manifests. */
  revision?: string;
  /** Manifest files or directories at that revision. */
  manifests: string[];
  /** Report file names relative to this (the checkout's root). */
  root?: string;
}

/** A reason the controller cannot apply the source as it is now. */
export interface Problem {
  kind: "source-unavailable" | "invalid-revision";
  message: string;
  revision?: string;
  /** Same fingerprint = same problem: announced once. */
  fingerprint: string;
}

export interface NextPass {
  report: PassReport;
  /** The revision that loaded and was applied (or observed): the new "last good". */
  good?: SourceRevision;
  problem?: Problem;
}

type Run = (kind: PassKind, source: SourceRevision) => Promise<PassReport>;

export async function nextPass(source: { latest(signal?: AbortSignal): Promise<SourceRevision> }, lastGood: SourceRevision | undefined, run: Run, signal?: AbortSignal): Promise<NextPass> {
  const started = new Date();
  let latest: SourceRevision;
  try {
    latest = await source.latest(signal);
  } catch (error) {
    // Stopped while reading the source: a stop, not an outage (no alert, no backoff).
    if (signal?.aborted) return { report: { ...problemReport({ kind: "source-unavailable", message: "", fingerprint: "" }, started), result: "aborted", error: "stopped while reading the source" } };
    const message = error instanceof Error ? error.message : String(error);
    const problem: Problem = { kind: "source-unavailable", message, fingerprint: `source-unavailable|${message}` };
    return fallBack(problem, lastGood, run, () => problemReport(problem, started));
  }
  const report = await run("apply", latest);
  if (report.result !== "invalid-revision") return { report, good: latest };
  const first = report.problems?.[0] ?? report.error ?? "the manifests did not load";
  const problem: Problem = {
    kind: "invalid-revision",
    message: `${latest.revision ? `revision ${latest.revision}: ` : ""}${first}${(report.problems?.length ?? 0) > 1 ? ` (and ${(report.problems?.length ?? 1) - 1} more)` : ""}`,
    ...(latest.revision ? { revision: latest.revision } : {}),
    fingerprint: `invalid-revision|${latest.revision ?? ""}|${(report.problems ?? [first]).join("\n")}`,
  };
  // Local manifests have no other revision to fall back to: the broken files are the only ones.
  const fallbackTo = lastGood?.revision !== undefined && lastGood.revision !== latest.revision ? lastGood : undefined;
  return fallBack(problem, fallbackTo, run, () => report);
}

/** Drift against the last good revision (never a write, never a prune), labelled with the problem. */
async function fallBack(problem: Problem, lastGood: SourceRevision | undefined, run: Run, otherwise: () => PassReport): Promise<NextPass> {
  if (!lastGood) return { report: { ...otherwise(), result: problem.kind, error: problem.message }, problem };
  const drift = await run("drift", lastGood);
  const failed = otherwise();
  return {
    report: { ...drift, result: problem.kind, error: problem.message, ...(failed.problems ? { problems: failed.problems } : {}) },
    problem,
  };
}

function problemReport(problem: Problem, started: Date): PassReport {
  return {
    kind: "apply",
    result: problem.kind,
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    writer: false,
    mode: "observe",
    error: problem.message,
    calls: noCalls(),
  };
}
