export function roleArn(accountId: string, path: string, roleName: string, partition = "aws"): string {
  return `arn:${partition}:iam::${accountId}:role${path}${roleName}`;
}

export function restApiArn(region: string, apiId: string, partition = "aws"): string {
  return `arn:${partition}:apigateway:${region}::/restapis/${apiId}`;
}

export function stageArn(region: string, apiId: string, stage: string, partition = "aws"): string {
  return `${restApiArn(region, apiId, partition)}/stages/${stage}`;
}

export function accountIdOfArn(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];
}

export function partitionOfArn(arn: string): string | undefined {
  return /^arn:([^:]+):/.exec(arn)?.[1];
}
