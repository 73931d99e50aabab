// The controller's structured log: JSON lines (one object per line, for log collectors) when stdout is
// not a terminal, human-readable on a terminal. Secrets are scrubbed twice: known secret-bearing keys
// are censored by pino's redaction, and every message passes the process's list of secret strings.
import { pino, type Logger } from "pino";
import pretty from "pino-pretty";
import { redactText } from "./report/redact.ts";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export interface LogOptions {
  level: LogLevel;
  /** Pretty output; default: stdout is a terminal. */
  pretty?: boolean;
  /** Strings that must never be printed (webhook URLs and secrets, tokens in a Git URL). */
  secrets?: readonly string[];
  /** Where lines go; default stdout. */
  destination?: NodeJS.WritableStream;
}

/** Keys whose values are secret wherever they appear in a log object. */
const REDACTED_PATHS = ["authorization", "*.authorization", "headers.authorization", "secret", "*.secret", "token", "*.token", "password", "*.password"];

export function createLogger(options: LogOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0);
  const scrub = (text: string) => (secrets.length > 0 ? redactText(text, secrets) : text);
  const destination = options.destination ?? process.stdout;
  const usePretty = options.pretty ?? (process.stdout.isTTY === true && destination === process.stdout);
  const stream = usePretty ? pretty({ colorize: true, destination, sync: true, translateTime: "SYS:HH:MM:ss" }) : destination;
  return pino(
    {
      level: options.level,
      base: { name: "apigw-reconciler" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      hooks: {
        // Messages and string arguments are scrubbed of every secret the process knows of.
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === "string" ? scrub(arg) : arg)) as Parameters<typeof method>);
        },
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => JSON.parse(scrub(JSON.stringify(object))) as Record<string, unknown>,
      },
    },
    stream,
  );
}

export type { Logger };
