// Several accounts and Regions in one pass: how the desired state is split, which part prunes roles,
// how results are joined, and how assumed-role credentials are cached.
import { describe, expect, it } from "vitest";
import { cached } from "../../src/aws/targets.ts";
import type { PassResult } from "../../src/engine/reconcile.ts";
import { guardDeletions, joinResults, prunesAccountScope, splitByTarget } from "../../src/engine/targets.ts";
import type { Change, Operation } from "../../src/model/changes.ts";
import type { DesiredState, TargetSpec } from "../../src/model/types.ts";
import { apisOf, rolesOf, seedDesired } from "./support/models.ts";

const B = "arn:aws:iam::222222222222:role/deployer";

function desiredWith(targets: { api?: TargetSpec; role?: TargetSpec }): DesiredState {
  const d = seedDesired();
  if (targets.api) apisOf(d)[0]!.options.target = targets.api;
  if (targets.role) rolesOf(d)[0]!.options.target = targets.role;
  return d;
}

describe("splitByTarget", () => {
  const rows: { reason: string; api?: TargetSpec; role?: TargetSpec; parts: number }[] = [
    { reason: "no target anywhere: one part, the default", parts: 1 },
    { reason: "the run's own Region written out is the default target (never two parts on one account and Region)", api: { region: "us-east-1" }, parts: 1 },
    { reason: "another Region: its own part", api: { region: "eu-west-1" }, parts: 2 },
    { reason: "API and role both in another account: one part (not the default)", api: { assumeRoleArn: B }, role: { assumeRoleArn: B }, parts: 1 },
    { reason: "same account, API in another Region: two parts", api: { assumeRoleArn: B, region: "eu-west-1" }, role: { assumeRoleArn: B }, parts: 2 },
  ];
  it.each(rows)("$reason", ({ api, role, parts }) => {
    const split = splitByTarget(desiredWith({ ...(api ? { api } : {}), ...(role ? { role } : {}) }), "us-east-1");
    expect(split).toHaveLength(parts);
    expect(split.flatMap((p) => apisOf(p.desired))).toHaveLength(1);
    expect(split.flatMap((p) => rolesOf(p.desired))).toHaveLength(1);
  });

  it("of several parts in one account, only the first lists and prunes orphan roles (IAM is global)", () => {
    const d = seedDesired();
    const extra = structuredClone(apisOf(d)[0]!);
    extra.model.key = "eu-copy";
    extra.options.target = { region: "eu-west-1" };
    const other = structuredClone(apisOf(d)[0]!);
    other.model.key = "partner";
    other.options.target = { assumeRoleArn: B };
    d.objects.push(extra, other);
    const parts = splitByTarget(d, "us-east-1");
    expect(parts.map((p) => `${p.target?.assumeRoleArn ?? "own"} ${p.target?.region ?? "default"}`)).toEqual(["own default", "own eu-west-1", `${B} default`]);
    expect(parts.map((_, i) => prunesAccountScope(parts, i))).toEqual([true, false, true]);
  });

  it("two roles into one account are one account for pruning roles (compared by account, not by ARN)", () => {
    const d = seedDesired();
    const first = structuredClone(apisOf(d)[0]!);
    first.model.key = "a";
    first.options.target = { assumeRoleArn: "arn:aws:iam::222222222222:role/one" };
    const second = structuredClone(apisOf(d)[0]!);
    second.model.key = "b";
    second.options.target = { assumeRoleArn: "arn:aws:iam::222222222222:role/two" };
    d.objects = [first, second];
    const parts = splitByTarget(d, "us-east-1");
    expect(parts.map((_, i) => prunesAccountScope(parts, i))).toEqual([true, false]);
  });
});

function result(account: string, changes: Change[], operations: Operation[], applied: boolean): PassResult {
  return {
    target: { region: "us-east-1", accountId: account, partition: "aws" },
    plan: { changes, operations, summary: { create: changes.length, update: 0, delete: 0, replace: 0, redeploy: 0 }, skipped: [] },
    ...(applied ? { outcomes: operations.map((o) => ({ id: o.id, call: o.call, group: o.group, status: "applied" as const, ...(o.change !== undefined ? { change: o.change } : {}) })) } : {}),
    applied: { [`RestApi/${account}`]: { hash: account, model: {} } },
    calls: { total: 2, writes: 1, byOperation: { GetRestApis: 1, CreateRestApi: 1 }, errors: {} },
    durationMs: 10,
  };
}

const change = (api: string): Change => ({ kind: "RestApi", action: "create", id: { api }, fields: [], patch: [] });
const op = (id: string, index: number): Operation => ({ id, service: "apigateway", call: "CreateRestApi", input: {}, after: [], group: id, change: index });

describe("joinResults", () => {
  it("one result is returned as it is (no target labels)", () => {
    const one = result("111111111111", [change("a")], [op("a", 0)], true);
    expect(joinResults([one])).toBe(one);
  });

  it("several: changes labelled account/Region, operation and outcome indices shifted, calls added", () => {
    const joined = joinResults([result("111111111111", [change("a")], [op("a", 0)], true), result("222222222222", [change("b")], [op("b", 0)], true)]);
    expect(joined.plan.changes.map((c) => c.target)).toEqual(["111111111111/us-east-1", "222222222222/us-east-1"]);
    expect(joined.plan.operations.map((o) => o.change)).toEqual([0, 1]);
    expect(joined.outcomes?.map((o) => o.change)).toEqual([0, 1]);
    expect(joined.plan.summary.create).toBe(2);
    expect(joined.calls).toEqual({ total: 4, writes: 2, byOperation: { GetRestApis: 2, CreateRestApi: 2 }, errors: {} });
    expect(Object.keys(joined.applied)).toEqual(["RestApi/111111111111", "RestApi/222222222222"]);
    expect(joined.targets?.map((t) => t.accountId)).toEqual(["111111111111", "222222222222"]);
  });

  it("dry runs stay dry: no outcomes", () => {
    const joined = joinResults([result("1", [change("a")], [op("a", 0)], false), result("2", [], [], false)]);
    expect(joined.outcomes).toBeUndefined();
  });
});

describe("guardDeletions: --max-deletions across targets", () => {
  const prune = (api: string): Change => ({ kind: "RestApi", action: "delete", id: { api }, fields: [], patch: [], reason: "its manifest is gone (--prune)" });
  const plans = [result("1", [prune("a")], [], false).plan, result("2", [prune("b"), change("c")], [], false).plan];
  const rows: { reason: string; max: number; force: boolean; refused: boolean }[] = [
    { reason: "one per target, two in all, over a limit of 1: refused", max: 1, force: false, refused: true },
    { reason: "within the limit", max: 2, force: false, refused: false },
    { reason: "--force lets it through", max: 1, force: true, refused: false },
  ];
  it.each(rows)("$reason", ({ max, force, refused }) => {
    const guard = () => guardDeletions(plans, { maxDeletions: max, force });
    if (refused) expect(guard).toThrow(/--prune would delete 2 object\(s\) across targets \(RestApi a, RestApi b\), more than --max-deletions 1/);
    else expect(guard).not.toThrow();
  });
});

describe("assumed-role credentials", () => {
  it("callers that find the session expiring together share one AssumeRole", async () => {
    let calls = 0;
    const provider = cached(async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { accessKeyId: `k${calls}`, secretAccessKey: "s", expiration: new Date(Date.now() + 3_600_000) };
    });
    const keys = await Promise.all([provider(), provider(), provider()]);
    expect(keys.map((k) => k.accessKeyId)).toEqual(["k1", "k1", "k1"]);
    expect(calls).toBe(1);
  });

  it("are fetched once and again only within five minutes of expiry or after a failure", async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const provider = cached(() => {
      calls++;
      if (fail) return Promise.reject(new Error("sts down"));
      return Promise.resolve({ accessKeyId: `k${calls}`, secretAccessKey: "s", expiration: new Date(now + 3_600_000) });
    }, () => now);
    expect((await provider()).accessKeyId).toBe("k1");
    now = 3_600_000 - 6 * 60_000;
    expect((await provider()).accessKeyId).toBe("k1");
    now = 3_600_000 - 4 * 60_000;
    expect((await provider()).accessKeyId).toBe("k2");
    fail = true;
    now += 3_600_000;
    await expect(provider()).rejects.toThrow("sts down");
    fail = false;
    expect((await provider()).accessKeyId).toBe("k4");
    expect(calls).toBe(4);
  });
});
