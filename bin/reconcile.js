#!/usr/bin/env node
// In a checkout, runs the TypeScript sources through tsx (so `npm ci` alone is enough and no stale build
// is ever used); in the container image, which ships only the compiled dist/, runs that.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const source = fileURLToPath(new URL("../src/cli/entry.ts", import.meta.url));
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(new URL("../dist/cli/entry.js", import.meta.url).href);
}
