// What the kinds' expansions (validated document → Desired model) share: the reconcile settings as the
// engine reads them, and descriptions as AWS keeps them. Each kind's expansion is in its folder
// (kinds/<kind>/expand.ts or model.ts).
import type { DesiredObject, ObjectModel, ReconcileMode, ReconcileOptions, SourceRef, TargetSpec } from "../model/types.ts";

/** AWS does not keep an empty description: "" and none are the same. */
export function nonEmpty(text: string | undefined): string | undefined {
  return text === "" ? undefined : text;
}

/** The reconcile settings every kind's spec has (`reconcileSettings` in schema.ts), as the engine reads them. */
function optionsOf(spec: { adopt?: boolean; reconcile?: ReconcileMode; ignore?: string[]; region?: string; assumeRoleArn?: string }): ReconcileOptions {
  const target: TargetSpec = { ...(spec.region ? { region: spec.region } : {}), ...(spec.assumeRoleArn ? { assumeRoleArn: spec.assumeRoleArn } : {}) };
  return { adopt: spec.adopt ?? false, reconcile: spec.reconcile, ignore: spec.ignore ?? [], ...(Object.keys(target).length > 0 ? { target } : {}) };
}

type ReconcileSpec = Parameters<typeof optionsOf>[0];

/** A kind's desired object: its model, and what every kind takes from its document as is (labels, reconcile settings). */
export function desiredObject<K extends string, M extends ObjectModel>(doc: { kind: K; metadata: { labels?: Record<string, string> }; spec: ReconcileSpec }, source: SourceRef, model: M): DesiredObject<K, M> {
  return { kind: doc.kind, source, labels: doc.metadata.labels ?? {}, options: optionsOf(doc.spec), model };
}
