// --selector: reconcile only the manifests whose metadata.labels match, as Kubernetes label selectors
// do (`team=payments,env!=dev`). Used to shard manifests between CronJobs.
import type { DesiredState } from "../model/types.ts";

export interface Requirement {
  key: string;
  op: "=" | "!=";
  value: string;
}

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectorError";
  }
}

export function parseSelector(text: string): Requirement[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const match = /^([A-Za-z0-9._/-]+)\s*(!=|==|=)\s*([A-Za-z0-9._-]*)$/.exec(part);
      if (!match) throw new SelectorError(`--selector: "${part}" is not key=value or key!=value`);
      return { key: match[1] ?? "", op: match[2] === "!=" ? "!=" : "=", value: match[3] ?? "" };
    });
}

export function matches(labels: Readonly<Record<string, string>>, requirements: readonly Requirement[]): boolean {
  return requirements.every((r) => (r.op === "=" ? labels[r.key] === r.value : labels[r.key] !== r.value));
}

/** The selected part of the desired state; an empty selection is an error (a typo must never prune). */
export function selectDesired(desired: DesiredState, requirements: readonly Requirement[]): DesiredState {
  if (requirements.length === 0) return desired;
  const selected = { objects: desired.objects.filter((object) => matches(object.labels, requirements)) };
  if (selected.objects.length === 0) throw new SelectorError("--selector matched no manifest; nothing was read or changed");
  return selected;
}
