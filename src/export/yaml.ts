// Exported manifests as YAML text: one document, or several behind `---`. Pure.
import { Document, isScalar, visit } from "yaml";
import type { ExportedDocument } from "./to-manifest.ts";

/**
 * One document as YAML. No anchors and aliases (two equal policies stay written out twice), no line
 * folding (a long URI or template stays on its line), keys in the order the document has them.
 */
export function documentYaml(document: ExportedDocument): string {
  const yaml = new Document(document, { aliasDuplicateObjects: false });
  // A policy's Version: 2012-10-17 is a string in YAML 1.2 (the loader's) but a date to YAML 1.1 tools: quoted.
  visit(yaml, {
    Scalar(_, node) {
      if (isScalar(node) && typeof node.value === "string" && YAML11_TIMESTAMP.test(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  return yaml.toString({ lineWidth: 0, minContentWidth: 0 });
}

const YAML11_TIMESTAMP = /^\d{4}-\d\d?-\d\d?([Tt ]|$)/;

/** Several documents as one multi-document YAML text. */
export function documentsYaml(documents: readonly ExportedDocument[]): string {
  return documents.map(documentYaml).join("---\n");
}

/** The file an exported document is written to with --out: `<name>-api.yaml`, `<name>-role.yaml`. */
export function fileNameOf(document: ExportedDocument): string {
  return `${document.metadata.name}-${document.kind === "RestApi" ? "api" : "role"}.yaml`;
}
