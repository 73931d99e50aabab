/**
 * Ownership: an API is the reconciler's only by its ownership tag. Untagged namesakes are left alone
 * unless `adopt: true`; two APIs claiming one manifest stop the run; --prune deletes only owned APIs
 * whose manifest is gone, within --max-deletions; a missing or broken manifest set never reaches AWS.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- manifests are edited as loose YAML data */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateResourceCommand, CreateRestApiCommand, GetRestApiCommand } from "@aws-sdk/client-api-gateway";
import { type Emulator } from "../emulator/emulator.ts";
import {
  allApis,
  API_FILE,
  
  describeRun,
  ManifestDir,
  methodsByPath,
  ownedApis,
  reconcile,
  resourcesOf,
  runCli,
  seedMethodsByPath,
  TAG_NAME,
  TAG_OWNER,
  theApi,
  writeOps,
  type Clients,
  useEmulator,
} from "./support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

/** An API made by hand (not by the reconciler): named `name`, with a /legacy resource, optional tags. */
async function handMadeApi(name: string, tags?: Record<string, string>): Promise<string> {
  const api = await aws.apigw.send(
    new CreateRestApiCommand({ name, description: "made by hand", endpointConfiguration: { types: ["REGIONAL"] }, ...(tags ? { tags } : {}) }),
  );
  await aws.apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "legacy" }));
  return api.id ?? "";
}

async function expectUntouched(id: string): Promise<void> {
  const api = await aws.apigw.send(new GetRestApiCommand({ restApiId: id }));
  expect(api.name).toBe("MyS3");
  expect(api.description).toBe("made by hand");
  expect(api.tags ?? {}).toEqual({});
  expect(methodsByPath(await resourcesOf(aws.apigw, id))).toEqual({ "/": [], "/legacy": [] });
}

describe("an untagged API with the manifest's name, then --prune", () => {
  const dir = new ManifestDir();
  let untagged: string;
  let owned: string;

  beforeAll(async () => {
    await emulator.reset();
    untagged = await handMadeApi("MyS3");
  });
  afterAll(() => dir.dispose());

  it("is not touched: a new API is created and tagged", async () => {
    await emulator.resetCalls();
    const run = await reconcile(emulator, dir.dir);
    expect(run.code, describeRun(run)).toBe(0);
    expect(writeOps(await emulator.calls())["apigateway:CreateRestApi"]).toBe(1);
    const mine = await theApi(aws.apigw);
    owned = mine.id;
    expect(owned).not.toBe(untagged);
    expect(mine.tags).toMatchObject({ [TAG_NAME]: "my-s3", [TAG_OWNER]: "apigw-reconciler" });
    expect(methodsByPath(await resourcesOf(aws.apigw, owned))).toEqual(seedMethodsByPath());
    await expectUntouched(untagged);
    expect((await allApis(aws.apigw)).filter((a) => a.name === "MyS3").length).toBe(2);
  });

  it("removing the API manifest without --prune deletes nothing", async () => {
    dir.remove(API_FILE);
    await emulator.resetCalls();
    const run = await reconcile(emulator, dir.dir);
    expect(run.code, describeRun(run)).toBe(0);
    expect(writeOps(await emulator.calls())).toEqual({});
    expect((await ownedApis(aws.apigw)).map((a) => a.id)).toEqual([owned]);
  });

  it("--prune deletes the owned API (DeleteRestApi) and never the untagged one or another owner's", async () => {
    const foreign = await handMadeApi("MyS3", { [TAG_NAME]: "elsewhere", [TAG_OWNER]: "another-controller" });
    await emulator.resetCalls();
    const run = await reconcile(emulator, dir.dir, "--prune");
    expect(run.code, describeRun(run)).toBe(0);
    expect(writeOps(await emulator.calls())).toEqual({ "apigateway:DeleteRestApi": 1 });
    expect(run.json?.changes.map((c) => `${c.kind}:${c.action}:${c.api ?? ""}`)).toEqual(["RestApi:delete:my-s3"]);
    const left = (await allApis(aws.apigw)).map((a) => a.id).sort();
    expect(left).toEqual([untagged, foreign].sort());
    await expectUntouched(untagged);
  });

  it("a second --prune writes nothing", async () => {
    await emulator.resetCalls();
    const run = await reconcile(emulator, dir.dir, "--prune");
    expect(run.code, describeRun(run)).toBe(0);
    expect(writeOps(await emulator.calls())).toEqual({});
  });
});

describe("adopt: true", () => {
  const dir = new ManifestDir();
  let untagged: string;

  beforeAll(async () => {
    await emulator.reset();
    untagged = await handMadeApi("MyS3");
    dir.edit(API_FILE, (m) => {
      m.spec.adopt = true;
    });
  });
  afterAll(() => dir.dispose());

  it("takes the untagged API over: tags it and reconciles it, creating no API", async () => {
    await emulator.resetCalls();
    const run = await reconcile(emulator, dir.dir);
    const writes = writeOps(await emulator.calls());
    expect(run.code, describeRun(run)).toBe(0);
    expect(writes["apigateway:CreateRestApi"]).toBeUndefined();
    expect(writes["apigateway:TagResource"]).toBeGreaterThanOrEqual(1);
    expect(writes["apigateway:DeleteResource"]).toBe(1); // /legacy is not in the manifest
    const apis = await allApis(aws.apigw);
    expect(apis.map((a) => a.id)).toEqual([untagged]);
    const adopted = await theApi(aws.apigw);
    expect(adopted.id).toBe(untagged);
    expect(adopted.tags).toMatchObject({ app: "my-s3", [TAG_NAME]: "my-s3", [TAG_OWNER]: "apigw-reconciler" });
    expect(adopted.description).toBe("Amazon S3 proxy (AWS tutorial sample API)");
    expect(methodsByPath(await resourcesOf(aws.apigw, untagged))).toEqual(seedMethodsByPath());
  });

  it("a second run writes nothing", async () => {
    await emulator.resetCalls();
    const run = await reconcile(emulator, dir.dir);
    expect(run.code, describeRun(run)).toBe(0);
    expect(writeOps(await emulator.calls())).toEqual({});
    expect(run.json?.changes).toEqual([]);
  });
});

describe("a missing or broken manifest set never reaches AWS", () => {
  const dir = new ManifestDir();
  const broken = new ManifestDir();
  const empty = new ManifestDir();

  beforeAll(async () => {
    // reuses the converged API the adopt scenario left, when it did; otherwise applies the seed anew
    const check = await reconcile(emulator, dir.dir, "--dry-run");
    if (check.code !== 0 || check.json?.changes.length !== 0) {
      await emulator.reset();
      const first = await reconcile(emulator, dir.dir);
      expect(first.code, describeRun(first)).toBe(0);
    }
    // a checkout with a YAML syntax error in the API manifest; an empty checkout
    writeFileSync(broken.path(API_FILE), "apiVersion: apigw-reconciler/v1\nkind: RestApi\nmetadata: { name: my-s3\nspec: [\n");
    empty.remove(API_FILE);
    empty.remove("s3-proxy-role.yaml");
    mkdirSync(join(empty.dir, "sub"));
  });
  afterAll(() => {
    dir.dispose();
    broken.dispose();
    empty.dispose();
  });

  const cases: [string, () => string, string[]][] = [
    ["a directory that does not exist", () => join(dir.dir, "no-such-dir"), []],
    ["a broken manifest", () => broken.dir, []],
    ["a broken manifest, with --prune --force", () => broken.dir, ["--prune", "--force"]],
    ["an empty directory, with --prune --force", () => empty.dir, ["--prune", "--force"]],
  ];
  for (const [what, path, extra] of cases) {
    it(`${what}: exit 1 and no AWS call at all`, async () => {
      await emulator.resetCalls();
      const run = await runCli(emulator, ["apply", "-m", path(), "--no-color", ...extra]);
      const log = await emulator.calls();
      expect(run.code, describeRun(run)).toBe(1);
      expect(run.stderr.trim()).not.toBe("");
      expect(log.total).toBe(0);
      expect(log.byOperation).toEqual({});
    });
  }

  it("the API applied before is still there", async () => {
    expect(methodsByPath(await resourcesOf(aws.apigw, (await theApi(aws.apigw)).id))).toEqual(seedMethodsByPath());
  });
});

describe("two live APIs tagged with the same manifest name", () => {
  const dir = new ManifestDir();
  afterAll(() => dir.dispose());

  it("exits 1 naming both ids and writes nothing", async () => {
    await emulator.reset();
    const claim = { [TAG_NAME]: "my-s3", [TAG_OWNER]: "apigw-reconciler" };
    const a = await handMadeApi("MyS3", claim);
    const b = await handMadeApi("MyS3-copy", claim);
    await emulator.resetCalls();
    const run = await reconcile(emulator, dir.dir);
    const log = await emulator.calls();
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stderr).toContain(a);
    expect(run.stderr).toContain(b);
    expect(log.writes).toBe(0);
    expect((await ownedApis(aws.apigw)).length).toBe(2);
  });
});

describe("--prune guard: --max-deletions", () => {
  const dir = new ManifestDir();
  let a: string;
  let b: string;

  beforeAll(async () => {
    await emulator.reset();
    // two owned APIs whose manifests are gone
    a = await handMadeApi("OldA", { [TAG_NAME]: "old-a", [TAG_OWNER]: "apigw-reconciler" });
    b = await handMadeApi("OldB", { [TAG_NAME]: "old-b", [TAG_OWNER]: "apigw-reconciler" });
  });
  afterAll(() => dir.dispose());

  it("refuses (exit 1, zero writes) to delete 2 objects with the default --max-deletions 1", async () => {
    await emulator.resetCalls();
    const run = await reconcile(emulator, dir.dir, "--prune");
    const log = await emulator.calls();
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stderr).toMatch(/max-deletions/);
    expect(run.stderr).toContain(a);
    expect(run.stderr).toContain(b);
    expect(log.writes).toBe(0);
    expect((await allApis(aws.apigw)).length).toBe(2);
  });

  it("refuses with an explicit --max-deletions 1 too", async () => {
    await emulator.resetCalls();
    const run = await reconcile(emulator, dir.dir, "--prune", "--max-deletions", "1");
    expect(run.code, describeRun(run)).toBe(1);
    expect((await emulator.calls()).writes).toBe(0);
  });

  it("plans both deletions with --force or a higher --max-deletions (dry run: still no write)", async () => {
    await emulator.resetCalls();
    const forced = await reconcile(emulator, dir.dir, "--prune", "--force", "--dry-run");
    const higher = await reconcile(emulator, dir.dir, "--prune", "--max-deletions", "2", "--dry-run");
    expect(forced.code, describeRun(forced)).toBe(0);
    expect(higher.code, describeRun(higher)).toBe(0);
    for (const run of [forced, higher]) {
      expect(run.json?.changes.filter((c) => c.kind === "RestApi" && c.action === "delete").map((c) => c.api).sort()).toEqual(["old-a", "old-b"]);
    }
    expect((await emulator.calls()).writes).toBe(0);
  });
});
