// The single-writer lease: several controllers (pods) on the same manifests and owner share one state, and
// only the one holding the lease writes; the others report drift only. openLease picks S3 or a local file
// from the state location, as openStateStore does.
import { FileLease } from "./file-lease.ts";
import type { Lease, LeaseOptions } from "./lease-core.ts";
import { S3Lease } from "./s3-lease.ts";
import { isS3Location, parseS3Location } from "./s3.ts";
import { s3Objects, type StateStoreOptions } from "./store.ts";

export { DEFAULT_SKEW_MARGIN_MS, leaseExpired, newHolderId, parseLeaseInfo, SlotLease, type Lease, type LeaseInfo, type LeaseOptions, type LockSlot, type StoredLock } from "./lease-core.ts";
export { FileLease, FileLockSlot } from "./file-lease.ts";
export { S3Lease, S3LockSlot } from "./s3-lease.ts";

/** The lease beside the state at `stateLocation`: `s3://bucket/key.lock` or `<path>.lock`. */
export function openLease(stateLocation: string, options: LeaseOptions & StateStoreOptions): Lease {
  if (!isS3Location(stateLocation)) return new FileLease(stateLocation, options);
  return new S3Lease(parseS3Location(stateLocation), s3Objects(options), options);
}

export interface RenewOptions {
  /** Time between renewals; a third of the ttl leaves two more tries before the lock expires. */
  intervalMs: number;
  /** Called once when the lease is lost (stolen, or expired while renewals failed); renewing stops. */
  onLost: (error?: unknown) => void;
  /** Aborting stops the renewals (as stop() does). */
  signal?: AbortSignal;
}

/**
 * Renews `lease` every `intervalMs` (the controller: from the first pass that took it until it stops or
 * loses it); returns stop(). A failed renewal (network) is not a
 * loss while the lease is still valid by our clock: the next tick tries again.
 */
export function keepRenewed(lease: Pick<Lease, "renew" | "held">, options: RenewOptions): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const lost = (error?: unknown): void => {
    if (stopped) return;
    stopped = true;
    options.onLost(error);
  };
  const tick = async (): Promise<void> => {
    try {
      if (!(await lease.renew(options.signal))) return lost();
    } catch (error) {
      if (!lease.held()) return lost(error);
    }
    schedule();
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void tick(), options.intervalMs);
    // Renewal alone must not keep the process alive once the pass is over.
    timer.unref();
  };
  const stop = (): void => {
    stopped = true;
    clearTimeout(timer);
  };
  options.signal?.addEventListener("abort", stop, { once: true });
  schedule();
  return stop;
}
