import { describe, expect, it } from "vitest";
import { matches, parseSelector, selectDesired, SelectorError } from "../../src/manifest/selector.ts";
import type { DesiredState } from "../../src/model/types.ts";
import { apisOf } from "./support/models.ts";

const state = (entries: [string, Record<string, string>][]): DesiredState =>
  ({ objects: entries.map(([key, labels]) => ({ kind: "RestApi", labels, model: { key } })) }) as unknown as DesiredState;

describe("--selector", () => {
  it.each<{ reason: string; text: string; labels: Record<string, string>; match: boolean }>([
    { reason: "one equality", text: "team=payments", labels: { team: "payments" }, match: true },
    { reason: "== is =", text: "team==payments", labels: { team: "payments" }, match: true },
    { reason: "all requirements must hold", text: "team=payments,env=prod", labels: { team: "payments", env: "dev" }, match: false },
    { reason: "!= holds when the label is absent", text: "env!=dev", labels: {}, match: true },
    { reason: "!= fails on the excluded value", text: "env!=dev", labels: { env: "dev" }, match: false },
    { reason: "an equality needs the label", text: "team=payments", labels: {}, match: false },
  ])("$reason", ({ text, labels, match }) => {
    expect(matches(labels, parseSelector(text))).toBe(match);
  });

  it("a malformed requirement is a clear error", () => {
    expect(() => parseSelector("team")).toThrow(SelectorError);
    expect(() => parseSelector("team=a b")).toThrow(/"team=a b" is not key=value/);
  });

  it("selects by labels; no selector selects everything; an empty selection is an error, never an empty set", () => {
    const desired = state([["a", { team: "a" }], ["b", { team: "b" }]]);
    expect(apisOf(selectDesired(desired, parseSelector("team=b"))).map((api) => api.model.key)).toEqual(["b"]);
    expect(selectDesired(desired, [])).toBe(desired);
    expect(() => selectDesired(desired, parseSelector("team=c"))).toThrow(/matched no manifest/);
  });
});
