// The result of `reconcile verify` as a table (text) or a document (json). Pure: results in, text out.
import type { StepResult } from "./runner.ts";

export interface VerifyReport {
  invokeUrl: string;
  region: string;
  bucket: string;
  /** The bucket was made (and deleted) by this run. */
  scratch: boolean;
  results: StepResult[];
}

export function passed(results: readonly StepResult[]): boolean {
  return results.every((r) => r.outcome !== "failed") && results.some((r) => r.outcome === "ok");
}

export function failures(results: readonly StepResult[]): StepResult[] {
  return results.filter((r) => r.outcome === "failed");
}

const HEADINGS = ["PHASE", "STEP", "CALL", "STATUS", "TIME", "RESULT"] as const;

export function renderVerifyText(report: VerifyReport): string {
  const rows = report.results.map((r) => [r.phase, r.title, r.call, r.status === undefined ? "-" : String(r.status), r.ms === undefined ? "-" : `${r.ms} ms`, resultCell(r)]);
  const widths = HEADINGS.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 4 ? cell.padStart(widths[i] ?? 0) : i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [
    `apigw-reconciler verify: ${report.invokeUrl} (${report.region})`,
    `bucket ${report.bucket}${report.scratch ? " (scratch: created and deleted by this run)" : " (existing: kept; only this run's objects are written and deleted)"}`,
    "",
    line(HEADINGS),
    ...rows.map(line),
    "",
    summaryLine(report.results),
    "",
  ].join("\n");
}

function resultCell(result: StepResult): string {
  const label = result.outcome === "ok" ? "OK" : result.outcome === "failed" ? "FAILED" : "skipped";
  return result.detail ? `${label}: ${result.detail}` : label;
}

export function summaryLine(results: readonly StepResult[]): string {
  const sent = results.filter((r) => r.outcome !== "skipped").length;
  const failed = failures(results);
  const skipped = results.length - sent;
  const rest = skipped > 0 ? `, ${skipped} skipped` : "";
  if (passed(results)) return `verify passed: ${sent} call(s), all OK${rest}`;
  const names = failed.map((r) => `"${r.title}" (${r.call}): ${r.detail}`);
  return `verify FAILED: ${failed.length} of ${sent} call(s) failed${rest}\n${names.map((n) => `  - ${n}`).join("\n")}`;
}

export function renderVerifyJson(report: VerifyReport): string {
  const document = {
    version: 1,
    result: passed(report.results) ? "passed" : "failed",
    invokeUrl: report.invokeUrl,
    region: report.region,
    bucket: report.bucket,
    scratchBucket: report.scratch,
    steps: report.results.map((r) => ({ id: r.id, phase: r.phase, title: r.title, call: r.call, outcome: r.outcome, status: r.status ?? null, ms: r.ms ?? null, detail: r.detail })),
  };
  return JSON.stringify(document, null, 2) + "\n";
}
