// Where a deployed stage answers: https://{apiId}.execute-api.{region}.{dnsSuffix}/{stage}, the DNS suffix
// being the Region's partition's. The table is the SDK's own partitions data
// (@aws-sdk/core, util-endpoints/lib/aws/partitions.js): regionRegex → dnsSuffix, in its order.

interface Partition {
  id: string;
  regionRegex: RegExp;
  dnsSuffix: string;
}

const PARTITIONS: readonly Partition[] = [
  { id: "aws", regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, dnsSuffix: "amazonaws.com" },
  { id: "aws-cn", regionRegex: /^cn-\w+-\d+$/, dnsSuffix: "amazonaws.com.cn" },
  { id: "aws-eusc", regionRegex: /^eusc-(de)-\w+-\d+$/, dnsSuffix: "amazonaws.eu" },
  { id: "aws-iso", regionRegex: /^us-iso-\w+-\d+$/, dnsSuffix: "c2s.ic.gov" },
  { id: "aws-iso-b", regionRegex: /^us-isob-\w+-\d+$/, dnsSuffix: "sc2s.sgov.gov" },
  { id: "aws-iso-e", regionRegex: /^eu-isoe-\w+-\d+$/, dnsSuffix: "cloud.adc-e.uk" },
  { id: "aws-iso-f", regionRegex: /^us-isof-\w+-\d+$/, dnsSuffix: "csp.hci.ic.gov" },
  { id: "aws-us-gov", regionRegex: /^us-gov-\w+-\d+$/, dnsSuffix: "amazonaws.com" },
];

/** The partition of a Region: the first whose pattern matches; any other Region is the commercial partition's (as in the SDK). */
export function partitionOf(region: string): { id: string; dnsSuffix: string } {
  const found = PARTITIONS.find((p) => p.regionRegex.test(region));
  return { id: found?.id ?? "aws", dnsSuffix: found?.dnsSuffix ?? "amazonaws.com" };
}

export function invokeUrl(apiId: string, region: string, stage: string): string {
  return `https://${apiId}.execute-api.${region}.${partitionOf(region).dnsSuffix}/${encodeURIComponent(stage)}`;
}

/** The Region in an execute-api host name (`{id}.execute-api.{region}.{suffix}`), if it is one. */
export function regionOfInvokeUrl(url: string): string | undefined {
  try {
    return /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\./.exec(new URL(url).hostname)?.[1];
  } catch {
    return undefined;
  }
}

/** A user's --invoke-url, checked: http(s), no query or fragment, no trailing slash. */
export function normalizeInvokeUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--invoke-url "${text}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`--invoke-url "${text}": only http and https URLs`);
  if (url.search || url.hash) throw new Error(`--invoke-url "${text}": no query string or fragment, the stage's base URL only`);
  if (url.username || url.password) throw new Error("--invoke-url must not carry credentials");
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** The URL of a request: the stage's base URL and the path segments, each percent-encoded. */
export function requestUrl(base: string, segments: readonly string[]): string {
  return `${base}/${segments.map(encodeURIComponent).join("/")}`;
}
