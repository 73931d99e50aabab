// Throwaway Git repositories for tests of the Git source: a bare "remote" reached by a file:// URL, and
// a working repository beside it where commits and tags are made and pushed. Real `git`, no network.
// git runs with a fixed identity and without the user's or the system's config (signing, hooks, templates).
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_TERMINAL_PROMPT: "0",
};

/** A file's content, null to delete it, or a symbolic link to `target`. */
export type FileChange = string | null | { symlink: string };

export interface GitRepo {
  /** Parent of everything below; removed by remove(). */
  readonly root: string;
  /** The bare repository that plays the remote. */
  readonly bareDir: string;
  /** file:// URL of bareDir. */
  readonly url: string;
  /** Applies the changes (paths relative to the repository root), commits on `branch` and pushes; returns the commit. */
  commit(files: Record<string, FileChange>, options?: { branch?: string; message?: string }): Promise<string>;
  /** Tags a commit (default: the head of the default branch) and pushes the tag; annotated when a message is given. Returns the commit. */
  tag(name: string, options?: { target?: string; message?: string }): Promise<string>;
  /** Points a branch of the remote at a commit (creates or moves it). */
  branch(name: string, target: string): Promise<void>;
  /** Runs git in the working repository; returns stdout, trimmed. */
  git(...args: string[]): Promise<string>;
  remove(): Promise<void>;
}

/** Runs git with the fixed test environment; returns stdout, trimmed. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd, env: ENV });
  return stdout.trim();
}

export async function createGitRepo(options: { defaultBranch?: string } = {}): Promise<GitRepo> {
  const defaultBranch = options.defaultBranch ?? "main";
  const root = await mkdtemp(join(tmpdir(), "git-repo-"));
  const bareDir = join(root, "remote.git");
  const workDir = join(root, "work");
  await git(root, "init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`, bareDir);
  await git(root, "init", "--quiet", `--initial-branch=${defaultBranch}`, workDir);
  await git(workDir, "remote", "add", "origin", bareDir);
  const inWork = (...args: string[]): Promise<string> => git(workDir, ...args);

  return {
    root,
    bareDir,
    url: pathToFileURL(bareDir).href,
    async commit(files, commitOptions = {}) {
      const branch = commitOptions.branch ?? defaultBranch;
      await checkoutBranch(workDir, branch);
      for (const [path, change] of Object.entries(files)) await applyChange(join(workDir, path), change);
      await inWork("add", "--all");
      await inWork("commit", "--quiet", "--allow-empty", "--message", commitOptions.message ?? `change ${Object.keys(files).join(", ")}`);
      await inWork("push", "--quiet", "origin", `HEAD:refs/heads/${branch}`);
      return inWork("rev-parse", "HEAD");
    },
    async tag(name, tagOptions = {}) {
      const target = tagOptions.target ?? (await inWork("rev-parse", defaultBranch));
      const annotate = tagOptions.message === undefined ? [] : ["--annotate", "--message", tagOptions.message];
      await inWork("tag", "--force", ...annotate, name, target);
      await inWork("push", "--quiet", "--force", "origin", `refs/tags/${name}`);
      return inWork("rev-parse", `${target}^{commit}`);
    },
    async branch(name, target) {
      await inWork("push", "--quiet", "--force", "origin", `${target}:refs/heads/${name}`);
    },
    git: inWork,
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** Switches the working repository to `branch`, creating it from the current commit when new. */
async function checkoutBranch(workDir: string, branch: string): Promise<void> {
  const current = await git(workDir, "symbolic-ref", "--short", "HEAD");
  if (current === branch) return;
  const exists = await git(workDir, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`).then(
    () => true,
    () => false,
  );
  await git(workDir, "checkout", "--quiet", ...(exists ? [branch] : ["-b", branch]));
}

async function applyChange(path: string, change: FileChange): Promise<void> {
  await rm(path, { force: true });
  if (change === null) return;
  await mkdir(dirname(path), { recursive: true });
  if (typeof change === "string") await writeFile(path, change);
  else await symlink(change.symlink, path);
}
