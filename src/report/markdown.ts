// Markdown for pull-request comments: IAM warnings on top, a summary table, one collapsible section per
// API / role. Fits GitHub's 65,536-character comment limit by summarising when the full text is longer.
import type { CallCounts } from "../model/call-counts.ts";
import type { Change, Plan } from "../model/changes.ts";
import { groupOf, type Origins } from "./outcomes.ts";
import { identity } from "./text.ts";

export const GITHUB_COMMENT_LIMIT = 65_536;
const SYMBOL: Record<Change["action"], string> = { create: "+", update: "~", delete: "-", replace: "±" };

export interface MarkdownOptions {
  title: string;
  limit?: number;
  /** Git revision of the manifests. */
  revision?: string;
  /** The composite document (S3Proxy) objects were expanded from, by group. */
  origins?: Origins;
}

export function renderMarkdown(plan: Plan, calls: CallCounts, options: MarkdownOptions): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  for (const detail of ["full", "no-fields", "counts"] as const) {
    const text = render(plan, calls, { title: titleOf(options), detail, ...(options.origins ? { origins: options.origins } : {}) });
    if (text.length <= limit) return text;
  }
  return render(plan, calls, { title: titleOf(options), detail: "counts", ...(options.origins ? { origins: options.origins } : {}) }).slice(0, limit - 40) + "\n\n…(truncated)\n";
}

function titleOf(options: MarkdownOptions): string {
  return options.revision ? `${options.title} (revision \`${cell(options.revision)}\`)` : options.title;
}

function render(plan: Plan, calls: CallCounts, { title, detail, origins }: { title: string; detail: "full" | "no-fields" | "counts"; origins?: Origins }): string {
  const lines: string[] = [`## ${title}`, ""];
  const warnings = plan.changes.filter((c) => (c.security ?? []).length > 0);
  if (warnings.length > 0) {
    lines.push("> [!WARNING]", "> **Changes that broaden permissions**");
    for (const change of warnings) for (const note of change.security ?? []) lines.push(`> - ${change.kind} \`${cell(identity(change))}\`: ${cell(note)}`);
    lines.push("");
  }
  const s = plan.summary;
  const drift = plan.changes.filter((c) => c.cause === "drift").length;
  const pending = plan.changes.filter((c) => c.cause === "pending").length;
  lines.push("| create | update | delete | replace | redeploy | drift | pending |", "|---:|---:|---:|---:|---:|---:|---:|");
  lines.push(`| ${s.create} | ${s.update} | ${s.delete} | ${s.replace} | ${s.redeploy} | ${drift} | ${pending} |`, "");
  if (plan.changes.length === 0) lines.push("No changes. AWS matches the manifests.", "");

  const groups = new Map<string, Change[]>();
  for (const change of plan.changes) {
    const group = groups.get(groupOf(change, origins));
    if (group) group.push(change);
    else groups.set(groupOf(change, origins), [change]);
  }
  for (const [group, changes] of groups) {
    const driftCount = changes.filter((c) => c.cause === "drift").length;
    const summary = `<b>${html(group)}</b> — ${changes.length} change(s)${driftCount ? `, ${driftCount} drift` : ""}`;
    if (detail === "counts") {
      lines.push(`- ${summary.replace(/<\/?b>/g, "**")}`);
      continue;
    }
    lines.push("<details>", `<summary>${summary}</summary>`, "", "| | kind | object | cause | fields |", "|---|---|---|---|---|");
    for (const change of changes) {
      const fields = detail === "full" ? change.fields.map((f) => `\`${cell(f.field)}\`: ${cell(show(f.before))} → ${cell(show(f.after))}`).join("<br>") : change.fields.map((f) => `\`${cell(f.field)}\``).join(", ");
      const what = change.kind === "Deployment" ? `stage ${change.id.stage ?? ""}${change.reason ? ` (${change.reason})` : ""}` : identity(change);
      lines.push(`| ${change.kind === "Deployment" ? "↻" : SYMBOL[change.action]} | ${change.kind} | \`${cell(what)}\` | ${change.cause ?? ""} | ${fields} |`);
    }
    lines.push("", "</details>", "");
  }
  if (plan.skipped.length > 0) lines.push(...plan.skipped.map((skip) => `- _${cell(skip.group)}: ${cell(skip.reason)}_`), "");
  lines.push(`<sub>AWS calls: ${calls.total} (${calls.writes} writes)</sub>`, "");
  return lines.join("\n");
}

function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  const text = JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 297)}…` : text;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ").replace(/`/g, "'");
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
