// The round trip, checked: exported YAML loaded with the project's loader (placeholders resolved for the
// target) must give back the models it was made from. Pure.
import { isDeepStrictEqual } from "node:util";
import { parseManifests, type SourceFile } from "../manifest/load.ts";
import { resolvePlaceholders, type Target } from "../model/placeholders.ts";
import { objectsOf, type DesiredIamRole, type DesiredRestApi, type DesiredState, type IamRoleModel, type RestApiModel } from "../model/types.ts";

/** The exported texts through the loader, placeholders resolved (a ManifestError when they do not load). */
export function loadExported(files: readonly SourceFile[], target: Target): DesiredState {
  return resolvePlaceholders(parseManifests(files).desired, target);
}

/** What differs between the models and what their manifests load back to: empty when the round trip is exact. */
export function roundTripDifferences(expected: { api: RestApiModel; roles: readonly IamRoleModel[] }, loaded: DesiredState): string[] {
  const problems: string[] = [];
  const api = objectsOf<DesiredRestApi>(loaded, "RestApi").find((a) => a.model.key === expected.api.key);
  if (!api) problems.push(`RestApi ${expected.api.key}: not in the exported manifests`);
  else problems.push(...differences(`RestApi ${expected.api.key}`, plain(expected.api), plain(api.model)));
  for (const role of expected.roles) {
    const back = objectsOf<DesiredIamRole>(loaded, "IamRole").find((r) => r.model.key === role.key);
    if (!back) problems.push(`IamRole ${role.key}: not in the exported manifests`);
    else problems.push(...differences(`IamRole ${role.key}`, plain(role), plain(back.model)));
  }
  return problems;
}

/** Without undefined fields (absent and undefined are the same to the diff). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function differences(what: string, a: unknown, b: unknown, path = ""): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
    return keys.flatMap((k) => differences(what, own(ra, k), own(rb, k), `${path}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`));
  }
  return [`${what} ${path || "/"}: live ${JSON.stringify(a)}, manifest ${JSON.stringify(b)}`];
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
