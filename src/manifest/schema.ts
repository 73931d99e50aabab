// What the kinds' manifest schemas share: apiVersion, metadata, tags, IAM policy documents and the reconcile
// settings every spec has. Each kind describes its own document in its folder (kinds/<kind>/schema.ts) with
// these pieces; everything else (JSON Schema, editor completion, the "did you mean" hints) is derived from
// those zod objects, so a field is described exactly once.
import { z } from "zod";
import type { PolicyDocument as ModelPolicyDocument } from "../model/policy-document.ts";

export const API_VERSION = "apigw-reconciler/v1";

/** Placeholders a string may contain; resolved at reconcile time from the target account and region. */
export const PLACEHOLDERS = ["AWS_REGION", "AWS_ACCOUNT_ID", "AWS_PARTITION"] as const;

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

// ---------------------------------------------------------------- documents

export const metadata = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, "names are lowercase letters, digits, '.' and '-' (1-63, as in Kubernetes)")
    .meta({ description: "Identity of this object for the reconciler (stored as an ownership tag)." }),
  labels: z.record(z.string(), z.string()).optional().meta({ description: "Free-form labels; --selector picks manifests by them." }),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** A kind's whole document: apiVersion, its `kind:`, metadata and its spec, no other field. */
export function documentSchema<K extends string, S extends z.ZodType>(kind: K, spec: S) {
  return z.strictObject({ apiVersion: z.literal(API_VERSION), kind: z.literal(kind), metadata, spec });
}

export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;
/**
 * The model declares the policy document as plain data (model/ imports nothing from manifest/); the schema
 * must describe exactly that type — a compile error here means the two disagree.
 */
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AssertTrue<T extends true> = T;
export type _PolicyDocumentSchemaMatchesModel = AssertTrue<SameType<PolicyDocument, ModelPolicyDocument>>;
