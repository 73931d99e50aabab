// The status page: facts and last passes, self-contained, everything escaped.
import { describe, expect, it } from "vitest";
import type { PassReport } from "../../src/engine/pass-report.ts";
import { summarize, type Change } from "../../src/model/changes.ts";
import { formatDuration, renderStatusPage, shortRevision, type StatusPageInput } from "../../src/report/status-page.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const HOSTILE = `<script>alert("x")</script><img src=x onerror='alert(1)'>&amp;`;

function change(kind: Change["kind"], action: Change["action"], cause?: Change["cause"]): Change {
  return { kind, action, id: { api: "my-s3", path: "/", httpMethod: "GET", stage: "prod" }, fields: [], patch: [], ...(cause ? { cause } : {}) };
}

function pass(overrides: Partial<PassReport>, changes?: Change[]): PassReport {
  const plan = changes ? { plan: { changes, operations: [], summary: summarize(changes), skipped: [] } } : {};
  return { kind: "apply", result: "success", startedAt: "2025-01-02T03:04:05.000Z", durationMs: 1234, writer: true, mode: "heal", calls: { total: 0, writes: 0, byOperation: {}, errors: {} }, ...plan, ...overrides };
}

const INPUT: StatusPageInput = {
  facts: { source: "https://github.com/***", ref: "refs/heads/main", revision: SHA, mode: "heal", writer: true, schedule: "every 5 min" },
  generatedAt: "2025-01-02T03:05:00.000Z",
  passes: [
    pass({ revision: SHA }, [change("Method", "update", "drift"), change("Resource", "create", "pending"), change("Deployment", "create"), change("Stage", "delete", "drift")]),
    pass({ result: "invalid-revision", revision: "v1.2.0", durationMs: 95_000, error: "manifests/api.yaml:3:5 spec.name: expected string" }),
  ],
};

/** The cells of each body row, tags stripped: a DOM-ish view without a DOM library. */
function rows(html: string): string[][] {
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...(m[1] ?? "").matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => (c[1] ?? "").replace(/<[^>]+>/g, "")));
}

/** Every element opened is closed, in order (void elements aside). */
function balanced(html: string): boolean {
  const stack: string[] = [];
  for (const [, close, name] of html.matchAll(/<(\/?)([a-z][a-z0-9]*)\b[^>]*>/g)) {
    if (["meta", "br", "img", "link", "input"].includes(name ?? "")) continue;
    if (!close) stack.push(name ?? "");
    else if (stack.pop() !== name) return false;
  }
  return stack.length === 0;
}

describe("renderStatusPage", () => {
  const html = renderStatusPage(INPUT);

  it("is one well-formed, self-contained document: inline style, no script, no external asset", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(balanced(html)).toBe(true);
    expect(html).toContain("<style>");
    expect(html).not.toMatch(/<script|<link|\ssrc=|url\(|@import/i);
    expect(html).not.toMatch(/href="(https?:)?\/\//);
  });

  it("shows the controller facts", () => {
    const facts = /<dl id="facts">([\s\S]*?)<\/dl>/.exec(html)?.[1]?.replace(/<[^>]+>/g, " ") ?? "";
    for (const text of ["https://github.com/***", "refs/heads/main", SHA, "heal", "yes (holds the write lease)", "every 5 min"]) expect(facts).toContain(text);
    expect(renderStatusPage({ ...INPUT, facts: { ...INPUT.facts, writer: false, revision: undefined } })).toContain("no (observes only)");
  });

  it("has one row per pass: time, revision, result, duration, changes by action, drift, error", () => {
    expect(rows(html)).toEqual([
      ["2025-01-02T03:04:05.000Z", "apply", "0123456", "success", "1.2 s", "1", "1", "1", "0", "1", "2", "yes", ""],
      ["2025-01-02T03:04:05.000Z", "apply", "v1.2.0", "invalid-revision", "1 min 35 s", "not planned", "—", "yes", "manifests/api.yaml:3:5 spec.name: expected string"],
    ]);
    expect(html).toContain(`title="${SHA}"`);
    expect(html).toContain('<td class="bad">invalid-revision</td>');
  });

  it("links the latest full report once a pass has planned", () => {
    expect(html).toContain('<a id="report-link" href="report">');
    expect(renderStatusPage({ ...INPUT, reportHref: "/ctl/report" })).toContain('href="/ctl/report"');
    const empty = renderStatusPage({ ...INPUT, passes: [] });
    expect(empty).toContain('<p id="no-passes">');
    expect(empty).not.toContain("<a ");
  });

  it("escapes every value that comes from Git, AWS or configuration", () => {
    const hostile = renderStatusPage({
      facts: { source: HOSTILE, ref: HOSTILE, revision: HOSTILE, mode: "heal", writer: true, schedule: HOSTILE },
      generatedAt: HOSTILE,
      passes: [pass({ revision: HOSTILE, error: HOSTILE, startedAt: HOSTILE, result: HOSTILE as PassReport["result"], kind: HOSTILE as PassReport["kind"] })],
      reportHref: `"><script>x</script>`,
    });
    expect(hostile).not.toMatch(/<script|<img|onerror='/i);
    expect(hostile).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;&amp;amp;");
    expect(balanced(hostile)).toBe(true);
    // An unknown result gets no class at all rather than one built from the value.
    expect(hostile).toContain('<td class="">&lt;script&gt;');
  });
});

describe("formatting helpers", () => {
  it.each([
    [SHA, "0123456", "a commit id is shortened as Git does"],
    ["v1.2.0", "v1.2.0", "a tag or free text stays whole"],
    [undefined, "—", "no revision yet"],
  ])("shortRevision(%s) = %s (%s)", (revision, expected, _reason) => {
    expect(shortRevision(revision)).toBe(expected);
  });

  it.each([
    [12, "12 ms"],
    [1234, "1.2 s"],
    [59_940, "59.9 s"],
    [59_960, "1 min 0 s"],
    [95_000, "1 min 35 s"],
    [-1, "—"],
  ])("formatDuration(%d) = %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});
