// Drift alerts, the decision (pure): a drift is announced once when it appears and once when it is
// resolved, deduplicated by a fingerprint kept in the state file.
import type { Change } from "../model/changes.ts";
import { contentHash } from "../model/hash.ts";
import { identity } from "../report/text.ts";

export interface DriftItem {
  change: Change;
  cause: "pending" | "drift";
}

export interface AlertDecision {
  appeared: { fingerprint: string; item: DriftItem }[];
  resolved: { fingerprint: string; description: string }[];
  /** What the state file should remember after this run. */
  announced: Record<string, string>;
}

export function fingerprintOf(change: Change): string {
  return contentHash({ kind: change.kind, action: change.action, id: change.id, fields: change.fields });
}

export function describe(change: Change): string {
  return `${change.action} ${change.kind} ${identity(change)}`.trim();
}

/** Pure: which drift is new since the last announcement and which has gone. */
export function decideAlerts(current: readonly DriftItem[], announced: Readonly<Record<string, string>>): AlertDecision {
  const drift = current.filter((item) => item.cause === "drift");
  const now = new Map(drift.map((item) => [fingerprintOf(item.change), item]));
  return {
    appeared: [...now.entries()].filter(([fp]) => !Object.hasOwn(announced, fp)).map(([fingerprint, item]) => ({ fingerprint, item })),
    resolved: Object.entries(announced)
      .filter(([fp]) => !now.has(fp))
      .map(([fingerprint, description]) => ({ fingerprint, description })),
    announced: Object.fromEntries([...now.entries()].map(([fp, item]) => [fp, describe(item.change)])),
  };
}
