// The shape every stage shares: `load` produces it from manifests (Desired), `observe` produces it from AWS
// (Live). Defaults are filled on both sides, so equal configurations are equal objects.
import type { PolicyDocument } from "./policy-document.ts";

export type { PolicyDocument };

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "HEAD" | "OPTIONS" | "PATCH" | "ANY";
export type ReconcileMode = "heal" | "observe";

/** Where a desired object came from, for messages and reports. */
export interface SourceRef {
  file: string;
  line: number;
}

export interface ReconcileOptions {
  adopt: boolean;
  /** undefined: follow the run's --mode. */
  reconcile?: ReconcileMode;
  ignore: string[];
  /** Where the object lives when not in the run's default account and Region. */
  target?: TargetSpec;
}

/** An account (through a role to assume) and a Region; absent parts are the run's defaults. */
export interface TargetSpec {
  region?: string;
  assumeRoleArn?: string;
}

export interface IntegrationResponseModel {
  selectionPattern?: string;
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
  contentHandling?: string;
}

export interface IntegrationModel {
  type: string;
  httpMethod?: string;
  uri?: string;
  credentials?: string;
  requestParameters: Record<string, string>;
  requestTemplates: Record<string, string>;
  passthroughBehavior: string;
  contentHandling?: string;
  timeoutInMillis: number;
  cacheKeyParameters: string[];
  responses: Record<string, IntegrationResponseModel>;
}

export interface MethodResponseModel {
  responseParameters: Record<string, boolean>;
  responseModels: Record<string, string>;
}

export interface MethodModel {
  authorizationType: string;
  apiKeyRequired: boolean;
  operationName?: string;
  requestParameters: Record<string, boolean>;
  integration?: IntegrationModel;
  responses: Record<string, MethodResponseModel>;
}

export interface ResourceModel {
  path: string;
  methods: Partial<Record<HttpMethod, MethodModel>>;
}

export interface MethodSettingModel {
  loggingLevel?: string;
  dataTraceEnabled?: boolean;
  metricsEnabled?: boolean;
  throttlingBurstLimit?: number;
  throttlingRateLimit?: number;
  cachingEnabled?: boolean;
  cacheTtlInSeconds?: number;
  cacheDataEncrypted?: boolean;
  requireAuthorizationForCacheControl?: boolean;
  unauthorizedCacheControlHeaderStrategy?: string;
}

export interface StageModel {
  name: string;
  description?: string;
  variables: Record<string, string>;
  tracingEnabled: boolean;
  methodSettings: Record<string, MethodSettingModel>;
  tags: Record<string, string>;
}

export interface RestApiModel {
  /** metadata.name: the identity, stored in the ownership tag. */
  key: string;
  name: string;
  description?: string;
  endpointType: string;
  binaryMediaTypes: string[];
  minimumCompressionSize?: number;
  apiKeySource: string;
  disableExecuteApiEndpoint: boolean;
  tags: Record<string, string>;
  policy?: PolicyDocument;
  /** By path; every ancestor of a declared path is present ("/" always). */
  resources: Record<string, ResourceModel>;
  stages: Record<string, StageModel>;
}

export interface IamRoleModel {
  key: string;
  roleName: string;
  path: string;
  description?: string;
  assumeRolePolicy: PolicyDocument;
  inlinePolicies: Record<string, PolicyDocument>;
  managedPolicyArns: string[];
  maxSessionDuration: number;
  permissionsBoundary?: string;
  tags: Record<string, string>;
}

/** What every desired model has: the manifest's metadata.name, its identity (stored in the ownership tag). */
export interface ObjectModel {
  key: string;
}

/** One manifest object as loaded: its kind, its model (defaults filled), options, labels and where it came from. */
export interface DesiredObject<K extends string = string, M extends ObjectModel = ObjectModel> {
  kind: K;
  model: M;
  options: ReconcileOptions;
  labels: Record<string, string>;
  source: SourceRef;
  /** Set when a composite document (an S3Proxy) wrote this object: reports name it beside the object. */
  origin?: Origin;
}

/** The composite manifest document an object was expanded from: its kind and metadata.name. */
export interface Origin {
  kind: string;
  name: string;
}

export type DesiredRestApi = DesiredObject<"RestApi", RestApiModel>;
export type DesiredIamRole = DesiredObject<"IamRole", IamRoleModel>;

/** The desired state: every selected manifest object, in load order. Kinds pick theirs by `kind`. */
export interface DesiredState {
  objects: DesiredObject[];
}

/** The objects of one kind, typed: `objectsOf<DesiredRestApi>(desired, "RestApi")`. */
export function objectsOf<T extends DesiredObject>(desired: DesiredState, kind: T["kind"]): T[] {
  return desired.objects.filter((object): object is T => object.kind === kind);
}
