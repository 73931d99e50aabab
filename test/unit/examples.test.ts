// The examples/ folder is documentation that people copy: every file must parse, the Kubernetes objects
// must keep the properties the README promises (one replica, Recreate, probes, read-only root, …), the
// IAM policies must grant what the code calls, and every `reconcile` command line in them must use
// commands and flags the CLI accepts, checked against the commander program itself (buildProgram).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { cliProblems } from "./support/cli-args.ts";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.ts";
import { parseDuration } from "../../src/controller/schedule.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLES = join(ROOT, "examples");
const IMAGE_PORT = 9464;
const STATE_DIR = "/var/lib/apigw-reconciler";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

// ------------------------------------------------------------------------------ reading the examples

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

function rel(path: string): string {
  return relative(EXAMPLES, path);
}

/**
 * Kubernetes reads YAML 1.1 (sigs.k8s.io/yaml): `0440` is octal there, `yes` a boolean. GitHub Actions
 * reads YAML 1.2, where `on:` is the string "on" (in 1.1 it would be the boolean true).
 */
function yamlDocuments(path: string): Json[] {
  const version = path.includes(`${join("examples", "github-actions")}`) ? "1.2" : "1.1";
  const documents = parseAllDocuments(readFileSync(path, "utf8"), { version, prettyErrors: true });
  if (!Array.isArray(documents)) return [];
  const problems = documents.flatMap((d) => [...d.errors, ...d.warnings].map((e) => `${rel(path)}: ${e.message}`));
  expect(problems).toEqual([]);
  return documents.map((d) => d.toJS() as Json).filter((d) => d !== null);
}

/** A scalar as text (numbers too: `node-version: 20`); a mapping or a list as JSON, so a mismatch reads well. */
function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return `${value}`;
  return value === undefined ? "" : JSON.stringify(value);
}

function asObj(value: Json | undefined, what: string): Obj {
  if (value === null || value === undefined || typeof value !== "object" || Array.isArray(value)) throw new Error(`${what}: not a mapping`);
  return value;
}

function asArray(value: Json | undefined, what: string): Json[] {
  if (!Array.isArray(value)) throw new Error(`${what}: not a list`);
  return value;
}

/** Follows `path` (keys and list indices) through nested mappings; throws naming the missing step. */
function at(value: Json | undefined, ...path: (string | number)[]): Json {
  let current: Json | undefined = value;
  const walked: (string | number)[] = [];
  for (const step of path) {
    walked.push(step);
    if (current === null || typeof current !== "object") throw new Error(`missing ${walked.join(".")}`);
    current = Array.isArray(current) ? current[step as number] : current[step as string];
    if (current === undefined) throw new Error(`missing ${walked.join(".")}`);
  }
  return current as Json;
}

function kubernetesObjects(file: string): Obj[] {
  return yamlDocuments(join(EXAMPLES, "kubernetes", file)).map((d, i) => asObj(d, `${file} document ${i}`));
}

function objectOf(objects: Obj[], kind: string): Obj {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, `exactly one ${kind}`).toHaveLength(1);
  return found[0]!;
}

/** The pod spec of a Deployment, Job or CronJob. */
function podSpecOf(workload: Obj): Obj {
  return asObj(workload.kind === "CronJob" ? at(workload, "spec", "jobTemplate", "spec", "template", "spec") : at(workload, "spec", "template", "spec"), "pod spec");
}

function reconcilerContainer(podSpec: Obj): Obj {
  const containers = asArray(podSpec.containers, "containers").map((c, i) => asObj(c, `container ${i}`));
  const found = containers.filter((c) => typeof c.image === "string" && c.image.includes("apigw-reconciler"));
  expect(found, "one apigw-reconciler container").toHaveLength(1);
  return found[0]!;
}

/** The reconcile argv of a container: its args after the image's ENTRYPOINT (no `command` override). */
function containerArgv(container: Obj): string[] {
  expect(container.command, "the image's ENTRYPOINT is kept (args only)").toBeUndefined();
  return asArray(container.args, "args").map(String);
}

/** The value after `flag` (or in `flag=value`) in an argv; undefined when absent. */
function flagValue(argv: readonly string[], ...names: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (names.includes(token)) return argv[i + 1];
    const eq = token.indexOf("=");
    if (eq > 0 && names.includes(token.slice(0, eq))) return token.slice(eq + 1);
  }
  return undefined;
}

function isUnder(path: string, directory: string): boolean {
  const d = directory.replace(/\/+$/, "");
  return path === d || path.startsWith(`${d}/`);
}

const MEMORY_UNITS: Record<string, number> = { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9 };

function memoryBytes(quantity: Json): number {
  const match = /^(\d+)(Ki|Mi|Gi|K|M|G)?$/.exec(text(quantity));
  if (!match) throw new Error(`not a memory quantity: ${text(quantity)}`);
  return Number(match[1]) * (MEMORY_UNITS[match[2] ?? ""] ?? Number.NaN);
}

// ------------------------------------------------------------------------------ the CLI's own options

const program = buildProgram(
  () => {},
  () => {},
);

/** Splits one shell line into words (quotes removed); enough for the examples' command lines. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

const SHELL_OPERATORS = new Set([";", "&&", "||", "|", "&"]);

/** The reconcile argv in a shell line (`node …/bin/reconcile.js ARGS`, `npx reconcile ARGS`), up to a redirection or operator. */
function reconcileArgvInShell(line: string): string[] | undefined {
  const words = shellWords(line);
  const start = words.findIndex((w, i) => w.endsWith("bin/reconcile.js") || (w === "reconcile" && i > 0 && ["npx", "exec"].includes(words[i - 1]!)));
  if (start < 0) return undefined;
  const argv: string[] = [];
  for (const word of words.slice(start + 1)) {
    if (SHELL_OPERATORS.has(word) || /^\d*>/.test(word) || word.startsWith("<")) break;
    argv.push(word);
  }
  return argv;
}

/** The shell of a workflow step, continuation lines joined. */
function scriptLines(script: string): string[] {
  return script.replace(/\\\n\s*/g, " ").split("\n");
}

interface CommandLine {
  where: string;
  argv: string[];
}

function workflow(): Obj {
  const [document] = yamlDocuments(join(EXAMPLES, "github-actions", "plan-on-pr.yml"));
  return asObj(document, "workflow");
}

function workflowSteps(): Obj[] {
  const jobs = asObj(at(workflow(), "jobs"), "jobs");
  return Object.values(jobs).flatMap((job) => asArray(at(job, "steps"), "steps").map((s, i) => asObj(s, `step ${i}`)));
}

/** Every reconcile command line in the examples: container args and the workflow's shell steps. */
function exampleCommandLines(): CommandLine[] {
  const lines: CommandLine[] = [];
  for (const file of ["deployment.yaml", "cronjob.yaml"]) {
    for (const workload of kubernetesObjects(file).filter((o) => ["Deployment", "CronJob", "Job", "Pod"].includes(text(o.kind)))) {
      lines.push({ where: `${file} ${text(workload.kind)}`, argv: containerArgv(reconcilerContainer(podSpecOf(workload))) });
    }
  }
  for (const step of workflowSteps()) {
    if (typeof step.run !== "string") continue;
    for (const line of scriptLines(step.run)) {
      const argv = reconcileArgvInShell(line);
      if (argv) lines.push({ where: `plan-on-pr.yml: ${line.trim()}`, argv });
    }
  }
  return lines;
}

// ------------------------------------------------------------------------------ tests

describe("examples/: every file parses", () => {
  const files = filesUnder(EXAMPLES);

  it("has the files the README points at", () => {
    const names = files.map(rel).sort();
    for (const expected of ["README.md", "kubernetes/deployment.yaml", "kubernetes/cronjob.yaml", "github-actions/plan-on-pr.yml", "iam/reconciler-policy.json"]) {
      expect(names).toContain(expected);
    }
  });

  it.each(files.filter((f) => /\.ya?ml$/.test(f)).map(rel))("%s is valid YAML, every document an object", (file) => {
    const documents = yamlDocuments(join(EXAMPLES, file));
    expect(documents.length).toBeGreaterThan(0);
    for (const d of documents) asObj(d, file);
  });

  it.each(files.filter((f) => f.endsWith(".json")).map(rel))("%s is valid JSON", (file) => {
    expect(() => JSON.parse(readFileSync(join(EXAMPLES, file), "utf8")) as unknown).not.toThrow();
  });

  it("examples/README.md describes every file", () => {
    const readme = readFileSync(join(EXAMPLES, "README.md"), "utf8");
    const undescribed = files.map(rel).filter((f) => f !== "README.md" && !readme.includes(f));
    expect(undescribed).toEqual([]);
  });

  it("every Kubernetes object has apiVersion, kind, metadata.name, and string-only labels and annotations", () => {
    for (const file of ["deployment.yaml", "cronjob.yaml"]) {
      for (const object of kubernetesObjects(file)) {
        expect(typeof object.apiVersion, file).toBe("string");
        expect(typeof object.kind, file).toBe("string");
        expect(typeof at(object, "metadata", "name"), file).toBe("string");
        // An unquoted `true` or `9464` is rejected by the API server: annotations are strings only.
        const maps: Json[] = [];
        const collect = (value: Json) => {
          if (value === null || typeof value !== "object") return;
          if (Array.isArray(value)) return value.forEach(collect);
          for (const [key, inner] of Object.entries(value)) {
            if (key === "labels" || key === "annotations") maps.push(inner);
            collect(inner);
          }
        };
        collect(object);
        for (const map of maps) for (const [key, value] of Object.entries(asObj(map, "labels/annotations"))) expect(typeof value, `${file} ${key}`).toBe("string");
      }
    }
  });
});

describe("examples/kubernetes/deployment.yaml: the controller", () => {
  const objects = kubernetesObjects("deployment.yaml");
  const deployment = objectOf(objects, "Deployment");
  const pod = podSpecOf(deployment);
  const container = reconcilerContainer(pod);
  const argv = containerArgv(container);
  const runOptions = program.commands.find((c) => c.name() === "run")?.options ?? [];

  it("runs `reconcile run` from Git with its state in S3, pruning, listening on all interfaces", () => {
    expect(argv[0]).toBe("run");
    expect(flagValue(argv, "--git-url")).toBe("https://github.com/example/platform-apis.git");
    expect(flagValue(argv, "--git-ref")).toBe("main");
    expect(flagValue(argv, "--git-path")).toBe("apis");
    expect(flagValue(argv, "--state-file")).toBe("s3://example-reconciler-state/prod/state.json");
    expect(flagValue(argv, "--owner")).toBe("prod-cluster");
    expect(argv).toContain("--prune");
    expect(argv).not.toContain("--once");
    // The kubelet probes the pod's IP: the default 127.0.0.1 would fail every probe.
    expect(flagValue(argv, "--listen")).toBe(`0.0.0.0:${IMAGE_PORT}`);
  });

  it("one replica, Recreate, and a grace period longer than --shutdown-grace", () => {
    expect(at(deployment, "spec", "replicas")).toBe(1);
    expect(at(deployment, "spec", "strategy", "type")).toBe("Recreate");
    const grace = flagValue(argv, "--shutdown-grace") ?? text(runOptions.find((o) => o.long === "--shutdown-grace")?.defaultValue ?? "25s");
    const seconds = Number(at(pod, "terminationGracePeriodSeconds"));
    expect(seconds).toBeGreaterThanOrEqual(30);
    expect(seconds * 1000).toBeGreaterThan(parseDuration(grace));
  });

  it("a ServiceAccount with an IRSA role, used by the pod", () => {
    const account = objectOf(objects, "ServiceAccount");
    expect(text(at(account, "metadata", "annotations", "eks.amazonaws.com/role-arn"))).toMatch(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/);
    expect(at(pod, "serviceAccountName")).toBe(at(account, "metadata", "name"));
    expect(at(account, "metadata", "namespace")).toBe(at(deployment, "metadata", "namespace"));
  });

  it("Prometheus scrape annotations on the pod point at /metrics on the listen port", () => {
    const annotations = asObj(at(deployment, "spec", "template", "metadata", "annotations"), "annotations");
    expect(annotations).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": text(IMAGE_PORT), "prometheus.io/path": "/metrics" });
  });

  it("liveness on /healthz, readiness on /readyz, both on the container port --listen uses", () => {
    const ports = asArray(container.ports, "ports").map((p) => asObj(p, "port"));
    const portOf = (ref: Json) => (typeof ref === "number" ? ref : ports.find((p) => p.name === ref)?.containerPort);
    expect(at(container, "livenessProbe", "httpGet", "path")).toBe("/healthz");
    expect(at(container, "readinessProbe", "httpGet", "path")).toBe("/readyz");
    expect(portOf(at(container, "livenessProbe", "httpGet", "port"))).toBe(IMAGE_PORT);
    expect(portOf(at(container, "readinessProbe", "httpGet", "port"))).toBe(IMAGE_PORT);
  });

  it("runs as non-root with a read-only root filesystem and no capabilities", () => {
    expect(at(pod, "securityContext", "runAsNonRoot")).toBe(true);
    expect(Number(at(pod, "securityContext", "runAsUser"))).toBeGreaterThan(0);
    expect(at(container, "securityContext", "readOnlyRootFilesystem")).toBe(true);
    expect(at(container, "securityContext", "allowPrivilegeEscalation")).toBe(false);
    expect(asArray(at(container, "securityContext", "capabilities", "drop"), "drop")).toContain("ALL");
  });

  it("everything it writes is on a writable volume, and the webhook secret comes from a Secret", () => {
    const volumes = asArray(pod.volumes, "volumes").map((v) => asObj(v, "volume"));
    const mounts = asArray(container.volumeMounts, "volumeMounts").map((m) => asObj(m, "mount"));
    const volumeOf = (path: string) => {
      const mount = mounts.filter((m) => isUnder(path, text(m.mountPath))).sort((a, b) => text(b.mountPath).length - text(a.mountPath).length)[0];
      return { mount, volume: volumes.find((v) => v.name === mount?.name) };
    };
    const data = volumeOf(STATE_DIR);
    expect(data.mount?.mountPath).toBe(STATE_DIR);
    expect(data.volume?.emptyDir).toBeDefined();
    for (const flag of ["--git-cache-dir", "--state-file"]) {
      const path = flagValue(argv, flag);
      if (path === undefined || path.startsWith("s3://")) continue;
      const { mount, volume } = volumeOf(path);
      expect(mount?.readOnly ?? false, `${flag} ${path}`).toBe(false);
      expect(volume?.emptyDir ?? volume?.persistentVolumeClaim, `${flag} ${path} on a writable volume`).toBeDefined();
    }
    const secretFile = flagValue(argv, "--webhook-secret-file");
    expect(secretFile).toBe("/etc/apigw-reconciler/webhook/secret");
    const secret = volumeOf(secretFile!);
    expect(secret.mount?.readOnly).toBe(true);
    expect(at(secret.volume, "secret", "secretName")).toBe("apigw-reconciler-webhook");
  });

  it("a Service exposes the listen port to the pod (webhook and scraping), even while not ready", () => {
    const service = objectOf(objects, "Service");
    const ports = asArray(at(service, "spec", "ports"), "ports").map((p) => asObj(p, "port"));
    expect(ports.map((p) => p.port)).toContain(IMAGE_PORT);
    expect(at(service, "spec", "selector")).toEqual(at(deployment, "spec", "template", "metadata", "labels"));
    expect(at(service, "spec", "publishNotReadyAddresses")).toBe(true);
  });

  it("memory requests and limits fit the measured footprint (128–256 MiB)", () => {
    const request = memoryBytes(at(container, "resources", "requests", "memory"));
    const limit = memoryBytes(at(container, "resources", "limits", "memory"));
    expect(request).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(limit).toBeGreaterThanOrEqual(request);
    expect(limit).toBeLessThanOrEqual(512 * 2 ** 20);
  });
});

describe("examples/kubernetes/cronjob.yaml: one-shot passes", () => {
  const cronJob = objectOf(kubernetesObjects("cronjob.yaml"), "CronJob");
  const pod = podSpecOf(cronJob);
  const container = reconcilerContainer(pod);
  const argv = containerArgv(container);

  it("never two passes at once, no retry storm, each pass ends", () => {
    expect(at(cronJob, "spec", "concurrencyPolicy")).toBe("Forbid");
    expect(at(pod, "restartPolicy")).toBe("Never");
    expect(at(cronJob, "spec", "jobTemplate", "spec", "backoffLimit")).toBe(0);
    expect(argv[0] === "apply" || (argv[0] === "run" && argv.includes("--once")), argv.join(" ")).toBe(true);
  });

  it("runs as non-root on a read-only root filesystem, writing only to its emptyDir", () => {
    expect(at(pod, "securityContext", "runAsNonRoot")).toBe(true);
    expect(at(container, "securityContext", "readOnlyRootFilesystem")).toBe(true);
    expect(asArray(at(container, "securityContext", "capabilities", "drop"), "drop")).toContain("ALL");
    const mounts = asArray(container.volumeMounts, "volumeMounts").map((m) => asObj(m, "mount"));
    const cache = flagValue(argv, "--git-cache-dir");
    expect(cache).toBeDefined();
    expect(mounts.some((m) => isUnder(cache!, text(m.mountPath)) && m.readOnly !== true)).toBe(true);
  });
});

describe("examples/github-actions/plan-on-pr.yml: plan on pull requests", () => {
  const document = workflow();
  const steps = workflowSteps();
  const planStep = steps.find((s) => typeof s.run === "string" && scriptLines(s.run).some((l) => reconcileArgvInShell(l)?.[0] === "plan"));

  it("runs on pull_request with exactly the permissions it needs", () => {
    expect(Object.keys(asObj(at(document, "on"), "on"))).toEqual(["pull_request"]);
    expect(at(document, "permissions")).toEqual({ "id-token": "write", "pull-requests": "write", contents: "read" });
  });

  it("checks out, sets up Node 20, installs, and assumes an AWS role through OIDC", () => {
    const uses = steps.map((s) => text(s.uses ?? ""));
    expect(uses.some((u) => u.startsWith("actions/checkout@"))).toBe(true);
    const node = steps.find((s) => text(s.uses ?? "").startsWith("actions/setup-node@"));
    expect(text(at(node, "with", "node-version"))).toBe("20");
    expect(steps.some((s) => typeof s.run === "string" && s.run.includes("npm ci"))).toBe(true);
    const aws = steps.find((s) => text(s.uses ?? "").startsWith("aws-actions/configure-aws-credentials@"));
    expect(text(at(aws, "with", "role-to-assume"))).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(JSON.stringify(aws)).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
  });

  it("plans with --detailed-exitcode into plan.md as Markdown", () => {
    expect(planStep).toBeDefined();
    const argv = scriptLines(text(planStep!.run)).map(reconcileArgvInShell).find((a) => a?.[0] === "plan")!;
    expect(argv).toContain("--detailed-exitcode");
    expect(flagValue(argv, "-o", "--output")).toBe("markdown");
    expect(flagValue(argv, "--out")).toBe("plan.md");
  });

  // The step's own script, run by bash as GitHub runs it (-e, pipefail), with a stand-in `node` that
  // writes plan.md and exits with the code of the case.
  it.each([
    [0, 0],
    [2, 0],
    [1, 1],
  ])("plan exit %i → step exit %i (2 = changes is not a failure; 1 = error is)", (planCode, stepCode) => {
    const dir = mkdtempSync(join(tmpdir(), "plan-step-"));
    try {
      const bin = join(dir, "bin");
      mkdirSync(bin);
      writeFileSync(join(bin, "node"), `#!/bin/sh\necho "### plan" > plan.md\nexit ${planCode}\n`);
      chmodSync(join(bin, "node"), 0o755);
      const output = join(dir, "output");
      const summary = join(dir, "summary");
      writeFileSync(output, "");
      writeFileSync(summary, "");
      const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", text(planStep!.run)], {
        cwd: dir,
        env: { PATH: `${bin}:${process.env.PATH ?? ""}`, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
        encoding: "utf8",
      });
      expect(result.status, result.stderr).toBe(stepCode);
      expect(readFileSync(output, "utf8")).toContain(`exitcode=${planCode}`);
      expect(existsSync(join(dir, "plan.md"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("posts plan.md as a pull request comment", () => {
    const comment = steps.find((s) => text(s.uses ?? "").startsWith("actions/github-script@") || (typeof s.run === "string" && s.run.includes("gh pr comment")));
    expect(comment).toBeDefined();
    expect(JSON.stringify(comment)).toContain("plan.md");
  });
});

describe("every reconcile command line in the examples is one the CLI accepts", () => {
  const lines = exampleCommandLines();

  it("finds the command lines (deployment, cronjob, workflow)", () => {
    expect(lines.map((l) => l.where.split(/[ :]/)[0])).toEqual(expect.arrayContaining(["deployment.yaml", "cronjob.yaml", "plan-on-pr.yml"]));
  });

  it.each(lines.map((l) => [l.where, l.argv] as const))("%s", (_where, argv) => {
    expect(cliProblems(program, argv)).toEqual([]);
  });

  // The checker itself: it must reject what commander would reject, or the rows above prove nothing.
  it.each([
    [["plan", "--no-such-flag"], "plan: unknown option --no-such-flag"],
    [["plan", "-m", "manifests", "--detailed-exitcod"], "plan: unknown option --detailed-exitcod"],
    [["plan", "-o", "markdwon"], "plan: -o markdwon is not one of text, json, markdown, html"],
    [["plan", "--max-deletions"], "plan: --max-deletions needs a value"],
    [["plan", "--prune=yes"], "plan: --prune takes no value"],
    [["plan", "stray"], 'plan: unexpected argument "stray"'],
    [["aply", "-m", "manifests"], "command aply unknown"],
  ])("rejects %j", (argv, problem) => {
    expect(cliProblems(program, argv).join("\n")).toContain(problem);
  });

  it.each([[["plan", "-m", "a", "b", "--prune", "--out=plan.md", "-o", "json", "--detailed-exitcode"]], [["drift", "--alert-webhook", "https://hooks.example/x", "--alert-format", "slack"]]])(
    "accepts %j",
    (argv) => {
      expect(cliProblems(program, argv)).toEqual([]);
    },
  );

  it("rejects a misspelled flag in a real example (the extraction reaches the checker)", () => {
    const deployment = lines.find((l) => l.where.startsWith("deployment.yaml"))!;
    const broken = deployment.argv.map((a) => (a === "--git-ref" ? "--git-reff" : a));
    expect(cliProblems(program, broken)).toContain(`${deployment.argv[0]}: unknown option --git-reff`);
  });
});

describe("examples/iam: the policies grant what the code calls", () => {
  const SRC = join(ROOT, "src");
  const sources = filesUnder(SRC)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => ({ file: f, text: readFileSync(f, "utf8") }));
  const policy = JSON.parse(readFileSync(join(EXAMPLES, "iam", "reconciler-policy.json"), "utf8")) as { Statement: { Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[] };
  const planPolicy = JSON.parse(readFileSync(join(EXAMPLES, "iam", "reconciler-plan-policy.json"), "utf8")) as typeof policy;
  const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
  const allowed = (p: typeof policy) => new Set(p.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action)));

  // The IAM calls: reads through gateway.read("iam", "X"), writes planned as { service: "iam", call } by add("X", …).
  const iamCalls = new Set<string>();
  for (const { text } of sources) {
    for (const m of text.matchAll(/"iam",\s*"([A-Z]\w+)"/g)) iamCalls.add(m[1]!);
    if (text.includes('service: "iam"')) for (const m of text.matchAll(/\badd\("([A-Z]\w+)"/g)) iamCalls.add(m[1]!);
  }
  const s3Calls = new Set(sources.filter((s) => s.file.includes(`${join("src", "state")}`)).flatMap(({ text }) => [...text.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]!)));

  it("every IAM call the code makes is allowed", () => {
    expect(iamCalls.size).toBeGreaterThan(10);
    const granted = allowed(policy);
    expect([...iamCalls].filter((call) => !granted.has(`iam:${call}`))).toEqual([]);
  });

  it("iam:PassRole only to API Gateway", () => {
    const pass = policy.Statement.filter((s) => list(s.Action).includes("iam:PassRole"));
    expect(pass).toHaveLength(1);
    expect(pass[0]!.Condition).toEqual({ StringEquals: { "iam:PassedToService": "apigateway.amazonaws.com" } });
  });

  it("every S3 call of the state store and the lease is allowed on the state prefix, and ListBucket makes a missing state 404", () => {
    expect(s3Calls.size).toBeGreaterThan(0);
    const granted = allowed(policy);
    expect([...s3Calls].filter((call) => !granted.has(`s3:${call}`))).toEqual([]);
    const objects = policy.Statement.find((s) => list(s.Action).includes("s3:GetObject"))!;
    expect(list(objects.Resource)).toEqual(["arn:aws:s3:::example-reconciler-state/prod/*"]);
    expect(granted.has("s3:ListBucket")).toBe(true);
  });

  it("API Gateway: every HTTP verb the calls map to, on /restapis and /tags", () => {
    const granted = allowed(policy);
    for (const verb of ["GET", "POST", "PUT", "PATCH", "DELETE"]) expect(granted.has(`apigateway:${verb}`), verb).toBe(true);
    const resources = policy.Statement.filter((s) => list(s.Action).some((a) => a.startsWith("apigateway:"))).flatMap((s) => list(s.Resource));
    expect(resources).toEqual(expect.arrayContaining(["arn:aws:apigateway:*::/restapis", "arn:aws:apigateway:*::/restapis/*", "arn:aws:apigateway:*::/tags/*"]));
    // The kinds that hand an API to partners and serve it on a domain: their collections and items.
    for (const collection of ["usageplans", "apikeys", "domainnames"]) {
      expect(resources, collection).toEqual(expect.arrayContaining([`arn:aws:apigateway:*::/${collection}`, `arn:aws:apigateway:*::/${collection}/*`]));
    }
  });

  it("CloudTrail: every call of --changes-from is allowed, in both policies", () => {
    const calls = new Set(sources.flatMap(({ text }) => [...text.matchAll(/"cloudtrail",\s*"([A-Z]\w+)"/g)].map((m) => m[1]!)));
    expect([...calls]).toEqual(["LookupEvents"]);
    for (const p of [policy, planPolicy]) expect([...calls].filter((call) => !allowed(p).has(`cloudtrail:${call}`))).toEqual([]);
  });

  it("the plan policy (pull requests) is read-only and covers every read", () => {
    const granted = [...allowed(planPolicy)];
    expect(granted.filter((a) => !/^(apigateway:GET|iam:(Get|List)\w+|sts:GetCallerIdentity|cloudtrail:LookupEvents)$/.test(a))).toEqual([]);
    const reads = [...iamCalls].filter((c) => /^(Get|List)/.test(c));
    expect(reads.filter((c) => !granted.includes(`iam:${c}`))).toEqual([]);
  });

  it("the IRSA trust names the ServiceAccount of deployment.yaml", () => {
    const trust = readFileSync(join(EXAMPLES, "iam", "trust-eks-irsa.json"), "utf8");
    const account = objectOf(kubernetesObjects("deployment.yaml"), "ServiceAccount");
    expect(trust).toContain(`"system:serviceaccount:${text(at(account, "metadata", "namespace"))}:${text(at(account, "metadata", "name"))}"`);
  });
});
