// Every AWS error is classified here, once: not found, retryable, or terminal.

export type ErrorClass = "not-found" | "retryable" | "terminal";

export interface ClassifiedError {
  class: ErrorClass;
  name: string;
  message: string;
  status?: number;
  /** Seconds AWS asked us to wait (TooManyRequestsException.retryAfterSeconds). */
  retryAfterSeconds?: number;
  /** The write may have taken effect although its answer was lost (dropped connection, 5xx). */
  outcomeUnknown: boolean;
}

const NOT_FOUND = new Set(["NotFoundException", "NoSuchEntity", "NoSuchEntityException", "ResourceNotFoundException"]);
/** Error names by which AWS says "slow down" (API Gateway 429, IAM/STS 400 Throttling, S3 503 SlowDown). */
export const THROTTLED: ReadonlySet<string> = new Set(["TooManyRequestsException", "Throttling", "ThrottlingException", "RequestLimitExceeded", "SlowDown"]);
const SERVER = new Set(["ServiceUnavailableException", "ServiceUnavailable", "InternalFailure", "InternalServerError", "ServiceFailure", "ServiceFailureException"]);
const NETWORK = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "TimeoutError", "RequestTimeout", "RequestTimeoutException"]);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  retryAfterSeconds?: string | number;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

export function classifyError(error: unknown): ClassifiedError {
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as AwsLikeError;
  const name = e.name ?? e.code ?? "Error";
  const message = e.message ?? String(error);
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const base = { name, message, status, outcomeUnknown: false };

  if (NOT_FOUND.has(name) || (status === 404 && !THROTTLED.has(name))) return { ...base, class: "not-found" };
  if (THROTTLED.has(name)) {
    const retryAfter = Number(e.retryAfterSeconds);
    return { ...base, class: "retryable", ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}) };
  }
  // LimitExceededException is also a 429, but usually a hard quota (300 resources per API): retrying
  // forever never helps.
  if (name === "LimitExceededException") return { ...base, class: "terminal" };
  if (name === "ConflictException" && /concurrent modification/i.test(message)) return { ...base, class: "retryable" };
  // IAM: "submit your request again".
  if (name === "ConcurrentModification" || name === "ConcurrentModificationException") return { ...base, class: "retryable" };
  if (NETWORK.has(name) || NETWORK.has(e.code ?? "") || /socket hang up|ECONNRESET|EPIPE|connection/i.test(message) && status === undefined) {
    return { ...base, class: "retryable", outcomeUnknown: true };
  }
  if (SERVER.has(name) || (status !== undefined && status >= 500)) return { ...base, class: "retryable", outcomeUnknown: true };
  return { ...base, class: "terminal" };
}

/** IAM eventual consistency: a role created seconds ago is not yet usable by API Gateway. */
export function isRoleNotYetUsable(error: ClassifiedError): boolean {
  return error.class === "terminal" && error.name === "BadRequestException" && /role|assume|credentials/i.test(error.message) && /invalid|not|unable/i.test(error.message);
}

/** Access denied, with the missing permission named when AWS says it. */
export function describeAccessDenied(error: ClassifiedError): string | undefined {
  if (!/AccessDenied|UnauthorizedOperation|not authorized/i.test(`${error.name} ${error.message}`)) return undefined;
  const action = /perform: ([\w:*-]+)/.exec(error.message)?.[1];
  return action ? `access denied: the caller lacks ${action}` : `access denied: ${error.message}`;
}

export class AwsCallError extends Error {
  constructor(
    readonly operation: string,
    readonly detail: ClassifiedError,
  ) {
    super(`${operation}: ${describeAccessDenied(detail) ?? `${detail.name}: ${detail.message}`}`);
    this.name = "AwsCallError";
  }
}
