// `reconcile export`: a live API (and the roles its integrations assume) → manifests that apply as no change.
// Like main.ts, this file only reads argv, prints and sets the exit code; the work is in export/.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { createGateway } from "../aws/gateway.ts";
import { loadExported, roundTripDifferences } from "../export/check.ts";
import { exportLive } from "../export/live.ts";
import { documentsYaml, documentYaml, fileNameOf } from "../export/yaml.ts";
import { awsOptionsOf, EXIT } from "./main.ts";

interface ExportFlags {
  api: string;
  name?: string;
  adopt: boolean;
  out?: string;
  region?: string;
  endpoint?: string;
  profile?: string;
  accountId?: string;
}

type Print = (text: string) => void;

export function addExportCommand(program: Command, out: Print, err: Print): void {
  program
    .command("export")
    .description("write manifests for a live API and the roles its integrations assume; applying them changes nothing")
    .requiredOption("--api <name|id>", "RestApi manifest name (its apigw-reconciler:name tag), API id, or API name (when only one API has it)")
    .option("--name <name>", "metadata.name of the RestApi manifest (default: the tag's name, else from the API name)")
    .option("--adopt", "mark the manifests adopt: true (apply takes over the untagged API and roles)", false)
    .option("--out <dir>", "write one file per object (<name>-api.yaml, <name>-role.yaml) into this directory instead of stdout")
    .option("--region <region>", "AWS Region (default: AWS_REGION or the profile's)")
    .option("--endpoint <url>", "AWS endpoint URL, e.g. a local emulator (default: AWS_ENDPOINT_URL)")
    .option("--profile <name>", "AWS shared-config profile")
    .option("--account-id <id>", "AWS account id for ${AWS_ACCOUNT_ID} (default: learned from AWS)")
    .action((flags: ExportFlags) => exportCommand(flags, out, err));
}

async function exportCommand(flags: ExportFlags, out: Print, err: Print): Promise<void> {
  const gateway = createGateway(awsOptionsOf(flags));
  try {
    const result = await exportLive(gateway, {
      api: flags.api,
      adopt: flags.adopt,
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.accountId !== undefined ? { accountId: flags.accountId } : {}),
    });
    const files = result.documents.map((document) => ({ file: fileNameOf(document), text: documentYaml(document) }));
    // The manifests must load and give back what was read: otherwise say what a round trip would change.
    const differences = roundTripDifferences(result.models, loadExported(files, result.target));
    for (const note of result.notes) err(`note: ${note}\n`);
    for (const difference of differences) err(`warning: not exported exactly: ${difference}\n`);
    if (flags.out !== undefined) {
      mkdirSync(flags.out, { recursive: true });
      for (const file of files) writeFileSync(join(flags.out, file.file), file.text);
      err(`wrote ${files.map((f) => join(flags.out ?? "", f.file)).join(", ")}\n`);
    } else {
      out(documentsYaml(result.documents));
    }
    process.exitCode = EXIT.ok;
  } finally {
    gateway.destroy();
  }
}
