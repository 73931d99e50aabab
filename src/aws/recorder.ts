// Counts every AWS call by operation (each attempt, as AWS sees it), for reports and benchmarks.

import type { CallCounts } from "../model/call-counts.ts";

export type { CallCounts };

export function isReadOperation(operation: string): boolean {
  return /^(Get|List|Describe|Lookup)/.test(operation);
}

export class CallRecorder {
  private readonly counts = new Map<string, number>();
  private readonly errorCounts = new Map<string, number>();

  record(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  private readonly failureCounts = new Map<string, Map<string, number>>();

  recordError(name: string, operation?: string): void {
    this.errorCounts.set(name, (this.errorCounts.get(name) ?? 0) + 1);
    if (operation === undefined) return;
    const byName = this.failureCounts.get(operation) ?? new Map<string, number>();
    byName.set(name, (byName.get(name) ?? 0) + 1);
    this.failureCounts.set(operation, byName);
  }

  snapshot(): CallCounts {
    const byOperation = Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    const writes = [...this.counts.entries()].filter(([op]) => !isReadOperation(op)).reduce((a, [, n]) => a + n, 0);
    const errors = Object.fromEntries([...this.errorCounts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    const failures = Object.fromEntries(
      [...this.failureCounts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([op, byName]) => [op, Object.fromEntries([...byName.entries()].sort(([a], [b]) => a.localeCompare(b)))]),
    );
    return { total, writes, byOperation, errors, ...(this.failureCounts.size > 0 ? { failures } : {}) };
  }
}

/** The counts of a pass that made no call. */
export function noCalls(): CallCounts {
  return { total: 0, writes: 0, byOperation: {}, errors: {} };
}
