// The state as one pass uses it: read once at the start; written once at the end by merging this pass's
// update into whatever another writer stored meanwhile (conditional write, re-read, merge, retry).
import type { StateAccess } from "../engine/pass.ts";
import type { StateFile } from "../engine/state.ts";
import { saveState } from "./merge.ts";
import type { StateSnapshot, StateStore } from "./store.ts";

export function storeAccess(store: StateStore): StateAccess {
  let base: StateSnapshot | undefined;
  return {
    async read(signal) {
      base = await store.read(signal);
      return base.state;
    },
    async write(update: (current: StateFile) => StateFile) {
      const from = base ?? (await store.read());
      base = await saveState(store, from, update(from.state));
    },
  };
}
