// The kind registry: every kind the reconciler manages, one line each. The loader, the engine, the
// reports and the CLI iterate it and name no kind. Adding a kind: its folder (see kinds/kind.ts for the
// contract) and one line here.
import { z } from "zod";
import type { Change } from "../model/changes.ts";
import { domainNameKind } from "./domain-name/index.ts";
import { iamRoleKind } from "./iam-role/index.ts";
import { groupKey, type AnyCompositeKind, type AnyKind } from "./kind.ts";
import { restApiKind } from "./rest-api/index.ts";
import { s3ProxyKind } from "./s3-proxy/index.ts";
import { usagePlanKind } from "./usage-plan/index.ts";

/** In the order reports and `validate` list them. */
export const KINDS: readonly AnyKind[] = [restApiKind, iamRoleKind, usagePlanKind, domainNameKind];

/** Kinds that only exist in manifests: the loader expands each document into documents of KINDS. */
export const COMPOSITE_KINDS: readonly AnyCompositeKind[] = [s3ProxyKind];

export function kindNamed(kind: string, kinds: readonly AnyKind[] = KINDS): AnyKind | undefined {
  return kinds.find((k) => k.kind === kind);
}

/** Kinds in planning order: each after every kind it requires (a cycle is a registry bug). */
export function planningOrder(kinds: readonly AnyKind[] = KINDS): AnyKind[] {
  const ordered: AnyKind[] = [];
  const visit = (kind: AnyKind, path: readonly string[]): void => {
    if (ordered.includes(kind)) return;
    if (path.includes(kind.kind)) throw new Error(`internal: kinds require each other: ${[...path, kind.kind].join(" → ")}`);
    for (const name of kind.requires) {
      const required = kindNamed(name, kinds);
      if (required) visit(required, [...path, kind.kind]);
    }
    ordered.push(kind);
  };
  for (const kind of kinds) visit(kind, []);
  return ordered;
}

/** The kind a change belongs to (by its Change.kind). */
export function kindOfChange(change: Change, kinds: readonly AnyKind[] = KINDS): AnyKind {
  const kind = kinds.find((k) => k.changeKinds.includes(change.kind));
  if (!kind) throw new Error(`internal: no kind produces ${change.kind} changes`);
  return kind;
}

/** The manifest object a change belongs to: its kind and metadata.name (the address root). */
export function objectOf(change: Change, kinds: readonly AnyKind[] = KINDS): { kind: string; name: string } {
  const kind = kindOfChange(change, kinds);
  return { kind: kind.kind, name: change.id[kind.root] ?? "" };
}

/** The plan's group of a change ("RestApi/my-s3"): as operations, skipped groups and the state file name it. */
export function groupOfChange(change: Change, kinds: readonly AnyKind[] = KINDS): string {
  const { kind, name } = objectOf(change, kinds);
  return groupKey(kind, name);
}

/** Whether a change is of a manifest object itself (not one of its parts): what prune deletes. */
export function isObjectChange(change: Change, kinds: readonly AnyKind[] = KINDS): boolean {
  return kinds.some((k) => k.kind === change.kind);
}

/** The schema of any manifest document, one branch per kind (composite kinds included). */
export function manifestDocumentSchema(kinds: readonly AnyKind[] = KINDS, composites: readonly AnyCompositeKind[] = COMPOSITE_KINDS) {
  const [first, second, ...rest] = [...kinds, ...composites].map((k) => k.documentSchema as z.ZodObject<{ kind: z.ZodLiteral<string> }>);
  if (!first || !second) throw new Error("internal: the registry needs two kinds for a union");
  return z.discriminatedUnion("kind", [first, second, ...rest]);
}

/** The JSON Schema editors use (yaml-language-server), derived from every kind's zod schema. */
export function manifestJsonSchema(kinds: readonly AnyKind[] = KINDS, composites: readonly AnyCompositeKind[] = COMPOSITE_KINDS): object {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "apigw-reconciler manifest",
    ...z.toJSONSchema(manifestDocumentSchema(kinds, composites), { target: "draft-2020-12", unrepresentable: "any", reused: "ref" }),
  };
}
