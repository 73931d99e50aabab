// One controller, two accounts and two Regions: the seed API and role in the run's own account
// (us-east-1), and a partner copy whose manifests set spec.assumeRoleArn (account 222222222222) and
// spec.region (eu-west-1). moto lets any role be assumed and serves each call in the account that owns
// its access key, which the emulator's call log names per call.
import { GetRestApisCommand, APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, describe, expect, it } from "vitest";
import type { Emulator } from "../emulator/emulator.ts";
import { allApis, API_FILE, type Clients, ManifestDir, REGION, ROLE_FILE, RunProcess, useEmulator } from "./support.ts";

let emulator: Emulator;
let aws: Clients;
useEmulator((e, c) => {
  emulator = e;
  aws = c;
});

const PARTNER_ACCOUNT = "222222222222";
const DEFAULT_ACCOUNT = "123456789012";
const DEPLOYER = `arn:aws:iam::${PARTNER_ACCOUNT}:role/apigw-deployer`;

const dir = new ManifestDir();
afterAll(() => {
  RunProcess.killAll();
  dir.dispose();
});

/** The seed's API and role again, as "partner-s3" and "partner-role", managed in the partner account and Region. */
interface TargetedSpec {
  name?: string;
  roleName?: string;
  description?: string;
  assumeRoleArn?: string;
  region?: string;
  resources?: unknown;
}

type Doc = { metadata: { name: string }; spec: TargetedSpec };

function addPartnerManifests(): void {
  const api = dir.read<Doc>(API_FILE);
  api.metadata.name = "partner-s3";
  api.spec.name = "PartnerS3";
  api.spec.assumeRoleArn = DEPLOYER;
  api.spec.region = "eu-west-1";
  const text = JSON.stringify(api.spec.resources).replaceAll('"roleRef":"apig-aws-proxy-role"', '"roleRef":"partner-role"');
  api.spec.resources = JSON.parse(text);
  dir.write("partner-api.yaml", api);
  const role = dir.read<Doc>(ROLE_FILE);
  role.metadata.name = "partner-role";
  role.spec.roleName = "partnerProxyRole";
  role.spec.assumeRoleArn = DEPLOYER;
  dir.write("partner-role.yaml", role);
}

function runOnce(...extra: string[]): RunProcess {
  return new RunProcess(emulator, ["--once", "-m", dir.dir, "--state-file", `${dir.dir}/.state.json`, ...extra]);
}

async function partnerApis(): Promise<string[]> {
  const sts = new STSClient({ endpoint: emulator.endpoint, region: REGION, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
  const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: DEPLOYER, RoleSessionName: "test" }));
  sts.destroy();
  const c = assumed.Credentials;
  const apigw = new APIGatewayClient({ endpoint: emulator.endpoint, region: "eu-west-1", credentials: { accessKeyId: c?.AccessKeyId ?? "", secretAccessKey: c?.SecretAccessKey ?? "", sessionToken: c?.SessionToken ?? "" } });
  const names = ((await apigw.send(new GetRestApisCommand({ limit: 500 }))).items ?? []).map((a) => a.name ?? "");
  apigw.destroy();
  return names;
}

describe("reconcile run: several accounts and Regions through AssumeRole", () => {
  it("creates each API and role in its own account and Region, assumes the role once, and converges", async () => {
    await emulator.reset();
    addPartnerManifests();
    const first = runOnce();
    expect(await first.exited, first.describe()).toBe(0);
    const pass = first.passes().at(-1);
    expect(pass?.result).toBe("success");
    expect(pass?.changes?.create).toBeGreaterThan(100);

    const log = (await emulator.calls()).log;
    const accountOf = (op: string) => [...new Set(log.filter((e) => e.op === op).map((e) => e.account))].sort();
    expect(accountOf("apigateway:CreateRestApi")).toEqual([DEFAULT_ACCOUNT, PARTNER_ACCOUNT]);
    expect(accountOf("iam:CreateRole")).toEqual([DEFAULT_ACCOUNT, PARTNER_ACCOUNT]);
    // One AssumeRole session, shared by the API Gateway, IAM and STS clients of that account.
    expect(log.filter((e) => e.op === "sts:AssumeRole")).toHaveLength(1);
    // Every call made with the assumed role's keys was served in the partner account.
    const partnerKeys = new Set(log.filter((e) => e.account === PARTNER_ACCOUNT).map((e) => e.accessKey));
    expect(log.filter((e) => partnerKeys.has(e.accessKey)).every((e) => e.account === PARTNER_ACCOUNT)).toBe(true);

    expect((await allApis(aws.apigw)).map((a) => a.name)).toEqual(["MyS3"]);
    expect(await partnerApis()).toEqual(["PartnerS3"]);

    const again = runOnce("--mode", "observe");
    expect(await again.exited, again.describe()).toBe(0);
    expect(again.passes().at(-1)?.changes).toEqual({ create: 0, update: 0, delete: 0, replace: 0, redeploy: 0 });
  });

  it("plan names the account and Region of each object when a pass spans several", async () => {
    const edited = dir.read<Doc>("partner-api.yaml");
    edited.spec.description = "partner copy";
    dir.write("partner-api.yaml", edited);
    const { runCli } = await import("./support.ts");
    const plan = await runCli(emulator, ["plan", "-m", dir.dir, "--no-color", "-o", "json"]);
    expect(plan.code, plan.stderr).toBe(0);
    const changes = plan.json?.changes ?? [];
    expect(changes.map((c) => `${c.kind} ${c.api ?? c.role ?? ""} ${String((c as { target?: string }).target)}`)).toEqual([`RestApi partner-s3 ${PARTNER_ACCOUNT}/eu-west-1`]);
    const text = await runCli(emulator, ["plan", "-m", dir.dir, "--no-color"]);
    expect(text.stdout).toContain(`RestApi partner-s3 (${PARTNER_ACCOUNT}/eu-west-1)`);
  });
});
