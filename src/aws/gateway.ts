// The AWS boundary: one `send` for every call. It paces calls through the quota scheduler, records
// them, and classifies failures. Each attempt is one `send`, paced and counted; `read` retries reads
// (writes are retried by apply, which knows how to recover after a lost answer).
import type * as APIGW from "@aws-sdk/client-api-gateway";
import type * as CloudTrail from "@aws-sdk/client-cloudtrail";
import type * as IAM from "@aws-sdk/client-iam";
import type * as STS from "@aws-sdk/client-sts";
import type { Service } from "../model/changes.ts";
import type { CallInput, CallName, CallOutput, PlannedCall } from "./calls.ts";
import { AwsCallError, classifyError } from "./errors.ts";
import { API_GATEWAY_QUOTAS, CLOUDTRAIL_QUOTAS, IAM_QUOTAS, PassAbortedError, QuotaScheduler, quotaKey, type Quota } from "./quotas.ts";
import { CallRecorder } from "./recorder.ts";
import { DEFAULT_RETRY, withRetries } from "./retry.ts";

export interface AwsOptions {
  region?: string;
  endpoint?: string;
  profile?: string;
  /** Credentials other than the default chain's (an assumed role's). */
  credentials?: CredentialsProvider;
  /** Quota buckets shared with other gateways of the same account and Region (two roles into one account). */
  scheduler?: QuotaScheduler;
  quotas?: Record<string, Record<string, Quota>>;
}

type Client = APIGW.APIGatewayClient | IAM.IAMClient | CloudTrail.CloudTrailClient | STS.STSClient;

/** What the SDK's clients accept as `credentials` provider: temporary credentials with their expiry. */
export type CredentialsProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;
type CommandCtor = new (input: unknown) => unknown;

export interface Gateway {
  /** One call, its input and answer typed from the SDK's command. */
  send<S extends Service, C extends CallName<S>>(service: S, operation: C, input: CallInput<S, C>): Promise<CallOutput<S, C>>;
  /**
   * A planned operation's call (its input was checked against the SDK's types where the plan wrote it, see
   * sdkCall; its references are resolved now). `priority`: lower goes first when calls queue for the
   * quota (apply passes each API's start order).
   */
  sendPlanned(call: PlannedCall, priority?: number): Promise<Record<string, unknown>>;
  /** A read, retried on throttling, 5xx and dropped connections; not-found and terminal errors are thrown. */
  read<S extends Service, C extends CallName<S>>(service: S, operation: C, input: CallInput<S, C>): Promise<CallOutput<S, C>>;
  region(): Promise<string>;
  accountIdFromSts(): Promise<string>;
  readonly recorder: CallRecorder;
  readonly scheduler: QuotaScheduler;
  /**
   * A gateway for one pass: the same clients and quota buckets, a fresh call recorder, and a stop signal
   * after which no new call is sent (calls already sent finish).
   */
  forPass(signal?: AbortSignal): Gateway;
  /** Closes the shared clients (every pass gateway made from this one with them). */
  destroy(): void;
}

export function createGateway(options: AwsOptions = {}): Gateway {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const common = {
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // One attempt per send: retries are ours, paced by the scheduler and visible in the call counts.
    maxAttempts: 1,
    // A call that hangs would hold its pass (and a stop) forever: it fails as a timeout and is retried.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  };
  const shared: Shared = {
    clients: lazyClients(common),
    scheduler: options.scheduler ?? new QuotaScheduler(options.quotas ?? { apigateway: API_GATEWAY_QUOTAS, iam: IAM_QUOTAS, cloudtrail: CLOUDTRAIL_QUOTAS }),
  };
  return passGateway(shared, undefined);
}

/** A service's SDK package (its commands) and the one client of it this gateway made. */
interface ServiceClient {
  module: Record<string, unknown>;
  client: Client;
}

/**
 * Each SDK package is loaded at its service's first call, its client made then: a pass that never calls
 * CloudTrail (no --changes-from) or STS does not load them (each package is megabytes of code in memory).
 */
const PACKAGES: Record<Service | "sts", (config: object) => Promise<ServiceClient>> = {
  apigateway: loader(() => import("@aws-sdk/client-api-gateway"), (sdk, config) => new sdk.APIGatewayClient(config)),
  iam: loader(() => import("@aws-sdk/client-iam"), (sdk, config) => new sdk.IAMClient(config)),
  cloudtrail: loader(() => import("@aws-sdk/client-cloudtrail"), (sdk, config) => new sdk.CloudTrailClient(config)),
  sts: loader(() => import("@aws-sdk/client-sts"), (sdk, config) => new sdk.STSClient(config)),
};

/** Loads a package, then makes its client. */
function loader<M extends object>(load: () => Promise<M>, make: (sdk: M, config: object) => Client): (config: object) => Promise<ServiceClient> {
  return async (config) => {
    const sdk = await load();
    return { module: sdk as unknown as Record<string, unknown>, client: make(sdk, config) };
  };
}

interface LazyClients {
  get(service: Service | "sts"): Promise<ServiceClient>;
  destroy(): void;
}

function lazyClients(config: object): LazyClients {
  const made = new Map<Service | "sts", Promise<ServiceClient>>();
  return {
    get(service) {
      let client = made.get(service);
      if (!client) made.set(service, (client = PACKAGES[service](config)));
      return client;
    },
    destroy() {
      for (const client of made.values()) void client.then(({ client: c }) => c.destroy(), () => undefined);
    },
  };
}

interface Shared {
  clients: LazyClients;
  /** Lives as long as the process: a loop must not start each pass with a burst AWS has not refilled. */
  scheduler: QuotaScheduler;
}

/** A gateway over the shared clients and quota buckets with its own call recorder and stop signal. */
function passGateway(shared: Shared, signal: AbortSignal | undefined): Gateway {
  const recorder = new CallRecorder();
  const { clients, scheduler } = shared;
  /** Every call: paced by the quota scheduler, recorded, its failure classified. */
  const sendCall = async (service: Service, operation: string, input: Record<string, unknown>, priority: number): Promise<Record<string, unknown>> => {
    const { module, client } = await clients.get(service);
    const Command = module[`${operation}Command`] as CommandCtor | undefined;
    if (!Command) throw new Error(`unknown ${service} operation ${operation}`);
    await scheduler.acquire(service, quotaKey(operation, input), priority, signal);
    // A call that got its token is sent even when the stop arrives now: it is "in flight".
    recorder.record(operation);
    try {
      return (await (client as { send(command: unknown): Promise<unknown> }).send(new Command(input))) as Record<string, unknown>;
    } catch (error) {
      const detail = classifyError(error);
      recorder.recordError(detail.name, operation);
      if (detail.class === "retryable" && detail.status === 429) scheduler.penalize(service, quotaKey(operation, input));
      throw new AwsCallError(operation, detail);
    }
  };
  const gateway: Gateway = {
    recorder,
    scheduler,
    forPass: (passSignal) => passGateway(shared, passSignal),
    read(service, operation, input) {
      return withRetries(() => gateway.send(service, operation, input), READ_RETRY, signal ? { signal } : {});
    },
    async send(service, operation, input) {
      return (await sendCall(service, operation, input, 0)) as never;
    },
    sendPlanned(call, priority = 0) {
      return sendCall(call.service, call.call, call.input, priority);
    },
    async region() {
      return ((await clients.get("apigateway")).client as APIGW.APIGatewayClient).config.region();
    },
    async accountIdFromSts() {
      const identity = await withRetries(async () => {
        if (signal?.aborted) throw new PassAbortedError();
        const { module, client } = await clients.get("sts");
        recorder.record("GetCallerIdentity");
        try {
          const { GetCallerIdentityCommand } = module as unknown as typeof STS;
          return await (client as STS.STSClient).send(new GetCallerIdentityCommand({}));
        } catch (error) {
          throw new AwsCallError("GetCallerIdentity", classifyError(error));
        }
      }, READ_RETRY, signal ? { signal } : {});
      if (!identity.Account) throw new Error("STS GetCallerIdentity returned no account");
      return identity.Account;
    },
    destroy() {
      clients.destroy();
    },
  };
  return gateway;
}

const READ_RETRY = { ...DEFAULT_RETRY, maxRetryTimeMs: 60_000 };
