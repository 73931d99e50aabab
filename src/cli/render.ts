// `reconcile render`: the manifests as the kinds read them — every document, each composite one (an
// S3Proxy) replaced by the documents it expands to, the others as written. Reads no AWS. Like main.ts,
// this file only reads argv, prints and sets the exit code; the expansion is the loader's.
import { Option, type Command } from "commander";
import type { ExportedDocument } from "../export/to-manifest.ts";
import { documentsYaml } from "../export/yaml.ts";
import { formatIssue } from "../manifest/issues.ts";
import { loadManifests } from "../manifest/load.ts";
import { EXIT } from "./main.ts";

type Print = (text: string) => void;

export function addRenderCommand(program: Command, out: Print, err: Print): void {
  program
    .command("render")
    .description("print the manifests with every S3Proxy expanded to the RestApi and IamRole it stands for (YAML); reads no AWS")
    .addOption(new Option("-m, --manifests <path...>", "manifest files or directories (searched recursively)").default(["./manifests"]))
    .action((flags: { manifests: string[] }) => {
      // A ManifestError (file:line:column of every problem) reaches main(), which prints it and exits 1.
      const loaded = loadManifests(flags.manifests, undefined, { documents: true });
      for (const warning of loaded.warnings) err(`warning: ${formatIssue(warning)}\n`);
      // documentsYaml writes any manifest document (export's are RestApi and IamRole; the YAML is the same).
      out(documentsYaml((loaded.expanded ?? []) as ExportedDocument[]));
      process.exitCode = EXIT.ok;
    });
}
