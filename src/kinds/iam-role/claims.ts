// observe for IamRole, the ownership half: each desired role is read by name (GetRole has its tags), then
// judged: ours (tagged by this owner), adopted (untagged, adopt: true), or an ownership error. Orphans
// cost a call per role in the account (IAM lists roles without tags): listed only for --prune.
import type { Gateway } from "../../aws/gateway.ts";
import { TAG, type LiveIamRole } from "../../model/live.ts";
import type { DesiredIamRole } from "../../model/types.ts";
import type { KindObservation, ObserveContext, ObservedObject, Orphan, ReadCache } from "../kind.ts";
import { readIamRole } from "./observe.ts";

export async function observeIamRoles(gateway: Gateway, desired: readonly DesiredIamRole[], context: ObserveContext): Promise<KindObservation<LiveIamRole>> {
  const [results, orphans] = await Promise.all([
    Promise.all(desired.map(async (role) => ({ role, live: await readOrReuse(gateway, role.model, context.cache) }))),
    context.prune ? listOrphanRoles(gateway, context.knownNames, context.owner) : Promise.resolve([]),
  ]);
  const errors: string[] = [];
  const objects = results.map(({ role, live }) => claimRole(role, live, context.owner, errors)).filter((o) => o !== undefined);
  const arns = objects.flatMap((o) => (o.live ? [o.live.arn] : []));
  return { objects, orphans, errors, arns };
}

/** The role in full, or — on an incremental pass, when no IAM write event names it — as last read. */
async function readOrReuse(gateway: Gateway, model: DesiredIamRole["model"], cache: ReadCache | undefined): Promise<LiveIamRole | undefined> {
  const cached = cache?.reuse<LiveIamRole | { absent: true }>(model.roleName);
  const live = cached ? ("absent" in cached ? undefined : cached) : await readIamRole(gateway, model.roleName, model.key);
  // A role that does not exist is remembered too: its CreateRole would be an event.
  cache?.remember(model.roleName, live ?? { absent: true });
  return live;
}

function claimRole(role: DesiredIamRole, live: LiveIamRole | undefined, owner: string, errors: string[]): ObservedObject<LiveIamRole> | undefined {
  const key = role.model.key;
  if (!live) return { kind: "IamRole", key, adopted: false };
  const claimed = live.tags[TAG.name];
  if (claimed === key && (live.tags[TAG.owner] ?? owner) === owner) return { kind: "IamRole", key, live, adopted: false };
  if (claimed === undefined && role.options.adopt) return { kind: "IamRole", key, live, adopted: true };
  if (claimed === undefined) errors.push(`IamRole ${key}: role ${live.model.roleName} exists and is not managed by apigw-reconciler; set spec.adopt: true to take it over`);
  else errors.push(`IamRole ${key}: role ${live.model.roleName} is managed as "${claimed}" by owner "${live.tags[TAG.owner] ?? "?"}"`);
  return undefined;
}

/** Roles tagged as ours whose manifest is gone. */
async function listOrphanRoles(gateway: Gateway, knownNames: ReadonlySet<string>, owner: string): Promise<Orphan<LiveIamRole>[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await gateway.read("iam", "ListRoles", marker ? { Marker: marker } : {});
    names.push(...(page.Roles ?? []).map((r) => String(r.RoleName)));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  const orphans: Orphan<LiveIamRole>[] = [];
  for (const name of names) {
    const tags = await gateway.read("iam", "ListRoleTags", { RoleName: name });
    const map = Object.fromEntries((tags.Tags ?? []).map((t) => [String(t.Key), String(t.Value)]));
    const key = map[TAG.name];
    if (key === undefined || map[TAG.owner] !== owner || knownNames.has(key)) continue;
    const live = await readIamRole(gateway, name, key);
    if (live) orphans.push({ kind: "IamRole", key, label: `IamRole ${key}`, live });
  }
  return orphans;
}
