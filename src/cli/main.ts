// The only place that reads argv, prints and sets the exit code.
import { Command, CommanderError, Option } from "commander";
import { AwsCallError } from "../aws/errors.ts";
import { Gateways } from "../aws/targets.ts";
import type { DesiredState, TargetSpec } from "../model/types.ts";
import { OwnershipError } from "../engine/observe.ts";
import { ChangeFeeds, runPass, type PassConfig } from "../engine/pass.ts";
import type { PassKind, PassReport } from "../engine/pass-report.ts";
import { PruneGuardError } from "../engine/plan.ts";
import { formatIssue, ManifestError } from "../manifest/issues.ts";
import { loadManifests } from "../manifest/load.ts";
import { COMPOSITE_KINDS, KINDS, manifestJsonSchema } from "../kinds/index.ts";
import type { Origins } from "../report/outcomes.ts";
import { SelectorError } from "../manifest/selector.ts";
import { writeFileSync } from "node:fs";
import { DEFAULT_STATE_FILE } from "../engine/state.ts";
import { DEFAULT_FEED, type FeedOptions } from "../changes/feed.ts";
import { DEFAULT_SCAN_CACHE, readScanCache, writeScanCache } from "../changes/cache-file.ts";
import { parseDuration } from "../controller/schedule.ts";
import { storeAccess } from "../state/access.ts";
import { openStateStore } from "../state/store.ts";
import { openLease } from "../state/lease.ts";
import { isS3Location } from "../state/s3.ts";
import type { AwsOptions } from "../aws/gateway.ts";
import { addRunCommand } from "./run.ts";
import { summarize, type Plan } from "../model/changes.ts";
import { contentHash } from "../model/hash.ts";
import type { AlertFormat } from "../notify/payloads.ts";
import { renderHtml } from "../report/html.ts";
import { renderJson } from "../report/json.ts";
import { renderMarkdown } from "../report/markdown.ts";
import { renderText } from "../report/text.ts";
import { addVerifyCommand } from "./verify.ts";
import { addImportCommand } from "./import.ts";
import { addExportCommand } from "./export.ts";
import { addRenderCommand } from "./render.ts";

export const EXIT = { ok: 0, error: 1, changes: 2 } as const;

const DEFAULT_MANIFESTS = ["./manifests"];

function manifestsOption(): Option {
  return new Option("-m, --manifests <path...>", "manifest files or directories (searched recursively)").default(DEFAULT_MANIFESTS);
}

type Output = "text" | "json" | "markdown" | "html";

export interface ReconcileFlags {
  manifests: string[];
  region?: string;
  endpoint?: string;
  profile?: string;
  owner: string;
  accountId?: string;
  prune: boolean;
  maxDeletions: number;
  force: boolean;
  output: Output;
  out?: string;
  detailedExitcode: boolean;
  color: boolean;
  dryRun?: boolean;
  mode: "heal" | "observe";
  concurrency: number;
  stateFile: string;
  alertWebhook: string[];
  alertFormat: AlertFormat;
  sourceRevision?: string;
  selector?: string;
  changesFrom?: "cloudtrail";
  fullScanEvery: string;
  changeMargin: string;
  /** The CLI's change-feed state between processes (run keeps it in memory). */
  scanCache?: string;
}

function addReconcileOptions(command: Command): Command {
  return addReportOptions(addSourceOptions(command)).option("--scan-cache <path>", "with --changes-from: what the last pass read, kept for the next one", DEFAULT_SCAN_CACHE);
}

/** Where the manifests, AWS and the state are: every command that reads AWS (run included). */
export function addSourceOptions(command: Command): Command {
  return command
    .addOption(manifestsOption())
    .option("--selector <labels>", "only manifests whose metadata.labels match, e.g. team=payments,env!=dev")
    .option("--region <region>", "AWS Region (default: AWS_REGION or the profile's)")
    .option("--endpoint <url>", "AWS endpoint URL, e.g. a local emulator (default: AWS_ENDPOINT_URL)")
    .option("--profile <name>", "AWS shared-config profile")
    .option("--owner <id>", "ownership tag value of this controller instance", process.env.APIGW_RECONCILER_OWNER ?? "apigw-reconciler")
    .option("--account-id <id>", "AWS account id for ${AWS_ACCOUNT_ID} (default: learned from AWS)")
    .option("--state-file <path>", "state kept between runs (last applied specs, announced drift): a local path or s3://bucket/key", DEFAULT_STATE_FILE)
    .option("--alert-webhook <url>", "POST drift alerts here (repeatable)", (value: string, previous: string[]) => [...previous, value], [] as string[])
    .addOption(new Option("--alert-format <format>", "alert payload").choices(["generic", "slack"]).default("generic"))
    .option("--source-revision <rev>", "Git revision of the manifests, for reports and alerts", process.env.GITHUB_SHA ?? process.env.GIT_COMMIT)
    .addOption(new Option("--changes-from <source>", "between full scans, re-read only the APIs and roles CloudTrail shows were written since the last pass").choices(["cloudtrail"]))
    .option("--full-scan-every <duration>", "with --changes-from: read everything at least this often", "1h")
    .option("--change-margin <duration>", "with --changes-from: how far before the last pass each CloudTrail lookup reaches (events arrive late)", "15m");
}

function addReportOptions(command: Command): Command {
  return command
    .addOption(new Option("-o, --output <format>", "report format").choices(["text", "json", "markdown", "html"]).default("text"))
    .option("--out <file>", "write the report to a file instead of stdout")
    .option("--no-color", "no colour in text output (colour is used only on a terminal)");
}

export function addWriteOptions(command: Command): Command {
  return command
    .option("--prune", "delete owned APIs and roles whose manifests are gone", false)
    .option("--max-deletions <n>", "with --prune, refuse to delete more objects than this without --force", (v) => Number.parseInt(v, 10), 1)
    .option("--force", "allow --prune past --max-deletions", false)
    .addOption(new Option("--mode <mode>", "heal: correct differences; observe: report only, never write").choices(["heal", "observe"]).default("heal"))
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are, 1 on error", false)
    .option("--concurrency <n>", "writes in flight at once per API", (v) => Number.parseInt(v, 10), 4);
}

export function buildProgram(out: (text: string) => void, err: (text: string) => void): Command {
  const program = new Command("reconcile")
    .description("Keep API Gateway REST APIs (S3 proxies) and their IAM roles exactly as YAML manifests say.")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });

  const run = (flags: ReconcileFlags, kind: PassKind) => passCommand(flags, kind, out, err);

  addWriteOptions(addReconcileOptions(program.command("apply", { isDefault: true }).description("make AWS match the manifests (one pass)")))
    .option("--dry-run", "plan only: everything up to the plan, no write call", false)
    .action((flags: ReconcileFlags) => run(flags, "apply"));
  addWriteOptions(addReconcileOptions(program.command("plan").description("show what apply would do; makes no write call"))).action((flags: ReconcileFlags) =>
    run(flags, "plan"),
  );
  addReconcileOptions(program.command("drift").description("report differences and their cause (pending or drift); never writes; exit 2 on drift")).action(
    (flags: ReconcileFlags) => run(flags, "drift"),
  );

  addRunCommand(program, err);
  addVerifyCommand(program, out, err);
  addImportCommand(program, out, err);
  addExportCommand(program, out, err);
  addRenderCommand(program, out, err);

  program
    .command("validate")
    .description("check manifests without touching AWS")
    .addOption(manifestsOption())
    .action((options: { manifests: string[] }) => {
      const loaded = loadManifests(options.manifests);
      for (const warning of loaded.warnings) err(`warning: ${formatIssue(warning)}\n`);
      out(
        `${loaded.documents} document(s) in ${loaded.files.length} file(s) are valid: ` +
          `${countsByKind(loaded.desired)}\n`,
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
    if (error instanceof OwnershipError || error instanceof PruneGuardError || error instanceof AwsCallError || error instanceof SelectorError) {
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

export function awsOptionsOf(flags: Pick<ReconcileFlags, "region" | "endpoint" | "profile">): AwsOptions {
  return { ...(flags.region ? { region: flags.region } : {}), ...(flags.endpoint ? { endpoint: flags.endpoint } : {}), ...(flags.profile ? { profile: flags.profile } : {}) };
}

/** apply, plan, drift: one pass, its report printed, its exit code set. */
async function passCommand(flags: ReconcileFlags, kind: PassKind, out: (text: string) => void, err: (text: string) => void): Promise<void> {
  const gateways = new Gateways(awsOptionsOf(flags));
  const store = openStateStore(flags.stateFile, { s3: awsOptionsOf(flags) });
  const lease = writesWithSharedState(flags, kind) ? openLease(flags.stateFile, { s3: awsOptionsOf(flags), ttlMs: 120_000, owner: flags.owner }) : undefined;
  try {
    if (lease && !(await lease.acquire())) {
      const holder = await lease.holder().catch(() => undefined);
      err(`error: the write lease ${lease.describe()} is held by ${holder ? `${holder.holder} until ${holder.expiresAt}` : "another process"}\nnothing was changed.\n`);
      process.exitCode = EXIT.error;
      return;
    }
    const deps = { gateway: gateways.for(undefined), gatewayFor: (target: TargetSpec | undefined) => gateways.for(target), state: storeAccess(store), warn: (line: string) => err(`warning: ${line}\n`) };
    const config = { ...passConfigOf(flags, kind), ...(process.stderr.isTTY && flags.output === "text" && !process.env.CI ? { progress: progressLine(err) } : {}) };
    const report = await runPass(config, deps);
    if (config.feeds && flags.scanCache && report.scan) writeScanCache(flags.scanCache, cacheIdentity(flags), config.feeds.states());
    if (report.result === "invalid-revision" || (report.result === "failed" && !report.plan)) {
      err(refusalText(report));
      process.exitCode = EXIT.error;
      return;
    }
    const text = render(report, flags);
    if (flags.out) writeFileSync(flags.out, text);
    else out(text);
    process.exitCode = exitCodeOf(report, flags);
  } finally {
    await lease?.release().catch(() => undefined);
    lease?.close();
    gateways.destroy();
    store.close();
  }
}

/**
 * A one-shot apply beside controllers that share their state in S3 takes their lease for its pass: it
 * never writes while a controller does. (A local state file is one machine's: no lease there.)
 */
function writesWithSharedState(flags: ReconcileFlags, kind: PassKind): boolean {
  return kind === "apply" && isS3Location(flags.stateFile) && flags.dryRun !== true && flags.mode !== "observe";
}

/** The pass's configuration from the command line. */
export function passConfigOf(flags: ReconcileFlags, kind: PassKind): PassConfig {
  return {
    kind,
    manifests: flags.manifests,
    ...(flags.selector !== undefined ? { selector: flags.selector } : {}),
    owner: flags.owner,
    mode: flags.mode ?? "heal",
    dryRun: flags.dryRun === true,
    prune: flags.prune === true,
    maxDeletions: flags.maxDeletions ?? 1,
    force: flags.force === true,
    ...(flags.accountId ? { accountId: flags.accountId } : {}),
    concurrency: flags.concurrency ?? 4,
    ...(flags.sourceRevision ? { revision: flags.sourceRevision } : {}),
    alerts: { webhooks: flags.alertWebhook, format: flags.alertFormat },
    ...(flags.changesFrom === "cloudtrail" ? { feeds: new ChangeFeeds(feedOptionsOf(flags), flags.scanCache ? readScanCache(flags.scanCache, cacheIdentity(flags)) : {}) } : {}),
  };
}

/** What the scan cache must have been read with to be reused: the same AWS endpoint, profile, Region, account and owner. */
function cacheIdentity(flags: ReconcileFlags): string {
  const env = process.env;
  // Hashed: the file names no credential, not even an access key id.
  return contentHash([flags.endpoint ?? env.AWS_ENDPOINT_URL, flags.profile ?? env.AWS_PROFILE, flags.region ?? env.AWS_REGION, flags.accountId, env.AWS_ACCESS_KEY_ID, flags.owner]);
}

function feedOptionsOf(flags: ReconcileFlags): FeedOptions {
  return { ...DEFAULT_FEED, fullScanEveryMs: parseDuration(flags.fullScanEvery, "--full-scan-every"), marginMs: parseDuration(flags.changeMargin, "--change-margin", true) };
}

/** A pass refused before any write: the problems, and that nothing changed. */
export function refusalText(report: PassReport): string {
  if (report.problems) return report.problems.join("\n") + `\n${report.problems.length} problem(s) found; nothing was changed.\n`;
  return `error: ${report.error ?? "the pass failed"}\nnothing was changed.\n`;
}

function render(report: PassReport, flags: ReconcileFlags): string {
  const plan = report.plan ?? emptyPlan();
  const { kind, calls, outcomes, revision } = report;
  const title = kind === "drift" ? "apigw-reconciler drift report" : kind === "plan" || !outcomes ? "apigw-reconciler plan" : "apigw-reconciler apply";
  const rev = revision ? { revision } : {};
  const origins: Origins = new Map(Object.entries(report.origins ?? {}));
  switch (flags.output) {
    case "json":
      return renderJson(plan, calls, report.target, outcomes, { ...rev, ...(report.targets ? { targets: report.targets } : {}), ...(report.scan ? { scan: report.scan } : {}), origins });
    case "markdown":
      return renderMarkdown(plan, calls, { title, ...rev, origins });
    case "html":
      return renderHtml(plan, calls, { title, generatedAt: new Date().toISOString(), ...rev, origins });
    case "text": {
      const color = flags.color && !flags.out && process.stdout.isTTY === true && !process.env.NO_COLOR;
      return renderText(plan, calls, { color, drift: kind === "drift", ...rev, ...(report.scan ? { scan: report.scan } : {}), origins }, outcomes);
    }
  }
}

function emptyPlan(): Plan {
  return { changes: [], operations: [], summary: summarize([]), skipped: [] };
}

function exitCodeOf(report: PassReport, flags: ReconcileFlags): number {
  const changes = report.plan?.changes ?? [];
  if (report.result === "failed") return EXIT.error;
  if (report.kind === "drift") return changes.some((c) => c.cause === "drift") ? EXIT.changes : EXIT.ok;
  if (flags.detailedExitcode && changes.length > 0) return EXIT.changes;
  return EXIT.ok;
}

/**
 * "1 RestApi, 1 IamRole": every kind of the registry with objects, the first two always (as validate always
 * said); then what composite documents expanded to: "(1 S3Proxy → 1 RestApi, 1 IamRole)".
 */
function countsByKind(desired: DesiredState): string {
  const counts = (objects: DesiredState["objects"], all: boolean) =>
    KINDS.map((kind, i) => ({ kind: kind.kind, count: objects.filter((o) => o.kind === kind.kind).length, always: all && i < 2 }))
      .filter((k) => k.always || k.count > 0)
      .map((k) => `${k.count} ${k.kind}`)
      .join(", ");
  const expanded = COMPOSITE_KINDS.flatMap((composite) => {
    const made = desired.objects.filter((o) => o.origin?.kind === composite.kind);
    const documents = new Set(made.map((o) => o.origin?.name)).size;
    return documents > 0 ? [`${documents} ${composite.kind} → ${counts(made, false)}`] : [];
  });
  return counts(desired.objects, true) + (expanded.length > 0 ? ` (${expanded.join("; ")})` : "");
}

/** `[120/500] APIs read` on stderr, rewritten in place: only on a terminal (never in JSON, files or CI logs). */
function progressLine(err: (text: string) => void): (plural: string, done: number, total: number) => void {
  return (plural, done, total) => {
    if (total < 10) return;
    err(`\r[${done}/${total}] ${plural} read${done === total ? "\n" : ""}`);
  };
}
