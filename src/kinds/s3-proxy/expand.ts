// S3Proxy → the RestApi and IamRole documents it stands for. With every default these are exactly
// manifests/s3-proxy-api.yaml and manifests/s3-proxy-role.yaml (test/unit/s3-proxy.test.ts holds them equal).
import type { FieldPath } from "../../manifest/issues.ts";
import { API_VERSION } from "../../manifest/schema.ts";
import type { PolicyDocument } from "../../model/types.ts";
import type { GeneratedDocument } from "../kind.ts";
import type { StageSpec } from "../rest-api/schema.ts";
import { actionsOf, OPERATIONS, S3_OPERATIONS, type OperationSpec, type S3OperationName } from "./operations.ts";
import type { S3ProxyDocument, S3ProxySpec } from "./schema.ts";

/** The seed's values, used where the S3Proxy says nothing. */
export const DEFAULTS = {
  description: "Amazon S3 proxy (AWS tutorial sample API)",
  binaryMediaTypes: ["image/png", "image/jpeg", "image/gif", "application/octet-stream"],
  roleName: "apigAwsProxyRole",
  policyName: "s3-proxy-access",
  stage: {
    name: "prod",
    description: "Production stage of the S3 proxy",
    methodSettings: { "*/*": { metricsEnabled: true, loggingLevel: "ERROR", throttlingRateLimit: 100, throttlingBurstLimit: 200 } },
  },
} as const;

type Obj = Record<string, unknown>;
type Metadata = S3ProxyDocument["metadata"];

/** The manifest name of the generated role: its IAM name in kebab-case (apigAwsProxyRole → apig-aws-proxy-role). */
export function roleManifestName(roleName: string): string {
  const kebab = roleName
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return kebab.slice(0, 63).replace(/[^a-z0-9]+$/, "") || "role";
}

export function expandS3Proxy(doc: S3ProxyDocument): GeneratedDocument[] {
  const spec = doc.spec ?? {};
  const roleName = spec.roleName ?? DEFAULTS.roleName;
  const roleRef = roleManifestName(roleName);
  return [
    { document: { apiVersion: API_VERSION, kind: "RestApi", metadata: metadataOf(doc.metadata, doc.metadata.name), spec: restApiSpec(doc, roleRef) }, fieldOf: apiFieldOf },
    { document: { apiVersion: API_VERSION, kind: "IamRole", metadata: metadataOf(doc.metadata, roleRef), spec: roleSpec(doc, roleName) }, fieldOf: roleFieldOf },
  ];
}

function metadataOf(metadata: Metadata, name: string): { name: string } & Obj {
  return { name, ...(metadata.labels ? { labels: metadata.labels } : {}), ...(metadata.annotations ? { annotations: metadata.annotations } : {}) };
}

/** adopt, reconcile, ignore, region, assumeRoleArn: the same for the API and its role (one account, one Region). */
function settingsOf(spec: S3ProxySpec): Obj {
  const { adopt, reconcile, ignore, region, assumeRoleArn } = spec;
  return Object.fromEntries(Object.entries({ adopt, reconcile, ignore, region, assumeRoleArn }).filter(([, value]) => value !== undefined));
}

function restApiSpec(doc: S3ProxyDocument, roleRef: string): Obj {
  const spec = doc.spec ?? {};
  const { name: stageName = DEFAULTS.stage.name, ...stage }: { name?: string } & StageSpec = spec.stage ?? structuredClone(DEFAULTS.stage);
  return {
    name: spec.apiName ?? doc.metadata.name,
    description: spec.description ?? DEFAULTS.description,
    endpointType: spec.endpointType ?? "REGIONAL",
    binaryMediaTypes: [...(spec.binaryMediaTypes ?? DEFAULTS.binaryMediaTypes)],
    tags: { ...(spec.tags ?? { app: doc.metadata.name }) },
    resources: resourcesOf(spec.operations ?? S3_OPERATIONS, spec.authorization ?? "AWS_IAM", roleRef),
    stages: { [stageName]: stage },
    ...settingsOf(spec),
  };
}

function resourcesOf(operations: readonly S3OperationName[], authorization: string, roleRef: string): Obj {
  const resources: Record<string, { methods: Obj }> = {};
  for (const name of S3_OPERATIONS.filter((n) => operations.includes(n))) {
    const operation = OPERATIONS[name];
    (resources[operation.path] ??= { methods: {} }).methods[operation.verb] = methodOf(operation, authorization, roleRef);
  }
  return resources;
}

const PATH_PARAMETERS: Record<OperationSpec["path"], [string, string][]> = {
  "/": [],
  "/{folder}": [["bucket", "folder"]],
  "/{folder}/{item}": [
    ["bucket", "folder"],
    ["object", "item"],
  ],
};

const S3_PATH: Record<OperationSpec["path"], string> = { "/": "/", "/{folder}": "{bucket}", "/{folder}/{item}": "{bucket}/{object}" };

/** One method as the tutorial builds it: an AWS integration on S3's path-style API, 4xx → 400, 5xx → 500. */
function methodOf(operation: OperationSpec, authorization: string, roleRef: string): Obj {
  const path = PATH_PARAMETERS[operation.path];
  const header = "Content-Type";
  const methodParameters: Record<string, boolean> = {};
  if (operation.contentType) methodParameters[`method.request.header.${header}`] = false;
  for (const [, from] of path) methodParameters[`method.request.path.${from}`] = true;
  const integrationParameters: Record<string, string> = {};
  for (const [to, from] of path) integrationParameters[`integration.request.path.${to}`] = `method.request.path.${from}`;
  if (operation.contentType) integrationParameters[`integration.request.header.${header}`] = `method.request.header.${header}`;
  const returned = Object.fromEntries(operation.returned.map(([to, from]) => [`method.response.header.${to}`, `integration.response.header.${from}`]));
  return {
    authorizationType: authorization,
    ...(path.length > 0 || operation.contentType ? { requestParameters: methodParameters } : {}),
    integration: {
      type: "AWS",
      httpMethod: operation.verb,
      uri: `arn:\${AWS_PARTITION}:apigateway:\${AWS_REGION}:s3:path/${S3_PATH[operation.path]}`,
      credentials: { roleRef },
      passthroughBehavior: "WHEN_NO_MATCH",
      ...(Object.keys(integrationParameters).length > 0 ? { requestParameters: integrationParameters } : {}),
      responses: { "200": operation.returned.length > 0 ? { responseParameters: returned } : {}, "400": { selectionPattern: "4\\d{2}" }, "500": { selectionPattern: "5\\d{2}" } },
    },
    responses: {
      "200": { responseParameters: Object.fromEntries(operation.declared.map((h) => [`method.response.header.${h}`, false])), responseModels: { "application/json": "Empty" } },
      "400": {},
      "500": {},
    },
  };
}

function roleSpec(doc: S3ProxyDocument, roleName: string): Obj {
  const spec = doc.spec ?? {};
  const verbs = spec.access === "read-only" ? "read" : "read and write";
  return {
    roleName,
    description: `Lets API Gateway ${verbs} Amazon S3 for the ${spec.apiName ?? doc.metadata.name} proxy API`,
    assumeRolePolicy: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
    },
    inlinePolicies: { [DEFAULTS.policyName]: accessPolicy(spec.operations ?? S3_OPERATIONS, spec.buckets) },
    tags: { ...(spec.tags ?? { app: doc.metadata.name }) },
    ...settingsOf(spec),
  };
}

/**
 * Exactly the actions of the exposed operations. ListAllMyBuckets has no resource type (Resource "*"); the
 * bucket and object actions get every bucket and object (`*` spans "/" in an IAM ARN), or the listed buckets
 * and their objects.
 */
export function accessPolicy(operations: readonly S3OperationName[], buckets: readonly string[] | undefined): PolicyDocument {
  const statements: Exclude<PolicyDocument["Statement"], unknown[]>[] = [];
  const [listAll] = actionsOf(operations, ["service"]);
  if (listAll) statements.push({ Sid: "ListBuckets", Effect: "Allow", Action: listAll, Resource: "*" });
  const scoped = actionsOf(operations, ["bucket", "object"]);
  const resources = buckets ? buckets.flatMap((b) => [`arn:\${AWS_PARTITION}:s3:::${b}`, `arn:\${AWS_PARTITION}:s3:::${b}/*`]) : "arn:${AWS_PARTITION}:s3:::*";
  if (scoped.length > 0) statements.push({ Sid: "BucketsAndObjects", Effect: "Allow", Action: scoped, Resource: resources });
  return { Version: "2012-10-17", Statement: statements };
}

// ------------------------------------------------------------ from a generated field to the S3Proxy's

/** The S3Proxy fields that are copied as they are (same name, same place under spec). */
const SAME = new Set(["description", "endpointType", "binaryMediaTypes", "tags", "adopt", "reconcile", "ignore", "region", "assumeRoleArn"]);

function apiFieldOf(path: FieldPath): FieldPath {
  const [top, field, ...rest] = path;
  if (top !== "spec") return top === "metadata" ? path : [];
  if (typeof field === "string" && SAME.has(field)) return path;
  if (field === "name") return ["spec", "apiName"];
  // A stage problem: the same field of spec.stage (the stage's name is spec.stage.name).
  if (field === "stages") return rest.length > 1 ? ["spec", "stage", ...rest.slice(1)] : ["spec", "stage", "name"];
  if (field === "resources") return ["spec", "operations"];
  return ["spec"];
}

function roleFieldOf(path: FieldPath): FieldPath {
  const [top, field] = path;
  if (top === "metadata") return path[1] === "name" ? ["spec", "roleName"] : path;
  if (top !== "spec") return [];
  if (typeof field === "string" && SAME.has(field) && field !== "description") return path;
  if (field === "roleName") return ["spec", "roleName"];
  // The policy is derived from operations, access and buckets; buckets is what an author writes into it.
  if (field === "inlinePolicies") return ["spec", "buckets"];
  return ["spec"];
}
