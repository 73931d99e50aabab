// ${AWS_REGION}, ${AWS_ACCOUNT_ID} and ${AWS_PARTITION} in desired strings, resolved once the target account is known.
// Mapping templates are left alone: their VTL has ${…} of its own.
import { compactRecord } from "./own.ts";
import type { DesiredState } from "./types.ts";

export interface Target {
  region: string;
  accountId: string;
  partition: string;
}

const TEMPLATE_FIELDS = new Set(["requestTemplates", "responseTemplates"]);

export function resolvePlaceholders(desired: DesiredState, target: Target): DesiredState {
  const values: Record<string, string> = { AWS_REGION: target.region, AWS_ACCOUNT_ID: target.accountId, AWS_PARTITION: target.partition };
  const resolveText = (text: string) => (text.includes("${") ? text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? "") : text);
  return { objects: desired.objects.map((object) => ({ ...object, model: resolveIn(object.model, resolveText) })) };
}

const PLACEHOLDER = /\$\{(AWS_REGION|AWS_ACCOUNT_ID|AWS_PARTITION)\}/g;

/**
 * `value` with its strings resolved, copied only where something changed: the rest is shared with the
 * desired state (never mutated after load), so a 500-API estate is not held twice while it is planned.
 */
function resolveIn<T>(value: T, resolveText: (text: string) => string): T {
  if (typeof value === "string") return resolveText(value) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const resolved = resolveIn(item, resolveText);
      if (resolved !== item) (copy ??= [...value])[i] = resolved;
    });
    return (copy ?? value) as T;
  }
  if (value === null || typeof value !== "object") return value;
  let changed = false;
  const entries = Object.entries(value as Record<string, unknown>).map(([key, item]): [string, unknown] => {
    const resolved = TEMPLATE_FIELDS.has(key) ? item : resolveIn(item, resolveText);
    changed ||= resolved !== item;
    return [key, resolved];
  });
  return (changed ? compactRecord(entries) : value) as T;
}
