// Terraform-like text rendering of a plan or an apply. Colour is a rendering option, never in the model.
import type { ScanReport } from "../changes/feed.ts";
import type { CallCounts } from "../model/call-counts.ts";
import type { OperationOutcome } from "../engine/apply.ts";
import { kindOfChange } from "../kinds/index.ts";
import type { Change, Plan } from "../model/changes.ts";
import { changeOutcomes, groupOf, type Origins } from "./outcomes.ts";

export interface TextOptions {
  color: boolean;
  /** A drift report: a drift summary instead of "Plan:", and no observe-mode notes. */
  drift?: boolean;
  /** Git revision of the manifests. */
  revision?: string;
  /** --changes-from cloudtrail: how AWS was read. */
  scan?: ScanReport;
  /** Objects expanded from a composite document (an S3Proxy): the group header names it. */
  origins?: Origins;
}

const SYMBOL: Record<Change["action"], string> = { create: "+", update: "~", delete: "-", replace: "±" };
const COLOR: Record<Change["action"], string> = { create: "32", update: "33", delete: "31", replace: "35" };

export function renderText(plan: Plan, calls: CallCounts, options: TextOptions, outcomes?: readonly OperationOutcome[]): string {
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  const perChange = outcomes ? changeOutcomes(plan, outcomes) : undefined;
  let currentGroup = "";
  plan.changes.forEach((change, index) => {
    const group = groupOf(change, options.origins);
    if (group !== currentGroup) {
      if (lines.length > 0) lines.push("");
      lines.push(paint("1", group));
      currentGroup = group;
    }
    if (change.kind === "Deployment") {
      lines.push(paint("36", `  ↻ Deployment → stage ${change.id.stage ?? ""}`) + (change.reason ? ` (${change.reason})` : "") + outcomeSuffix(perChange?.[index]));
      return;
    }
    const head = `  ${SYMBOL[change.action]} ${change.kind} ${identity(change)}`;
    const cause = change.cause ? `  ${change.cause === "drift" ? paint("31", "[drift]") : "[pending]"}` : "";
    lines.push(paint(COLOR[change.action], head) + (change.reason ? ` (${change.reason})` : "") + cause + outcomeSuffix(perChange?.[index]));
    for (const note of change.security ?? []) lines.push(paint("31", `      ! broadens permissions: ${note}`));
    for (const field of change.fields) lines.push(`      ${fieldLine(change, field.field, field.before, field.after)}`);
  });
  if (plan.changes.length === 0) lines.push("No changes. AWS matches the manifests.");
  if (!options.drift) for (const skip of plan.skipped) lines.push(`  (${skip.group}: ${skip.reason})`);
  lines.push("");
  const s = plan.summary;
  if (options.drift) {
    const drift = plan.changes.filter((c) => c.cause === "drift").length;
    lines.push(paint("1", `Drift: ${drift} drifted, ${plan.changes.length - drift} pending (manifest changes not yet applied)`));
  } else {
    lines.push(paint("1", `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete${s.replace ? `, ${s.replace} to replace` : ""}; ${s.redeploy} redeploy`));
  }
  if (outcomes) {
    const count = (status: string) => outcomes.filter((o) => o.status === status).length;
    lines.push(`Apply: ${count("applied")} operation(s) applied, ${count("failed")} failed, ${count("skipped")} not run`);
    for (const failed of outcomes.filter((o) => o.status === "failed")) lines.push(paint("31", `  failed: ${failed.id}: ${failed.error ?? ""}`));
  }
  if (options.revision) lines.push(`Revision: ${options.revision}`);
  if (options.scan) lines.push(scanLine(options.scan));
  lines.push(renderCalls(calls));
  return lines.join("\n") + "\n";
}

function outcomeSuffix(outcome: string | undefined): string {
  return outcome && outcome !== "applied" ? `  [${outcome}]` : "";
}

export function identity(change: Change): string {
  const kind = kindOfChange(change);
  return kind.kind === change.kind ? (change.id[kind.root] ?? "") : kind.describe(change);
}

function fieldLine(change: Change, field: string, before: unknown, after: unknown): string {
  if (change.action === "create") return `${field}: ${show(after)}`;
  if (change.action === "delete") return `${field}: ${show(before)}`;
  return `${field}: ${show(before)} → ${show(after)}`;
}

function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  return JSON.stringify(value);
}

/** "Scan: incremental — 3 write events …; 1 object read again, 499 taken from the last pass" or "Scan: full (why)". */
export function scanLine(scan: ScanReport): string {
  if (scan.mode === "full") return `Scan: full (${scan.reason}); ${scan.reread} object(s) read`;
  return `Scan: incremental — ${scan.events ?? 0} write event(s) in ${scan.lookups ?? 0} CloudTrail lookup(s), ${scan.reason}; ${scan.reread} object(s) read again, ${scan.reused} taken from the last pass`;
}

export function renderCalls(calls: CallCounts): string {
  const parts = Object.entries(calls.byOperation).map(([op, n]) => `${op} ${n}`);
  const errors = Object.entries(calls.errors).map(([name, n]) => `${name} ${n}`);
  return `AWS calls: ${calls.total} (${calls.writes} write${calls.writes === 1 ? "" : "s"})${parts.length ? `: ${parts.join(", ")}` : ""}${errors.length ? `; errors: ${errors.join(", ")}` : ""}`;
}
