// One gateway per (account, Region): a manifest may live in another Region (spec.region) or another
// account (spec.assumeRoleArn). Each gateway has its own clients and quota buckets — AWS's quotas are per
// account and Region — and lives as long as the process, like the default one.
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { TargetSpec } from "../model/types.ts";
import { createGateway, type AwsOptions, type CredentialsProvider, type Gateway } from "./gateway.ts";

/** Refresh assumed-role credentials this long before they expire (the SDK's own clients use 5 min too). */
const REFRESH_BEFORE_MS = 5 * 60_000;
const SESSION_NAME = "apigw-reconciler";

export function targetKey(target: TargetSpec | undefined): string {
  return `${target?.assumeRoleArn ?? ""}|${target?.region ?? ""}`;
}

export class Gateways {
  private readonly pool = new Map<string, Gateway>();
  private readonly credentials = new Map<string, CredentialsProvider>();

  /** `base`: the run's own account and Region (flags and environment). */
  constructor(
    private readonly base: AwsOptions,
    /** The default target's gateway, when the caller already made one. */
    defaultGateway?: Gateway,
  ) {
    if (defaultGateway) this.pool.set(targetKey(undefined), defaultGateway);
  }

  for(target: TargetSpec | undefined): Gateway {
    const key = targetKey(target);
    let gateway = this.pool.get(key);
    if (!gateway) {
      const region = target?.region ?? this.base.region;
      const roleArn = target?.assumeRoleArn;
      gateway = createGateway({ ...this.base, ...(region ? { region } : {}), ...(roleArn ? { credentials: this.assumed(roleArn) } : {}) });
      this.pool.set(key, gateway);
    }
    return gateway;
  }

  destroy(): void {
    for (const gateway of this.pool.values()) gateway.destroy();
    this.pool.clear();
  }

  /** One AssumeRole session per role, shared by every client and Region, renewed before it expires. */
  private assumed(roleArn: string): CredentialsProvider {
    let provider = this.credentials.get(roleArn);
    if (!provider) {
      const endpoint = this.base.endpoint ?? process.env.AWS_ENDPOINT_URL;
      const region = this.base.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      provider = cached(
        fromTemporaryCredentials({
          params: { RoleArn: roleArn, RoleSessionName: SESSION_NAME },
          clientConfig: { ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}), ...(this.base.profile ? { profile: this.base.profile } : {}) },
        }),
      );
      this.credentials.set(roleArn, provider);
    }
    return provider;
  }
}

/** Calls `provider` once per session: again only when the credentials are about to expire (or it failed). */
export function cached(provider: CredentialsProvider, now: () => number = Date.now): CredentialsProvider {
  let current: ReturnType<CredentialsProvider> | undefined;
  return async () => {
    const held = current ? await current.catch(() => undefined) : undefined;
    if (held && (!held.expiration || held.expiration.getTime() - now() > REFRESH_BEFORE_MS)) return held;
    current = provider();
    return current;
  };
}
