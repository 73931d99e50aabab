// Headless Chromium for the page tests (Debian's package `chromium`, no browser download): each call runs
// once on its own throw-away profile with no network of its own. Without /usr/bin/chromium the callers skip.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const SKIPPED = HAVE_CHROMIUM ? "" : ` [SKIPPED: ${CHROMIUM} is absent; install Debian's package: apt-get install -y chromium]`;

const profiles: string[] = [];

export function chromium(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const profile = mkdtempSync(join(tmpdir(), "apigw-chromium-"));
  profiles.push(profile);
  const flags = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, [...flags, ...args], { timeout: 90_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HOME: profile } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`chromium ${args.join(" ")} failed: ${error.message}\n${stderr.slice(-2000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Removes the profiles of every call so far. */
export function removeChromiumProfiles(): void {
  for (const profile of profiles.splice(0)) rmSync(profile, { recursive: true, force: true });
}
