// diff for RestApi (pure): desired × live → changes, the resource rename map and the deployment decision.
import type { Change, ChangeId, FieldChange } from "../../model/changes.ts";
import { contentHash, ownKeys } from "../../model/hash.ts";
import { expandExecuteApiShorthand, usesExecuteApiShorthand } from "../../model/policy.ts";
import { TAG, type LiveRestApi } from "../../model/live.ts";
import { ALL_METHODS, effectiveSetting, settingsPatchPrefix } from "../../model/method-settings.ts";
import { hasOwn, ownValue } from "../../model/own.ts";
import { once } from "../../once.ts";
import type { HttpMethod, IntegrationModel, MethodModel, MethodSettingModel, RestApiModel, StageModel } from "../../model/types.ts";
import {
  deployableFields,
  diffFields,
  INTEGRATION_FIELDS,
  INTEGRATION_RESPONSE_FIELDS,
  METHOD_FIELDS,
  METHOD_RESPONSE_FIELDS,
  METHOD_SETTING_FIELDS,
  patchOperations,
  REST_API_FIELDS,
  STAGE_FIELDS,
  type FieldSpec,
} from "../fields.ts";
import type { PatchOperation } from "../../model/changes.ts";

export interface RestApiDiff {
  key: string;
  changes: Change[];
  /** desired path → live path of every desired resource that exists (renamed or not). */
  resourceMatch: Map<string, string>;
  deployment?: { reason: string; stages: string[] };
  /** Hash of the deployable configuration (everything but stages and tags). */
  /** The desired spec's hashes, worked out when first read (a plan from nothing reads them only when rendered or applied). */
  hashes: RestApiHashes;
}

export interface RestApiHashes {
  /** The whole spec: tells whether the manifest changed since the last apply. */
  readonly specHash: string;
  /** The part whose change needs a deployment to go live (everything but stages, tags, name, description). */
  readonly configHash: string;
}

/**
 * Both hashes, each worked out when first read, hashing the (large) resource tree once. Hashing a 300 × 5
 * API is a third of planning it; a plan from nothing needs them only in the inputs of its deployment and
 * final tagging, which are written when the plan is rendered or applied. The model is never changed after
 * load, so a hash read later is the hash of the same spec.
 */
export function restApiHashes(model: RestApiModel): RestApiHashes {
  const resources = once(() => contentHash(model.resources));
  const config = once(() => contentHash({ ...deployedPart(model), resources: resources() }));
  const spec = once(() => contentHash({ ...model, resources: resources(), stages: contentHash(model.stages) }));
  return {
    get configHash() {
      return config();
    },
    get specHash() {
      return spec();
    },
  };
}

/** API-level fields a deployment carries: the table's deployable ones (never stages, tags or the identity). */
const DEPLOYED_FIELDS = new Set(deployableFields(REST_API_FIELDS));

function deployedPart(model: RestApiModel): Record<string, unknown> {
  return Object.fromEntries(Object.entries(model).filter(([field]) => DEPLOYED_FIELDS.has(field)));
}

export function specHashOf(model: RestApiModel): string {
  return restApiHashes(model).specHash;
}

export function parseDeployedTag(value: string | undefined): { deploymentId: string; configHash: string } | undefined {
  if (!value) return undefined;
  const [deploymentId, configHash] = value.split(":");
  return deploymentId && configHash ? { deploymentId, configHash } : undefined;
}

/** The account and Region an API lives in (its resource policy's shorthand expands to them). */
export interface ApiTarget {
  partition: string;
  region: string;
  accountId: string;
}

export function diffRestApi(desired: RestApiModel, live: LiveRestApi | undefined, hashes: RestApiHashes = restApiHashes(desired), target?: ApiTarget): RestApiDiff {
  const api = desired.key;
  const changes: Change[] = [];
  const liveModel = live?.model;

  const apiFields = diffFields(REST_API_FIELDS, asAwsStoresIt(desired, live, target), liveModel);
  const tagChange = diffTags(desired.tags, liveModel?.tags);
  if (!live) {
    changes.push({ kind: "RestApi", action: "create", id: { api }, fields: createdFields(REST_API_FIELDS, desired, desired.tags), patch: [] });
  } else if (apiFields.length > 0 || tagChange) {
    changes.push({
      kind: "RestApi",
      action: "update",
      id: { api },
      fields: [...apiFields, ...(tagChange ? [tagChange] : [])],
      patch: patchOperations(REST_API_FIELDS, apiFields),
    });
  }

  const ordered = topDown(Object.keys(desired.resources));
  const resourceMatch = matchResources(desired, liveModel, ordered);
  diffResources(desired, liveModel, { match: resourceMatch, ordered }, changes);
  for (const change of diffStages(api, desired.stages, liveModel?.stages ?? {})) changes.push(change);

  const deployment = deploymentDecision(desired, live, changes, hashes);
  if (deployment) {
    changes.push({ kind: "Deployment", action: "create", id: { api, stage: deployment.stages.join(",") }, fields: [], patch: [], reason: deployment.reason });
  }
  return { key: api, changes, resourceMatch, deployment, hashes };
}

/** The desired API fields in the form AWS stores them: the resource policy's `execute-api:/` expanded. */
function asAwsStoresIt(desired: RestApiModel, live: LiveRestApi | undefined, target: ApiTarget | undefined): RestApiModel {
  if (!live || !target || !usesExecuteApiShorthand(desired.policy) || !desired.policy) return desired;
  return { ...desired, policy: expandExecuteApiShorthand(desired.policy, { ...target, apiId: live.id }) };
}

function createdFields(table: readonly FieldSpec[], model: object, tags?: Record<string, string>): FieldChange[] {
  const fields = diffFields(table, model, undefined);
  return tags && Object.keys(tags).length > 0 ? [...fields, { field: "tags", after: tags }] : fields;
}

function diffTags(desired: Record<string, string>, live: Record<string, string> | undefined): FieldChange | undefined {
  const before = live ?? {};
  const same = Object.keys(desired).length === Object.keys(before).length && Object.entries(desired).every(([k, v]) => ownValue(before, k) === v);
  return same ? undefined : { field: "tags", before, after: desired };
}

// ---------------------------------------------------------------- resources

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

function lastPart(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function depth(path: string): number {
  return path === "/" ? 0 : path.split("/").length - 1;
}

// What `a.localeCompare(b)` compares with (the same collator), made once: a large API sorts hundreds of paths.
const collator = new Intl.Collator();

/** Resource paths top-down: by depth, then in localeCompare order (the order the diff lists them in). */
function topDown(paths: string[]): string[] {
  const depths = new Map(paths.map((p) => [p, depth(p)]));
  return paths.sort((a, b) => (depths.get(a) ?? 0) - (depths.get(b) ?? 0) || collator.compare(a, b));
}

function methodSet(methods: object): string {
  return Object.keys(methods).sort().join(",");
}

/**
 * Pairs desired resources with live ones, top-down. Same path first; then, under a matched (possibly
 * renamed) parent, the same path part; then one unmatched live sibling with the same methods: a rename,
 * done in place with UpdateResource rather than a delete and a create.
 */
export function matchResources(desired: RestApiModel, live: RestApiModel | undefined, desiredPaths: readonly string[] = topDown(Object.keys(desired.resources))): Map<string, string> {
  const match = new Map<string, string>();
  if (!live) return match;
  const livePaths = new Set(Object.keys(live.resources));
  const used = new Set<string>();
  const take = (d: string, l: string) => {
    match.set(d, l);
    used.add(l);
  };
  for (const path of desiredPaths) {
    if (path === "/") {
      if (livePaths.has("/")) take("/", "/");
      continue;
    }
    const liveParent = match.get(parentOf(path));
    if (liveParent === undefined) continue;
    const samePart = `${liveParent === "/" ? "" : liveParent}/${lastPart(path)}`;
    if (livePaths.has(samePart) && !used.has(samePart)) {
      take(path, samePart);
      continue;
    }
    const siblings = [...livePaths].filter((l) => !used.has(l) && l !== "/" && parentOf(l) === liveParent && !hasOwn(desired.resources, rebase(l, liveParent, parentOf(path))));
    const wanted = methodSet(ownValue(desired.resources, path)?.methods ?? {});
    const candidates = siblings.filter((l) => methodSet(ownValue(live.resources, l)?.methods ?? {}) === wanted);
    const unmatchedDesiredSiblings = desiredPaths.filter((d) => d !== path && parentOf(d) === parentOf(path) && !match.has(d) && !livePaths.has(d));
    const [only] = candidates;
    if (only !== undefined && (candidates.length === 1 || unmatchedDesiredSiblings.length === 0)) take(path, only);
  }
  return match;
}

function rebase(livePath: string, liveParent: string, desiredParent: string): string {
  const part = lastPart(livePath);
  return `${desiredParent === "/" ? "" : desiredParent}/${part}`;
}

/**
 * Appends the resources' changes (and their methods') to `changes`. `ordered`: the desired paths top-down.
 * The diff of a large API has thousands of changes: each part appends to the one list rather than
 * returning its own to be copied into it.
 */
function diffResources(desired: RestApiModel, live: RestApiModel | undefined, { match, ordered }: { match: Map<string, string>; ordered: readonly string[] }, changes: Change[]): void {
  const api = desired.key;
  for (const path of ordered) {
    const resource = ownValue(desired.resources, path);
    if (!resource) continue;
    const livePath = match.get(path);
    const liveResource = livePath !== undefined ? ownValue(live?.resources, livePath) : undefined;
    if (path !== "/" && livePath === undefined) {
      changes.push({ kind: "Resource", action: "create", id: { api, path }, fields: [{ field: "pathPart", after: lastPart(path) }], patch: [] });
    } else if (livePath !== undefined && lastPart(livePath) !== lastPart(path)) {
      changes.push({
        kind: "Resource",
        action: "update",
        id: { api, path },
        fields: [{ field: "path", before: livePath, after: path }],
        patch: [{ op: "replace", path: "/pathPart", value: lastPart(path) }],
      });
    }
    diffMethods({ api, path }, resource.methods, liveResource?.methods ?? {}, changes);
  }
  if (live) {
    const matchedLive = new Set(match.values());
    for (const livePath of Object.keys(live.resources).sort()) {
      if (matchedLive.has(livePath) || livePath === "/") continue;
      // Deleting a resource deletes its children: report and delete only the top-most one.
      if (!matchedLive.has(parentOf(livePath))) continue;
      const below = Object.keys(live.resources).filter((p) => p.startsWith(`${livePath}/`)).length;
      changes.push({ kind: "Resource", action: "delete", id: { api, path: livePath }, fields: [], patch: [], ...(below > 0 ? { reason: `and the ${below} resource(s) below it` } : {}) });
    }
  }
}

/**
 * Object.keys sorted (as `.sort()` sorts), listed the cheap way for maps keyed by status code (see ownKeys).
 * Most come sorted already (status codes, verbs as manifests list them), and are not sorted again.
 */
function sortedKeys(record: object): readonly string[] {
  const keys = ownKeys(record);
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) > (keys[i] as string)) return [...keys].sort();
  return keys;
}

function diffMethods({ api, path }: { api: string; path: string }, desired: Partial<Record<HttpMethod, MethodModel>>, live: Partial<Record<HttpMethod, MethodModel>>, changes: Change[]): void {
  for (const verb of sortedKeys(desired) as HttpMethod[]) {
    const method = ownValue(desired, verb);
    if (!method) continue;
    const id: MethodId = { api, path, httpMethod: verb };
    const current = ownValue(live, verb);
    if (!current) {
      changes.push({ kind: "Method", action: "create", id, fields: diffFields(METHOD_FIELDS, method, undefined), patch: [] });
    } else {
      const fields = diffFields(METHOD_FIELDS, method, current);
      if (fields.length > 0) changes.push({ kind: "Method", action: "update", id, fields, patch: patchOperations(METHOD_FIELDS, fields) });
    }
    diffKeyed(id, { desired: method.responses, live: current?.responses ?? {} }, METHOD_RESPONSES, changes);
    diffIntegration(id, method.integration, current?.integration, changes);
  }
  for (const verb of sortedKeys(live) as HttpMethod[]) {
    if (!ownValue(desired, verb)) changes.push({ kind: "Method", action: "delete", id: { api, path, httpMethod: verb }, fields: [], patch: [] });
  }
}

/** The id of a method's changes (and, with a status code, of its responses'). */
// A type, not an interface: it is a ChangeId (whose index signature an interface would not satisfy).
type MethodId = { api: string; path: string; httpMethod: string };

/** A response's id, written out: the spread of the method's id, thousands of times, was a cost of its own. */
function responseId(id: MethodId, statusCode: string): ChangeId {
  return { api: id.api, path: id.path, httpMethod: id.httpMethod, statusCode };
}

/** A kind of response (of a method, of an integration) and its field table. */
type ResponseKind = { kind: "MethodResponse" | "IntegrationResponse"; table: readonly FieldSpec[] };
const METHOD_RESPONSES: ResponseKind = { kind: "MethodResponse", table: METHOD_RESPONSE_FIELDS };
const INTEGRATION_RESPONSES: ResponseKind = { kind: "IntegrationResponse", table: INTEGRATION_RESPONSE_FIELDS };

/** Appends the changes of responses keyed by status code. */
function diffKeyed<T extends object>(id: MethodId, { desired, live }: { desired: Record<string, T>; live: Record<string, T> }, { kind, table }: ResponseKind, changes: Change[]): void {
  // Status codes are integer-like keys, which V8 keeps as sparse elements: each map's keys are listed once.
  for (const code of sortedKeys(desired)) {
    const current = ownValue(live, code);
    if (current === undefined) changes.push({ kind, action: "create", id: responseId(id, code), fields: diffFields(table, desired[code], undefined), patch: [] });
    else {
      const fields = diffFields(table, desired[code], current);
      if (fields.length > 0) changes.push({ kind, action: "update", id: responseId(id, code), fields, patch: patchOperations(table, fields) });
    }
  }
  for (const code of sortedKeys(live)) {
    if (!hasOwn(desired, code)) changes.push({ kind, action: "delete", id: responseId(id, code), fields: [], patch: [] });
  }
}

function diffIntegration(id: MethodId, desired: IntegrationModel | undefined, live: IntegrationModel | undefined, changes: Change[]): void {
  if (!desired) {
    if (live) changes.push({ kind: "Integration", action: "delete", id, fields: [], patch: [] });
    return;
  }
  if (!live) {
    changes.push({ kind: "Integration", action: "create", id, fields: diffFields(INTEGRATION_FIELDS, desired, undefined), patch: [] });
    diffKeyed(id, { desired: desired.responses, live: {} }, INTEGRATION_RESPONSES, changes);
    return;
  }
  const fields = diffFields(INTEGRATION_FIELDS, desired, live);
  if (desired.type !== live.type) {
    // The type cannot be patched: PutIntegration replaces the integration and drops its responses.
    changes.push({ kind: "Integration", action: "replace", id, fields, patch: [], reason: `type ${live.type} → ${desired.type} cannot be patched` });
    diffKeyed(id, { desired: desired.responses, live: {} }, INTEGRATION_RESPONSES, changes);
    return;
  }
  if (fields.length > 0) changes.push({ kind: "Integration", action: "update", id, fields, patch: patchOperations(INTEGRATION_FIELDS, fields) });
  diffKeyed(id, { desired: desired.responses, live: live.responses }, INTEGRATION_RESPONSES, changes);
}

// ---------------------------------------------------------------- stages

function diffStages(api: string, desired: Record<string, StageModel>, live: Record<string, StageModel>): Change[] {
  const changes: Change[] = [];
  // Own entries only: a stage named `constructor` or `valueOf` is a stage, not something every object has.
  for (const name of Object.keys(desired).sort()) {
    const stage = ownValue(desired, name);
    if (!stage) continue;
    const current = ownValue(live, name);
    const id = { api, stage: name };
    const settings = diffMethodSettings(stage.methodSettings, current?.methodSettings ?? {});
    const tags = diffTags(stage.tags, current?.tags);
    if (!current) {
      changes.push({ kind: "Stage", action: "create", id, fields: [...createdFields(STAGE_FIELDS, stage, stage.tags), ...settings.fields], patch: settings.patch });
      continue;
    }
    const fields = diffFields(STAGE_FIELDS, stage, current);
    if (fields.length + settings.fields.length > 0 || tags) {
      changes.push({
        kind: "Stage",
        action: "update",
        id,
        fields: [...fields, ...settings.fields, ...(tags ? [tags] : [])],
        patch: [...patchOperations(STAGE_FIELDS, fields), ...settings.patch],
      });
    }
  }
  for (const name of Object.keys(live).sort()) {
    if (!hasOwn(desired, name)) changes.push({ kind: "Stage", action: "delete", id: { api, stage: name }, fields: [], patch: [] });
  }
  return changes;
}

/**
 * Method settings, as AWS keeps them: `*\/*` holds the stage-wide values; a method's entry is created as
 * a copy of `*\/*` and then holds its own copy of every field. So `*\/*` is patched first (an entry created
 * in the same call copies the new values), a method entry is compared by its effective values (its own,
 * else the stage-wide ones), a new entry is written field by field as the manifest lists it (even a value
 * equal to the stage-wide one: that creates the entry), and a dropped entry is removed whole.
 */
export function diffMethodSettings(desired: Record<string, MethodSettingModel>, live: Record<string, MethodSettingModel>): { fields: FieldChange[]; patch: PatchOperation[] } {
  const out = { fields: [] as FieldChange[], patch: [] as PatchOperation[] };
  const methodKeys = [...new Set([...Object.keys(desired), ...Object.keys(live)])].filter((key) => key !== ALL_METHODS).sort();
  for (const key of [ALL_METHODS, ...methodKeys]) {
    const want = ownValue(desired, key);
    const have = ownValue(live, key);
    if (key === ALL_METHODS || (want && have)) diffSettingValues(key, desired, live, out);
    else if (want) newSettingEntry(key, desired, out);
    else if (have) {
      out.fields.push({ field: `methodSettings.${key}`, before: have });
      out.patch.push({ op: "remove", path: settingsPatchPrefix(key) });
    }
  }
  return out;
}

type SettingsDiff = { fields: FieldChange[]; patch: PatchOperation[] };

function diffSettingValues(key: string, desired: Record<string, MethodSettingModel>, live: Record<string, MethodSettingModel>, out: SettingsDiff): void {
  for (const { field, patch: sub } of METHOD_SETTING_FIELDS) {
    const name = field as keyof MethodSettingModel;
    const after = effectiveSetting(desired, key, name);
    const before = effectiveSetting(live, key, name);
    if (after === before) continue;
    out.fields.push({ field: `methodSettings.${key}.${field}`, before, after });
    out.patch.push({ op: "replace", path: `${settingsPatchPrefix(key)}/${sub}`, value: String(after) });
  }
}

/** A new method entry: the fields the manifest lists; an entry that lists none is still created (as a copy of `*\/*`). */
function newSettingEntry(key: string, desired: Record<string, MethodSettingModel>, out: SettingsDiff): void {
  const want = ownValue(desired, key) ?? {};
  const listed = METHOD_SETTING_FIELDS.filter(({ field }) => want[field as keyof MethodSettingModel] !== undefined);
  for (const { field, patch: sub } of listed.length > 0 ? listed : METHOD_SETTING_FIELDS.slice(0, 1)) {
    const after = effectiveSetting(desired, key, field as keyof MethodSettingModel);
    out.fields.push({ field: `methodSettings.${key}.${field}`, after });
    out.patch.push({ op: "replace", path: `${settingsPatchPrefix(key)}/${sub}`, value: String(after) });
  }
}

// ---------------------------------------------------------------- deployment

const DEPLOYABLE = new Set(["Resource", "Method", "MethodResponse", "Integration", "IntegrationResponse"]);

function deploymentDecision(desired: RestApiModel, live: LiveRestApi | undefined, changes: readonly Change[], hashes: RestApiHashes): { reason: string; stages: string[] } | undefined {
  const stages = Object.keys(desired.stages).sort();
  if (stages.length === 0) return undefined;
  if (!live) return { reason: "new API", stages };
  if (changes.some((c) => DEPLOYABLE.has(c.kind) || (c.kind === "RestApi" && c.fields.some((f) => f.field !== "tags" && f.field !== "name" && f.field !== "description")))) {
    return { reason: "the API configuration changes", stages };
  }
  const deployed = parseDeployedTag(live.tags[TAG.deployed]);
  if (!deployed) return { reason: "no deployment by the reconciler is recorded", stages };
  if (deployed.configHash !== hashes.configHash) return { reason: "the live configuration was changed since its last deployment", stages };
  const missing = stages.filter((s) => !hasOwn(live.stageDeployments, s));
  if (missing.length > 0) return { reason: `new stage ${missing.join(", ")}`, stages };
  const stale = stages.filter((s) => ownValue(live.stageDeployments, s) !== deployed.deploymentId);
  if (stale.length > 0) return { reason: `stage ${stale.join(", ")} is not on the latest deployment`, stages };
  return undefined;
}
