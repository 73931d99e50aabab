/**
 * Runs one AWS emulator in the foreground for demos and benchmarks:
 *
 *   node --import tsx test/emulator/run.ts [--latency-ms N] [--quota] [--faults RATE] [--fault-seed N]
 *
 * Prints the endpoint and the environment to point the reconcile CLI at it, then waits
 * for Ctrl-C (SIGINT) or SIGTERM and stops the emulator.
 */
import { parseArgs } from "node:util";
import { startEmulator, type StartOptions } from "./emulator.ts";

const { values } = parseArgs({
  options: {
    "latency-ms": { type: "string" },
    quota: { type: "boolean", default: false },
    faults: { type: "string" },
    "fault-seed": { type: "string", default: "1" },
    python: { type: "string" },
  },
});

function number(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a number >= 0, got "${text}"`);
  return n;
}

const opts: StartOptions = { quota: values.quota };
if (values["latency-ms"] !== undefined) opts.latencyMs = number("latency-ms", values["latency-ms"]);
if (values.faults !== undefined) {
  opts.faults = { rate: number("faults", values.faults), seed: Math.trunc(number("fault-seed", values["fault-seed"])) };
}
if (values.python !== undefined) opts.python = values.python;

const emulator = await startEmulator(opts);
console.log(`endpoint ${emulator.endpoint} (pid ${emulator.pid})`);
for (const [key, value] of Object.entries(emulator.env)) console.log(`export ${key}=${value}`);
console.log(`call log: curl ${emulator.endpoint}/_emulator/calls   (Ctrl-C to stop)`);

await new Promise<void>((resolve) => {
  process.once("SIGINT", resolve);
  process.once("SIGTERM", resolve);
});
await emulator.stop();
