// A pass's AWS calls as plain data, what reports and metrics render. aws/recorder.ts produces it;
// renderers read the type from here, so report/ does not depend on aws/.

export type CallCounts = {
  total: number;
  writes: number;
  byOperation: Record<string, number>;
  errors: Record<string, number>;
  /** Failed attempts per operation and error name (`errors` summed over operations); absent when none failed. */
  failures?: Record<string, Record<string, number>>;
};
