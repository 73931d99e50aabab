/**
 * Helpers of the drift end-to-end tests (drift, normalisation, modes, alerts), next to support.ts:
 * a workspace per scenario whose directory is the CLI's working directory (so the default state file,
 * `.apigw-reconciler/state.json`, lives there and never leaks between tests), the CLI run from it,
 * out-of-band edits through the AWS SDK, and a webhook receiver on 127.0.0.1.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type APIGatewayClient } from "@aws-sdk/client-api-gateway";
import type { Emulator } from "../emulator/emulator.ts";
import { ManifestDir, resourcesOf, runCliIn, type CliResult, type Identity, type JsonChange, type JsonReport } from "./support.ts";

// ------------------------------------------------------------------------------ the drift report

export interface DriftChange extends JsonChange {
  cause?: "pending" | "drift";
  security?: string[];
  jsonPatch: { op: string; path: string; value?: unknown; from?: string }[];
}

export interface DriftReport extends Omit<JsonReport, "changes"> {
  changes: DriftChange[];
}

/** A run of the CLI whose JSON report is read with the drift fields. */
export type RunResult = CliResult<DriftReport>;

/** A readable account of a run for assertion messages. */
export function explain(run: RunResult): string {
  const changes = run.json?.changes.map((c) => `${c.cause ?? "?"} ${c.action} ${c.kind} ${label(c)} [${c.fields.map((f) => f.field).join(",")}]${c.reason ? ` (${c.reason})` : ""}`) ?? [];
  const failed = run.json?.operations.filter((o) => o.status === "failed").map((o) => `${o.id}: ${o.error ?? ""}`) ?? [];
  return `exit ${run.code}\nchanges:\n  ${changes.join("\n  ") || "none"}\nfailed ops: ${failed.join("; ") || "none"}\nstderr: ${run.stderr.trim().slice(0, 1500)}${run.json ? "" : `\nstdout: ${run.stdout.slice(0, 1500)}`}`;
}

export function label(change: JsonChange): string {
  return [change.api, change.path, change.httpMethod, change.statusCode, change.stage, change.role, change.policy].filter((v) => v !== undefined).join(" ");
}

export type { Identity };

const ID_KEYS = ["api", "path", "httpMethod", "statusCode", "stage", "role", "policy"] as const;

/** True when `change` is of `kind` and its identity is exactly `id` (identity keys not given must be absent). */
export function isChange(change: JsonChange, kind: string, id: Identity): boolean {
  return change.kind === kind && ID_KEYS.every((k) => change[k] === id[k]);
}

/** Changes of `kind` whose identity is exactly `id`. */
export function changesOf(report: DriftReport | undefined, kind: string, id: Identity): DriftChange[] {
  return (report?.changes ?? []).filter((c) => isChange(c, kind, id));
}

export function fieldOf(change: DriftChange | undefined, field: string): { field: string; before?: unknown; after?: unknown } | undefined {
  return change?.fields.find((f) => f.field === field);
}

// ------------------------------------------------------------------------------ a workspace

/** A scenario's working directory (the CLI's cwd, holding its state file) and its private manifests. */
export class Workspace {
  readonly cwd: string;
  readonly manifests: ManifestDir;

  constructor(source?: string) {
    this.cwd = mkdtempSync(join(tmpdir(), "apigw-drift-cwd-"));
    this.manifests = new ManifestDir(source);
  }

  /** The default state file, relative to the CLI's cwd. */
  get stateFile(): string {
    return join(this.cwd, ".apigw-reconciler", "state.json");
  }

  state(): { lastApplied: Record<string, { hash: string }>; announcedDrift: Record<string, string> } | undefined {
    return existsSync(this.stateFile) ? (JSON.parse(readFileSync(this.stateFile, "utf8")) as { lastApplied: Record<string, { hash: string }>; announcedDrift: Record<string, string> }) : undefined;
  }

  run(emulator: Emulator, args: readonly string[], timeoutMs?: number): Promise<RunResult> {
    return runCliIn<DriftReport>(emulator, this.cwd, args, timeoutMs);
  }

  apply(emulator: Emulator, ...extra: string[]): Promise<RunResult> {
    return this.run(emulator, ["apply", "-m", this.manifests.dir, "--no-color", "-o", "json", ...extra]);
  }

  plan(emulator: Emulator, ...extra: string[]): Promise<RunResult> {
    return this.run(emulator, ["plan", "-m", this.manifests.dir, "--no-color", "-o", "json", ...extra]);
  }

  drift(emulator: Emulator, ...extra: string[]): Promise<RunResult> {
    return this.run(emulator, ["drift", "-m", this.manifests.dir, "--no-color", "-o", "json", ...extra]);
  }

  dispose(): void {
    this.manifests.dispose();
    rmSync(this.cwd, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------ AWS helpers

/** path → resource id of an API. */
export async function resourceIds(apigw: APIGatewayClient, restApiId: string): Promise<Record<string, string>> {
  const resources = await resourcesOf(apigw, restApiId);
  return Object.fromEntries(resources.map((r) => [r.path ?? "?", r.id ?? "?"]));
}

export function restApiArn(restApiId: string, region = "us-east-1"): string {
  return `arn:aws:apigateway:${region}::/restapis/${restApiId}`;
}

/** The IAM policy document as IAM returns it (URL-encoded), parsed. */
export function decodePolicy(document: string | undefined): unknown {
  return JSON.parse(decodeURIComponent(document ?? "{}"));
}

// ------------------------------------------------------------------------------ webhook receiver

export interface ReceivedPost {
  url: string;
  headers: IncomingMessage["headers"];
  text: string;
  body: unknown;
}

export type ReceiverMode = "ok" | "fail" | "hang";

/** An HTTP receiver on 127.0.0.1 (port 0) recording every request; answers 200, 500 or never. */
export class WebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  mode: ReceiverMode = "ok";
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const server = createServer((request, response) => holder.receiver?.handle(request, response));
    const receiver = new WebhookReceiver(server);
    holder.receiver = receiver;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  clear(): void {
    this.posts.length = 0;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      this.posts.push({ url: request.url ?? "", headers: request.headers, text, body });
      if (this.mode === "hang") {
        this.hanging.add(response);
        response.on("close", () => this.hanging.delete(response));
        return;
      }
      response.writeHead(this.mode === "ok" ? 200 : 500, { "content-type": "application/json" });
      response.end(this.mode === "ok" ? '{"ok":true}' : '{"error":"receiver down"}');
    });
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
