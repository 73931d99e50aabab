// Golden files of rendered plans (text without colour, and JSON).
//
// To (re)write the expected files after an intended change of the plan or its rendering:
//   UPDATE_GOLDEN=1 npx vitest run --project unit test/golden
// then review the diff of test/golden/*.txt / *.json like any other change.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CallCounts } from "../../src/aws/recorder.ts";
import { buildPlan } from "../../src/engine/plan.ts";
import type { Plan } from "../../src/model/changes.ts";
import { renderJson } from "../../src/report/json.ts";
import { renderText } from "../../src/report/text.ts";
import { apisOf, integrationOf, liveApiOf, liveRoleOf, observedOf, PLAN_OPTIONS, renamePath, rolesOf, seedDesired, TARGET } from "../unit/support/models.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const ESC = "\u001b";

function golden(name: string, actual: string): void {
  const file = join(HERE, name);
  if (UPDATE) {
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`test/golden/${name} is missing; write it with UPDATE_GOLDEN=1 npx vitest run --project unit test/golden`);
  expect(actual, `test/golden/${name} differs (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(file, "utf8"));
}

const NO_CALLS: CallCounts = { total: 0, writes: 0, byOperation: {}, errors: {} };
const OBSERVE_CALLS: CallCounts = {
  total: 7,
  writes: 0,
  byOperation: { GetResources: 1, GetRestApis: 1, GetRole: 1, GetRolePolicy: 1, GetStages: 1, ListAttachedRolePolicies: 1, ListRolePolicies: 1 },
  errors: {},
};

/** (a) The seed API and role from nothing, in us-east-1 / 123456789012. */
function createFromEmpty(): Plan {
  return buildPlan(seedDesired(), observedOf(), PLAN_OPTIONS);
}

/** (b) A mixed plan: updates with old → new, a delete, a rename, a replace, a deployment, IAM changes. */
function mixed(): Plan {
  const desired = seedDesired();
  const api = apisOf(desired)[0]!.model;
  const role = rolesOf(desired)[0]!.model;
  const liveModel = structuredClone(api);
  // Drift: an out-of-band resource with a method.
  liveModel.resources["/legacy"] = { path: "/legacy", methods: { GET: structuredClone(liveModel.resources["/"]!.methods.GET!) } };
  // The role as last applied had a managed policy, which the manifest now swaps for another.
  const liveRole = liveRoleOf({ ...structuredClone(role), managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] });

  api.description = "Amazon S3 proxy, v2";
  integrationOf(api, "/{folder}", "GET").timeoutInMillis = 10000;
  renamePath(api, "/{folder}/{item}", "/{folder}/{key}");
  const root = integrationOf(api, "/", "GET");
  root.type = "HTTP";
  root.uri = "https://example.com/";
  delete root.credentials;
  api.stages.prod!.methodSettings["*/*"]!.loggingLevel = "INFO";

  role.description = "API Gateway → S3, read and write";
  role.inlinePolicies["s3-delete"] = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::*/*" }] };
  role.managedPolicyArns = ["arn:aws:iam::aws:policy/AmazonS3FullAccess"];

  return buildPlan(desired, observedOf({ apis: [liveApiOf(liveModel)], roles: [liveRole] }), PLAN_OPTIONS);
}

describe.each([
  { name: "create-from-empty", plan: createFromEmpty, calls: NO_CALLS },
  { name: "mixed", plan: mixed, calls: OBSERVE_CALLS },
])("golden: $name", ({ name, plan: make, calls }) => {
  const plan = make();

  it("text, colour off", () => {
    const text = renderText(plan, calls, { color: false });
    expect(text.includes(ESC)).toBe(false);
    golden(`plan-${name}.txt`, text);
  });

  it("text, colour on, differs only by escape codes", () => {
    const text = renderText(plan, calls, { color: true });
    expect(text.includes(ESC)).toBe(true);
    // eslint-disable-next-line no-control-regex -- stripping the ANSI colour codes
    expect(text.replace(/\u001b\[\d+m/g, "")).toBe(renderText(plan, calls, { color: false }));
  });

  it("json", () => {
    const json = renderJson(plan, calls, TARGET);
    expect(() => JSON.parse(json) as unknown).not.toThrow();
    golden(`plan-${name}.json`, json);
  });

  it("operations with their inputs and order constraints", () => {
    golden(`operations-${name}.json`, JSON.stringify(plan.operations, null, 2) + "\n");
  });
});

describe("golden: the mixed plan has what it claims", () => {
  const plan = mixed();
  it.each([
    ["an update with old → new", (p: Plan) => p.changes.some((c) => c.action === "update" && c.fields.some((f) => f.before !== undefined && f.after !== undefined))],
    ["a delete", (p: Plan) => p.changes.some((c) => c.kind === "Resource" && c.action === "delete" && c.id.path === "/legacy")],
    ["a rename", (p: Plan) => p.changes.some((c) => c.kind === "Resource" && c.action === "update" && c.patch.some((op) => op.path === "/pathPart"))],
    ["a replace", (p: Plan) => p.changes.some((c) => c.kind === "Integration" && c.action === "replace")],
    ["a deployment", (p: Plan) => p.summary.redeploy === 1],
    ["IAM changes", (p: Plan) => ["IamRole", "RolePolicy", "RolePolicyAttachment"].every((kind) => p.changes.some((c) => c.kind === kind))],
  ])("%s", (_what, has) => {
    expect(has(plan)).toBe(true);
  });
});
