// The S3 proxy's operations: for each, the method of the AWS tutorial "Create a REST API as an Amazon S3
// proxy" that exposes it (as manifests/s3-proxy-api.yaml writes it, response headers included), the S3 IAM
// action it performs, and the least access level that allows it.
//
// Actions: "Required permissions for Amazon S3 API operations" (Amazon S3 User Guide). ListBuckets needs
// s3:ListAllMyBuckets (no resource type: Resource "*"); ListObjects s3:ListBucket; CreateBucket and
// DeleteBucket their own actions; GetObject and HeadObject s3:GetObject; PutObject and DeleteObject theirs.
//
// Access levels, after the tutorial's three role variants ("Set up IAM permissions for the API to invoke
// Amazon S3 actions"):
// - read-only: what AmazonS3ReadOnlyAccess (s3:Get*, s3:List*) allows: list buckets, list a bucket, get and
//   head an object.
// - read-write: read-only plus the tutorial's inline s3:Put* policy: put an object. s3:Put* does not match
//   s3:CreateBucket, s3:DeleteBucket nor s3:DeleteObject (the tutorial's PUT /{folder} and DELETEs answered 403
//   with it), so those are not "write" here either.
// - full: AmazonS3FullAccess: also create and delete buckets, and delete objects.
export const ACCESS_LEVELS = ["read-only", "read-write", "full"] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

export const S3_OPERATIONS = ["listBuckets", "listBucket", "createBucket", "deleteBucket", "getObject", "headObject", "putObject", "deleteObject"] as const;
export type S3OperationName = (typeof S3_OPERATIONS)[number];

/** What the S3 call names: nothing (the account's buckets), a bucket, or an object of a bucket. */
export type Scope = "service" | "bucket" | "object";

export interface OperationSpec {
  path: "/" | "/{folder}" | "/{folder}/{item}";
  verb: "GET" | "PUT" | "DELETE" | "HEAD";
  scope: Scope;
  action: string;
  access: Access;
  /** Passes the caller's Content-Type to S3 (uploads). */
  contentType: boolean;
  /** 200 integration response: method.response.header.X ← integration.response.header.Y, as the tutorial maps them. */
  returned: readonly (readonly [string, string])[];
  /** 200 method response headers declared. */
  declared: readonly string[];
}

const CT = ["Content-Type", "Content-Type"] as const;
const CL = ["Content-Length", "Content-Length"] as const;

/** In the order the methods are written: by resource, then GET, HEAD, PUT, DELETE as the seed has them. */
export const OPERATIONS: Readonly<Record<S3OperationName, OperationSpec>> = {
  listBuckets: { path: "/", verb: "GET", scope: "service", action: "s3:ListAllMyBuckets", access: "read-only", contentType: false, returned: [CT, CL, ["Timestamp", "Date"]], declared: ["Content-Length", "Timestamp", "Content-Type"] },
  listBucket: { path: "/{folder}", verb: "GET", scope: "bucket", action: "s3:ListBucket", access: "read-only", contentType: false, returned: [CT, ["Date", "Date"], ["Content-Length", "content-length"]], declared: ["Content-Length", "Date", "Content-Type"] },
  createBucket: { path: "/{folder}", verb: "PUT", scope: "bucket", action: "s3:CreateBucket", access: "full", contentType: true, returned: [CT, CL], declared: ["Content-Length", "Content-Type"] },
  deleteBucket: { path: "/{folder}", verb: "DELETE", scope: "bucket", action: "s3:DeleteBucket", access: "full", contentType: false, returned: [CT, ["Date", "Date"]], declared: ["Date", "Content-Type"] },
  getObject: { path: "/{folder}/{item}", verb: "GET", scope: "object", action: "s3:GetObject", access: "read-only", contentType: false, returned: [["content-type", "content-type"], CT], declared: ["content-type", "Content-Type"] },
  headObject: { path: "/{folder}/{item}", verb: "HEAD", scope: "object", action: "s3:GetObject", access: "read-only", contentType: false, returned: [CT, CL], declared: ["Content-Length", "Content-Type"] },
  putObject: { path: "/{folder}/{item}", verb: "PUT", scope: "object", action: "s3:PutObject", access: "read-write", contentType: true, returned: [CT, CL], declared: ["Content-Length", "Content-Type"] },
  deleteObject: { path: "/{folder}/{item}", verb: "DELETE", scope: "object", action: "s3:DeleteObject", access: "full", contentType: false, returned: [], declared: ["Content-Length", "Content-Type"] },
};

/** Whether `access` allows an operation that needs `needed`. */
export function allows(access: Access, needed: Access): boolean {
  return ACCESS_LEVELS.indexOf(access) >= ACCESS_LEVELS.indexOf(needed);
}

/** "read-write or full": the levels that allow an operation needing `needed`. */
export function levelsAllowing(needed: Access): string {
  return ACCESS_LEVELS.filter((level) => allows(level, needed)).join(" or ");
}

/** The IAM actions the operations perform, each once, in the order of OPERATIONS (the seed policy's order). */
export function actionsOf(operations: readonly S3OperationName[], scopes: readonly Scope[]): string[] {
  const actions = S3_OPERATIONS.filter((name) => operations.includes(name) && scopes.includes(OPERATIONS[name].scope)).map((name) => OPERATIONS[name].action);
  return [...new Set(actions)];
}
