// When the controller runs a pass: a cron schedule (node-cron) or a fixed interval. The ticker only says
// "now"; whether a pass starts (overlap, backoff) is the loop's decision.
import cron from "node-cron";

export interface Ticker {
  /** The nominal time between two ticks, for readiness ("a success within 3 periods") and backoff. */
  readonly periodMs: number;
  readonly description: string;
  start(onTick: () => void): void;
  stop(): void;
}

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScheduleError";
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "30s", "5m", "1h", "1500ms" → milliseconds; "0s" only where `zero` is allowed. */
export function parseDuration(text: string, what = "duration", zero = false): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  const value = match ? Number(match[1]) * (UNITS[match[2] ?? ""] ?? Number.NaN) : Number.NaN;
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zero)) throw new ScheduleError(`invalid ${what} "${text}": use a number and a unit, e.g. 500ms, 30s, 5m, 1h`);
  return value;
}

export function intervalTicker(periodMs: number): Ticker {
  let timer: NodeJS.Timeout | undefined;
  return {
    periodMs,
    description: `every ${inWords(periodMs)}`,
    start(onTick) {
      timer = setInterval(onTick, periodMs);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

/** 1500 → "1.5 s", 300000 → "5 min", 3600000 → "1 h". */
export function inWords(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}

export function cronTicker(expression: string): Ticker {
  const validation = cron.validateDetailed(expression);
  if (!validation.valid) {
    const why = validation.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    throw new ScheduleError(`invalid --schedule "${expression}": ${why || "not a cron expression"}`);
  }
  let task: ReturnType<typeof cron.createTask> | undefined;
  const probe = cron.createTask(expression, () => undefined);
  const [first, second] = probe.getNextRuns(2);
  void probe.destroy();
  const periodMs = first && second ? second.getTime() - first.getTime() : 300_000;
  return {
    periodMs,
    description: `cron "${expression}"`,
    start(onTick) {
      // Overlap is decided (and counted) by the loop, so node-cron must always call us.
      task = cron.schedule(expression, () => onTick(), { noOverlap: false, name: "apigw-reconciler" });
    },
    stop() {
      void task?.destroy();
      task = undefined;
    },
  };
}
