// Every rendered report names the Git revision of the manifests when the pass knows it, and only then.
import { describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/html.ts";
import { renderJson } from "../../src/report/json.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { renderText } from "../../src/report/text.ts";
import { driftPlan, OBSERVE_CALLS } from "./support/drift-plan.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const plan = driftPlan();

describe("the revision in reports", () => {
  const rows: { format: string; render: (revision?: string) => string; shown: string }[] = [
    { format: "text", render: (revision) => renderText(plan, OBSERVE_CALLS, { color: false, ...(revision ? { revision } : {}) }), shown: `Revision: ${SHA}` },
    { format: "markdown", render: (revision) => renderMarkdown(plan, OBSERVE_CALLS, { title: "t", ...(revision ? { revision } : {}) }), shown: `## t (revision \`${SHA}\`)` },
    { format: "html", render: (revision) => renderHtml(plan, OBSERVE_CALLS, { title: "t", generatedAt: "now", ...(revision ? { revision } : {}) }), shown: `from revision <code>${SHA}</code>` },
    { format: "json", render: (revision) => renderJson(plan, OBSERVE_CALLS, undefined, undefined, revision ? { revision } : {}), shown: `"revision": "${SHA}"` },
  ];
  it.each(rows)("$format: shown when known, absent otherwise", ({ render, shown }) => {
    expect(render(SHA)).toContain(shown);
    expect(render()).not.toContain("revision");
  });

  it("html escapes a hostile revision", () => {
    expect(renderHtml(plan, OBSERVE_CALLS, { title: "t", generatedAt: "now", revision: "<script>x</script>" })).toContain("&lt;script&gt;x&lt;/script&gt;");
  });
});
