// The only place that reads argv, prints and sets the exit code.
import { Command, CommanderError, Option } from "commander";
import { formatIssue, ManifestError } from "../manifest/issues.ts";
import { loadManifests } from "../manifest/load.ts";
import { manifestJsonSchema } from "../manifest/schema.ts";

export const EXIT = { ok: 0, error: 1, changes: 2 } as const;

const DEFAULT_MANIFESTS = ["./manifests"];

function manifestsOption(): Option {
  return new Option("-m, --manifests <path...>", "manifest files or directories (searched recursively)").default(DEFAULT_MANIFESTS);
}

export function buildProgram(out: (text: string) => void, err: (text: string) => void): Command {
  const program = new Command("reconcile")
    .description("Keep API Gateway REST APIs (S3 proxies) and their IAM roles exactly as YAML manifests say.")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });

  program
    .command("validate")
    .description("check manifests without touching AWS")
    .addOption(manifestsOption())
    .action((options: { manifests: string[] }) => {
      const loaded = loadManifests(options.manifests);
      out(
        `${loaded.documents} document(s) in ${loaded.files.length} file(s) are valid: ` +
          `${loaded.desired.apis.length} RestApi, ${loaded.desired.roles.length} IamRole\n`,
      );
    });

  program
    .command("schema")
    .description("print the JSON Schema of the manifests (for editors: yaml-language-server)")
    .action(() => {
      out(JSON.stringify(manifestJsonSchema(), null, 2) + "\n");
    });

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const out = (text: string) => void process.stdout.write(text);
  const err = (text: string) => void process.stderr.write(text);
  const program = buildProgram(out, err);
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    if (error instanceof ManifestError) {
      err(error.issues.map(formatIssue).join("\n") + `\n${error.issues.length} problem(s) found; nothing was changed.\n`);
      return EXIT.error;
    }
    err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.error;
  }
}
