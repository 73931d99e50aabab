// Drift alerts: announced once when a drift appears and once when it is resolved, deduplicated by a
// fingerprint kept in the state file. Delivery is retried with backoff; a failing webhook is logged
// (URL redacted) and never fails or blocks the reconcile.
import type { Change } from "../model/changes.ts";
import { contentHash } from "../model/hash.ts";
import { identity } from "./text.ts";
import { redactText, redactUrl } from "./redact.ts";

export type AlertFormat = "generic" | "slack";

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

export interface AlertContext {
  revision?: string;
  target?: { region: string; accountId: string };
}

export function alertPayloads(decision: AlertDecision, format: AlertFormat, context: AlertContext): unknown[] {
  const payloads: unknown[] = [];
  if (decision.appeared.length > 0) {
    const items = decision.appeared.map(({ fingerprint, item }) => ({
      fingerprint,
      kind: item.change.kind,
      action: item.change.action,
      ...item.change.id,
      cause: item.cause,
      fields: item.change.fields.map((f) => ({ field: f.field, live: f.before, desired: f.after })),
    }));
    payloads.push(
      format === "slack"
        ? slack(`:warning: apigw-reconciler: ${items.length} drifted object(s)${where(context)}`, decision.appeared.map(({ item }) => `• ${describe(item.change)} — ${item.change.fields.map((f) => f.field).join(", ") || "whole object"}`))
        : { event: "drift.detected", source: "apigw-reconciler", ...context, drift: items },
    );
  }
  if (decision.resolved.length > 0) {
    payloads.push(
      format === "slack"
        ? slack(`:white_check_mark: apigw-reconciler: ${decision.resolved.length} drift(s) resolved${where(context)}`, decision.resolved.map((r) => `• ${r.description}`))
        : { event: "drift.resolved", source: "apigw-reconciler", ...context, resolved: decision.resolved },
    );
  }
  return payloads;
}

/** A controller problem (source unavailable, invalid revision) that started, or the all-clear after one. */
export interface ProblemAlert {
  kind: "source-unavailable" | "invalid-revision";
  message: string;
  revision?: string;
  state: "detected" | "resolved";
}

export function problemPayload(problem: ProblemAlert, format: AlertFormat, context: AlertContext): unknown {
  const title =
    problem.state === "detected"
      ? `:rotating_light: apigw-reconciler: ${problem.kind === "source-unavailable" ? "source unavailable" : "invalid revision"} — nothing is written until it is fixed; drift is reported against the last good revision${where(context)}`
      : `:white_check_mark: apigw-reconciler: ${problem.kind === "source-unavailable" ? "source reachable again" : "revision fixed"}${where(context)}`;
  if (format === "slack") return slack(title, [problem.message]);
  return { event: `${problem.kind}.${problem.state}`, source: "apigw-reconciler", ...context, message: problem.message, ...(problem.revision ? { problemRevision: problem.revision } : {}) };
}

function where(context: AlertContext): string {
  const parts = [context.target ? `${context.target.accountId}/${context.target.region}` : "", context.revision ? `revision ${context.revision}` : ""].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function slack(title: string, lines: string[]): unknown {
  const body = lines.slice(0, 40).join("\n") + (lines.length > 40 ? `\n… and ${lines.length - 40} more` : "");
  return { text: `${title}\n${body}`, blocks: [{ type: "section", text: { type: "mrkdwn", text: `*${title}*\n${body}` } }] };
}

export interface DeliveryOptions {
  attempts: number;
  timeoutMs: number;
  backoffMs: number;
  log: (line: string) => void;
}

export const DEFAULT_DELIVERY: Omit<DeliveryOptions, "log"> = { attempts: 3, timeoutMs: 5_000, backoffMs: 500 };

/** Posts each payload to each webhook. Never throws; returns how many deliveries succeeded. */
export async function deliverAlerts(urls: readonly string[], payloads: readonly unknown[], options: DeliveryOptions): Promise<number> {
  let delivered = 0;
  await Promise.all(
    urls.flatMap((url) =>
      payloads.map(async (payload) => {
        for (let attempt = 1; attempt <= options.attempts; attempt++) {
          try {
            const response = await fetch(url, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(payload),
              signal: AbortSignal.timeout(options.timeoutMs),
            });
            if (response.ok) {
              delivered++;
              return;
            }
            options.log(`alert to ${redactUrl(url)}: HTTP ${response.status} (attempt ${attempt}/${options.attempts})`);
          } catch (error) {
            const message = redactText(error instanceof Error ? error.message : String(error), [url]);
            options.log(`alert to ${redactUrl(url)}: ${message} (attempt ${attempt}/${options.attempts})`);
          }
          if (attempt < options.attempts) await new Promise((resolve) => setTimeout(resolve, options.backoffMs * 2 ** (attempt - 1)));
        }
      }),
    ),
  );
  return delivered;
}
