// The IamRole manifest schema: trust policy, inline and managed policies, boundary, tags. Shared pieces
// (apiVersion, metadata, tags, policy documents, reconcile settings) come from manifest/schema.ts.
import { z } from "zod";
import { documentSchema, PolicyDocumentSchema, reconcileSettings, tags } from "../../manifest/schema.ts";

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

export const IamRoleDocumentSchema = documentSchema("IamRole", IamRoleSpecSchema);

export type IamRoleDocument = z.infer<typeof IamRoleDocumentSchema>;
