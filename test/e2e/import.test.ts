/**
 * `reconcile import` through the real CLI: the AWS documentation's S3-proxy definition becomes a manifest
 * file, which `reconcile validate` accepts and `reconcile plan` (against the emulator, beside the seed role)
 * plans to create. The image-upload variant keeps its binary media types; unsupported extensions are listed
 * on stderr with exit 0; an invalid document is exit 1 with the file, the pointer and the library's message.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import type { Emulator } from "../emulator/emulator.ts";
import { describeRun, plan, REPO, ROLE_FILE, runCli, SEED_MANIFESTS, useEmulator, writeOps } from "./support.ts";

let emulator: Emulator;
useEmulator((started) => {
  emulator = started;
});

const FIXTURES = join(REPO, "test", "fixtures", "openapi");
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "apigw-import-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("reconcile import", () => {
  it("imports the documented S3 proxy; validate and plan accept the manifest beside the seed role", async () => {
    const dir = tempDir();
    copyFileSync(join(SEED_MANIFESTS, ROLE_FILE), join(dir, ROLE_FILE));
    const api = join(dir, "api.yaml");
    const imported = await runCli(emulator, ["import", join(FIXTURES, "s3-proxy-swagger.json"), "--role", "apig-aws-proxy-role", "--name", "my-s3", "--out", api]);
    expect(imported.code, describeRun(imported)).toBe(0);
    expect(imported.stderr).toBe("");
    const manifest = YAML.parse(readFileSync(api, "utf8")) as { kind: string; spec: { resources: Record<string, unknown> } };
    expect(manifest.kind).toBe("RestApi");
    expect(Object.keys(manifest.spec.resources)).toEqual(["/", "/{folder}", "/{folder}/{item}"]);

    const validated = await runCli(emulator, ["validate", "-m", dir]);
    expect(validated.code, describeRun(validated)).toBe(0);
    expect(validated.stdout).toContain("1 RestApi, 1 IamRole");

    const planned = await plan(emulator, dir);
    expect(planned.code, describeRun(planned)).toBe(0);
    expect(planned.json?.summary).toBeDefined();
    expect(planned.json?.changes.length).toBeGreaterThan(0);
    expect(writeOps(await emulator.calls())).toEqual({});
  });

  it("the image-upload variant imports with its binary media types, on stdout", async () => {
    const imported = await runCli(emulator, ["import", join(FIXTURES, "s3-proxy-binary-swagger.json")]);
    expect(imported.code, describeRun(imported)).toBe(0);
    const manifest = YAML.parse(imported.stdout) as { spec: { binaryMediaTypes: string[]; resources: Record<string, { methods: Record<string, { integration: { credentials: unknown } }> }> } };
    expect(manifest.spec.binaryMediaTypes).toEqual(["application/octet-stream", "image/jpeg"]);
    expect(manifest.spec.resources["/s3"]?.methods.PUT?.integration.credentials).toBe("arn:${AWS_PARTITION}:iam::${AWS_ACCOUNT_ID}:role/binarySupportRole");
  });

  it("lists unsupported extensions on stderr and exits 0", async () => {
    const dir = tempDir();
    const document = JSON.parse(readFileSync(join(FIXTURES, "s3-proxy-swagger.json"), "utf8")) as Record<string, unknown>;
    document["x-amazon-apigateway-gateway-responses"] = { DEFAULT_4XX: { statusCode: 400 } };
    const file = join(dir, "with-gateway-responses.json");
    writeFileSync(file, JSON.stringify(document));
    const imported = await runCli(emulator, ["import", file, "--role", "apig-aws-proxy-role"]);
    expect(imported.code, describeRun(imported)).toBe(0);
    expect(imported.stderr).toBe("unsupported: /x-amazon-apigateway-gateway-responses: x-amazon-apigateway-gateway-responses is not supported by reconcile import\n");
    expect(imported.stdout).toContain("kind: RestApi");
  });

  it("refuses an invalid document with exit 1: the file, the pointer and the library's message", async () => {
    const dir = tempDir();
    // The page's text as written: its host keeps the {region} placeholder, which Swagger 2.0 does not allow.
    const text = readFileSync(join(FIXTURES, "s3-proxy-swagger.json"), "utf8").replace("execute-api.us-west-2.amazonaws.com", "execute-api.{region}.amazonaws.com");
    const file = join(dir, "verbatim.json");
    writeFileSync(file, text);
    const imported = await runCli(emulator, ["import", file]);
    expect(imported.code).toBe(1);
    expect(imported.stdout).toBe("");
    expect(imported.stderr).toContain(`error: not a valid OpenAPI definition: ${file}: Swagger schema validation failed.`);
    expect(imported.stderr).toContain("#/host");
  });
});
