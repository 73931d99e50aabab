// What the kinds' expansions (validated document → Desired model) share: the reconcile settings as the
// engine reads them, and descriptions as AWS keeps them. Each kind's expansion is in its folder
// (kinds/<kind>/expand.ts or model.ts).
import type { ReconcileMode, ReconcileOptions, TargetSpec } from "../model/types.ts";

/** AWS does not keep an empty description: "" and none are the same. */
export function nonEmpty(text: string | undefined): string | undefined {
  return text === "" ? undefined : text;
}

/** The reconcile settings every kind's spec has (`reconcileSettings` in schema.ts), as the engine reads them. */
export function optionsOf(spec: { adopt?: boolean; reconcile?: ReconcileMode; ignore?: string[]; region?: string; assumeRoleArn?: string }): ReconcileOptions {
  const target: TargetSpec = { ...(spec.region ? { region: spec.region } : {}), ...(spec.assumeRoleArn ? { assumeRoleArn: spec.assumeRoleArn } : {}) };
  return { adopt: spec.adopt ?? false, reconcile: spec.reconcile, ignore: spec.ignore ?? [], ...(Object.keys(target).length > 0 ? { target } : {}) };
}
