// kind: S3Proxy — the AWS tutorial's S3-proxy API and its role from a dozen lines, expanded at load into a
// RestApi and an IamRole that then go through their own kinds:
// - the S3Proxy with every default (bar the API's name, MyS3) is exactly manifests/ (documents and models);
// - each access level allows exactly the operations of its tutorial variant, and an operation beyond it is a
//   validation error with file:line:field; the role grants exactly the actions of the exposed operations,
//   derived here from the generated API's integrations (as seed-api.test.ts does), for any subset (property);
// - buckets narrow the policy's Resource; problems of the generated documents point at the S3Proxy's fields;
//   name clashes are load errors; reports, `validate` and `render` speak of the S3Proxy.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildProgram } from "../../src/cli/main.ts";
import { buildPlan } from "../../src/engine/plan.ts";
import { KINDS, manifestJsonSchema } from "../../src/kinds/index.ts";
import type { CompositeKind } from "../../src/kinds/kind.ts";
import { s3ProxyKind } from "../../src/kinds/s3-proxy/index.ts";
import { ACCESS_LEVELS, OPERATIONS, S3_OPERATIONS, type Access, type S3OperationName } from "../../src/kinds/s3-proxy/operations.ts";
import type { S3ProxyDocument } from "../../src/kinds/s3-proxy/schema.ts";
import type { ManifestError } from "../../src/manifest/issues.ts";
import { API_VERSION, metadata } from "../../src/manifest/schema.ts";
import { parseManifests, type SourceFile } from "../../src/manifest/load.ts";
import { resolvePlaceholders } from "../../src/model/placeholders.ts";
import type { DesiredObject, PolicyDocument, RestApiModel } from "../../src/model/types.ts";
import { renderJson } from "../../src/report/json.ts";
import { groupOf } from "../../src/report/outcomes.ts";
import { renderText } from "../../src/report/text.ts";
import { allowGrants, allows } from "./support/iam-allow.ts";
import { apisOf, observedOf, PLAN_OPTIONS, ROOT, rolesOf, seedFiles, TARGET } from "./support/models.ts";

const HEADER = "apiVersion: apigw-reconciler/v1\nkind: S3Proxy\n";

/** An S3Proxy file: metadata.name `name`, then the spec lines as written (indented by two). */
function proxyFile(spec: string, name = "my-s3", file = "manifests/proxy.yaml"): SourceFile {
  return { file, text: `${HEADER}metadata:\n  name: ${name}\nspec:\n${spec}` };
}

/** The tutorial's API: every default, the API named as the tutorial names it. */
const TUTORIAL = proxyFile("  apiName: MyS3\n");

function problems(files: SourceFile[]): string[] {
  try {
    parseManifests(files);
    return [];
  } catch (error) {
    return (error as ManifestError).issues.map((i) => `${i.file}:${i.line} ${i.field}: ${i.message}`);
  }
}

function doc(spec: S3ProxyDocument["spec"], name = "my-s3"): S3ProxyDocument {
  return { apiVersion: "apigw-reconciler/v1", kind: "S3Proxy", metadata: { name }, ...(spec ? { spec } : {}) };
}

/** Without where each object was written, and where it came from. */
const bare = ({ kind, model, options, labels }: DesiredObject) => ({ kind, model, options, labels });

describe("the S3Proxy with every default is the seed manifests", () => {
  it("expands to exactly the documents of manifests/s3-proxy-api.yaml and s3-proxy-role.yaml", () => {
    const [api, role, ...more] = s3ProxyKind.expandsTo(doc({ apiName: "MyS3" }));
    expect(more).toEqual([]);
    expect(api?.document).toEqual(parse(readFileSync(join(ROOT, "manifests", "s3-proxy-api.yaml"), "utf8")));
    expect(role?.document).toEqual(parse(readFileSync(join(ROOT, "manifests", "s3-proxy-role.yaml"), "utf8")));
  });

  it("loads to the seed's desired objects, each with the S3Proxy as its origin and its file:line as source", () => {
    const loaded = parseManifests([TUTORIAL]);
    expect(loaded.desired.objects.map(bare)).toEqual(parseManifests(seedFiles()).desired.objects.map(bare));
    expect(loaded.desired.objects.map((o) => [o.kind, o.model.key, o.origin, o.source])).toEqual([
      ["RestApi", "my-s3", { kind: "S3Proxy", name: "my-s3" }, { file: "manifests/proxy.yaml", line: 1 }],
      ["IamRole", "apig-aws-proxy-role", { kind: "S3Proxy", name: "my-s3" }, { file: "manifests/proxy.yaml", line: 1 }],
    ]);
    expect(loaded.documents).toBe(1);
    expect(parseManifests(seedFiles()).desired.objects.every((o) => o.origin === undefined)).toBe(true);
  });

  it("metadata.labels go to both documents (selectors pick the pair); the API's name defaults to metadata.name", () => {
    const loaded = parseManifests([{ file: "p.yaml", text: `${HEADER}metadata:\n  name: shop\n  labels: { team: web }\n` }]);
    expect(loaded.desired.objects.map((o) => [o.kind, o.labels])).toEqual([
      ["RestApi", { team: "web" }],
      ["IamRole", { team: "web" }],
    ]);
    expect(apisOf(loaded.desired)[0]?.model.name).toBe("shop");
    expect(apisOf(loaded.desired)[0]?.model.tags).toEqual({ app: "shop" });
  });
});

// ------------------------------------------------------------------------------ access

/**
 * The access table (README): the least level each operation needs, after the tutorial's role variants —
 * read-only is AmazonS3ReadOnlyAccess (s3:Get*, s3:List*), read-write adds its inline s3:Put*, full is
 * AmazonS3FullAccess. The reason is the IAM action the operation performs and which variant matches it.
 */
const ACCESS_TABLE: { operation: S3OperationName; method: string; action: string; least: Access; reason: string }[] = [
  { operation: "listBuckets", method: "GET /", action: "s3:ListAllMyBuckets", least: "read-only", reason: "s3:List* matches it" },
  { operation: "listBucket", method: "GET /{folder}", action: "s3:ListBucket", least: "read-only", reason: "ListObjects needs s3:ListBucket; s3:List* matches it" },
  { operation: "getObject", method: "GET /{folder}/{item}", action: "s3:GetObject", least: "read-only", reason: "s3:Get* matches it" },
  { operation: "headObject", method: "HEAD /{folder}/{item}", action: "s3:GetObject", least: "read-only", reason: "HeadObject needs s3:GetObject" },
  { operation: "putObject", method: "PUT /{folder}/{item}", action: "s3:PutObject", least: "read-write", reason: "the tutorial's inline s3:Put* matches it" },
  { operation: "createBucket", method: "PUT /{folder}", action: "s3:CreateBucket", least: "full", reason: "s3:Put* does not match s3:CreateBucket" },
  { operation: "deleteBucket", method: "DELETE /{folder}", action: "s3:DeleteBucket", least: "full", reason: "no read or put variant allows a delete" },
  { operation: "deleteObject", method: "DELETE /{folder}/{item}", action: "s3:DeleteObject", least: "full", reason: "no read or put variant allows a delete" },
];

/** The tutorial's variants as IAM policies: the least level is the first whose policy allows the action. */
const VARIANTS: Record<Access, PolicyDocument> = {
  "read-only": { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: "*" }] },
  "read-write": { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:Get*", "s3:List*", "s3:Put*"], Resource: "*" }] },
  full: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] },
};

describe("access levels: each operation's least level, with the reason", () => {
  it("the table covers every operation once", () => {
    expect(ACCESS_TABLE.map((r) => r.operation).sort()).toEqual([...S3_OPERATIONS].sort());
  });

  for (const row of ACCESS_TABLE) it(`${row.operation} (${row.method}, ${row.action}) needs ${row.least}: ${row.reason}`, () => {
    expect(OPERATIONS[row.operation]).toMatchObject({ action: row.action, access: row.least });
    expect(`${OPERATIONS[row.operation].verb} ${OPERATIONS[row.operation].path}`).toBe(row.method);
    // The least level is the first tutorial variant that allows the action.
    const first = ACCESS_LEVELS.find((level) => allows({ [level]: VARIANTS[level] }, row.action, "*"));
    expect(first).toBe(row.least);
    for (const access of ACCESS_LEVELS) {
      const errors = problems([proxyFile(`  access: ${access}\n  operations: [${row.operation}]\n`)]);
      const allowed = ACCESS_LEVELS.indexOf(access) >= ACCESS_LEVELS.indexOf(row.least);
      expect(errors, `${row.operation} with ${access}`).toEqual(allowed ? [] : [expect.stringMatching(new RegExp(`^manifests/proxy\\.yaml:7 spec\\.operations\\[0\\]: ${row.operation} needs access `))]);
    }
  });
});

/** The S3 IAM action of each method, from its integration alone (httpMethod + the uri's s3:path shape), as seed-api.test.ts derives it. */
const S3_ACTIONS: Record<number, Record<string, string>> = {
  0: { GET: "s3:ListAllMyBuckets" },
  1: { GET: "s3:ListBucket", PUT: "s3:CreateBucket", DELETE: "s3:DeleteBucket" },
  2: { GET: "s3:GetObject", HEAD: "s3:GetObject", PUT: "s3:PutObject", DELETE: "s3:DeleteObject" },
};

function actionsNeeded(api: RestApiModel): Set<string> {
  const actions = Object.values(api.resources).flatMap((resource) =>
    Object.values(resource.methods).map((method) => {
      const s3Path = /:s3:path\/(.*)$/.exec(method?.integration?.uri ?? "")?.[1] ?? "?";
      const depth = s3Path === "/" ? 0 : s3Path.split("/").length;
      const action = S3_ACTIONS[depth]?.[method?.integration?.httpMethod ?? ""];
      if (!action) throw new Error(`no S3 action for ${method?.integration?.httpMethod ?? "?"} ${s3Path}`);
      return action;
    }),
  );
  return new Set(actions);
}

function granted(policy: PolicyDocument): string[] {
  return allowGrants(policy, "s3-proxy-access").flatMap((g) => g.actions);
}

describe("the role grants exactly what the exposed operations need", () => {
  it("property: any operations and access — refused naming each operation beyond it, else exactly the actions the API's integrations perform", () => {
    const operations = fc.uniqueArray(fc.constantFrom(...S3_OPERATIONS), { minLength: 1, maxLength: S3_OPERATIONS.length });
    fc.assert(
      fc.property(operations, fc.constantFrom(...ACCESS_LEVELS), (exposed, access) => {
        const beyond = exposed.filter((op) => ACCESS_LEVELS.indexOf(access) < ACCESS_LEVELS.indexOf(ACCESS_TABLE.find((r) => r.operation === op)!.least));
        const errors = problems([proxyFile(`  access: ${access}\n  operations: [${exposed.join(", ")}]\n`)]);
        expect(errors.map((e) => /: (\w+) needs access/.exec(e)?.[1])).toEqual(beyond);
        if (beyond.length > 0) return;
        const desired = resolvePlaceholders(parseManifests([proxyFile(`  access: ${access}\n  operations: [${exposed.join(", ")}]\n`)]).desired, TARGET);
        const api = apisOf(desired)[0]!.model;
        const policy = rolesOf(desired)[0]!.model.inlinePolicies["s3-proxy-access"]!;
        const needed = actionsNeeded(api);
        expect(new Set(granted(policy))).toEqual(needed);
        // Each action once, and every method the operations name and no other.
        expect(granted(policy)).toHaveLength(needed.size);
        const methods = Object.values(api.resources).flatMap((r) => Object.keys(r.methods).map((verb) => `${verb} ${r.path}`));
        expect(methods.sort()).toEqual(exposed.map((op) => ACCESS_TABLE.find((r) => r.operation === op)!.method).sort());
        for (const action of needed) expect(allows({ policy }, action, action === "s3:ListAllMyBuckets" ? "*" : "arn:aws:s3:::any-bucket/a/b.png"), action).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("the default operations with a lower access: one error at spec.access naming the operations beyond it", () => {
    expect(problems([proxyFile("  access: read-write\n")])).toEqual([
      "manifests/proxy.yaml:6 spec.access: the default operations (all 8) include createBucket, deleteBucket, deleteObject, which access read-write does not allow: list the operations to expose in spec.operations, or raise access",
    ]);
  });
});

describe("buckets narrow the policy's Resource", () => {
  const policyOf = (spec: string) => rolesOf(resolvePlaceholders(parseManifests([proxyFile(spec)]).desired, TARGET))[0]!.model.inlinePolicies["s3-proxy-access"]!;

  it("to the buckets and their objects; ListAllMyBuckets stays on * (it has no resource type)", () => {
    const policy = policyOf("  buckets: [photos, apig-demo-*]\n");
    expect(policy.Statement).toEqual([
      { Sid: "ListBuckets", Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" },
      {
        Sid: "BucketsAndObjects",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:CreateBucket", "s3:DeleteBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*", "arn:aws:s3:::apig-demo-*", "arn:aws:s3:::apig-demo-*/*"],
      },
    ]);
    expect(allows({ policy }, "s3:GetObject", "arn:aws:s3:::photos/2024/cat.png")).toBe(true);
    expect(allows({ policy }, "s3:ListBucket", "arn:aws:s3:::photos")).toBe(true);
    expect(allows({ policy }, "s3:GetObject", "arn:aws:s3:::apig-demo-7/Readme.txt")).toBe(true);
    expect(allows({ policy }, "s3:GetObject", "arn:aws:s3:::other/cat.png")).toBe(false);
    expect(allows({ policy }, "s3:ListBucket", "arn:aws:s3:::photos-archive")).toBe(false);
  });

  it("of the partition the API is deployed in", () => {
    const desired = resolvePlaceholders(parseManifests([proxyFile("  buckets: [photos]\n  operations: [getObject]\n  access: read-only\n")]).desired, { ...TARGET, partition: "aws-cn" });
    expect(rolesOf(desired)[0]!.model.inlinePolicies["s3-proxy-access"]!.Statement).toEqual([
      { Sid: "BucketsAndObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws-cn:s3:::photos", "arn:aws-cn:s3:::photos/*"] },
    ]);
  });

  it("a name that is not a bucket name is refused at its line", () => {
    expect(problems([proxyFile("  buckets:\n    - photos\n    - My_Bucket\n")])).toEqual([
      "manifests/proxy.yaml:8 spec.buckets[1]: a bucket name (3-63 lowercase letters, digits, '.' and '-') or a name prefix ending in *",
    ]);
  });
});

// ------------------------------------------------------------------------------ validation and clashes

describe("problems point at the S3Proxy's file:line and field", () => {
  it("its own schema: an unknown operation, an unknown field (with the field's line)", () => {
    expect(problems([proxyFile("  operations: [listBuckets, getObjects]\n  acess: full\n")])).toEqual([
      expect.stringMatching(/^manifests\/proxy\.yaml:6 spec\.operations\[1\]: /),
      expect.stringMatching(/^manifests\/proxy\.yaml:7 spec(\.acess)?: .*acess/),
    ]);
  });

  it("an operation listed twice", () => {
    expect(problems([proxyFile("  operations: [getObject, listBucket, getObject]\n")])).toEqual(['manifests/proxy.yaml:6 spec.operations[2]: "getObject" is listed twice']);
  });

  it("a problem of the generated RestApi is reported at the S3Proxy field that caused it, naming the generated field", () => {
    const spec = "  operations: [getObject]\n  access: read-only\n  stage:\n    name: dev\n    methodSettings:\n      /{folder}/GET: { metricsEnabled: true }\n";
    expect(problems([proxyFile(spec)])).toEqual([
      'manifests/proxy.yaml:11 spec.stage.methodSettings["/{folder}/GET"]: "/{folder}/GET": no resource "/{folder}"; keys are */* or <resource path>/<METHOD> (in the RestApi "my-s3" it expands to, at spec.stages.dev.methodSettings["/{folder}/GET"])',
    ]);
  });

  it("a problem in a field it copies into both documents (a reserved tag key) is reported once, not once per document", () => {
    expect(problems([proxyFile('  tags:\n    "aws:team": blue\n')])).toEqual([
      'manifests/proxy.yaml:7 spec.tags["aws:team"]: tag keys starting with "aws:" are reserved (in the RestApi "my-s3" it expands to, at spec.tags["aws:team"])',
    ]);
  });

  it("a name clash with a written RestApi is an error at load, naming the S3Proxy", () => {
    const seedApi = seedFiles()[0]!;
    const [issue, ...more] = problems([seedApi, proxyFile("  apiName: MyS3\n")]);
    expect(more).toEqual([]);
    expect(issue).toMatch(/^manifests\/proxy\.yaml:4 metadata\.name: another RestApi is already named "my-s3" \(manifests\/s3-proxy-api\.yaml:\d+:\d+\) \(in the RestApi "my-s3" it expands to, at metadata\.name\)$/);
    // The other way round: the written one is the second, and the message says where the first came from.
    expect(problems([proxyFile("  apiName: MyS3\n", "my-s3", "manifests/a.yaml"), { ...seedApi, file: "manifests/z.yaml" }])).toEqual([
      expect.stringMatching(/^manifests\/z\.yaml:\d+ metadata\.name: another RestApi is already named "my-s3" \(manifests\/a\.yaml:4:9, expanded from S3Proxy my-s3\)$/),
    ]);
  });

  it("two S3Proxies with the default role clash at spec.roleName; a roleName of its own resolves it", () => {
    const one = proxyFile("  apiName: One\n", "one", "manifests/one.yaml");
    expect(problems([one, proxyFile("  apiName: Two\n", "two", "manifests/two.yaml")])).toEqual([
      expect.stringMatching(/^manifests\/two\.yaml:\d+ spec\.roleName: another IamRole is already named "apig-aws-proxy-role" \(manifests\/one\.yaml:\d+:\d+, expanded from S3Proxy one\)/),
    ]);
    const loaded = parseManifests([one, proxyFile("  roleName: twoS3Role\n", "two", "manifests/two.yaml")]);
    expect(loaded.desired.objects.map((o) => `${o.kind} ${o.model.key} ← ${o.origin?.name ?? ""}`)).toEqual([
      "RestApi one ← one",
      "IamRole apig-aws-proxy-role ← one",
      "RestApi two ← two",
      "IamRole two-s3-role ← two",
    ]);
    // The generated API runs as its own generated role.
    expect(apisOf(resolvePlaceholders(loaded.desired, TARGET))[1]!.model.resources["/"]!.methods.GET!.integration!.credentials).toBe("arn:aws:iam::123456789012:role/twoS3Role");
  });

  it("a near miss of the kind's name is answered with it", () => {
    expect(problems([{ file: "p.yaml", text: "apiVersion: apigw-reconciler/v1\nkind: S3proxy\nmetadata: { name: a }\n" }])).toEqual([expect.stringContaining('did you mean "S3Proxy"?')]);
  });
});

describe("examples/s3-proxy.yaml", () => {
  it("loads: a read-write proxy of one bucket, four operations, three actions on that bucket and its objects", () => {
    const loaded = parseManifests([{ file: "examples/s3-proxy.yaml", text: readFileSync(join(ROOT, "examples", "s3-proxy.yaml"), "utf8") }]);
    const desired = resolvePlaceholders(loaded.desired, TARGET);
    const policy = rolesOf(desired)[0]!.model.inlinePolicies["s3-proxy-access"]!;
    expect(granted(policy)).toEqual(["s3:ListBucket", "s3:GetObject", "s3:PutObject"]);
    expect(new Set(granted(policy))).toEqual(actionsNeeded(apisOf(desired)[0]!.model));
    expect(loaded.desired.objects.map((o) => `${o.kind} ${o.model.key}`)).toEqual(["RestApi photos", "IamRole photos-s3-proxy-role"]);
  });
});

// ------------------------------------------------------------------------------ reports and the CLI

describe("reports speak of the S3Proxy", () => {
  const desired = resolvePlaceholders(parseManifests([TUTORIAL]).desired, TARGET);
  const plan = buildPlan(desired, observedOf(), PLAN_OPTIONS);
  const origins = new Map(desired.objects.map((o) => [`${o.kind}/${o.model.key}`, o.origin!]));
  const calls = { total: 0, writes: 0, byOperation: {}, errors: {} };

  it("text: the group header names the S3Proxy beside the RestApi and the IamRole it expands to", () => {
    const text = renderText(plan, calls, { color: false, origins });
    expect(text.split("\n").filter((line) => /^\S/.test(line) && / my-s3| apig-aws-proxy-role/.test(line))).toEqual([
      "IamRole apig-aws-proxy-role (from S3Proxy my-s3)",
      "RestApi my-s3 (from S3Proxy my-s3)",
    ]);
    // Without origins (manifests without S3Proxy): the header as it always was.
    expect(groupOf(plan.changes[0]!)).toBe("IamRole apig-aws-proxy-role");
  });

  it("JSON: every change carries its origin", () => {
    const report = JSON.parse(renderJson(plan, calls, TARGET, undefined, { origins })) as { changes: { origin?: unknown }[] };
    expect(report.changes.length).toBeGreaterThan(10);
    expect(report.changes.every((c) => JSON.stringify(c.origin) === '{"kind":"S3Proxy","name":"my-s3"}')).toBe(true);
    const without = JSON.parse(renderJson(plan, calls, TARGET)) as { changes: object[] };
    expect(without.changes.some((c) => "origin" in c)).toBe(false);
  });
});

describe("the CLI: validate counts it, render prints what it expands to", () => {
  const dir = mkdtempSync(join(tmpdir(), "s3proxy-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const program = buildProgram((t) => (stdout += t), (t) => (stderr += t));
    process.exitCode = undefined;
    try {
      await program.parseAsync(args, { from: "user" });
      return { code: typeof process.exitCode === "number" ? process.exitCode : 0, stdout, stderr };
    } catch (error) {
      const issues = (error as Partial<ManifestError>).issues;
      if (!issues) throw error;
      return { code: 1, stdout, stderr: issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.field}: ${i.message}`).join("\n") };
    } finally {
      process.exitCode = undefined;
    }
  }

  it("validate: the kinds' counts, then what the S3Proxy documents expanded to", async () => {
    const file = join(dir, "proxy.yaml");
    writeFileSync(file, TUTORIAL.text);
    const result = await cli(["validate", "-m", file, join(ROOT, "examples", "custom-domain.yaml")]);
    expect(result.stdout).toBe("2 document(s) in 2 file(s) are valid: 1 RestApi, 1 IamRole, 1 DomainName (1 S3Proxy → 1 RestApi, 1 IamRole)\n");
  });

  it("render: S3Proxy documents replaced by their two documents, others as written, in file order", async () => {
    const file = join(dir, "both.yaml");
    writeFileSync(file, `${TUTORIAL.text as string}---\n${readFileSync(join(ROOT, "examples", "custom-domain.yaml"), "utf8")}`);
    const result = await cli(["render", "-m", file]);
    expect(result.code).toBe(0);
    const documents = result.stdout.split(/^---$/m).map((text) => parse(text) as { kind: string; metadata: { name: string } });
    expect(documents.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual(["RestApi my-s3", "IamRole apig-aws-proxy-role", "DomainName api-example"]);
    // What render prints loads to the same objects (without origins: it is now written out).
    expect(parseManifests([{ file: "rendered.yaml", text: result.stdout }]).desired.objects.map(bare)).toEqual(parseManifests([{ file, text: readFileSync(file, "utf8") }]).desired.objects.map(bare));
  });

  it("render: invalid input is exit 1 with file:line", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, proxyFile("  access: read-only\n  operations: [getObject, deleteObject]\n").text);
    const result = await cli(["render", "-m", file]);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toMatch(/bad\.yaml:7:\d+ spec\.operations\[1\]: deleteObject needs access full/);
  });
});

// ------------------------------------------------------------------------------ the mechanism is general

describe("a composite kind registered only in a test", () => {
  // "Roles": n IamRoles that trust API Gateway, named <name>-<i>; nothing in src/ knows it.
  const RolesDocument = z.strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal("Roles"),
    metadata,
    spec: z.strictObject({ count: z.number().int().min(1).max(5), tags: z.record(z.string(), z.string()).optional() }),
  });
  type RolesDoc = z.infer<typeof RolesDocument>;
  const rolesKind: CompositeKind<RolesDoc> = {
    kind: "Roles",
    documentSchema: RolesDocument,
    check: (d) => (d.spec.count === 4 ? [{ path: ["spec", "count"], message: "4 is unlucky" }] : []),
    expandsTo: (d) =>
      Array.from({ length: d.spec.count }, (_, i) => ({
        document: {
          apiVersion: API_VERSION,
          kind: "IamRole",
          metadata: { name: `${d.metadata.name}-${i}` },
          spec: { assumeRolePolicy: { Statement: { Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" } }, ...(d.spec.tags ? { tags: d.spec.tags } : {}) },
        },
        fieldOf: (path) => (path[1] === "tags" ? path : ["spec", "count"]),
      })),
  };
  const file = (spec: string): SourceFile => ({ file: "roles.yaml", text: `apiVersion: ${API_VERSION}\nkind: Roles\nmetadata:\n  name: team\nspec:\n${spec}` });
  const load = (spec: string) => parseManifests([file(spec)], KINDS, [rolesKind], { documents: true });
  const issues = (spec: string) => {
    try {
      load(spec);
      return [];
    } catch (error) {
      return (error as ManifestError).issues.map((i) => `${i.file}:${i.line} ${i.field}: ${i.message}`);
    }
  };

  it("expands through the loader into documents of a kind proper, each with its origin", () => {
    expect(load("  count: 2\n").desired.objects.map((o) => `${o.kind} ${o.model.key} ← ${o.origin?.kind ?? ""} ${o.origin?.name ?? ""}`)).toEqual(["IamRole team-0 ← Roles team", "IamRole team-1 ← Roles team"]);
    expect(load("  count: 2\n").expanded?.map((d) => (d as { kind: string }).kind)).toEqual(["IamRole", "IamRole"]);
  });

  it("its schema and its checks at file:line:field; the generated documents' problems at the field that made them", () => {
    expect(issues("  count: 9\n")).toEqual([expect.stringMatching(/^roles\.yaml:6 spec\.count: /)]);
    expect(issues("  count: 4\n")).toEqual(["roles.yaml:6 spec.count: 4 is unlucky"]);
    expect(issues('  count: 1\n  tags: { "aws:x": y }\n')).toEqual(['roles.yaml:7 spec.tags["aws:x"]: tag keys starting with "aws:" are reserved (in the IamRole "team-0" it expands to, at spec.tags["aws:x"])']);
  });

  it("is in the JSON Schema; without it in the registry its documents are an unknown kind", () => {
    expect(JSON.stringify(manifestJsonSchema(KINDS, [rolesKind]))).toContain('"const":"Roles"');
    expect(JSON.stringify(manifestJsonSchema())).toContain('"const":"S3Proxy"');
    expect(() => parseManifests([file("  count: 1\n")])).toThrow('unknown kind "Roles"');
  });
});
