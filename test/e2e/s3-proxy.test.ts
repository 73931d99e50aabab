/**
 * kind: S3Proxy through the real CLI against the emulator: one S3Proxy manifest and nothing else.
 * apply creates the API of the tutorial (every method) and its role (exactly the policy of manifests/);
 * plan then shows no change; an out-of-band edit of the API and one of the role are drift reported under
 * the S3Proxy's name (text header and JSON origin); `render` prints the two documents; `validate` counts it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UpdateRestApiCommand } from "@aws-sdk/client-api-gateway";
import { GetRoleCommand, GetRolePolicyCommand, UpdateRoleCommand } from "@aws-sdk/client-iam";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../emulator/emulator.ts";
import { decodePolicy, explain, Workspace } from "./drift-support.ts";
import { methodsByPath, readSeed, resourcesOf, ROLE_FILE, SEED, seedMethodsByPath, theApi, useEmulator, type Clients } from "./support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

const PROXY = `apiVersion: apigw-reconciler/v1
kind: S3Proxy
metadata:
  name: my-s3
spec:
  apiName: MyS3
`;
const ORIGIN = { kind: "S3Proxy", name: "my-s3" };

describe("an S3Proxy manifest alone, through the CLI", () => {
  let source: string;
  let work: Workspace;

  beforeAll(() => {
    source = mkdtempSync(join(tmpdir(), "s3proxy-e2e-"));
    writeFileSync(join(source, "proxy.yaml"), PROXY);
    work = new Workspace(source);
  });
  afterAll(() => {
    work.dispose();
    rmSync(source, { recursive: true, force: true });
  });

  it("validate counts the S3Proxy and what it expands to", async () => {
    const run = await work.run(emulator, ["validate", "-m", work.manifests.dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("1 document(s) in 1 file(s) are valid: 1 RestApi, 1 IamRole (1 S3Proxy → 1 RestApi, 1 IamRole)\n");
  });

  it("apply creates the tutorial's API and its role; every change names the S3Proxy", async () => {
    const run = await work.apply(emulator);
    expect(run.code, explain(run)).toBe(0);
    expect(run.json?.changes.filter((c) => c.action === "create").map((c) => c.kind)).toEqual(expect.arrayContaining(["RestApi", "IamRole"]));
    expect(run.json?.changes.every((c) => JSON.stringify((c as { origin?: unknown }).origin) === JSON.stringify(ORIGIN)), explain(run)).toBe(true);
    const api = await theApi(aws.apigw);
    expect(api.name).toBe("MyS3");
    expect(methodsByPath(await resourcesOf(aws.apigw, api.id))).toEqual(seedMethodsByPath());
    const role = await aws.iam.send(new GetRoleCommand({ RoleName: SEED.roleName }));
    expect(role.Role?.RoleName).toBe(SEED.roleName);
    const policy = await aws.iam.send(new GetRolePolicyCommand({ RoleName: SEED.roleName, PolicyName: "s3-proxy-access" }));
    const seedRole = readSeed<{ spec: { inlinePolicies: Record<string, unknown> } }>(ROLE_FILE);
    expect(JSON.stringify(decodePolicy(policy.PolicyDocument))).toBe(JSON.stringify(seedRole.spec.inlinePolicies["s3-proxy-access"]).replaceAll("${AWS_PARTITION}", "aws"));
  });

  it("plan then shows no change", async () => {
    const run = await work.plan(emulator);
    expect(run.code, explain(run)).toBe(0);
    expect(run.json?.changes, explain(run)).toEqual([]);
  });

  it("drift of the API and of the role is reported under the S3Proxy's name (JSON and text)", async () => {
    const api = await theApi(aws.apigw);
    await aws.apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: "replace", path: "/description", value: "edited by hand" }] }));
    await aws.iam.send(new UpdateRoleCommand({ RoleName: SEED.roleName, Description: "edited by hand" }));
    const json = await work.drift(emulator);
    expect(json.code, explain(json)).toBe(2);
    const drifted = json.json?.changes.filter((c) => c.cause === "drift") ?? [];
    expect(drifted.map((c) => c.kind).sort(), explain(json)).toEqual(["IamRole", "RestApi"]);
    expect(drifted.map((c) => (c as { origin?: unknown }).origin)).toEqual([ORIGIN, ORIGIN]);
    const text = await work.run(emulator, ["drift", "-m", work.manifests.dir, "--no-color"]);
    expect(text.code, text.stderr).toBe(2);
    expect(text.stdout).toContain("RestApi my-s3 (from S3Proxy my-s3)\n");
    expect(text.stdout).toContain("IamRole apig-aws-proxy-role (from S3Proxy my-s3)\n");
  });

  it("render prints the two documents it expands to, and exit 1 with file:line on invalid input", async () => {
    const run = await work.run(emulator, ["render", "-m", work.manifests.dir]);
    expect(run.code, run.stderr).toBe(0);
    const documents = parseAllDocuments(run.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    expect(documents.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual(["RestApi my-s3", "IamRole apig-aws-proxy-role"]);
    work.manifests.write("proxy.yaml", { apiVersion: "apigw-reconciler/v1", kind: "S3Proxy", metadata: { name: "my-s3" }, spec: { access: "read-only", operations: ["getObject", "putObject"] } });
    const bad = await work.run(emulator, ["render", "-m", work.manifests.dir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/proxy\.yaml:\d+:\d+ spec\.operations\[1\]: putObject needs access read-write or full/);
  });
});
