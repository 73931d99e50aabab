// The progress line of a scan (`[10/10] APIs read`): on a terminal only, never in JSON output or under CI.
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { renameApi } from "../../scripts/bench-lib.ts";
import { createFleet } from "../../scripts/bench-scale.ts";
import { startEmulator, type Emulator } from "../emulator/emulator.ts";
import { API_FILE, describeRun, ManifestDir, plan, runCliOnTty } from "./support.ts";

const APIS = 10;
let emulator: Emulator;
let manifests: ManifestDir;

beforeAll(async () => {
  emulator = await startEmulator();
  manifests = new ManifestDir();
  const seed = readFileSync(manifests.path(API_FILE), "utf8");
  for (let i = 1; i < APIS; i++) writeFileSync(manifests.path(`api-${i}.yaml`), renameApi(seed, `fleet-${i}`, `Fleet-${i}`, false));
  // Creating the fleet is not what is shown: as the bench does, in-process with quotas off (the CLI would
  // pace 10 CreateRestApi and CreateDeployment calls for a minute). The CLI's default owner.
  for (const [key, value] of Object.entries(emulator.env)) if (value !== undefined) vi.stubEnv(key, value);
  const pass = { owner: "apigw-reconciler", mode: "heal", prune: false, maxDeletions: 1, force: false } as const;
  await createFleet({ emulator, work: manifests.dir, seedApi: seed, seedRole: "", pass, latencyMs: 0, progress: () => undefined }, manifests.dir);
  await emulator.configure({ quota: true });
  vi.unstubAllEnvs();
}, 120_000);

afterAll(async () => {
  manifests.dispose();
  await emulator.stop();
});

describe("progress line", () => {
  it("on a terminal, stderr counts the APIs read, rewritten in place, and ends its line", async () => {
    const run = await runCliOnTty(emulator, ["plan", "-m", manifests.dir, "--no-color"], { CI: undefined });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`\r[1/${APIS}] APIs read`);
    expect(run.output).toContain(`\r[${APIS}/${APIS}] APIs read\r\n`);
    expect(run.output).toMatch(/No changes/);
  });

  it("none under CI, none with -o json (whose stdout stays one JSON document)", async () => {
    const ci = await runCliOnTty(emulator, ["plan", "-m", manifests.dir, "--no-color"], { CI: "true" });
    expect(ci.code, ci.output).toBe(0);
    expect(ci.output).not.toContain("read\r");
    expect(ci.output).not.toMatch(/\[\d+\/\d+\]/);
    const json = await runCliOnTty(emulator, ["plan", "-m", manifests.dir, "-o", "json"], { CI: undefined });
    expect(json.code, json.output).toBe(0);
    expect(json.output).not.toMatch(/\[\d+\/\d+\]/);
  });

  it("none when stderr is not a terminal", async () => {
    const run = await plan(emulator, manifests.dir);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr).not.toMatch(/\[\d+\/\d+\]/);
  });
});
