#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` produced it; otherwise the TypeScript sources through tsx,
// so a fresh clone works with `npm ci` alone.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const compiled = fileURLToPath(new URL("../dist/cli/entry.js", import.meta.url));
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli/entry.ts", import.meta.url).href);
}
