// The seed manifests (manifests/s3-proxy-api.yaml, manifests/s3-proxy-role.yaml), loaded through the real
// loader, against what AWS documents:
// 1. Payload encodings. The tutorial's round trips keep their bytes: Readme.txt uploaded as application/xml text
//    and read back, a PNG uploaded as image/png and read back with Accept: image/png. Worked out with the
//    documented conversion tables (support/payload-encodings.ts, each row cited to the page).
// 2. Least privilege. The S3 action each method's integration performs, derived from the API manifest (integration
//    httpMethod + the uri's `s3:path/…` shape), is allowed by the role's policies on sample bucket and object ARNs,
//    and the role grants no action that no method needs.
//
// The tutorial: "Tutorial: Create a REST API as an Amazon S3 proxy",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-s3.html
// (awsdocs/amazon-api-gateway-developer-guide, doc_source/integrating-api-with-aws-services-s3.md).
import { describe, expect, it } from "vitest";
import { parseManifests } from "../../src/manifest/load.ts";
import { roleArn } from "../../src/model/arn.ts";
import { resolvePlaceholders } from "../../src/model/placeholders.ts";
import type { HttpMethod, IamRoleModel, IntegrationModel, IntegrationResponseModel, PolicyDocument, RestApiModel } from "../../src/model/types.ts";
import { allowGrants, allows, wildcardMatch } from "./support/iam-allow.ts";
import { apisOf, rolesOf, seedFiles, TARGET } from "./support/models.ts";
import {
  convert,
  integrationRequestBody,
  methodResponseBody,
  REQUEST_TABLE,
  requestRow,
  RESPONSE_TABLE,
  responseRow,
  type ContentHandling,
  type Conversion,
  type Delivered,
} from "./support/payload-encodings.ts";

/** The seed manifests through the real loader, placeholders resolved for a partition. */
function seed(partition = "aws"): { api: RestApiModel; role: IamRoleModel } {
  const desired = resolvePlaceholders(parseManifests(seedFiles()).desired, { ...TARGET, partition });
  const api = apisOf(desired)[0]?.model;
  const role = rolesOf(desired)[0]?.model;
  if (!api || !role || apisOf(desired).length !== 1 || rolesOf(desired).length !== 1) throw new Error("the seed is one RestApi and one IamRole");
  return { api, role };
}

function integration(api: RestApiModel, path: string, verb: HttpMethod): IntegrationModel {
  const found = api.resources[path]?.methods[verb]?.integration;
  if (!found) throw new Error(`no integration on ${verb} ${path}`);
  return found;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

// ================================================================================ 1. payload encodings

describe("the documented payload-encoding tables (support/payload-encodings.ts)", () => {
  // The page's cells, as the row text has them, and the fields the model uses.
  const RESULTS: Record<string, Conversion> = {
    "UTF8-encoded string": "utf8",
    "Text data": "passthrough",
    "Binary data": "passthrough",
    "Base64-decoded binary blob": "base64-decode",
    "Base64-decoded blob": "base64-decode",
    "Base64-encoded string": "base64-encode",
  };
  const HANDLING: Record<string, ContentHandling> = { Undefined: undefined, CONVERT_TO_BINARY: "CONVERT_TO_BINARY", CONVERT_TO_TEXT: "CONVERT_TO_TEXT" };
  const LISTS: Record<string, "undefined" | "set"> = { Undefined: "undefined", "Set with matching media types": "set" };
  const cells = (doc: string) => doc.split(" | ");

  /** Headers that select a row: a binary media type of the list, or a text one. */
  const LIST = ["image/png"];
  const header = (kind: string) => (kind === "binary" ? "image/png" : "application/xml");

  for (const r of REQUEST_TABLE) it(`request row ${r.row}: ${r.doc}`, () => {
    const [payload, contentType, list, handling, result] = cells(r.doc);
    expect(payload).toBe(r.payload === "binary" ? "Binary data" : "Text data");
    expect(contentType).toBe(r.binaryMediaTypes === "undefined" ? "Any data type" : r.payload === "binary" ? "A binary data type" : "A text data type");
    expect(LISTS[list ?? ""]).toBe(r.binaryMediaTypes);
    expect(handling && handling in HANDLING).toBe(true);
    expect(HANDLING[handling ?? ""]).toBe(r.contentHandling);
    expect(RESULTS[result ?? ""]).toBe(r.result);
    // The headers of such a request select this row, and no other.
    expect(requestRow(r.binaryMediaTypes === "set" ? LIST : [], header(r.payload), r.contentHandling)).toBe(r);
  });

  for (const r of RESPONSE_TABLE) it(`response row ${r.row}: ${r.doc}`, () => {
    const [payload, accept, list, handling, result] = cells(r.doc);
    expect(payload).toBe({ text: "Text data", binary: "Binary data", "text or binary": "Text or binary data" }[r.payload]);
    expect(accept).toBe(r.accept === "binary" ? "A binary type" : "A text type");
    expect(LISTS[list ?? ""]).toBe(r.binaryMediaTypes);
    expect(handling && handling in HANDLING).toBe(true);
    expect(HANDLING[handling ?? ""]).toBe(r.contentHandling);
    expect(RESULTS[result ?? ""]).toBe(r.result);
    const kinds = r.payload === "text or binary" ? ["text", "binary"] : [r.payload];
    for (const kind of kinds) expect(responseRow(r.binaryMediaTypes === "set" ? LIST : [], header(kind), header(r.accept), r.contentHandling)).toBe(r);
  });

  it("every combination of list, Content-Type, Accept and contentHandling has exactly one row; every row is reached", () => {
    const handlings: ContentHandling[] = [undefined, "CONVERT_TO_TEXT", "CONVERT_TO_BINARY"];
    const requestRows = new Set<number>();
    const responseRows = new Set<number>();
    for (const list of [[], LIST])
      for (const contentType of [undefined, "application/xml", "image/png", "IMAGE/PNG; charset=binary"])
        for (const handling of handlings) {
          requestRows.add(requestRow(list, contentType, handling).row);
          for (const accept of [undefined, "application/json", "image/png", "image/png, */*"]) responseRows.add(responseRow(list, contentType, accept, handling).row);
        }
    expect([...requestRows].sort((a, b) => a - b)).toEqual(REQUEST_TABLE.map((r) => r.row));
    expect([...responseRows].sort((a, b) => a - b)).toEqual(RESPONSE_TABLE.map((r) => r.row));
  });

  it("only the first Accept media type counts; `*` in binaryMediaTypes matches any subtype", () => {
    expect(responseRow(LIST, "image/png", "application/json, image/png", undefined).row).toBe(10);
    expect(responseRow(LIST, "image/png", "image/png, application/json", undefined).row).toBe(13);
    expect(responseRow(["image/*"], "image/gif", "image/gif", undefined).row).toBe(13);
  });

  it("the conversions on bytes: a failed base64 decoding is API Gateway's 500", () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00]);
    expect(convert("passthrough", bytes)).toEqual({ status: 200, body: bytes });
    expect(convert("base64-encode", bytes)).toEqual({ status: 200, body: utf8("iVBOR/8A") });
    expect(convert("base64-decode", utf8("iVBOR/8A"))).toEqual({ status: 200, body: bytes });
    expect(convert("base64-decode", utf8("Hello, World!")).status).toBe(500);
    // UTF-8 text survives "UTF8-encoded string"; bytes that are not UTF-8 do not.
    expect(convert("utf8", utf8("<a>café ☕</a>"))).toEqual({ status: 200, body: utf8("<a>café ☕</a>") });
    expect(convert("utf8", bytes)).not.toEqual({ status: 200, body: bytes });
  });
});

// A 1×1 PNG (the signature, IHDR, IDAT, IEND): bytes that are neither UTF-8 nor base64.
const PNG = new Uint8Array(
  Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000" + "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f6d3a50000000049454e44ae426082", "hex"),
);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);

/** The integration response API Gateway picks for a backend status: the one whose selection pattern matches it, else the default. */
function integrationResponseFor(integrationModel: IntegrationModel, status: string): IntegrationResponseModel {
  const entries = Object.values(integrationModel.responses);
  const matched = entries.find((r) => r.selectionPattern !== undefined && new RegExp(`^(?:${r.selectionPattern})$`).test(status));
  const chosen = matched ?? entries.find((r) => r.selectionPattern === undefined);
  if (!chosen) throw new Error(`no integration response for status ${status}`);
  return chosen;
}

interface Upload {
  contentType: string;
  body: Uint8Array;
}

/**
 * PUT /{folder}/{item}: what S3 stores (bytes and Content-Type). The object's Content-Type is the request's
 * only through the integration's header mapping; without it this model refuses to guess.
 */
function upload(api: RestApiModel, request: Upload): { delivered: Delivered; storedType: string; row: number } {
  const put = integration(api, "/{folder}/{item}", "PUT");
  expect(put.requestParameters["integration.request.header.Content-Type"], "PUT /{folder}/{item} passes Content-Type to S3").toBe("method.request.header.Content-Type");
  const { row, delivered } = integrationRequestBody(api, put, request);
  return { delivered, storedType: request.contentType, row: row.row };
}

/** GET /{folder}/{item}: what the caller receives for an object S3 answers with 200. */
function download(api: RestApiModel, stored: Upload, accept: string | undefined): { delivered: Delivered; row: number } {
  const get = integration(api, "/{folder}/{item}", "GET");
  const { row, delivered } = methodResponseBody(api, integrationResponseFor(get, "200"), accept, stored);
  return { delivered, row: row.row };
}

/** Upload then download: the bytes at each hop, and the table rows used. */
function roundTrip(api: RestApiModel, request: Upload, accept: string | undefined) {
  const up = upload(api, request);
  if (up.delivered.status !== 200) return { stored: up.delivered, read: undefined, rows: [up.row] };
  const down = download(api, { contentType: up.storedType, body: up.delivered.body }, accept);
  return { stored: up.delivered, read: down.delivered, rows: [up.row, down.row] };
}

const same = (body: Uint8Array): Delivered => ({ status: 200, body });

describe("the seed API: the tutorial's uploads and downloads keep their bytes", () => {
  const { api } = seed();

  const ROUND_TRIPS: { reason: string; file: string; contentType: string; body: Uint8Array; accept: string | undefined; rows: [number, number] }[] = [
    {
      reason: "the tutorial's Readme.txt: PUT as application/xml, not a binary media type, is text and passes through (request row 4); its GET sends no Accept and S3 answers application/xml: text to text, passed through (response row 4)",
      file: "Readme.txt",
      contentType: "application/xml",
      body: utf8("Hello, World!"),
      accept: undefined,
      rows: [4, 4],
    },
    {
      reason: "an XML document with non-ASCII text, read back with Accept: application/xml: text both ways (request row 4, response row 4)",
      file: "notes.xml",
      contentType: "application/xml",
      body: utf8('<?xml version="1.0" encoding="UTF-8"?>\n<note lang="fr">Café ☕, naïve</note>\n'),
      accept: "application/xml",
      rows: [4, 4],
    },
    {
      reason: "the tutorial's image: PUT as image/png, a binary media type: binary passes through (request row 7); GET with Accept: image/png and S3's image/png: binary to binary (response row 13)",
      file: "cat.png",
      contentType: "image/png",
      body: PNG,
      accept: "image/png",
      rows: [7, 13],
    },
    {
      reason: "a JPEG, image/jpeg in binaryMediaTypes, read back with Accept: image/jpeg (request row 7, response row 13)",
      file: "cat.jpg",
      contentType: "image/jpeg",
      body: JPEG,
      accept: "image/jpeg",
      rows: [7, 13],
    },
    {
      reason: "any bytes as application/octet-stream, read back with Accept: application/octet-stream (request row 7, response row 13)",
      file: "blob.bin",
      contentType: "application/octet-stream",
      body: new Uint8Array([0, 1, 2, 0xfe, 0xff]),
      accept: "application/octet-stream",
      rows: [7, 13],
    },
  ];

  for (const { file, reason, contentType, body, accept, rows } of ROUND_TRIPS) it(`${file}: ${reason}`, () => {
    const trip = roundTrip(api, { contentType, body }, accept);
    expect(trip.stored, "S3 gets the bytes sent").toEqual(same(body));
    expect(trip.read, "the caller gets the bytes stored").toEqual(same(body));
    expect(trip.rows).toEqual(rows);
  });

  // What the caller must do: ask for a binary type with Accept to get binary back, and not for a text file.
  const CALLER_RULES: { reason: string; stored: Upload; accept: string | undefined; expected: (body: Uint8Array) => Delivered; row: number }[] = [
    {
      reason: "a PNG read without Accept comes back base64-encoded (response row 10): download images with Accept: image/png",
      stored: { contentType: "image/png", body: PNG },
      accept: undefined,
      expected: (body) => same(utf8(Buffer.from(body).toString("base64"))),
      row: 10,
    },
    {
      reason: "a PNG read with Accept: application/json, image/png comes back base64-encoded too: only the first Accept type counts, and it is text (response row 10)",
      stored: { contentType: "image/png", body: PNG },
      accept: "application/json, image/png",
      expected: (body) => same(utf8(Buffer.from(body).toString("base64"))),
      row: 10,
    },
    {
      reason: "a text file read with Accept: image/png is base64-decoded (response row 7): not base64, so API Gateway answers 500",
      stored: { contentType: "application/xml", body: utf8("Hello, World!") },
      accept: "image/png",
      expected: () => ({ status: 500, error: 'not a base64 string: "Hello, World!"…' }),
      row: 7,
    },
  ];

  for (const { reason, stored, accept, expected, row } of CALLER_RULES) it(reason, () => {
    const down = download(api, stored, accept);
    expect(down.delivered).toEqual(expected(stored.body));
    expect(down.row).toBe(row);
  });

  it("no integration of the seed sets contentHandling: every payload is passed through as its headers make it", () => {
    const set = Object.entries(api.resources).flatMap(([path, r]) =>
      Object.entries(r.methods).flatMap(([verb, m]) => [
        ...(m.integration?.contentHandling ? [`${verb} ${path}: ${m.integration.contentHandling}`] : []),
        ...Object.entries(m.integration?.responses ?? {}).flatMap(([status, ir]) => (ir.contentHandling ? [`${verb} ${path} ${status}: ${ir.contentHandling}`] : [])),
      ]),
    );
    expect(set).toEqual([]);
    expect(api.binaryMediaTypes).toEqual(expect.arrayContaining(["image/png", "image/jpeg", "image/gif", "application/octet-stream"]));
    expect(api.binaryMediaTypes).not.toContain("application/xml");
  });

  // Why not CONVERT_TO_BINARY (the tutorial's closing note; what the seed had on the upload and on the download's 200).
  const convertToBinary = () => {
    const changed = structuredClone(api);
    integration(changed, "/{folder}/{item}", "PUT").contentHandling = "CONVERT_TO_BINARY";
    integrationResponseFor(integration(changed, "/{folder}/{item}", "GET"), "200").contentHandling = "CONVERT_TO_BINARY";
    return changed;
  };
  const WITH_CONVERT_TO_BINARY: { reason: string; request: Upload; accept: string | undefined; check: (trip: ReturnType<typeof roundTrip>) => void }[] = [
    {
      reason: "Readme.txt's text is base64-decoded on the way to S3 (request row 5): \"Hello, World!\" is not base64, 500",
      request: { contentType: "application/xml", body: utf8("Hello, World!") },
      accept: undefined,
      check: (trip) => expect(trip.stored.status).toBe(500),
    },
    {
      reason: "text that happens to be base64 is stored decoded: S3 gets other bytes (request row 5)",
      request: { contentType: "application/xml", body: utf8("SGVsbG8=") },
      accept: undefined,
      check: (trip) => expect(trip.stored).toEqual(same(utf8("Hello"))),
    },
    {
      reason: "the PNG still round-trips (request row 8, response row 14): CONVERT_TO_BINARY only ever hurt text",
      request: { contentType: "image/png", body: PNG },
      accept: "image/png",
      check: (trip) => expect([trip.stored, trip.read]).toEqual([same(PNG), same(PNG)]),
    },
  ];

  for (const { reason, request, accept, check } of WITH_CONVERT_TO_BINARY) it(`with CONVERT_TO_BINARY instead: ${reason}`, () => {
    check(roundTrip(convertToBinary(), request, accept));
  });
});

// ================================================================================ 2. least privilege

/**
 * S3 operation → IAM action, per "Required permissions for Amazon S3 API operations"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html) and each operation's
 * API reference "Permissions" section:
 * - GET / is ListBuckets: "you must have the s3:ListAllMyBuckets permission"; the action has no resource type.
 * - GET /{bucket} is ListObjects: "to use the API operation ListObjectsV2, the policy action s3:ListBucket is
 *   required" (same for ListObjects); HEAD /{bucket} is HeadBucket, which needs s3:ListBucket too.
 * - PUT /{bucket} is CreateBucket: s3:CreateBucket (s3:PutBucketAcl only with ACL headers, refused below).
 * - DELETE /{bucket} is DeleteBucket: "You must have the s3:DeleteBucket permission on the specified bucket".
 * - GET /{bucket}/{key} is GetObject: s3:GetObject; HEAD is HeadObject: "To use HEAD, you must have the
 *   s3:GetObject permission".
 * - PUT /{bucket}/{key} is PutObject: s3:PutObject; DELETE is DeleteObject: s3:DeleteObject.
 */
const S3_ACTIONS = {
  service: { GET: "s3:ListAllMyBuckets" },
  bucket: { GET: "s3:ListBucket", HEAD: "s3:ListBucket", PUT: "s3:CreateBucket", DELETE: "s3:DeleteBucket" },
  object: { GET: "s3:GetObject", HEAD: "s3:GetObject", PUT: "s3:PutObject", DELETE: "s3:DeleteObject" },
} as const satisfies Record<string, Partial<Record<string, string>>>;

type Scope = keyof typeof S3_ACTIONS;

interface S3Operation {
  method: string;
  action: string;
  scope: Scope;
}

const S3_PATH = /^arn:[^:]+:apigateway:[^:]+:s3:path\/(.*)$/;

/** The S3 action each method's integration performs, from the integration's httpMethod and `s3:path/…` uri. */
function s3Operations(api: RestApiModel, credentials: string): S3Operation[] {
  return Object.entries(api.resources).flatMap(([path, resource]) =>
    Object.entries(resource.methods).map(([verb, method]) => {
      const at = `${verb} ${path}`;
      const i = method?.integration;
      const s3Path = S3_PATH.exec(i?.uri ?? "")?.[1];
      if (!i || i.type !== "AWS" || s3Path === undefined) throw new Error(`${at}: not an S3 path integration (${i?.type ?? "none"} ${i?.uri ?? ""})`);
      expect(i.credentials, `${at} runs as the seed role`).toBe(credentials);
      const segments = s3Path === "/" ? [] : s3Path.split("/");
      if (segments.some((s) => !/^\{\w+\}$/.test(s)) || segments.length > 2) throw new Error(`${at}: s3:path/${s3Path} is not /, {bucket} or {bucket}/{object}`);
      for (const s of segments) {
        if (i.requestParameters[`integration.request.path.${s.slice(1, -1)}`] === undefined) throw new Error(`${at}: ${s} is not mapped from the method request`);
      }
      const acl = Object.keys(i.requestParameters).filter((p) => /^integration\.request\.header\.x-amz-(acl|grant-)/i.test(p));
      if (acl.length > 0) throw new Error(`${at}: ACL headers (${acl.join(", ")}) need s3:Put*Acl as well; not modelled here`);
      const scope: Scope = (["service", "bucket", "object"] as const)[segments.length] ?? "service";
      const action = (S3_ACTIONS[scope] as Partial<Record<string, string>>)[i.httpMethod ?? ""];
      if (action === undefined) throw new Error(`${at}: no S3 operation for ${i.httpMethod ?? "?"} on a ${scope}`);
      return { method: at, action, scope };
    }),
  );
}

/**
 * Managed policies the evaluator can read. AmazonS3ReadOnlyAccess as the tutorial prints it ("Set up IAM
 * permissions for the API to invoke Amazon S3 actions"); today's version also grants s3-object-lambda:Get* and
 * List*, which change nothing here. Any other ARN is refused: its grants would be unknown.
 */
const KNOWN_MANAGED: Record<string, PolicyDocument> = {
  AmazonS3ReadOnlyAccess: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: "*" }] },
  AmazonS3FullAccess: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] },
};

/** Every policy of the role, inline and attached, by name. */
function rolePolicies(role: IamRoleModel): Record<string, PolicyDocument> {
  const managed = role.managedPolicyArns.map((arn) => {
    const document = KNOWN_MANAGED[/^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(arn)?.[1] ?? ""];
    if (!document) throw new Error(`${arn}: grants unknown to this test`);
    return [arn, document] as const;
  });
  return { ...role.inlinePolicies, ...Object.fromEntries(managed) };
}

describe.each(["aws", "aws-cn", "aws-us-gov"])("the seed role (partition %s): exactly what the seed API's integrations do", (partition) => {
  const { api, role } = seed(partition);
  const operations = s3Operations(api, roleArn(TARGET.accountId, role.path, role.roleName, partition));
  const policies = rolePolicies(role);
  const needed = new Set(operations.map((o) => o.action.toLowerCase()));

  // Sample resources: one bucket, an object, an object whose key has slashes (the tutorial URL-encodes them).
  const SAMPLES: Record<Scope, string[]> = {
    service: ["*"],
    bucket: [`arn:${partition}:s3:::apig-demo-5`],
    object: [`arn:${partition}:s3:::apig-demo-5/Readme.txt`, `arn:${partition}:s3:::apig-demo-5/photos/2024/cat.png`],
  };

  it("the methods and the S3 action each performs, derived from the API manifest", () => {
    expect(operations.map((o) => `${o.method} → ${o.action}`).sort()).toEqual(
      [
        "GET / → s3:ListAllMyBuckets",
        "GET /{folder} → s3:ListBucket",
        "PUT /{folder} → s3:CreateBucket",
        "DELETE /{folder} → s3:DeleteBucket",
        "GET /{folder}/{item} → s3:GetObject",
        "HEAD /{folder}/{item} → s3:GetObject",
        "PUT /{folder}/{item} → s3:PutObject",
        "DELETE /{folder}/{item} → s3:DeleteObject",
      ].sort(),
    );
  });

  for (const { method, action, scope } of operations) it(`${method}: the role allows ${action} on a sample ${scope}`, () => {
    for (const resource of SAMPLES[scope]) expect(allows(policies, action, resource), `${action} on ${resource}`).toBe(true);
  });

  it("no other action: every Action of the role is one a method needs, named without wildcards", () => {
    const granted = Object.entries(policies).flatMap(([name, document]) => allowGrants(document, name).flatMap((g) => g.actions.map((action) => `${name}: ${action}`)));
    expect(granted.length).toBeGreaterThan(0);
    const extra = granted.filter((entry) => {
      const action = entry.slice(entry.lastIndexOf(" ") + 1);
      return /[*?]/.test(action) || !needed.has(action.toLowerCase());
    });
    expect(extra, "actions no method of the seed API performs").toEqual([]);
  });

  it('resources: "*" only for the action without a resource type; buckets and objects through S3 ARNs of the partition', () => {
    for (const [name, document] of Object.entries(policies)) {
      for (const grant of allowGrants(document, name)) {
        const serviceLevel = grant.actions.every((a) => operations.some((o) => o.scope === "service" && o.action.toLowerCase() === a.toLowerCase()));
        for (const resource of grant.resources) {
          if (serviceLevel) expect(resource, `${name}: ${grant.actions.join(", ")}`).toBe("*");
          else expect(resource, `${name}: ${grant.actions.join(", ")}`).toMatch(new RegExp(`^arn:${partition}:s3:::`));
        }
      }
    }
    // A bucket/object Resource does not grant ListAllMyBuckets, whose request resource is "*".
    expect(wildcardMatch(`arn:${partition}:s3:::*`, "*", false)).toBe(false);
  });
});
