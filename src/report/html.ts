// A self-contained HTML drift report (one file, no external assets): a table per API / role, filters by
// cause and kind. Everything shown is escaped; the small script only hides and shows rows.
import type { CallCounts } from "../model/call-counts.ts";
import type { Change, Plan } from "../model/changes.ts";
import { groupOf, type Origins } from "./outcomes.ts";
import { identity } from "./text.ts";

export interface HtmlOptions {
  title: string;
  /** Shown in the header; fixed in golden tests. */
  generatedAt: string;
  /** Git revision of the manifests. */
  revision?: string;
  /** The composite document (S3Proxy) objects were expanded from, by group. */
  origins?: Origins;
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function show(value: unknown): string {
  return value === undefined ? "(unset)" : JSON.stringify(value, null, 1);
}

const STYLE = `body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328}h1{font-size:20px}table{border-collapse:collapse;width:100%;margin:8px 0 24px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}td.w{overflow-wrap:anywhere}td.n{white-space:nowrap}th{background:#f6f8fa}pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px}
.drift{background:#fff1e5}.pending{background:#eef6ff}.warn{border-left:4px solid #d1242f;padding:4px 12px;background:#ffebe9}.filters label{margin-right:12px}`;

const SCRIPT = `function applyFilters(){var c=document.getElementById('cause').value,k=document.getElementById('kind').value;
document.querySelectorAll('tr[data-cause]').forEach(function(r){var ok=(c==='all'||r.dataset.cause===c)&&(k==='all'||r.dataset.kind===k);r.style.display=ok?'':'none';});
document.querySelectorAll('section[data-group]').forEach(function(s){var any=s.querySelector('tr[data-cause]:not([style*="none"])');s.style.display=any?'':'none';});}`;

export function renderHtml(plan: Plan, calls: CallCounts, options: HtmlOptions): string {
  const groups = new Map<string, Change[]>();
  for (const change of plan.changes) {
    const group = groups.get(groupOf(change, options.origins));
    if (group) group.push(change);
    else groups.set(groupOf(change, options.origins), [change]);
  }
  const kinds = [...new Set(plan.changes.map((c) => c.kind))].sort();
  const drift = plan.changes.filter((c) => c.cause === "drift").length;
  const warnings = plan.changes.flatMap((c) => (c.security ?? []).map((note) => `${c.kind} ${identity(c)}: ${note}`));
  const out: string[] = [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${esc(options.title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${esc(options.title)}</h1>`,
    `<p id="summary">${plan.changes.length} difference(s): ${drift} drift, ${plan.changes.length - drift} pending or planned. Generated ${esc(options.generatedAt)}${options.revision ? ` from revision <code>${esc(options.revision)}</code>` : ""}; ${calls.total} AWS calls.</p>`,
  ];
  if (warnings.length > 0) out.push(`<div class="warn"><b>Changes that broaden permissions</b><ul>${warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul></div>`);
  out.push(
    '<p class="filters"><label>Cause <select id="cause" onchange="applyFilters()"><option value="all">all</option><option value="drift">drift</option><option value="pending">pending</option></select></label>',
    `<label>Kind <select id="kind" onchange="applyFilters()"><option value="all">all</option>${kinds.map((k) => `<option value="${esc(k)}">${esc(k)}</option>`).join("")}</select></label></p>`,
  );
  if (plan.changes.length === 0) out.push('<p id="no-changes">No differences: AWS matches the manifests.</p>');
  for (const [group, changes] of groups) {
    out.push(`<section data-group="${esc(group)}"><h2>${esc(group)}</h2><table><thead><tr><th>action</th><th>kind</th><th>object</th><th>cause</th><th>field</th><th>live</th><th>desired</th></tr></thead><tbody>`);
    for (const change of changes) {
      const rows = change.fields.length > 0 ? change.fields : [{ field: "", before: undefined, after: undefined }];
      rows.forEach((field, i) => {
        const head = i === 0
          ? `<td class="n" rowspan="${rows.length}">${esc(change.action)}</td><td class="n" rowspan="${rows.length}">${esc(change.kind)}</td><td class="w" rowspan="${rows.length}">${esc(change.kind === "Deployment" ? `stage ${change.id.stage ?? ""}` : identity(change))}${change.reason ? `<br><small>${esc(change.reason)}</small>` : ""}</td><td class="n" rowspan="${rows.length}">${esc(change.cause ?? "")}</td>`
          : "";
        out.push(
          `<tr class="${esc(change.cause ?? "")}" data-cause="${esc(change.cause ?? "pending")}" data-kind="${esc(change.kind)}">${head}<td class="w">${esc(field.field)}</td><td class="w"><pre>${field.field ? esc(show(field.before)) : ""}</pre></td><td class="w"><pre>${field.field ? esc(show(field.after)) : ""}</pre></td></tr>`,
        );
      });
    }
    out.push("</tbody></table></section>");
  }
  out.push(`<script>${SCRIPT}</script></body></html>`, "");
  return out.join("\n");
}
