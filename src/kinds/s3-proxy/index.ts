// The S3Proxy kind: the AWS tutorial's S3-proxy API and the role it assumes, from a dozen lines. A composite
// kind (kinds/kind.ts CompositeKind): the loader replaces each S3Proxy by a RestApi and an IamRole document,
// which then go through their own kinds like written ones; past the loader only their `origin` names it.
import type { CheckProblem } from "../../manifest/checks.ts";
import { quote } from "../../manifest/issues.ts";
import type { CompositeKind } from "../kind.ts";
import { expandS3Proxy } from "./expand.ts";
import { allows, levelsAllowing, OPERATIONS, S3_OPERATIONS } from "./operations.ts";
import { S3ProxyDocumentSchema, type S3ProxyDocument } from "./schema.ts";

/** An operation exposed without the access it needs is refused here, not answered 403 by S3 at run time. */
export function checkS3Proxy(doc: S3ProxyDocument): CheckProblem[] {
  const spec = doc.spec ?? {};
  const access = spec.access ?? "full";
  if (!spec.operations) {
    const beyond = S3_OPERATIONS.filter((name) => !allows(access, OPERATIONS[name].access));
    if (beyond.length === 0) return [];
    return [{ path: ["spec", "access"], message: `the default operations (all ${S3_OPERATIONS.length}) include ${beyond.join(", ")}, which access ${access} does not allow: list the operations to expose in spec.operations, or raise access` }];
  }
  const problems: CheckProblem[] = [];
  const seen = new Set<string>();
  spec.operations.forEach((name, i) => {
    if (seen.has(name)) problems.push({ path: ["spec", "operations", i], message: `${quote(name)} is listed twice` });
    seen.add(name);
    const needed = OPERATIONS[name].access;
    if (!allows(access, needed)) problems.push({ path: ["spec", "operations", i], message: `${name} needs access ${levelsAllowing(needed)} (spec.access is ${access}; it performs ${OPERATIONS[name].action})` });
  });
  return problems;
}

export const s3ProxyKind: CompositeKind<S3ProxyDocument> = {
  kind: "S3Proxy",
  documentSchema: S3ProxyDocumentSchema,
  check: checkS3Proxy,
  expandsTo: expandS3Proxy,
};
