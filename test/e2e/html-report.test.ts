// The HTML drift report in a real browser: headless Chromium (Debian's package `chromium`, no browser
// download) loads the self-contained file from disk, and its rendered DOM must show the drifted objects,
// the group headings and the warnings box; a screenshot is kept as a test artifact
// (test/artifacts/drift-report.png, gitignored). The filter script is run twice: in Chromium, by a copy
// of the page that changes the selects after load, and in node's vm against a minimal fake document,
// row by row for every combination of filters.
//
// Needs /usr/bin/chromium (CI: apt-get install -y chromium); without it the browser tests are skipped.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/model/changes.ts";
import { renderHtml } from "../../src/report/html.ts";
import { CHROMIUM, chromium, HAVE_CHROMIUM, removeChromiumProfiles, SKIPPED } from "./chromium.ts";
import { driftPlan, DRIFT_TITLE, GENERATED_AT, OBSERVE_CALLS } from "../unit/support/drift-plan.ts";
import { ROOT } from "../unit/support/models.ts";

if (!HAVE_CHROMIUM) console.warn(`test/e2e/html-report.test.ts: ${CHROMIUM} is absent, the browser checks are skipped (apt-get install -y chromium)`);

const ARTIFACTS = join(ROOT, "test", "artifacts");
const REPORT = join(ARTIFACTS, "drift-report.html");
const FILTERED = join(ARTIFACTS, "drift-report-filtered.html");
const SCREENSHOT = join(ARTIFACTS, "drift-report.png");
const LAYOUT = join(ARTIFACTS, "drift-report-layout.html");

const plan: Plan = driftPlan();
const html = renderHtml(plan, OBSERVE_CALLS, { title: DRIFT_TITLE, generatedAt: GENERATED_AT });

/** Every table row the report should have, in order: one per changed field (one for a change without fields). */
const expectedRows = plan.changes.flatMap((c) => Array.from({ length: Math.max(1, c.fields.length) }, () => ({ cause: c.cause ?? "pending", kind: c.kind, group: c.id.role !== undefined ? `IamRole ${c.id.role}` : `RestApi ${c.id.api ?? ""}` })));

// ---------------------------------------------------------------- Chromium

const fileUrl = (path: string) => pathToFileURL(path).href;

interface DomRow {
  cause: string;
  kind: string;
  hidden: boolean;
  text: string;
}

/** The table rows of a dumped DOM, with whether an inline style hides them. */
function rowsOf(dom: string): DomRow[] {
  return [...dom.matchAll(/<tr class="[^"]*" data-cause="([^"]*)" data-kind="([^"]*)"( style="([^"]*)")?>(.*?)<\/tr>/gs)].map((m) => ({
    cause: m[1] ?? "",
    kind: m[2] ?? "",
    hidden: (m[4] ?? "").includes("none"),
    text: (m[5] ?? "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " "),
  }));
}

function sectionsOf(dom: string): { group: string; hidden: boolean }[] {
  return [...dom.matchAll(/<section data-group="([^"]*)"( style="([^"]*)")?>/g)].map((m) => ({ group: m[1] ?? "", hidden: (m[3] ?? "").includes("none") }));
}

describe("HTML drift report in headless Chromium", () => {
  beforeAll(() => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(REPORT, html);
    // The same page, whose last script picks "drift" in the cause filter the way a user would.
    writeFileSync(FILTERED, html.replace("</body>", "<script>var s=document.getElementById('cause');s.value='drift';s.dispatchEvent(new Event('change'));</script></body>"));
    // The same page, whose last script writes the laid-out page width and the viewport width into the DOM.
    writeFileSync(LAYOUT, html.replace("</body>", "<script>var d=document.documentElement;document.body.setAttribute('data-layout',d.scrollWidth+' '+d.clientWidth);</script></body>"));
  });
  afterAll(() => {
    removeChromiumProfiles();
  });

  it.skipIf(!HAVE_CHROMIUM)(`the rendered DOM shows the drifted objects, the group headings and the warnings box${SKIPPED}`, async () => {
    const { stdout: dom } = await chromium(["--dump-dom", fileUrl(REPORT)]);
    expect(dom).toContain("<h1>Drift report: my-s3 &amp; apig-aws-proxy-role</h1>");
    expect([...dom.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1])).toEqual(["IamRole apig-aws-proxy-role", "RestApi my-s3"]);

    const warnings = /<div class="warn">(.*?)<\/div>/s.exec(dom)?.[1] ?? "";
    expect(warnings).toContain("Changes that broaden permissions");
    expect([...warnings.matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1])).toEqual([
      "RolePolicy s3-proxy-access: wildcard: allows s3:DeleteObjectVersion on *",
      "RolePolicyAttachment arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess: attaches managed policy arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess",
      // Drift is judged by what the out-of-band change did: the method lost its authorization.
      "Method GET /: out of band: method no longer requires AWS_IAM authorization",
    ]);

    const rows = rowsOf(dom);
    expect(rows.map(({ cause, kind }) => ({ cause, kind }))).toEqual(expectedRows.map(({ cause, kind }) => ({ cause, kind })));
    expect(rows.some((r) => r.hidden), "nothing hidden before a filter is chosen").toBe(false);
    const drifted = rows.filter((r) => r.cause === "drift").map((r) => r.text);
    for (const object of ["apig-aws-proxy-role", "GET /", "PUT /{folder}/{item}", "/legacy", "prod"]) {
      expect(drifted.some((text) => text.includes(object)), `a drift row shows ${object}`).toBe(true);
    }
    expect(drifted.join("\n")).toContain('"NEVER" "WHEN_NO_MATCH"');
    expect(dom).toContain("10 difference(s): 5 drift, 5 pending or planned.");
  });

  it.skipIf(!HAVE_CHROMIUM)(`a screenshot is kept as a test artifact (1280×900 PNG)${SKIPPED}`, async () => {
    rmSync(SCREENSHOT, { force: true });
    await chromium([`--screenshot=${SCREENSHOT}`, "--window-size=1280,900", "--hide-scrollbars", fileUrl(REPORT)]);
    expect(existsSync(SCREENSHOT)).toBe(true);
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 900]);
    // A blank page compresses to a few kB; the report's text and tables do not.
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
  });

  it.skipIf(!HAVE_CHROMIUM)(`the filter script in the browser: choosing "drift" hides every pending row, no section${SKIPPED}`, async () => {
    const { stdout: dom } = await chromium(["--dump-dom", fileUrl(FILTERED)]);
    const rows = rowsOf(dom);
    expect(rows).toHaveLength(expectedRows.length);
    for (const row of rows) expect(row.hidden, `${row.cause} ${row.kind}`).toBe(row.cause !== "drift");
    expect(sectionsOf(dom)).toEqual([
      { group: "IamRole apig-aws-proxy-role", hidden: false },
      { group: "RestApi my-s3", hidden: false },
    ]);
  });

  // BUG src/report/html.ts:24-26 (STYLE) — nothing lets a long unbreakable value (a managed policy ARN in
  // the object column, a policy document) wrap, so at 1280px the IamRole table is wider than the window
  // and the "desired" column is cut off (see the screenshot). Fix: add `td,pre{overflow-wrap:anywhere}`
  // to STYLE (checked: the page then fits, 1265/1265).
  (HAVE_CHROMIUM ? it : it.skip)(`at 1280×900 the page has no horizontal overflow${SKIPPED}`, async () => {
    const { stdout: dom } = await chromium(["--window-size=1280,900", "--dump-dom", fileUrl(LAYOUT)]);
    const [scrollWidth, clientWidth] = (/data-layout="(\d+) (\d+)"/.exec(dom)?.slice(1) ?? []).map(Number);
    expect(clientWidth).toBeGreaterThan(1000);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth ?? 0);
  });
});

// ---------------------------------------------------------------- the filter script in node's vm

interface FakeRow {
  dataset: { cause: string; kind: string };
  style: { display: string };
}

interface FakeSection {
  group: string;
  rows: FakeRow[];
  style: { display: string };
  querySelector(selector: string): FakeRow | null;
}

/** Just the DOM the filter script touches, built from the report's markup; any other selector throws. */
function fakeDocument(page: string) {
  const sections: FakeSection[] = [...page.matchAll(/<section data-group="([^"]*)">(.*?)<\/section>/gs)].map((m) => {
    const rows = [...(m[2] ?? "").matchAll(/<tr class="[^"]*" data-cause="([^"]*)" data-kind="([^"]*)">/g)].map((r): FakeRow => ({ dataset: { cause: r[1] ?? "", kind: r[2] ?? "" }, style: { display: "" } }));
    return {
      group: m[1] ?? "",
      rows,
      style: { display: "" },
      querySelector(selector: string) {
        if (selector !== 'tr[data-cause]:not([style*="none"])') throw new Error(`fake document: unsupported selector ${selector}`);
        return rows.find((r) => !r.style.display.includes("none")) ?? null;
      },
    };
  });
  const selects: Record<string, { value: string }> = { cause: { value: "all" }, kind: { value: "all" } };
  const document = {
    getElementById(id: string) {
      const select = selects[id];
      if (!select) throw new Error(`fake document: no element #${id}`);
      return select;
    },
    querySelectorAll(selector: string): unknown[] {
      if (selector === "tr[data-cause]") return sections.flatMap((s) => s.rows);
      if (selector === "section[data-group]") return sections;
      throw new Error(`fake document: unsupported selector ${selector}`);
    },
  };
  return { document, sections, selects };
}

describe("the filter script (node vm, fake document)", () => {
  const script = /<script>(.*?)<\/script>/s.exec(html)?.[1] ?? "";
  const fake = fakeDocument(html);
  const context: Record<string, unknown> = { document: fake.document };
  runInNewContext(script, context);
  const applyFilters = context.applyFilters as () => void;

  it("the page has one script, which defines applyFilters, wired to both selects", () => {
    expect(typeof applyFilters).toBe("function");
    expect(html.match(/onchange="applyFilters\(\)"/g)).toHaveLength(2);
    expect(fake.sections.flatMap((s) => s.rows.map((r) => ({ ...r.dataset, group: s.group })))).toEqual(expectedRows);
  });

  const causes = ["all", "drift", "pending"];
  const kinds = ["all", ...new Set(plan.changes.map((c) => c.kind))].sort();
  const combinations = causes.flatMap((cause) => kinds.map((kind) => ({ cause, kind })));

  it.each(combinations)("cause $cause, kind $kind: exactly the matching rows shown; a section only with a row shown", ({ cause, kind }) => {
    fake.selects.cause!.value = cause;
    fake.selects.kind!.value = kind;
    applyFilters();
    const shown = (r: { cause: string; kind: string }) => (cause === "all" || r.cause === cause) && (kind === "all" || r.kind === kind);
    expect(fake.sections.flatMap((s) => s.rows.map((r) => r.style.display !== "none"))).toEqual(expectedRows.map(shown));
    for (const section of fake.sections) {
      const any = expectedRows.some((r) => r.group === section.group && shown(r));
      expect(section.style.display, section.group).toBe(any ? "" : "none");
    }
  });

  it("back to all / all after filtering: everything shown again", () => {
    fake.selects.cause!.value = "pending";
    fake.selects.kind!.value = "Resource";
    applyFilters();
    expect(fake.sections.every((s) => s.style.display === "none")).toBe(true);
    fake.selects.cause!.value = "all";
    fake.selects.kind!.value = "all";
    applyFilters();
    expect(fake.sections.every((s) => s.style.display === "" && s.rows.every((r) => r.style.display === ""))).toBe(true);
  });
});
