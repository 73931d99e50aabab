// Golden files of a drift report: the seed after one apply, with manifest edits since (pending), edits in
// AWS (drift) and changes that broaden IAM permissions (test/unit/support/drift-plan.ts), rendered as the
// pull-request Markdown comment, the self-contained HTML report (fixed generatedAt) and plain text.
//
// To (re)write the expected files after an intended change of the plan or its rendering:
//   UPDATE_GOLDEN=1 npx vitest run --project unit test/golden
// then review the diff of test/golden/drift-report.* like any other change.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Change } from "../../src/model/changes.ts";
import { renderHtml } from "../../src/report/html.ts";
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from "../../src/report/markdown.ts";
import { renderText } from "../../src/report/text.ts";
import { driftPlan, DRIFT_TITLE, GENERATED_AT, OBSERVE_CALLS } from "../unit/support/drift-plan.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function golden(name: string, actual: string): void {
  const file = join(HERE, name);
  if (UPDATE) {
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`test/golden/${name} is missing; write it with UPDATE_GOLDEN=1 npx vitest run --project unit test/golden`);
  expect(actual, `test/golden/${name} differs (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(file, "utf8"));
}

const plan = driftPlan();
const line = (c: Change) => `${c.kind} ${c.action} ${c.cause ?? "?"}${c.security ? " !" : ""}`;

describe("golden: drift report", () => {
  it("the plan has what the report is about: drift, pending, IAM broadening, a pending deployment", () => {
    expect(plan.changes.map(line)).toEqual([
      "IamRole update drift",
      "RolePolicy update pending !",
      "RolePolicyAttachment create pending !",
      "RestApi update pending",
      "Method update drift !",
      "Integration update pending",
      "Integration update drift",
      "Resource delete drift",
      "Stage update drift",
      "Deployment create pending",
    ]);
  });

  it("markdown", () => {
    const markdown = renderMarkdown(plan, OBSERVE_CALLS, { title: DRIFT_TITLE });
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    golden("drift-report.md", markdown);
  });

  it("html, with a fixed generatedAt", () => {
    const html = renderHtml(plan, OBSERVE_CALLS, { title: DRIFT_TITLE, generatedAt: GENERATED_AT });
    expect(html).toContain(`Generated ${GENERATED_AT}`);
    golden("drift-report.html", html);
  });

  it("text, colour off", () => {
    golden("drift-report.txt", renderText(plan, OBSERVE_CALLS, { color: false }));
  });
});

describe("html: what the golden file cannot say by itself", () => {
  const html = renderHtml(plan, OBSERVE_CALLS, { title: DRIFT_TITLE, generatedAt: GENERATED_AT });

  it("self-contained: no external script, style, image or link", () => {
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it("one row per changed field (one for a change without fields), each with its cause and kind", () => {
    const rows = html.match(/<tr class="[^"]*" data-cause="[^"]*" data-kind="[^"]*">/g) ?? [];
    expect(rows).toHaveLength(plan.changes.reduce((n, c) => n + Math.max(1, c.fields.length), 0));
    expect(rows.filter((r) => r.includes('data-cause="drift"'))).toHaveLength(plan.changes.filter((c) => c.cause === "drift").reduce((n, c) => n + Math.max(1, c.fields.length), 0));
  });

  it("one section per group, and the warnings box lists every security note", () => {
    expect(html.match(/<section data-group=/g)).toHaveLength(2);
    const box = /<div class="warn">(.*?)<\/div>/.exec(html)?.[1] ?? "";
    for (const note of plan.changes.flatMap((c) => c.security ?? [])) expect(box).toContain(note);
  });

  it("everything shown is escaped: a hostile title and field value stay text", () => {
    const evil = '<img src=x onerror="alert(1)"> & "quotes"';
    const hostile = structuredClone(plan);
    hostile.changes[3]!.fields[0]!.after = evil;
    const out = renderHtml(hostile, OBSERVE_CALLS, { title: evil, generatedAt: evil });
    expect(out).not.toContain("<img");
    expect(out).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &quot;quotes&quot;");
  });
});
