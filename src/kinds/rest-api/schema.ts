// The RestApi manifest schema: resources, methods, integrations and their responses, stages. Shared
// pieces (apiVersion, metadata, tags, policy documents, reconcile settings) come from manifest/schema.ts.
import { z } from "zod";
import { documentSchema, PolicyDocumentSchema, reconcileSettings, tags } from "../../manifest/schema.ts";

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

export const RestApiDocumentSchema = documentSchema("RestApi", RestApiSpecSchema);

export type RestApiDocument = z.infer<typeof RestApiDocumentSchema>;
export type MethodSpec = z.infer<typeof MethodSchema>;
export type IntegrationSpec = z.infer<typeof IntegrationSchema>;
export type StageSpec = z.infer<typeof StageSchema>;
