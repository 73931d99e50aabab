// The controller's status page: what it follows, whether it writes, and its last passes. One
// self-contained HTML document (inline CSS, no script, no external asset), rendered without I/O.
// Every value is escaped: revisions, refs, names and error texts come from Git and AWS.
import type { PassReport } from "../engine/pass-report.ts";
import { ownValue } from "../model/own.ts";

export interface ControllerFacts {
  /** The Git source, already redacted (no token, no password). */
  source: string;
  /** The watched ref, e.g. refs/heads/main. */
  ref: string;
  /** The revision the controller reconciles to now. */
  revision?: string;
  mode: "heal" | "observe";
  /** Whether this process holds the write lease. */
  writer: boolean;
  /** How often a pass runs, in words or as a cron expression ("every 5 min"). */
  schedule: string;
}

export interface StatusPageInput {
  facts: ControllerFacts;
  /** Newest first. */
  passes: readonly PassReport[];
  /** Shown in the header; fixed in tests. */
  generatedAt: string;
  /** Where the latest full HTML report is served; relative so the page works behind a path prefix. */
  reportHref?: string;
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Commit ids shortened as Git does; anything else (a tag, --source-revision text) is shown whole. */
export function shortRevision(revision: string | undefined): string {
  if (revision === undefined || revision === "") return "—";
  return /^[0-9a-f]{40,64}$/i.test(revision) ? revision.slice(0, 7) : revision;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  // 59.96 s would print as "60.0 s": from there on, minutes.
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

// Class names come from this table only, so a result string can never inject an attribute.
const RESULT_CLASS: Record<string, string> = { success: "ok", failed: "bad", "source-unavailable": "bad", "invalid-revision": "bad", aborted: "warn" };

const STYLE = `body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328}h1{font-size:20px}h2{font-size:16px;margin-top:24px}
table{border-collapse:collapse;margin:8px 0 24px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right}td.err{overflow-wrap:anywhere;max-width:48em;white-space:pre-wrap}code{font-size:12px}
.ok{color:#1a7f37}.bad{color:#d1242f;font-weight:600}.warn{color:#9a6700}dl{display:grid;grid-template-columns:max-content auto;gap:4px 16px}dt{font-weight:600}dd{margin:0}`;

function factsList(facts: ControllerFacts): string {
  const rows: [string, string][] = [
    ["Source", `<code>${esc(facts.source)}</code>`],
    ["Watched ref", `<code>${esc(facts.ref)}</code>`],
    ["Revision", facts.revision ? `<code title="${esc(facts.revision)}">${esc(facts.revision)}</code>` : "none yet"],
    ["Mode", esc(facts.mode)],
    ["Writer", facts.writer ? "yes (holds the write lease)" : "no (observes only)"],
    ["Schedule", esc(facts.schedule)],
  ];
  return `<dl id="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

function passRow(pass: PassReport): string {
  const plan = pass.plan;
  const drift = plan ? plan.changes.filter((c) => c.cause === "drift").length : undefined;
  const counts = plan
    ? [plan.summary.create, plan.summary.update, plan.summary.delete, plan.summary.replace, plan.summary.redeploy].map((n) => `<td class="num">${n}</td>`)
    : ['<td colspan="5">not planned</td>'];
  const resultClass = ownValue(RESULT_CLASS, pass.result) ?? "";
  return [
    "<tr>",
    `<td><time datetime="${esc(pass.startedAt)}">${esc(pass.startedAt)}</time></td>`,
    `<td>${esc(pass.kind)}</td>`,
    `<td><code title="${esc(pass.revision ?? "")}">${esc(shortRevision(pass.revision))}</code></td>`,
    `<td class="${resultClass}">${esc(pass.result)}</td>`,
    `<td class="num">${esc(formatDuration(pass.durationMs))}</td>`,
    ...counts,
    `<td class="num">${drift === undefined ? "—" : drift}</td>`,
    `<td>${pass.writer ? "yes" : "no"}</td>`,
    `<td class="err">${esc(pass.error ?? "")}</td>`,
    "</tr>",
  ].join("");
}

function passesTable(passes: readonly PassReport[]): string {
  if (passes.length === 0) return '<p id="no-passes">No pass has finished yet.</p>';
  const head = ["started", "kind", "revision", "result", "duration", "create", "update", "delete", "replace", "redeploy", "drift", "writer", "error"];
  return [
    '<table id="passes"><thead><tr>',
    head.map((h) => `<th>${h}</th>`).join(""),
    "</tr></thead><tbody>",
    ...passes.map(passRow),
    "</tbody></table>",
  ].join("\n");
}

export function renderStatusPage(input: StatusPageInput): string {
  const href = input.reportHref ?? "report";
  const hasReport = input.passes.some((p) => p.plan !== undefined);
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>apigw-reconciler status</title><style>${STYLE}</style></head><body>`,
    "<h1>apigw-reconciler</h1>",
    `<p>Status at ${esc(input.generatedAt)}.</p>`,
    factsList(input.facts),
    "<h2>Last passes</h2>",
    passesTable(input.passes),
    hasReport
      ? `<p><a id="report-link" href="${esc(href)}">Latest full report</a> (every difference of the last pass that planned).</p>`
      : '<p id="report-link">No report yet: no pass has planned.</p>',
    "</body></html>",
    "",
  ].join("\n");
}
