// One gateway per (account, Region): a manifest may live in another Region (spec.region) or another
// account (spec.assumeRoleArn). Each gateway has its own clients and quota buckets — AWS's quotas are per
// account and Region — and lives as long as the process, like the default one.
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { TargetSpec } from "../model/types.ts";
import { createGateway, type AwsOptions, type CredentialsProvider, type Gateway } from "./gateway.ts";
import { API_GATEWAY_QUOTAS, CLOUDTRAIL_QUOTAS, IAM_QUOTAS, QuotaScheduler } from "./quotas.ts";

/** Refresh assumed-role credentials this long before they expire (the SDK's own clients use 5 min too). */
const REFRESH_BEFORE_MS = 5 * 60_000;
const SESSION_NAME = "apigw-reconciler";

export function targetKey(target: TargetSpec | undefined): string {
  return `${target?.assumeRoleArn ?? ""}|${target?.region ?? ""}`;
}

/** The account a role ARN belongs to ("" for the run's own credentials, whose account is not known here). */
export function accountOfRole(roleArn: string | undefined): string {
  return roleArn?.split(":")[4] ?? "";
}

export class Gateways {
  private readonly pool = new Map<string, Gateway>();
  /** Per account and Region: AWS's quotas are, whichever role a call comes through. */
  private readonly schedulers = new Map<string, QuotaScheduler>();
  private readonly credentials = new Map<string, CredentialsProvider>();

  /** `base`: the run's own account and Region (flags and environment). */
  constructor(
    private readonly base: AwsOptions,
    /** The default target's gateway, when the caller already made one. */
    defaultGateway?: Gateway,
  ) {
    if (defaultGateway) {
      this.pool.set(targetKey(undefined), defaultGateway);
      this.schedulers.set(`|${base.region ?? ""}`, defaultGateway.scheduler);
    }
  }

  for(target: TargetSpec | undefined): Gateway {
    const key = targetKey(target);
    let gateway = this.pool.get(key);
    if (!gateway) {
      const region = target?.region ?? this.base.region;
      const roleArn = target?.assumeRoleArn;
      const scheduler = this.schedulerOf(`${accountOfRole(roleArn)}|${region ?? ""}`);
      gateway = createGateway({ ...this.base, ...(region ? { region } : {}), ...(roleArn ? { credentials: this.assumed(roleArn) } : {}), scheduler });
      this.pool.set(key, gateway);
    }
    return gateway;
  }

  private schedulerOf(key: string): QuotaScheduler {
    let scheduler = this.schedulers.get(key);
    if (!scheduler) {
      scheduler = new QuotaScheduler(this.base.quotas ?? { apigateway: API_GATEWAY_QUOTAS, iam: IAM_QUOTAS, cloudtrail: CLOUDTRAIL_QUOTAS });
      this.schedulers.set(key, scheduler);
    }
    return scheduler;
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
  let refreshing: ReturnType<CredentialsProvider> | undefined;
  return async () => {
    const held = current ? await current.catch(() => undefined) : undefined;
    if (held && (!held.expiration || held.expiration.getTime() - now() > REFRESH_BEFORE_MS)) return held;
    // Callers that find the session expiring at the same moment share one AssumeRole.
    if (!refreshing) {
      refreshing = provider();
      current = refreshing;
      void refreshing.catch(() => undefined).finally(() => (refreshing = undefined));
    }
    return refreshing;
  };
}
