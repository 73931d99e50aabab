// The AWS documentation's OpenAPI 2.0 definition of the S3-proxy sample API (test/fixtures/openapi, see its
// README), imported, is the seed manifest manifests/s3-proxy-api.yaml up to the account and Region
// placeholders: both are loaded through the project's own loader and their models compared. Where the seed
// deliberately says more than the documented sample, exactly those fields are removed first, each for a reason.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseManifests } from "../../src/manifest/load.ts";
import type { RestApiModel } from "../../src/model/types.ts";
import { importDocument } from "../../src/openapi/convert.ts";
import { loadDefinition } from "../../src/openapi/load.ts";
import { renderManifest } from "../../src/openapi/render.ts";
import { apisOf, ROOT, seedFiles } from "./support/models.ts";

const FIXTURES = join(ROOT, "test", "fixtures", "openapi");
const ROLE = "apig-aws-proxy-role";

async function imported(fixture: string, options: { name?: string; role?: string } = {}) {
  const file = join(FIXTURES, fixture);
  const { document, models } = await loadDefinition(file);
  return importDocument(document, models, { placeholders: true, ...options });
}

/** The imported manifest beside the seed role, through parseManifests as `reconcile validate` reads it. */
function loadedModel(yaml: string): RestApiModel {
  const role = seedFiles().find((file) => file.file.endsWith("s3-proxy-role.yaml"));
  if (!role) throw new Error("no seed role");
  const loaded = parseManifests([{ file: "imported/api.yaml", text: yaml }, role]);
  const [api] = apisOf(loaded.desired);
  if (!api) throw new Error("the imported manifest has no RestApi");
  return api.model;
}

function seedModel(): RestApiModel {
  const [api] = apisOf(parseManifests(seedFiles()).desired);
  if (!api) throw new Error("seed has no RestApi");
  return api.model;
}

/** The seed's fields the documented sample does not have, and why the seed has them. */
const SEED_ONLY: { field: keyof RestApiModel; reason: string }[] = [
  { field: "description", reason: "the documented sample's info has no description; the seed describes the API" },
  { field: "tags", reason: "the seed tags the API (app: my-s3); OpenAPI 2.0 has no API tags" },
  { field: "stages", reason: "the seed deploys a prod stage with methodSettings; an OpenAPI definition describes no stage" },
  {
    field: "binaryMediaTypes",
    reason: "the seed adds the tutorial's binary-support step (image types, application/octet-stream; its header comment), which the documented S3-proxy definition does not include",
  },
];

function without(model: RestApiModel, fields: readonly (keyof RestApiModel)[]): Partial<RestApiModel> {
  const copy: Partial<RestApiModel> = structuredClone(model);
  for (const field of fields) delete copy[field];
  return copy;
}

describe("import of the documented S3-proxy definition", () => {
  it("equals manifests/s3-proxy-api.yaml up to the placeholders and the seed's own additions", async () => {
    const { manifest, unsupported } = await imported("s3-proxy-swagger.json", { name: "my-s3", role: ROLE });
    expect(unsupported).toEqual([]);
    const fields = SEED_ONLY.map(({ field }) => field);
    expect(without(loadedModel(renderManifest(manifest, "s3-proxy-swagger.json")), fields)).toEqual(without(seedModel(), fields));
  });

  it.each(SEED_ONLY)("the seed's $field is its own: $reason", async ({ field }) => {
    const { manifest } = await imported("s3-proxy-swagger.json", { name: "my-s3", role: ROLE });
    const model = loadedModel(renderManifest(manifest, "s3-proxy-swagger.json"));
    expect(model[field]).not.toEqual(seedModel()[field]);
  });

  it("without --role keeps the documented credentials ARN, with the account and partition as placeholders", async () => {
    const { manifest } = await imported("s3-proxy-swagger.json");
    const text = renderManifest(manifest, "s3-proxy-swagger.json");
    expect(text).toContain("credentials: arn:${AWS_PARTITION}:iam::${AWS_ACCOUNT_ID}:role/apigAwsProxyRole");
    expect(text).not.toMatch(/123456789012|us-west-2/);
    expect(manifest.metadata.name).toBe("mys3");
  });

  it("the image-upload variant imports with its binary media types", async () => {
    const { manifest, unsupported } = await imported("s3-proxy-binary-swagger.json");
    expect(unsupported).toEqual([]);
    expect(manifest.spec.binaryMediaTypes).toEqual(["application/octet-stream", "image/jpeg"]);
    expect(manifest.spec.resources["/s3"]?.methods?.PUT?.integration?.contentHandling).toBe("CONVERT_TO_BINARY");
    const model = loadedModel(renderManifest(manifest, "s3-proxy-binary-swagger.json"));
    expect(model.binaryMediaTypes).toEqual(["application/octet-stream", "image/jpeg"]);
  });

  it("the fixtures are the documented text: account 123456789012 and the documented Regions", () => {
    const text = readFileSync(join(FIXTURES, "s3-proxy-swagger.json"), "utf8");
    expect(text).toContain("arn:aws:iam::123456789012:role/apigAwsProxyRole");
    expect(text).toContain("arn:aws:apigateway:us-west-2:s3:path/{bucket}/{object}");
  });
});
