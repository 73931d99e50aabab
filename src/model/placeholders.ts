// ${AWS_REGION}, ${AWS_ACCOUNT_ID} and ${AWS_PARTITION} in desired strings, resolved once the target account is known.
// Mapping templates are left alone: their VTL has ${…} of its own.
import type { DesiredState } from "./types.ts";

export interface Target {
  region: string;
  accountId: string;
  partition: string;
}

const TEMPLATE_FIELDS = new Set(["requestTemplates", "responseTemplates"]);

export function resolvePlaceholders(desired: DesiredState, target: Target): DesiredState {
  const values: Record<string, string> = { AWS_REGION: target.region, AWS_ACCOUNT_ID: target.accountId, AWS_PARTITION: target.partition };
  const resolve = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(/\$\{(AWS_REGION|AWS_ACCOUNT_ID|AWS_PARTITION)\}/g, (_, name: string) => values[name] ?? "");
    if (Array.isArray(value)) return value.map(resolve);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, TEMPLATE_FIELDS.has(k) ? v : resolve(v)]));
    }
    return value;
  };
  return { objects: desired.objects.map((object) => ({ ...object, model: resolve(object.model) as typeof object.model })) };
}
