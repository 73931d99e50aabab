// The AWS boundary is typed from the SDK's own commands. The `@ts-expect-error` lines are the test that
// matters: `tsc --noEmit` (CI's typecheck) fails if a misspelt field or call ever compiles again.
import { describe, expect, it } from "vitest";
import { sdkCall } from "../../src/aws/calls.ts";
import type { Gateway } from "../../src/aws/gateway.ts";

describe("sdkCall: a planned call is plain data, checked against the SDK's input types where it is written", () => {
  it("keeps service, call and input as given (references to ids not yet known included)", () => {
    const planned = sdkCall("apigateway", "PutIntegration", { restApiId: { $ref: "api" }, resourceId: "r1", httpMethod: "GET", type: "AWS", credentials: "arn:aws:iam::1:role/r" });
    expect(planned).toEqual({ service: "apigateway", call: "PutIntegration", input: { restApiId: { $ref: "api" }, resourceId: "r1", httpMethod: "GET", type: "AWS", credentials: "arn:aws:iam::1:role/r" } });
  });

  it("refuses at compile time what the SDK would not take (each line below must fail to compile)", () => {
    const wrong = [
      // @ts-expect-error a misspelt input field
      sdkCall("apigateway", "PutIntegration", { restApiId: "a", resourceId: "r", httpMethod: "GET", type: "AWS", credentialz: "x" }),
      // @ts-expect-error a call API Gateway does not have
      sdkCall("apigateway", "PutIntegrations", { restApiId: "a" }),
      // @ts-expect-error a required field missing (PutRolePolicy needs PolicyDocument)
      sdkCall("iam", "PutRolePolicy", { RoleName: "r", PolicyName: "p" }),
      // @ts-expect-error a value of the wrong type
      sdkCall("apigateway", "UpdateStage", { restApiId: "a", stageName: "prod", patchOperations: [{ op: "replace", path: "/x", value: 1 }] }),
      // @ts-expect-error an IAM call on the API Gateway client
      sdkCall("apigateway", "CreateRole", { RoleName: "r", AssumeRolePolicyDocument: "{}" }),
    ];
    expect(wrong).toHaveLength(5);
  });

  it("reads are typed too: the answer is the SDK's output type", () => {
    const read = (gateway: Gateway) => gateway.read("apigateway", "GetStages", { restApiId: "a" }).then((answer) => answer.item?.map((stage) => stage.stageName));
    // @ts-expect-error a misspelt field of a read's input
    const misspelt = (gateway: Gateway) => gateway.read("apigateway", "GetStages", { restApiID: "a" });
    expect([read, misspelt]).toHaveLength(2);
  });
});
