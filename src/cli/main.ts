// The only place that reads argv, prints and sets the exit code.
import { Command, CommanderError, Option } from "commander";
import { AwsCallError } from "../aws/errors.ts";
import { createGateway } from "../aws/gateway.ts";
import { OwnershipError } from "../engine/observe.ts";
import { PruneGuardError } from "../engine/plan.ts";
import { reconcilePass, type PassResult } from "../engine/reconcile.ts";
import { formatIssue, ManifestError } from "../manifest/issues.ts";
import { loadManifests } from "../manifest/load.ts";
import { manifestJsonSchema } from "../manifest/schema.ts";
import { renderJson } from "../report/json.ts";
import { renderText } from "../report/text.ts";

export const EXIT = { ok: 0, error: 1, changes: 2 } as const;

const DEFAULT_MANIFESTS = ["./manifests"];

function manifestsOption(): Option {
  return new Option("-m, --manifests <path...>", "manifest files or directories (searched recursively)").default(DEFAULT_MANIFESTS);
}

interface ReconcileFlags {
  manifests: string[];
  region?: string;
  endpoint?: string;
  profile?: string;
  owner: string;
  accountId?: string;
  prune: boolean;
  maxDeletions: number;
  force: boolean;
  output: "text" | "json";
  detailedExitcode: boolean;
  color: boolean;
  dryRun?: boolean;
  mode: "heal" | "observe";
  concurrency: number;
}

function addReconcileOptions(command: Command): Command {
  return command
    .addOption(manifestsOption())
    .option("--region <region>", "AWS Region (default: AWS_REGION or the profile's)")
    .option("--endpoint <url>", "AWS endpoint URL, e.g. a local emulator (default: AWS_ENDPOINT_URL)")
    .option("--profile <name>", "AWS shared-config profile")
    .option("--owner <id>", "ownership tag value of this controller instance", process.env.APIGW_RECONCILER_OWNER ?? "apigw-reconciler")
    .option("--account-id <id>", "AWS account id for ${AWS_ACCOUNT_ID} (default: learned from AWS)")
    .option("--prune", "delete owned APIs and roles whose manifests are gone", false)
    .option("--max-deletions <n>", "with --prune, refuse to delete more objects than this without --force", (v) => Number.parseInt(v, 10), 1)
    .option("--force", "allow --prune past --max-deletions", false)
    .addOption(new Option("--mode <mode>", "heal: correct differences; observe: report only, never write").choices(["heal", "observe"]).default("heal"))
    .addOption(new Option("-o, --output <format>", "report format").choices(["text", "json"]).default("text"))
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are, 1 on error", false)
    .option("--no-color", "no colour in text output (colour is used only on a terminal)")
    .option("--concurrency <n>", "writes in flight at once per API", (v) => Number.parseInt(v, 10), 4);
}

export function buildProgram(out: (text: string) => void, err: (text: string) => void): Command {
  const program = new Command("reconcile")
    .description("Keep API Gateway REST APIs (S3 proxies) and their IAM roles exactly as YAML manifests say.")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });

  const run = async (flags: ReconcileFlags, dryRun: boolean) => {
    const loaded = loadManifests(flags.manifests);
    const gateway = createGateway({ region: flags.region, endpoint: flags.endpoint, profile: flags.profile });
    try {
      const result = await reconcilePass(
        gateway,
        loaded.desired,
        {
          owner: flags.owner,
          mode: flags.mode,
          prune: flags.prune,
          maxDeletions: flags.maxDeletions,
          force: flags.force,
          ...(flags.accountId ? { accountId: flags.accountId } : {}),
          apply: { concurrencyPerGroup: Math.max(1, flags.concurrency) },
        },
        dryRun || flags.mode === "observe" ? true : false,
      );
      out(render(result, flags));
      process.exitCode = exitCodeOf(result, flags);
    } finally {
      gateway.destroy();
    }
  };

  addReconcileOptions(program.command("apply", { isDefault: true }).description("make AWS match the manifests (one pass)"))
    .option("--dry-run", "plan only: everything up to the plan, no write call", false)
    .action((flags: ReconcileFlags) => run(flags, flags.dryRun === true));
  addReconcileOptions(program.command("plan").description("show what apply would do; makes no write call")).action((flags: ReconcileFlags) => run(flags, true));

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
    if (error instanceof OwnershipError || error instanceof PruneGuardError || error instanceof AwsCallError) {
      err(`error: ${error.message}\nnothing was changed.\n`);
      return EXIT.error;
    }
    if (error instanceof ManifestError) {
      err(error.issues.map(formatIssue).join("\n") + `\n${error.issues.length} problem(s) found; nothing was changed.\n`);
      return EXIT.error;
    }
    err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.error;
  }
}

function render(result: PassResult, flags: ReconcileFlags): string {
  const color = flags.color && process.stdout.isTTY === true && !process.env.NO_COLOR;
  return flags.output === "json"
    ? renderJson(result.plan, result.calls, result.target, result.outcomes)
    : renderText(result.plan, result.calls, { color }, result.outcomes);
}

function exitCodeOf(result: PassResult, flags: ReconcileFlags): number {
  if (result.outcomes?.some((o) => o.status === "failed")) return EXIT.error;
  if (flags.detailedExitcode && result.plan.changes.length > 0) return EXIT.changes;
  return EXIT.ok;
}
