/**
 * `reconcile export` through the real CLI: the manifests it writes apply as no change.
 *   1. the seed API applied by the reconciler → export → plan: 0 changes, apply: no write;
 *   2. an API and role built by hand with the SDK → export --adopt → apply adopts them (tags, no new API)
 *      → plan: 0 changes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from "@aws-sdk/client-api-gateway";
import { CreateRoleCommand, ListRoleTagsCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import YAML from "yaml";
import type { Emulator } from "../emulator/emulator.ts";
import { allApis, API_KEY, describeRun, ManifestDir, plan, reconcile, REGION, runCli, TAG_NAME, type Clients, useEmulator } from "./support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((e, c) => {
  emulator = e;
  aws = c;
});

const dirs: string[] = [];
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "apigw-export-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("export of the seed API", () => {
  const seed = new ManifestDir();
  afterAll(() => seed.dispose());

  beforeAll(async () => {
    const applied = await reconcile(emulator, seed.dir);
    expect(applied.code, describeRun(applied)).toBe(0);
  });

  it("writes my-s3-api.yaml and apig-aws-proxy-role-role.yaml; plan on them finds no change, apply writes nothing", async () => {
    const out = scratchDir();
    const exported = await runCli(emulator, ["export", "--api", API_KEY, "--out", out]);
    expect(exported.code, describeRun(exported)).toBe(0);
    expect(exported.stderr).not.toContain("warning");
    expect(readdirSync(out).sort()).toEqual(["apig-aws-proxy-role-role.yaml", "my-s3-api.yaml"]);
    const api = YAML.parse(readFileSync(join(out, "my-s3-api.yaml"), "utf8")) as { spec: { resources: Record<string, { methods: Record<string, { integration: { credentials: unknown; uri: string } }> }> } };
    const get = api.spec.resources["/{folder}"]?.methods.GET?.integration;
    expect(get?.credentials).toEqual({ roleRef: "apig-aws-proxy-role" });
    expect(get?.uri).toBe("arn:${AWS_PARTITION}:apigateway:${AWS_REGION}:s3:path/{bucket}");

    const planned = await plan(emulator, out);
    expect(planned.code, describeRun(planned)).toBe(0);
    expect(planned.json?.changes, describeRun(planned)).toEqual([]);

    const applied = await reconcile(emulator, out);
    expect(applied.code, describeRun(applied)).toBe(0);
    expect(applied.json?.changes).toEqual([]);
    expect(applied.json?.calls.writes, describeRun(applied)).toBe(0);
  });

  it("prints the same manifests as one multi-document YAML on stdout", async () => {
    const exported = await runCli(emulator, ["export", "--api", API_KEY]);
    expect(exported.code, describeRun(exported)).toBe(0);
    const documents = YAML.parseAllDocuments(exported.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    expect(documents.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(["RestApi/my-s3", "IamRole/apig-aws-proxy-role"]);
  });
});

describe("export of an API built by hand with the SDK", () => {
  let apiId = "";

  beforeAll(async () => {
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    const role = await aws.iam.send(new CreateRoleCommand({ RoleName: "handMadeS3Role", AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await aws.iam.send(
      new PutRolePolicyCommand({
        RoleName: "handMadeS3Role",
        PolicyName: "read-buckets",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::*" }] }),
      }),
    );
    const api = await aws.apigw.send(new CreateRestApiCommand({ name: "HandMade", description: "built by hand", endpointConfiguration: { types: ["REGIONAL"] } }));
    apiId = api.id ?? "";
    const resources = await aws.apigw.send(new GetResourcesCommand({ restApiId: apiId }));
    const root = resources.items?.find((r) => r.path === "/")?.id ?? "";
    const folder = await aws.apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: root, pathPart: "{folder}" }));
    const at = { restApiId: apiId, resourceId: folder.id ?? "", httpMethod: "GET" };
    await aws.apigw.send(new PutMethodCommand({ ...at, authorizationType: "AWS_IAM", requestParameters: { "method.request.path.folder": true } }));
    await aws.apigw.send(
      new PutIntegrationCommand({
        ...at,
        type: "AWS",
        integrationHttpMethod: "GET",
        uri: `arn:aws:apigateway:${REGION}:s3:path/{bucket}`,
        credentials: role.Role?.Arn ?? "",
        requestParameters: { "integration.request.path.bucket": "method.request.path.folder" },
      }),
    );
    await aws.apigw.send(new PutMethodResponseCommand({ ...at, statusCode: "200", responseModels: { "application/json": "Empty" } }));
    await aws.apigw.send(new PutIntegrationResponseCommand({ ...at, statusCode: "200", selectionPattern: "" }));
    await aws.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: "dev" }));
  });

  it("without --adopt, notes that applying would create a new API (and that the role needs adopting)", async () => {
    const exported = await runCli(emulator, ["export", "--api", "HandMade"]);
    expect(exported.code, describeRun(exported)).toBe(0);
    expect(exported.stderr).toContain("would create a new API unless --adopt");
    expect(exported.stderr).toContain("role handMadeS3Role is not managed by apigw-reconciler");
    expect(exported.stdout).not.toContain("adopt: true");
    expect(exported.stdout).toContain('Version: "2012-10-17"');
  });

  it("export --adopt → apply adopts the API and the role (tags them, creates no API) → plan finds no change", async () => {
    const out = scratchDir();
    const exported = await runCli(emulator, ["export", "--api", apiId, "--adopt", "--out", out]);
    expect(exported.code, describeRun(exported)).toBe(0);
    expect(exported.stderr).not.toContain("warning");
    expect(readdirSync(out).sort()).toEqual(["hand-made-api.yaml", "hand-made-s3-role-role.yaml"]);
    const manifest = YAML.parse(readFileSync(join(out, "hand-made-api.yaml"), "utf8")) as { spec: Record<string, unknown> };
    expect(manifest.spec).toMatchObject({ name: "HandMade", adopt: true, stages: { dev: {} } });

    const before = (await allApis(aws.apigw)).length;
    const applied = await reconcile(emulator, out);
    expect(applied.code, describeRun(applied)).toBe(0);
    expect((await allApis(aws.apigw)).length).toBe(before);
    expect(Object.keys(applied.json?.calls.byOperation ?? {}).filter((op) => op.endsWith("CreateRestApi"))).toEqual([]);
    const api = await aws.apigw.send(new GetRestApiCommand({ restApiId: apiId }));
    expect(api.tags?.[TAG_NAME]).toBe("hand-made");
    const roleTags = await aws.iam.send(new ListRoleTagsCommand({ RoleName: "handMadeS3Role" }));
    expect(roleTags.Tags?.find((t) => t.Key === TAG_NAME)?.Value).toBe("hand-made-s3-role");

    const planned = await plan(emulator, out);
    expect(planned.code, describeRun(planned)).toBe(0);
    expect(planned.json?.changes, describeRun(planned)).toEqual([]);
  });

});
