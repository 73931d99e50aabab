// Pure helpers of `npm run bench`: the quota-bound and dependency-chain minimums, manifest generators
// (fleet, synthetic 300 × 5 API, and the planning case built from it) and table formatting. No I/O here
// but what the generators return.
import { parseDocument, stringify } from "yaml";
import { API_GATEWAY_QUOTAS, type Quota } from "../src/aws/quotas.ts";
import type { Observed } from "../src/engine/observe.ts";
import { buildPlan, type PlanOptions } from "../src/engine/plan.ts";
import { roleSpecHash } from "../src/kinds/iam-role/diff.ts";
import { groupKey, type ObservedObject } from "../src/kinds/kind.ts";
import { parseManifests } from "../src/manifest/load.ts";
import type { Operation, Plan } from "../src/model/changes.ts";
import { compactIntegerKeys } from "../src/model/own.ts";
import { TAG } from "../src/model/live.ts";
import { resolvePlaceholders, type Target } from "../src/model/placeholders.ts";
import { objectsOf, type DesiredIamRole, type DesiredRestApi, type DesiredState } from "../src/model/types.ts";

// ---------------------------------------------------------------------------------------------
// Quota-bound minimum
// ---------------------------------------------------------------------------------------------

/** AWS's own API Gateway quotas (aws-notes.md), no safety factor. IAM and STS: unlimited. */
export const AWS_QUOTAS: Record<string, Quota> = API_GATEWAY_QUOTAS;

const IAM_OR_STS = new Set([
  "GetCallerIdentity",
  "GetRole",
  "CreateRole",
  "DeleteRole",
  "UpdateRole",
  "UpdateAssumeRolePolicy",
  "TagRole",
  "UntagRole",
  "ListRoles",
  "ListRoleTags",
  "ListRolePolicies",
  "GetRolePolicy",
  "PutRolePolicy",
  "DeleteRolePolicy",
  "ListAttachedRolePolicies",
  "AttachRolePolicy",
  "DetachRolePolicy",
  "PutRolePermissionsBoundary",
  "DeleteRolePermissionsBoundary",
]);

/** Op name without its `service:` prefix; undefined service means "guess from the name". */
export function isApiGatewayCall(op: string): boolean {
  const i = op.indexOf(":");
  if (i >= 0) return op.slice(0, i) === "apigateway";
  return !IAM_OR_STS.has(op);
}

interface SimBucket {
  quota: Quota;
  tokens: number;
}

/**
 * Least time AWS's quotas allow for these calls: token buckets start full, zero latency, each call
 * issued as early as its buckets allow (the shared 10/s burst-40 bucket plus its own, if any); calls
 * are not held to the order they were issued in (dependencies are the chain bound's business), and a
 * call with its own slow bucket goes first whenever it can, so no slow bucket idles while it has work.
 * Returns the time the last call can be issued, in seconds (add one latency for its answer).
 */
export function quotaIssueSeconds(counts: Record<string, number>, quotas: Record<string, Quota> = AWS_QUOTAS): number {
  const global: SimBucket = { quota: quotas["*"] ?? { rate: 10, burst: 40 }, tokens: (quotas["*"] ?? { burst: 40 }).burst };
  const own = new Map<string, SimBucket>();
  const pending = new Map<string, number>();
  for (const [op, n] of Object.entries(counts)) {
    if (n <= 0 || !isApiGatewayCall(op)) continue;
    const name = op.slice(op.indexOf(":") + 1);
    pending.set(name, (pending.get(name) ?? 0) + n);
    const quota = quotas[name];
    if (quota && !own.has(name)) own.set(name, { quota, tokens: quota.burst });
  }
  const buckets = [global, ...own.values()];
  let t = 0;
  let last = 0;
  const EPS = 1e-9;
  const refill = (dt: number) => {
    for (const b of buckets) b.tokens = Math.min(b.quota.burst, b.tokens + dt * b.quota.rate);
  };
  const waitFor = (b: SimBucket) => (b.tokens >= 1 - EPS ? 0 : (1 - b.tokens) / b.quota.rate);
  for (;;) {
    // Issue everything possible now: slow buckets first (largest remaining backlog time first).
    for (;;) {
      const ready = [...pending.entries()].filter(([op, n]) => n > 0 && global.tokens >= 1 - EPS && (own.get(op)?.tokens ?? 1) >= 1 - EPS);
      if (ready.length === 0) break;
      const backlog = (op: string, n: number) => {
        const b = own.get(op);
        return b ? (n - b.tokens) / b.quota.rate : -1;
      };
      ready.sort(([a, na], [b, nb]) => backlog(b, nb) - backlog(a, na));
      const [op, n] = ready[0] as [string, number];
      pending.set(op, n - 1);
      global.tokens -= 1;
      const b = own.get(op);
      if (b) b.tokens -= 1;
      last = t;
    }
    const waiting = [...pending.entries()].filter(([, n]) => n > 0);
    if (waiting.length === 0) return last;
    const dt = Math.min(...waiting.map(([op]) => Math.max(waitFor(global), own.get(op) ? waitFor(own.get(op) as SimBucket) : 0)));
    refill(dt);
    t += dt;
  }
}

/** Each bucket alone: (calls − burst) / rate, for the explanation of what binds. */
export function bindingBucket(counts: Record<string, number>, quotas: Record<string, Quota> = AWS_QUOTAS): { bucket: string; seconds: number } {
  let total = 0;
  const per = new Map<string, number>();
  for (const [op, n] of Object.entries(counts)) {
    if (!isApiGatewayCall(op)) continue;
    total += n;
    const name = op.slice(op.indexOf(":") + 1);
    if (quotas[name]) per.set(name, (per.get(name) ?? 0) + n);
  }
  const star = quotas["*"] ?? { rate: 10, burst: 40 };
  let best = { bucket: "all API Gateway (10/s, burst 40)", seconds: Math.max(0, (total - star.burst) / star.rate) };
  for (const [name, n] of per) {
    const q = quotas[name] as Quota;
    const s = Math.max(0, (n - q.burst) / q.rate);
    if (s > best.seconds) best = { bucket: `${name} (${q.rate < 1 ? `1 per ${Math.round(1 / q.rate)} s` : `${q.rate}/s`}, burst ${q.burst})`, seconds: s };
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Dependency-chain minimum
// ---------------------------------------------------------------------------------------------

/**
 * Sequential round trips a pass cannot avoid. Observe: GetRestApis → GetResources ∥ GetStages (2 when an
 * owned API exists), in parallel with GetRole → ListRolePolicies ∥ ListAttachedRolePolicies →
 * GetRolePolicy (1–3); then GetCallerIdentity when the account was not learned (+1). Apply: the longest
 * path through the plan's `after` edges (role chain → PutIntegration, CreateRestApi → CreateResource →
 * … → CreateDeployment → UpdateStage → TagResource), plus one when a root GetResources was needed.
 */
export function chainSteps(counts: Record<string, number>, operations: readonly Operation[]): { observe: number; apply: number } {
  const c = (op: string) => counts[op] ?? 0;
  const apiDepth = c("GetRestApis") > 0 ? 1 + (c("GetStages") > 0 ? 1 : 0) : 0;
  const roleDepth = c("GetRole") > 0 ? 1 + (c("ListRolePolicies") + c("ListAttachedRolePolicies") > 0 ? 1 : 0) + (c("GetRolePolicy") > 0 ? 1 : 0) : 0;
  const observe = Math.max(apiDepth, roleDepth) + (c("GetCallerIdentity") > 0 ? 1 : 0);
  const byId = new Map(operations.map((op) => [op.id, op]));
  const memo = new Map<string, number>();
  const depth = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const op = byId.get(id);
    if (!op) return 0;
    memo.set(id, 1); // cycle guard (a well-formed plan has none)
    const d = 1 + Math.max(0, ...op.after.map(depth));
    memo.set(id, d);
    return d;
  };
  let apply = Math.max(0, ...operations.map((op) => depth(op.id)));
  const rootLookups = c("GetResources") - c("GetStages");
  if (rootLookups > 0 && operations.some((op) => op.call === "CreateRestApi")) apply += 1;
  return { observe, apply };
}

// ---------------------------------------------------------------------------------------------
// Manifest generators
// ---------------------------------------------------------------------------------------------

export const CHANGED_MAPPING = {
  path: ["spec", "resources", "/", "methods", "GET", "integration", "responses", "200", "responseParameters", "method.response.header.Timestamp"],
  before: "integration.response.header.Date",
  after: "integration.response.header.Last-Modified",
} as const;

/** The seed API document with a new identity and, optionally, the one-field change. */
export function renameApi(apiYaml: string, name: string | undefined, specName: string | undefined, changed: boolean): string {
  const doc = parseDocument(apiYaml);
  if (name !== undefined) doc.setIn(["metadata", "name"], name);
  if (specName !== undefined) doc.setIn(["spec", "name"], specName);
  if (changed) {
    const current: unknown = doc.getIn([...CHANGED_MAPPING.path]);
    if (current !== CHANGED_MAPPING.before) throw new Error(`seed manifest changed: ${CHANGED_MAPPING.path.join(".")} is ${String(current)}, expected ${CHANGED_MAPPING.before}`);
    doc.setIn([...CHANGED_MAPPING.path], CHANGED_MAPPING.after);
  }
  return doc.toString();
}

const VERBS = ["GET", "PUT", "POST", "DELETE", "HEAD"] as const;

export interface SyntheticOptions {
  /** 23 top-level resources × 12 children + root = 300 resources. */
  top: number;
  children: number;
  /** The "slightly different" live copy: other header mappings, missing and extra resources. */
  variant: boolean;
}

/** A RestApi (+ its IamRole) manifest of `1 + top + top × children` resources × 5 methods. */
export function syntheticManifest(options: SyntheticOptions): string {
  const resources: Record<string, unknown> = {};
  const paths: string[] = ["/"];
  for (let i = 0; i < options.top; i++) {
    const top = `/s${String(i).padStart(2, "0")}`;
    paths.push(top);
    for (let j = 0; j < options.children; j++) paths.push(`${top}/i${String(j).padStart(2, "0")}`);
  }
  let leaf = 0;
  paths.forEach((path, index) => {
    const isLeaf = path.split("/").length === 3;
    if (isLeaf) leaf++;
    // variant: every 25th leaf is missing (→ creates in the plan)
    if (options.variant && isLeaf && leaf % 25 === 0) return;
    const methods: Record<string, unknown> = {};
    VERBS.forEach((verb, v) => {
      const n = index * VERBS.length + v;
      const header = options.variant && n % 7 === 0 ? "integration.response.header.Date" : "integration.response.header.Content-Type";
      methods[verb] = {
        authorizationType: options.variant && n % 97 === 0 ? "NONE" : "AWS_IAM",
        integration: {
          type: "AWS",
          httpMethod: verb === "POST" ? "PUT" : verb,
          uri: `arn:aws:apigateway:\${AWS_REGION}:s3:path/bench-bucket${path === "/" ? "" : path}`,
          credentials: { roleRef: "bench-role" },
          passthroughBehavior: "WHEN_NO_MATCH",
          responses: {
            "200": { responseParameters: { "method.response.header.Content-Type": header } },
            "400": { selectionPattern: "4\\d{2}" },
            "500": { selectionPattern: "5\\d{2}" },
          },
        },
        responses: {
          "200": { responseParameters: { "method.response.header.Content-Type": false }, responseModels: { "application/json": "Empty" } },
          "400": {},
          "500": {},
        },
      };
    });
    resources[path] = { methods };
  });
  if (options.variant) {
    // extra live resources (→ deletes in the plan)
    for (let k = 0; k < 3; k++) resources[`/extra${k}`] = { methods: { GET: { authorizationType: "NONE", integration: { type: "MOCK" } } } };
  }
  const api = {
    apiVersion: "apigw-reconciler/v1",
    kind: "RestApi",
    metadata: { name: "bench-synthetic" },
    spec: {
      name: "BenchSynthetic",
      endpointType: "REGIONAL",
      resources,
      stages: { prod: { methodSettings: { "*/*": { metricsEnabled: true } } } },
    },
  };
  const role = {
    apiVersion: "apigw-reconciler/v1",
    kind: "IamRole",
    metadata: { name: "bench-role" },
    spec: {
      roleName: "benchRole",
      assumeRolePolicy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
      },
      managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    },
  };
  return `${stringify(api)}---\n${stringify(role)}`;
}

/** The inputs of the planning benchmark: the synthetic API desired, and observed absent or as its variant. */
export interface SyntheticPlanningCase {
  desired: DesiredState;
  /** Nothing live but the role: the plan creates the whole API. */
  absent: Observed;
  /** The variant live (other mappings, missing and extra resources), deployed from an older spec. */
  different: Observed;
  resources: number;
  methods: number;
  /** Time to parse the desired manifest, in ms. */
  parseMs: number;
}

/** Builds the 300 × 5 planning case of `npm run bench` (and scripts/bench-plan.ts); `owner` tags the live objects. */
export function syntheticPlanningCase(owner: string): SyntheticPlanningCase {
  const target: Target = { region: "us-east-1", accountId: "123456789012", partition: "aws" };
  const t0 = performance.now();
  const desiredRaw = parseManifests([{ file: "synthetic.yaml", text: syntheticManifest({ top: 23, children: 12, variant: false }) }]).desired;
  const parseMs = performance.now() - t0;
  const liveRaw = parseManifests([{ file: "synthetic-live.yaml", text: syntheticManifest({ top: 23, children: 12, variant: true }) }]).desired;
  const desired: DesiredState = resolvePlaceholders(desiredRaw, target);
  const [liveApi] = objectsOf<DesiredRestApi>(resolvePlaceholders(liveRaw, target), "RestApi");
  const [api] = objectsOf<DesiredRestApi>(desired, "RestApi");
  const [role] = objectsOf<DesiredIamRole>(desired, "IamRole");
  if (!api || !liveApi || !role) throw new Error("synthetic manifest: expected one RestApi and one IamRole");
  const resources = Object.keys(api.model.resources).length;
  const methods = Object.values(api.model.resources).reduce((n, r) => n + Object.keys(r.methods).length, 0);

  const roleArn = `arn:aws:iam::${target.accountId}:role/${role.model.roleName}`;
  const liveRole = { arn: roleArn, model: role.model, tags: { [TAG.name]: role.model.key, [TAG.owner]: owner, [TAG.specHash]: roleSpecHash(role.model) } };
  const roleGroup = groupKey("IamRole", role.model.key);
  const apiGroup = groupKey("RestApi", api.model.key);
  const observedRole = { kind: "IamRole", key: role.model.key, live: liveRole, adopted: false };
  const absent: Observed = {
    target,
    objects: new Map<string, ObservedObject>([
      [roleGroup, observedRole],
      [apiGroup, { kind: "RestApi", key: api.model.key, adopted: false }],
    ]),
    orphans: [],
  };
  const resourceIds = Object.fromEntries(Object.keys(liveApi.model.resources).map((p, i) => [p, `r${i}`]));
  const live = {
    id: "abc123",
    model: liveApi.model,
    tags: { [TAG.name]: api.model.key, [TAG.owner]: owner, [TAG.specHash]: "old", [TAG.deployed]: "dep1:oldconfig" },
    resourceIds,
    stageDeployments: { prod: "dep1" },
  };
  const different: Observed = {
    target,
    objects: new Map<string, ObservedObject>([
      [roleGroup, observedRole],
      [apiGroup, { kind: "RestApi", key: api.model.key, adopted: false, live }],
    ]),
    orphans: [],
  };
  return { desired, absent, different, resources, methods, parseMs };
}

/** Median CPU and wall time (ms) of planning runs, and the last run's plan. */
export interface PlanTimings {
  medianCpuMs: number;
  medianWallMs: number;
  plan: Plan;
}

/**
 * Times `runs` plans of `desired` against `observed`, after two warm-up ones. Each plan is of a fresh copy of
 * the desired state, cloned outside the timed region: a real pass plans a model it has just loaded, once,
 * so what a kind computes once per model (the RestApi's hashes, cached per model object) must be paid in
 * every timed run, not only in the first warm-up.
 */
export function timePlans(desired: DesiredState, observed: Observed, options: PlanOptions, runs: number): PlanTimings {
  // A copy shaped as the loader makes a model: structuredClone rebuilds status-code maps the slow way the
  // loader avoids (see compactIntegerKeys).
  const freshCopy = () => compactIntegerKeys(structuredClone(desired));
  for (let i = 0; i < 2; i++) buildPlan(freshCopy(), observed, options);
  const cpu: number[] = [];
  const wall: number[] = [];
  let plan = buildPlan(freshCopy(), observed, options);
  for (let i = 0; i < runs; i++) {
    const fresh = freshCopy();
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    plan = buildPlan(fresh, observed, options);
    wall.push(performance.now() - w0);
    const d = process.cpuUsage(c0);
    cpu.push((d.user + d.system) / 1000);
  }
  return { medianCpuMs: median(cpu), medianWallMs: median(wall), plan };
}

// ---------------------------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------------------------

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Counts of two sources keyed without `service:`; lists every operation where they differ. */
export function countDifferences(a: Record<string, number>, b: Record<string, number>): string[] {
  const strip = (r: Record<string, number>) => {
    const out = new Map<string, number>();
    for (const [op, n] of Object.entries(r)) out.set(op.slice(op.indexOf(":") + 1), (out.get(op.slice(op.indexOf(":") + 1)) ?? 0) + n);
    return out;
  };
  const x = strip(a);
  const y = strip(b);
  const ops = [...new Set([...x.keys(), ...y.keys()])].sort();
  return ops.filter((op) => (x.get(op) ?? 0) !== (y.get(op) ?? 0)).map((op) => `${op} ${x.get(op) ?? 0}≠${y.get(op) ?? 0}`);
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
