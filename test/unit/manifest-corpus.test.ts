// The bad-input corpus (test/fixtures/hostile/corpus.ts, seeded mutations of manifests/) through the loader:
// every case loads or throws a ManifestError whose every issue is placed (line and column ≥ 1) in a file of
// the case, short and on one line; never another exception; a few seconds at most. The kinds whose
// mutation has one place (a control character, a tag…) must be reported there.
import { afterAll, describe, expect, it } from "vitest";
import { ManifestError, MAX_MESSAGE_LENGTH } from "../../src/manifest/issues.ts";
import { parseManifests } from "../../src/manifest/load.ts";
import { CASES_PER_KIND, hostileCorpus, MUTATION_KINDS, type HostileCase, type MutationKind } from "../fixtures/hostile/corpus.ts";

const corpus = hostileCorpus();

/** Far above the slowest case (tens of milliseconds): a sanity bound, not a benchmark. */
const SANITY_MS = 5_000;

interface Outcome {
  id: string;
  loaded: boolean;
  ms: number;
  firstIssue?: string;
}
const outcomes: Outcome[] = [];

function run(hostile: HostileCase): { loaded: true } | { loaded: false; error: ManifestError } {
  try {
    parseManifests(hostile.files.map(({ name, bytes }) => ({ file: name, text: bytes })));
    return { loaded: true };
  } catch (error) {
    if (error instanceof ManifestError) return { loaded: false, error };
    throw new Error(`${hostile.id} (${hostile.description}): threw ${String(error)}`, { cause: error });
  }
}

describe("the bad-input corpus", () => {
  it(`has at least 150 cases, ${CASES_PER_KIND} of every mutation kind, with distinct bytes`, () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    const perKind = new Map<MutationKind, number>();
    for (const hostile of corpus) perKind.set(hostile.kind, (perKind.get(hostile.kind) ?? 0) + 1);
    expect(Object.fromEntries(perKind)).toEqual(Object.fromEntries(MUTATION_KINDS.map((kind) => [kind, CASES_PER_KIND])));
    const distinct = new Set(corpus.map((c) => `${c.files[0]?.name}:${Buffer.from(c.files[0]?.bytes ?? []).toString("base64")}`));
    expect(distinct.size).toBeGreaterThan(corpus.length * 0.9);
  });

  it("is the same on every run (seeded)", () => {
    const again = hostileCorpus();
    expect(again.map((c) => c.description)).toEqual(corpus.map((c) => c.description));
    expect(again.every((c, i) => Buffer.compare(Buffer.from(c.files[0]?.bytes ?? []), Buffer.from(corpus[i]?.files[0]?.bytes ?? [])) === 0)).toBe(true);
  });

  it.each(corpus.map((c) => [c.id, c] as const))("%s: loads, or is refused with every problem placed and short", (_id, hostile) => {
    const started = performance.now();
    const result = run(hostile);
    const ms = performance.now() - started;
    const names = hostile.files.map((f) => f.name);
    outcomes.push({ id: hostile.id, loaded: result.loaded, ms, ...(result.loaded ? {} : { firstIssue: result.error.message.split("\n")[0] }) });
    const about = `${hostile.id} (${hostile.description})`;
    expect(ms, about).toBeLessThan(SANITY_MS);
    if (hostile.expect !== "either") expect(result.loaded ? "load" : "reject", `${about}: ${result.loaded ? "" : result.error.message.slice(0, 500)}`).toBe(hostile.expect);
    if (result.loaded) return;
    for (const issue of result.error.issues) {
      const shown = `${about}: ${JSON.stringify(issue).slice(0, 400)}`;
      expect(names, shown).toContain(issue.file);
      expect(issue.line, shown).toBeGreaterThanOrEqual(1);
      expect(issue.column, shown).toBeGreaterThanOrEqual(1);
      expect(issue.message.length, shown).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
      expect(issue.message, shown).not.toMatch(/\n|\bat .+:\d+:\d+\)?$/);
    }
    if (hostile.at) {
      const mutated = result.error.issues.filter((issue) => issue.file === names[0]);
      const at = hostile.at;
      expect(mutated.some((issue) => issue.line === at.line && (at.column === undefined || issue.column === at.column)), `${about}: ${result.error.message.slice(0, 500)}`).toBe(true);
    }
  });

  afterAll(() => {
    // What the corpus did, for the record: how many loaded, and the slowest cases.
    const slowest = [...outcomes].sort((a, b) => b.ms - a.ms).slice(0, 5);
    const loaded = outcomes.filter((o) => o.loaded).length;
    console.log(`bad-input corpus: ${outcomes.length} cases, ${loaded} loaded, ${outcomes.length - loaded} refused; slowest:`);
    for (const o of slowest) console.log(`  ${o.ms.toFixed(1)} ms ${o.id} ${o.firstIssue?.slice(0, 160) ?? "(loaded)"}`);
  });
});
