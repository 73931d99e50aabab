// Golden file of `reconcile render` for the S3Proxy with every default (the API named MyS3, as the tutorial
// names it): the two documents it expands to, which are manifests/ without their comments.
//
// To (re)write the expected file after an intended change of the expansion or of the YAML printing:
//   UPDATE_GOLDEN=1 npx vitest run --project unit test/golden
// then review the diff of test/golden/render-s3proxy.yaml like any other change.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.ts";
import { parseManifests } from "../../src/manifest/load.ts";
import { seedFiles } from "../unit/support/models.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const GOLDEN = "render-s3proxy.yaml";

const DEFAULT_S3PROXY = "apiVersion: apigw-reconciler/v1\nkind: S3Proxy\nmetadata:\n  name: my-s3\nspec:\n  apiName: MyS3\n";

async function render(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "render-golden-"));
  try {
    writeFileSync(join(dir, "proxy.yaml"), DEFAULT_S3PROXY);
    let printed = "";
    await buildProgram((text) => (printed += text), () => undefined).parseAsync(["render", "-m", join(dir, "proxy.yaml")], { from: "user" });
    return printed;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = undefined;
  }
}

describe("golden: reconcile render of the default S3Proxy", () => {
  it(`prints test/golden/${GOLDEN}`, async () => {
    const actual = await render();
    const file = join(HERE, GOLDEN);
    if (UPDATE) writeFileSync(file, actual);
    else if (!existsSync(file)) throw new Error(`test/golden/${GOLDEN} is missing; write it with UPDATE_GOLDEN=1 npx vitest run --project unit test/golden`);
    else expect(actual, `test/golden/${GOLDEN} differs (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(file, "utf8"));
  });

  it("which loads to the same objects as manifests/", () => {
    const bare = parseManifests([{ file: GOLDEN, text: readFileSync(join(HERE, GOLDEN), "utf8") }]).desired.objects.map(({ kind, model, options, labels }) => ({ kind, model, options, labels }));
    expect(bare).toEqual(parseManifests(seedFiles()).desired.objects.map(({ kind, model, options, labels }) => ({ kind, model, options, labels })));
  });
});
