// SigV4 for execute-api with the SDK's own signer (@smithy/signature-v4, the one every SDK client uses),
// never a hand-written one. Credentials come from the default chain (environment, profile, SSO, container,
// instance metadata), resolved once per run. The signed headers are exactly the ones sent: host (from the
// URL, as fetch sends it), x-amz-date, x-amz-security-token (temporary credentials) and the request's own.
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";

export const SIGNING_SERVICE = "execute-api";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface OutgoingRequest {
  method: string;
  url: string;
  /** Lower-case names; every one is signed. */
  headers: Record<string, string>;
  body?: Uint8Array;
}

export interface Signer {
  /** The headers to send: the request's, plus x-amz-date, authorization (and the session token). Never logged. */
  sign(request: OutgoingRequest, at?: Date): Promise<Record<string, string>>;
  /** Strings that must never be printed (secret key, session token). */
  readonly secrets: readonly string[];
}

/** The default credential chain's credentials (with --profile, that profile's). */
export async function defaultCredentials(profile?: string): Promise<Credentials> {
  const provider = fromNodeProviderChain(profile ? { profile } : {});
  const identity = await provider();
  return { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey, ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}) };
}

export function createSigner(credentials: Credentials, region: string): Signer {
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region,
    credentials,
    sha256: Sha256,
    // No x-amz-content-sha256 header: the payload hash is still part of the signature (the canonical
    // request's last line), but the receiver computes it from the bytes it got rather than trusting a header.
    applyChecksum: false,
  });
  return {
    secrets: [credentials.secretAccessKey, ...(credentials.sessionToken ? [credentials.sessionToken] : [])],
    async sign(request, at) {
      const signed = await signer.sign(httpRequestOf(request), at ? { signingDate: at } : {});
      return { ...(signed.headers as Record<string, string>) };
    },
  };
}

/** The SDK's HttpRequest of a request: the path as the URL encodes it, and the host header fetch will send. */
export function httpRequestOf(request: OutgoingRequest): HttpRequest {
  const url = new URL(request.url);
  return new HttpRequest({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    headers: { ...request.headers, host: url.host },
    ...(request.body ? { body: request.body } : {}),
  });
}
