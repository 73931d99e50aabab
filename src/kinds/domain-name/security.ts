// Why a DomainName change widens what the domain exposes, in words: a lower minimum TLS version, and an
// API stage newly reachable on the public custom domain.
import type { Change } from "../../model/changes.ts";
import { NONE } from "./schema.ts";

/**
 * The lowest TLS version a policy accepts: TLS_1_0 → 1.0; TLS_1_2 and the SecurityPolicy_TLS12_* /
 * SecurityPolicy_TLS13_1_2_* ones → 1.2; SecurityPolicy_TLS13_1_3_* / _TLS13_2025_EDGE → 1.3 (the names
 * of SDK 3.1142's SecurityPolicy enum; https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html).
 */
export function minimumTls(policy: unknown): number | undefined {
  if (typeof policy !== "string") return undefined;
  if (policy === "TLS_1_0") return 1.0;
  if (/TLS13_1_3|TLS13_2025/.test(policy)) return 1.3;
  return 1.2;
}

export function securityNotes(change: Change): string[] {
  if (change.kind === "DomainName") return domainNotes(change);
  if (change.kind !== "BasePathMapping" || change.action === "delete") return [];
  const api = change.fields.find((f) => f.field === "api");
  const stage = change.fields.find((f) => f.field === "stage");
  if (change.action === "update" && !api && !stage) return [];
  // The change names the manifest (its root), not the DNS name: the base path and the manifest say where.
  const where = change.id.basePath === NONE ? "the whole domain" : `base path /${change.id.basePath ?? ""}`;
  // An update names only what changed: the API, the stage, or both.
  const target = [api ? `RestApi ${text(api.after)}` : "", stage ? `stage ${text(stage.after)}` : ""].filter(Boolean).join(" ");
  return [`exposes ${target} on the public custom domain of DomainName ${change.id.domain ?? "?"} (${where})`];
}

const text = (value: unknown): string => (typeof value === "string" ? value : "?");

function domainNotes(change: Change): string[] {
  const policy = change.fields.find((f) => f.field === "securityPolicy");
  if (!policy || change.action === "delete") return [];
  const before = minimumTls(policy.before);
  const after = minimumTls(policy.after);
  if (before === undefined || after === undefined || after >= before) return [];
  return [`security policy lowered from ${text(policy.before)} to ${text(policy.after)}: clients may now connect with TLS ${after.toFixed(1)}`];
}
