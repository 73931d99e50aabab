// Table tests of the pure diff: diffRestApi, diffIamRole and the field tables' patch operations.
// Every row names its reason. Live models are clones of the desired one (live = desired after apply),
// then one side is edited.
import { describe, expect, it } from "vitest";
import { diffIamRole } from "../../src/kinds/iam-role/diff.ts";
import { diffRestApi } from "../../src/kinds/rest-api/diff.ts";
import {
  diffFields,
  escapeSegment,
  INTEGRATION_FIELDS,
  INTEGRATION_RESPONSE_FIELDS,
  METHOD_FIELDS,
  METHOD_RESPONSE_FIELDS,
  patchOperations,
  REST_API_FIELDS,
  STAGE_FIELDS,
  type FieldSpec,
} from "../../src/kinds/fields.ts";
import type { Change, ChangeId, ChangeKind, PatchOperation } from "../../src/model/changes.ts";
import { TAG } from "../../src/model/live.ts";
import { settingsKeyFromAws, settingsPatchPrefix } from "../../src/model/method-settings.ts";
import { parsePolicyDocument } from "../../src/model/policy.ts";
import type { IamRoleModel, PolicyDocument, RestApiModel } from "../../src/model/types.ts";
import { configHashOf, deleteSubtree, integrationOf, liveApiOf, liveRoleOf, methodOf, renamePath, seedApi, seedRole } from "./support/models.ts";

const API = "my-s3";
const F = "/{folder}";
const FI = "/{folder}/{item}";

const notDeployment = (changes: readonly Change[]) => changes.filter((c) => c.kind !== "Deployment");
const deploymentOf = (changes: readonly Change[]) => changes.find((c) => c.kind === "Deployment");

/**
 * Diff of the seed API after editing the desired and/or the live side. The live deployed tag records the
 * config hash of `deployedFrom` (default: the seed before the edits), as the last apply wrote it.
 */
function diffSeed(edit: { desired?: (m: RestApiModel) => void; live?: (m: RestApiModel) => void; deployedFrom?: (m: RestApiModel) => void }) {
  const desired = seedApi().model;
  const liveModel = structuredClone(desired);
  const deployed = structuredClone(desired);
  edit.desired?.(desired);
  edit.live?.(liveModel);
  edit.deployedFrom?.(deployed);
  return diffRestApi(desired, liveApiOf(liveModel, { deployedHash: configHashOf(deployed) }));
}

// ---------------------------------------------------------------- no-op and create

describe("diffRestApi: no-op", () => {
  it("live = desired, deployed tag <id>:<configHash>, stage on <id> → no changes, no deployment", () => {
    const desired = seedApi().model;
    const live = liveApiOf(desired, { deploymentId: "d42" });
    expect(live.tags[TAG.deployed]).toBe(`d42:${configHashOf(desired)}`);
    const diff = diffRestApi(desired, live);
    expect(diff.changes).toEqual([]);
    expect(diff.deployment).toBeUndefined();
  });

  const rows: { reason: string; desired?: (m: RestApiModel) => void; live?: (m: RestApiModel) => void }[] = [
    {
      reason: "resource policy compared by meaning (string vs one-element list, statement order)",
      desired: (m) => {
        m.policy = {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" },
            { Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*/DELETE/*" },
          ],
        };
      },
      live: (m) => {
        m.policy = {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Deny", Principal: "*", Action: ["execute-api:Invoke"], Resource: ["execute-api:/*/DELETE/*"] },
            { Effect: "Allow", Principal: "*", Action: ["execute-api:Invoke"], Resource: "execute-api:/*" },
          ],
        };
      },
    },
    { reason: "binary media types are a set (order does not matter)", live: (m) => m.binaryMediaTypes.reverse() },
    { reason: "cache key parameters are a set", desired: (m) => (integrationOf(m, F, "GET").cacheKeyParameters = ["a", "b"]), live: (m) => (integrationOf(m, F, "GET").cacheKeyParameters = ["b", "a"]) },
    {
      reason: "map key order does not matter",
      live: (m) => {
        const i = integrationOf(m, FI, "PUT");
        i.requestParameters = Object.fromEntries(Object.entries(i.requestParameters).reverse());
      },
    },
  ];
  it.each(rows)("$reason", ({ desired, live }) => {
    // The last apply deployed the desired model and tagged its hash; AWS reports it in its own way.
    const diff = diffSeed({ desired: (m) => desired?.(m), live: (m) => (desired?.(m), live?.(m)), deployedFrom: (m) => desired?.(m) });
    expect(diff.changes).toEqual([]);
  });
});

describe("diffRestApi: create from nothing", () => {
  it("creates every object of the seed API, counted by kind, and deploys the new API", () => {
    const diff = diffRestApi(seedApi().model, undefined);
    const counts: Partial<Record<ChangeKind, number>> = {};
    for (const change of diff.changes) {
      expect(change.action, `${change.kind} ${JSON.stringify(change.id)}`).toBe("create");
      counts[change.kind] = (counts[change.kind] ?? 0) + 1;
    }
    // 3 resources of which / exists with every API; 1 + 3 + 4 methods, each with 3 responses.
    expect(counts).toEqual({ RestApi: 1, Resource: 2, Method: 8, MethodResponse: 24, Integration: 8, IntegrationResponse: 24, Stage: 1, Deployment: 1 });
    expect(diff.deployment).toEqual({ reason: "new API", stages: ["prod"] });
    expect(diff.changes.every((c) => c.patch.length === 0 || c.kind === "Stage")).toBe(true);
    // The new stage's method settings are set right after creation: its patch carries them.
    expect(diff.changes.find((c) => c.kind === "Stage")?.patch).toEqual([
      { op: "replace", path: "/*/*/logging/loglevel", value: "ERROR" },
      { op: "replace", path: "/*/*/metrics/enabled", value: "true" },
      { op: "replace", path: "/*/*/throttling/burstLimit", value: "200" },
      { op: "replace", path: "/*/*/throttling/rateLimit", value: "100" },
    ]);
  });
});

// ---------------------------------------------------------------- one field, one change

interface FieldRow {
  reason: string;
  desired?: (m: RestApiModel) => void;
  live?: (m: RestApiModel) => void;
  kind: ChangeKind;
  id: ChangeId;
  patch: PatchOperation[];
  /** Whether the change needs a deployment; undefined: not checked by this row. */
  deploys?: boolean;
  /** Field names reported (default: not checked). */
  fields?: string[];
}

const POLICY: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" }] };
const TEMPLATE = '{"bucket": "$input.params(\'folder\')"}';

const restApiRows: FieldRow[] = [
  { reason: "name", desired: (m) => (m.name = "MyS3-v2"), kind: "RestApi", id: { api: API }, patch: [{ op: "replace", path: "/name", value: "MyS3-v2" }], deploys: false },
  { reason: "description unset → remove", desired: (m) => delete m.description, kind: "RestApi", id: { api: API }, patch: [{ op: "remove", path: "/description" }], deploys: false },
  { reason: "description changed", desired: (m) => (m.description = "new"), kind: "RestApi", id: { api: API }, patch: [{ op: "replace", path: "/description", value: "new" }], deploys: false },
  { reason: "endpoint type", desired: (m) => (m.endpointType = "EDGE"), kind: "RestApi", id: { api: API }, patch: [{ op: "replace", path: "/endpointConfiguration/types/0", value: "EDGE" }] },
  {
    reason: "binary media type added: / in the member written ~1",
    desired: (m) => (m.binaryMediaTypes = [...m.binaryMediaTypes, "image/webp"].sort()),
    kind: "RestApi",
    id: { api: API },
    patch: [{ op: "add", path: "/binaryMediaTypes/image~1webp" }],
    deploys: true,
  },
  {
    reason: "binary media type removed",
    desired: (m) => (m.binaryMediaTypes = m.binaryMediaTypes.filter((t) => t !== "image/png")),
    kind: "RestApi",
    id: { api: API },
    patch: [{ op: "remove", path: "/binaryMediaTypes/image~1png" }],
    deploys: true,
  },
  { reason: "minimum compression size: number as string", desired: (m) => (m.minimumCompressionSize = 1024), kind: "RestApi", id: { api: API }, patch: [{ op: "replace", path: "/minimumCompressionSize", value: "1024" }] },
  { reason: "minimum compression size unset: AWS takes only replace, an empty value clears", live: (m) => (m.minimumCompressionSize = 0), kind: "RestApi", id: { api: API }, patch: [{ op: "replace", path: "/minimumCompressionSize", value: "" }] },
  { reason: "description unset: a RestApi's description takes remove", desired: (m) => delete m.description, kind: "RestApi", id: { api: API }, patch: [{ op: "remove", path: "/description" }] },
  { reason: "API key source", desired: (m) => (m.apiKeySource = "AUTHORIZER"), kind: "RestApi", id: { api: API }, patch: [{ op: "replace", path: "/apiKeySource", value: "AUTHORIZER" }] },
  { reason: "disable execute-api endpoint: boolean as string", desired: (m) => (m.disableExecuteApiEndpoint = true), kind: "RestApi", id: { api: API }, patch: [{ op: "replace", path: "/disableExecuteApiEndpoint", value: "true" }] },
  { reason: "resource policy set: whole JSON", desired: (m) => (m.policy = POLICY), kind: "RestApi", id: { api: API }, patch: [{ op: "replace", path: "/policy", value: JSON.stringify(POLICY) }], deploys: true },
  { reason: "user tags: a tag change, no patch (TagResource), no deployment", desired: (m) => (m.tags.team = "storage"), kind: "RestApi", id: { api: API }, patch: [], deploys: false, fields: ["tags"] },
];

const methodRows: FieldRow[] = [
  { reason: "authorization type", desired: (m) => (methodOf(m, F, "GET").authorizationType = "NONE"), kind: "Method", id: { api: API, path: F, httpMethod: "GET" }, patch: [{ op: "replace", path: "/authorizationType", value: "NONE" }], deploys: true },
  { reason: "API key required: boolean as string", desired: (m) => (methodOf(m, F, "GET").apiKeyRequired = true), kind: "Method", id: { api: API, path: F, httpMethod: "GET" }, patch: [{ op: "replace", path: "/apiKeyRequired", value: "true" }], deploys: true },
  { reason: "operation name set", desired: (m) => (methodOf(m, F, "GET").operationName = "ListBucket"), kind: "Method", id: { api: API, path: F, httpMethod: "GET" }, patch: [{ op: "replace", path: "/operationName", value: "ListBucket" }] },
  { reason: "operation name unset: replace with an empty value (AWS refuses remove)", live: (m) => (methodOf(m, F, "GET").operationName = "Old"), kind: "Method", id: { api: API, path: F, httpMethod: "GET" }, patch: [{ op: "replace", path: "/operationName", value: "" }] },
  {
    reason: "request parameter added: key in the path, flag as string",
    desired: (m) => (methodOf(m, F, "GET").requestParameters["method.request.querystring.prefix"] = false),
    kind: "Method",
    id: { api: API, path: F, httpMethod: "GET" },
    patch: [{ op: "add", path: "/requestParameters/method.request.querystring.prefix", value: "false" }],
  },
  {
    reason: "request parameter required flag flipped",
    desired: (m) => (methodOf(m, F, "GET").requestParameters["method.request.path.folder"] = false),
    kind: "Method",
    id: { api: API, path: F, httpMethod: "GET" },
    patch: [{ op: "replace", path: "/requestParameters/method.request.path.folder", value: "false" }],
  },
  {
    reason: "request parameter removed",
    desired: (m) => delete methodOf(m, F, "PUT").requestParameters["method.request.header.Content-Type"],
    kind: "Method",
    id: { api: API, path: F, httpMethod: "PUT" },
    patch: [{ op: "remove", path: "/requestParameters/method.request.header.Content-Type" }],
  },
];

const integrationRows: FieldRow[] = [
  { reason: "backend http method", desired: (m) => (integrationOf(m, FI, "PUT").httpMethod = "POST"), kind: "Integration", id: { api: API, path: FI, httpMethod: "PUT" }, patch: [{ op: "replace", path: "/httpMethod", value: "POST" }], deploys: true },
  {
    reason: "uri",
    desired: (m) => (integrationOf(m, FI, "PUT").uri = "arn:aws:apigateway:us-east-1:s3:path/{bucket}/in/{object}"),
    kind: "Integration",
    id: { api: API, path: FI, httpMethod: "PUT" },
    patch: [{ op: "replace", path: "/uri", value: "arn:aws:apigateway:us-east-1:s3:path/{bucket}/in/{object}" }],
  },
  {
    reason: "credentials",
    desired: (m) => (integrationOf(m, FI, "PUT").credentials = "arn:aws:iam::123456789012:role/other"),
    kind: "Integration",
    id: { api: API, path: FI, httpMethod: "PUT" },
    patch: [{ op: "replace", path: "/credentials", value: "arn:aws:iam::123456789012:role/other" }],
  },
  {
    reason: "request parameter removed: map key in the path as it is",
    desired: (m) => delete integrationOf(m, FI, "PUT").requestParameters["integration.request.header.Content-Type"],
    kind: "Integration",
    id: { api: API, path: FI, httpMethod: "PUT" },
    patch: [{ op: "remove", path: "/requestParameters/integration.request.header.Content-Type" }],
  },
  {
    reason: "request parameter value changed",
    desired: (m) => (integrationOf(m, FI, "PUT").requestParameters["integration.request.path.object"] = "method.request.path.folder"),
    kind: "Integration",
    id: { api: API, path: FI, httpMethod: "PUT" },
    patch: [{ op: "replace", path: "/requestParameters/integration.request.path.object", value: "method.request.path.folder" }],
  },
  {
    reason: "request template added: content type / written ~1",
    desired: (m) => (integrationOf(m, FI, "PUT").requestTemplates["application/json"] = TEMPLATE),
    kind: "Integration",
    id: { api: API, path: FI, httpMethod: "PUT" },
    patch: [{ op: "add", path: "/requestTemplates/application~1json", value: TEMPLATE }],
  },
  { reason: "passthrough behaviour", desired: (m) => (integrationOf(m, FI, "PUT").passthroughBehavior = "NEVER"), kind: "Integration", id: { api: API, path: FI, httpMethod: "PUT" }, patch: [{ op: "replace", path: "/passthroughBehavior", value: "NEVER" }] },
  { reason: "content handling unset: replace with an empty value (AWS refuses remove)", desired: (m) => delete integrationOf(m, FI, "PUT").contentHandling, live: (m) => (integrationOf(m, FI, "PUT").contentHandling = "CONVERT_TO_BINARY"), kind: "Integration", id: { api: API, path: FI, httpMethod: "PUT" }, patch: [{ op: "replace", path: "/contentHandling", value: "" }] },
  { reason: "credentials unset: replace with an empty value", desired: (m) => delete integrationOf(m, FI, "PUT").credentials, live: (m) => (integrationOf(m, FI, "PUT").credentials = "arn:aws:iam::123456789012:role/r"), kind: "Integration", id: { api: API, path: FI, httpMethod: "PUT" }, patch: [{ op: "replace", path: "/credentials", value: "" }] },
  { reason: "timeout: number as string", desired: (m) => (integrationOf(m, FI, "PUT").timeoutInMillis = 10000), kind: "Integration", id: { api: API, path: FI, httpMethod: "PUT" }, patch: [{ op: "replace", path: "/timeoutInMillis", value: "10000" }] },
  {
    reason: "cache key parameter added (set member in the path)",
    desired: (m) => (integrationOf(m, FI, "PUT").cacheKeyParameters = ["method.request.path.folder"]),
    kind: "Integration",
    id: { api: API, path: FI, httpMethod: "PUT" },
    patch: [{ op: "add", path: "/cacheKeyParameters/method.request.path.folder" }],
  },
];

const methodResponseRows: FieldRow[] = [
  {
    reason: "response header required flag",
    desired: (m) => (methodOf(m, "/", "GET").responses["200"]!.responseParameters["method.response.header.Content-Length"] = true),
    kind: "MethodResponse",
    id: { api: API, path: "/", httpMethod: "GET", statusCode: "200" },
    patch: [{ op: "replace", path: "/responseParameters/method.response.header.Content-Length", value: "true" }],
    deploys: true,
  },
  {
    reason: "response model removed: content type ~1",
    desired: (m) => delete methodOf(m, "/", "GET").responses["200"]!.responseModels["application/json"],
    kind: "MethodResponse",
    id: { api: API, path: "/", httpMethod: "GET", statusCode: "200" },
    patch: [{ op: "remove", path: "/responseModels/application~1json" }],
  },
  {
    reason: "response model added",
    desired: (m) => (methodOf(m, "/", "GET").responses["400"]!.responseModels["text/html"] = "Error"),
    kind: "MethodResponse",
    id: { api: API, path: "/", httpMethod: "GET", statusCode: "400" },
    patch: [{ op: "add", path: "/responseModels/text~1html", value: "Error" }],
  },
];

const integrationResponseRows: FieldRow[] = [
  {
    reason: "selection pattern changed",
    desired: (m) => (integrationOf(m, "/", "GET").responses["400"]!.selectionPattern = "4\\d\\d"),
    kind: "IntegrationResponse",
    id: { api: API, path: "/", httpMethod: "GET", statusCode: "400" },
    patch: [{ op: "replace", path: "/selectionPattern", value: "4\\d\\d" }],
    deploys: true,
  },
  {
    reason: "selection pattern unset: replace with an empty value (AWS refuses remove)",
    desired: (m) => delete integrationOf(m, "/", "GET").responses["500"]!.selectionPattern,
    kind: "IntegrationResponse",
    id: { api: API, path: "/", httpMethod: "GET", statusCode: "500" },
    patch: [{ op: "replace", path: "/selectionPattern", value: "" }],
  },
  {
    reason: "response parameter added",
    desired: (m) => (integrationOf(m, "/", "GET").responses["400"]!.responseParameters["method.response.header.Content-Type"] = "'text/plain'"),
    kind: "IntegrationResponse",
    id: { api: API, path: "/", httpMethod: "GET", statusCode: "400" },
    patch: [{ op: "add", path: "/responseParameters/method.response.header.Content-Type", value: "'text/plain'" }],
  },
  {
    reason: "response template added",
    desired: (m) => (integrationOf(m, "/", "GET").responses["200"]!.responseTemplates["application/xml"] = "#set($x = 1)"),
    kind: "IntegrationResponse",
    id: { api: API, path: "/", httpMethod: "GET", statusCode: "200" },
    patch: [{ op: "add", path: "/responseTemplates/application~1xml", value: "#set($x = 1)" }],
  },
  {
    reason: "content handling",
    desired: (m) => (integrationOf(m, FI, "GET").responses["200"]!.contentHandling = "CONVERT_TO_TEXT"),
    kind: "IntegrationResponse",
    id: { api: API, path: FI, httpMethod: "GET", statusCode: "200" },
    patch: [{ op: "replace", path: "/contentHandling", value: "CONVERT_TO_TEXT" }],
  },
];

const prod = (m: RestApiModel) => m.stages.prod!;
const stageRows: FieldRow[] = [
  { reason: "stage description", desired: (m) => (prod(m).description = "Prod"), kind: "Stage", id: { api: API, stage: "prod" }, patch: [{ op: "replace", path: "/description", value: "Prod" }], deploys: false },
  { reason: "stage variable added: with replace (AWS refuses add)", desired: (m) => (prod(m).variables.bucket = "photos"), kind: "Stage", id: { api: API, stage: "prod" }, patch: [{ op: "replace", path: "/variables/bucket", value: "photos" }], deploys: false },
  { reason: "stage description unset: replace with an empty value", live: (m) => (prod(m).description = "old"), desired: (m) => delete prod(m).description, kind: "Stage", id: { api: API, stage: "prod" }, patch: [{ op: "replace", path: "/description", value: "" }], deploys: false },
  { reason: "stage variable removed", live: (m) => (prod(m).variables.old = "x"), kind: "Stage", id: { api: API, stage: "prod" }, patch: [{ op: "remove", path: "/variables/old" }], deploys: false },
  { reason: "tracing: boolean as string", desired: (m) => (prod(m).tracingEnabled = true), kind: "Stage", id: { api: API, stage: "prod" }, patch: [{ op: "replace", path: "/tracingEnabled", value: "true" }], deploys: false },
  {
    reason: "method setting */* changed",
    desired: (m) => (prod(m).methodSettings["*/*"]!.loggingLevel = "INFO"),
    kind: "Stage",
    id: { api: API, stage: "prod" },
    patch: [{ op: "replace", path: "/*/*/logging/loglevel", value: "INFO" }],
    deploys: false,
    fields: ["methodSettings.*/*.loggingLevel"],
  },
  {
    reason: "method setting dropped → back to AWS's default",
    desired: (m) => delete prod(m).methodSettings["*/*"]!.metricsEnabled,
    kind: "Stage",
    id: { api: API, stage: "prod" },
    patch: [{ op: "replace", path: "/*/*/metrics/enabled", value: "false" }],
    deploys: false,
  },
  {
    reason: "method setting fractional rate",
    desired: (m) => (prod(m).methodSettings["*/*"]!.throttlingRateLimit = 50.5),
    kind: "Stage",
    id: { api: API, stage: "prod" },
    patch: [{ op: "replace", path: "/*/*/throttling/rateLimit", value: "50.5" }],
    deploys: false,
  },
  {
    reason: "method setting for one method: resource path's / written ~1",
    desired: (m) => (prod(m).methodSettings["/{folder}/GET"] = { cachingEnabled: true }),
    kind: "Stage",
    id: { api: API, stage: "prod" },
    patch: [{ op: "replace", path: "/~1{folder}/GET/caching/enabled", value: "true" }],
    deploys: false,
  },
  {
    reason: "a method entry the manifest no longer has is removed whole (AWS: remove /~1{folder}/GET)",
    live: (m) => (prod(m).methodSettings["/{folder}/GET"] = { ...prod(m).methodSettings["*/*"], loggingLevel: "INFO" }),
    kind: "Stage",
    id: { api: API, stage: "prod" },
    patch: [{ op: "remove", path: "/~1{folder}/GET" }],
    deploys: false,
    fields: ["methodSettings./{folder}/GET"],
  },
  {
    reason: "a new method entry equal to the stage-wide value is still written: writing it creates the entry",
    desired: (m) => (prod(m).methodSettings["/{folder}/GET"] = { metricsEnabled: true }),
    kind: "Stage",
    id: { api: API, stage: "prod" },
    patch: [{ op: "replace", path: "/~1{folder}/GET/metrics/enabled", value: "true" }],
    deploys: false,
  },
  {
    reason: "a method entry follows a stage-wide change it does not override (AWS keeps its own copy); */* first",
    desired: (m) => {
      prod(m).methodSettings["*/*"]!.metricsEnabled = false;
      prod(m).methodSettings["/{folder}/GET"] = { loggingLevel: "INFO" };
    },
    live: (m) => (prod(m).methodSettings["/{folder}/GET"] = { ...prod(m).methodSettings["*/*"], loggingLevel: "INFO" }),
    kind: "Stage",
    id: { api: API, stage: "prod" },
    patch: [
      { op: "replace", path: "/*/*/metrics/enabled", value: "false" },
      { op: "replace", path: "/~1{folder}/GET/metrics/enabled", value: "false" },
    ],
    deploys: false,
  },
  {
    reason: "a method entry's override back to the stage-wide value when the manifest drops it from the entry",
    desired: (m) => (prod(m).methodSettings["/{folder}/GET"] = {}),
    live: (m) => (prod(m).methodSettings["/{folder}/GET"] = { ...prod(m).methodSettings["*/*"], loggingLevel: "INFO" }),
    kind: "Stage",
    id: { api: API, stage: "prod" },
    patch: [{ op: "replace", path: "/~1{folder}/GET/logging/loglevel", value: "ERROR" }],
    deploys: false,
  },
  { reason: "stage tags: no patch (TagResource)", desired: (m) => (prod(m).tags.env = "prod"), kind: "Stage", id: { api: API, stage: "prod" }, patch: [], deploys: false, fields: ["tags"] },
];

describe.each([
  ["REST_API_FIELDS", restApiRows],
  ["METHOD_FIELDS", methodRows],
  ["INTEGRATION_FIELDS", integrationRows],
  ["METHOD_RESPONSE_FIELDS", methodResponseRows],
  ["INTEGRATION_RESPONSE_FIELDS", integrationResponseRows],
  ["STAGE_FIELDS and method settings", stageRows],
] as const)("diffRestApi: update per field of %s", (_table, rows) => {
  it.each(rows)("$reason", (row) => {
    const diff = diffSeed({ desired: row.desired, live: row.live });
    const changes = notDeployment(diff.changes);
    expect(changes).toHaveLength(1);
    const change = changes[0];
    expect(change?.kind).toBe(row.kind);
    expect(change?.action).toBe("update");
    expect(change?.id).toEqual(row.id);
    expect(change?.patch).toEqual(row.patch);
    if (row.fields) expect(change?.fields.map((f) => f.field)).toEqual(row.fields);
    if (row.deploys !== undefined) expect(deploymentOf(diff.changes) !== undefined, "deployment").toBe(row.deploys);
  });
});

// ---------------------------------------------------------------- structure: rename, delete, replace

describe("diffRestApi: resources", () => {
  it("a renamed leaf path → one Resource update of /pathPart, no create or delete", () => {
    const diff = diffSeed({ desired: (m) => renamePath(m, FI, "/{folder}/{key}") });
    expect(notDeployment(diff.changes)).toMatchObject([
      { kind: "Resource", action: "update", id: { api: API, path: "/{folder}/{key}" }, fields: [{ field: "path", before: FI, after: "/{folder}/{key}" }], patch: [{ op: "replace", path: "/pathPart", value: "{key}" }] },
    ]);
    expect(diff.resourceMatch.get("/{folder}/{key}")).toBe(FI);
    expect(deploymentOf(diff.changes)?.reason).toBe("the API configuration changes");
  });

  it("a renamed parent → one Resource update; its children keep their ids and are not touched", () => {
    const diff = diffSeed({ desired: (m) => renamePath(m, F, "/{bucket}") });
    expect(notDeployment(diff.changes).map((c) => [c.kind, c.action, c.id.path, c.patch])).toEqual([["Resource", "update", "/{bucket}", [{ op: "replace", path: "/pathPart", value: "{bucket}" }]]]);
    expect(diff.resourceMatch.get("/{bucket}/{item}")).toBe(FI);
  });

  it("a deleted subtree → one Resource delete of the top-most resource, nothing for what is below", () => {
    const diff = diffSeed({ desired: (m) => deleteSubtree(m, F) });
    expect(notDeployment(diff.changes)).toMatchObject([{ kind: "Resource", action: "delete", id: { api: API, path: F }, fields: [], patch: [], reason: "and the 1 resource(s) below it" }]);
    expect(deploymentOf(diff.changes)).toBeDefined();
  });

  it("an out-of-band resource in AWS (drift) → deleted", () => {
    const diff = diffSeed({ live: (m) => (m.resources["/extra"] = { path: "/extra", methods: {} }) });
    expect(notDeployment(diff.changes).map((c) => [c.kind, c.action, c.id.path])).toEqual([["Resource", "delete", "/extra"]]);
  });

  it("a new resource with a method → Resource, Method, responses and integration created", () => {
    const diff = diffSeed({
      desired: (m) => {
        m.resources["/health"] = { path: "/health", methods: { GET: { ...structuredClone(methodOf(m, "/", "GET")) } } };
      },
    });
    expect(notDeployment(diff.changes).map((c) => `${c.action} ${c.kind} ${c.id.statusCode ?? ""}`.trim())).toEqual([
      "create Resource",
      "create Method",
      "create MethodResponse 200",
      "create MethodResponse 400",
      "create MethodResponse 500",
      "create Integration",
      "create IntegrationResponse 200",
      "create IntegrationResponse 400",
      "create IntegrationResponse 500",
    ]);
  });

  it("a method removed → one Method delete (its integration and responses go with it)", () => {
    const diff = diffSeed({ desired: (m) => delete m.resources[FI]!.methods.HEAD });
    expect(notDeployment(diff.changes)).toMatchObject([{ kind: "Method", action: "delete", id: { api: API, path: FI, httpMethod: "HEAD" }, fields: [], patch: [] }]);
  });

  it("integration type change → Integration replace with a reason, and its responses re-created", () => {
    const diff = diffSeed({
      desired: (m) => {
        const i = integrationOf(m, "/", "GET");
        i.type = "HTTP";
        i.uri = "https://example.com/";
        delete i.credentials;
      },
    });
    const changes = notDeployment(diff.changes);
    expect(changes.map((c) => `${c.action} ${c.kind} ${c.id.statusCode ?? ""}`.trim())).toEqual([
      "replace Integration",
      "create IntegrationResponse 200",
      "create IntegrationResponse 400",
      "create IntegrationResponse 500",
    ]);
    expect(changes[0]?.reason).toBe("type AWS → HTTP cannot be patched");
    expect(changes[0]?.fields.map((f) => f.field)).toEqual(["type", "uri", "credentials"]);
  });
});

// ---------------------------------------------------------------- deployment decision

describe("diffRestApi: deployment decision", () => {
  const rows: { reason: string; edit?: (m: RestApiModel) => void; live: Parameters<typeof liveApiOf>[1] & { stageOn?: string }; expected: string | undefined }[] = [
    { reason: "config change → deployment", edit: (m) => (integrationOf(m, "/", "GET").timeoutInMillis = 5000), live: {}, expected: "the API configuration changes" },
    { reason: "stale stage: stage not on the deployment the tag names", live: { stageOn: "dep0" }, expected: "stage prod is not on the latest deployment" },
    { reason: "stage-only change → no deployment", edit: (m) => (m.stages.prod!.variables.x = "1"), live: {}, expected: undefined },
    { reason: "API name/description/tags only → no deployment", edit: (m) => ((m.name = "n"), (m.description = "d"), (m.tags.x = "y")), live: {}, expected: undefined },
    { reason: "missing deployed tag → deployment", live: { noDeployedTag: true }, expected: "no deployment by the reconciler is recorded" },
    { reason: "deployed tag of another config hash → deployment", live: { deployedHash: "0000000000000000" }, expected: "the live configuration was changed since its last deployment" },
    { reason: "malformed deployed tag → treated as missing", live: { deployedHash: "" }, expected: "no deployment by the reconciler is recorded" },
    { reason: "new stage → deployment naming it", edit: (m) => (m.stages.dev = { name: "dev", variables: {}, tracingEnabled: false, methodSettings: {}, tags: {} }), live: {}, expected: "new stage dev" },
  ];
  it.each(rows)("$reason", ({ edit, live, expected }) => {
    const desired = seedApi().model;
    const liveApi = liveApiOf(desired, live);
    if (live.stageOn) liveApi.stageDeployments.prod = live.stageOn;
    edit?.(desired);
    const diff = diffRestApi(desired, liveApi);
    expect(diff.deployment?.reason).toBe(expected);
    const changes = diff.changes.filter((c) => c.kind === "Deployment");
    expect(changes).toHaveLength(expected === undefined ? 0 : 1);
    if (expected !== undefined) expect(changes[0]).toMatchObject({ action: "create", id: { api: API, stage: Object.keys(desired.stages).sort().join(",") }, reason: expected });
  });

  it("no stages → never a deployment", () => {
    const desired = seedApi().model;
    desired.stages = {};
    expect(diffRestApi(desired, undefined).deployment).toBeUndefined();
  });
});

// ---------------------------------------------------------------- IAM

/** The seed role's inline policy, and a managed policy the seed does not attach. */
const INLINE = "s3-proxy-access";
const S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";

const TRUST: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }] };

/** As IAM answers: URL-encoded JSON, lists where one string was written, statements reordered. */
function asIamReturns(document: PolicyDocument): PolicyDocument {
  const doc = structuredClone(document) as { Version?: string; Statement: Record<string, unknown> | Record<string, unknown>[] };
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).map((s) => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(s).reverse()) {
      const value = s[key];
      out[key] = typeof value === "string" && (key === "Action" || key === "Resource") ? [value] : value;
    }
    return out;
  });
  return parsePolicyDocument(encodeURIComponent(JSON.stringify({ ...doc, Statement: statements.reverse() })));
}

describe("diffIamRole", () => {
  it("live = desired → no changes", () => {
    const role = seedRole().model;
    expect(diffIamRole(role, liveRoleOf(role))).toEqual([]);
  });

  it("create from nothing: role, inline policies, attachments", () => {
    // The seed role has no managed policy: one is attached here so that the create has every part.
    const role = seedRole().model;
    role.managedPolicyArns = [S3_READ_ONLY];
    const changes = diffIamRole(role, undefined);
    expect(changes.map((c) => `${c.action} ${c.kind} ${c.id.policy ?? c.id.role ?? ""}`)).toEqual([
      "create IamRole apig-aws-proxy-role",
      `create RolePolicy ${INLINE}`,
      `create RolePolicyAttachment ${S3_READ_ONLY}`,
    ]);
  });

  const rows: { reason: string; desired?: (m: IamRoleModel) => void; live?: (m: IamRoleModel) => void; expected: [ChangeKind, string, string?][] }[] = [
    {
      reason: "policies compared by meaning: URL-decoded, statement order, single string vs list → no change",
      desired: (m) => {
        m.assumeRolePolicy = { Version: "2012-10-17", Statement: [TRUST.Statement as never, { Effect: "Deny", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:SecureTransport": "false" } } }] };
        m.inlinePolicies[INLINE] = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:PutObject", "s3:PutObjectAcl"], Resource: "*" }] };
      },
      live: (m) => {
        m.assumeRolePolicy = asIamReturns({ Version: "2012-10-17", Statement: [TRUST.Statement as never, { Effect: "Deny", Principal: { AWS: ["*"] }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:SecureTransport": ["false"] } } }] });
        m.inlinePolicies[INLINE] = asIamReturns({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:PutObjectAcl", "s3:PutObject"], Resource: "*" }] });
      },
      expected: [],
    },
    {
      reason: "trust policy change → role update (assumeRolePolicy)",
      desired: (m) => (m.assumeRolePolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
      expected: [["IamRole", "update", "assumeRolePolicy"]],
    },
    { reason: "description → role update", desired: (m) => (m.description = "new"), expected: [["IamRole", "update", "description"]] },
    { reason: "max session duration → role update", desired: (m) => (m.maxSessionDuration = 7200), expected: [["IamRole", "update", "maxSessionDuration"]] },
    { reason: "tags → role update", desired: (m) => (m.tags.team = "x"), expected: [["IamRole", "update", "tags"]] },
    { reason: "inline policy added", desired: (m) => (m.inlinePolicies["s3-delete"] = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:Delete*", Resource: "*" }] }), expected: [["RolePolicy", "create", "s3-delete"]] },
    { reason: "inline policy removed", desired: (m) => delete m.inlinePolicies[INLINE], expected: [["RolePolicy", "delete", INLINE]] },
    {
      reason: "inline policy changed",
      desired: (m) => (m.inlinePolicies[INLINE] = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*" }] }),
      expected: [["RolePolicy", "update", INLINE]],
    },
    { reason: "managed policy attached", desired: (m) => m.managedPolicyArns.push("arn:aws:iam::aws:policy/AmazonS3FullAccess"), expected: [["RolePolicyAttachment", "create", "arn:aws:iam::aws:policy/AmazonS3FullAccess"]] },
    { reason: "managed policy detached", desired: (m) => (m.managedPolicyArns = []), live: (m) => (m.managedPolicyArns = [S3_READ_ONLY]), expected: [["RolePolicyAttachment", "delete", S3_READ_ONLY]] },
    { reason: "path change → replace (cannot be changed in place)", desired: (m) => (m.path = "/service/"), expected: [["IamRole", "replace", "path"]] },
  ];
  it.each(rows)("$reason", ({ desired, live, expected }) => {
    const d = seedRole().model;
    const l = structuredClone(d);
    desired?.(d);
    live?.(l);
    const changes = diffIamRole(d, liveRoleOf(l));
    expect(changes.map((c): [ChangeKind, string, string?] => [c.kind, c.action, c.kind === "IamRole" ? c.fields.map((f) => f.field).join(",") : c.id.policy])).toEqual(expected);
    for (const change of changes) expect(change.patch).toEqual([]);
  });

  it("path change: the replace names its reason", () => {
    const d = seedRole().model;
    const l = liveRoleOf(d);
    d.path = "/service/";
    expect(diffIamRole(d, l)[0]?.reason).toBe("a role's path cannot be changed in place");
  });
});

// ---------------------------------------------------------------- fields.ts directly

describe("fields.ts: diffFields + patchOperations", () => {
  const rows: { reason: string; table: readonly FieldSpec[]; before: object | undefined; after: object; patch: PatchOperation[] }[] = [
    { reason: "scalar unchanged → nothing", table: STAGE_FIELDS, before: { description: "a" }, after: { description: "a" }, patch: [] },
    { reason: "scalar number → string value", table: INTEGRATION_FIELDS, before: { timeoutInMillis: 29000 }, after: { timeoutInMillis: 50 }, patch: [{ op: "replace", path: "/timeoutInMillis", value: "50" }] },
    { reason: "scalar boolean false → \"false\"", table: METHOD_FIELDS, before: { apiKeyRequired: true }, after: { apiKeyRequired: false }, patch: [{ op: "replace", path: "/apiKeyRequired", value: "false" }] },
    { reason: "scalar unset, remove refused by AWS → replace with an empty value", table: INTEGRATION_RESPONSE_FIELDS, before: { selectionPattern: "4\\d{2}" }, after: {}, patch: [{ op: "replace", path: "/selectionPattern", value: "" }] },
    { reason: "scalar unset, remove accepted (RestApi description) → remove", table: REST_API_FIELDS, before: { description: "d" }, after: {}, patch: [{ op: "remove", path: "/description" }] },
    { reason: "flag unset → back to its AWS default", table: METHOD_FIELDS, before: { apiKeyRequired: true }, after: {}, patch: [{ op: "replace", path: "/apiKeyRequired", value: "false" }] },
    { reason: "a scalar read back as an empty string is unset", table: METHOD_FIELDS, before: { operationName: "" }, after: {}, patch: [] },
    { reason: "field without patch path (integration type) → no operation", table: INTEGRATION_FIELDS, before: { type: "AWS" }, after: { type: "MOCK" }, patch: [] },
    {
      reason: "map: removes first, then adds and replaces, keys sorted",
      table: INTEGRATION_RESPONSE_FIELDS,
      before: { responseTemplates: { "text/plain": "a", "application/json": "b", "z/z": "c" } },
      after: { responseTemplates: { "application/json": "B", "text/html": "c" } },
      patch: [
        { op: "remove", path: "/responseTemplates/text~1plain" },
        { op: "remove", path: "/responseTemplates/z~1z" },
        { op: "replace", path: "/responseTemplates/application~1json", value: "B" },
        { op: "add", path: "/responseTemplates/text~1html", value: "c" },
      ],
    },
    { reason: "flags: values as \"true\"/\"false\"", table: METHOD_RESPONSE_FIELDS, before: undefined, after: { responseParameters: { "method.response.header.A": true, "method.response.header.B": false } }, patch: [
      { op: "add", path: "/responseParameters/method.response.header.A", value: "true" },
      { op: "add", path: "/responseParameters/method.response.header.B", value: "false" },
    ] },
    { reason: "~ in a key is written ~0 (RFC 6901)", table: STAGE_FIELDS, before: {}, after: { variables: { "a~b": "x" } }, patch: [{ op: "replace", path: "/variables/a~0b", value: "x" }] },
    { reason: "map whose new keys AWS takes with add", table: INTEGRATION_FIELDS, before: {}, after: { requestTemplates: { "a/b": "x" } }, patch: [{ op: "add", path: "/requestTemplates/a~1b", value: "x" }] },
    { reason: "set: remove then add, members escaped", table: REST_API_FIELDS, before: { binaryMediaTypes: ["image/png", "*/*"] }, after: { binaryMediaTypes: ["*/*", "application/pdf"] }, patch: [
      { op: "remove", path: "/binaryMediaTypes/image~1png" },
      { op: "add", path: "/binaryMediaTypes/application~1pdf" },
    ] },
    { reason: "policy unset → replace with empty", table: REST_API_FIELDS, before: { policy: POLICY }, after: {}, patch: [{ op: "replace", path: "/policy", value: "" }] },
  ];
  it.each(rows)("$reason", ({ table, before, after, patch }) => {
    expect(patchOperations(table, diffFields(table, after, before))).toEqual(patch);
  });

  it("escapeSegment: ~ before /", () => {
    expect(escapeSegment("a~/b")).toBe("a~0~1b");
  });
});

// ---------------------------------------------------------------- method-setting keys

describe("method-setting keys: manifest key ↔ patch path ↔ the key GetStages answers", () => {
  // API Gateway keys a method's settings as the patch path names it (AWS CLI reference, update-stage:
  // patch /~1resourceName/GET/… → methodSettings "~1resourceName/GET"); Terraform writes "path1/GET".
  const rows: { reason: string; key: string; prefix: string; awsKeys: string[] }[] = [
    { reason: "every method", key: "*/*", prefix: "/*/*", awsKeys: ["*/*"] },
    { reason: "a method of a resource", key: "/{folder}/GET", prefix: "/~1{folder}/GET", awsKeys: ["~1{folder}/GET", "{folder}/GET"] },
    { reason: "a nested resource", key: "/{folder}/{item}/PUT", prefix: "/~1{folder}~1{item}/PUT", awsKeys: ["~1{folder}~1{item}/PUT", "{folder}/{item}/PUT"] },
    { reason: "the root resource", key: "/GET", prefix: "/~1/GET", awsKeys: ["~1/GET", "/GET"] },
  ];
  it.each(rows)("$reason", ({ key, prefix, awsKeys }) => {
    expect(settingsPatchPrefix(key)).toBe(prefix);
    for (const awsKey of awsKeys) expect(settingsKeyFromAws(awsKey), awsKey).toBe(key);
  });
});
