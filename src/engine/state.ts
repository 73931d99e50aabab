// The state file: what this controller remembers between runs, next to (never instead of) the tags in
// AWS: the spec it last applied per object (to tell pending from drift field by field) and the drift it
// has already announced (so an alert goes out once when drift appears and once when it is resolved).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface StateFile {
  version: 1;
  /** Group ("RestApi/my-s3", "IamRole/x") → the desired model last applied and its hash. */
  lastApplied: Record<string, { hash: string; model: unknown }>;
  /** Fingerprints of drift already announced, with a short description. */
  announcedDrift: Record<string, string>;
}

export const DEFAULT_STATE_FILE = ".apigw-reconciler/state.json";

export function emptyState(): StateFile {
  return { version: 1, lastApplied: {}, announcedDrift: {} };
}

/** A missing or unreadable state file is an empty state: it only sharpens reports, never decides writes. */
export function readState(path: string): StateFile {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<StateFile>;
    if (parsed.version !== 1) return emptyState();
    return { version: 1, lastApplied: parsed.lastApplied ?? {}, announcedDrift: parsed.announcedDrift ?? {} };
  } catch {
    return emptyState();
  }
}

export function writeState(path: string, state: StateFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state, null, 2) + "\n");
  renameSync(temporary, path);
}

