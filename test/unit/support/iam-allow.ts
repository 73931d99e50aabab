// A small IAM evaluator for the tests: does a role's identity policy allow an action on a resource? It knows
// Allow statements with Action and Resource, and refuses everything else (Deny, NotAction, NotResource,
// Condition), so it cannot be silently wrong about a policy it does not model.
//
// Matching, as IAM documents it:
// - Action: "s3:GetObject"; `*` and `?` wildcards; case-insensitive ("IAM JSON policy elements: Action",
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
// - Resource: an ARN; `*` any run of characters and `?` one; "The asterisk (*) character can expand to replace
//   everything within a segment, including characters like a forward slash (/)" ("IAM JSON policy elements:
//   Resource", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
//   An action that has no resource type (s3:ListAllMyBuckets) is asked for on the resource "*", which only the
//   Resource "*" matches: "If there is no value for this column, you must specify all resources ("*")"
//   ("Actions, resources, and condition keys for Amazon S3", Service Authorization Reference).
import type { PolicyDocument } from "../../../src/model/types.ts";

type Statement = Exclude<PolicyDocument["Statement"], unknown[]>;

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

export function statementsOf(document: PolicyDocument): Statement[] {
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

/** The Allow grants of a document: each statement's actions × resources. Throws on what it does not model. */
export function allowGrants(document: PolicyDocument, name: string): { actions: string[]; resources: string[] }[] {
  return statementsOf(document).map((s, i) => {
    const at = `${name} statement ${s.Sid ?? i}`;
    if (s.Effect !== "Allow") throw new Error(`${at}: only Allow statements are modelled`);
    for (const field of ["NotAction", "NotResource", "Condition", "Principal", "NotPrincipal"] as const) {
      if (s[field] !== undefined) throw new Error(`${at}: ${field} is not modelled`);
    }
    return { actions: list(s.Action), resources: list(s.Resource) };
  });
}

/** Whether any of the policies (name → document) allows the action on the resource. */
export function allows(policies: Record<string, PolicyDocument>, action: string, resource: string): boolean {
  return Object.entries(policies).some(([name, document]) =>
    allowGrants(document, name).some((g) => g.actions.some((a) => wildcardMatch(a, action, true)) && g.resources.some((r) => wildcardMatch(r, resource, false))),
  );
}
