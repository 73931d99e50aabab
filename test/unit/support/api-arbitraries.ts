// Random RestApi manifest specs, valid by construction (fast-check), shared by the property tests of the
// pipeline (properties.test.ts) and of export (export.test.ts). What differs between them — the role
// references, placeholders and free text export must carry — is an option.
import fc from "fast-check";

export type Spec = Record<string, unknown>;

export const subsetOf = <T>(values: readonly T[]) => fc.subarray([...values]);
export const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** A record with a random subset of the given keys, each with a value from its arbitrary. */
export const someOf = <T>(entries: Record<string, fc.Arbitrary<T>>) =>
  fc.record(Object.fromEntries(Object.entries(entries).map(([k, arb]) => [k, maybe(arb)]))).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Record<string, T>);
export const dropUndefined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

export interface ApiArbitraryOptions {
  /** What an integration's `credentials` may be (ARNs, role references). */
  credentials: readonly unknown[];
  /** The two URIs of AWS integrations; `credentialsRequired`: the first one needs credentials (S3). */
  awsUris: readonly [string, string];
  credentialsRequired?: boolean;
  /** Integration response templates to draw from. */
  responseTemplates: readonly string[];
  stageDescription: fc.Arbitrary<string>;
  stageVariables: Record<string, fc.Arbitrary<string>>;
  stageTags: Record<string, fc.Arbitrary<string>>;
}

/** Resource policies an API may hold (with the ARNs AWS stores). */
export const RESOURCE_POLICIES = [
  { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:us-east-1:123456789012:*/*" }] },
  {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: ["arn:aws:iam::123456789012:root"] }, Action: ["execute-api:Invoke"], Resource: ["arn:aws:execute-api:us-east-1:123456789012:*/*"] },
      { Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:us-east-1:123456789012:*/*/DELETE/*" },
    ],
  },
];

export const HEADERS = ["method.response.header.A", "method.response.header.B"] as const;
export const METHOD_PARAMS = ["method.request.header.X-A", "method.request.querystring.q"] as const;

const methodResponsesArb = fc
  .subarray(["200", "400", "500"])
  .chain((codes) =>
    fc.tuple(
      ...codes.map((code) =>
        fc.record({ code: fc.constant(code), responseParameters: someOf({ [HEADERS[0]]: fc.boolean(), [HEADERS[1]]: fc.boolean() }), responseModels: someOf({ "application/json": fc.constantFrom("Empty", "Error") }) }),
      ),
    ),
  );

function integrationResponsesArb(responses: { code: string; responseParameters: Record<string, boolean> }[], options: ApiArbitraryOptions) {
  return fc.subarray(responses).chain((chosen) =>
    fc.tuple(
      ...chosen.map((r) =>
        fc.record({
          code: fc.constant(r.code),
          selectionPattern: r.code === "200" ? maybe(fc.constant("2\\d{2}")) : fc.constantFrom("4\\d{2}", "5\\d{2}", "400|404"),
          responseParameters: someOf(Object.fromEntries(Object.keys(r.responseParameters).map((h) => [h, fc.constantFrom("integration.response.header.Date", "'literal'")]))),
          responseTemplates: someOf({ "application/json": fc.constantFrom(...options.responseTemplates) }),
          contentHandling: maybe(fc.constantFrom("CONVERT_TO_BINARY", "CONVERT_TO_TEXT")),
        }),
      ),
    ),
  );
}

function integrationArb(responses: { code: string; responseParameters: Record<string, boolean> }[], options: ApiArbitraryOptions): fc.Arbitrary<Spec> {
  return fc
    .record({
      type: fc.constantFrom("AWS", "HTTP", "MOCK"),
      target: fc.constantFrom(0, 1),
      httpMethod: fc.constantFrom("GET", "POST"),
      credentials: maybe(fc.constantFrom(...options.credentials)),
      requestParameters: someOf({ "integration.request.header.x-a": fc.constantFrom("'v1'", "'v2'", "context.requestId"), "integration.request.querystring.p": fc.constant("'p'") }),
      requestTemplates: someOf({ "application/json": fc.constantFrom('{"a": 1}', "$input.json('$')"), "text/plain": fc.constant("t") }),
      passthroughBehavior: maybe(fc.constantFrom("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER")),
      contentHandling: maybe(fc.constantFrom("CONVERT_TO_BINARY", "CONVERT_TO_TEXT")),
      timeoutInMillis: maybe(fc.constantFrom(50, 1000, 29000)),
      cacheKeyParameters: subsetOf(METHOD_PARAMS),
      responses: integrationResponsesArb(responses, options),
    })
    .map(({ type, target, httpMethod, credentials, responses: rs, ...rest }) => ({
      type,
      ...(type === "AWS" ? { uri: options.awsUris[target], httpMethod, ...awsCredentials(credentials, target, options) } : {}),
      ...(type === "HTTP" ? { uri: ["https://example.com/a", "https://example.com/b"][target], httpMethod } : {}),
      ...dropUndefined(rest),
      responses: Object.fromEntries(rs.map(({ code, ...r }) => [code, dropUndefined(r)])),
    }));
}

function awsCredentials(credentials: unknown, target: number, options: ApiArbitraryOptions): { credentials?: unknown } {
  if (credentials !== undefined) return { credentials };
  return options.credentialsRequired && target === 0 ? { credentials: options.credentials[0] } : {};
}

function methodArb(options: ApiArbitraryOptions): fc.Arbitrary<Spec> {
  return methodResponsesArb.chain((responses) =>
    fc
      .record({
        authorizationType: maybe(fc.constantFrom("NONE", "AWS_IAM")),
        apiKeyRequired: maybe(fc.boolean()),
        operationName: maybe(fc.constantFrom("opA", "opB")),
        requestParameters: someOf({ [METHOD_PARAMS[0]]: fc.boolean(), [METHOD_PARAMS[1]]: fc.boolean() }),
        integration: integrationArb(responses, options),
      })
      .map((m) => ({ ...dropUndefined(m), responses: Object.fromEntries(responses.map(({ code, ...r }) => [code, r])) })),
  );
}

/** Resource paths from a small pool, so that two random APIs share, rename and drop resources. */
export function resourcesArb(options: ApiArbitraryOptions) {
  const method = methodArb(options);
  return fc
    .record({ v1: fc.constantFrom("{folder}", "{bucket}"), v2: fc.constantFrom("{id}", "{key}"), v3: fc.constantFrom("{item}", "{object}") })
    .chain(({ v1, v2, v3 }) => fc.subarray(["/", "/a", "/b", `/${v1}`, "/a/c", `/a/${v2}`, `/${v1}/x`, `/${v1}/${v3}`]))
    .chain((paths) => fc.tuple(...paths.map((path) => fc.tuple(fc.constant(path), someOf({ GET: method, PUT: method, DELETE: method, POST: method })))));
}

export const settingArb = someOf<unknown>({
  loggingLevel: fc.constantFrom("OFF", "ERROR", "INFO"),
  metricsEnabled: fc.boolean(),
  throttlingRateLimit: fc.constantFrom(100, 50.5, 10000),
  throttlingBurstLimit: fc.constantFrom(200, 5000),
  cachingEnabled: fc.boolean(),
  cacheTtlInSeconds: fc.constantFrom(60, 300),
});

export function stageArb(options: ApiArbitraryOptions) {
  return fc.record({
    description: maybe(options.stageDescription),
    variables: someOf(options.stageVariables),
    tracingEnabled: maybe(fc.boolean()),
    all: maybe(settingArb),
    one: maybe(fc.tuple(fc.nat(), settingArb)),
    tags: someOf(options.stageTags),
  });
}

type DrawnStage = { all?: unknown; one?: [number, unknown] } & Record<string, unknown>;

/** A drawn API spec as a manifest writes it: methods under `methods`, method settings keyed by drawn methods. */
export function assembleApiSpec({ resources, stages, ...rest }: { resources: [string, Record<string, Spec>][]; stages: Record<string, DrawnStage> } & Record<string, unknown>): Spec {
  const methods = resources.flatMap(([path, ms]) => Object.keys(ms).map((verb) => `${path === "/" ? "" : path}/${verb}`));
  const stageSpecs = Object.fromEntries(
    Object.entries(stages).map(([name, { all, one, ...stage }]) => {
      const methodSettings: Record<string, unknown> = {};
      if (all) methodSettings["*/*"] = all;
      if (one && methods.length > 0) methodSettings[methods[one[0] % methods.length] ?? "*/*"] = one[1];
      return [name, { ...dropUndefined(stage), methodSettings }];
    }),
  );
  return {
    ...dropUndefined(rest),
    resources: Object.fromEntries(resources.map(([path, ms]) => [path, { methods: ms }])),
    // API Gateway refuses to deploy an API without methods: such an API has no stages.
    ...(methods.length > 0 ? { stages: stageSpecs } : {}),
  };
}
