// The document's own Region, account and partition in integration URIs and credentials ARNs, turned into
// the manifests' placeholders (model/placeholders.ts resolves ${AWS_REGION}, ${AWS_ACCOUNT_ID} and
// ${AWS_PARTITION} for the target at reconcile time). Only whole ARN fields are replaced, never text inside
// a path or a name.

export interface Origin {
  region?: string;
  accountId?: string;
}

const ARN = /^arn:([^:]+):([^:]*):([^:]*):([^:]*):(.*)$/s;

/** The Region of the first API Gateway service ARN (integration URI) and the account of the first IAM ARN. */
export function originOf(arns: readonly string[]): Origin {
  const parts = arns.map((arn) => ARN.exec(arn)).filter((match) => match !== null);
  const region = parts.find((match) => match[2] === "apigateway" && match[3] !== "")?.[3];
  const accountId = parts.find((match) => /^\d{12}$/.test(match[4] ?? ""))?.[4];
  return { ...(region ? { region } : {}), ...(accountId ? { accountId } : {}) };
}

/** `arn:aws:apigateway:us-west-2:s3:path/{bucket}` → `arn:${AWS_PARTITION}:apigateway:${AWS_REGION}:s3:path/{bucket}`. */
export function withPlaceholders(arn: string, origin: Origin): string {
  const match = ARN.exec(arn);
  if (!match) return arn;
  const [, partition, service, region, account, rest] = match;
  const fields = [
    /^aws(-[a-z]+)*$/.test(partition ?? "") ? "${AWS_PARTITION}" : partition,
    service,
    region !== "" && region === origin.region ? "${AWS_REGION}" : region,
    account !== "" && account === origin.accountId ? "${AWS_ACCOUNT_ID}" : account,
    rest,
  ];
  return `arn:${fields.join(":")}`;
}
