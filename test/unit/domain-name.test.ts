// The DomainName kind (src/kinds/domain-name): its load checks (file:line messages), its diff (changes and
// patch operations), its plan through the engine's buildPlan (order, refs to a new API, stage readiness,
// one UpdateDomainName per domain, "" replacing other base paths, prune), its observe against a mocked
// SDK (ownership, calls), its security notes and lost-answer recovery. Every row says why.
import { APIGatewayClient, GetBasePathMappingsCommand, GetDomainNameCommand, GetDomainNamesCommand, GetRestApisCommand } from "@aws-sdk/client-api-gateway";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import YAML from "yaml";
import { AwsCallError, classifyError } from "../../src/aws/errors.ts";
import { createGateway, type Gateway } from "../../src/aws/gateway.ts";
import { observe, OwnershipError, type Observed } from "../../src/engine/observe.ts";
import { buildPlan } from "../../src/engine/plan.ts";
import { domainNameKind } from "../../src/kinds/domain-name/index.ts";
import { diffDomainName, domainSpecHash } from "../../src/kinds/domain-name/diff.ts";
import type { DomainNameModel } from "../../src/kinds/domain-name/model.ts";
import type { LiveDomainName } from "../../src/kinds/domain-name/observe.ts";
import { stageKey } from "../../src/kinds/rest-api/index.ts";
import { ManifestError, type ManifestIssue } from "../../src/manifest/issues.ts";
import { parseManifests, type SourceFile } from "../../src/manifest/load.ts";
import type { Change, Operation, Plan } from "../../src/model/changes.ts";
import { TAG } from "../../src/model/live.ts";
import { resolvePlaceholders } from "../../src/model/placeholders.ts";
import type { DesiredObject, DesiredState } from "../../src/model/types.ts";
import { apisOf, liveApiOf, liveRoleOf, observedOf, OWNER, PLAN_OPTIONS, ROOT, rolesOf, seedFiles, TARGET } from "./support/models.ts";
import { expectWellFormed } from "./support/plans.ts";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab";
const OTHER_CERT = CERT.replace("0a1b2c3d", "9f8e7d6c");
const GROUP = "DomainName/api-example";
const BAD_BASE_PATH = `9 spec.basePathMappings[0].basePath: a base path is "" (none) or letters, digits and $-_.+!*'() — no "/" (multi-level paths are API Gateway V2), not "(none)"`;
const API_GROUP = "RestApi/my-s3";

interface MappingSpec {
  basePath: string;
  api: string;
  stage: string;
}

/**
 * A DomainName document as YAML data; `edit` changes its spec. As YAML.stringify writes it: line 6
 * domainName, 7 certificateArn, 8 basePathMappings, 9-11 the first mapping (basePath, api, stage), then
 * the fields `edit` adds (12…).
 */
function domainDoc(edit: (spec: Record<string, unknown>) => void = () => {}): Record<string, unknown> {
  const spec: Record<string, unknown> = { domainName: "api.example.com", certificateArn: CERT, basePathMappings: [{ basePath: "v1", api: "my-s3", stage: "prod" }] };
  edit(spec);
  return { apiVersion: "apigw-reconciler/v1", kind: "DomainName", metadata: { name: "api-example" }, spec };
}

function domainFile(edit?: (spec: Record<string, unknown>) => void): SourceFile {
  return { file: "manifests/domain.yaml", text: YAML.stringify(domainDoc(edit)) };
}

/** The problems of loading the seed manifests with a domain (and other files), as "line field: message". */
function problems(files: SourceFile[]): string[] {
  try {
    parseManifests([...seedFiles(), ...files]);
    return [];
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    return error.issues.filter((i: ManifestIssue) => i.file === "manifests/domain.yaml").map((i) => `${i.line} ${i.field}: ${i.message}`);
  }
}

function loaded(edit?: (spec: Record<string, unknown>) => void): DesiredState {
  return resolvePlaceholders(parseManifests([...seedFiles(), domainFile(edit)]).desired, TARGET);
}

function domainOf(desired: DesiredState): DesiredObject<"DomainName", DomainNameModel> {
  const found = desired.objects.find((o) => o.kind === "DomainName");
  if (!found) throw new Error("no DomainName");
  return found as DesiredObject<"DomainName", DomainNameModel>;
}

/** A live domain as observe reports it: the model given, tagged as ours with the spec hash of `applied`. */
function liveOf(model: DomainNameModel, applied: DomainNameModel = model): LiveDomainName {
  return { status: "AVAILABLE", tags: { ...model.tags, [TAG.name]: model.key, [TAG.owner]: OWNER, [TAG.specHash]: domainSpecHash(applied) }, model: structuredClone(model) };
}

/** Observed: the seed API and role live (as the manifests say), and the domain as given. */
function observedWith(desired: DesiredState, domain?: LiveDomainName, options: { apiLive?: boolean } = {}): Observed {
  const base = observedOf({ ...(options.apiLive === false ? {} : { apis: apisOf(desired).map((a) => liveApiOf(a.model)) }), roles: rolesOf(desired).map((r) => liveRoleOf(r.model)) });
  if (domain) base.objects.set(GROUP, { kind: "DomainName", key: domain.model.key, live: domain, adopted: false });
  return base;
}

function withMappings(model: DomainNameModel, mappings: Record<string, { api: string; stage: string }>): DomainNameModel {
  return { ...structuredClone(model), basePathMappings: mappings };
}

const domainOps = (plan: Plan): Operation[] => plan.operations.filter((o) => o.group === GROUP);
const calls = (plan: Plan): string[] => domainOps(plan).map((o) => o.call);
const op = (plan: Plan, id: string): Operation => {
  const found = plan.operations.find((o) => o.id === id);
  if (!found) throw new Error(`no operation ${id}; have ${plan.operations.map((o) => o.id).join(", ")}`);
  return found;
};

// ---------------------------------------------------------------- checks

describe("DomainName checks: file:line messages", () => {
  const broken: SourceFile = { file: "manifests/broken.yaml", text: YAML.stringify({ apiVersion: "apigw-reconciler/v1", kind: "RestApi", metadata: { name: "broken" }, spec: { resources: "nope" } }) };
  const otherRegion: SourceFile = {
    file: "manifests/eu.yaml",
    text: YAML.stringify({ apiVersion: "apigw-reconciler/v1", kind: "RestApi", metadata: { name: "eu-api" }, spec: { region: "eu-west-1", resources: { "/": {} }, stages: { prod: {} } } }),
  };
  const mappings = (...list: MappingSpec[]) => (spec: Record<string, unknown>) => void (spec.basePathMappings = list);

  it.each<{ reason: string; edit: (spec: Record<string, unknown>) => void; extra?: SourceFile[]; expected: string[] }>([
    { reason: "the seed plus a domain mapping my-s3/prod is valid", edit: () => {}, expected: [] },
    { reason: "a mapping names a RestApi no manifest declares (with a suggestion)", edit: mappings({ basePath: "v1", api: "my-s3x", stage: "prod" }), expected: ['10 spec.basePathMappings[0].api: no RestApi named "my-s3x"; did you mean "my-s3"?'] },
    { reason: "a stage the RestApi manifest does not have", edit: mappings({ basePath: "v1", api: "my-s3", stage: "dev" }), expected: ['11 spec.basePathMappings[0].stage: RestApi "my-s3" has no stage "dev"; its stages: prod'] },
    { reason: "a declared but broken RestApi is not reported again (its own problems are)", edit: mappings({ basePath: "v1", api: "broken", stage: "prod" }), extra: [broken], expected: [] },
    {
      reason: "the same base path twice: reported at the second",
      edit: mappings({ basePath: "v1", api: "my-s3", stage: "prod" }, { basePath: "v1", api: "my-s3", stage: "prod" }),
      expected: ['12 spec.basePathMappings[1].basePath: base path "v1" is already mapped by basePathMappings[0]'],
    },
    {
      reason: '"" beside another mapping: AWS answers 409 "Only one base path mapping is allowed if the base path is empty."',
      edit: mappings({ basePath: "v1", api: "my-s3", stage: "prod" }, { basePath: "", api: "my-s3", stage: "prod" }),
      expected: ["12 spec.basePathMappings[1].basePath: an empty base path ((none)) must be the domain's only mapping (AWS refuses others beside it)"],
    },
    {
      reason: "an API managed in another Region than the domain cannot be mapped",
      edit: mappings({ basePath: "v1", api: "eu-api", stage: "prod" }),
      extra: [otherRegion],
      expected: ['10 spec.basePathMappings[0].api: RestApi "eu-api" is managed in the run\'s account, Region eu-west-1, this domain in the run\'s account, the run\'s Region: a mapping\'s API must be beside its domain'],
    },
    {
      reason: "the certificate's Region must be the domain's (AWS: \"Certificate must be in 'us-west-2'.\")",
      edit: (spec) => void (spec.region = "us-west-2"),
      expected: [
        "7 spec.certificateArn: the certificate is in us-east-1, the domain in us-west-2 (spec.region): a regional domain needs a certificate of its own Region",
        // The seed API is in the run's Region, the domain now in us-west-2: both are said.
        "10 spec.basePathMappings[0].api: RestApi \"my-s3\" is managed in the run's account, the run's Region, this domain in the run's account, Region us-west-2: a mapping's API must be beside its domain",
      ],
    },
    { reason: "a ${AWS_REGION} certificate is not compared", edit: (spec) => void Object.assign(spec, { region: "us-west-2", certificateArn: CERT.replace("us-east-1", "${AWS_REGION}"), basePathMappings: [] }), expected: [] },
    { reason: "'/' in a base path is V2 (multi-level)", edit: mappings({ basePath: "v1/x", api: "my-s3", stage: "prod" }), expected: [BAD_BASE_PATH] },
    { reason: '"(none)" is how AWS addresses the empty base path', edit: mappings({ basePath: "(none)", api: "my-s3", stage: "prod" }), expected: [BAD_BASE_PATH] },
    { reason: "upper case in a domain name would never match AWS's identity", edit: (spec) => void (spec.domainName = "API.example.com"), expected: ["6 spec.domainName: a domain name is lower-case DNS labels (a-z, 0-9, -) separated by dots, e.g. api.example.com or *.example.com"] },
    { reason: "a certificate that is not an ACM ARN", edit: (spec) => void (spec.certificateArn = "arn:aws:iam::123456789012:server-certificate/x"), expected: ["7 spec.certificateArn: an ACM certificate ARN, e.g. arn:aws:acm:eu-west-1:123456789012:certificate/0a1b…"] },
    { reason: "EDGE is not managed (us-east-1 certificate, CloudFront)", edit: (spec) => void (spec.endpointType = "EDGE"), expected: ['12 spec.endpointType: must be "REGIONAL", got "EDGE"'] },
    { reason: "a SecurityPolicy_* policy needs an endpoint access mode AWS requires", edit: (spec) => void (spec.securityPolicy = "SecurityPolicy_TLS13_1_2_2021_06"), expected: ["12 spec.securityPolicy: SecurityPolicy_TLS13_1_2_2021_06 needs an endpoint access mode, which this reconciler does not manage yet; use TLS_1_2 (or TLS_1_0)"] },
    { reason: "reserved tag keys", edit: (spec) => void (spec.tags = { "apigw-reconciler:name": "x" }), expected: ['13 spec.tags["apigw-reconciler:name"]: tag keys starting with "apigw-reconciler:" are reserved'] },
  ])("$reason", ({ edit, extra, expected }) => {
    expect(problems([domainFile(edit), ...(extra ?? [])])).toEqual(expected);
  });

  it("examples/custom-domain.yaml loads beside the seed manifests", () => {
    const text = readFileSync(join(ROOT, "examples", "custom-domain.yaml"), "utf8");
    const desired = parseManifests([...seedFiles(), { file: "examples/custom-domain.yaml", text }]).desired;
    expect(domainOf(desired).model).toMatchObject({ domainName: "api.example.com", endpointType: "REGIONAL", securityPolicy: "TLS_1_2", basePathMappings: { s3: { api: "my-s3", stage: "prod" } } });
  });

  it("expand fills the defaults observe fills (REGIONAL, TLS_1_2, no tags), mappings by base path", () => {
    const model = domainOf(loaded((spec) => void (spec.basePathMappings = [{ basePath: "", api: "my-s3", stage: "prod" }]))).model;
    expect(model).toEqual({ key: "api-example", domainName: "api.example.com", endpointType: "REGIONAL", certificateArn: CERT, securityPolicy: "TLS_1_2", tags: {}, basePathMappings: { "": { api: "my-s3", stage: "prod" } } });
  });
});

// ---------------------------------------------------------------- diff

describe("DomainName diff → changes and patch operations", () => {
  const desired = domainOf(loaded()).model;
  const live = (edit: (m: DomainNameModel) => void): LiveDomainName => {
    const model = structuredClone(desired);
    edit(model);
    return liveOf(model);
  };
  const summary = (changes: Change[]) => changes.map((c) => ({ kind: c.kind, action: c.action, id: c.id, fields: c.fields.map((f) => f.field), patch: c.patch }));

  it.each<{ reason: string; edit: (m: DomainNameModel) => void; expected: ReturnType<typeof summary> }>([
    { reason: "as the manifest says: nothing", edit: () => {}, expected: [] },
    {
      reason: "security policy changed out of band: replace /securityPolicy",
      edit: (m) => void (m.securityPolicy = "TLS_1_0"),
      expected: [{ kind: "DomainName", action: "update", id: { domain: "api-example" }, fields: ["securityPolicy"], patch: [{ op: "replace", path: "/securityPolicy", value: "TLS_1_2" }] }],
    },
    {
      reason: "certificate and policy: one change, both ops (one UpdateDomainName)",
      edit: (m) => Object.assign(m, { certificateArn: OTHER_CERT, securityPolicy: "TLS_1_0" }),
      expected: [
        {
          kind: "DomainName",
          action: "update",
          id: { domain: "api-example" },
          fields: ["certificateArn", "securityPolicy"],
          patch: [
            { op: "replace", path: "/regionalCertificateArn", value: CERT },
            { op: "replace", path: "/securityPolicy", value: "TLS_1_2" },
          ],
        },
      ],
    },
    { reason: "tags are not patched (TagResource)", edit: (m) => void (m.tags = { x: "1" }), expected: [{ kind: "DomainName", action: "update", id: { domain: "api-example" }, fields: ["tags"], patch: [] }] },
    {
      reason: "a mapping's stage: replace /stage",
      edit: (m) => void (m.basePathMappings = { v1: { api: "my-s3", stage: "dev" } }),
      expected: [{ kind: "BasePathMapping", action: "update", id: { domain: "api-example", basePath: "v1" }, fields: ["stage"], patch: [{ op: "replace", path: "/stage", value: "prod" }] }],
    },
    {
      reason: "a mapping's API: /restapiId is the plan's (the id is only known there)",
      edit: (m) => void (m.basePathMappings = { v1: { api: "id:zzz", stage: "prod" } }),
      expected: [{ kind: "BasePathMapping", action: "update", id: { domain: "api-example", basePath: "v1" }, fields: ["api"], patch: [] }],
    },
    {
      reason: "another base path: delete the old, create the new",
      edit: (m) => void (m.basePathMappings = { v0: { api: "my-s3", stage: "prod" } }),
      expected: [
        { kind: "BasePathMapping", action: "delete", id: { domain: "api-example", basePath: "v0" }, fields: ["api", "stage"], patch: [] },
        { kind: "BasePathMapping", action: "create", id: { domain: "api-example", basePath: "v1" }, fields: ["api", "stage"], patch: [] },
      ],
    },
    {
      reason: "an empty base path is addressed as (none)",
      edit: (m) => void (m.basePathMappings = { v1: { api: "my-s3", stage: "prod" }, "": { api: "my-s3", stage: "prod" } }),
      expected: [{ kind: "BasePathMapping", action: "delete", id: { domain: "api-example", basePath: "(none)" }, fields: ["api", "stage"], patch: [] }],
    },
    {
      reason: "a new domainName is a new domain (no patch path): replace, mappings created anew",
      edit: (m) => void (m.domainName = "old.example.com"),
      expected: [
        { kind: "DomainName", action: "replace", id: { domain: "api-example" }, fields: ["domainName"], patch: [] },
        { kind: "BasePathMapping", action: "create", id: { domain: "api-example", basePath: "v1" }, fields: ["api", "stage"], patch: [] },
      ],
    },
  ])("$reason", ({ edit, expected }) => {
    expect(summary(diffDomainName(desired, live(edit)))).toEqual(expected);
  });

  it("absent: create the domain with its fields, then its mappings", () => {
    expect(summary(diffDomainName(desired, undefined))).toEqual([
      { kind: "DomainName", action: "create", id: { domain: "api-example" }, fields: ["domainName", "endpointType", "certificateArn", "securityPolicy"], patch: [] },
      { kind: "BasePathMapping", action: "create", id: { domain: "api-example", basePath: "v1" }, fields: ["api", "stage"], patch: [] },
    ]);
  });
});

// ---------------------------------------------------------------- plan

describe("DomainName plan (through buildPlan)", () => {
  it("from empty, with the API created in the same pass: the mapping refers to CreateRestApi's answer and waits for the prod stage", () => {
    const desired = loaded();
    const plan = buildPlan(desired, observedWith(desired, undefined, { apiLive: false }), PLAN_OPTIONS);
    expect(calls(plan)).toEqual(["CreateDomainName", "CreateBasePathMapping", "TagResource"]);
    const create = op(plan, `${GROUP}:CreateDomainName`);
    expect(create.input).toEqual({
      domainName: "api.example.com",
      regionalCertificateArn: CERT,
      endpointConfiguration: { types: ["REGIONAL"] },
      securityPolicy: "TLS_1_2",
      // Created without the spec hash: the final TagResource writes it.
      tags: { [TAG.name]: "api-example", [TAG.owner]: OWNER },
    });
    const mapping = op(plan, `${GROUP}:CreateBasePathMapping:v1`);
    expect(mapping.input).toEqual({ domainName: "api.example.com", basePath: "v1", restApiId: { $ref: "api", group: API_GROUP }, stage: "prod" });
    const stageOp = plan.operations.find((o) => o.group === API_GROUP && (o.call === "CreateDeployment" || o.call === "CreateStage") && o.input.stageName === "prod");
    expect(stageOp).toBeDefined();
    expect(mapping.after).toEqual([create.id, stageOp!.id]);
    const tag = op(plan, `${GROUP}:TagResource`);
    expect(tag.input).toEqual({ resourceArn: "arn:aws:apigateway:us-east-1::/domainnames/api.example.com", tags: { [TAG.name]: "api-example", [TAG.owner]: OWNER, [TAG.specHash]: domainSpecHash(domainOf(desired).model) } });
    expect(tag.after).toEqual([create.id, mapping.id]);
    expect(plan.changes.filter((c) => c.kind === "BasePathMapping").map((c) => c.security)).toEqual([["exposes RestApi my-s3 stage prod on the public custom domain of DomainName api-example (base path /v1)"]]);
  });

  it("the API and its stage live: the mapping names the live id and waits for nothing of the API", () => {
    const desired = loaded();
    const plan = buildPlan(desired, observedWith(desired), PLAN_OPTIONS);
    const mapping = op(plan, `${GROUP}:CreateBasePathMapping:v1`);
    expect(mapping.input.restApiId).toBe("api1");
    expect(mapping.after).toEqual([`${GROUP}:CreateDomainName`]);
  });

  it("nothing to do: no operation at all (no tagging either)", () => {
    const desired = loaded();
    expect(domainOps(buildPlan(desired, observedWith(desired, liveOf(domainOf(desired).model)), PLAN_OPTIONS))).toEqual([]);
  });

  it("a manifest change of certificate and policy: ONE UpdateDomainName with both ops (1 per 30 s per account), then the new hash", () => {
    const desired = loaded((spec) => Object.assign(spec, { certificateArn: OTHER_CERT, securityPolicy: "TLS_1_0" }));
    const before = { ...domainOf(desired).model, certificateArn: CERT, securityPolicy: "TLS_1_2" };
    const plan = buildPlan(desired, observedWith(desired, liveOf(before)), PLAN_OPTIONS);
    expect(calls(plan)).toEqual(["UpdateDomainName", "TagResource"]);
    expect(op(plan, `${GROUP}:UpdateDomainName`).input).toEqual({
      domainName: "api.example.com",
      patchOperations: [
        { op: "replace", path: "/regionalCertificateArn", value: OTHER_CERT },
        { op: "replace", path: "/securityPolicy", value: "TLS_1_0" },
      ],
    });
    expect(op(plan, `${GROUP}:TagResource`).after).toEqual([`${GROUP}:UpdateDomainName`]);
    const change = plan.changes.find((c) => c.kind === "DomainName");
    expect(change).toMatchObject({ cause: "pending", security: ["security policy lowered from TLS_1_2 to TLS_1_0: clients may now connect with TLS 1.0"] });
  });

  it("drift of the policy only (the hash tag is current): one UpdateDomainName, no tagging; the note says what was done out of band", () => {
    const desired = loaded();
    const model = domainOf(desired).model;
    const plan = buildPlan(desired, observedWith(desired, liveOf({ ...model, securityPolicy: "TLS_1_0" }, model)), PLAN_OPTIONS);
    expect(calls(plan)).toEqual(["UpdateDomainName"]);
    expect(plan.changes.find((c) => c.kind === "DomainName")).toMatchObject({ cause: "drift", security: ["out of band: security policy lowered from TLS_1_2 to TLS_1_0: clients may now connect with TLS 1.0"] });
  });

  it("a user tag removed from the manifest: UntagResource of it, then the final TagResource", () => {
    const desired = loaded();
    const model = domainOf(desired).model;
    const plan = buildPlan(desired, observedWith(desired, liveOf({ ...model, tags: { team: "x" } }, { ...model, tags: { team: "x" } })), PLAN_OPTIONS);
    expect(calls(plan)).toEqual(["UntagResource", "TagResource"]);
    expect(op(plan, `${GROUP}:UntagResource`).input).toEqual({ resourceArn: "arn:aws:apigateway:us-east-1::/domainnames/api.example.com", tagKeys: ["team"] });
  });

  it('"" replacing v1 and v2: both deletes before the create (AWS 409 otherwise)', () => {
    const desired = loaded((spec) => void (spec.basePathMappings = [{ basePath: "", api: "my-s3", stage: "prod" }]));
    const model = domainOf(desired).model;
    const plan = buildPlan(desired, observedWith(desired, liveOf(withMappings(model, { v1: { api: "my-s3", stage: "prod" }, v2: { api: "my-s3", stage: "prod" } }))), PLAN_OPTIONS);
    expect(calls(plan)).toEqual(["DeleteBasePathMapping", "DeleteBasePathMapping", "CreateBasePathMapping", "TagResource"]);
    const create = op(plan, `${GROUP}:CreateBasePathMapping:(none)`);
    // The empty base path is sent as absent.
    expect(create.input).toEqual({ domainName: "api.example.com", restApiId: "api1", stage: "prod" });
    expect(create.after).toEqual([`${GROUP}:DeleteBasePathMapping:v1`, `${GROUP}:DeleteBasePathMapping:v2`]);
    expect(op(plan, `${GROUP}:DeleteBasePathMapping:v1`).input).toEqual({ domainName: "api.example.com", basePath: "v1" });
  });

  it("v1 replacing (none): the create waits for DeleteBasePathMapping (none)", () => {
    const desired = loaded();
    const model = domainOf(desired).model;
    const plan = buildPlan(desired, observedWith(desired, liveOf(withMappings(model, { "": { api: "my-s3", stage: "prod" } }))), PLAN_OPTIONS);
    expect(op(plan, `${GROUP}:DeleteBasePathMapping:(none)`).input).toEqual({ domainName: "api.example.com", basePath: "(none)" });
    expect(op(plan, `${GROUP}:CreateBasePathMapping:v1`).after).toEqual([`${GROUP}:DeleteBasePathMapping:(none)`]);
  });

  it("a mapping pointed elsewhere out of band: UpdateBasePathMapping with /restapiId (the live id) and /stage", () => {
    const desired = loaded();
    const model = domainOf(desired).model;
    const plan = buildPlan(desired, observedWith(desired, liveOf(withMappings(model, { v1: { api: "id:zzz", stage: "dev" } }), model)), PLAN_OPTIONS);
    expect(calls(plan)).toEqual(["UpdateBasePathMapping"]);
    expect(op(plan, `${GROUP}:UpdateBasePathMapping:v1`).input).toEqual({
      domainName: "api.example.com",
      basePath: "v1",
      patchOperations: [
        { op: "replace", path: "/restapiId", value: "api1" },
        { op: "replace", path: "/stage", value: "prod" },
      ],
    });
  });

  it("a mapping added out of band (to an API not ours) is deleted; the note says it exposed that API", () => {
    const desired = loaded();
    const model = domainOf(desired).model;
    const plan = buildPlan(desired, observedWith(desired, liveOf(withMappings(model, { ...model.basePathMappings, x: { api: "id:zzz", stage: "dev" } }), model)), PLAN_OPTIONS);
    expect(calls(plan)).toEqual(["DeleteBasePathMapping"]);
    expect(plan.changes.find((c) => c.kind === "BasePathMapping")?.security).toEqual(["out of band: exposes RestApi id:zzz stage dev on the public custom domain of DomainName api-example (base path /x)"]);
  });

  it("a new domainName: DeleteDomainName of the old, CreateDomainName after it, the mappings after that", () => {
    const desired = loaded();
    const model = domainOf(desired).model;
    const plan = buildPlan(desired, observedWith(desired, liveOf({ ...model, domainName: "old.example.com" })), PLAN_OPTIONS);
    expect(calls(plan)).toEqual(["DeleteDomainName", "CreateDomainName", "CreateBasePathMapping", "TagResource"]);
    expect(op(plan, `${GROUP}:DeleteDomainName`).input).toEqual({ domainName: "old.example.com" });
    expect(op(plan, `${GROUP}:CreateDomainName`).after).toEqual([`${GROUP}:DeleteDomainName`]);
  });

  it("prune: an orphan domain is one DeleteDomainName (its mappings go with it)", () => {
    const desired = resolvePlaceholders(parseManifests(seedFiles()).desired, TARGET);
    const observed = observedWith(desired);
    const orphan = liveOf(domainOf(loaded()).model);
    observed.orphans.push({ kind: "DomainName", key: "api-example", label: "DomainName api-example (api.example.com)", live: orphan });
    const plan = buildPlan(desired, observed, { ...PLAN_OPTIONS, prune: true });
    expect(plan.operations.map((o) => [o.id, o.input, o.after])).toEqual([[`${GROUP}:DeleteDomainName`, { domainName: "api.example.com" }, []]]);
    expect(plan.changes).toMatchObject([{ kind: "DomainName", action: "delete", id: { domain: "api-example" } }]);
  });

  it("prune of an API whose mapping leaves a kept domain: DeleteRestApi waits for DeleteBasePathMapping (AWS refuses otherwise)", () => {
    const desired = loaded((spec) => void (spec.basePathMappings = []));
    const model = domainOf(desired).model;
    const observed = observedWith(desired, liveOf(withMappings(model, { old: { api: "legacy", stage: "prod" } }), model));
    observed.orphans.push({ kind: "RestApi", key: "legacy", label: "RestApi legacy (old1)", live: { id: "old1", tags: {}, resourceIds: {}, stageDeployments: {}, model: { key: "legacy", name: "legacy" } } });
    const plan = buildPlan(desired, observed, { ...PLAN_OPTIONS, prune: true });
    expect(op(plan, "RestApi/legacy:DeleteRestApi").after).toContain(`${GROUP}:DeleteBasePathMapping:old`);
  });

  it("a stage deleted while the mapping to it is removed or repointed: DeleteStage waits for the mapping's operation", () => {
    for (const edit of [(spec: Record<string, unknown>) => void (spec.basePathMappings = []), undefined]) {
      const desired = loaded(edit);
      const api = apisOf(desired)[0]!;
      const liveModel = structuredClone(api.model);
      liveModel.stages.dev = { ...structuredClone(liveModel.stages.prod!), name: "dev" };
      const model = domainOf(desired).model;
      const observed = observedWith(desired, liveOf(withMappings(model, { v1: { api: "my-s3", stage: "dev" } }), model));
      observed.objects.set(API_GROUP, { kind: "RestApi", key: "my-s3", live: liveApiOf(liveModel), adopted: false });
      const plan = buildPlan(desired, observed, PLAN_OPTIONS);
      const mapping = domainOps(plan).find((o) => /BasePathMapping/.test(o.call))!;
      expect(mapping.call).toBe(edit ? "DeleteBasePathMapping" : "UpdateBasePathMapping");
      expect(mapping.releases).toEqual(["RestApi/my-s3/stages/dev"]);
      expect(op(plan, "RestApi/my-s3:DeleteStage:dev").after).toContain(mapping.id);
      expectWellFormed(plan);
    }
  });

  it("the readiness key a mapping waits on is the RestApi kind's stageKey", () => {
    expect(stageKey(API_GROUP, "prod")).toBe("RestApi/my-s3/stages/prod");
  });
});

// ---------------------------------------------------------------- observe

describe("DomainName observe (mocked SDK)", () => {
  const apigw = mockClient(APIGatewayClient);
  let gateway: Gateway;
  const domainOnly = (adopt = false): DesiredState => {
    const domain = domainOf(loaded());
    domain.options.adopt = adopt;
    return { objects: [domain] };
  };
  const item = (tags: Record<string, string>, domainName = "api.example.com") => ({
    domainName,
    regionalCertificateArn: CERT,
    endpointConfiguration: { types: ["REGIONAL" as const] },
    securityPolicy: "TLS_1_2" as const,
    domainNameStatus: "AVAILABLE" as const,
    tags,
  });
  const ours = { [TAG.name]: "api-example", [TAG.owner]: OWNER };
  const run = (desired: DesiredState) => observe(gateway, desired, { owner: OWNER, prune: false, accountId: "123456789012" }, [domainNameKind]);

  beforeEach(() => {
    apigw.reset();
    gateway = createGateway({ region: "us-east-1", endpoint: "http://127.0.0.1:1" });
    apigw.on(GetRestApisCommand).resolves({ items: [{ id: "api1", name: "MyS3", tags: { [TAG.name]: "my-s3", [TAG.owner]: OWNER } }] });
  });
  afterAll(() => apigw.restore());

  it("ours: GetDomainNames once, GetBasePathMappings once, GetRestApis once to name the mapped API; (none) read as \"\"", async () => {
    apigw.on(GetDomainNamesCommand).resolves({ items: [item(ours), item({}, "other.example.com")] });
    apigw.on(GetBasePathMappingsCommand).resolves({ items: [{ basePath: "(none)", restApiId: "api1", stage: "prod" }] });
    const observed = await run(domainOnly());
    expect(observed.objects.get(GROUP)?.live?.model).toEqual({ ...domainOf(loaded()).model, basePathMappings: { "": { api: "my-s3", stage: "prod" } } });
    expect(apigw).toHaveReceivedCommandTimes(GetDomainNamesCommand, 1);
    expect(apigw).toHaveReceivedCommandWith(GetBasePathMappingsCommand, { domainName: "api.example.com", limit: 500 });
    expect(apigw).toHaveReceivedCommandTimes(GetBasePathMappingsCommand, 1);
    expect(apigw).toHaveReceivedCommandTimes(GetRestApisCommand, 1);
  });

  it("no mappings: no GetRestApis; an unknown API id reads id:<id>", async () => {
    apigw.on(GetDomainNamesCommand).resolves({ items: [item(ours)] });
    apigw.on(GetBasePathMappingsCommand).resolves({ items: [] });
    await run(domainOnly());
    expect(apigw).toHaveReceivedCommandTimes(GetRestApisCommand, 0);
  });

  it("a mapping to an API this owner does not claim reads id:<restApiId>", async () => {
    apigw.on(GetDomainNamesCommand).resolves({ items: [item(ours)] });
    apigw.on(GetBasePathMappingsCommand).resolves({ items: [{ basePath: "v1", restApiId: "zzz", stage: "dev" }] });
    const observed = await run(domainOnly());
    const live = observed.objects.get(GROUP)?.live as LiveDomainName | undefined;
    expect(live?.model.basePathMappings).toEqual({ v1: { api: "id:zzz", stage: "dev" } });
  });

  it.each<{ reason: string; tags: Record<string, string>; adopt: boolean; error: RegExp }>([
    { reason: "untagged namesake without adopt: an ownership error", tags: {}, adopt: false, error: /api\.example\.com exists and is not managed by apigw-reconciler; set spec\.adopt: true/ },
    { reason: "a namesake another owner manages: an ownership error", tags: { [TAG.name]: "api-example", [TAG.owner]: "someone-else" }, adopt: true, error: /managed as "api-example" by owner "someone-else"/ },
  ])("$reason", async ({ tags, adopt, error }) => {
    apigw.on(GetDomainNamesCommand).resolves({ items: [item(tags)] });
    const failure = await run(domainOnly(adopt)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OwnershipError);
    expect((failure as Error).message).toMatch(error);
    expect(apigw).toHaveReceivedCommandTimes(GetBasePathMappingsCommand, 0);
  });

  it("an untagged namesake with adopt: adopted and read", async () => {
    apigw.on(GetDomainNamesCommand).resolves({ items: [item({})] });
    apigw.on(GetBasePathMappingsCommand).resolves({ items: [] });
    const observed = await run(domainOnly(true));
    expect(observed.objects.get(GROUP)).toMatchObject({ adopted: true, live: { model: { domainName: "api.example.com" } } });
  });

  it.each<{ reason: string; tags?: Record<string, string>; found: boolean }>([
    { reason: "a domain of that name with our ownership tags: the lost create took effect", tags: { ...ours }, found: true },
    { reason: "a namesake someone else tagged: not ours, the retry is left to fail", tags: { [TAG.name]: "api-example", [TAG.owner]: "someone-else" }, found: false },
    { reason: "no domain of that name: the create did not happen, retry it", found: false },
  ])("CreateDomainName after a lost answer: $reason", async ({ tags, found }) => {
    if (tags) apigw.on(GetDomainNameCommand).resolves(item(tags));
    else apigw.on(GetDomainNameCommand).rejects(Object.assign(new Error("Invalid domain name identifier specified"), { name: "NotFoundException", $metadata: { httpStatusCode: 404 } }));
    const input = { domainName: "api.example.com", tags: { ...ours } };
    expect(await domainNameKind.recovery?.CreateDomainName?.find?.(input, gateway)).toEqual(found ? { id: "api.example.com" } : undefined);
  });

  it("no DomainName manifest and no --prune: not a single call", async () => {
    await run({ objects: [] });
    expect(apigw.calls()).toHaveLength(0);
  });

  it("with --prune, this owner's domain whose manifest is gone is an orphan (from the list alone)", async () => {
    apigw.on(GetDomainNamesCommand).resolves({ items: [item({ [TAG.name]: "gone", [TAG.owner]: OWNER }, "gone.example.com")] });
    const observed = await observe(gateway, { objects: [] }, { owner: OWNER, prune: true, accountId: "123456789012" }, [domainNameKind]);
    expect(observed.orphans.map((o) => o.label)).toEqual(["DomainName gone (gone.example.com)"]);
    expect(apigw).toHaveReceivedCommandTimes(GetBasePathMappingsCommand, 0);
  });
});

// ---------------------------------------------------------------- contract details

describe("DomainName kind: names, recovery", () => {
  it.each<[Change, string]>([
    [{ kind: "DomainName", action: "update", id: { domain: "api-example" }, fields: [], patch: [] }, "api-example"],
    [{ kind: "BasePathMapping", action: "create", id: { domain: "api-example", basePath: "(none)" }, fields: [], patch: [] }, "base path (none)"],
    [{ kind: "BasePathMapping", action: "create", id: { domain: "api-example", basePath: "v1" }, fields: [], patch: [] }, "base path /v1"],
  ])("describe %j → %s", (change, text) => {
    expect(domainNameKind.describe(change)).toBe(text);
  });

  it("metric label domain/<name> (never an API's label)", () => expect(domainNameKind.metricLabel("api-example")).toBe("domain/api-example"));

  it.each([
    ["ConflictException", "Base path already exists for this domain name", true, "the first attempt created it"],
    ["ConflictException", "Only one base path mapping is allowed if the base path is empty.", false, "a real refusal"],
    ["BadRequestException", "Invalid stage identifier specified", false, "not a conflict"],
  ])("CreateBasePathMapping after a lost answer: %s %s → done %s (%s)", (name, message, done) => {
    const error = new AwsCallError("CreateBasePathMapping", classifyError({ name, message, $metadata: { httpStatusCode: name === "ConflictException" ? 409 : 400 } }));
    expect(domainNameKind.recovery?.CreateBasePathMapping?.alreadyDone?.(error)).toBe(done);
  });
});
