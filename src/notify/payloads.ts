// The webhook bodies (pure): a decision or a controller problem → the JSON each receiver expects
// ("generic": our own event schema; "slack": an incoming-webhook message). They are the wire contract of
// delivery, not a report of the pass, so they live beside the decision and the delivery.
import { describe, type AlertDecision } from "./decide.ts";

export type AlertFormat = "generic" | "slack";

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
