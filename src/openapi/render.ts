// The imported manifest as YAML, and the unsupported list as the lines import prints on stderr.
import YAML from "yaml";
import type { RestApiDocument } from "../kinds/rest-api/schema.ts";
import type { Unsupported } from "./json.ts";

export function renderManifest(manifest: RestApiDocument, source: string): string {
  const header = `# Imported by \`reconcile import\` from ${source}.\n`;
  return header + YAML.stringify(manifest, { lineWidth: 0 });
}

export function unsupportedLines(unsupported: readonly Unsupported[]): string[] {
  return unsupported.map(({ pointer, what }) => `unsupported: ${pointer === "" ? "/" : pointer}: ${what}`);
}
