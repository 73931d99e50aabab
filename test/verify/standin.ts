/**
 * Starts test/verify/standin.py — a local stand-in for the deployed seed API that checks every request's
 * SigV4 signature with botocore and serves the S3 calls through the emulator's moto S3 — and drives its
 * control endpoints. One python child process per stand-in, on 127.0.0.1 and a free port.
 */
import { stopChild } from "../emulator/emulator.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./standin.py", import.meta.url));

export interface StandInOptions {
  /** The emulator's endpoint: S3 for the integrations. */
  s3Endpoint: string;
  region?: string;
  stage?: string;
  /** The credentials the stand-in expects requests to be signed with (default testing/testing, the emulator's). */
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface StandInRequest {
  method: string;
  path: string;
  status: number;
  /** "valid", or "rejected: <API Gateway's message>". */
  auth: string;
  signedHeaders?: string[];
  /** S3's status for the integration call; null when the call was dropped (lose-objects mode). */
  s3Status?: number | null;
}

export interface StandIn {
  /** The invoke URL: http://127.0.0.1:<port>/<stage>. */
  url: string;
  log(): Promise<StandInRequest[]>;
  resetLog(): Promise<void>;
  /** loseObjects: PUT of an object answers 200 but never reaches S3. */
  setMode(mode: { loseObjects: boolean }): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const args = [SCRIPT, "--port", "0", "--s3-endpoint", options.s3Endpoint, "--region", options.region ?? "us-east-1", "--stage", options.stage ?? "prod"];
  args.push("--access-key", options.accessKeyId ?? "testing", "--secret-key", options.secretAccessKey ?? "testing");
  const child = spawn("python3", args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PYTHONUNBUFFERED: "1" } });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => live.delete(child));
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-8_000)));
  const url = await readyUrl(child, () => stderr);
  const base = url.slice(0, url.lastIndexOf("/"));
  const control = async (method: "GET" | "POST", route: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${base}/_standin/${route}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`stand-in ${method} /_standin/${route}: HTTP ${response.status}`);
    return await response.json();
  };
  return {
    url,
    log: async () => ((await control("GET", "log")) as { requests: StandInRequest[] }).requests,
    resetLog: async () => void (await control("POST", "reset-log")),
    setMode: async (mode) => void (await control("POST", "mode", mode)),
    stop: () => stopChild(child, exited),
  };
}

function readyUrl(child: ChildProcess, stderr: () => string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let settled = false;
    const fail = (why: string) => {
      if (settled) return; // a later exit is stop()'s business
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`verify stand-in did not start: ${why}\n--- stderr ---\n${stderr().trim()}`));
    };
    const timer = setTimeout(() => fail(`no READY line within ${timeoutMs} ms`), timeoutMs);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const ready = /^READY (http:\/\/127\.0\.0\.1:\d+\/\S+)$/m.exec(stdout);
      if (ready?.[1] && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.once("error", (error) => fail(error.message));
    child.once("exit", (code, signal) => fail(`exited (code ${code}, signal ${signal})`));
  });
}
