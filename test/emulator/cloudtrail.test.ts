/**
 * CloudTrail LookupEvents in the emulator (test/emulator/cloudtrail.py, issue 12): the API Gateway and IAM
 * write calls the emulator received, served as CloudTrail management events after a delivery delay, through
 * the real @aws-sdk/client-cloudtrail. Each `it` names its sources; the short names (API-LookupEvents,
 * API-Event, AGW-CT, IAM-CT, STACKD, TAGGER, LS-input, CT-global, CT-throttle...) are defined in section 6
 * of test/emulator/SOURCES.md.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateRestApiCommand,
  DeleteRestApiCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  TagResourceCommand,
  UpdateRestApiCommand,
  UpdateStageCommand,
} from "@aws-sdk/client-api-gateway";
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import {
  CloudTrailClient,
  LookupEventsCommand,
  type Event as TrailEvent,
  type LookupEventsCommandInput,
} from "@aws-sdk/client-cloudtrail";
import { startEmulator, type Emulator } from "./emulator.ts";
import { clientConfig, failure, unique } from "./support.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const REGION = "us-east-1";
const APIGW = "apigateway.amazonaws.com";
const IAM = "iam.amazonaws.com";
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const S3_READ = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });

let emulator: Emulator;
let apigw: APIGatewayClient;
let iam: IAMClient;
let trail: CloudTrailClient;

beforeAll(async () => {
  emulator = await startEmulator();
  const config = clientConfig(emulator, REGION);
  apigw = new APIGatewayClient(config);
  iam = new IAMClient(config);
  trail = new CloudTrailClient(config);
});

afterAll(async () => {
  apigw?.destroy();
  iam?.destroy();
  trail?.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.configure({ cloudtrailDelayMs: 0, cloudtrailFail: null, quota: false });
  await emulator.resetCloudtrail();
});

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------

/** Every event of one lookup, all pages, in the order AWS returns them. */
async function lookupAll(input: LookupEventsCommandInput): Promise<TrailEvent[]> {
  const events: TrailEvent[] = [];
  let token: string | undefined;
  do {
    const page = await trail.send(new LookupEventsCommand({ ...input, NextToken: token }));
    events.push(...(page.Events ?? []));
    token = page.NextToken;
  } while (token);
  return events;
}

const bySource = (source: string): LookupEventsCommandInput => ({
  LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: source }],
});

interface Record_ {
  eventName: string;
  eventSource: string;
  eventTime: string;
  eventID: string;
  awsRegion: string;
  readOnly: boolean;
  eventType: string;
  managementEvent: boolean;
  recipientAccountId: string;
  userIdentity: { type: string; arn: string; accountId: string; accessKeyId: string };
  requestParameters: Record<string, unknown>;
  responseElements: Record<string, unknown> | null;
}
const record = (e: TrailEvent): Record_ => JSON.parse(e.CloudTrailEvent ?? "{}") as Record_;

async function newApi(): Promise<{ id: string; root: string }> {
  const api = await apigw.send(
    new CreateRestApiCommand({ name: unique("ct"), endpointConfiguration: { types: ["REGIONAL"] } }),
  );
  return { id: api.id ?? "", root: api.rootResourceId ?? "" };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------

describe("API Gateway write calls become CloudTrail events", () => {
  it("carry the API id in requestParameters / responseElements / Resources, in AWS's record shape", async () => {
    // Sources: API-Event (LookupEvents item fields), CT-record + AGW-CT sample (record fields, requestParameters
    // with the path parameters restApiId/resourceId/httpMethod, "template": false, responseElements null for a
    // call without a body), STACKD (createRestApiInput / putMethodInput / createDeploymentInput wrappers; the
    // HAL links restapiUpdate/self of CreateRestApi), TAGGER (responseElements.restapiUpdate.restApiId),
    // LS-input (updateRestApiInput naming), SPOT (responseElements.id of CreateRestApi, requestParameters.restApiId
    // of DeleteRestApi).
    const { id, root } = await newApi();
    await apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [{ op: "replace", path: "/description", value: "d" }] }));
    await apigw.send(new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: "GET", authorizationType: "NONE" }));
    await apigw.send(
      new PutIntegrationCommand({ restApiId: id, resourceId: root, httpMethod: "GET", type: "MOCK", requestTemplates: { "application/json": "{}" } }),
    );
    await apigw.send(new CreateDeploymentCommand({ restApiId: id, stageName: "live" }));
    await apigw.send(new UpdateStageCommand({ restApiId: id, stageName: "live", patchOperations: [{ op: "replace", path: "/description", value: "s" }] }));
    await apigw.send(new TagResourceCommand({ resourceArn: `arn:aws:apigateway:${REGION}::/restapis/${id}`, tags: { team: "a" } }));
    await apigw.send(new DeleteRestApiCommand({ restApiId: id }));

    const events = await lookupAll(bySource(APIGW));
    // Newest first (API-LookupEvents): the delete is the first item, the create the last.
    expect(events.map((e) => e.EventName)).toEqual([
      "DeleteRestApi", "TagResource", "UpdateStage", "CreateDeployment", "PutIntegration", "PutMethod", "UpdateRestApi", "CreateRestApi",
    ]);
    for (const e of events) {
      expect(e).toMatchObject({ EventSource: APIGW, ReadOnly: "false", AccessKeyId: "testing", Resources: [{ ResourceType: "AWS::ApiGateway::RestApi", ResourceName: id }] });
      expect(e.EventTime).toBeInstanceOf(Date);
      const r = record(e);
      expect(r).toMatchObject({
        eventName: e.EventName, eventSource: APIGW, eventID: e.EventId, awsRegion: REGION, readOnly: false,
        eventType: "AwsApiCall", managementEvent: true, recipientAccountId: "123456789012",
      });
      expect(r.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(new Date(r.eventTime).getTime()).toBe(e.EventTime?.getTime());
      expect(r.userIdentity).toMatchObject({ accountId: "123456789012", accessKeyId: "testing" });
      expect(r.requestParameters.template).toBe(false);
    }
    const find = (name: string): Record_ => record(events.find((e) => e.EventName === name) as TrailEvent);

    const create = find("CreateRestApi");
    expect(create.requestParameters).toMatchObject({ createRestApiInput: { endpointConfiguration: { types: ["REGIONAL"] } } });
    expect(create.responseElements).toMatchObject({
      id, rootResourceId: root,
      restapiUpdate: { restApiId: id, template: false },
      self: { restApiId: id, template: false },
      resourceCreate: { restApiId: id, parentId: root, template: false },
    });
    expect(find("UpdateRestApi").requestParameters).toEqual({
      restApiId: id, updateRestApiInput: { patchOperations: [{ op: "replace", path: "/description", value: "d" }] }, template: false,
    });
    expect(find("PutMethod").requestParameters).toMatchObject({ restApiId: id, resourceId: root, httpMethod: "GET", putMethodInput: { authorizationType: "NONE" } });
    expect(find("PutIntegration").requestParameters).toMatchObject({ restApiId: id, resourceId: root, httpMethod: "GET", putIntegrationInput: { type: "MOCK" } });
    expect(find("CreateDeployment").requestParameters).toMatchObject({ restApiId: id, createDeploymentInput: { stageName: "live" } });
    expect(find("UpdateStage").requestParameters).toMatchObject({ restApiId: id, stageName: "live" });
    expect(find("TagResource").requestParameters).toMatchObject({ resourceArn: `arn:aws:apigateway:${REGION}::/restapis/${id}` });
    expect(find("DeleteRestApi")).toMatchObject({ requestParameters: { restApiId: id, template: false }, responseElements: null });
  });

  it("leaves out read calls, and counts LookupEvents itself as a read in the call log", async () => {
    // Sources: API-LookupEvents (ReadOnly attribute: reads are events too in AWS; the emulator records writes
    // only, as the brief of issue 12 asks — see SOURCES.md section 6 "not emulated").
    const { id } = await newApi();
    await apigw.send(new GetRestApiCommand({ restApiId: id }));
    await apigw.send(new GetRestApisCommand({}));
    await apigw.send(new GetResourcesCommand({ restApiId: id }));
    await emulator.resetCalls();
    const events = await lookupAll(bySource(APIGW));
    expect(events.map((e) => e.EventName)).toEqual(["CreateRestApi"]);
    expect(await lookupAll({ LookupAttributes: [{ AttributeKey: "ReadOnly", AttributeValue: "true" }] })).toEqual([]);
    expect((await lookupAll({ LookupAttributes: [{ AttributeKey: "ReadOnly", AttributeValue: "false" }] })).length).toBe(1);
    const log = await emulator.calls();
    expect(log.byOperation).toEqual({ "cloudtrail:LookupEvents": 3 });
    expect(log.reads).toBe(3);
    expect(log.writes).toBe(0);
  });

  it("filters by EventName and ResourceName", async () => {
    // Sources: API-LookupEvents (attribute keys EventName, ResourceName; one attribute per call).
    const a = await newApi();
    const b = await newApi();
    await apigw.send(new UpdateRestApiCommand({ restApiId: a.id, patchOperations: [{ op: "replace", path: "/description", value: "x" }] }));
    const updates = await lookupAll({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "UpdateRestApi" }] });
    expect(updates.map((e) => record(e).requestParameters.restApiId)).toEqual([a.id]);
    const onB = await lookupAll({ LookupAttributes: [{ AttributeKey: "ResourceName", AttributeValue: b.id }] });
    expect(onB.map((e) => e.EventName)).toEqual(["CreateRestApi"]);
  });
});

describe("delivery delay", () => {
  it("hides an event until cloudtrailDelayMs after its call", async () => {
    // Sources: CT-delivery (CloudTrail delivers events within minutes of the call, "typically about 5 minutes").
    await emulator.configure({ cloudtrailDelayMs: 1500 });
    const { id } = await newApi();
    const calledAt = Date.now();
    expect(await lookupAll(bySource(APIGW))).toEqual([]);
    // The event is recorded (visible to the control endpoint), just not delivered yet.
    const pending = await emulator.cloudtrailEvents();
    expect(pending.events).toHaveLength(1);
    expect(pending.events[0]).toMatchObject({ EventName: "CreateRestApi", delivered: false });
    await sleep(Math.max(0, calledAt + 1600 - Date.now()));
    const events = await lookupAll(bySource(APIGW));
    expect(events.map((e) => record(e).responseElements?.id)).toEqual([id]);
  });

  it("keeps each event's delay as it was when the call was made; deliverCloudtrail() flushes", async () => {
    // Emulator control (no AWS counterpart): lowering the delay does not expose events recorded under the old one.
    await emulator.configure({ cloudtrailDelayMs: 60_000 });
    await newApi();
    await emulator.configure({ cloudtrailDelayMs: 0 });
    await newApi();
    expect((await lookupAll(bySource(APIGW))).length).toBe(1);
    await emulator.deliverCloudtrail();
    expect((await lookupAll(bySource(APIGW))).length).toBe(2);
  });
});

describe("LookupEvents parameters", () => {
  it("StartTime and EndTime are inclusive bounds on EventTime (whole seconds)", async () => {
    // Sources: API-LookupEvents ("events that occur after or at the specified [start] time", "before or at the
    // specified [end] time"); AGW-CT sample (eventTime has second precision).
    const first = await newApi();
    await sleep(1100 - (Date.now() % 1000)); // the next event falls in a later second
    const second = await newApi();
    const all = await lookupAll(bySource(APIGW));
    expect(all).toHaveLength(2);
    const [newer, older] = all as [TrailEvent, TrailEvent];
    expect(record(newer).responseElements?.id).toBe(second.id);
    expect(record(older).responseElements?.id).toBe(first.id);
    expect(newer.EventTime!.getTime()).toBeGreaterThan(older.EventTime!.getTime());

    const fromNewer = await lookupAll({ ...bySource(APIGW), StartTime: newer.EventTime });
    expect(fromNewer.map((e) => e.EventId)).toEqual([newer.EventId]);
    const untilOlder = await lookupAll({ ...bySource(APIGW), EndTime: older.EventTime });
    expect(untilOlder.map((e) => e.EventId)).toEqual([older.EventId]);
    const both = await lookupAll({ ...bySource(APIGW), StartTime: older.EventTime, EndTime: newer.EventTime });
    expect(both.map((e) => e.EventId)).toEqual([newer.EventId, older.EventId]);
    const future = await lookupAll({ ...bySource(APIGW), StartTime: new Date(Date.now() + 60_000) });
    expect(future).toEqual([]);
  });

  it("pages newest first, 50 per page by default, with NextToken", async () => {
    // Sources: API-LookupEvents ("The default number of results returned is 50, with a maximum of 50 possible.
    // The response includes a token that you can use to get the next page of results."; newest first).
    const { id } = await newApi();
    const arn = `arn:aws:apigateway:${REGION}::/restapis/${id}`;
    for (let i = 0; i < 60; i++) await apigw.send(new TagResourceCommand({ resourceArn: arn, tags: { n: String(i) } }));
    const input: LookupEventsCommandInput = { LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "TagResource" }] };
    const first = await trail.send(new LookupEventsCommand(input));
    expect(first.Events).toHaveLength(50);
    expect(first.NextToken).toEqual(expect.any(String));
    const second = await trail.send(new LookupEventsCommand({ ...input, NextToken: first.NextToken }));
    expect(second.Events).toHaveLength(10);
    expect(second.NextToken).toBeUndefined();
    const tags = [...first.Events!, ...second.Events!].map((e) => (record(e).requestParameters.tagResourceInput as { tags: { n: string } }).tags.n);
    expect(tags).toEqual(Array.from({ length: 60 }, (_, i) => String(59 - i)));

    const small = await trail.send(new LookupEventsCommand({ ...input, MaxResults: 7 }));
    expect(small.Events).toHaveLength(7);
    expect(small.NextToken).toBeDefined();
  });

  it("refuses a NextToken used with other parameters, and a malformed one", async () => {
    // Sources: API-LookupEvents (InvalidNextTokenException: "a token that was previously used in a request with
    // different parameters"; "This token must be passed in with the same parameters").
    const { id } = await newApi();
    const arn = `arn:aws:apigateway:${REGION}::/restapis/${id}`;
    for (let i = 0; i < 3; i++) await apigw.send(new TagResourceCommand({ resourceArn: arn, tags: { n: String(i) } }));
    const page = await trail.send(new LookupEventsCommand({ ...bySource(APIGW), MaxResults: 1 }));
    const other = await failure(trail.send(new LookupEventsCommand({ ...bySource(IAM), MaxResults: 1, NextToken: page.NextToken })));
    expect(other).toMatchObject({ name: "InvalidNextTokenException", status: 400 });
    const garbage = await failure(trail.send(new LookupEventsCommand({ ...bySource(APIGW), NextToken: "not-a-token" })));
    expect(garbage).toMatchObject({ name: "InvalidNextTokenException", status: 400 });
  });

  it("answers AWS's errors for bad input", async () => {
    // Sources: API-LookupEvents (LookupAttributes "can contain only one item"; attribute keys enum;
    // MaxResults "Possible values are 1 through 50"; start after end is an error) and its error list
    // (InvalidLookupAttributesException, InvalidMaxResultsException, InvalidTimeRangeException,
    // InvalidEventCategoryException). Messages are the emulator's (SOURCES.md section 6).
    const two = await failure(
      trail.send(new LookupEventsCommand({
        LookupAttributes: [
          { AttributeKey: "EventSource", AttributeValue: APIGW },
          { AttributeKey: "EventName", AttributeValue: "CreateRestApi" },
        ],
      })),
    );
    expect(two).toMatchObject({ name: "InvalidLookupAttributesException", status: 400 });
    const badKey = await failure(
      trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "Bogus" as "EventName", AttributeValue: "x" }] })),
    );
    expect(badKey).toMatchObject({ name: "InvalidLookupAttributesException", status: 400 });
    const emptyValue = await failure(
      trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "" }] })),
    );
    expect(emptyValue).toMatchObject({ name: "InvalidLookupAttributesException", status: 400 });
    for (const MaxResults of [0, 51]) {
      expect(await failure(trail.send(new LookupEventsCommand({ MaxResults })))).toMatchObject({ name: "InvalidMaxResultsException", status: 400 });
    }
    const range = await failure(trail.send(new LookupEventsCommand({ StartTime: new Date(2_000_000_000_000), EndTime: new Date(1_000_000_000_000) })));
    expect(range).toMatchObject({ name: "InvalidTimeRangeException", status: 400 });
    const category = await failure(trail.send(new LookupEventsCommand({ EventCategory: "bogus" as "insight" })));
    expect(category).toMatchObject({ name: "InvalidEventCategoryException", status: 400 });
  });
});

describe("quota and failures", () => {
  it("throttles past 2 LookupEvents per second in quota mode with ThrottlingException", async () => {
    // Sources: API-LookupEvents ("The rate of lookup requests is limited to two per second, per account, per
    // Region. If this limit is exceeded, a throttling error occurs."); CT-throttle (the error:
    // ThrottlingException "Rate exceeded", HTTP 400, JSON protocol).
    await emulator.configure({ quota: true });
    try {
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => trail.send(new LookupEventsCommand({}))));
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(results.filter((r) => r.status === "fulfilled").length).toBe(2);
      expect(rejected.length).toBe(3);
      for (const r of rejected) {
        const e = r.reason as { name: string; message: string; $metadata: { httpStatusCode: number } };
        expect({ name: e.name, message: e.message, status: e.$metadata.httpStatusCode }).toEqual({ name: "ThrottlingException", message: "Rate exceeded", status: 400 });
      }
      await sleep(1100); // the bucket refills at 2 per second
      await trail.send(new LookupEventsCommand({}));
      expect((await emulator.calls()).throttled).toBeGreaterThanOrEqual(3);
    } finally {
      await emulator.configure({ quota: false });
    }
  });

  it("fails LookupEvents on demand (cloudtrailFail), for every call or the next n", async () => {
    // Emulator control; the error shapes are CloudTrail's common errors (InternalFailure 500,
    // ServiceUnavailable 503) and CT-throttle.
    await emulator.configure({ cloudtrailFail: { kind: "500", times: 1 } });
    expect(await failure(trail.send(new LookupEventsCommand({})))).toMatchObject({ name: "InternalFailure", status: 500 });
    await trail.send(new LookupEventsCommand({})); // the next one succeeds again

    await emulator.configure({ cloudtrailFail: "503" });
    for (let i = 0; i < 2; i++) {
      expect(await failure(trail.send(new LookupEventsCommand({})))).toMatchObject({ name: "ServiceUnavailable", status: 503 });
    }
    await emulator.configure({ cloudtrailFail: "429" });
    expect(await failure(trail.send(new LookupEventsCommand({})))).toMatchObject({ name: "ThrottlingException", status: 400 });
    await emulator.configure({ cloudtrailFail: { kind: "drop", times: 1 } });
    const dropped = await failure(trail.send(new LookupEventsCommand({})));
    expect(dropped.status).toBeUndefined();
    await emulator.configure({ cloudtrailFail: null });
    await trail.send(new LookupEventsCommand({}));
    // The writes still went through and are still recorded.
    await newApi();
    expect((await lookupAll(bySource(APIGW))).length).toBe(1);
  });

  it("clears the history on resetCloudtrail() and reset()", async () => {
    // Emulator control.
    await newApi();
    expect((await lookupAll({})).length).toBe(1);
    await emulator.resetCloudtrail();
    expect(await lookupAll({})).toEqual([]);
    await newApi();
    await emulator.reset();
    expect(await lookupAll({})).toEqual([]);
  });
});

describe("IAM write calls", () => {
  it("become events of iam.amazonaws.com in us-east-1 with roleName / policyName", async () => {
    // Sources: IAM-CT (requestParameters roleName, policyName, policyDocument; responseElements null for
    // PutRolePolicy/DeleteRole..., {role: {...}} for CreateRole), TAGGER (requestParameters.roleName of IAM
    // events), CART (Resources [{ResourceType: "AWS::IAM::Role"}]), CT-global (IAM events in us-east-1).
    const role = unique("ct-role");
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: "read", PolicyDocument: S3_READ }));
    await iam.send(new TagRoleCommand({ RoleName: role, Tags: [{ Key: "team", Value: "a" }] }));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role, PolicyDocument: TRUST }));
    await iam.send(new GetRoleCommand({ RoleName: role })); // a read: not an event
    await iam.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: "read" }));
    await iam.send(new DeleteRoleCommand({ RoleName: role }));

    const events = await lookupAll(bySource(IAM));
    expect(events.map((e) => e.EventName)).toEqual(["DeleteRole", "DeleteRolePolicy", "UpdateAssumeRolePolicy", "TagRole", "PutRolePolicy", "CreateRole"]);
    for (const e of events) {
      expect(e).toMatchObject({ EventSource: IAM, ReadOnly: "false", Resources: [{ ResourceType: "AWS::IAM::Role", ResourceName: role }] });
      expect(record(e)).toMatchObject({ awsRegion: "us-east-1", requestParameters: { roleName: role } });
    }
    const find = (name: string): Record_ => record(events.find((e) => e.EventName === name) as TrailEvent);
    expect(find("PutRolePolicy")).toMatchObject({ requestParameters: { roleName: role, policyName: "read", policyDocument: S3_READ }, responseElements: null });
    expect(find("TagRole").requestParameters).toEqual({ roleName: role, tags: [{ key: "team", value: "a" }] });
    expect(find("UpdateAssumeRolePolicy").requestParameters).toEqual({ roleName: role, policyDocument: TRUST });
    expect(find("CreateRole").responseElements).toMatchObject({ role: { roleName: role, arn: `arn:aws:iam::123456789012:role/${role}` } });
    expect(find("DeleteRole")).toMatchObject({ requestParameters: { roleName: role }, responseElements: null });
    // RoleName lookups find them too (ResourceName attribute).
    expect((await lookupAll({ LookupAttributes: [{ AttributeKey: "ResourceName", AttributeValue: role }] })).length).toBe(6);
  });
});
