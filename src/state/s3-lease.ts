// The lease's lock as an S3 object beside the state (`<key>.lock`), using S3's conditional requests
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html): created with
// If-None-Match: *, renewed and stolen with If-Match: <the ETag read>, deleted with If-Match
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html). S3 evaluates each
// condition atomically with the write, so of two racing writers at the same ETag exactly one succeeds.
import { formatS3Location, isS3Error, type S3Location, type S3Objects } from "./s3.ts";
import { SlotLease, type LeaseOptions, type LockSlot, type StoredLock } from "./lease-core.ts";

export class S3LockSlot implements LockSlot {
  constructor(
    readonly location: S3Location,
    private readonly objects: S3Objects,
  ) {}

  describe(): string {
    return formatS3Location(this.location);
  }

  async create(text: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      return await this.objects.put(this.location, text, { ifNoneMatch: "*" }, signal);
    } catch (error) {
      // 412: a lock exists. 409: a concurrent write to the key; the caller reads what is there and decides.
      if (isS3Error(error, "precondition-failed", "conflict")) return undefined;
      throw error;
    }
  }

  async read(signal?: AbortSignal): Promise<StoredLock | undefined> {
    const stored = await this.objects.get(this.location, signal);
    if (!stored) return undefined;
    return { text: stored.body, version: stored.etag, ...(stored.lastModified ? { modifiedMs: stored.lastModified.getTime() } : {}) };
  }

  async replace(version: string, text: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      return await this.objects.put(this.location, text, { ifMatch: version }, signal);
    } catch (error) {
      // 412: replaced since we read it; 404: deleted since; 409: a concurrent write. Not ours either way.
      if (isS3Error(error, "precondition-failed", "not-found", "conflict")) return undefined;
      throw error;
    }
  }

  async remove(version: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.objects.delete(this.location, version, signal);
      return true;
    } catch (error) {
      if (isS3Error(error, "precondition-failed", "not-found", "conflict")) return false;
      throw error;
    }
  }

  close(): void {
    this.objects.close();
  }
}

/** The lease on `s3://bucket/<state key>.lock`. */
export class S3Lease extends SlotLease {
  constructor(stateLocation: S3Location, objects: S3Objects, options: LeaseOptions) {
    super(new S3LockSlot({ bucket: stateLocation.bucket, key: `${stateLocation.key}.lock` }, objects), options);
  }
}
