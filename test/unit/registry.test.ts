// The kind registry: a kind is a folder and one registry line. Shown two ways:
// - a kind declared only in this test ("Widget", requiring RestApi) goes through load (schema errors
//   with file:line, checks against another kind's exports), the JSON Schema, observe, plan (ordered after
//   what it requires, using the API's id ref and its stage's readiness) and prune (before what it
//   requires), with no line of src/ knowing it;
// - the pipeline's folders (engine, report, notify, controller, state, aws, the loader, the CLI) name no
//   kind in code: they only iterate the registry (read from the sources' syntax trees).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Gateway } from "../../src/aws/gateway.ts";
import { observe } from "../../src/engine/observe.ts";
import { buildPlan } from "../../src/engine/plan.ts";
import { KINDS, manifestJsonSchema, planningOrder } from "../../src/kinds/index.ts";
import { groupKey, type KindHandler, type LiveObject } from "../../src/kinds/kind.ts";
import { metadata, API_VERSION } from "../../src/manifest/schema.ts";
import type { ManifestError } from "../../src/manifest/issues.ts";
import { parseManifests } from "../../src/manifest/load.ts";
import type { Change, Ref } from "../../src/model/changes.ts";
import { TAG } from "../../src/model/live.ts";
import type { DesiredObject, ObjectModel } from "../../src/model/types.ts";
import { desiredOf, observedOf, OWNER, PLAN_OPTIONS, ROOT, seedFiles, TARGET } from "./support/models.ts";

// ------------------------------------------------------------------ a kind that exists only here

interface WidgetModel extends ObjectModel {
  color: string;
  api: string;
  stage: string;
}
type LiveWidget = LiveObject<WidgetModel> & { id: string };

const WidgetDocument = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("Widget"),
  metadata,
  spec: z.strictObject({ color: z.enum(["red", "blue"]), api: z.string(), stage: z.string() }),
});
type WidgetDoc = z.infer<typeof WidgetDocument>;

/** Live widgets of the fake account, by key. */
const liveWidgets = new Map<string, LiveWidget>();

const widgetKind: KindHandler<WidgetModel, LiveWidget, { changes: Change[] }, WidgetDoc> = {
  kind: "Widget",
  plural: "widgets",
  changeKinds: ["Widget"],
  root: "widget",
  requires: ["RestApi"],
  scope: "region",
  describe: (change) => change.id.widget ?? "",
  metricLabel: (name) => `widget/${name}`,
  documentSchema: WidgetDocument,
  check: (doc, index) => {
    const api = index.exported("RestApi", doc.spec.api) as { stages: string[] } | undefined;
    if (!api) return [{ path: ["spec", "api"], message: `no RestApi named ${doc.spec.api}` }];
    return api.stages.includes(doc.spec.stage) ? [] : [{ path: ["spec", "stage"], message: `RestApi ${doc.spec.api} has no stage ${doc.spec.stage}` }];
  },
  expand: (doc, _index, source) => ({ kind: "Widget", model: { key: doc.metadata.name, ...doc.spec }, options: { adopt: false, ignore: [] }, labels: {}, source }),
  observe: (_gateway, desired, context) => {
    const objects = desired.map((d) => ({ kind: "Widget", key: d.model.key, adopted: false, ...(liveWidgets.has(d.model.key) ? { live: liveWidgets.get(d.model.key) } : {}) }));
    const orphans = [...liveWidgets.values()].filter((w) => !context.knownNames.has(w.model.key)).map((live) => ({ kind: "Widget", key: live.model.key, label: `Widget ${live.model.key}`, live }));
    return Promise.resolve({ objects, orphans, errors: [] });
  },
  specHash: (model) => model.color,
  diff: (desired, live) => ({
    changes: !live ? [{ kind: "Widget", action: "create", id: { widget: desired.key }, fields: [], patch: [] }] : live.model.color === desired.color ? [] : [{ kind: "Widget", action: "update", id: { widget: desired.key }, fields: [{ field: "color", before: live.model.color, after: desired.color }], patch: [] }],
  }),
  withModel: (live, model) => ({ ...live, model }),
  plan: (diff, desired, _live, context) => {
    const apiGroup = groupKey("RestApi", desired.api);
    const stageReady = context.ready.get(`${apiGroup}/stages/${desired.stage}`);
    return diff.changes.map((_change, index) => ({
      id: `${groupKey("Widget", desired.key)}:TagResource`,
      service: "apigateway" as const,
      call: "TagResource",
      input: { restApiId: context.ids.get(apiGroup), color: desired.color },
      after: stageReady ? [stageReady] : [],
      group: groupKey("Widget", desired.key),
      change: index,
    }));
  },
  prune: (orphan, group, change) => [{ id: `${group}:UntagResource`, service: "apigateway", call: "UntagResource", input: { widget: orphan.live.id }, after: [], group, change }],
  securityNotes: () => [],
};

const REGISTRY = [...KINDS, widgetKind];

const widgetFile = (spec: string) => ({ file: "manifests/widget.yaml", text: `apiVersion: ${API_VERSION}\nkind: Widget\nmetadata:\n  name: gadget\nspec:\n${spec}` });
const GOOD = "  color: red\n  api: my-s3\n  stage: prod\n";

/** A gateway with an empty account: observe of the registered kinds reads nothing else. */
const emptyAccount = {
  region: () => Promise.resolve(TARGET.region),
  read: (_service: string, call: string) => Promise.resolve(call === "GetRestApis" ? { items: [] } : {}),
  accountIdFromSts: () => Promise.resolve(TARGET.accountId),
} as unknown as Gateway;

describe("a kind registered only in a test", () => {
  it("loads with the other kinds; its schema and checks report file:line:field", () => {
    const loaded = parseManifests([...seedFiles(), widgetFile(GOOD)], REGISTRY);
    expect(loaded.desired.objects.map((o) => o.kind)).toEqual(["RestApi", "IamRole", "Widget"]);
    const problems = (spec: string) => {
      try {
        parseManifests([...seedFiles(), widgetFile(spec)], REGISTRY);
        return [];
      } catch (error) {
        return (error as ManifestError).issues.map((i) => `${i.file}:${i.line} ${i.field}: ${i.message}`);
      }
    };
    expect(problems("  color: green\n  api: my-s3\n  stage: prod\n")).toEqual([expect.stringMatching(/^manifests\/widget\.yaml:6 spec\.color: /)]);
    expect(problems("  color: red\n  api: my-s3\n  stage: dev\n")).toEqual(["manifests/widget.yaml:8 spec.stage: RestApi my-s3 has no stage dev"]);
    // Without it in the registry, the same document is an unknown kind naming the registered ones.
    expect(() => parseManifests([...seedFiles(), widgetFile(GOOD)])).toThrow(`unknown kind "Widget"; expected one of ${KINDS.map((k) => k.kind).join(", ")}`);
  });

  it("is in the JSON Schema", () => {
    const text = JSON.stringify(manifestJsonSchema(REGISTRY));
    expect(text).toContain('"const":"Widget"');
    expect(JSON.stringify(manifestJsonSchema())).not.toContain('"const":"Widget"');
  });

  it("is planned after the kind it requires, with that API's id ref and its stage's readiness", async () => {
    liveWidgets.clear();
    const desired = parseManifests([...seedFiles(), widgetFile(GOOD)], REGISTRY).desired;
    // (The role is left out of observe: this fake account answers no GetRole; absent, it is planned as new.)
    const observed = await observe(emptyAccount, { objects: desired.objects.filter((o) => o.kind !== "IamRole") }, { owner: OWNER, prune: false }, REGISTRY);
    expect(observed.objects.get("Widget/gadget")).toEqual({ kind: "Widget", key: "gadget", adopted: false });
    const order = planningOrder(REGISTRY).map((k) => k.kind);
    expect(order.indexOf("Widget")).toBeGreaterThan(order.indexOf("RestApi"));
    expect(order.indexOf("RestApi")).toBeGreaterThan(order.indexOf("IamRole"));
    const plan = buildPlan(desired, { ...observed, target: TARGET }, PLAN_OPTIONS, REGISTRY);
    const widgetOp = plan.operations.find((op) => op.group === "Widget/gadget");
    const created = plan.operations.find((op) => op.group === "RestApi/my-s3" && op.call === "CreateDeployment");
    expect(widgetOp?.input.restApiId).toEqual({ $ref: "api", group: "RestApi/my-s3" } satisfies Ref);
    expect(widgetOp?.after).toEqual([created?.id]);
    expect(plan.changes.at(-1)).toMatchObject({ kind: "Widget", action: "create", id: { widget: "gadget" } });
    expect(plan.operations.indexOf(widgetOp!)).toBeGreaterThan(plan.operations.indexOf(created!));
  });

  it("is pruned before what it requires, which waits for it", () => {
    const orphanWidget: LiveWidget = { id: "w1", model: { key: "old", color: "red", api: "legacy", stage: "prod" }, tags: { [TAG.owner]: OWNER } };
    const observed = observedOf({ orphanApis: [{ id: "a1", key: "legacy", name: "Legacy" }] });
    observed.orphans.push({ kind: "Widget", key: "old", label: "Widget old", live: orphanWidget });
    const plan = buildPlan(desiredOf({}), observed, { ...PLAN_OPTIONS, prune: true, maxDeletions: 5 }, REGISTRY);
    expect(plan.operations.map((op) => op.id)).toEqual(["Widget/old:UntagResource", "RestApi/legacy:DeleteRestApi"]);
    expect(plan.changes.map((c) => `${c.kind} ${c.action} ${JSON.stringify(c.id)}`)).toEqual(['Widget delete {"widget":"old"}', 'RestApi delete {"api":"legacy"}']);
  });

  it("observes what is live and diffs it through the engine (a change of its field is one operation)", async () => {
    liveWidgets.set("gadget", { id: "w2", model: { key: "gadget", color: "blue", api: "my-s3", stage: "prod" }, tags: { [TAG.name]: "gadget", [TAG.owner]: OWNER, [TAG.specHash]: "blue" } });
    const desired = parseManifests([...seedFiles(), widgetFile(GOOD)], REGISTRY).desired;
    const widgets: DesiredObject[] = desired.objects.filter((o) => o.kind === "Widget");
    const observed = await observe(emptyAccount, { objects: widgets }, { owner: OWNER, prune: false }, REGISTRY);
    const plan = buildPlan({ objects: widgets }, { ...observed, target: TARGET }, PLAN_OPTIONS, REGISTRY);
    expect(plan.changes).toEqual([expect.objectContaining({ kind: "Widget", action: "update", cause: "pending", fields: [{ field: "color", before: "blue", after: "red" }] })]);
    expect(plan.operations).toHaveLength(1);
    liveWidgets.clear();
  });
});

// ------------------------------------------------------------------ the pipeline names no kind

/** Folders (and files) that must only iterate the registry. */
const PIPELINE = ["src/engine", "src/report", "src/notify", "src/controller", "src/state", "src/aws", "src/manifest/load.ts", "src/manifest/selector.ts", "src/cli/main.ts", "src/cli/run.ts"];

function sources(path: string): string[] {
  if (path.endsWith(".ts")) return [path];
  return readdirSync(join(ROOT, path), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split(sep).join("/"));
}

/** String literals and template parts in code (not in types, not in comments) that name a kind. */
function kindNamesIn(file: string, kinds: readonly string[]): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true);
  const names = (text: string) => kinds.filter((k) => text === k || text.startsWith(`${k}/`) || text.startsWith(`${k} `));
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isLiteralTypeNode(node)) return;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      for (const name of names(node.text)) found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${name}`);
    }
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && /\/kinds\/[^/]+\//.test(node.moduleSpecifier.text)) {
      found.push(`${file}: imports ${node.moduleSpecifier.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("the pipeline iterates the registry", () => {
  it("engine, reports, alerts, controller, state, AWS boundary, loader and CLI name no kind and import no kind's folder", () => {
    const kinds = KINDS.map((k) => k.kind);
    expect(PIPELINE.flatMap(sources).flatMap((file) => kindNamesIn(file, kinds))).toEqual([]);
  });

  it("the scan finds a kind named in code (the test can fail)", () => {
    const found = kindNamesIn("src/kinds/rest-api/index.ts", ["RestApi"]);
    expect(found.length).toBeGreaterThan(0);
  });
});
