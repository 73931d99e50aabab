/**
 * Drift alerts to a real HTTP receiver (node:http on 127.0.0.1): a drift is POSTed once when it
 * appears, not again while it is unchanged, once when it is resolved; Slack format; a receiver that
 * fails (500) or never answers neither fails nor blocks the run; the webhook URL and the token in it
 * never appear in stdout, stderr, report files or the state file.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- manifests are edited as loose YAML data; expect.any is typed any */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpdateStageCommand } from "@aws-sdk/client-api-gateway";
import { UpdateRoleCommand } from "@aws-sdk/client-iam";
import { startEmulator, type Emulator } from "../emulator/emulator.ts";
import { API_FILE, API_KEY, clients, theApi, type Clients, SEED } from "./support.ts";
import { explain, WebhookReceiver, Workspace, type RunResult } from "./drift-support.ts";

const TOKEN = "SECRET-TOKEN-123";
const ROLE_NAME = SEED.roleName;
const STAGE_DESCRIPTION = "Production stage of the S3 proxy";

let emulator: Emulator;
let aws: Clients;
let receiver: WebhookReceiver;
const ws = new Workspace();
const scratch = mkdtempSync(join(tmpdir(), "apigw-alerts-"));
/** Every CLI run of this file, checked for the token at the end. */
const runs: { name: string; run: RunResult }[] = [];
let apiId = "";

beforeAll(async () => {
  emulator = await startEmulator();
  aws = clients(emulator);
  receiver = await WebhookReceiver.start();
  const applied = await ws.apply(emulator);
  if (applied.code !== 0) throw new Error(`base apply failed: ${explain(applied)}`);
  apiId = (await theApi(aws.apigw)).id;
});

afterAll(async () => {
  aws?.destroy();
  await receiver?.close();
  await emulator?.stop();
  ws.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const hook = () => receiver.url(`/hook/${TOKEN}`);

async function drift(name: string, ...extra: string[]): Promise<RunResult> {
  const run = await ws.drift(emulator, ...extra);
  runs.push({ name, run });
  return run;
}

function expectNoToken(run: RunResult): void {
  expect(run.stdout).not.toContain(TOKEN);
  expect(run.stderr).not.toContain(TOKEN);
  expect(run.stdout + run.stderr).not.toContain("/hook/");
}

type Body = Record<string, unknown> & { drift?: Record<string, unknown>[]; resolved?: { fingerprint: string; description: string }[] };
const bodyOf = (i = 0) => receiver.posts[i]?.body as Body | undefined;

describe("deduplicated drift alerts", () => {
  it("a new drift: exactly one POST, event drift.detected with the object, its cause, its fields and the source revision", async () => {
    await aws.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/description", value: "by hand" }] }));
    receiver.mode = "ok";
    receiver.clear();
    const run = await drift("first", "--alert-webhook", hook(), "--source-revision", "0123abc");
    expect(run.code, explain(run)).toBe(2);
    // The report names the revision too.
    expect((JSON.parse(run.stdout) as { revision?: string }).revision).toBe("0123abc");
    expect(receiver.posts.length).toBe(1);
    const post = receiver.posts[0];
    expect(post?.url).toBe(`/hook/${TOKEN}`);
    expect(post?.headers["content-type"]).toMatch(/application\/json/);
    const body = bodyOf();
    expect(body?.event).toBe("drift.detected");
    expect(body?.revision).toBe("0123abc");
    expect(body?.drift).toEqual([
      {
        fingerprint: expect.any(String),
        kind: "Stage",
        action: "update",
        api: API_KEY,
        stage: "prod",
        cause: "drift",
        fields: [{ field: "description", live: "by hand", desired: STAGE_DESCRIPTION }],
      },
    ]);
    expectNoToken(run);
  });

  it("the same drift on the next run: no POST (still exit 2)", async () => {
    receiver.clear();
    const run = await drift("unchanged", "--alert-webhook", hook(), "--source-revision", "0123abc");
    expect(run.code, explain(run)).toBe(2);
    expect(receiver.posts).toEqual([]);
    expectNoToken(run);
  });

  it("healed by apply: the next drift run POSTs drift.resolved exactly once, the one after nothing", async () => {
    const healed = await ws.apply(emulator);
    runs.push({ name: "heal", run: healed });
    expect(healed.code, explain(healed)).toBe(0);
    receiver.clear();
    const run = await drift("resolved", "--alert-webhook", hook(), "--source-revision", "0123abc");
    expect(run.code, explain(run)).toBe(0);
    expect(receiver.posts.length).toBe(1);
    expect(bodyOf()?.event).toBe("drift.resolved");
    expect(bodyOf()?.revision).toBe("0123abc");
    expect(bodyOf()?.resolved).toEqual([{ fingerprint: expect.any(String), description: expect.stringContaining("Stage") }]);
    receiver.clear();
    const quiet = await drift("quiet", "--alert-webhook", hook());
    expect(quiet.code, explain(quiet)).toBe(0);
    expect(receiver.posts).toEqual([]);
    expectNoToken(run);
  });

  it("--alert-format slack: one POST whose body has a text naming the drifted object", async () => {
    await aws.iam.send(new UpdateRoleCommand({ RoleName: ROLE_NAME, Description: "by hand" }));
    receiver.clear();
    const run = await drift("slack", "--alert-webhook", hook(), "--alert-format", "slack", "--source-revision", "0123abc");
    expect(run.code, explain(run)).toBe(2);
    expect(receiver.posts.length).toBe(1);
    const text = bodyOf()?.text;
    expect(typeof text).toBe("string");
    expect(text).toContain("IamRole");
    expect(text).toContain("apig-aws-proxy-role");
    expect(text).toContain("0123abc");
    expectNoToken(run);
  });

  it("a pending manifest change is not announced (only drift is)", async () => {
    const original = ws.manifests.read(API_FILE);
    ws.manifests.edit(API_FILE, (m) => {
      m.spec.stages.prod.description = "changed in Git, not applied";
    });
    receiver.clear();
    try {
      const run = await drift("pending", "--alert-webhook", hook());
      expect(run.json?.changes.find((c) => c.kind === "Stage")?.cause, explain(run)).toBe("pending");
      expect(receiver.posts).toEqual([]);
      expectNoToken(run);
    } finally {
      ws.manifests.write(API_FILE, original);
    }
  });
});

describe("a failing or hanging receiver neither fails nor blocks the run", () => {
  it("answering 500: three attempts, a redacted warning, and the drift exit code 2 (not 1)", async () => {
    receiver.mode = "fail";
    receiver.clear();
    const url = receiver.url(`/hook/${TOKEN}?sig=${TOKEN}`);
    // a fresh state file: the role drift is new to it
    const run = await drift("500", "--alert-webhook", url, "--state-file", join(scratch, "500.json"));
    expect(run.code, explain(run)).toBe(2);
    expect(receiver.posts.length).toBe(3);
    expect(receiver.posts.every((p) => (p.body as Body | undefined)?.event === "drift.detected")).toBe(true);
    expect(run.stderr).toMatch(/HTTP 500/);
    expect(run.json?.changes.some((c) => c.cause === "drift")).toBe(true);
    expectNoToken(run);
  });

  it("never answering: the run completes well within the retry budget with exit 2", async () => {
    receiver.mode = "hang";
    receiver.clear();
    const run = await drift("hang", "--alert-webhook", hook(), "--state-file", join(scratch, "hang.json"));
    expect(run.code, explain(run)).toBe(2);
    // 3 attempts × 5 s timeout + 0.5 s + 1 s backoff, plus the pass itself
    expect(run.ms).toBeLessThan(22_000);
    expect(receiver.posts.length).toBe(3);
    expect(run.json?.changes.some((c) => c.cause === "drift")).toBe(true);
    expectNoToken(run);
  }, 60_000);
});

describe("the token appears nowhere", () => {
  it("in Markdown and HTML reports written with --out, nor in the state file", async () => {
    receiver.mode = "ok";
    const markdown = join(scratch, "report.md");
    const html = join(scratch, "report.html");
    const md = await ws.run(emulator, ["drift", "-m", ws.manifests.dir, "-o", "markdown", "--out", markdown, "--alert-webhook", hook(), "--state-file", join(scratch, "md.json")]);
    const ht = await ws.run(emulator, ["drift", "-m", ws.manifests.dir, "-o", "html", "--out", html, "--alert-webhook", hook(), "--state-file", join(scratch, "html.json")]);
    runs.push({ name: "markdown", run: md }, { name: "html", run: ht });
    expect(md.code, explain(md)).toBe(2);
    expect(ht.code, explain(ht)).toBe(2);
    for (const file of [markdown, html, join(scratch, "md.json"), join(scratch, "html.json"), ws.stateFile]) {
      expect(readFileSync(file, "utf8"), file).not.toContain(TOKEN);
    }
    expect(readFileSync(markdown, "utf8")).toContain("apig-aws-proxy-role");
  });

  it("in the stdout or stderr of any run of this file", () => {
    expect(runs.length).toBeGreaterThanOrEqual(10);
    const leaking = runs.filter(({ run }) => (run.stdout + run.stderr).includes(TOKEN)).map(({ name }) => name);
    expect(leaking).toEqual([]);
  });
});
