// The DomainName kind: a REGIONAL custom domain name of API Gateway (REST, V1) with its base path
// mappings inline (issue 10; AWS's behaviour: /work/notes/issue10-research.md §1.4–1.5).
//
// AWS calls per pass (measured in test/e2e/domain-names.test.ts):
// - observe: GetDomainNames once (paged by 500: one page up to AWS's 120 public domains); per domain a
//   manifest claims, GetBasePathMappings once; mapped APIs are named by their ownership tags from the pass's
//   one GetRestApis (ObserveContext.shared, the RestApi kind's answer). One domain with mappings: 2 reads.
// - a pass with nothing to do writes nothing; a change of the domain's fields is ONE UpdateDomainName
//   (AWS: 1 request per 30 s per account, aws/quotas.ts) plus the final TagResource of a new spec hash.
// - recovery after a lost answer: GetDomainName / GetBasePathMapping (recovery.ts).
//
// Requires RestApi: a mapping names an API (its id, or a ref to the CreateRestApi of this pass) and waits
// for its stage (the CreateStage/CreateDeployment of this pass, `stageKey`). Pruned before RestApi (the
// engine prunes in reverse order): AWS refuses to delete an API a domain still maps (research §1.5).
import type { Change } from "../../model/changes.ts";
import type { KindDiff, KindHandler } from "../kind.ts";
import { checkDomainName } from "./checks.ts";
import { diffDomainName, domainSpecHash } from "./diff.ts";
import { expandDomainName, type DomainNameModel } from "./model.ts";
import { observeDomainNames, type LiveDomainName } from "./observe.ts";
import { planDomainDeletion, planDomainName } from "./plan.ts";
import { domainNameRecovery } from "./recovery.ts";
import { DomainNameDocumentSchema, NONE, type DomainNameDocument } from "./schema.ts";
import { securityNotes } from "./security.ts";

function describe(change: Change): string {
  if (change.kind !== "BasePathMapping") return change.id.domain ?? "";
  const basePath = change.id.basePath ?? "";
  return basePath === NONE ? `base path ${NONE}` : `base path /${basePath}`;
}

export const domainNameKind: KindHandler<DomainNameModel, LiveDomainName, KindDiff, DomainNameDocument> = {
  kind: "DomainName",
  plural: "domain names",
  changeKinds: ["DomainName", "BasePathMapping"],
  root: "domain",
  requires: ["RestApi"],
  scope: "region",
  describe,
  // Manifest names have no '/': domain/NAME never collides with an API's label.
  metricLabel: (name) => `domain/${name}`,
  documentSchema: DomainNameDocumentSchema,
  check: checkDomainName,
  expand: (doc, _index, source) => expandDomainName(doc, source),
  observe: observeDomainNames,
  specHash: domainSpecHash,
  diff: (desired, live) => ({ changes: diffDomainName(desired, live) }),
  withModel: (live, model) => ({ ...live, model }),
  plan: (diff, desired, live, context) => planDomainName(diff.changes, desired, live, context),
  prune: (orphan, group, change) => planDomainDeletion(orphan.live, group, change),
  securityNotes,
  recovery: domainNameRecovery,
};
