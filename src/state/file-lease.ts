// The lease's lock as a local file beside the state file (`<path>.lock`), for a state on a local or shared
// volume. POSIX has no "replace this file only if it is still the one I read", so this builds one:
//
// - create: write a temporary file, then link() it to the lock path. link fails with EEXIST when a lock
//   exists, as O_EXCL would, and the lock never appears half-written.
// - replace / remove a lock at a version (its text, unique per write: holder + renewedAt): first *claim*
//   that version by link()ing the lock to `<lock>.claim-<hash of the text>`. Only one process can create
//   that name (EEXIST for the others); the claimant then checks the claimed file still has the text it
//   read, and only then renames its new lock into place (or unlinks it), and drops the claim.
//
// Everything that changes an existing lock claims its version first, so between a claim and the rename
// nobody else changes the lock: of two thieves of the same expired lock exactly one gets the claim. Plain
// rename-then-re-read would not do: both thieves can re-read their own lock before the other's rename.
//
// A process that dies holding a claim leaves it behind; a claim older than CLAIM_STALE_MS is removed so the
// lock can be stolen again. That removal can race with a fresh claim in the same instant, after a crash
// only. The volume must support hard links (local disks, NFS, EFS do).
import { createHash, randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { SlotLease, type LeaseOptions, type LockSlot, type StoredLock } from "./lease-core.ts";

export const CLAIM_STALE_MS = 30_000;

export class FileLockSlot implements LockSlot {
  constructor(readonly path: string) {}

  describe(): string {
    return this.path;
  }

  async create(text: string, signal?: AbortSignal): Promise<string | undefined> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = await this.temporary(text, signal);
    try {
      await link(temporary, this.path);
      return text;
    } catch (error) {
      if (errorCode(error) === "EEXIST") return undefined;
      throw error;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  async read(signal?: AbortSignal): Promise<StoredLock | undefined> {
    try {
      const [text, stats] = await Promise.all([readFile(this.path, { encoding: "utf8", signal }), stat(this.path)]);
      return { text, version: text, modifiedMs: stats.mtimeMs };
    } catch (error) {
      if (errorCode(error) === "ENOENT") return undefined;
      throw error;
    }
  }

  async replace(version: string, text: string, signal?: AbortSignal): Promise<string | undefined> {
    const claim = await this.claim(version);
    if (!claim) return undefined;
    try {
      const temporary = await this.temporary(text, signal);
      await rename(temporary, this.path);
      return text;
    } finally {
      await claim.drop();
    }
  }

  async remove(version: string): Promise<boolean> {
    const claim = await this.claim(version);
    if (!claim) return false;
    try {
      await unlink(this.path);
      return true;
    } finally {
      await claim.drop();
    }
  }

  close(): void {}

  /** Claims the lock at `version`; undefined when it changed, is gone, or someone else holds the claim. */
  private async claim(version: string): Promise<{ drop(): Promise<void> } | undefined> {
    const claimPath = `${this.path}.claim-${createHash("sha256").update(version).digest("hex").slice(0, 16)}`;
    const drop = (): Promise<void> => unlink(claimPath).catch(() => undefined);
    try {
      await link(this.path, claimPath);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return undefined;
      if (errorCode(error) !== "EEXIST") throw error;
      // link() stamps the inode's ctime: a claim this old belongs to a process that died holding it.
      const claimed = await stat(claimPath).catch(() => undefined);
      if (claimed && Date.now() - claimed.ctimeMs > CLAIM_STALE_MS) await drop();
      return undefined;
    }
    // The claim links whatever the lock is now: ours only if that is still the version we read.
    const now = await readFile(claimPath, "utf8").catch(() => undefined);
    if (now === version) return { drop };
    await drop();
    return undefined;
  }

  private async temporary(text: string, signal?: AbortSignal): Promise<string> {
    const path = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(path, text, { flag: "wx", signal });
    return path;
  }
}

/** The lease on `<state path>.lock`. */
export class FileLease extends SlotLease {
  constructor(statePath: string, options: LeaseOptions) {
    super(new FileLockSlot(`${statePath}.lock`), options);
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
