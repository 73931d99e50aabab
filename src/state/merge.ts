// What a writer does when its conditional state write loses (StateConflictError): re-read, merge its own
// changes into what the other writer stored, and try again against the new version.
import type { StateFile } from "../engine/state.ts";
import { StateConflictError, type StateSnapshot, type StateStore } from "./store.ts";

/**
 * Three-way merge of `ours` (what this pass wants to write, made from `base`) into `theirs` (what another
 * writer stored since we read `base`).
 *
 * lastApplied, per group, newest wins. A group this pass changed against `base` (applied, or dropped after
 * a prune) takes ours: our write comes after theirs and records the latest apply. A group this pass left
 * alone takes theirs, which is at least as new as what we read. The state has no timestamps, so "newest"
 * is decided by who changed what since `base`, not by clocks.
 *
 * announcedDrift is the writer's: it is the set of drift this pass has just compared against live AWS and
 * alerted on. Keeping theirs would re-announce or silence drift on the strength of an older observation.
 */
export function mergeStates(base: StateFile, ours: StateFile, theirs: StateFile): StateFile {
  const groups = new Set([...Object.keys(base.lastApplied), ...Object.keys(ours.lastApplied), ...Object.keys(theirs.lastApplied)]);
  const lastApplied: StateFile["lastApplied"] = {};
  for (const group of [...groups].sort()) {
    const mine = ours.lastApplied[group];
    const changedByUs = mine?.hash !== base.lastApplied[group]?.hash;
    const chosen = changedByUs ? mine : theirs.lastApplied[group];
    if (chosen) lastApplied[group] = chosen;
  }
  return { version: 1, lastApplied, announcedDrift: { ...ours.announcedDrift } };
}

export interface SaveOptions {
  /** Writes tried in all, the first included; default 5. */
  attempts?: number;
  signal?: AbortSignal;
}

/**
 * Writes `next` (made from `base`) against `base.version`; on a conflict re-reads, merges and retries.
 * Returns what was stored and its version. Throws the last StateConflictError after `attempts`.
 */
export async function saveState(store: StateStore, base: StateSnapshot, next: StateFile, options: SaveOptions = {}): Promise<StateSnapshot> {
  const attempts = options.attempts ?? 5;
  let from = base;
  let state = next;
  for (let attempt = 1; ; attempt++) {
    try {
      const version = await store.write(state, from.version, options.signal);
      return { state, version };
    } catch (error) {
      if (!(error instanceof StateConflictError) || attempt >= attempts) throw error;
    }
    const theirs = await store.read(options.signal);
    // Our changes are measured against what we started from; from now on, against what they stored.
    state = mergeStates(from.state, state, theirs.state);
    from = theirs;
  }
}
