import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { manifestJsonSchema } from "../../src/kinds/index.ts";

describe("JSON Schema of the manifests", () => {
  it("manifests/schema.json is the current schema (regenerate: node bin/reconcile.js schema > manifests/schema.json)", () => {
    const committed: unknown = JSON.parse(readFileSync("manifests/schema.json", "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(manifestJsonSchema())));
  });

  it("`reconcile schema` prints exactly the committed file", () => {
    const printed = execFileSync(process.execPath, ["bin/reconcile.js", "schema"], { encoding: "utf8" });
    expect(printed).toBe(readFileSync("manifests/schema.json", "utf8"));
  });

  it("every manifest names the schema for its editor", () => {
    for (const file of ["manifests/s3-proxy-api.yaml", "manifests/s3-proxy-role.yaml"]) {
      expect(readFileSync(file, "utf8").split("\n")[0], file).toBe("# yaml-language-server: $schema=./schema.json");
    }
  });
});
