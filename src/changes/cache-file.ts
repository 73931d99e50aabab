// The CLI's change-feed state between processes (`--scan-cache`): what the last pass read and when, per
// account and Region. The controller keeps it in memory. A missing or unreadable file means a full scan.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { FeedState } from "./feed.ts";

export const DEFAULT_SCAN_CACHE = ".apigw-reconciler/scan-cache.json";

interface CacheFile {
  version: 1;
  /** Where it was read (endpoint, profile, owner…): a cache of another account or owner is never reused. */
  identity: string;
  targets: Record<string, FeedState>;
}

export function readScanCache(path: string, identity: string): Record<string, FeedState> {
  try {
    const file = JSON.parse(readFileSync(path, "utf8")) as Partial<CacheFile>;
    if (file.version !== 1 || file.identity !== identity) return {};
    return typeof file.targets === "object" && file.targets !== null ? file.targets : {};
  } catch {
    return {};
  }
}

/** Written whole to a temporary file, then renamed: a killed process leaves the old cache or the new one. */
export function writeScanCache(path: string, identity: string, targets: Record<string, FeedState>): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ version: 1, identity, targets } satisfies CacheFile));
  renameSync(temporary, path);
}
