// Alert delivery (HTTP): each payload is POSTed to each webhook, retried with backoff under a timeout.
// A failing webhook is logged (URL redacted) and never fails or blocks the reconcile.
import { redactText, redactUrl } from "../report/redact.ts";

export interface DeliveryOptions {
  attempts: number;
  timeoutMs: number;
  backoffMs: number;
  log: (line: string) => void;
}

export const DEFAULT_DELIVERY: Omit<DeliveryOptions, "log"> = { attempts: 3, timeoutMs: 5_000, backoffMs: 500 };

/** Posts each payload to each webhook. Never throws; returns how many deliveries succeeded. */
export async function deliverAlerts(urls: readonly string[], payloads: readonly unknown[], options: DeliveryOptions): Promise<number> {
  let delivered = 0;
  await Promise.all(
    urls.flatMap((url) =>
      payloads.map(async (payload) => {
        for (let attempt = 1; attempt <= options.attempts; attempt++) {
          try {
            const response = await fetch(url, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(payload),
              signal: AbortSignal.timeout(options.timeoutMs),
            });
            if (response.ok) {
              delivered++;
              return;
            }
            options.log(`alert to ${redactUrl(url)}: HTTP ${response.status} (attempt ${attempt}/${options.attempts})`);
          } catch (error) {
            const message = redactText(error instanceof Error ? error.message : String(error), [url]);
            options.log(`alert to ${redactUrl(url)}: ${message} (attempt ${attempt}/${options.attempts})`);
          }
          if (attempt < options.attempts) await new Promise((resolve) => setTimeout(resolve, options.backoffMs * 2 ** (attempt - 1)));
        }
      }),
    ),
  );
  return delivered;
}
