/**
 * A sample of the bad-input corpus (test/fixtures/hostile/corpus.ts: seeded mutations of manifests/, every
 * mutation kind) through the real CLI against the emulator. `reconcile plan` exits 0 or 1 and never writes;
 * when the loader refuses the manifests, plan and apply both exit 1, print every problem as
 * file:line:column, print no stack trace, and make no AWS call at all (not even STS).
 * The whole corpus goes through the loader in test/unit/manifest-corpus.test.ts; each CLI start costs about
 * a second, so this takes a sample.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManifestError } from "../../src/manifest/issues.ts";
import { parseManifests } from "../../src/manifest/load.ts";
import type { Emulator } from "../emulator/emulator.ts";
import { hostileCorpus, MUTATION_KINDS, type HostileCase } from "../fixtures/hostile/corpus.ts";
import { REPO, runCli, useEmulator, writeOps, type CliResult } from "./support.ts";

let emulator: Emulator;
useEmulator((started) => {
  emulator = started;
});

const SAMPLE_SIZE = 30;
/** Far above a CLI start (about a second): a sanity bound for a loaded machine, not a benchmark. */
const SANITY_MS = 30_000;

/** Round-robin over the kinds (each kind's first cases mutate the API, then the role), SAMPLE_SIZE in all. */
function sample(): HostileCase[] {
  const corpus = hostileCorpus();
  const byKind = MUTATION_KINDS.map((kind) => corpus.filter((c) => c.kind === kind));
  const picked: HostileCase[] = [];
  for (let round = 0; picked.length < SAMPLE_SIZE; round++) {
    for (const cases of byKind) if (picked.length < SAMPLE_SIZE && cases[round]) picked.push(cases[round] as HostileCase);
  }
  return picked;
}

/** Whether the loader itself refuses the case (the CLI must then refuse it before any AWS call). */
function refusedByLoader(hostile: HostileCase): boolean {
  try {
    parseManifests(hostile.files.map(({ name, bytes }) => ({ file: name, text: bytes })));
    return false;
  } catch (error) {
    if (error instanceof ManifestError) return true;
    throw error;
  }
}

const scratch = mkdtempSync(join(tmpdir(), "apigw-bad-input-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The case's files in a directory of their own, and a state file beside it. */
function workspace(hostile: HostileCase): { manifests: string; state: string } {
  const root = join(scratch, hostile.id);
  const manifests = join(root, "manifests");
  mkdirSync(manifests, { recursive: true });
  for (const file of hostile.files) writeFileSync(join(manifests, file.name), file.bytes);
  return { manifests, state: join(root, "state.json") };
}

const timings: { run: string; ms: number }[] = [];

async function timed(label: string, args: string[]): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  const run = await runCli(emulator, args);
  const ms = Date.now() - started;
  timings.push({ run: label, ms });
  return { ...run, ms };
}

const PROBLEM_LINE = /^(.+?):(\d+):(\d+) \S.*$/;

/** Every line of a refusal names a file of the case, a line and a column ≥ 1; then the count. */
function expectLocatedRefusal(run: CliResult, manifests: string, hostile: HostileCase, about: string): void {
  expect(run.code, about).toBe(1);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines.pop(), about).toMatch(/^\d+ problem\(s\) found; nothing was changed\.$/);
  expect(lines.length, about).toBeGreaterThan(0);
  const files = hostile.files.map((f) => join(manifests, f.name));
  for (const line of lines) {
    const match = PROBLEM_LINE.exec(line);
    expect(match, `${about}: ${line.slice(0, 300)}`).not.toBeNull();
    expect(files, about).toContain(match?.[1]);
    expect(Number(match?.[2]), about).toBeGreaterThanOrEqual(1);
    expect(Number(match?.[3]), about).toBeGreaterThanOrEqual(1);
    expect(line.length, about).toBeLessThan((match?.[1]?.length ?? 0) + 600);
  }
}

describe(`bad input through the CLI: a sample of ${SAMPLE_SIZE} corpus cases covering every mutation kind`, () => {
  const cases = sample();

  it("the sample covers every mutation kind", () => {
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(MUTATION_KINDS));
  });

  it.each(cases.map((c) => [c.id, c] as const))("%s: exit 0 or 1; refused ones are located and make no AWS call", async (_id, hostile) => {
    const about = `${hostile.id} (${hostile.description})`;
    const refused = refusedByLoader(hostile);
    const { manifests, state } = workspace(hostile);
    const commands = refused ? (["plan", "apply"] as const) : (["plan"] as const);
    for (const command of commands) {
      await emulator.resetCalls();
      const run = await timed(`${command} ${hostile.id}`, [command, "-m", manifests, "--no-color", "--state-file", state]);
      const calls = await emulator.calls();
      const said = `${about}, ${command}: exit ${run.code}\n${run.stderr.slice(0, 1500)}`;
      expect([0, 1], said).toContain(run.code);
      expect(run.ms, said).toBeLessThan(SANITY_MS);
      expect(run.stderr, said).not.toMatch(/^\s+at \S/m);
      expect(writeOps(calls), said).toEqual({});
      if (refused) {
        expectLocatedRefusal(run, manifests, hostile, said);
        expect(calls.total, said).toBe(0);
      }
    }
  });

  afterAll(() => {
    const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 5);
    console.log(`bad input through the CLI: ${timings.length} runs; slowest: ${slowest.map((t) => `${t.run} ${t.ms} ms`).join(", ")}`);
  });
});

describe("policies IAM would refuse, through the CLI: refused before any AWS call, located", () => {
  const BROKEN = join(REPO, "test", "fixtures", "broken");
  const fixtures = readdirSync(BROKEN).filter((name) => /^policy-|^managed-policies-too-many/.test(name)).sort();

  it("there is a fixture for each IAM rule and quota", () => expect(fixtures.length).toBeGreaterThanOrEqual(10));

  it.each(fixtures)("%s: apply exits 1 with its expected problem and makes no call", async (name) => {
    const text = readFileSync(join(BROKEN, name), "utf8");
    const expected = [...text.matchAll(/^# expect: (\d+:\d+ .*)$/gm)].map((m) => m[1] ?? "");
    await emulator.resetCalls();
    const run = await runCli(emulator, ["apply", "-m", join(BROKEN, name), "--no-color", "--state-file", join(scratch, `${name}.state.json`)]);
    expect(run.code, run.stderr).toBe(1);
    for (const line of expected) expect(run.stderr).toContain(`${name}:${line}`);
    expect(run.stderr).not.toMatch(/^\s+at \S/m);
    expect((await emulator.calls()).total).toBe(0);
  });
});
