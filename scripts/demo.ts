// npm run demo: starts the local AWS emulator (moto on 127.0.0.1), then runs the reconciler on
// manifests/ against it — plan, apply, and a second plan that shows no changes — and stops the emulator.
import { spawnSync } from "node:child_process";
import { startEmulator } from "../test/emulator/emulator.ts";

const manifests = process.argv[2] ?? "manifests";
const emulator = await startEmulator();
let failed = false;
try {
  const step = (title: string, args: string[]) => {
    process.stdout.write(`\n$ reconcile ${args.join(" ")}    # ${title}\n`);
    const result = spawnSync(process.execPath, ["bin/reconcile.js", ...args], { stdio: "inherit", env: { ...process.env, ...emulator.env } });
    if (result.status !== 0 && result.status !== 2) failed = true;
  };
  process.stdout.write(`AWS emulator (moto) listening on ${emulator.endpoint}\n`);
  step("check the manifests, no AWS call", ["validate", "-m", manifests]);
  step("what would change", ["plan", "-m", manifests]);
  step("make AWS match the manifests", ["apply", "-m", manifests]);
  step("a second pass: nothing to do, no write call", ["plan", "-m", manifests]);
} finally {
  await emulator.stop();
}
process.exitCode = failed ? 1 : 0;
