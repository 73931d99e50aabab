/**
 * Shared helpers of the end-to-end tests: a private copy of manifests/ per scenario, the real
 * `reconcile` CLI run as a child process against the emulator, AWS SDK clients that read back
 * what it did, and the emulator's call log reduced to what the assertions need.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { APIGatewayClient, GetResourcesCommand, GetRestApisCommand, GetStagesCommand, type Resource, type RestApi, type Stage } from "@aws-sdk/client-api-gateway";
import { IAMClient } from "@aws-sdk/client-iam";
import { afterAll, beforeAll } from "vitest";
import YAML from "yaml";
import type { ChangeId } from "../../src/model/changes.ts";
import { isReadOperation, startEmulator, type CallLog, type Emulator } from "../emulator/emulator.ts";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const SEED_MANIFESTS = join(REPO, "manifests");
const CLI = join(REPO, "bin", "reconcile.js");

export const REGION = "us-east-1";
export const TAG_NAME = "apigw-reconciler:name";
export const TAG_OWNER = "apigw-reconciler:owner";
export const TAG_DEPLOYED = "apigw-reconciler:deployed";
export const API_KEY = "my-s3";
export const API_FILE = "s3-proxy-api.yaml";
export const ROLE_FILE = "s3-proxy-role.yaml";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

// ------------------------------------------------------------------------------ manifests

/** A private copy of manifests/ in a temporary directory, edited by the scenario. */
export class ManifestDir {
  readonly dir: string;

  constructor(source = SEED_MANIFESTS) {
    this.dir = mkdtempSync(join(tmpdir(), "apigw-e2e-"));
    cpSync(source, this.dir, { recursive: true });
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  /** The first YAML document of a file as plain data. */
  read<T = Manifest>(file: string): T {
    return YAML.parse(readFileSync(this.path(file), "utf8")) as T;
  }

  write(file: string, document: unknown): void {
    writeFileSync(this.path(file), YAML.stringify(document, { lineWidth: 0 }));
  }

  /** Reads a manifest, lets `edit` change it in place, writes it back. */
  edit(file: string, edit: (manifest: Manifest) => void): void {
    const manifest = this.read(file);
    edit(manifest);
    this.write(file, manifest);
  }

  remove(file: string): void {
    rmSync(this.path(file));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are edited as loose YAML data */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: any;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export function readSeed<T = Manifest>(file: string): T {
  return YAML.parse(readFileSync(join(SEED_MANIFESTS, file), "utf8")) as T;
}

// ------------------------------------------------------------------------------ the CLI

/** The identity of a RestApi or IamRole change as the JSON report spreads it into the change. */
export type Identity = Pick<ChangeId, "api" | "path" | "httpMethod" | "statusCode" | "stage" | "role" | "policy">;

export interface JsonChange extends Identity {
  kind: string;
  action: string;
  fields: { field: string; before?: unknown; after?: unknown }[];
  patch: { op: string; path: string; value?: string }[];
  reason?: string;
  outcome?: string;
}

export interface JsonReport {
  version: number;
  mode: "apply" | "plan";
  target?: { region: string; accountId: string };
  summary: { create: number; update: number; delete: number; replace: number; redeploy: number };
  changes: JsonChange[];
  operations: { id: string; service: string; call: string; status?: string; error?: string }[];
  skipped: { group: string; reason: string }[];
  calls: { total: number; writes: number; byOperation: Record<string, number>; errors: Record<string, number> };
}

export interface CliResult<R = JsonReport> {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time of the run. */
  ms: number;
  /** The parsed `-o json` report, when stdout holds one. */
  json?: R;
}

/** The environment of the CLI: this machine's, minus any AWS setting and revision, plus the emulator's. */
function cliEnv(emulator: Emulator): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("AWS_") && key !== "APIGW_RECONCILER_OWNER" && key !== "GITHUB_SHA" && key !== "GIT_COMMIT") env[key] = value;
  }
  return { ...env, ...emulator.env, NO_COLOR: "1" };
}

/** Runs `node bin/reconcile.js ...args` in `cwd` against the emulator; never rejects on a non-zero exit. */
export function runCliIn<R = JsonReport>(emulator: Emulator, cwd: string, args: readonly string[], timeoutMs = 150_000): Promise<CliResult<R>> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: cliEnv(emulator), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        const ms = performance.now() - started;
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        if (code === null) {
          reject(new Error(`reconcile ${args.join(" ")} did not exit normally: ${error?.message ?? ""}\n${stderr}`));
          return;
        }
        const trimmed = stdout.trim();
        const wantsJson = args.some((a, i) => a === "json" && (args[i - 1] === "-o" || args[i - 1] === "--output"));
        const json = wantsJson && trimmed.startsWith("{") ? (JSON.parse(trimmed) as R) : undefined;
        resolve({ code, stdout, stderr, ms, ...(json ? { json } : {}) });
      },
    );
  });
}

/** Runs `node bin/reconcile.js ...args` from the repository's root. */
export function runCli(emulator: Emulator, args: readonly string[], timeoutMs?: number): Promise<CliResult> {
  return runCliIn(emulator, REPO, args, timeoutMs);
}

/**
 * Runs the CLI with stdout and stderr on a pseudo-terminal (util-linux `script`), as a person at a terminal
 * runs it; `env` adds to (or, with undefined, removes from) its environment. Both streams, as the terminal
 * showed them.
 */
export function runCliOnTty(emulator: Emulator, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(" ");
  const merged = { ...cliEnv(emulator), ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key];
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qefc", command, "/dev/null"], { cwd: REPO, env: merged, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (data: Buffer) => (output += data.toString()));
    child.stderr.on("data", (data: Buffer) => (output += data.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

/** `reconcile apply -m <dir> --no-color -o json ...extra` */
export function reconcile(emulator: Emulator, dir: string, ...extra: string[]): Promise<CliResult> {
  return runCli(emulator, ["apply", "-m", dir, "--no-color", "-o", "json", ...extra]);
}

/** `reconcile plan -m <dir> --no-color -o json ...extra` */
export function plan(emulator: Emulator, dir: string, ...extra: string[]): Promise<CliResult> {
  return runCli(emulator, ["plan", "-m", dir, "--no-color", "-o", "json", ...extra]);
}

/** A readable account of a CLI run for assertion messages. */
export function describeRun(run: CliResult): string {
  const failed = run.json?.operations.filter((o) => o.status === "failed").map((o) => `${o.id}: ${o.error ?? ""}`) ?? [];
  return `exit ${run.code}\nstderr: ${run.stderr.trim().slice(0, 2000)}\nfailed ops: ${failed.join("\n") || "none"}\nstdout: ${run.stdout.slice(0, 1500)}`;
}

// ------------------------------------------------------------------------------ the call log

/** The write operations of the call log as `{ "apigateway:UpdateStage": 1, ... }` (every attempt counted). */
export function writeOps(log: CallLog): Record<string, number> {
  return Object.fromEntries(Object.entries(log.byOperation).filter(([op]) => !isReadOperation(op)).sort(([a], [b]) => a.localeCompare(b)));
}

/** The call log's operations, excluding STS identity lookups. */
export function awsOps(log: CallLog): Record<string, number> {
  return Object.fromEntries(Object.entries(log.byOperation).filter(([op]) => !op.startsWith("sts:")).sort(([a], [b]) => a.localeCompare(b)));
}

export function total(ops: Record<string, number>): number {
  return Object.values(ops).reduce((a, b) => a + b, 0);
}

// ------------------------------------------------------------------------------ SDK read-back

export interface Clients {
  apigw: APIGatewayClient;
  iam: IAMClient;
  destroy(): void;
}

export function clients(emulator: Emulator): Clients {
  const config = {
    endpoint: emulator.endpoint,
    region: REGION,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    maxAttempts: 1,
  };
  const apigw = new APIGatewayClient(config);
  const iam = new IAMClient(config);
  return {
    apigw,
    iam,
    destroy: () => {
      apigw.destroy();
      iam.destroy();
    },
  };
}

export async function allApis(apigw: APIGatewayClient): Promise<RestApi[]> {
  const page = await apigw.send(new GetRestApisCommand({ limit: 500 }));
  return page.items ?? [];
}

/** Live APIs carrying the ownership tag of manifest `key`. */
export async function ownedApis(apigw: APIGatewayClient, key = API_KEY): Promise<RestApi[]> {
  return (await allApis(apigw)).filter((api) => api.tags?.[TAG_NAME] === key);
}

export async function resourcesOf(apigw: APIGatewayClient, restApiId: string): Promise<Resource[]> {
  const page = await apigw.send(new GetResourcesCommand({ restApiId, embed: ["methods"], limit: 500 }));
  return page.items ?? [];
}

export async function stagesOf(apigw: APIGatewayClient, restApiId: string): Promise<Stage[]> {
  return (await apigw.send(new GetStagesCommand({ restApiId }))).item ?? [];
}

/** The one API owned by manifest `key` (fails when there is not exactly one). */
export async function theApi(apigw: APIGatewayClient, key = API_KEY): Promise<RestApi & { id: string }> {
  const owned = await ownedApis(apigw, key);
  if (owned.length !== 1 || !owned[0]?.id) throw new Error(`expected exactly one API tagged ${TAG_NAME}=${key}, found ${owned.length}: ${owned.map((a) => a.id).join(", ")}`);
  return owned[0] as RestApi & { id: string };
}

/** path → sorted list of HTTP methods of an API. */
export function methodsByPath(resources: readonly Resource[]): Record<string, string[]> {
  const entries = resources.map((r): [string, string[]] => [r.path ?? "?", Object.keys(r.resourceMethods ?? {}).sort()]);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** The seed manifest's path → sorted methods, "/" included. */
export function seedMethodsByPath(): Record<string, string[]> {
  const { spec } = readSeed<{ spec: { resources: Record<string, { methods?: Record<string, unknown> }> } }>(API_FILE);
  const entries = Object.entries(spec.resources).map(([path, r]): [string, string[]] => [path, Object.keys(r.methods ?? {}).sort()]);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * One emulator for a test file: started before its tests, stopped after, with SDK clients on it.
 * `onStart` hands both to the file's own bindings.
 */
export function useEmulator(onStart: (emulator: Emulator, clients: Clients) => void): void {
  let started: { emulator: Emulator; clients: Clients } | undefined;
  beforeAll(async () => {
    const emulator = await startEmulator();
    started = { emulator, clients: clients(emulator) };
    onStart(started.emulator, started.clients);
  });
  afterAll(async () => {
    started?.clients.destroy();
    await started?.emulator.stop();
  });
}

/** Names and ARNs of the seed manifests and of AWS managed policies the tests use. */
export const SEED = {
  roleKey: "apig-aws-proxy-role",
  roleName: "apigAwsProxyRole",
  bucketUri: `arn:aws:apigateway:${REGION}:s3:path/{bucket}`,
  s3FullAccess: "arn:aws:iam::aws:policy/AmazonS3FullAccess",
} as const;

// ------------------------------------------------------------------------------ the controller (`reconcile run`)

/** A pino log line of the controller. */
export interface LogLine {
  level: string;
  msg: string;
  revision?: string;
  result?: string;
  writer?: boolean;
  error?: string;
  changes?: { create: number; update: number; delete: number; replace: number; redeploy: number };
  drift?: number;
  writes?: number;
  listen?: string;
  [key: string]: unknown;
}

/**
 * `reconcile run …` as a child process against the emulator: its JSON log lines as they come, the URL of
 * its HTTP server, and a stop by signal. Every process started is killed when the test file ends.
 */
export class RunProcess {
  readonly lines: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private static readonly all = new Set<RunProcess>();

  /** `command`: the CLI command to run (default `run`; `apply` etc. for a one-shot pass to interrupt). */
  constructor(emulator: Emulator, args: readonly string[], env: Record<string, string> = {}, command = "run") {
    this.child = spawn(process.execPath, [CLI, command, ...args], { cwd: REPO, env: { ...cliEnv(emulator), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    RunProcess.all.add(this);
    let partial = "";
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const part of parts) this.take(part);
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
    void this.exited.then(() => {
      RunProcess.all.delete(this);
      this.wake();
    });
  }

  static killAll(): void {
    for (const run of RunProcess.all) run.child.kill("SIGKILL");
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private take(text: string): void {
    if (!text.trim()) return;
    try {
      this.lines.push(JSON.parse(text) as LogLine);
    } catch {
      this.lines.push({ level: "raw", msg: text });
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Log lines of finished passes (success or not). */
  passes(): LogLine[] {
    return this.lines.filter((l) => l.msg === "pass finished" || l.msg === "pass did not succeed");
  }

  /** Resolves with the first line (from index `from`) that matches; rejects after `timeoutMs` or on exit. */
  waitFor(predicate: (line: LogLine) => boolean, timeoutMs = 60_000, from = 0): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.lines.slice(from).find(predicate);
        if (found) return done(() => resolve(found));
        if (this.child.exitCode !== null || this.child.signalCode !== null) done(() => reject(new Error(`reconcile run exited (${this.child.exitCode ?? this.child.signalCode}) before the awaited line\n${this.describe()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no awaited log line within ${timeoutMs} ms\n${this.describe()}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The next pass that finishes after now and matches. */
  nextPass(predicate: (line: LogLine) => boolean = () => true, timeoutMs = 60_000): Promise<LogLine> {
    return this.waitFor((l) => (l.msg === "pass finished" || l.msg === "pass did not succeed") && predicate(l), timeoutMs, this.lines.length);
  }

  /** The HTTP server's base URL, from the "controller started" line. */
  async url(): Promise<string> {
    const started = await this.waitFor((l) => l.msg === "controller started");
    return String(started.listen);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  describe(): string {
    const tail = this.lines.slice(-12).map((l) => JSON.stringify(l).slice(0, 600));
    return `log:\n${tail.join("\n")}\nstderr: ${this.stderr.slice(-2000)}`;
  }
}
