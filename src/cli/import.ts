// `reconcile import FILE`: a Swagger 2.0 / OpenAPI 3.x definition with API Gateway's extensions → one RestApi
// manifest (stdout or --out). Like main.ts, this file only reads argv, prints and sets the exit code; the
// reading lives in openapi/load.ts, the mapping in openapi/convert.ts. What cannot be carried over is listed
// on stderr as `unsupported: <JSON Pointer>: <what>` (exit 0); an invalid document is exit 1.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { importDocument } from "../openapi/convert.ts";
import { loadDefinition, OpenApiError } from "../openapi/load.ts";
import { renderManifest, unsupportedLines } from "../openapi/render.ts";
import { EXIT } from "./main.ts";

interface ImportFlags {
  name?: string;
  role?: string;
  placeholders: boolean;
  out?: string;
}

type Print = (text: string) => void;

export function addImportCommand(program: Command, out: Print, err: Print): void {
  program
    .command("import")
    .description("turn a Swagger 2.0 / OpenAPI 3 definition with x-amazon-apigateway-* extensions into a RestApi manifest")
    .argument("<file>", "the definition, JSON or YAML")
    .option("--name <name>", "metadata.name of the manifest (default: a slug of info.title)")
    .option("--role <name>", "write every integration's credentials as { roleRef: NAME } instead of the ARN")
    .option("--no-placeholders", "keep the document's Region, account and partition in ARNs instead of ${AWS_REGION}, ${AWS_ACCOUNT_ID}, ${AWS_PARTITION}")
    .option("--out <file>", "write the manifest to a file instead of stdout")
    .action((file: string, flags: ImportFlags) => importCommand(file, flags, out, err));
}

async function importCommand(file: string, flags: ImportFlags, out: Print, err: Print): Promise<void> {
  let loaded;
  try {
    loaded = await loadDefinition(file);
  } catch (error) {
    if (!(error instanceof OpenApiError)) throw error;
    err(`error: not a valid OpenAPI definition: ${error.message}\n`);
    process.exitCode = EXIT.error;
    return;
  }
  const options = { placeholders: flags.placeholders, ...(flags.name !== undefined ? { name: flags.name } : {}), ...(flags.role !== undefined ? { role: flags.role } : {}) };
  const { manifest, unsupported } = importDocument(loaded.document, loaded.models, options);
  for (const line of unsupportedLines(unsupported)) err(`${line}\n`);
  const text = renderManifest(manifest, file);
  if (flags.out) writeFileSync(flags.out, text);
  else out(text);
  process.exitCode = EXIT.ok;
}
