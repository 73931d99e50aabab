// `reconcile verify`: calls the deployed API as the tutorial's REST client does, SigV4-signed for execute-api,
// and prints a table of each call's status and time; exit 1 on any failure. Like main.ts, this file only reads
// argv, prints and sets the exit code; the plan, signer, runner and rendering live in verify/.
import { Option, type Command } from "commander";
import { createGateway } from "../aws/gateway.ts";
import { parseDuration } from "../controller/schedule.ts";
import { redactText } from "../report/redact.ts";
import { createSender, describeNetworkError } from "../verify/http.ts";
import { newRunId, verifyPlan } from "../verify/plan.ts";
import { failures, passed, renderVerifyJson, renderVerifyText, type VerifyReport } from "../verify/render.ts";
import { runPlan } from "../verify/runner.ts";
import { createSigner, defaultCredentials } from "../verify/sign.ts";
import { targetOfApi, targetOfUrl, type Target } from "../verify/target.ts";
import { awsOptionsOf, EXIT } from "./main.ts";

interface VerifyFlags {
  api: string;
  stage: string;
  region?: string;
  endpoint?: string;
  profile?: string;
  invokeUrl?: string;
  bucket?: string;
  output: "text" | "json";
  timeout: string;
}

type Print = (text: string) => void;

export function addVerifyCommand(program: Command, out: Print, err: Print): void {
  program
    .command("verify")
    .description("call the deployed API as the tutorial's REST client does (SigV4): bucket, objects, read-back, cleanup; exit 1 on any failure")
    .option("--api <name|id>", "RestApi manifest name (found by its apigw-reconciler:name tag) or API id", "my-s3")
    .option("--stage <name>", "stage to call", "prod")
    .option("--region <region>", "AWS Region of the API, and to sign for (default: the invoke URL's, AWS_REGION or the profile's)")
    .option("--endpoint <url>", "API Gateway endpoint for looking the API up (default: AWS_ENDPOINT_URL)")
    .option("--profile <name>", "AWS shared-config profile for the lookup and the signing credentials")
    .option("--invoke-url <url>", "the stage's base URL to call; no API Gateway lookup (default: https://{apiId}.execute-api.{region}.{dnsSuffix}/{stage})")
    .option("--bucket <name>", "use this existing bucket (kept; only this run's objects are written and deleted) instead of a scratch bucket")
    .addOption(new Option("-o, --output <format>", "result format").choices(["text", "json"]).default("text"))
    .option("--timeout <duration>", "per call, e.g. 10s", "30s")
    .action((flags: VerifyFlags) => verifyCommand(flags, out, err));
}

async function verifyCommand(flags: VerifyFlags, out: Print, err: Print): Promise<void> {
  const timeoutMs = parseDuration(flags.timeout, "--timeout");
  if (flags.bucket !== undefined) checkBucketName(flags.bucket);
  const target = await resolveTarget(flags);
  const signer = createSigner(await credentialsFor(flags.profile), target.region);
  const print = (write: Print) => (text: string) => write(redactText(text, signer.secrets));
  const plan = verifyPlan({ runId: newRunId(), region: target.region, ...(flags.bucket !== undefined ? { bucket: flags.bucket } : {}) });
  const results = await runPlan(plan, {
    send: createSender({ baseUrl: target.invokeUrl, signer, timeoutMs }),
    describeError: (error) => describeNetworkError(error, timeoutMs),
  });
  const report: VerifyReport = { invokeUrl: target.invokeUrl, region: target.region, bucket: plan.bucket, scratch: plan.scratch, results };
  print(out)(flags.output === "json" ? renderVerifyJson(report) : renderVerifyText(report));
  if (!passed(results)) print(err)(failureMessage(report));
  process.exitCode = passed(results) ? EXIT.ok : EXIT.error;
}

async function resolveTarget(flags: VerifyFlags): Promise<Target> {
  if (flags.invokeUrl !== undefined) return targetOfUrl(flags);
  const gateway = createGateway(awsOptionsOf(flags));
  try {
    return await targetOfApi(flags, gateway);
  } finally {
    gateway.destroy();
  }
}

async function credentialsFor(profile: string | undefined): Promise<Parameters<typeof createSigner>[0]> {
  try {
    return await defaultCredentials(profile);
  } catch (error) {
    throw new Error(`no AWS credentials to sign with (default chain${profile ? `, profile ${profile}` : ""}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** The bucket is one path segment: S3's rules, including the legacy ones of us-east-1 (uppercase, _). */
function checkBucketName(bucket: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/.test(bucket)) throw new Error(`--bucket "${bucket}" is not an S3 bucket name`);
}

function failureMessage(report: VerifyReport): string {
  const failed = failures(report.results);
  const first = failed[0];
  const what = first ? `; first: "${first.title}" (${first.call}): ${first.detail}` : "";
  return `error: verify failed against ${report.invokeUrl}: ${failed.length} call(s) failed${what}\n`;
}

