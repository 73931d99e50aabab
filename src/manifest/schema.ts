// The manifest schema: one zod description per kind. Everything else (JSON Schema, editor completion,
// the "did you mean" hints) is derived from these objects, so a field is described exactly once here.
import { z } from "zod";
import type { PolicyDocument as ModelPolicyDocument } from "../model/policy-document.ts";

export const API_VERSION = "apigw-reconciler/v1";

/** Placeholders a string may contain; resolved at reconcile time from the target account and region. */
export const PLACEHOLDERS = ["AWS_REGION", "AWS_ACCOUNT_ID", "AWS_PARTITION"] as const;

const text = (description: string) => z.string().meta({ description });
const stringMap = (description: string) => z.record(z.string(), z.string()).meta({ description });
/**
 * Content type → value (templates, models): API Gateway keys them by media type. Holding the keys to
 * type/subtype also keeps user data from ever looking like a plan's own id placeholders (`{ $ref: … }`).
 */
const MEDIA_TYPE = /^[^/\s]+\/[^/\s]+$/;
const contentTypeMap = (description: string) =>
  z.record(z.string().regex(MEDIA_TYPE, "a content type is type/subtype, e.g. application/json"), z.string()).meta({ description });
const requiredFlags = (description: string) => z.record(z.string(), z.boolean()).meta({ description });

const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const tags = z
  .record(
    z.string().regex(TAG_KEY, "tag keys are 1-128 letters, digits, spaces and _.:/=+-@"),
    z.string().max(256, "tag values are at most 256 characters"),
  )
  .meta({ description: "Tags. Keys starting with aws: or apigw-reconciler: are reserved." });

// ---------------------------------------------------------------- IAM policy documents

const stringOrList = z.union([z.string(), z.array(z.string()).min(1)]);
const principal = z.union([
  z.literal("*"),
  z.strictObject({
    AWS: stringOrList.optional(),
    Service: stringOrList.optional(),
    Federated: stringOrList.optional(),
    CanonicalUser: stringOrList.optional(),
  }),
]);

export const PolicyStatementSchema = z.strictObject({
  Sid: z.string().optional(),
  Effect: z.enum(["Allow", "Deny"]),
  Principal: principal.optional(),
  NotPrincipal: principal.optional(),
  Action: stringOrList.optional(),
  NotAction: stringOrList.optional(),
  Resource: stringOrList.optional(),
  NotResource: stringOrList.optional(),
  Condition: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.boolean(), z.number(), z.array(z.string())]))).optional(),
});

export const PolicyDocumentSchema = z
  .strictObject({
    Version: z.enum(["2012-10-17", "2008-10-17"]).optional(),
    Id: z.string().optional(),
    Statement: z.union([PolicyStatementSchema, z.array(PolicyStatementSchema).min(1, "a policy needs at least one statement")]),
  })
  .meta({ description: "An IAM policy document, written as YAML or JSON." });

// ---------------------------------------------------------------- shared reconcile settings

export const reconcileSettings = {
  adopt: z
    .boolean()
    .optional()
    .meta({ description: "Take over an existing object of the same name that carries no ownership tag." }),
  reconcile: z
    .enum(["heal", "observe"])
    .optional()
    .meta({ description: "heal: correct drift (default). observe: report only, never write." }),
  ignore: z
    .array(z.string().regex(/^\/.*/, "an ignore rule is a JSON Pointer starting with /"))
    .optional()
    .meta({ description: "JSON Pointers (into spec; * matches one segment) whose differences are neither reported nor corrected." }),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "an AWS Region, e.g. eu-west-1")
    .optional()
    .meta({ description: "AWS Region of this object (default: the run's --region / AWS_REGION). IAM is global: for an IamRole it only sets ${AWS_REGION}." }),
  assumeRoleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "a role ARN, e.g. arn:aws:iam::123456789012:role/apigw-reconciler")
    .optional()
    .meta({ description: "Manage this object in another account: the controller assumes this role (STS AssumeRole) for its calls." }),
};

// ---------------------------------------------------------------- RestApi

export const HTTP_METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH", "ANY"] as const;
export const INTEGRATION_TYPES = ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"] as const;
const CONTENT_HANDLING = z.enum(["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"]);
const STATUS_CODE = z.string().regex(/^[1-5]\d\d$/, "a status code is three digits, 100-599");

const roleReference = z
  .strictObject({ roleRef: text("metadata.name of an IamRole manifest in the same set; resolved to its ARN.") })
  .meta({ description: "A reference to an IamRole manifest." });

export const IntegrationResponseSchema = z.strictObject({
  selectionPattern: text("Java regular expression (API Gateway evaluates it with java.util.regex) matched against the backend's status code (or, for Lambda, error message); omit for the default response.").optional(),
  responseParameters: stringMap("method.response.header.X → integration.response.header.Y, 'literal' or integration.response.body.x").optional(),
  responseTemplates: contentTypeMap("Content type → mapping template.").optional(),
  contentHandling: CONTENT_HANDLING.optional(),
});

export const IntegrationSchema = z.strictObject({
  type: z.enum(INTEGRATION_TYPES),
  httpMethod: z.enum(HTTP_METHODS).optional().meta({ description: "The method used to call the backend (integrationHttpMethod)." }),
  uri: text("Backend URI, e.g. arn:aws:apigateway:${AWS_REGION}:s3:path/{bucket}").optional(),
  credentials: z.union([text("Role ARN API Gateway assumes"), roleReference]).optional(),
  requestParameters: stringMap("integration.request.(path|header|querystring).X → method.request.…, 'literal', context or stage variable").optional(),
  requestTemplates: contentTypeMap("Content type → mapping template.").optional(),
  passthroughBehavior: z.enum(["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"]).optional(),
  contentHandling: CONTENT_HANDLING.optional(),
  timeoutInMillis: z.number().int().min(50).max(300000).optional(),
  cacheKeyParameters: z.array(z.string()).optional(),
  responses: z.record(STATUS_CODE, IntegrationResponseSchema).optional().meta({ description: "Integration responses by status code." }),
});

export const MethodResponseSchema = z.strictObject({
  responseParameters: requiredFlags("method.response.header.X → required?").optional(),
  responseModels: contentTypeMap("Content type → model name (e.g. Empty).").optional(),
});

export const MethodSchema = z.strictObject({
  authorizationType: z.enum(["NONE", "AWS_IAM"]).optional().meta({ description: "Default NONE." }),
  apiKeyRequired: z.boolean().optional(),
  operationName: z.string().optional(),
  requestParameters: requiredFlags("method.request.(path|header|querystring).X → required?").optional(),
  integration: IntegrationSchema.optional(),
  responses: z.record(STATUS_CODE, MethodResponseSchema).optional().meta({ description: "Method responses by status code." }),
});

export const ResourceSchema = z.strictObject({
  methods: z.partialRecord(z.enum(HTTP_METHODS), MethodSchema).optional(),
});

export const MethodSettingSchema = z.strictObject({
  loggingLevel: z.enum(["OFF", "ERROR", "INFO"]).optional(),
  dataTraceEnabled: z.boolean().optional(),
  metricsEnabled: z.boolean().optional(),
  throttlingBurstLimit: z.number().int().min(0).optional(),
  throttlingRateLimit: z.number().min(0).optional(),
  cachingEnabled: z.boolean().optional(),
  cacheTtlInSeconds: z.number().int().min(0).max(3600).optional(),
  cacheDataEncrypted: z.boolean().optional(),
  requireAuthorizationForCacheControl: z.boolean().optional(),
  unauthorizedCacheControlHeaderStrategy: z
    .enum(["FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"])
    .optional(),
});

export const StageSchema = z.strictObject({
  description: z.string().optional(),
  variables: z.record(z.string().regex(/^[A-Za-z0-9_]+$/, "stage variable names are letters, digits and _"), z.string()).optional(),
  tracingEnabled: z.boolean().optional(),
  methodSettings: z
    .record(z.string(), MethodSettingSchema)
    .optional()
    .meta({ description: "Keyed by */* (every method) or <resource path>/<METHOD>, e.g. /{folder}/GET." }),
  tags: tags.optional(),
});

export const RestApiSpecSchema = z.strictObject({
  name: text("API Gateway name. Default: metadata.name.").optional(),
  description: z.string().optional(),
  endpointType: z.enum(["REGIONAL", "EDGE", "PRIVATE"]).optional().meta({ description: "Default REGIONAL." }),
  binaryMediaTypes: z.array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, "a media type is type/subtype, e.g. image/png or */*")).optional(),
  minimumCompressionSize: z.number().int().min(0).max(10485760).optional(),
  apiKeySource: z.enum(["HEADER", "AUTHORIZER"]).optional(),
  disableExecuteApiEndpoint: z.boolean().optional(),
  tags: tags.optional(),
  policy: PolicyDocumentSchema.optional().meta({ description: "Resource policy of the API." }),
  resources: z.record(z.string(), ResourceSchema).meta({ description: "Resources by path: /, /{folder}, /{folder}/{item}…" }),
  stages: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "stage names are 1-128 letters, digits, _ and -"), StageSchema).optional(),
  ...reconcileSettings,
});

// ---------------------------------------------------------------- IamRole

// Printable ASCII after "policy/", as IAM's policy paths and names are: a damaged character (U+FFFD, a control
// character) in an ARN is refused here, not sent to AttachRolePolicy.
const POLICY_ARN = /^arn:[^:]+:iam::[^:]*:policy\/[\x21-\x7e]+$/;

export const IamRoleSpecSchema = z.strictObject({
  roleName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, "role names are 1-64 letters, digits and +=,.@_-")
    .optional()
    .meta({ description: "Default: metadata.name." }),
  path: z.string().regex(/^\/([\x21-\x7e]*\/)?$/, "a path starts and ends with /").optional(),
  description: z.string().max(1000).optional(),
  assumeRolePolicy: PolicyDocumentSchema.meta({ description: "Trust policy." }),
  inlinePolicies: z.record(z.string().regex(/^[\w+=,.@-]{1,128}$/, "policy names are 1-128 letters, digits and +=,.@_-"), PolicyDocumentSchema).optional(),
  managedPolicyArns: z.array(z.string().regex(POLICY_ARN, "a managed policy ARN looks like arn:aws:iam::aws:policy/Name")).optional(),
  maxSessionDuration: z.number().int().min(3600).max(43200).optional(),
  permissionsBoundary: z.string().regex(POLICY_ARN, "a permissions boundary is a policy ARN").optional(),
  tags: tags.optional(),
  ...reconcileSettings,
});

// ---------------------------------------------------------------- documents

export const metadata = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, "names are lowercase letters, digits, '.' and '-' (1-63, as in Kubernetes)")
    .meta({ description: "Identity of this object for the reconciler (stored as an ownership tag)." }),
  labels: z.record(z.string(), z.string()).optional().meta({ description: "Free-form labels; --selector picks manifests by them." }),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const RestApiDocumentSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("RestApi"),
  metadata,
  spec: RestApiSpecSchema,
});

export const IamRoleDocumentSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("IamRole"),
  metadata,
  spec: IamRoleSpecSchema,
});


export type RestApiDocument = z.infer<typeof RestApiDocumentSchema>;
export type IamRoleDocument = z.infer<typeof IamRoleDocumentSchema>;
export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;
/**
 * The model declares the policy document as plain data (model/ imports nothing from manifest/); the schema
 * must describe exactly that type — a compile error here means the two disagree.
 */
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AssertTrue<T extends true> = T;
export type _PolicyDocumentSchemaMatchesModel = AssertTrue<SameType<PolicyDocument, ModelPolicyDocument>>;
export type MethodSpec = z.infer<typeof MethodSchema>;
export type IntegrationSpec = z.infer<typeof IntegrationSchema>;
export type StageSpec = z.infer<typeof StageSchema>;
