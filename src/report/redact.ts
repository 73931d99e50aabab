// Secrets never reach logs or reports: webhook URLs keep only scheme and host.

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/***`;
  } catch {
    return "***";
  }
}

/** Replaces every occurrence of the given secrets (URLs, tokens) in a text. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    out = out.split(secret).join(redactUrl(secret));
    try {
      const parsed = new URL(secret);
      for (const part of [parsed.pathname, parsed.search, parsed.username, parsed.password]) {
        if (part && part.length > 3 && part !== "/") out = out.split(part).join("***");
      }
    } catch {
      // not a URL: the exact text was replaced above
    }
  }
  return out;
}
