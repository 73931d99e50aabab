// CloudTrail LookupEvents: the write events of one event source in a time window, newest first, paged.
// Fields used (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html):
// Events[].ReadOnly ("false" for writes), Events[].EventName, Events[].Resources, and in the CloudTrailEvent
// JSON record requestParameters / responseElements (where API Gateway puts restApiId and IAM roleName).
// One lookup attribute per call (AWS's rule): EventSource; ReadOnly is filtered here.
import type { Gateway } from "../aws/gateway.ts";
import { withRetries, type RetryPolicy } from "../aws/retry.ts";
import type { WriteEvent } from "../kinds/kind.ts";

export class LookupTruncatedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LookupTruncatedError";
  }
}

const LOOKUP_RETRY: RetryPolicy = { retries: 2, minTimeoutMs: 200, maxTimeoutMs: 1_000, maxRetryTimeMs: 3_000 };

export interface LookupRequest {
  source: string;
  since: Date;
  until: Date;
  maxPages: number;
}

export async function lookupWrites(gateway: Gateway, request: LookupRequest): Promise<{ events: WriteEvent[]; lookups: number }> {
  const events: WriteEvent[] = [];
  let token: string | undefined;
  let lookups = 0;
  do {
    if (lookups === request.maxPages) throw new LookupTruncatedError(`more than ${request.maxPages} pages of ${request.source} events since ${request.since.toISOString()}`);
    const input = {
      LookupAttributes: [{ AttributeKey: "EventSource" as const, AttributeValue: request.source }],
      StartTime: request.since,
      EndTime: request.until,
      MaxResults: 50,
      ...(token ? { NextToken: token } : {}),
    };
    // A few quick retries, not a read's minute: when CloudTrail does not answer, a full scan is the answer.
    const page = await withRetries(() => gateway.send("cloudtrail", "LookupEvents", input), LOOKUP_RETRY);
    lookups++;
    for (const event of page.Events ?? []) if (event.ReadOnly !== "true") events.push(writeEvent(event));
    token = page.NextToken;
  } while (token);
  return { events, lookups };
}

function writeEvent(event: { EventName?: string; CloudTrailEvent?: string; Resources?: { ResourceType?: string; ResourceName?: string }[] }): WriteEvent {
  const record = parseRecord(event.CloudTrailEvent);
  return {
    eventName: event.EventName ?? "",
    requestParameters: objectOr(record.requestParameters),
    responseElements: objectOr(record.responseElements),
    resources: (event.Resources ?? []).map((r) => ({ ...(r.ResourceType ? { type: r.ResourceType } : {}), ...(r.ResourceName ? { name: r.ResourceName } : {}) })),
  };
}

function parseRecord(text: string | undefined): Record<string, unknown> {
  try {
    return objectOr(JSON.parse(text ?? "{}"));
  } catch {
    return {};
  }
}

function objectOr(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
