/**
 * Starts and drives the test AWS emulator (moto behind test/emulator/server.py) from
 * tests and benchmarks: one python child process per emulator, on 127.0.0.1 and a free
 * port, with its call log and modes (latency, quota, faults) reachable over HTTP.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface EmulatorOptions {
  /** Delay before each AWS call, standing for the network. */
  latencyMs?: number;
  /** Enforce API Gateway's control-plane quotas (429 TooManyRequestsException past them). */
  quota?: boolean;
  /**
   * Fail a share `rate` of AWS calls (429, 500, 503, dropped connection, 409 on writes). S3 answers in its
   * own shape: 503 SlowDown for a 429, 500 InternalError, 503 ServiceUnavailable, and 409
   * ConditionalRequestConflict on a conditional write (OperationAborted otherwise).
   */
  faults?: { rate: number; seed: number };
  /**
   * CloudTrail LookupEvents (test/emulator/cloudtrail.py): how long after an API Gateway / IAM write call its
   * event becomes visible, in ms (real CloudTrail: minutes). Default 0. Fixed per event when the call is made.
   */
  cloudtrailDelayMs?: number;
  /**
   * Make CloudTrail LookupEvents fail: "500" (InternalFailure), "503" (ServiceUnavailable), "429" (400
   * ThrottlingException), "drop" (connection reset); every call, or only the next `times`. `null` turns it off
   * (through `configure`).
   */
  cloudtrailFail?: CloudTrailFailKind | { kind: CloudTrailFailKind; times?: number } | null;
}

export type CloudTrailFailKind = "500" | "503" | "429" | "drop";

export interface StartOptions extends EmulatorOptions {
  /** Python interpreter to run; default `python3` from PATH. */
  python?: string;
  /** How long to wait for the READY line; default 30 s. */
  startTimeoutMs?: number;
}

export interface CallLogEntry {
  /** `service:Operation`, e.g. `apigateway:UpdateMethod`. */
  op: string;
  /** HTTP status the client saw; 0 = connection dropped without a response. */
  status: number;
  /** Milliseconds since the last reset, when the call arrived. */
  t: number;
  /** Answered 429 by quota mode (never reached moto). */
  throttled?: boolean;
  /** Fault kind injected by faults mode: "429" | "500" | "503" | "drop" | "409". */
  fault?: string;
  /** The faulted write reached moto and took effect; only its response was lost. */
  applied?: boolean;
  /** The caller's access key id (from the SigV4 Credential): which process or account made the call. */
  accessKey: string;
  /** The account moto served the call in (from the access key: an assumed role's keys belong to its account). */
  account: string;
}

export interface CallLog {
  total: number;
  reads: number;
  writes: number;
  byOperation: Record<string, number>;
  throttled: number;
  faults: Record<string, number>;
  /** Faulted writes that moto had applied before the client got a 500 / dropped connection. */
  appliedThenFailed?: number;
  log: CallLogEntry[];
}

export interface Emulator {
  endpoint: string;
  pid: number;
  /** Environment for child processes (the reconcile CLI) to talk to this emulator. */
  env: Record<string, string>;
  calls(): Promise<CallLog>;
  resetCalls(): Promise<void>;
  /** Wipes all moto state, the call log, quota buckets; restarts the fault PRNG from its seed. */
  reset(): Promise<void>;
  configure(o: EmulatorOptions | { faults: null }): Promise<void>;
  /** Every recorded CloudTrail event (LookupEvents' item shape + delivered/deliverAt/account/region), oldest first. */
  cloudtrailEvents(): Promise<{ delayMs: number; events: Record<string, unknown>[] }>;
  /** Forget all recorded CloudTrail events (`reset()` does too). */
  resetCloudtrail(): Promise<void>;
  /** Make every pending CloudTrail event visible now, whatever its delay. */
  deliverCloudtrail(): Promise<void>;
  stop(): Promise<void>;
}

const SERVER = fileURLToPath(new URL("./server.py", import.meta.url));
const STDERR_KEPT = 16_000;

/** Emulators still running, killed if this Node process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function killOnExit(child: ChildProcess): void {
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // "exit" handlers must be synchronous: a signal is all we can send. The server also
    // exits by itself when it notices it lost its parent.
    process.on("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
  }
}

/** Interpreters already found fit: importing moto costs ~0.5 s, once is enough. */
const checked = new Set<string>();

/** Throws an Error naming what is missing when python3 + moto 5.x cannot run the server. */
export function checkPython(python = "python3"): void {
  if (checked.has(python)) return;
  const hint = "install moto[server] 5.x (e.g. `pip install 'moto[server]>=5,<6'`)";
  const probe = spawnSync(
    python,
    ["-c", "import moto, flask, werkzeug, botocore; print(moto.__version__)"],
    { encoding: "utf8", timeout: 20_000 },
  );
  if (probe.error) {
    const code = (probe.error as NodeJS.ErrnoException).code;
    const where = python.includes("/") ? "" : " on PATH";
    const what = code === "ENOENT" ? `${python} not found${where}` : `${python} could not run (${probe.error.message})`;
    throw new Error(`AWS emulator unavailable: ${what}; the e2e tests need python3 with moto: ${hint}`);
  }
  if (probe.status !== 0) {
    const missing = /No module named '([^']+)'/.exec(probe.stderr)?.[1];
    const what = missing ? `python module '${missing}' is missing` : `importing moto failed: ${probe.stderr.trim().split("\n").pop() ?? ""}`;
    throw new Error(`AWS emulator unavailable: ${what} (${python}); ${hint}`);
  }
  const version = probe.stdout.trim();
  if (!version.startsWith("5.")) {
    throw new Error(`AWS emulator unavailable: moto ${version} found, 5.x needed (${python}); ${hint}`);
  }
  checked.add(python);
}

function serverArgs(opts: EmulatorOptions): string[] {
  const args = [SERVER, "--port", "0"];
  if (opts.latencyMs) args.push("--latency-ms", String(opts.latencyMs));
  if (opts.quota) args.push("--quota");
  if (opts.faults) args.push("--faults", String(opts.faults.rate), "--fault-seed", String(opts.faults.seed));
  if (opts.cloudtrailDelayMs) args.push("--cloudtrail-delay-ms", String(opts.cloudtrailDelayMs));
  return args;
}

export async function startEmulator(opts: StartOptions = {}): Promise<Emulator> {
  const python = opts.python ?? "python3";
  checkPython(python);

  const child = spawn(python, serverArgs(opts), {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  killOnExit(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => live.delete(child));

  // Always drain both pipes: a full pipe would block the server.
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  child.stdout.setEncoding("utf8");

  const endpoint = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return; // a later exit is stop()'s business
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`AWS emulator did not start: ${why}\n--- server stderr ---\n${stderr.trim()}`));
    };
    const timeoutMs = opts.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => fail(`no READY line within ${timeoutMs} ms`), timeoutMs);
    child.stdout.on("data", (chunk: string) => {
      if (settled) return;
      stdout += chunk;
      const ready = /^READY (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (ready?.[1]) {
        settled = true;
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.once("error", (error) => fail(error.message));
    child.once("exit", (code, signal) => fail(`server exited (code ${code}, signal ${signal})`));
  });

  const control = async (method: "GET" | "POST", route: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${endpoint}/_emulator/${route}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator ${method} /_emulator/${route}: HTTP ${response.status} ${text}`);
    return JSON.parse(text) as unknown;
  };

  // No command-line flag for the fail switch: set it once the server is up.
  if (opts.cloudtrailFail) await control("POST", "config", { cloudtrailFail: opts.cloudtrailFail });

  return {
    endpoint,
    pid: child.pid ?? -1,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    calls: async () => (await control("GET", "calls")) as CallLog,
    resetCalls: async () => {
      await control("POST", "reset-calls");
    },
    reset: async () => {
      await control("POST", "reset");
    },
    configure: async (o) => {
      await control("POST", "config", o);
    },
    cloudtrailEvents: async () => (await control("GET", "cloudtrail")) as { delayMs: number; events: Record<string, unknown>[] },
    resetCloudtrail: async () => {
      await control("POST", "cloudtrail/reset");
    },
    deliverCloudtrail: async () => {
      await control("POST", "cloudtrail/deliver");
    },
    stop: () => stopChild(child, exited),
  };
}

/** SIGTERM, then SIGKILL after 3 s: a test's python child (the emulator, a stand-in) always goes away. */
export async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(killer);
}

/** True for operations that change nothing (Get*, List*, S3's Head*), by AWS naming convention. */
export function isReadOperation(op: string): boolean {
  const name = op.slice(op.indexOf(":") + 1);
  // CloudTrail LookupEvents reads the event history: a read, as the emulator's server counts it.
  return name.startsWith("Get") || name.startsWith("List") || name.startsWith("Head") || name.startsWith("Lookup");
}

/** The write operations of a call log and how often each was called. */
export function writeCalls(log: CallLog): Record<string, number> {
  return Object.fromEntries(Object.entries(log.byOperation).filter(([op]) => !isReadOperation(op)));
}
