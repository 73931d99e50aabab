// The DomainName manifest: a REGIONAL custom domain name of API Gateway (REST, V1) and its base path
// mappings inline. The document's shape is described once here; the JSON Schema is derived from it.
import type { SecurityPolicy } from "@aws-sdk/client-api-gateway";
import { z } from "zod";
import { documentSchema, reconcileSettings, tags } from "../../manifest/schema.ts";

/**
 * SDK 3.1142 `SecurityPolicy` (enums.d.ts), every value, so the schema and AWS agree. The `satisfies`
 * keeps a value the SDK does not know out; `_SecurityPoliciesComplete` below keeps none missing.
 */
export const SECURITY_POLICIES = [
  "TLS_1_0",
  "TLS_1_2",
  "SecurityPolicy_TLS12_2018_EDGE",
  "SecurityPolicy_TLS12_PFS_2025_EDGE",
  "SecurityPolicy_TLS13_1_2_2021_06",
  "SecurityPolicy_TLS13_1_2_Ext2_FIPS_PQ_2025_09",
  "SecurityPolicy_TLS13_1_2_Ext2_PQ_2025_09",
  "SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09",
  "SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09",
  "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
  "SecurityPolicy_TLS13_1_2_PQ_2025_09",
  "SecurityPolicy_TLS13_1_3_2025_09",
  "SecurityPolicy_TLS13_1_3_FIPS_2025_09",
  "SecurityPolicy_TLS13_2025_EDGE",
] as const satisfies readonly SecurityPolicy[];
type AssertTrue<T extends true> = T;
export type _SecurityPoliciesComplete = AssertTrue<[Exclude<SecurityPolicy, (typeof SECURITY_POLICIES)[number]>] extends [never] ? true : false>;

/**
 * A domain name as DNS and ACM take it: labels of letters, digits and '-' (not at either end), at least
 * two, 253 characters at most; a leading `*.` for a wildcard custom domain (API Gateway supports them:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-custom-domains.html). Lower case
 * only: the name is the domain's identity in AWS, and `Api.example.com` would never match it.
 */
const LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
export const DOMAIN_NAME = new RegExp(`^(\\*\\.)?(${LABEL}\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`);

/**
 * A V1 base path: letters, digits and $-_.+!*'() (aws-cdk aws-apigateway/lib/base-path-mapping.ts, the
 * check it made before multi-level mappings); no '/' — multi-level paths are API Gateway V2 API
 * mappings (research §1.5). "(none)" is how AWS addresses the empty base path (terraform-provider-aws
 * base_path_mapping.go `emptyBasePathMappingValue`), so it cannot be a base path of its own.
 */
export const BASE_PATH = /^(?!\(none\)$)[A-Za-z0-9$_.+!*'()-]*$/;
export const NONE = "(none)";

const PLACEHOLDER_OR = (pattern: string, name: string) => `(${pattern}|\\$\\{${name}\\})`;
/** An ACM certificate ARN (ACM is the only source for a REGIONAL domain: API_CreateDomainName docs); placeholders allowed. */
export const CERTIFICATE_ARN = new RegExp(
  `^arn:${PLACEHOLDER_OR("aws[a-z-]*", "AWS_PARTITION")}:acm:${PLACEHOLDER_OR("[a-z]{2}(-[a-z]+)+-\\d+", "AWS_REGION")}:${PLACEHOLDER_OR("\\d{12}", "AWS_ACCOUNT_ID")}:certificate\\/[A-Za-z0-9-]+$`,
);

export const BasePathMappingSchema = z
  .strictObject({
    basePath: z
      .string()
      .max(128)
      .regex(BASE_PATH, `a base path is "" (none) or letters, digits and $-_.+!*'() — no "/" (multi-level paths are API Gateway V2), not "${NONE}"`)
      .meta({ description: 'The first path segment of the domain\'s URLs that go to this API stage. "" (none): the whole domain, then the only mapping.' }),
    api: z.string().meta({ description: "metadata.name of a RestApi manifest in the same set (same account and Region)." }),
    stage: z.string().meta({ description: "One of that RestApi's stages." }),
  })
  .meta({ description: "A base path mapping: https://<domainName>/<basePath>/… → the API's stage." });

export const DomainNameSpecSchema = z.strictObject({
  domainName: z
    .string()
    .max(253)
    .regex(DOMAIN_NAME, "a domain name is lower-case DNS labels (a-z, 0-9, -) separated by dots, e.g. api.example.com or *.example.com")
    .meta({ description: "The custom domain name: its identity in AWS (changing it replaces the domain)." }),
  endpointType: z
    .literal("REGIONAL")
    .optional()
    .meta({
      description:
        "REGIONAL (the default and only value): an EDGE domain needs its certificate in us-east-1 and a CloudFront distribution (minutes to create and delete), not managed here.",
    }),
  certificateArn: z
    .string()
    .regex(CERTIFICATE_ARN, "an ACM certificate ARN, e.g. arn:aws:acm:eu-west-1:123456789012:certificate/0a1b…")
    .meta({ description: "ACM certificate for the domain (sent as regionalCertificateArn); it must be in the domain's Region." }),
  securityPolicy: z.enum(SECURITY_POLICIES).optional().meta({ description: "Minimum TLS version and ciphers. Default TLS_1_2." }),
  basePathMappings: z
    .array(BasePathMappingSchema)
    .optional()
    .meta({ description: "The API stages the domain serves; ignore rules address them as /basePathMappings/<basePath>/stage." }),
  tags: tags.optional(),
  ...reconcileSettings,
});

export const DomainNameDocumentSchema = documentSchema("DomainName", DomainNameSpecSchema);

export type DomainNameDocument = z.infer<typeof DomainNameDocumentSchema>;
export type DomainNameSpec = z.infer<typeof DomainNameSpecSchema>;
