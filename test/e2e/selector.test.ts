// Sharding by --selector: a selected run reconciles only its manifests, and --prune never deletes an
// object whose manifest exists but belongs to another shard.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/emulator.ts";
import { API_FILE, clients, describeRun, ManifestDir, ownedApis, reconcile, writeOps, type Manifest } from "./support.ts";

let emulator: Emulator;
let manifests: ManifestDir;

beforeAll(async () => {
  emulator = await startEmulator();
  manifests = new ManifestDir();
  // A second API, labelled as another team's shard.
  const other = manifests.read(API_FILE);
  (other as { metadata: unknown }).metadata = { name: "my-s3-b", labels: { team: "b" } };
  (other.spec as Record<string, unknown>).name = "MyS3-b";
  manifests.write("other-api.yaml", other);
  manifests.edit(API_FILE, (api: Manifest) => {
    (api as { metadata: unknown }).metadata = { ...api.metadata, labels: { team: "a" } };
  });
});

afterAll(async () => {
  manifests.dispose();
  await emulator.stop();
});

describe("--selector", () => {
  it("reconciles only the selected manifests", async () => {
    const run = await reconcile(emulator, manifests.dir, "--selector", "team=b");
    expect(run.code, describeRun(run)).toBe(0);
    const { apigw } = clients(emulator);
    expect((await ownedApis(apigw, "my-s3-b")).length).toBe(1);
    expect((await ownedApis(apigw, "my-s3")).length).toBe(0);
  });

  it("--prune in one shard leaves another shard's APIs alone", async () => {
    const all = await reconcile(emulator, manifests.dir);
    expect(all.code, describeRun(all)).toBe(0);
    await emulator.resetCalls();
    const run = await reconcile(emulator, manifests.dir, "--selector", "team=b", "--prune");
    expect(run.code, describeRun(run)).toBe(0);
    expect(writeOps(await emulator.calls()).DeleteRestApi ?? 0).toBe(0);
    expect((await ownedApis(clients(emulator).apigw, "my-s3")).length).toBe(1);
  });

  it("a selector that matches nothing is an error with no AWS call", async () => {
    await emulator.resetCalls();
    const run = await reconcile(emulator, manifests.dir, "--selector", "team=nobody", "--prune");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/matched no manifest/);
    expect((await emulator.calls()).total).toBe(0);
  });
});
