// The state file: what this controller remembers between runs, next to (never instead of) the tags in
// AWS: the spec it last applied per object (to tell pending from drift field by field) and the drift it
// has already announced (so an alert goes out once when drift appears and once when it is resolved).
// Where it is kept (a local file or S3) and how it is written: src/state/.

export interface StateFile {
  version: 1;
  /** Group ("RestApi/my-s3", "IamRole/x") → the desired model last applied and its hash. */
  lastApplied: Record<string, { hash: string; model: unknown }>;
  /** Fingerprints of drift already announced, with a short description. */
  announcedDrift: Record<string, string>;
}

export const DEFAULT_STATE_FILE = ".apigw-reconciler/state.json";
