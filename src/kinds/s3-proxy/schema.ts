// The S3Proxy document: the AWS tutorial's S3-proxy API and its role in a dozen lines. Fields reuse the
// RestApi and IamRole schemas where they mean the same thing, so the two never disagree on a rule.
import { z } from "zod";
import { documentSchema, reconcileSettings, tags } from "../../manifest/schema.ts";
import { IamRoleSpecSchema } from "../iam-role/schema.ts";
import { RestApiSpecSchema, StageSchema } from "../rest-api/schema.ts";
import { ACCESS_LEVELS, S3_OPERATIONS } from "./operations.ts";

// Bucket names (3-63 lowercase letters, digits, '.' and '-'), or a name prefix ending in `*` (my-app-*),
// which IAM matches against bucket names and, with /*, their objects.
const BUCKET = /^(?=.{3,63}$)[a-z0-9][a-z0-9.-]*([a-z0-9]|\*)$/;

export const S3ProxyStageSchema = StageSchema.extend({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, "stage names are 1-128 letters, digits, _ and -")
    .optional()
    .meta({ description: "Default prod." }),
}).meta({ description: "The stage, as a RestApi stage plus its name. Default: prod with the seed's method settings (metrics, ERROR logs, 100/200 throttling); given, it is taken as written." });

export const S3ProxySpecSchema = z.strictObject({
  apiName: z.string().min(1).max(1024).optional().meta({ description: "API Gateway name of the API. Default: metadata.name." }),
  description: z.string().optional().meta({ description: "Description of the API. Default: the tutorial's." }),
  operations: z
    .array(z.enum(S3_OPERATIONS))
    .min(1, "expose at least one operation")
    .optional()
    .meta({ description: "The S3 operations to expose as methods. Default: all eight." }),
  access: z
    .enum(ACCESS_LEVELS)
    .optional()
    .meta({ description: "The most the role may do: read-only, read-write (adds putObject) or full. Each exposed operation must be within it. Default full." }),
  buckets: z
    .array(z.string().regex(BUCKET, "a bucket name (3-63 lowercase letters, digits, '.' and '-') or a name prefix ending in *"))
    .min(1)
    .optional()
    .meta({ description: "Buckets the role may reach (the policy's Resource); default every bucket (*)." }),
  binaryMediaTypes: RestApiSpecSchema.shape.binaryMediaTypes.meta({ description: "Default image/png, image/jpeg, image/gif, application/octet-stream." }),
  authorization: z.enum(["AWS_IAM", "NONE"]).optional().meta({ description: "Authorization of every method. Default AWS_IAM (SigV4-signed calls)." }),
  endpointType: RestApiSpecSchema.shape.endpointType,
  stage: S3ProxyStageSchema.optional(),
  roleName: IamRoleSpecSchema.shape.roleName.meta({ description: "IAM name of the role API Gateway assumes. Default apigAwsProxyRole; its manifest name is the kebab-case of it." }),
  tags: tags.optional().meta({ description: "Tags of the API and the role. Default app: metadata.name." }),
  ...reconcileSettings,
});

export const S3ProxyDocumentSchema = documentSchema("S3Proxy", S3ProxySpecSchema.optional());

export type S3ProxyDocument = z.infer<typeof S3ProxyDocumentSchema>;
export type S3ProxySpec = z.infer<typeof S3ProxySpecSchema>;
