// node --import tsx scripts/bench-plan.ts [--runs N] [--case absent|different] [--json]: the planning part of `npm run bench` alone —
// CPU time of buildPlan on the synthetic 300-resource × 5-method API, live absent and live different (the
// same case, built by bench-lib's syntheticPlanningCase), without the emulator. Prints each median with the
// plan's operation and change counts and a hash of JSON.stringify(plan), so that a change meant to make
// planning faster can be checked to plan byte for byte the same. Each timed plan is of a fresh copy of the
// desired state (cloned outside the timed region), as a real pass plans a freshly loaded model once. For a profile:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx scripts/bench-plan.ts
import { createHash } from "node:crypto";
import type { Observed } from "../src/engine/observe.ts";
import type { PlanOptions } from "../src/engine/plan.ts";
import { syntheticPlanningCase, timePlans } from "./bench-lib.ts";

const OWNER = "apigw-reconciler";
const PASS: PlanOptions = { owner: OWNER, mode: "heal", prune: false, maxDeletions: 1, force: false };
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number.parseInt(process.argv[runsArg + 1] ?? "11", 10) : 11;
// --case: one case only, for a profile of it alone.
const caseArg = process.argv.indexOf("--case");
const only = caseArg >= 0 ? process.argv[caseArg + 1] : undefined;

const { desired, absent, different, resources, methods } = syntheticPlanningCase(OWNER);

/** Median CPU and wall time of RUNS plans (each of a fresh copy of the desired state), and the last plan's figures. */
function measure(observed: Observed) {
  const { medianCpuMs, medianWallMs, plan } = timePlans(desired, observed, PASS, RUNS);
  const hash = createHash("sha256").update(JSON.stringify(plan)).digest("hex").slice(0, 16);
  return { medianCpuMs, medianWallMs, operations: plan.operations.length, changes: plan.changes.length, planHash: hash };
}

const figures = {
  resources,
  methods,
  runs: RUNS,
  ...(only === undefined || only === "absent" ? { liveAbsent: measure(absent) } : {}),
  ...(only === undefined || only === "different" ? { liveDifferent: measure(different) } : {}),
};
if (process.argv.includes("--json")) {
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
} else {
  process.stdout.write(`planning ${resources} resources × ${methods} methods, median of ${RUNS} runs\n`);
  for (const [name, f] of [["live absent", figures.liveAbsent], ["live different", figures.liveDifferent]] as const) {
    if (!f) continue;
    process.stdout.write(
      `${name.padEnd(15)} cpu ${f.medianCpuMs.toFixed(1).padStart(7)} ms  wall ${f.medianWallMs.toFixed(1).padStart(7)} ms  ` +
        `${f.operations} operations  ${f.changes} changes  plan ${f.planHash}\n`,
    );
  }
}
