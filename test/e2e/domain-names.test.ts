/**
 * The DomainName kind end to end, through the real CLI against the emulator (which implements domain
 * names, UpdateDomainName, tags on their ARNs and base path mappings as AWS does: SOURCES.md §5): the seed
 * manifests plus a domain with one mapping created from empty; a no-op pass (its calls counted); a
 * one-field change that is exactly one UpdateDomainName; out-of-band edits each reported by
 * `reconcile drift` (exit 2) with cause drift and healed by apply; prune of a removed domain.
 *
 * The emulator runs without its quota mode (as the other e2e files start it), but the CLI's own client
 * quota (aws/quotas.ts) still allows one Create/Update/DeleteDomainName per 30 s: every pass below makes
 * at most one of each, and each CLI run is a new process, so nothing waits 30 s.
 * Every CLI run has this file's working directory (drift-support.ts Workspace): the state file with the
 * last applied specs (drift vs pending) stays out of the repository.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateBasePathMappingCommand,
  CreateDeploymentCommand,
  CreateRestApiCommand,
  DeleteBasePathMappingCommand,
  GetBasePathMappingsCommand,
  GetDomainNameCommand,
  GetDomainNamesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UntagResourceCommand,
  UpdateBasePathMappingCommand,
  UpdateDomainNameCommand,
} from "@aws-sdk/client-api-gateway";
import type { Emulator } from "../emulator/emulator.ts";
import { explain, Workspace, type DriftChange, type RunResult } from "./drift-support.ts";
import { awsOps, REGION, theApi, useEmulator, writeOps, type Clients } from "./support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((started, startedClients) => {
  emulator = started;
  aws = startedClients;
});

const DOMAIN = "api.example.com";
const DOMAIN_ARN = `arn:aws:apigateway:${REGION}::/domainnames/${DOMAIN}`;
// ACM ARNs of the emulator's Region (it checks the Region as AWS does).
const CERT = `arn:aws:acm:${REGION}:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab`;
const OTHER_CERT = CERT.replace("0a1b2c3d", "9f8e7d6c");
const TAG_SPEC_HASH = "apigw-reconciler:spec-hash";

const domainManifest = (certificateArn = CERT) => ({
  apiVersion: "apigw-reconciler/v1",
  kind: "DomainName",
  metadata: { name: "api-example" },
  spec: { domainName: DOMAIN, endpointType: "REGIONAL", certificateArn, securityPolicy: "TLS_1_2", basePathMappings: [{ basePath: "v1", api: "my-s3", stage: "prod" }], tags: { team: "platform" } },
});

/** The domain's changes of a report (DomainName and BasePathMapping). */
const domainChanges = (run: RunResult): DriftChange[] => (run.json?.changes ?? []).filter((c) => c.kind === "DomainName" || c.kind === "BasePathMapping");
const mappingsOf = async () => (await aws.apigw.send(new GetBasePathMappingsCommand({ domainName: DOMAIN }))).items ?? [];

describe("DomainName: create, no-op, one-field change, drift, prune", () => {
  const ws = new Workspace();
  let apiId = "";

  beforeAll(async () => {
    await emulator.reset();
    ws.manifests.write("domain.yaml", domainManifest());
  });
  afterAll(() => ws.dispose());

  it("from empty: the seed API and role, then the domain with its mapping to my-s3/prod, tagged last with the spec hash", async () => {
    const run = await ws.apply(emulator);
    expect(run.code, explain(run)).toBe(0);
    expect(run.json?.operations.filter((o) => o.status !== "applied")).toEqual([]);
    apiId = (await theApi(aws.apigw)).id;
    const domain = await aws.apigw.send(new GetDomainNameCommand({ domainName: DOMAIN }));
    expect(domain).toMatchObject({ domainName: DOMAIN, regionalCertificateArn: CERT, endpointConfiguration: { types: ["REGIONAL"] }, securityPolicy: "TLS_1_2" });
    expect(domain.tags).toMatchObject({ team: "platform", "apigw-reconciler:name": "api-example", "apigw-reconciler:owner": "apigw-reconciler" });
    expect(domain.tags?.[TAG_SPEC_HASH]).toMatch(/\S/);
    expect(await mappingsOf()).toEqual([{ basePath: "v1", restApiId: apiId, stage: "prod" }]);
    // The mapping named the API by a ref to its CreateRestApi, resolved at apply, after the prod stage.
    const ids = run.json?.operations.map((o) => o.id) ?? [];
    expect(ids.indexOf("DomainName/api-example:CreateBasePathMapping:v1")).toBeGreaterThan(ids.indexOf("DomainName/api-example:CreateDomainName"));
  });

  it("a second pass writes nothing; the domain costs 2 reads (GetDomainNames, GetBasePathMappings; GetRestApis is shared with the RestApi kind)", async () => {
    await emulator.resetCalls();
    const run = await ws.apply(emulator);
    expect(run.code, explain(run)).toBe(0);
    expect(run.json?.changes).toEqual([]);
    const log = await emulator.calls();
    expect(writeOps(log)).toEqual({});
    const ops = awsOps(log);
    // The whole pass, documented: the seed's reads (RestApi 3, IamRole 4) and the domain's 2.
    expect(ops).toEqual({
      "apigateway:GetBasePathMappings": 1,
      "apigateway:GetDomainNames": 1,
      "apigateway:GetResources": 1,
      "apigateway:GetRestApis": 1,
      "apigateway:GetStages": 1,
      "iam:GetRole": 1,
      "iam:GetRolePolicy": 1,
      "iam:ListAttachedRolePolicies": 1,
      "iam:ListRolePolicies": 1,
    });
    expect({ GetDomainNames: ops["apigateway:GetDomainNames"], GetBasePathMappings: ops["apigateway:GetBasePathMappings"], GetDomainName: ops["apigateway:GetDomainName"] }).toEqual({
      GetDomainNames: 1,
      GetBasePathMappings: 1,
      GetDomainName: undefined,
    });
    // One GetRestApis per pass: the domain names the mapped API by its tag from the RestApi kind's answer.
    expect(ops["apigateway:GetRestApis"]).toBe(1);
  });

  it("the certificate changed in the manifest: exactly one UpdateDomainName (and the new spec hash), no CreateDeployment", async () => {
    ws.manifests.write("domain.yaml", domainManifest(OTHER_CERT));
    await emulator.resetCalls();
    const run = await ws.apply(emulator);
    expect(run.code, explain(run)).toBe(0);
    expect(writeOps(await emulator.calls())).toEqual({ "apigateway:TagResource": 1, "apigateway:UpdateDomainName": 1 });
    expect(domainChanges(run)).toMatchObject([{ kind: "DomainName", action: "update", cause: "pending", patch: [{ op: "replace", path: "/regionalCertificateArn", value: OTHER_CERT }] }]);
    expect((await aws.apigw.send(new GetDomainNameCommand({ domainName: DOMAIN }))).regionalCertificateArn).toBe(OTHER_CERT);
    expect((await ws.plan(emulator)).json?.changes).toEqual([]);
  });

  /** An API nobody manages, with a deployed stage `dev`: a mapping can be pointed at it out of band. */
  async function strangerApi(): Promise<string> {
    const api = await aws.apigw.send(new CreateRestApiCommand({ name: "stranger", endpointConfiguration: { types: ["REGIONAL"] } }));
    const method = { restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET" };
    await aws.apigw.send(new PutMethodCommand({ ...method, authorizationType: "NONE" }));
    await aws.apigw.send(new PutIntegrationCommand({ ...method, type: "MOCK" }));
    await aws.apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "dev" }));
    return api.id ?? "";
  }

  const edits: { edit: string; reason: string; apply: () => Promise<void>; expected: Partial<DriftChange>[] }[] = [
    {
      edit: "certificate",
      reason: "UpdateDomainName out of band: the domain's certificateArn differs from the manifest",
      apply: async () => void (await aws.apigw.send(new UpdateDomainNameCommand({ domainName: DOMAIN, patchOperations: [{ op: "replace", path: "/regionalCertificateArn", value: CERT }] }))),
      expected: [{ kind: "DomainName", action: "update", fields: [{ field: "certificateArn", before: CERT, after: OTHER_CERT }] }],
    },
    {
      edit: "security policy lowered",
      reason: "TLS_1_0 out of band: drift, and the report says it lowered the policy",
      apply: async () => void (await aws.apigw.send(new UpdateDomainNameCommand({ domainName: DOMAIN, patchOperations: [{ op: "replace", path: "/securityPolicy", value: "TLS_1_0" }] }))),
      expected: [{ kind: "DomainName", action: "update", security: ["out of band: security policy lowered from TLS_1_2 to TLS_1_0: clients may now connect with TLS 1.0"] }],
    },
    {
      edit: "mapping deleted",
      reason: "the manifest's mapping is gone: to create",
      apply: async () => void (await aws.apigw.send(new DeleteBasePathMappingCommand({ domainName: DOMAIN, basePath: "v1" }))),
      expected: [{ kind: "BasePathMapping", action: "create" }],
    },
    {
      edit: "mapping added",
      reason: "a mapping no manifest has: to delete; it exposed the API on the domain",
      apply: async () => void (await aws.apigw.send(new CreateBasePathMappingCommand({ domainName: DOMAIN, basePath: "extra", restApiId: apiId, stage: "prod" }))),
      expected: [{ kind: "BasePathMapping", action: "delete", security: ["out of band: exposes RestApi my-s3 stage prod on the public custom domain of DomainName api-example (base path /extra)"] }],
    },
    {
      edit: "mapping pointed at another API and stage",
      reason: "UpdateBasePathMapping out of band: api and stage both differ",
      apply: async () => {
        const stranger = await strangerApi();
        await aws.apigw.send(
          new UpdateBasePathMappingCommand({
            domainName: DOMAIN,
            basePath: "v1",
            patchOperations: [
              { op: "replace", path: "/restapiId", value: stranger },
              { op: "replace", path: "/stage", value: "dev" },
            ],
          }),
        );
      },
      expected: [{ kind: "BasePathMapping", action: "update", fields: [{ field: "api", before: expect.stringMatching(/^id:/) as unknown, after: "my-s3" }, { field: "stage", before: "dev", after: "prod" }] }],
    },
    {
      edit: "user tag removed",
      reason: "UntagResource on the domain's ARN: its tags differ",
      apply: async () => void (await aws.apigw.send(new UntagResourceCommand({ resourceArn: DOMAIN_ARN, tagKeys: ["team"] }))),
      expected: [{ kind: "DomainName", action: "update", fields: [{ field: "tags", before: {}, after: { team: "platform" } }] }],
    },
  ];

  it.each(edits)("out of band: $edit → drift (exit 2, cause drift), healed by apply, then plan shows nothing ($reason)", async ({ apply, expected }) => {
    await apply();
    const drift = await ws.drift(emulator);
    expect(drift.code, explain(drift)).toBe(2);
    const changes = domainChanges(drift);
    expect(changes).toMatchObject(expected.map((e) => ({ ...e, cause: "drift", domain: "api-example" })));
    const healed = await ws.apply(emulator);
    expect(healed.code, explain(healed)).toBe(0);
    expect(healed.json?.operations.filter((o) => o.status !== "applied")).toEqual([]);
    const after = await ws.plan(emulator);
    expect(after.json?.changes, explain(after)).toEqual([]);
    expect(await mappingsOf()).toEqual([{ basePath: "v1", restApiId: apiId, stage: "prod" }]);
  });

  it("prune: the domain's manifest removed, apply --prune deletes it (one DeleteDomainName), the API stays", async () => {
    ws.manifests.remove("domain.yaml");
    const plain = await ws.plan(emulator);
    expect(plain.json?.changes).toEqual([]);
    await emulator.resetCalls();
    const run = await ws.apply(emulator, "--prune");
    expect(run.code, explain(run)).toBe(0);
    expect(run.json?.changes).toMatchObject([{ kind: "DomainName", action: "delete", domain: "api-example" }]);
    expect(writeOps(await emulator.calls())).toEqual({ "apigateway:DeleteDomainName": 1 });
    expect((await aws.apigw.send(new GetDomainNamesCommand({ limit: 500 }))).items ?? []).toEqual([]);
    expect((await theApi(aws.apigw)).id).toBe(apiId);
  });
});
