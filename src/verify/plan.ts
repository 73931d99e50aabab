// The calls `reconcile verify` makes, as data: the tutorial's REST client session against the seed API
// (manifests/s3-proxy-api.yaml) — create a bucket, list the buckets, PUT a text and an image object, read
// both back, HEAD one, list the bucket, then delete what was made. Building the plan is pure; runner.ts
// sends it.
import { randomBytes } from "node:crypto";
import { tinyPng } from "./png.ts";

export type Phase = "setup" | "check" | "cleanup";
export type HttpVerb = "GET" | "HEAD" | "PUT" | "DELETE";

export interface VerifyRequest {
  method: HttpVerb;
  /** Path below the stage, one entry per segment (each percent-encoded when sent). [] is the root: GET /. */
  segments: string[];
  /** Headers that are signed and sent (besides host and the signer's own). */
  headers: Record<string, string>;
  body?: Uint8Array;
}

export interface Expectation {
  /** The answer's body must be exactly these bytes. */
  body?: Uint8Array;
  /** The answer's body must contain each of these texts. */
  contains?: string[];
}

export interface Step {
  id: string;
  title: string;
  phase: Phase;
  request: VerifyRequest;
  /** Besides a 2xx status. */
  expect: Expectation;
  /** Steps that must have passed for this one to run (it is skipped otherwise). */
  needs: string[];
  /** A cleanup step: the step whose creation it undoes; it runs whenever that step may have created something. */
  undoes?: string;
}

export interface VerifyPlan {
  bucket: string;
  /** The bucket is made and deleted by this run (no --bucket). */
  scratch: boolean;
  steps: Step[];
}

export interface PlanOptions {
  /** An existing bucket to use (--bucket): it is neither created nor deleted. */
  bucket?: string;
  /** Random lowercase letters and digits naming this run's bucket or objects. */
  runId: string;
  /** Outside us-east-1, S3's CreateBucket needs the Region as LocationConstraint. */
  region: string;
}

/** The tutorial's text object, uploaded as application/xml. */
export const README_TEXT = "Hello, World!";
export const TEXT_TYPE = "application/xml";
export const IMAGE_TYPE = "image/png";

/** 8 characters of [a-z0-9]: valid in a bucket name, unguessable enough to never meet another run's. */
export function newRunId(random: (size: number) => Uint8Array = randomBytes): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(random(8), (byte) => alphabet[byte % alphabet.length]).join("");
}

/** S3 bucket naming rules: 3–63 of [a-z0-9.-], starting and ending with a letter or digit. */
export function scratchBucketName(runId: string): string {
  const name = `apigw-verify-${runId}`;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) throw new Error(`invalid run id "${runId}" for a bucket name`);
  return name;
}

/** The object keys: the tutorial's names in a scratch bucket; in a user's bucket, prefixed so nothing of theirs is touched. */
export function objectKeys(options: PlanOptions): { text: string; image: string } {
  const prefix = options.bucket === undefined ? "" : `apigw-verify-${options.runId}-`;
  return { text: `${prefix}Readme.txt`, image: `${prefix}image.png` };
}

export function verifyPlan(options: PlanOptions): VerifyPlan {
  const scratch = options.bucket === undefined;
  const bucket = options.bucket ?? scratchBucketName(options.runId);
  const keys = objectKeys(options);
  const needs = scratch ? ["create-bucket"] : [];
  const steps: Step[] = [
    ...(scratch ? [createBucketStep(bucket, options.region)] : []),
    // In a scratch bucket, GET / must list it; a --bucket may belong to another account (not listed).
    check({ id: "list-buckets", title: "list buckets", request: get([]), expect: scratch ? { contains: [`<Name>${bucket}</Name>`] } : {}, needs }),
    ...objectSteps(bucket, keys, needs),
    check({ id: "list-bucket", title: "list bucket objects", request: get([bucket]), expect: { contains: [`<Key>${keys.text}</Key>`, `<Key>${keys.image}</Key>`] }, needs }),
    cleanup("delete-text", `delete ${keys.text}`, [bucket, keys.text], "put-text"),
    cleanup("delete-image", `delete ${keys.image}`, [bucket, keys.image], "put-image"),
    ...(scratch ? [cleanup("delete-bucket", "delete scratch bucket", [bucket], "create-bucket")] : []),
  ];
  return { bucket, scratch, steps };
}

function createBucketStep(bucket: string, region: string): Step {
  // S3 refuses a LocationConstraint of us-east-1 and needs one everywhere else.
  const body = region === "us-east-1" ? undefined : new TextEncoder().encode(createBucketConfiguration(region));
  const request: VerifyRequest = body ? { method: "PUT", segments: [bucket], headers: { "content-type": TEXT_TYPE }, body } : { method: "PUT", segments: [bucket], headers: {} };
  return { ...check({ id: "create-bucket", title: "create scratch bucket", request }), phase: "setup" };
}

export function createBucketConfiguration(region: string): string {
  return `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`;
}

function objectSteps(bucket: string, keys: { text: string; image: string }, needs: string[]): Step[] {
  const text = new TextEncoder().encode(README_TEXT);
  const image = tinyPng();
  const put = (key: string, type: string, body: Uint8Array): VerifyRequest => ({ method: "PUT", segments: [bucket, key], headers: { "content-type": type }, body });
  return [
    check({ id: "put-text", title: `put ${keys.text} (text)`, request: put(keys.text, TEXT_TYPE, text), needs }),
    check({ id: "put-image", title: `put ${keys.image} (binary)`, request: put(keys.image, IMAGE_TYPE, image), needs }),
    // A text object is read asking for a text type, the image asking for image/png (first in Accept):
    // the seed's passthrough content handling then gives both back as stored.
    check({ id: "get-text", title: `get ${keys.text}, same bytes`, request: get([bucket, keys.text], TEXT_TYPE), expect: { body: text }, needs: ["put-text"] }),
    check({ id: "get-image", title: `get ${keys.image}, same bytes`, request: get([bucket, keys.image], IMAGE_TYPE), expect: { body: image }, needs: ["put-image"] }),
    check({ id: "head-text", title: `head ${keys.text}`, request: { method: "HEAD", segments: [bucket, keys.text], headers: {} }, needs: ["put-text"] }),
  ];
}

function get(segments: string[], accept?: string): VerifyRequest {
  return { method: "GET", segments, headers: accept ? { accept } : {} };
}

/** A check step; `expect` and `needs` default to none. */
function check(fields: Pick<Step, "id" | "title" | "request"> & Partial<Pick<Step, "expect" | "needs">>): Step {
  return { expect: {}, needs: [], ...fields, phase: "check" };
}

function cleanup(id: string, title: string, segments: string[], undoes: string): Step {
  return { id, title, phase: "cleanup", request: { method: "DELETE", segments, headers: {} }, expect: {}, needs: [], undoes };
}

/** The request as the table shows it: method and path below the stage. */
export function describeRequest(request: VerifyRequest): string {
  return `${request.method} /${request.segments.join("/")}`;
}
