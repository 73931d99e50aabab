// API Gateway's payload encodings for REST API (non-proxy) integrations, as AWS documents them: a model for
// the tests, not used by the reconciler. Source, one page with two tables:
//   "Content type conversions in API Gateway",
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
//   (the same tables in awsdocs/amazon-api-gateway-developer-guide, doc_source/api-gateway-payload-encodings-workflow.md).
// REQUEST_TABLE and RESPONSE_TABLE below are those tables, one entry per row, in the page's order, with the
// row's text as the page has it.
//
// What decides "text" or "binary": API Gateway looks at headers, not at the bytes. A payload is binary when its
// Content-Type (the client's request, or the integration's response) matches an entry of the API's
// binaryMediaTypes, and the response also depends on whether the request's Accept matches one
// ("Depending on the contentHandling value, and whether the Content-Type header of the response or the Accept
// header of the incoming request matches an entry in the binaryMediaTypes list, API Gateway can encode the raw
// binary bytes as a Base64-encoded string, decode a Base64-encoded string back to its raw bytes, or pass the
// body through without modification": "Working with binary media types for REST APIs",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html). Entries may
// use `*` ("*/*" includes all content types, same page). When Accept lists several media types, only the first
// counts (the workflow page's "Important" note). A request without Accept is read here as "a text type": it
// matches no binary media type (the tables have no row of their own for it).
//
// "UTF8-encoded string" is the payload handled as a UTF-8 string: text keeps its bytes, bytes that are not
// UTF-8 do not. Converting text to binary "assumes that the text data is a base64-encoded string"; "If the
// conversion fails, it returns a 500 response" (the workflow page, after the tables).

export type ContentHandling = "CONVERT_TO_TEXT" | "CONVERT_TO_BINARY" | undefined;

/** What API Gateway does to a payload on its way through. */
export type Conversion =
  /** "Text data" / "Binary data": the payload as it came. */
  | "passthrough"
  /** "UTF8-encoded string": read and written as UTF-8 text. */
  | "utf8"
  /** "Base64-encoded string". */
  | "base64-encode"
  /** "Base64-decoded (binary) blob". */
  | "base64-decode";

export type PayloadKind = "text" | "binary";

interface Row {
  /** 1-based position in its table on the page. */
  row: number;
  /** The row as the page writes it, cells separated by " | ". */
  doc: string;
  /** binaryMediaTypes column: "Undefined" or "Set with matching media types". */
  binaryMediaTypes: "undefined" | "set";
  contentHandling: ContentHandling;
  result: Conversion;
}

export interface RequestRow extends Row {
  /** Method request payload, as its Content-Type makes it. */
  payload: PayloadKind;
}

export interface ResponseRow extends Row {
  /** Integration response payload, as its Content-Type makes it ("Text or binary data" when no list is set). */
  payload: PayloadKind | "text or binary";
  /** The request's Accept header: "A text type" or "A binary type". */
  accept: PayloadKind;
}

const CTB = "CONVERT_TO_BINARY";
const CTT = "CONVERT_TO_TEXT";

/** "The following table shows how API Gateway converts the request payload …" (9 rows). */
export const REQUEST_TABLE: readonly RequestRow[] = [
  { row: 1, doc: "Text data | Any data type | Undefined | Undefined | UTF8-encoded string", payload: "text", binaryMediaTypes: "undefined", contentHandling: undefined, result: "utf8" },
  { row: 2, doc: "Text data | Any data type | Undefined | CONVERT_TO_BINARY | Base64-decoded binary blob", payload: "text", binaryMediaTypes: "undefined", contentHandling: CTB, result: "base64-decode" },
  { row: 3, doc: "Text data | Any data type | Undefined | CONVERT_TO_TEXT | UTF8-encoded string", payload: "text", binaryMediaTypes: "undefined", contentHandling: CTT, result: "utf8" },
  { row: 4, doc: "Text data | A text data type | Set with matching media types | Undefined | Text data", payload: "text", binaryMediaTypes: "set", contentHandling: undefined, result: "passthrough" },
  { row: 5, doc: "Text data | A text data type | Set with matching media types | CONVERT_TO_BINARY | Base64-decoded binary blob", payload: "text", binaryMediaTypes: "set", contentHandling: CTB, result: "base64-decode" },
  { row: 6, doc: "Text data | A text data type | Set with matching media types | CONVERT_TO_TEXT | Text data", payload: "text", binaryMediaTypes: "set", contentHandling: CTT, result: "passthrough" },
  { row: 7, doc: "Binary data | A binary data type | Set with matching media types | Undefined | Binary data", payload: "binary", binaryMediaTypes: "set", contentHandling: undefined, result: "passthrough" },
  { row: 8, doc: "Binary data | A binary data type | Set with matching media types | CONVERT_TO_BINARY | Binary data", payload: "binary", binaryMediaTypes: "set", contentHandling: CTB, result: "passthrough" },
  { row: 9, doc: "Binary data | A binary data type | Set with matching media types | CONVERT_TO_TEXT | Base64-encoded string", payload: "binary", binaryMediaTypes: "set", contentHandling: CTT, result: "base64-encode" },
];

/** "The following table shows how API Gateway converts the response payload …" (15 rows). */
export const RESPONSE_TABLE: readonly ResponseRow[] = [
  { row: 1, doc: "Text or binary data | A text type | Undefined | Undefined | UTF8-encoded string", payload: "text or binary", accept: "text", binaryMediaTypes: "undefined", contentHandling: undefined, result: "utf8" },
  { row: 2, doc: "Text or binary data | A text type | Undefined | CONVERT_TO_BINARY | Base64-decoded blob", payload: "text or binary", accept: "text", binaryMediaTypes: "undefined", contentHandling: CTB, result: "base64-decode" },
  { row: 3, doc: "Text or binary data | A text type | Undefined | CONVERT_TO_TEXT | UTF8-encoded string", payload: "text or binary", accept: "text", binaryMediaTypes: "undefined", contentHandling: CTT, result: "utf8" },
  { row: 4, doc: "Text data | A text type | Set with matching media types | Undefined | Text data", payload: "text", accept: "text", binaryMediaTypes: "set", contentHandling: undefined, result: "passthrough" },
  { row: 5, doc: "Text data | A text type | Set with matching media types | CONVERT_TO_BINARY | Base64-decoded blob", payload: "text", accept: "text", binaryMediaTypes: "set", contentHandling: CTB, result: "base64-decode" },
  { row: 6, doc: "Text data | A text type | Set with matching media types | CONVERT_TO_TEXT | UTF8-encoded string", payload: "text", accept: "text", binaryMediaTypes: "set", contentHandling: CTT, result: "utf8" },
  { row: 7, doc: "Text data | A binary type | Set with matching media types | Undefined | Base64-decoded blob", payload: "text", accept: "binary", binaryMediaTypes: "set", contentHandling: undefined, result: "base64-decode" },
  { row: 8, doc: "Text data | A binary type | Set with matching media types | CONVERT_TO_BINARY | Base64-decoded blob", payload: "text", accept: "binary", binaryMediaTypes: "set", contentHandling: CTB, result: "base64-decode" },
  { row: 9, doc: "Text data | A binary type | Set with matching media types | CONVERT_TO_TEXT | UTF8-encoded string", payload: "text", accept: "binary", binaryMediaTypes: "set", contentHandling: CTT, result: "utf8" },
  { row: 10, doc: "Binary data | A text type | Set with matching media types | Undefined | Base64-encoded string", payload: "binary", accept: "text", binaryMediaTypes: "set", contentHandling: undefined, result: "base64-encode" },
  { row: 11, doc: "Binary data | A text type | Set with matching media types | CONVERT_TO_BINARY | Binary data", payload: "binary", accept: "text", binaryMediaTypes: "set", contentHandling: CTB, result: "passthrough" },
  { row: 12, doc: "Binary data | A text type | Set with matching media types | CONVERT_TO_TEXT | Base64-encoded string", payload: "binary", accept: "text", binaryMediaTypes: "set", contentHandling: CTT, result: "base64-encode" },
  { row: 13, doc: "Binary data | A binary type | Set with matching media types | Undefined | Binary data", payload: "binary", accept: "binary", binaryMediaTypes: "set", contentHandling: undefined, result: "passthrough" },
  { row: 14, doc: "Binary data | A binary type | Set with matching media types | CONVERT_TO_BINARY | Binary data", payload: "binary", accept: "binary", binaryMediaTypes: "set", contentHandling: CTB, result: "passthrough" },
  { row: 15, doc: "Binary data | A binary type | Set with matching media types | CONVERT_TO_TEXT | Base64-encoded string", payload: "binary", accept: "binary", binaryMediaTypes: "set", contentHandling: CTT, result: "base64-encode" },
];

// ------------------------------------------------------------------------------ media types

/** "type/subtype" of a header value, lower case, without parameters; only the first of a list (Accept). */
export function firstMediaType(header: string | undefined): string | undefined {
  const first = header?.split(",")[0]?.split(";")[0]?.trim().toLowerCase();
  return first === undefined || first === "" ? undefined : first;
}

function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${source}$`).test(value);
}

/** Whether a Content-Type or Accept header names one of the API's binary media types. */
export function isBinaryMediaType(binaryMediaTypes: readonly string[], header: string | undefined): boolean {
  const type = firstMediaType(header);
  return type !== undefined && binaryMediaTypes.some((entry) => wildcardMatch(entry, type));
}

// ------------------------------------------------------------------------------ the tables as functions

const listState = (binaryMediaTypes: readonly string[]) => (binaryMediaTypes.length > 0 ? "set" : "undefined");

/** The request table's row for a method request with this Content-Type. */
export function requestRow(binaryMediaTypes: readonly string[], contentType: string | undefined, contentHandling: ContentHandling): RequestRow {
  const payload: PayloadKind = isBinaryMediaType(binaryMediaTypes, contentType) ? "binary" : "text";
  const list = listState(binaryMediaTypes);
  const found = REQUEST_TABLE.filter((r) => r.payload === payload && r.binaryMediaTypes === list && r.contentHandling === contentHandling);
  if (found.length !== 1 || !found[0]) throw new Error(`the request table has ${found.length} rows for ${payload} data, binaryMediaTypes ${list}, contentHandling ${contentHandling ?? "undefined"}`);
  return found[0];
}

/** The response table's row for an integration response with this Content-Type, to a request with this Accept. */
export function responseRow(binaryMediaTypes: readonly string[], contentType: string | undefined, accept: string | undefined, contentHandling: ContentHandling): ResponseRow {
  const list = listState(binaryMediaTypes);
  const payload = isBinaryMediaType(binaryMediaTypes, contentType) ? "binary" : "text";
  const acceptKind: PayloadKind = isBinaryMediaType(binaryMediaTypes, accept) ? "binary" : "text";
  const found = RESPONSE_TABLE.filter(
    (r) => (r.payload === payload || r.payload === "text or binary") && r.accept === acceptKind && r.binaryMediaTypes === list && r.contentHandling === contentHandling,
  );
  if (found.length !== 1 || !found[0]) throw new Error(`the response table has ${found.length} rows for ${payload} data, Accept ${acceptKind}, binaryMediaTypes ${list}, contentHandling ${contentHandling ?? "undefined"}`);
  return found[0];
}

// ------------------------------------------------------------------------------ bytes

/** What comes out the other side: the bytes, or API Gateway's 500 for a failed base64 conversion. */
export type Delivered = { status: 200; body: Uint8Array } | { status: 500; error: string };

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function convert(conversion: Conversion, body: Uint8Array): Delivered {
  switch (conversion) {
    case "passthrough":
      return { status: 200, body };
    case "utf8":
      return { status: 200, body: new TextEncoder().encode(new TextDecoder().decode(body)) };
    case "base64-encode":
      return { status: 200, body: new TextEncoder().encode(Buffer.from(body).toString("base64")) };
    case "base64-decode": {
      const text = new TextDecoder().decode(body);
      if (!STRICT_BASE64.test(text)) return { status: 500, error: `not a base64 string: ${JSON.stringify(text.slice(0, 20))}…` };
      return { status: 200, body: new Uint8Array(Buffer.from(text, "base64")) };
    }
  }
}

export interface Api {
  binaryMediaTypes: readonly string[];
}

/** What the integration (S3) receives for a method request. */
export function integrationRequestBody(api: Api, integration: { contentHandling?: string }, request: { contentType?: string; body: Uint8Array }) {
  const row = requestRow(api.binaryMediaTypes, request.contentType, integration.contentHandling as ContentHandling);
  return { row, delivered: convert(row.result, request.body) };
}

/** What the caller receives for an integration (S3) response, through the chosen integration response. */
export function methodResponseBody(api: Api, integrationResponse: { contentHandling?: string }, accept: string | undefined, backend: { contentType?: string; body: Uint8Array }) {
  const row = responseRow(api.binaryMediaTypes, backend.contentType, accept, integrationResponse.contentHandling as ContentHandling);
  return { row, delivered: convert(row.result, backend.body) };
}
