import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GitSource, normaliseGitPath, redactGitUrl, SourceUnavailableError, type GitCommandEvent, type GitSourceOptions } from "../../src/controller/git-source.ts";
import { createGitRepo, type GitRepo } from "./support/git-repo.ts";

const cleanup: (() => Promise<void>)[] = [];

async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "git-cache-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function scratchRepo(): Promise<GitRepo> {
  const repo = await createGitRepo();
  cleanup.push(() => repo.remove());
  return repo;
}

/** A source and the git subcommands it ran, in order. */
function sourceOf(options: GitSourceOptions): { source: GitSource; commands: string[] } {
  const commands: string[] = [];
  const source = new GitSource({ ...options, onCommand: (event: GitCommandEvent) => commands.push(event.command) });
  return { source, commands };
}

/** The error a promise rejects with, which must be a SourceUnavailableError. */
async function failureOf(promise: Promise<unknown>): Promise<SourceUnavailableError> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejected: unknown) => rejected,
  );
  expect(error).toBeInstanceOf(SourceUnavailableError);
  return error as SourceUnavailableError;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

// One repository for the read-only tests:
//   zero ── one ── two (main)        one: tags light (lightweight) and ann (annotated), branch release
//                                    two: tag release (a branch of the same name wins)
let repo: GitRepo;
const sha = { zero: "", one: "", two: "" };

beforeAll(async () => {
  repo = await scratchRepo();
  sha.zero = await repo.commit({ "manifests/api.yaml": "zero\n" });
  sha.one = await repo.commit({ "manifests/api.yaml": "one\n", "README.md": "readme\n" });
  await repo.tag("light", { target: sha.one });
  await repo.tag("ann", { target: sha.one, message: "annotated" });
  await repo.branch("release", sha.one);
  sha.two = await repo.commit({ "manifests/api.yaml": "two\n", "manifests/link.yaml": { symlink: "/etc/hostname" } });
  await repo.tag("release", { target: sha.two });
});

describe("GitSource.resolve", () => {
  it.each<{ reason: string; ref: string; expected: keyof typeof sha }>([
    { reason: "a branch is its head", ref: "main", expected: "two" },
    { reason: "a lightweight tag is its commit", ref: "light", expected: "one" },
    { reason: "an annotated tag is the commit it points at, not the tag object", ref: "ann", expected: "one" },
    { reason: "a fully-qualified ref is accepted", ref: "refs/heads/main", expected: "two" },
    { reason: "a branch wins over a tag of the same name", ref: "release", expected: "one" },
  ])("$reason", async ({ ref, expected }) => {
    const { source, commands } = sourceOf({ url: repo.url, ref, cacheDir: await cacheDir() });
    expect(await source.resolve()).toBe(sha[expected]);
    expect(commands).toEqual(["init", "ls-remote"]);
  });

  it("a full commit SHA is returned as is (lower case), without asking the remote", async () => {
    const { source, commands } = sourceOf({ url: repo.url, ref: sha.one.toUpperCase(), cacheDir: await cacheDir() });
    expect(await source.resolve()).toBe(sha.one);
    expect(commands).toEqual([]);
  });
});

describe("GitSource.latest materialises the commit", () => {
  it.each<{ reason: string; ref: () => string; expected: keyof typeof sha; content: string; viaRef: () => string }>([
    { reason: "branch", ref: () => "main", expected: "two", content: "two\n", viaRef: () => "refs/heads/main" },
    { reason: "lightweight tag", ref: () => "light", expected: "one", content: "one\n", viaRef: () => "refs/tags/light" },
    { reason: "annotated tag (peeled)", ref: () => "ann", expected: "one", content: "one\n", viaRef: () => "refs/tags/ann" },
    { reason: "a commit no ref points at, by SHA (protocol v2 serves any reachable commit)", ref: () => sha.zero, expected: "zero", content: "zero\n", viaRef: () => sha.zero },
  ])("$reason", async ({ ref, expected, content, viaRef }) => {
    const cache = await cacheDir();
    const revision = await new GitSource({ url: repo.url, ref: ref(), path: "manifests", cacheDir: cache }).latest();
    expect(revision).toEqual({ sha: sha[expected], ref: viaRef(), root: join(cache, "checkouts", sha[expected]), manifestsDir: join(cache, "checkouts", sha[expected], "manifests") });
    expect(await readFile(join(revision.manifestsDir, "api.yaml"), "utf8")).toBe(content);
  });

  it("a protocol v0 server refuses a commit no ref points at: every branch and tag is fetched and the commit found among them", async () => {
    vi.stubEnv("GIT_CONFIG_COUNT", "1");
    vi.stubEnv("GIT_CONFIG_KEY_0", "protocol.version");
    vi.stubEnv("GIT_CONFIG_VALUE_0", "0");
    const { source, commands } = sourceOf({ url: repo.url, ref: sha.zero, path: "manifests", cacheDir: await cacheDir() });
    const revision = await source.latest();
    expect(await readFile(join(revision.manifestsDir, "api.yaml"), "utf8")).toBe("zero\n");
    expect(commands.filter((command) => command === "fetch")).toHaveLength(2);
  });

  it("--git-path defaults to the repository root; nothing else is written outside the cache", async () => {
    const cache = await cacheDir();
    const revision = await new GitSource({ url: repo.url, ref: "light", cacheDir: cache }).latest();
    expect(revision.manifestsDir).toBe(revision.root);
    expect((await readdir(revision.root)).sort()).toEqual(["README.md", "manifests"]);
    expect((await readdir(cache)).sort()).toEqual(["checkouts", "repo.git", "tmp"]);
  });

  it("a symbolic link is written as a plain file holding its target: the loader never follows it out of the checkout", async () => {
    const revision = await new GitSource({ url: repo.url, ref: "main", path: "manifests", cacheDir: await cacheDir() }).latest();
    const link = join(revision.manifestsDir, "link.yaml");
    expect((await lstat(link)).isFile()).toBe(true);
    expect(await readFile(link, "utf8")).toBe("/etc/hostname");
  });
});

describe("GitSource.latest follows the ref", () => {
  it("the same commit again costs one ls-remote; a new commit is fetched and checked out", async () => {
    const own = await scratchRepo();
    const first = await own.commit({ "m/a.yaml": "1\n" });
    const { source, commands } = sourceOf({ url: own.url, ref: "main", path: "m", cacheDir: await cacheDir() });
    expect((await source.latest()).sha).toBe(first);
    expect(commands).toEqual(["init", "ls-remote", "fetch", "rev-parse", "read-tree"]);

    commands.length = 0;
    expect((await source.latest()).sha).toBe(first);
    expect(commands).toEqual(["ls-remote"]);

    commands.length = 0;
    const second = await own.commit({ "m/a.yaml": "2\n" });
    const revision = await source.latest();
    expect(revision.sha).toBe(second);
    expect(await readFile(join(revision.manifestsDir, "a.yaml"), "utf8")).toBe("2\n");
    expect(commands).toEqual(["ls-remote", "fetch", "rev-parse", "read-tree"]);
  });

  it("after a restart the checkout on disk is reused: no fetch", async () => {
    const cache = await cacheDir();
    await new GitSource({ url: repo.url, ref: "main", cacheDir: cache }).latest();
    const { source, commands } = sourceOf({ url: repo.url, ref: "main", cacheDir: cache });
    expect((await source.latest()).sha).toBe(sha.two);
    expect(commands).toEqual(["ls-remote"]);
  });

  it("a pinned commit already checked out costs no git command at all", async () => {
    const { source, commands } = sourceOf({ url: repo.url, ref: sha.one, cacheDir: await cacheDir() });
    await source.latest();
    commands.length = 0;
    expect((await source.latest()).sha).toBe(sha.one);
    expect(commands).toEqual([]);
  });

  it("keeps the current and the previous checkouts (and a retained one), removes older ones", async () => {
    const own = await scratchRepo();
    const cache = await cacheDir();
    const source = new GitSource({ url: own.url, ref: "main", cacheDir: cache });
    const commits: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      commits.push(await own.commit({ "a.yaml": `${n}\n` }));
      await source.latest();
      if (n === 1) source.retain(commits[0]);
    }
    expect((await readdir(join(cache, "checkouts"))).sort()).toEqual([commits[0], commits[2], commits[3]].sort());
    source.retain(undefined);
    commits.push(await own.commit({ "a.yaml": "5\n" }));
    await source.latest();
    expect((await readdir(join(cache, "checkouts"))).sort()).toEqual([commits[3], commits[4]].sort());
  });

  it("what a killed process left in the cache's tmp folder is removed and never taken for a checkout", async () => {
    const cache = await cacheDir();
    await mkdir(join(cache, "tmp", `checkout-${sha.two.slice(0, 12)}-dead`), { recursive: true });
    const revision = await new GitSource({ url: repo.url, ref: "main", path: "manifests", cacheDir: cache }).latest();
    expect(await readFile(join(revision.manifestsDir, "api.yaml"), "utf8")).toBe("two\n");
    expect(await readdir(join(cache, "tmp"))).toEqual([]);
  });

  it("two calls at once share the work: one fetch", async () => {
    const { source, commands } = sourceOf({ url: repo.url, ref: "main", cacheDir: await cacheDir() });
    const [a, b] = await Promise.all([source.latest(), source.latest()]);
    expect(a).toEqual(b);
    expect(commands.filter((command) => command === "fetch")).toHaveLength(1);
  });
});

describe("GitSource failures are SourceUnavailableError with a short cause", () => {
  it.each<{ reason: string; options: () => Partial<GitSourceOptions>; kind: SourceUnavailableError["kind"]; message: () => RegExp }>([
    { reason: "unknown ref", options: () => ({ ref: "nope" }), kind: "ref-not-found", message: () => /^ref "nope" not found in file:\/\/\/.*remote\.git$/ },
    { reason: "unknown commit", options: () => ({ ref: "1".repeat(40) }), kind: "ref-not-found", message: () => /^commit 1{40} not found in file:/ },
    {
      reason: "repository gone (tests run as root: chmod would not stop git, a missing folder does)",
      options: () => ({ url: `${repo.url.replace(/remote\.git$/, "")}missing.git` }),
      kind: "unreachable",
      message: () => /^cannot read file:\/\/\/.*missing\.git: '.*missing\.git' does not appear to be a git repository; Could not read from remote repository\.$/,
    },
    { reason: "--git-path missing at that commit", options: () => ({ path: "deploy" }), kind: "path-not-found", message: () => new RegExp(`^path "deploy" not found at commit ${sha.two.slice(0, 7)} of file:`) },
    { reason: "--git-path is a file", options: () => ({ path: "manifests/api.yaml" }), kind: "path-not-found", message: () => /^path "manifests\/api\.yaml" is not a folder at commit/ },
  ])("$reason", async ({ options, kind, message }) => {
    const source = new GitSource({ url: repo.url, ref: "main", cacheDir: await cacheDir(), ...options() });
    const error = await failureOf(source.latest());
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message());
  });

  it("a path missing at a new commit fails each time, and the previous revision is kept", async () => {
    const own = await scratchRepo();
    await own.commit({ "m/a.yaml": "1\n" });
    const { source, commands } = sourceOf({ url: own.url, ref: "main", path: "m", cacheDir: await cacheDir() });
    const good = await source.latest();
    await own.commit({ "m/a.yaml": null, "other.yaml": "x\n" });
    expect((await failureOf(source.latest())).kind).toBe("path-not-found");
    commands.length = 0;
    expect((await failureOf(source.latest())).kind).toBe("path-not-found");
    expect(commands).toEqual(["ls-remote"]);
    expect(await readFile(join(good.manifestsDir, "a.yaml"), "utf8")).toBe("1\n");
  });

  it("a repository that disappears after a first success makes the next call fail", async () => {
    const own = await scratchRepo();
    await own.commit({ "a.yaml": "1\n" });
    const source = new GitSource({ url: own.url, ref: "main", cacheDir: await cacheDir() });
    await source.latest();
    await rename(own.bareDir, `${own.bareDir}.gone`);
    expect((await failureOf(source.latest())).kind).toBe("unreachable");
  });

  it.each<{ reason: string; options: Partial<GitSourceOptions>; message: RegExp }>([
    { reason: "a path leaving the repository", options: { path: "../etc" }, message: /--git-path "\.\.\/etc" must be a folder inside the repository/ },
    { reason: "a path leaving it after normalisation", options: { path: "manifests/../../x" }, message: /--git-path/ },
    { reason: "an absolute path", options: { path: "/etc" }, message: /--git-path/ },
    { reason: "plaintext http (a token would travel in clear)", options: { url: "http://example.com/x.git" }, message: /--git-url http:\/\/example\.com\/x\.git: use https/ },
    { reason: "a transport helper running a command", options: { url: "ext::sh -c touch% /tmp/pwned" }, message: /--git-url/ },
    { reason: "an ssh option in disguise", options: { url: "-oProxyCommand=touch:x" }, message: /--git-url/ },
    { reason: "a host starting with a dash", options: { url: "ssh://-oProxyCommand=x/repo" }, message: /--git-url/ },
    { reason: "a plain local path (say file://)", options: { url: "/srv/repo.git" }, message: /--git-url/ },
    { reason: "a ref that is an option", options: { ref: "--upload-pack=touch" }, message: /--git-ref "--upload-pack=touch" is not a valid/ },
    { reason: "a ref with ..", options: { ref: "a..b" }, message: /--git-ref/ },
    { reason: "an empty ref", options: { ref: "" }, message: /--git-ref/ },
  ])("options are checked up front: $reason", ({ options, message }) => {
    expect(() => new GitSource({ url: "file:///srv/repo.git", ref: "main", cacheDir: "/nonexistent", ...options })).toThrow(message);
  });

  it.each<{ path: string; expected: string }>([
    { path: ".", expected: "" },
    { path: "", expected: "" },
    { path: "manifests/", expected: "manifests" },
    { path: "./a/b", expected: "a/b" },
    { path: "a/../b", expected: "b" },
  ])("--git-path $path is normalised to $expected", ({ path, expected }) => {
    expect(normaliseGitPath(path)).toBe(expected);
  });

  it("accepts every URL form git users write", () => {
    for (const url of ["https://github.com/org/repo.git", "ssh://git@github.com:22/org/repo.git", "git@github.com:org/repo.git", "host:/srv/repo.git", "file:///srv/repo.git"]) {
      expect(() => new GitSource({ url, ref: "main", cacheDir: "/nonexistent" }), url).not.toThrow();
    }
  });
});

describe("credentials never reach a message", () => {
  it.each<{ reason: string; url: string; expected: string }>([
    { reason: "user and password", url: "https://user:s3cr3t@git.example.com/x.git", expected: "https://git.example.com/x.git" },
    { reason: "a token as the user name", url: "https://ghp_abcdef123456@github.com/org/repo.git", expected: "https://github.com/org/repo.git" },
    { reason: "a token in the query", url: "https://git.example.com/x.git?private_token=abc", expected: "https://git.example.com/x.git" },
    { reason: "an ssh URL loses its user too", url: "ssh://git@host:2222/x.git", expected: "ssh://host:2222/x.git" },
    { reason: "scp-like: the user part cannot hold a password, it stays", url: "git@github.com:org/repo.git", expected: "git@github.com:org/repo.git" },
    { reason: "file URL unchanged", url: "file:///srv/repo.git", expected: "file:///srv/repo.git" },
  ])("redactGitUrl: $reason", ({ url, expected }) => {
    expect(redactGitUrl(url)).toBe(expected);
  });

  it("a failing https remote: the error names the host, never the user, the password or its decoded form", async () => {
    vi.stubEnv("NO_PROXY", "127.0.0.1");
    vi.stubEnv("no_proxy", "127.0.0.1");
    const source = new GitSource({ url: "https://deploy-bot:s3cr3t%2Fpw@127.0.0.1:1/repo.git", ref: "main", cacheDir: await cacheDir() });
    expect(source.displayUrl).toBe("https://127.0.0.1:1/repo.git");
    const error = await failureOf(source.latest());
    expect(error.kind).toBe("unreachable");
    expect(error.message).toMatch(/^cannot read https:\/\/127\.0\.0\.1:1\/repo\.git: unable to access 'https:\/\/127\.0\.0\.1:1\/repo\.git\/': Failed to connect/);
    expect(error.url).toBe("https://127.0.0.1:1/repo.git");
    for (const secret of ["s3cr3t", "s3cr3t%2Fpw", "s3cr3t/pw", "deploy-bot"]) expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(secret);
  });

  it("git's own output is scrubbed: a secret git echoes back is replaced", async () => {
    // git prints a missing file:// repository's path as written, query included: the secret reaches stderr.
    const source = new GitSource({ url: `${repo.url}.missing?token=t0ps3cr3t`, ref: "main", cacheDir: await cacheDir() });
    const error = await failureOf(source.latest());
    expect(error.message).toContain("token=***");
    expect(error.message).not.toContain("t0ps3cr3t");
  });
});

describe("a git command that hangs is stopped", () => {
  let server: Server;
  let port = 0;
  const sockets: Socket[] = [];
  const closed: Promise<void>[] = [];
  let received = 0;

  beforeAll(async () => {
    // Accepts the connection and never answers: git-remote-https waits for the TLS handshake.
    server = createServer((socket) => {
      sockets.push(socket);
      closed.push(new Promise((resolve) => socket.on("close", () => resolve())));
      // What the helper sends (its TLS ClientHello) is read and dropped: a socket whose received bytes are
      // never read never ends, so its "close" would not come when the helper dies.
      socket.on("data", (chunk: Buffer) => (received += chunk.length));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  const hanging = async (timeoutMs?: number): Promise<GitSource> => {
    vi.stubEnv("NO_PROXY", "127.0.0.1");
    vi.stubEnv("no_proxy", "127.0.0.1");
    return new GitSource({ url: `https://127.0.0.1:${port}/repo.git`, ref: "main", cacheDir: await cacheDir(), ...(timeoutMs ? { timeoutMs } : {}) });
  };

  it("on abort: the whole process group is killed (the helper holding the connection too), at once", async () => {
    const source = await hanging();
    const controller = new AbortController();
    const pending = source.latest(controller.signal);
    // git may take seconds to start on a loaded machine; "at once" is measured from the abort.
    // The helper is stopped mid-handshake, once it has sent its first bytes (as on a loaded machine).
    await vi.waitFor(() => expect(received).toBeGreaterThan(0), { timeout: 15_000 });
    const aborted = Date.now();
    controller.abort();
    const error = await failureOf(pending);
    expect(error.kind).toBe("aborted");
    expect(error.message).toBe(`git ls-remote was stopped (https://127.0.0.1:${port}/repo.git)`);
    await closed[0];
    expect(Date.now() - aborted).toBeLessThan(5_000);
  }, 30_000);

  it("after the timeout", async () => {
    const source = await hanging(300);
    const error = await failureOf(source.latest());
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/^git ls-remote timed out after 300 ms \(https:\/\/127\.0\.0\.1:\d+\/repo\.git\)$/);
  });

  it("a process that outlives git holding its output (an ssh ControlPersist master) does not keep the call waiting", async () => {
    const dir = await cacheDir();
    const fakeSsh = join(dir, "fake-ssh");
    // Leaves a process in a session of its own (out of reach of the group kill) with git's stderr open.
    await writeFile(fakeSsh, "#!/bin/sh\nsetsid sleep 5 </dev/null >/dev/null &\necho 'fake-ssh: connection refused' >&2\nexit 255\n", { mode: 0o755 });
    vi.stubEnv("GIT_SSH_COMMAND", fakeSsh);
    const started = Date.now();
    const error = await failureOf(new GitSource({ url: "ssh://git@example.invalid/repo.git", ref: "main", cacheDir: join(dir, "cache") }).latest());
    expect(error.message).toBe("cannot read ssh://example.invalid/repo.git: fake-ssh: connection refused; Could not read from remote repository.");
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("an already aborted signal starts nothing", async () => {
    const source = new GitSource({ url: repo.url, ref: "main", cacheDir: await cacheDir() });
    expect((await failureOf(source.latest(AbortSignal.abort()))).kind).toBe("aborted");
  });
});
