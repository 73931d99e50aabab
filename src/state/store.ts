// Where the state file lives: a local path (as before) or an S3 object (`s3://bucket/key`), behind one
// interface. Every write is conditional on the version the writer read, so two writers never silently
// overwrite each other: the loser gets a StateConflictError, re-reads, merges (merge.ts) and retries.
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { StateFile } from "../engine/state.ts";
import { createS3Client, formatS3Location, isS3Error, isS3Location, parseS3Location, S3Objects, type S3Location, type S3Options } from "./s3.ts";

export interface StateSnapshot {
  state: StateFile;
  /** S3: the ETag; file: a token of the file's inode and mtime. Absent when there is no state yet. */
  version?: string;
}

export interface StateStore {
  /** The location, for messages: the path or `s3://bucket/key`. */
  describe(): string;
  /** A missing state is the empty state without a version; an unparsable one is empty with its version, so it can be replaced. */
  read(signal?: AbortSignal): Promise<StateSnapshot>;
  /**
   * Writes `state` if the stored version is still `expectedVersion` (no version: only if there is no state
   * yet); returns the new version. Throws StateConflictError when someone else wrote first.
   */
  write(state: StateFile, expectedVersion?: string, signal?: AbortSignal): Promise<string>;
  /** Frees what the store opened (its S3 client). */
  close(): void;
}

export class StateConflictError extends Error {
  constructor(
    readonly location: string,
    readonly expectedVersion: string | undefined,
    options?: { cause?: unknown },
  ) {
    const expected = expectedVersion === undefined ? "no state yet" : `version ${expectedVersion}`;
    super(`state ${location} was written by someone else (expected ${expected}); re-read, merge and retry`, options);
    this.name = "StateConflictError";
  }
}

export function emptyState(): StateFile {
  return { version: 1, lastApplied: {}, announcedDrift: {} };
}

/** The same reading rules as the file state has always had: anything but a version-1 object is empty. */
export function parseState(text: string): StateFile {
  try {
    const parsed = JSON.parse(text) as Partial<StateFile> | null;
    if (parsed?.version !== 1) return emptyState();
    return { version: 1, lastApplied: parsed.lastApplied ?? {}, announcedDrift: parsed.announcedDrift ?? {} };
  } catch {
    return emptyState();
  }
}

export function serializeState(state: StateFile): string {
  return JSON.stringify(state, null, 2) + "\n";
}

export interface StateStoreOptions {
  /** How to build the S3 client of an `s3://` location. */
  s3?: S3Options;
  /** Or the client itself (shared with the lease; not destroyed by close()). */
  s3Client?: S3Client | Promise<S3Client>;
}

/** `s3://bucket/key` → S3StateStore; anything else is a local path → FileStateStore. */
export function openStateStore(location: string, options: StateStoreOptions = {}): StateStore {
  if (!isS3Location(location)) return new FileStateStore(location);
  return new S3StateStore(parseS3Location(location), s3Objects(options));
}

export function s3Objects(options: StateStoreOptions): S3Objects {
  return new S3Objects(options.s3Client ?? createS3Client(options.s3), options.s3Client === undefined);
}

// ------------------------------------------------------------------------------ S3

export class S3StateStore implements StateStore {
  constructor(
    readonly location: S3Location,
    private readonly objects: S3Objects,
  ) {}

  describe(): string {
    return formatS3Location(this.location);
  }

  async read(signal?: AbortSignal): Promise<StateSnapshot> {
    const stored = await this.objects.get(this.location, signal);
    if (!stored) return { state: emptyState() };
    return { state: parseState(stored.body), version: stored.etag };
  }

  /** PutObject with If-Match: <the ETag we read>, or If-None-Match: * when there was no state. */
  async write(state: StateFile, expectedVersion?: string, signal?: AbortSignal): Promise<string> {
    const condition = expectedVersion === undefined ? { ifNoneMatch: "*" as const } : { ifMatch: expectedVersion };
    try {
      return await this.objects.put(this.location, serializeState(state), condition, signal);
    } catch (error) {
      // 412: someone else wrote; 409: a concurrent write, which AWS says to answer by re-reading the ETag and
      // retrying; 404 on If-Match: the state we read was deleted. All three: re-read, merge, retry.
      const lost = isS3Error(error, "precondition-failed", "conflict") || (expectedVersion !== undefined && isS3Error(error, "not-found"));
      if (lost) throw new StateConflictError(this.describe(), expectedVersion, { cause: error });
      throw error;
    }
  }

  close(): void {
    this.objects.close();
  }
}

// ------------------------------------------------------------------------------ file

/**
 * The local state file, as it has always been written (missing or unreadable = empty; a
 * temporary file renamed into place), plus a version check before the rename. The check and the rename are
 * two steps, not one: it catches a writer that wrote since we read, and the file lease keeps two processes
 * from writing at the same moment.
 */
export class FileStateStore implements StateStore {
  constructor(readonly path: string) {}

  describe(): string {
    return this.path;
  }

  async read(signal?: AbortSignal): Promise<StateSnapshot> {
    let handle;
    try {
      handle = await open(this.path, "r");
    } catch {
      return { state: emptyState() };
    }
    try {
      // Version and text from one open file: a rename in between cannot pair one file's text with another's version.
      const version = versionToken(await handle.stat({ bigint: true }));
      const text = await handle.readFile({ encoding: "utf8", signal });
      return { state: parseState(text), version };
    } catch (error) {
      if (signal?.aborted) throw error;
      return { state: emptyState() };
    } finally {
      await handle.close();
    }
  }

  async write(state: StateFile, expectedVersion?: string, signal?: AbortSignal): Promise<string> {
    await mkdir(dirname(this.path), { recursive: true });
    if ((await currentVersion(this.path)) !== expectedVersion) throw new StateConflictError(this.path, expectedVersion);
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      const handle = await open(temporary, "wx");
      let version: string;
      try {
        await handle.writeFile(serializeState(state), { signal });
        // rename keeps the inode and mtime: the token of the temporary file is the token of the state file.
        version = versionToken(await handle.stat({ bigint: true }));
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
      return version;
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  close(): void {}
}

async function currentVersion(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch {
    return undefined;
  }
  try {
    return versionToken(await handle.stat({ bigint: true }));
  } finally {
    await handle.close();
  }
}

/** Every write renames a new file into place: a new inode, and a new mtime (ns) should an inode be reused. */
function versionToken(stats: { ino: bigint; mtimeNs: bigint }): string {
  return `${stats.ino}-${stats.mtimeNs}`;
}
