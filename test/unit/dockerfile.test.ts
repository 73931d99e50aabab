// The container image's contract, read from the Dockerfile's syntax tree (dockerfile-ast), not by regex:
// the runtime stage runs `reconcile run` as a non-root user, with git, port 9464 exposed and health-checked,
// the CLI as ENTRYPOINT, and writes only under its VOLUME (so that a read-only root filesystem works). The
// CMD's flags are checked against the CLI's own commander program. No container engine is needed.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { cliProblems } from "./support/cli-args.ts";
import { Copy, DockerfileParser, Env, Healthcheck, JSONInstruction, type Instruction } from "dockerfile-ast";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TEXT = readFileSync(`${ROOT}Dockerfile`, "utf8");
const dockerfile = DockerfileParser.parse(TEXT);
const PORT = 9464;

// ------------------------------------------------------------------------------ reading the Dockerfile

const instructions = dockerfile.getInstructions();
const froms = dockerfile.getFROMs();
const line = (i: Instruction) => i.getRange().start.line;
const finalFrom = froms[froms.length - 1]!;
/** The runtime stage: everything after the last FROM. */
const runtime = instructions.filter((i) => line(i) > line(finalFrom));
const buildStage = instructions.filter((i) => froms.length > 1 && line(i) > line(froms[0]!) && line(i) < line(finalFrom));

function ofKeyword(list: readonly Instruction[], keyword: string): Instruction[] {
  return list.filter((i) => i.getKeyword() === keyword);
}

function last<T>(list: readonly T[], what: string): T {
  const item = list[list.length - 1];
  if (item === undefined) throw new Error(`no ${what} in the runtime stage`);
  return item;
}

function words(i: Instruction): string[] {
  return i.getArguments().map((a) => a.getValue());
}

/** The exec form of ENTRYPOINT, CMD or VOLUME (an empty list for the shell form). */
function execForm(i: Instruction): string[] {
  if (!(i instanceof JSONInstruction)) throw new Error(`${i.getKeyword()} has no exec form`);
  return i.getJSONStrings().map((s) => s.getJSONValue());
}

/** Zero-based line/character → offset into the Dockerfile's text. */
function offsetOf(position: { line: number; character: number }): number {
  const lines = TEXT.split("\n");
  return lines.slice(0, position.line).reduce((sum, l) => sum + l.length + 1, 0) + position.character;
}

/**
 * HEALTHCHECK's command. dockerfile-ast gives HEALTHCHECK's words, not its JSON strings, so take the text
 * after the CMD subcommand and decide as Docker does: a JSON array of strings is the exec form.
 */
function healthcheckExecForm(healthcheck: Healthcheck): string[] {
  const subcommand = healthcheck.getSubcommand();
  const args = healthcheck.getArguments();
  if (subcommand?.getValue().toUpperCase() !== "CMD" || args.length < 2) throw new Error("HEALTHCHECK without CMD");
  const text = TEXT.slice(offsetOf(subcommand.getRange().end), offsetOf(args[args.length - 1]!.getRange().end)).replace(/\\\r?\n/g, "");
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === "string")) throw new Error("HEALTHCHECK CMD is not in exec form");
  return parsed;
}

function envOf(list: readonly Instruction[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const i of list) if (i instanceof Env) for (const p of i.getProperties()) env.set(p.getName(), p.getValue() ?? "");
  return env;
}

/** Where a COPY's destination lands: relative to the WORKDIR in force at that line. */
function copyDestination(copy: Copy): string {
  const dest = words(copy).filter((w) => !w.startsWith("--")).at(-1) ?? "";
  const workdir = ofKeyword(runtime, "WORKDIR").filter((w) => line(w) < line(copy)).at(-1);
  return posix.resolve(workdir ? words(workdir)[0]! : "/", dest);
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  return index < 0 ? undefined : argv[index + 1];
}

function isUnder(path: string, directory: string): boolean {
  const d = directory.replace(/\/+$/, "");
  return path === d || path.startsWith(`${d}/`);
}

// ------------------------------------------------------------------------------ the CLI's own options

const program = buildProgram(
  () => {},
  () => {},
);

// ------------------------------------------------------------------------------ tests

describe("Dockerfile: build", () => {
  it("parses, with two stages on Node 20: a build stage and the runtime", () => {
    expect(froms).toHaveLength(2);
    expect(froms[0]!.getBuildStage()).toBe("build");
    for (const from of froms) {
      expect(from.getImageName()).toBe("node");
      expect(from.getImageTag()).toMatch(/^20(\.|-|$)/);
    }
  });

  it("the build stage compiles dist/ through npm ci (its prepare script runs)", () => {
    const npmCi = ofKeyword(buildStage, "RUN").map(words).find((w) => w[0] === "npm" && w[1] === "ci");
    expect(npmCi).toBeDefined();
    expect(npmCi).not.toContain("--ignore-scripts");
  });

  it("every file COPY takes from the context exists and is not excluded by .dockerignore", () => {
    const ignored = readFileSync(`${ROOT}.dockerignore`, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("!"));
    // .dockerignore patterns are Go filepath.Match patterns from the context root; `*` is one segment.
    const matches = (pattern: string, path: string) =>
      new RegExp(`^${pattern.replace(/\/+$/, "").replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")}(/|$)`).test(path);
    const sources = ofKeyword(instructions, "COPY")
      .filter((c) => c instanceof Copy && !c.getFlags().some((f) => f.getName() === "from"))
      .flatMap((c) => words(c).filter((w) => !w.startsWith("--")).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect(existsSync(`${ROOT}${source}`), source).toBe(true);
      expect(ignored.filter((pattern) => matches(pattern, source)), source).toEqual([]);
    }
  });

  it("the runtime gets dist/ from the build stage, production dependencies only, and the CLI at /app/bin", () => {
    const copies = ofKeyword(runtime, "COPY").filter((c): c is Copy => c instanceof Copy);
    const fromBuild = copies.filter((c) => c.getFlags().some((f) => f.getName() === "from" && f.getValue() === "build"));
    expect(fromBuild.map(copyDestination)).toContain("/app/dist");
    const install = ofKeyword(runtime, "RUN").map(words).find((w) => w[0] === "npm" && w[1] === "ci");
    expect(install).toEqual(expect.arrayContaining(["--omit=dev", "--ignore-scripts"]));
    expect(copies.filter((c) => words(c)[0] === "bin").map(copyDestination)).toContain("/app/bin");
  });
});

describe("Dockerfile: runtime contract", () => {
  const entrypoint = last(ofKeyword(runtime, "ENTRYPOINT"), "ENTRYPOINT");
  const cmd = last(ofKeyword(runtime, "CMD"), "CMD");
  const cmdArgv = execForm(cmd);
  const volumes = ofKeyword(runtime, "VOLUME").flatMap(execForm);
  const user = last(ofKeyword(runtime, "USER"), "USER");
  const [uid = "", gid] = words(user)[0]!.split(":");

  it("runs as a numeric non-root user (Kubernetes' runAsNonRoot can only verify a numeric one)", () => {
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).not.toBe(0);
    if (gid !== undefined) expect(gid).toMatch(/^\d+$/);
    // Nothing after USER runs as someone else.
    expect(runtime.filter((i) => line(i) > line(user) && i.getKeyword() === "RUN")).toEqual([]);
  });

  it("exposes the controller's port", () => {
    expect(ofKeyword(runtime, "EXPOSE").flatMap(words)).toContain(String(PORT));
  });

  it("ENTRYPOINT runs the CLI in exec form (signals reach it)", () => {
    const argv = execForm(entrypoint);
    expect(argv.slice(-2)).toEqual(["node", "/app/bin/reconcile.js"]);
    // An init in front (tini) must end its own options with --, so the CLI's flags are not its own.
    if (argv.length > 2) expect(argv.slice(-3, -2)).toEqual(["--"]);
  });

  it("CMD starts `run`, listening on all interfaces on the exposed port", () => {
    expect(cmdArgv.length).toBeGreaterThan(0);
    expect(cmdArgv[0]).toBe("run");
    expect(flagValue(cmdArgv, "--listen")).toBe(`0.0.0.0:${PORT}`);
  });

  it("the CLI accepts the CMD's command and flags", () => {
    expect(cliProblems(program, cmdArgv)).toEqual([]);
  });

  it("the CLI check rejects what commander would (the row above proves something)", () => {
    expect(cliProblems(program, [...cmdArgv, "--no-such-flag"])).toContain(`${cmdArgv[0]}: unknown option --no-such-flag`);
    expect(cliProblems(program, ["runn", ...cmdArgv.slice(1)])[0]).toMatch(/^command runn unknown/);
  });

  it("declares a VOLUME, and every path the CMD writes and HOME are under it", () => {
    expect(volumes.length).toBeGreaterThan(0);
    const written = ["--git-cache-dir", "--state-file"].map((flag) => [flag, flagValue(cmdArgv, flag)] as const);
    for (const [flag, path] of written) {
      expect(path, `${flag} is given explicitly (its default is relative to the read-only /app)`).toBeDefined();
      expect(volumes.some((v) => isUnder(path!, v)), `${flag} ${path ?? ""}`).toBe(true);
    }
    const home = envOf(runtime).get("HOME");
    if (home !== undefined) expect(volumes.some((v) => isUnder(home, v)), `HOME ${home}`).toBe(true);
  });

  it("the CLI's relative default paths (state file, Git cache) resolve under the VOLUME", () => {
    const workdir = words(last(ofKeyword(runtime, "WORKDIR"), "WORKDIR"))[0]!;
    const defaults = [
      ["plan", "--state-file"],
      ["apply", "--state-file"],
      ["run", "--state-file"],
      ["run", "--git-cache-dir"],
    ].map(([command, flag]) => [`${command} ${flag}`, program.commands.find((c) => c.name() === command)?.options.find((o) => o.long === flag)?.defaultValue] as const);
    for (const [what, value] of defaults) {
      expect(typeof value, what).toBe("string");
      const path = posix.resolve(workdir, value as string);
      expect(volumes.some((v) => isUnder(path, v)), `${what} default ${path}`).toBe(true);
    }
  });

  it("the VOLUME directory is created and handed to the user before the VOLUME instruction", () => {
    for (const volume of volumes) {
      const volumeLine = line(ofKeyword(runtime, "VOLUME").find((v) => execForm(v).includes(volume))!);
      const chowns = ofKeyword(runtime, "RUN")
        .filter((r) => line(r) < volumeLine)
        .flatMap((r) => {
          const w = words(r);
          return w.flatMap((word, i) => (word === "chown" ? [w.slice(i + 1, w.indexOf("&&", i) < 0 ? undefined : w.indexOf("&&", i)).filter((a) => !a.startsWith("-"))] : []));
        });
      expect(chowns.some(([owner, ...paths]) => owner?.split(":")[0] === uid && paths.includes(volume)), volume).toBe(true);
    }
  });

  it("installs git, openssh-client and ca-certificates, and cleans the apt lists in the same layer", () => {
    const apt = ofKeyword(runtime, "RUN")
      .map(words)
      .find((w) => w.includes("apt-get") && w.includes("install"));
    expect(apt).toBeDefined();
    const packages = apt!.slice(apt!.indexOf("install") + 1, apt!.indexOf("&&", apt!.indexOf("install")));
    expect(packages).toEqual(expect.arrayContaining(["git", "openssh-client", "ca-certificates", "--no-install-recommends"]));
    const rm = apt!.indexOf("rm");
    expect(rm).toBeGreaterThan(0);
    expect(apt!.slice(rm)).toContain("/var/lib/apt/lists/*");
  });

  it("the ENTRYPOINT's init, if any, is installed", () => {
    const argv = execForm(entrypoint);
    const init = argv.length > 2 ? posix.basename(argv[0]!) : undefined;
    if (init === undefined) return;
    const installed = ofKeyword(runtime, "RUN").flatMap(words);
    expect(installed).toContain(init);
  });
});

describe("Dockerfile: HEALTHCHECK", () => {
  const healthcheck = last(ofKeyword(runtime, "HEALTHCHECK"), "HEALTHCHECK");
  if (!(healthcheck instanceof Healthcheck)) throw new Error("HEALTHCHECK not parsed as such");
  const argv = healthcheckExecForm(healthcheck);
  const url = `http://127.0.0.1:${PORT}/healthz`;

  it("is node's own fetch of /healthz on 127.0.0.1 (no curl in the image), with a timeout", () => {
    expect(argv[0]).toBe("node");
    expect(argv[1]).toBe("-e");
    expect(argv[2]).toContain(url);
    const flags = Object.fromEntries(healthcheck.getFlags().map((f) => [f.getName(), f.getValue()]));
    expect(flags).toHaveProperty("timeout");
    expect(flags).toHaveProperty("start-period");
  });

  // The script itself, against a local server on a free port instead of 9464.
  describe("exit status of the script", () => {
    let server: Server;
    let status = 200;
    let base = "";
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.writeHead(req.url === "/healthz" ? status : 404).end("ok\n");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const run = async (hostPort: string): Promise<number> => {
      const script = argv[2]!.replace(`127.0.0.1:${PORT}`, hostPort);
      try {
        await promisify(execFile)(process.execPath, ["-e", script], { timeout: 10_000 });
        return 0;
      } catch (error) {
        return (error as { code?: number }).code ?? -1;
      }
    };

    it("0 when /healthz answers 200", async () => {
      status = 200;
      expect(await run(base)).toBe(0);
    });

    it("non-zero when /healthz answers 503", async () => {
      status = 503;
      expect(await run(base)).not.toBe(0);
    });

    it("non-zero when nothing listens", async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      expect(await run(`127.0.0.1:${port}`)).not.toBe(0);
    });
  });
});
