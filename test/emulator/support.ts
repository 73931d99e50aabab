// Helpers shared by the emulator's own tests.

/** How an SDK call failed: error name, HTTP status, message. */
export interface Failure {
  name: string;
  status: number | undefined;
  message: string;
}

/** The SDK error a call fails with (fails the test if the call succeeds). */
export async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error("expected the call to fail, it succeeded");
}

let counter = 0;
/** A name no other test of the run uses. */
export const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** SDK client settings for talking to one emulator: its endpoint, dummy credentials, one attempt (no SDK retries). */
export function clientConfig(emulator: { endpoint: string }, region: string) {
  return { endpoint: emulator.endpoint, region, credentials: { accessKeyId: "testing", secretAccessKey: "testing" }, maxAttempts: 1 };
}
