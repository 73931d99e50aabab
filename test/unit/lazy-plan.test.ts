// A plan from nothing does not hash the API's spec while it is built: the hashes are only in the inputs of
// its deployment and final tagging, written when the plan is first read (rendered, applied, compared).
// The plan as data is the same either way (the goldens pin it byte for byte).
import { describe, expect, it, vi } from "vitest";
import { buildPlan } from "../../src/engine/plan.ts";
import { specHashOf } from "../../src/kinds/rest-api/diff.ts";
import * as hash from "../../src/model/hash.ts";
import { TAG } from "../../src/model/live.ts";
import type { seedApi} from "./support/models.ts";
import { configHashOf, liveApiOf, observedOf, PLAN_OPTIONS, seedDesired } from "./support/models.ts";

vi.mock("../../src/model/hash.ts", async (importOriginal) => {
  const original = await importOriginal<typeof hash>();
  return { ...original, contentHash: vi.fn(original.contentHash) };
});

/** How many times the API's resource tree was hashed (the costly part of its spec hash). */
function resourceTreeHashes(resources: object): number {
  return vi.mocked(hash.contentHash).mock.calls.filter(([value]) => value === resources).length;
}

describe("a plan from nothing", () => {
  it("hashes the API's spec only when the deployment's and the tagging's inputs are read, once", () => {
    const desired = seedDesired();
    const api = desired.objects.find((o) => o.kind === "RestApi");
    if (!api) throw new Error("seed has a RestApi");
    const resources = (api.model as ReturnType<typeof seedApi>["model"]).resources;
    vi.mocked(hash.contentHash).mockClear();
    const plan = buildPlan(desired, observedOf(), PLAN_OPTIONS);
    expect(resourceTreeHashes(resources)).toBe(0);

    const deployment = plan.operations.find((o) => o.call === "CreateDeployment");
    const tagging = plan.operations.find((o) => o.call === "TagResource" && o.id.endsWith(":TagResource"));
    const model = api.model as ReturnType<typeof seedApi>["model"];
    expect(deployment?.input.description).toBe(`apigw-reconciler config ${configHashOf(model)}`);
    expect((tagging?.input.tags as Record<string, unknown>)[TAG.specHash]).toBe(specHashOf(model));
    expect(tagging?.input).toBe(tagging?.input); // made once: the same object on every read
    const afterRead = resourceTreeHashes(resources);
    JSON.stringify(plan);
    expect(resourceTreeHashes(resources)).toBe(afterRead); // rendering again hashes nothing more
  });

  it("against a live API that records a spec hash, the desired one is worked out while planning (drift or pending depends on it)", () => {
    const desired = seedDesired();
    const api = desired.objects.find((o) => o.kind === "RestApi");
    if (!api) throw new Error("seed has a RestApi");
    const model = api.model as ReturnType<typeof seedApi>["model"];
    const live = liveApiOf({ ...model, description: "changed in the console" });
    vi.mocked(hash.contentHash).mockClear();
    const plan = buildPlan(desired, observedOf({ apis: [live] }), PLAN_OPTIONS);
    expect(plan.changes.find((c) => c.kind === "RestApi")?.cause).toBe("pending"); // the manifest differs from what was applied
    expect(resourceTreeHashes(model.resources)).toBe(1);
  });
});
