// What observe reports: the live objects in the Desired shape, plus the AWS ids and tags the engine
// needs to address and judge them. Observe states facts; the engine decides.
import type { IamRoleModel, RestApiModel } from "./types.ts";

export const TAG = {
  name: "apigw-reconciler:name",
  owner: "apigw-reconciler:owner",
  specHash: "apigw-reconciler:spec-hash",
  /** `<deploymentId>:<config hash>` of the last deployment the reconciler made. */
  deployed: "apigw-reconciler:deployed",
} as const;

export const RESERVED_TAG_PREFIX = "apigw-reconciler:";

export interface LiveRestApi {
  id: string;
  model: RestApiModel;
  /** Every tag, ownership tags included. */
  tags: Record<string, string>;
  resourceIds: Record<string, string>;
  stageDeployments: Record<string, string | undefined>;
}

/** A REST API as GetRestApis lists it, before deciding whether to read it in full. */
export interface RestApiSummary {
  id: string;
  name: string;
  tags: Record<string, string>;
  createdDate?: Date;
}

export interface LiveIamRole {
  arn: string;
  model: IamRoleModel;
  tags: Record<string, string>;
}

export function userTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !key.startsWith(RESERVED_TAG_PREFIX)));
}
