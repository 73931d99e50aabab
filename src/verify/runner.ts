// Runs a verify plan: each step in order, a step whose prerequisites failed is skipped, and every cleanup
// step runs whenever the call it undoes may have created something — after a failure too. The result of
// each call: its HTTP status, its time, and what was wrong with it.
import { describeRequest, type Phase, type Step, type VerifyPlan } from "./plan.ts";
import type { Answer, Send } from "./http.ts";

export type Outcome = "ok" | "failed" | "skipped";

export interface StepResult {
  id: string;
  title: string;
  phase: Phase;
  /** Method and path below the stage. */
  call: string;
  outcome: Outcome;
  /** The HTTP status; absent when the step was skipped or no answer came. */
  status?: number;
  /** Milliseconds from sending to the last byte of the answer (absent when skipped). */
  ms?: number;
  /** What was checked, or what went wrong. */
  detail: string;
}

export interface RunDeps {
  send: Send;
  /** Milliseconds, for timing (default performance.now). */
  clock?: () => number;
  /** A line for a call that got no answer. */
  describeError?: (error: unknown) => string;
}

export async function runPlan(plan: VerifyPlan, deps: RunDeps): Promise<StepResult[]> {
  const results = new Map<string, StepResult>();
  for (const step of plan.steps) {
    const skip = skipReason(step, results);
    const result = skip !== undefined ? resultOf(step, { outcome: "skipped", detail: skip }) : await runStep(step, deps);
    results.set(step.id, result);
  }
  return [...results.values()];
}

/** Why a step does not run, or undefined when it does. */
function skipReason(step: Step, results: ReadonlyMap<string, StepResult>): string | undefined {
  if (step.undoes !== undefined) {
    const made = results.get(step.undoes);
    return mayHaveCreated(made) ? undefined : `nothing to delete: "${made?.title ?? step.undoes}" ${made?.outcome === "skipped" ? "did not run" : "was refused"}`;
  }
  const unmet = step.needs.map((id) => results.get(id)).find((r) => r?.outcome !== "ok");
  return unmet ? `needs "${unmet.title}", which ${unmet.outcome === "skipped" ? "did not run" : "failed"}` : undefined;
}

/** A creating call left something behind unless it never ran or was answered with a 4xx (refused). */
function mayHaveCreated(result: StepResult | undefined): boolean {
  if (!result || result.outcome === "skipped") return false;
  return result.status === undefined || result.status < 400 || result.status >= 500;
}

async function runStep(step: Step, deps: RunDeps): Promise<StepResult> {
  const clock = deps.clock ?? (() => performance.now());
  const started = clock();
  let answer: Answer;
  try {
    answer = await deps.send(step.request);
  } catch (error) {
    const detail = deps.describeError ? deps.describeError(error) : error instanceof Error ? error.message : String(error);
    return resultOf(step, { outcome: "failed", ms: Math.round(clock() - started), detail });
  }
  const ms = Math.round(clock() - started);
  const problem = checkAnswer(step, answer);
  return resultOf(step, { outcome: problem ? "failed" : "ok", status: answer.status, ms, detail: problem ?? okDetail(step, answer) });
}

function resultOf(step: Step, fields: Pick<StepResult, "outcome" | "detail"> & Partial<Pick<StepResult, "status" | "ms">>): StepResult {
  return { id: step.id, title: step.title, phase: step.phase, call: describeRequest(step.request), ...fields };
}

/** What is wrong with an answer, or undefined when it is what the step expects. */
export function checkAnswer(step: Step, answer: Answer): string | undefined {
  if (answer.status < 200 || answer.status > 299) return `HTTP ${answer.status}: ${errorSummary(answer)}`;
  const { body, contains } = step.expect;
  if (body && !sameBytes(body, answer.body)) return bytesDiffer(body, answer.body);
  const text = contains ? new TextDecoder().decode(answer.body) : "";
  const missing = (contains ?? []).filter((needle) => !text.includes(needle));
  if (missing.length > 0) return `the answer lacks ${missing.join(", ")} (${answer.body.length} bytes${answer.contentType ? `, ${answer.contentType}` : ""})`;
  return undefined;
}

function okDetail(step: Step, answer: Answer): string {
  if (step.expect.body) return `${answer.body.length} bytes, identical`;
  if (step.expect.contains) return `lists ${step.expect.contains.length === 1 ? "it" : `all ${step.expect.contains.length}`}`;
  return "";
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function bytesDiffer(expected: Uint8Array, got: Uint8Array): string {
  const base64 = Buffer.from(expected).toString("base64");
  if (new TextDecoder().decode(got).trim() === base64) {
    return "the bytes came back base64-encoded: API Gateway took the answer for text (is the type in binaryMediaTypes, and first in Accept?)";
  }
  let at = 0;
  while (at < expected.length && at < got.length && expected[at] === got[at]) at++;
  return `the bytes differ: got ${got.length}, sent ${expected.length}, first difference at byte ${at}`;
}

/** An error answer in a line: API Gateway's {"message"}, S3's <Code>/<Message>, or the text itself. */
export function errorSummary(answer: Answer): string {
  const text = new TextDecoder().decode(answer.body).trim();
  const message = jsonMessage(text) ?? xmlMessage(text) ?? (text ? oneLine(text) : "(empty body)");
  const hint = answer.status === 403 && /signature/i.test(message) ? " — SigV4 signature mismatch: check the credentials and the signing Region" : "";
  return `${message}${hint}`;
}

function jsonMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; Message?: unknown };
    const message = parsed.message ?? parsed.Message;
    return typeof message === "string" ? oneLine(message) : undefined;
  } catch {
    return undefined;
  }
}

function xmlMessage(text: string): string | undefined {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  if (!code && !message) return undefined;
  return oneLine([code, message].filter(Boolean).join(": "));
}

function oneLine(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
