// The UsagePlan manifest: a usage plan (throttle, quota, the API stages it covers) and its API keys inline.
// Limits that AWS states are here where zod can say them; the rest (references, the environment) in checks.ts.
// Sources: /work/notes/issue10-research.md §1.1 (usage plans), §1.3 (API keys), test/emulator/SOURCES.md §5.
import { z } from "zod";
import { documentSchema, reconcileSettings, tags } from "../../manifest/schema.ts";

/** Manifest names of RestApi documents (as metadata.name is spelt). */
const MANIFEST_NAME = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
/** Stage names as the RestApi schema allows them. */
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
/**
 * Key names: AWS allows any name up to 1024 characters (LS test_create_api_key_with_invalid_name), but the
 * ownership tag holds `<plan>/<key>` and a tag value is at most 256 characters: 128 plain characters leave room.
 */
export const KEY_NAME = /^[A-Za-z0-9._-]{1,128}$/;
/** An environment variable name (POSIX portable). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const ThrottleSchema = z
  .strictObject({
    // CreateUsagePlan: burstLimit is an integer, rateLimit a double; burst > rate is accepted (LS
    // test_create_usage_plan_with_throttle, test_api_key_required_for_methods).
    burstLimit: z.number().int().min(0).meta({ description: "Maximum concurrent requests (token bucket size)." }),
    rateLimit: z.number().min(0).meta({ description: "Steady-state requests per second (a decimal number)." }),
  })
  .meta({ description: "Request throttling of every API stage of the plan." });

export const QuotaSchema = z
  .strictObject({
    limit: z.number().int().min(1).meta({ description: "Requests allowed per period." }),
    // DAY | WEEK | MONTH: the SDK's QuotaPeriodType; anything else is a ValidationException (SOURCES.md §5).
    period: z.enum(["DAY", "WEEK", "MONTH"]),
    offset: z.number().int().min(0).optional().meta({ description: "Requests subtracted from the limit in the first period. Default 0 (AWS reads an absent offset as 0)." }),
  })
  .meta({ description: "How many requests a key may make per period." });

export const ApiStageSchema = z.strictObject({
  api: z.string().regex(MANIFEST_NAME, "metadata.name of a RestApi manifest").meta({ description: "metadata.name of a RestApi manifest in the same set." }),
  stage: z.string().regex(STAGE_NAME, "stage names are 1-128 letters, digits, _ and -").meta({ description: "One of that RestApi's stages." }),
});

export const ApiKeySchema = z.strictObject({
  name: z.string().regex(KEY_NAME, "key names are 1-128 letters, digits, '.', '_' and '-'").meta({ description: "The key's name, unique within the plan (also its name in API Gateway)." }),
  enabled: z.boolean().optional().meta({ description: "Default true (AWS's own default is false)." }),
  // 125000: CreateApiKey/UpdateApiKey refuse longer ones (LS test_update_api_key_invalid_description_length).
  description: z.string().max(125000).optional(),
  valueFrom: z
    .strictObject({ env: z.string().regex(ENV_NAME, "an environment variable name").meta({ description: "Environment variable holding the key value (20-128 characters), read at load and at apply; never written to plans or reports." }) })
    .optional()
    .meta({ description: "Where the key's value comes from. Absent: API Gateway generates the value." }),
});

export const UsagePlanSpecSchema = z.strictObject({
  name: z.string().min(1).max(1024).optional().meta({ description: "API Gateway name of the plan. Default: metadata.name." }),
  description: z.string().optional(),
  throttle: ThrottleSchema.optional(),
  quota: QuotaSchema.optional(),
  apiStages: z.array(ApiStageSchema).optional().meta({ description: "The API stages the plan covers: RestApi manifest name and stage." }),
  apiKeys: z.array(ApiKeySchema).optional().meta({ description: "The plan's API keys, created and owned by the reconciler." }),
  tags: tags.optional(),
  ...reconcileSettings,
});

export const UsagePlanDocumentSchema = documentSchema("UsagePlan", UsagePlanSpecSchema)
  .meta({ description: "An API Gateway usage plan with its API keys." });

export type UsagePlanDocument = z.infer<typeof UsagePlanDocumentSchema>;
export type UsagePlanSpec = z.infer<typeof UsagePlanSpecSchema>;
