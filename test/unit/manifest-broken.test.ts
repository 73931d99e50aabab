// Table-driven over test/fixtures/broken/*.yaml: each file states, in its leading `# expect:` lines, exactly the
// issues the loader must report for it alone (line:column field: message, in the loader's order).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ManifestError, type ManifestIssue } from "../../src/manifest/issues.ts";
import { loadManifests, parseManifests, type LoadedManifests } from "../../src/manifest/load.ts";
import { apisOf, rolesOf } from "./support/models.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures");
const BROKEN = join(FIXTURES, "broken");
const VALID = join(FIXTURES, "valid");
const DUPLICATE_ACROSS_FILES = join(FIXTURES, "broken-dirs", "duplicate-across-files");

const EXPECT_LINE = /^# expect: (.*)$/;

interface BrokenCase {
  name: string;
  text: string;
  expected: string[];
}

const cases: BrokenCase[] = readdirSync(BROKEN)
  .filter((name) => name.endsWith(".yaml"))
  .sort()
  .map((name) => {
    const text = readFileSync(join(BROKEN, name), "utf8");
    const expected: string[] = [];
    for (const line of text.split("\n")) {
      const match = EXPECT_LINE.exec(line);
      if (!match) break;
      expected.push(match[1] ?? "");
    }
    return { name, text, expected };
  });

const show = (issue: ManifestIssue) => `${issue.line}:${issue.column} ${issue.field}: ${issue.message}`;

/** The ManifestError a load must throw; anything else (success, another error) fails the test. */
function manifestErrorOf(load: () => LoadedManifests): ManifestError {
  let loaded: LoadedManifests;
  try {
    loaded = load();
  } catch (error) {
    if (error instanceof ManifestError) return error;
    throw error;
  }
  throw new Error(`expected a ManifestError, but ${loaded.documents} document(s) loaded`);
}

function issuesOfFile({ name, text }: BrokenCase): ManifestIssue[] {
  return [...manifestErrorOf(() => parseManifests([{ file: name, text }])).issues];
}

describe("broken manifests: each fixture reports exactly its # expect: lines", () => {
  it("has at least 45 cases, each with at least one expectation", () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
    expect(cases.filter((c) => c.expected.length === 0).map((c) => c.name)).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, brokenCase) => {
    const issues = issuesOfFile(brokenCase);
    expect(issues.map(show)).toEqual(brokenCase.expected);
    for (const issue of issues) expect(issue.file).toBe(brokenCase.name);
  });
});

describe("all problems of a run are reported together", () => {
  it("loading the whole broken directory reports the union of every file's issues, each with its file", () => {
    // Relative to the fixture directory, file names match what each file reports alone (also inside messages).
    const all = manifestErrorOf(() => loadManifests([BROKEN], BROKEN)).issues;
    const expected = cases
      .filter((c) => c.name !== "only-comments-no-documents.yaml") // no documents is an error only if the whole run has none
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((c) => issuesOfFile(c).map((issue) => `${c.name}:${show(issue)}`));
    expect(all.map((issue) => `${issue.file}:${show(issue)}`)).toEqual(expected);
    expect(new Set(all.map((issue) => issue.file)).size).toBe(cases.length - 1);
  });

  it("reports a metadata.name used twice across two files, pointing at the first", () => {
    const a = "test/fixtures/broken-dirs/duplicate-across-files/a.yaml";
    const b = "test/fixtures/broken-dirs/duplicate-across-files/b.yaml";
    const error = manifestErrorOf(() => loadManifests([DUPLICATE_ACROSS_FILES], ROOT));
    expect(error.issues.map((issue) => `${issue.file}:${show(issue)}`)).toEqual([
      `${b}:5:9 metadata.name: another RestApi is already named "gallery" (${a}:16:9)`,
      `${b}:18:9 metadata.name: another IamRole is already named "gallery-s3-read" (${a}:5:9)`,
    ]);
    expect(error.message).toBe(error.issues.map((issue) => `${issue.file}:${show(issue)}`).join("\n"));
  });

  it("reports a path that does not exist as a file issue", () => {
    const error = manifestErrorOf(() => loadManifests([join(FIXTURES, "no-such-dir")], ROOT));
    expect(error.issues.map((issue) => `${issue.file}:${show(issue)}`)).toEqual([
      "test/fixtures/no-such-dir:0:0 (file): no such file or directory",
    ]);
  });
});

describe("valid manifests", () => {
  it("load from a directory, recursively, .yaml and .yml, with --- separators and trailing empty documents", () => {
    const loaded = loadManifests([VALID], ROOT);
    expect(loaded.files).toEqual(["test/fixtures/valid/archive.yaml", "test/fixtures/valid/nested/health.yml", "test/fixtures/valid/photos.yaml"]);
    expect(loaded.documents).toBe(5);
    expect(apisOf(loaded.desired).map((api) => api.model.key)).toEqual(["archive", "health", "photos"]);
    expect(rolesOf(loaded.desired).map((role) => role.model.key)).toEqual(["archive-writer", "photos-s3-read"]);
  });

  it("resolve roleRefs, fill defaults and make every ancestor resource explicit", () => {
    const { desired } = loadManifests([VALID], ROOT);
    const photos = apisOf(desired).find((api) => api.model.key === "photos");
    expect(photos?.source).toEqual({ file: "test/fixtures/valid/photos.yaml", line: 34 });
    expect(Object.keys(photos?.model.resources ?? {}).sort()).toEqual(["/", "/{folder}", "/{folder}/{item}"]);
    const get = photos?.model.resources["/{folder}/{item}"]?.methods.GET;
    expect(get?.integration?.credentials).toBe("arn:${AWS_PARTITION}:iam::${AWS_ACCOUNT_ID}:role/service-role/photos-s3-read");
    expect(get?.integration?.timeoutInMillis).toBe(10000);
    expect(photos?.model.binaryMediaTypes).toEqual(["image/jpeg", "image/png"]);
    expect(photos?.model.stages.prod?.variables).toEqual({ bucket: "photos-prod" });
    const writer = rolesOf(desired).find((role) => role.model.key === "archive-writer");
    expect(writer?.model).toMatchObject({ roleName: "ArchiveWriter", path: "/", maxSessionDuration: 3600 });
  });
});

describe("reconcile validate (CLI)", () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["bin/reconcile.js", "validate", ...args], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });

  it("prints file:line:column field: message for every problem and exits 1", () => {
    const name = "several-errors-together.yaml";
    const result = cli("-m", `test/fixtures/broken/${name}`);
    const expected = cases.find((c) => c.name === name)?.expected ?? [];
    expect(expected.length).toBeGreaterThan(1);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      expected.map((line) => `test/fixtures/broken/${name}:${line}\n`).join("") + `${expected.length} problem(s) found; nothing was changed.\n`,
    );
  });

  it("exits 0 on the valid fixtures", () => {
    const result = cli("-m", "test/fixtures/valid");
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("5 document(s) in 3 file(s) are valid: 3 RestApi, 2 IamRole\n");
    expect(result.status).toBe(0);
  });
});
