// Flags IAM changes that broaden permissions, as `cdk diff` does: new Allow actions or resources,
// wildcards, a trust policy that admits a new principal, a newly attached managed policy.
import type { Change, FieldChange } from "../../model/changes.ts";
import type { PolicyDocument } from "../../model/types.ts";

interface Grant {
  actions: string[];
  resources: string[];
  principals: string[];
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
}

function principals(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === "string") return [value];
  return Object.entries(value as Record<string, unknown>).flatMap(([type, ids]) => list(ids).map((id) => `${type}:${id}`));
}

function allowGrants(document: PolicyDocument | undefined): Grant[] {
  if (!document) return [];
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return statements
    .filter((s) => s.Effect === "Allow")
    .map((s) => ({ actions: list(s.Action), resources: list(s.Resource ?? "*"), principals: principals(s.Principal) }));
}

/** IAM wildcards: `*` any run of characters, `?` one character; actions compare case-insensitively. */
function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

function covered(grants: readonly Grant[], action: string, resource: string): boolean {
  return grants.some((g) => g.actions.some((a) => globMatches(a, action, true)) && g.resources.some((r) => globMatches(r, resource, false)));
}

/** Human-readable reasons why `after` allows more than `before`. */
export function broadenedPermissions(before: PolicyDocument | undefined, after: PolicyDocument | undefined): string[] {
  const had = allowGrants(before);
  const reasons: string[] = [];
  for (const grant of allowGrants(after)) {
    for (const action of grant.actions) {
      for (const resource of grant.resources) {
        if (covered(had, action, resource)) continue;
        const wildcard = action === "*" || action.endsWith(":*") || resource === "*";
        reasons.push(`${wildcard ? "wildcard: " : ""}allows ${action} on ${resource}`);
      }
    }
  }
  return [...new Set(reasons)];
}

export function broadenedTrust(before: PolicyDocument | undefined, after: PolicyDocument | undefined): string[] {
  const had = new Set(allowGrants(before).flatMap((g) => g.principals));
  return [...new Set(allowGrants(after).flatMap((g) => g.principals).filter((p) => !had.has(p)))].map((p) => `trust admits ${p}`);
}

/** The change of one field of a change, if it has one. */
function fieldNamed(change: Change, name: string): FieldChange | undefined {
  return change.fields.find((f) => f.field === name);
}

/** Security notes for one change (empty when it does not broaden anything). */
export function securityNotes(change: Change): string[] {
  // Every change of a plan passes here (thousands for a large API): no per-call closures.
  switch (change.kind) {
    case "RolePolicy": {
      const document = fieldNamed(change, "document");
      return change.action === "delete" ? [] : broadenedPermissions(document?.before as PolicyDocument | undefined, document?.after as PolicyDocument | undefined);
    }
    case "RolePolicyAttachment":
      return change.action === "create" ? [`attaches managed policy ${change.id.policy ?? ""}`] : [];
    case "IamRole": {
      const trust = fieldNamed(change, "assumeRolePolicy");
      const boundary = fieldNamed(change, "permissionsBoundary");
      return [
        ...(trust ? broadenedTrust(trust.before as PolicyDocument | undefined, trust.after as PolicyDocument | undefined) : []),
        ...(boundary && boundary.before !== undefined && boundary.after === undefined ? ["removes the permissions boundary"] : []),
      ];
    }
    case "RestApi": {
      const policy = fieldNamed(change, "policy");
      return policy ? [...broadenedPermissions(policy.before as PolicyDocument | undefined, policy.after as PolicyDocument | undefined), ...broadenedTrust(policy.before as PolicyDocument | undefined, policy.after as PolicyDocument | undefined)] : [];
    }
    case "Method": {
      const auth = fieldNamed(change, "authorizationType");
      return auth && auth.after === "NONE" && auth.before !== undefined && auth.before !== "NONE" ? [`method no longer requires ${typeof auth.before === "string" ? auth.before : "its"} authorization`] : [];
    }
    default:
      return [];
  }
}
