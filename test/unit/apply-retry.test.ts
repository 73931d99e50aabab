// apply's retry rules on a stub gateway (exact calls, no emulator): IAM eventual consistency on a new
// role, a lost answer to a create, and a failure that stops only its own API.
import { describe, expect, it } from "vitest";
import { AwsCallError, classifyError, isRoleNotYetUsable } from "../../src/aws/errors.ts";
import type { PlannedCall } from "../../src/aws/calls.ts";
import type { Gateway } from "../../src/aws/gateway.ts";
import { QuotaScheduler } from "../../src/aws/quotas.ts";
import { CallRecorder } from "../../src/aws/recorder.ts";
import { applyPlan, DEFAULT_APPLY } from "../../src/engine/apply.ts";
import type { Operation, Plan, Service } from "../../src/model/changes.ts";

/** An AWS-shaped error, as the SDK throws it. */
function awsError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

const ROLE_NOT_READY = awsError("BadRequestException", "API Gateway does not have permission to assume the provided role arn:aws:iam::123456789012:role/r", 400);

type Script = (operation: string, input: Record<string, unknown>, attempt: number) => Record<string, unknown>;

function stubGateway(script: Script): Gateway & { calls: string[] } {
  const attempts = new Map<string, number>();
  const calls: string[] = [];
  const gateway = {
    calls,
    recorder: new CallRecorder(),
    scheduler: new QuotaScheduler({}),
    send<T>(_service: string, operation: string, input: Record<string, unknown>): Promise<T> {
      calls.push(operation);
      const attempt = (attempts.get(operation) ?? 0) + 1;
      attempts.set(operation, attempt);
      try {
        return Promise.resolve(script(operation, input, attempt) as T);
      } catch (error) {
        return Promise.reject(new AwsCallError(operation, classifyError(error)));
      }
    },
    read<T>(service: Service, operation: string, input: Record<string, unknown>): Promise<T> {
      return gateway.send<T>(service, operation, input);
    },
    sendPlanned: (call: PlannedCall) => gateway.send<Record<string, unknown>>(call.service, call.call, call.input),
    region: () => Promise.resolve("us-east-1"),
    accountIdFromSts: () => Promise.resolve("123456789012"),
    destroy: () => undefined,
    forPass: (): Gateway => gateway,
  };
  return gateway;
}

const fast = { ...DEFAULT_APPLY, retry: { retries: 5, minTimeoutMs: 1, maxTimeoutMs: 5, maxRetryTimeMs: 2_000 }, settleMs: 1_000 };

function plan(operations: Omit<Operation, "service" | "after">[] & { after?: string[] }[]): Plan {
  return {
    changes: [],
    operations: operations.map((op) => ({ service: "apigateway" as const, after: [], ...op })),
    summary: { create: 0, update: 0, delete: 0, replace: 0, redeploy: 0 },
    skipped: [],
  };
}

describe("apply: retries and recovery", () => {
  it("AWS's 'cannot assume the provided role' is IAM eventual consistency, not a terminal error", () => {
    expect(isRoleNotYetUsable(classifyError(ROLE_NOT_READY))).toBe(true);
    expect(isRoleNotYetUsable(classifyError(awsError("BadRequestException", "Invalid mapping expression specified", 400)))).toBe(false);
  });

  it("an integration write naming a just-created role is retried until the role is usable", async () => {
    const gateway = stubGateway((op, _input, attempt) => {
      if (op === "PutIntegration" && attempt <= 2) throw ROLE_NOT_READY;
      return {};
    });
    const outcomes = await applyPlan(plan([{ id: "a:PutIntegration", call: "PutIntegration", input: {}, group: "RestApi/a" }]), gateway, fast);
    expect(outcomes.map((o) => o.status)).toEqual(["applied"]);
    expect(gateway.calls).toEqual(["PutIntegration", "PutIntegration", "PutIntegration"]);
  });

  it("a role that never settles fails with a message that says so, within the bound", async () => {
    const gateway = stubGateway((op) => {
      if (op === "PutIntegration") throw ROLE_NOT_READY;
      return {};
    });
    const started = Date.now();
    const [outcome] = await applyPlan(plan([{ id: "a:PutIntegration", call: "PutIntegration", input: {}, group: "RestApi/a" }]), gateway, { ...fast, settleMs: 100 });
    expect(outcome?.status).toBe("failed");
    expect(outcome?.error).toMatch(/did not become usable by API Gateway in \d+ s of retrying; IAM is eventually consistent/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("a CreateResource whose answer was lost is found by path, not created twice", async () => {
    const gateway = stubGateway((op, input, attempt) => {
      if (op === "CreateResource" && attempt === 1) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      // The method goes onto the resource the lost call created, found by its parent and path part.
      if (op === "PutMethod" && input.resourceId !== "new1") throw awsError("NotFoundException", "Invalid Resource identifier specified", 404);
      if (op === "GetResources") return { items: [{ id: "r1", parentId: "root", pathPart: "other" }, { id: "new1", parentId: "root", pathPart: "files" }] };
      return { id: "duplicate" };
    });
    const outcomes = await applyPlan(
      plan([
        { id: "a:CreateResource", call: "CreateResource", input: { restApiId: "api", parentId: "root", pathPart: "files" }, group: "RestApi/a", produces: "resource:/files" },
        { id: "a:PutMethod", call: "PutMethod", input: { restApiId: "api", resourceId: { $ref: "resource:/files" }, httpMethod: "GET" }, group: "RestApi/a", after: ["a:CreateResource"] },
      ]),
      gateway,
      fast,
    );
    expect(outcomes.map((o) => o.status)).toEqual(["applied", "applied"]);
    expect(gateway.calls.filter((c) => c === "CreateResource")).toHaveLength(1);
  });

  // The root resource's id reaches later operations as `resource:/`: from CreateRestApi's answer, read with
  // GetResources when the answer lacks it, and read too when the API was found after a lost answer.
  it.each([
    { reason: "the answer names the root", answers: [{ id: "api1", rootResourceId: "root1" }], reads: 0 },
    { reason: "the answer does not name it: read once", answers: [{ id: "api1" }], reads: 1 },
    { reason: "the answer was lost, the API found by its tags: the root read", answers: ["lost"], reads: 1 },
  ])("CreateRestApi gives the root resource to later operations ($reason)", async ({ answers, reads }) => {
    const putOn: unknown[] = [];
    const gateway = stubGateway((op, input, attempt) => {
      if (op === "CreateRestApi") {
        const answer = answers[attempt - 1];
        if (typeof answer !== "object") throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        return answer;
      }
      if (op === "GetRestApis") return { items: [{ id: "api1", tags: { "apigw-reconciler:name": "a", "apigw-reconciler:owner": "me" } }] };
      if (op === "GetResources") return { items: [{ id: "child", path: "/x" }, { id: "root1", path: "/" }] };
      if (op === "PutMethod") putOn.push(input.resourceId);
      return {};
    });
    const outcomes = await applyPlan(
      plan([
        { id: "a:CreateRestApi", call: "CreateRestApi", input: { name: "A", tags: { "apigw-reconciler:name": "a", "apigw-reconciler:owner": "me" } }, group: "RestApi/a", produces: "api" },
        { id: "a:PutMethod", call: "PutMethod", input: { restApiId: { $ref: "api" }, resourceId: { $ref: "resource:/" }, httpMethod: "GET" }, group: "RestApi/a", after: ["a:CreateRestApi"] },
      ]),
      gateway,
      fast,
    );
    expect(outcomes.map((o) => o.status)).toEqual(["applied", "applied"]);
    expect(putOn).toEqual(["root1"]);
    expect(gateway.calls.filter((c) => c === "GetResources")).toHaveLength(reads);
    expect(gateway.calls.filter((c) => c === "CreateRestApi")).toHaveLength(1);
  });

  it("a terminal failure stops the rest of its API, not another API", async () => {
    const gateway = stubGateway((op, input) => {
      if (op === "UpdateMethod" && input.restApiId === "a") throw awsError("BadRequestException", "Invalid patch path", 400);
      return {};
    });
    const outcomes = await applyPlan(
      plan([
        { id: "a:UpdateMethod", call: "UpdateMethod", input: { restApiId: "a" }, group: "RestApi/a" },
        { id: "a:CreateDeployment", call: "CreateDeployment", input: { restApiId: "a" }, group: "RestApi/a", after: ["a:UpdateMethod"] },
        { id: "b:UpdateMethod", call: "UpdateMethod", input: { restApiId: "b" }, group: "RestApi/b" },
      ]),
      gateway,
      fast,
    );
    expect(Object.fromEntries(outcomes.map((o) => [o.id, o.status]))).toEqual({ "a:UpdateMethod": "failed", "a:CreateDeployment": "skipped", "b:UpdateMethod": "applied" });
  });
});
