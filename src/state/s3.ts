// The S3 boundary of the state store and the lease: one client, `s3://bucket/key` locations, and every
// S3 failure classified once, here, into what the callers act on (missing, someone else wrote first,
// try again, not allowed).
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { classifyError } from "../aws/errors.ts";

export interface S3Options {
  region?: string;
  /** Default `AWS_ENDPOINT_URL`, as for API Gateway and IAM (a local emulator). */
  endpoint?: string;
  profile?: string;
  /** SDK attempts per call (throttling, 5xx, dropped connections); default 3. */
  maxAttempts?: number;
  /** Default: the SDK's credential chain. Tests pass one key per simulated process. */
  credentials?: S3ClientConfig["credentials"];
}

export interface S3Location {
  bucket: string;
  key: string;
}

export const S3_SCHEME = "s3://";

export function isS3Location(location: string): boolean {
  return location.startsWith(S3_SCHEME);
}

/** `s3://bucket/some/key.json` → { bucket, key }; a missing bucket or key is an error, not a default. */
export function parseS3Location(location: string): S3Location {
  const rest = location.slice(S3_SCHEME.length);
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? "" : rest.slice(slash + 1);
  if (!isS3Location(location) || bucket === "" || key === "" || key.endsWith("/")) {
    throw new Error(`invalid S3 state location "${location}": expected s3://bucket/key`);
  }
  return { bucket, key };
}

export function formatS3Location(location: S3Location): string {
  return `${S3_SCHEME}${location.bucket}/${location.key}`;
}

/**
 * The S3 package is loaded only here, when a state or lease location is in S3: a local state file does not
 * pay for it (megabytes of code in memory).
 */
const s3Sdk = () => import("@aws-sdk/client-s3");

export async function createS3Client(options: S3Options = {}): Promise<S3Client> {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const { S3Client } = await s3Sdk();
  return new S3Client({
    ...(region ? { region } : {}),
    // An emulator or S3-compatible endpoint has no per-bucket DNS names: address buckets in the path.
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? 3,
  });
}

// ------------------------------------------------------------------------------ errors

export type S3ErrorKind =
  /** NoSuchKey / 404: the object is not there. */
  | "not-found"
  /** NoSuchBucket: a configuration error, never "empty state". */
  | "no-bucket"
  /** 412 PreconditionFailed: If-Match / If-None-Match did not hold; someone else wrote first. */
  | "precondition-failed"
  /** 409 ConditionalRequestConflict / OperationAborted: a concurrent operation; AWS says re-read and retry. */
  | "conflict"
  | "access-denied"
  /** Throttling, 5xx, dropped connection, left over after the SDK's own attempts. */
  | "retryable"
  | "terminal";

export interface S3ErrorDetail {
  kind: S3ErrorKind;
  name: string;
  message: string;
  status?: number;
}

export function classifyS3Error(error: unknown): S3ErrorDetail {
  const base = classifyError(error);
  const { name, status } = base;
  const detail = (kind: S3ErrorKind): S3ErrorDetail => ({ kind, name, message: base.message, ...(status === undefined ? {} : { status }) });
  if (name === "NoSuchBucket") return detail("no-bucket");
  if (name === "NoSuchKey" || name === "NotFound" || status === 404) return detail("not-found");
  if (name === "PreconditionFailed" || status === 412) return detail("precondition-failed");
  if (name === "ConditionalRequestConflict" || name === "OperationAborted" || status === 409) return detail("conflict");
  if (name === "AccessDenied" || name === "Forbidden" || status === 403) return detail("access-denied");
  return detail(base.class === "retryable" ? "retryable" : "terminal");
}

/** The IAM permission each call needs (a conditional PutObject with If-Match also needs s3:GetObject). */
const PERMISSION: Record<string, string> = {
  GetObject: "s3:GetObject",
  PutObject: "s3:PutObject (and s3:GetObject for If-Match)",
  DeleteObject: "s3:DeleteObject (and s3:GetObject for If-Match)",
};

export class S3CallError extends Error {
  constructor(
    readonly operation: string,
    readonly location: string,
    readonly detail: S3ErrorDetail,
  ) {
    const why = detail.kind === "access-denied" ? `access denied: the caller needs ${PERMISSION[operation] ?? `s3:${operation}`}` : `${detail.name}: ${detail.message}`;
    super(`S3 ${operation} ${location}: ${why}`);
    this.name = "S3CallError";
  }
}

// ------------------------------------------------------------------------------ objects

export interface StoredObject {
  body: string;
  etag: string;
  lastModified?: Date;
}

/** Exactly one condition on every write: create only, or replace only the version we saw. */
export type PutCondition = { ifNoneMatch: "*" } | { ifMatch: string };

/** GetObject / PutObject / DeleteObject of small JSON objects, errors as S3CallError. */
export class S3Objects {
  private readonly client: Promise<S3Client>;

  /** `client`, or its creation (createS3Client); `ownsClient`: close() destroys it. */
  constructor(
    client: S3Client | Promise<S3Client>,
    private readonly ownsClient: boolean,
  ) {
    this.client = Promise.resolve(client);
    // A client that could not be made fails the first call (with its reason); never an unhandled rejection.
    this.client.catch(() => undefined);
  }

  /** The object, or undefined when there is none. */
  async get(location: S3Location, signal?: AbortSignal): Promise<StoredObject | undefined> {
    try {
      const { GetObjectCommand } = await s3Sdk();
      const command = new GetObjectCommand({ Bucket: location.bucket, Key: location.key });
      const output = await this.call("GetObject", location, signal, async () => (await this.client).send(command, { abortSignal: signal }));
      const body = (await output.Body?.transformToString("utf8")) ?? "";
      return { body, etag: output.ETag ?? "", ...(output.LastModified ? { lastModified: output.LastModified } : {}) };
    } catch (error) {
      if (isS3Error(error, "not-found")) return undefined;
      throw error;
    }
  }

  /** Writes `body` if the condition holds; returns the new ETag. */
  async put(location: S3Location, body: string, condition: PutCondition, signal?: AbortSignal): Promise<string> {
    const { PutObjectCommand } = await s3Sdk();
    const command = new PutObjectCommand({
      Bucket: location.bucket,
      Key: location.key,
      Body: body,
      ContentType: "application/json",
      ...("ifMatch" in condition ? { IfMatch: condition.ifMatch } : { IfNoneMatch: condition.ifNoneMatch }),
    });
    const { ETag: etag } = await this.call("PutObject", location, signal, async () => (await this.client).send(command, { abortSignal: signal }));
    // Without an ETag the next conditional write has nothing to match: refuse rather than write blind.
    if (!etag) throw new Error(`S3 PutObject ${formatS3Location(location)}: the response carried no ETag`);
    return etag;
  }

  /**
   * Deletes the object only while its ETag is still `ifMatch`. AWS supports If-Match on DeleteObject in
   * general purpose buckets (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html):
   * 204 when it matches, 412 when the object changed, 404 when it is gone.
   */
  async delete(location: S3Location, ifMatch: string, signal?: AbortSignal): Promise<void> {
    const { DeleteObjectCommand } = await s3Sdk();
    const command = new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key, IfMatch: ifMatch });
    await this.call("DeleteObject", location, signal, async () => (await this.client).send(command, { abortSignal: signal }));
  }

  close(): void {
    if (this.ownsClient) void this.client.then((client) => client.destroy(), () => undefined);
  }

  private async call<T>(operation: string, location: S3Location, signal: AbortSignal | undefined, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      // An abort is the caller's own doing: hand it back as it is, not as an S3 failure.
      if (signal?.aborted) throw error;
      throw new S3CallError(operation, formatS3Location(location), classifyS3Error(error));
    }
  }
}

/** True when `error` is an S3CallError of one of `kinds`. */
export function isS3Error(error: unknown, ...kinds: S3ErrorKind[]): error is S3CallError {
  return error instanceof S3CallError && kinds.includes(error.detail.kind);
}
