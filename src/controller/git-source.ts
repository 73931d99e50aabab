// The Git source of `reconcile run`: which commit a ref points at now (ls-remote), and that commit's files
// on disk (a shallow fetch into a cache repository, materialised under the cache directory). The system
// `git` does the work so that credential helpers, the ssh agent and ~/.ssh/config behave as they do for a
// person. Nothing is written outside the cache directory (the container's root filesystem is read-only),
// and every text that can reach a log or an error goes through the redaction below first.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { lstat, mkdir, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { join, posix, resolve as resolvePath } from "node:path";

export interface GitSourceOptions {
  /** https://, ssh://, file:// or scp-like `user@host:path`. */
  url: string;
  /** Branch, tag, fully-qualified ref (`refs/...`) or full commit SHA. */
  ref: string;
  /** The manifests folder inside the repository; default ".". */
  path?: string;
  /** Owned by this source alone: the only place it writes to. */
  cacheDir: string;
  /** Per git command; default 60 s. */
  timeoutMs?: number;
  /** Told about every git command (for debug logs and metrics); never sees the URL. */
  onCommand?: (event: GitCommandEvent) => void;
}

export interface GitCommandEvent {
  /** The git subcommand: "ls-remote", "fetch", ... */
  command: string;
  durationMs: number;
  ok: boolean;
}

export interface Revision {
  /** The commit. */
  sha: string;
  /** The ref it was reached by (`refs/heads/main`, `refs/tags/v1`), or the SHA itself when pinned. */
  ref: string;
  /** Absolute: the whole tree at that commit. */
  root: string;
  /** Absolute: the manifests folder (`--git-path`) at that commit. */
  manifestsDir: string;
}

export type SourceFailure = "unreachable" | "ref-not-found" | "path-not-found" | "timeout" | "aborted" | "cache";

/** The source cannot be read now. The message is safe to log: no credentials, git's output redacted. */
export class SourceUnavailableError extends Error {
  constructor(
    readonly kind: SourceFailure,
    message: string,
    /** The repository URL without credentials. */
    readonly url: string,
  ) {
    super(message);
    this.name = "SourceUnavailableError";
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 2_000;
const EXIT_GRACE_MS = 1_000;
const MAX_STDERR = 64 * 1024;
const MAX_CAUSE = 300;
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const SCHEME_URL = /^(?:https|ssh|file):\/\//i;
// git's scp-like syntax. The host must start with a letter or digit: "-oProxyCommand=..." is an ssh option.
const SCP_LIKE = /^(?:[A-Za-z0-9][\w.~-]*@)?[A-Za-z0-9][\w.-]*:(?!:|\/\/)\S*$/;
// Outside the refname rules of git-check-ref-format, or an option in disguise.
const BAD_REF = /^-|^\/|\/$|\.lock$|\.\.|@\{|\/\/|[\s\p{Cc}~^:?*[\\]/u;
// Pins the commit last fetched: its objects survive git's housekeeping and serve as "have"s next time,
// so a new commit costs only its difference.
const INCOMING_REF = "refs/reconciler/incoming";
// Variables that would point git at another repository or index than the ones on its command line.
const LOCAL_REPO_ENV = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE"];

/** The URL as it may be shown: no user, password or token, no query. */
export function redactGitUrl(url: string): string {
  if (!SCHEME_URL.test(url)) {
    // scp-like: its user part cannot hold a password; anything else that looks like "a:b@" is dropped.
    return url.replace(/^[^@/]*:[^@/]*@/, "");
  }
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    parsed.hash = "";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** What must never appear in a message: the credentials of the URL, as written and percent-decoded. */
function secretsOf(url: string): string[] {
  if (!SCHEME_URL.test(url)) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  // Next to a password the user name is no secret ("git", "x-access-token", "oauth2"), and scrubbing a short
  // one would garble git's words; alone, over https, it may be the token itself (https://TOKEN@host).
  const userIsSecret = parsed.password === "" && parsed.protocol !== "ssh:";
  const raw = [userIsSecret ? parsed.username : "", parsed.password, ...[...parsed.searchParams.values()]];
  const all = raw.flatMap((part) => [part, safeDecode(part)]).filter((part) => part.length > 0);
  return [...new Set(all)].sort((a, b) => b.length - a.length);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// git's advice after a failed connection: true of every failure, so it says nothing.
const BOILERPLATE = /^(?:hint:|Please make sure you have the correct access rights|and the repository exists\.)/;

/** git's error output, short: enough to say why. */
function summarise(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^(?:fatal|error):\s*/i, ""))
    .filter((line) => line.length > 0 && !BOILERPLATE.test(line));
  const text = [...new Set(lines)].join("; ") || "no error output";
  return text.length > MAX_CAUSE ? `${text.slice(0, MAX_CAUSE - 1)}…` : text;
}

function checkUrl(url: string): void {
  const scheme = SCHEME_URL.test(url);
  if (!scheme && !SCP_LIKE.test(url)) {
    throw new TypeError(`--git-url ${redactGitUrl(url)}: use https://, ssh://, file:// or user@host:path`);
  }
  if (scheme) {
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      throw new TypeError(`--git-url ${redactGitUrl(url)} is not a valid URL`);
    }
    if (host.startsWith("-")) throw new TypeError(`--git-url ${redactGitUrl(url)}: a host cannot start with "-"`);
  }
}

function checkRef(ref: string): void {
  if (ref === "" || ref === "@" || BAD_REF.test(ref)) throw new TypeError(`--git-ref "${ref}" is not a valid branch, tag, ref or commit SHA`);
}

/** The manifests folder relative to the repository root ("" for the root); refuses to leave it. */
export function normaliseGitPath(path: string): string {
  const normal = posix.normalize(path === "" ? "." : path).replace(/\/+$/, "");
  if (posix.isAbsolute(normal) || normal === ".." || normal.startsWith("../")) {
    throw new TypeError(`--git-path "${path}" must be a folder inside the repository`);
  }
  return normal === "." || normal === "" ? "" : normal;
}

interface GitRun {
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}

interface GitExit {
  code: number | null;
  stdout: string;
  stderr: string;
  stopped?: "timeout" | "aborted";
}

// Detached children do not die with this process: stop them when it exits (Ctrl-C on a developer's machine).
const running = new Set<ChildProcess>();
let exitHook = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Runs git without a shell. It gets its own session and process group (detached): with no controlling
 * terminal neither git nor ssh can prompt for a password, a passphrase or a host key, they fail instead;
 * and a stop reaches git's helpers too (git-remote-https, ssh, upload-pack). Killing only git leaves the
 * helper holding the output pipes until its own timeout, minutes later.
 * stdout is not capped: ls-remote is given patterns (git filters) and the other commands print one line.
 */
function runGit(run: GitRun): Promise<GitExit> {
  if (run.signal?.aborted) return Promise.resolve({ code: null, stdout: "", stderr: "", stopped: "aborted" });
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => running.forEach((child) => killGroup(child, "SIGKILL")));
  }
  return new Promise((resolve) => {
    const child = spawn("git", run.args, { cwd: run.cwd, env: run.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    let stdout = "";
    let stderr = "";
    let stopped: GitExit["stopped"];
    const timers: NodeJS.Timeout[] = [];
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-MAX_STDERR)));
    const stop = (why: "timeout" | "aborted"): void => {
      if (stopped) return;
      stopped = why;
      // SIGTERM first: git removes its lock and temporary files on it.
      killGroup(child, "SIGTERM");
      timers.push(setTimeout(() => killGroup(child, "SIGKILL"), KILL_GRACE_MS));
    };
    timers.push(setTimeout(() => stop("timeout"), run.timeoutMs));
    const onAbort = (): void => stop("aborted");
    run.signal?.addEventListener("abort", onAbort, { once: true });
    const finish = (code: number | null, error?: Error): void => {
      if (!running.delete(child)) return;
      timers.forEach(clearTimeout);
      run.signal?.removeEventListener("abort", onAbort);
      resolve({ code, stdout, stderr: error ? `${stderr}\nfatal: cannot run git: ${error.message}` : stderr, ...(stopped ? { stopped } : {}) });
    };
    child.on("error", (error) => finish(null, error));
    child.on("close", (code) => finish(code));
    // "close" waits for every holder of the pipes: a process that outlived git and left its group (an ssh
    // ControlPersist master) would keep it waiting. What git wrote is read well within the grace.
    child.on("exit", (code) => timers.push(setTimeout(() => finish(code), EXIT_GRACE_MS)));
  });
}

interface GitCall {
  /** Global options before the subcommand (--work-tree, -c). */
  globals?: readonly string[];
  env?: Record<string, string>;
  /** Another repository than the cache (used once, to create it). */
  gitDir?: string;
}

interface Wanted {
  sha: string;
  ref: string;
}

export class GitSource {
  /** The URL without credentials: for logs, the status page and messages. */
  readonly displayUrl: string;
  private readonly url: string;
  private readonly ref: string;
  private readonly path: string;
  private readonly cacheDir: string;
  private readonly timeoutMs: number;
  private readonly secrets: string[];
  private readonly onCommand: ((event: GitCommandEvent) => void) | undefined;
  private ready: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private current: { wanted: string; revision: Revision } | undefined;
  private readonly retained = new Set<string>();

  constructor(options: GitSourceOptions) {
    checkUrl(options.url);
    checkRef(options.ref);
    this.url = options.url;
    this.ref = FULL_SHA.test(options.ref) ? options.ref.toLowerCase() : options.ref;
    this.path = normaliseGitPath(options.path ?? ".");
    this.cacheDir = resolvePath(options.cacheDir);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.onCommand = options.onCommand;
    this.displayUrl = redactGitUrl(options.url);
    this.secrets = secretsOf(options.url);
  }

  /** ls-remote: the commit the ref points at now (a full SHA is returned as is, without a network call). */
  async resolve(signal?: AbortSignal): Promise<string> {
    return (await this.guard(() => this.lookup(signal))).sha;
  }

  /**
   * The latest revision: resolve, and when the commit differs from the last one, shallow-fetch it and
   * materialise it under cacheDir/checkouts/<sha>. The same commit again costs only the ls-remote.
   * Checkouts kept: the current one, the previous one and the retained ones; older ones are removed.
   */
  latest(signal?: AbortSignal): Promise<Revision> {
    // One update at a time: two would fetch into the same ref and index.
    const next = this.queue.then(() => this.guard(() => this.update(signal)));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Also keep this commit's checkout when pruning (the controller's last good revision); undefined: none. */
  retain(sha: string | undefined): void {
    this.retained.clear();
    if (sha !== undefined) this.retained.add(sha.toLowerCase());
  }

  private async update(signal: AbortSignal | undefined): Promise<Revision> {
    await this.ensureCache(signal);
    const wanted = await this.lookup(signal);
    if (this.current?.wanted === wanted.sha) return this.current.revision;
    let sha = wanted.sha;
    // A checkout is complete once it exists (it is renamed into place): after a restart it is reused.
    if (!(await isDirectory(this.checkoutDir(sha)))) {
      sha = await this.fetchCommit(wanted, signal);
      if (!(await isDirectory(this.checkoutDir(sha)))) await this.materialise(sha, signal);
    }
    const root = this.checkoutDir(sha);
    const revision: Revision = { sha, ref: wanted.ref, root, manifestsDir: await this.manifestsDir(root, sha) };
    const now = new Date();
    await utimes(root, now, now);
    await this.prune(sha);
    this.current = { wanted: wanted.sha, revision };
    return revision;
  }

  /** The commit to use and the ref it was found by (branch first, then tag, then a fully-qualified ref). */
  private async lookup(signal: AbortSignal | undefined): Promise<Wanted> {
    if (FULL_SHA.test(this.ref)) return { sha: this.ref, ref: this.ref };
    await this.ensureCache(signal);
    const candidates = [`refs/heads/${this.ref}`, `refs/tags/${this.ref}`, ...(this.ref.startsWith("refs/") ? [this.ref] : [])];
    // An annotated tag is listed twice: the tag object, and `^{}` for the commit it points at.
    const patterns = candidates.flatMap((name) => [name, `${name}^{}`]);
    const result = await this.git("ls-remote", ["--", this.url, ...patterns], signal);
    if (result.code !== 0) throw this.failure("unreachable", `cannot read ${this.displayUrl}`, result);
    const refs = new Map<string, string>();
    for (const line of result.stdout.split("\n")) {
      const [sha, name] = line.trim().split("\t");
      if (sha && name) refs.set(name, sha.toLowerCase());
    }
    for (const name of candidates) {
      const sha = refs.get(`${name}^{}`) ?? refs.get(name);
      if (sha) return { sha, ref: name };
    }
    throw new SourceUnavailableError("ref-not-found", `ref "${this.ref}" not found in ${this.displayUrl}`, this.displayUrl);
  }

  /**
   * Brings the commit into the cache repository, depth 1. A named ref is fetched by name (works on every
   * server); the commit may then be newer than ls-remote said, if the ref moved in between: it is used.
   * Returns the commit fetched.
   */
  private async fetchCommit(wanted: Wanted, signal: AbortSignal | undefined): Promise<string> {
    const pinned = wanted.ref === wanted.sha;
    const args = ["--depth", "1", "--no-tags", "--no-write-fetch-head", "--quiet", "--", this.url, `+${wanted.ref}:${INCOMING_REF}`];
    const result = await this.git("fetch", args, signal);
    if (result.code !== 0) {
      if (pinned && /unadvertised object/i.test(result.stderr)) return this.fetchEverything(wanted.sha, signal);
      if (/not our ref|couldn't find remote ref/i.test(result.stderr)) throw this.notFound(wanted, pinned);
      throw this.failure("unreachable", `cannot fetch ${wanted.ref} from ${this.displayUrl}`, result);
    }
    const sha = await this.commitOf(INCOMING_REF, signal);
    if (!sha) throw this.notFound(wanted, pinned);
    return sha;
  }

  /**
   * A pinned commit no ref points at, from a server that refuses such requests: protocol v0 without
   * uploadpack.allowReachableSHA1InWant (v2 servers, GitHub and GitLab among them, and git itself over
   * file:// and ssh since 2.26 accept any reachable commit). Fetches every branch and tag with their whole
   * history (unshallowing the cache: a shallow boundary would hide older commits), then looks for it.
   */
  private async fetchEverything(sha: string, signal: AbortSignal | undefined): Promise<string> {
    const shallow = await isFile(join(this.repoDir, "shallow"));
    const refspecs = ["+refs/heads/*:refs/reconciler/all/heads/*", "+refs/tags/*:refs/reconciler/all/tags/*"];
    const args = ["--no-tags", "--prune", "--no-write-fetch-head", "--quiet", ...(shallow ? ["--unshallow"] : []), "--", this.url, ...refspecs];
    const result = await this.git("fetch", args, signal);
    if (result.code !== 0) throw this.failure("unreachable", `cannot fetch from ${this.displayUrl}`, result);
    const found = await this.commitOf(sha, signal);
    if (!found) throw this.notFound({ sha, ref: sha }, true);
    return found;
  }

  private async commitOf(revision: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    const result = await this.git("rev-parse", ["--verify", "--quiet", `${revision}^{commit}`], signal);
    const sha = result.stdout.trim().toLowerCase();
    return result.code === 0 && FULL_SHA.test(sha) ? sha : undefined;
  }

  /** Writes the commit's tree to a temporary folder, then renames it into place: never half a checkout. */
  private async materialise(sha: string, signal: AbortSignal | undefined): Promise<void> {
    const temporary = join(this.tmpDir, `checkout-${sha.slice(0, 12)}-${randomBytes(4).toString("hex")}`);
    await mkdir(temporary);
    try {
      // A fresh index of our own, and symbolic links written as plain files holding the link text: a
      // manifest that is a link to /var/run/secrets/... must not be followed by the loader.
      const globals = ["-c", "core.symlinks=false", "--work-tree", temporary];
      const result = await this.git("read-tree", ["--reset", "-u", sha], signal, { globals, env: { GIT_INDEX_FILE: `${temporary}.index` } });
      if (result.code !== 0) throw this.failure("cache", `cannot check out ${sha.slice(0, 7)} of ${this.displayUrl}`, result);
      await rename(temporary, this.checkoutDir(sha)).catch(async (error: unknown) => {
        // Another process may have put the same commit in place first; its checkout is as good as ours.
        if (!(await isDirectory(this.checkoutDir(sha)))) throw error;
      });
    } finally {
      await rm(temporary, { recursive: true, force: true });
      await rm(`${temporary}.index`, { force: true });
    }
  }

  private async manifestsDir(root: string, sha: string): Promise<string> {
    const dir = join(root, this.path);
    const entry = await lstat(dir).catch(() => undefined);
    if (entry?.isDirectory()) return dir;
    const what = entry ? "is not a folder" : "not found";
    throw new SourceUnavailableError("path-not-found", `path "${this.path}" ${what} at commit ${sha.slice(0, 7)} of ${this.displayUrl}`, this.displayUrl);
  }

  /** Keeps the current checkout, the one used before it (the most recently used other one) and the retained ones. */
  private async prune(current: string): Promise<void> {
    const checkouts = join(this.cacheDir, "checkouts");
    const names = (await readdir(checkouts)).filter((name) => name !== current && !this.retained.has(name));
    const used = await Promise.all(names.map(async (name) => ({ name, at: (await stat(join(checkouts, name))).mtimeMs })));
    used.sort((a, b) => b.at - a.at);
    for (const { name } of used.slice(1)) {
      // Renamed away first: a removal cut short must not leave a partial checkout under a commit's name.
      const doomed = join(this.tmpDir, `old-${name}-${randomBytes(4).toString("hex")}`);
      await rename(join(checkouts, name), doomed);
      await rm(doomed, { recursive: true, force: true });
    }
  }

  private ensureCache(signal: AbortSignal | undefined): Promise<void> {
    this.ready ??= this.initCache(signal).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  /** The cache folders and the bare cache repository; leftovers of a killed process are removed. */
  private async initCache(signal: AbortSignal | undefined): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(join(this.cacheDir, "checkouts"), { recursive: true });
    if (await isFile(join(this.repoDir, "HEAD"))) return;
    const fresh = join(this.tmpDir, "repo.git");
    const result = await this.git("init", ["--bare", "--quiet"], signal, { gitDir: fresh });
    if (result.code !== 0) throw this.failure("cache", `cannot create the cache repository in ${this.cacheDir}`, result);
    await rename(fresh, this.repoDir);
  }

  private async git(command: string, args: readonly string[], signal: AbortSignal | undefined, call: GitCall = {}): Promise<GitExit> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of LOCAL_REPO_ENV) delete env[name];
    // No terminal prompt ever; English messages (they are matched above); temporary files in the cache.
    Object.assign(env, { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", TMPDIR: this.tmpDir }, call.env);
    // gc.autoDetach=false: git's housekeeping after a fetch runs inside the command we time and can stop,
    // not in a background process that outlives it.
    const globals = ["-c", "gc.autoDetach=false", "--git-dir", call.gitDir ?? this.repoDir, ...(call.globals ?? [])];
    const started = Date.now();
    const exit = await runGit({ args: [...globals, command, ...args], cwd: this.cacheDir, env, timeoutMs: this.timeoutMs, ...(signal ? { signal } : {}) });
    const redacted = { ...exit, stderr: this.redact(exit.stderr) };
    this.onCommand?.({ command, durationMs: Date.now() - started, ok: exit.code === 0 });
    if (exit.stopped === "timeout") throw new SourceUnavailableError("timeout", `git ${command} timed out after ${this.timeoutMs} ms (${this.displayUrl})`, this.displayUrl);
    if (exit.stopped === "aborted") throw new SourceUnavailableError("aborted", `git ${command} was stopped (${this.displayUrl})`, this.displayUrl);
    return redacted;
  }

  private redact(text: string): string {
    let out = text.split(this.url).join(this.displayUrl);
    for (const secret of this.secrets) out = out.split(secret).join("***");
    return out;
  }

  private failure(kind: SourceFailure, what: string, exit: GitExit): SourceUnavailableError {
    return new SourceUnavailableError(kind, `${what}: ${summarise(exit.stderr)}`, this.displayUrl);
  }

  private notFound(wanted: Wanted, pinned: boolean): SourceUnavailableError {
    const what = pinned ? `commit ${wanted.sha}` : `ref "${wanted.ref}"`;
    return new SourceUnavailableError("ref-not-found", `${what} not found in ${this.displayUrl}`, this.displayUrl);
  }

  /** Any other failure (the cache folder unwritable, disk full) becomes a SourceUnavailableError too. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SourceUnavailableError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new SourceUnavailableError("cache", `cache ${this.cacheDir}: ${this.redact(message)}`, this.displayUrl);
    }
  }

  private get repoDir(): string {
    return join(this.cacheDir, "repo.git");
  }

  private get tmpDir(): string {
    return join(this.cacheDir, "tmp");
  }

  private checkoutDir(sha: string): string {
    return join(this.cacheDir, "checkouts", sha);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}
