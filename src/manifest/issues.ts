// A manifest problem, located in its file. All problems of a run are collected and reported together.

export type FieldPath = readonly (string | number)[];

export interface ManifestIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted field path, e.g. spec.resources["/{folder}"].methods.GET.integration.uri */
  field: string;
  message: string;
}

/** Longest message and field path an issue keeps: a 5 MB value must not become a 5 MB error. */
export const MAX_MESSAGE_LENGTH = 300;
const MAX_FIELD_LENGTH = 200;
/** How much of a bad value a message quotes. */
const QUOTE_LENGTH = 60;

export class ManifestError extends Error {
  readonly issues: readonly ManifestIssue[];

  constructor(issues: readonly ManifestIssue[]) {
    // The last line of defence: every message is short, whatever a check or the YAML parser put in it.
    const short = issues.map((issue) => ({ ...issue, field: clip(issue.field, MAX_FIELD_LENGTH), message: clip(issue.message, MAX_MESSAGE_LENGTH) }));
    super(short.map(formatIssue).join("\n"));
    this.issues = short;
    this.name = "ManifestError";
  }
}

/** Problems listed per file; beyond that they are counted. A generated file can have thousands: the first say it. */
export const MAX_ISSUES_PER_FILE = 50;

/**
 * The problems of a run, at most MAX_ISSUES_PER_FILE listed per file. Adding one beyond that only counts it,
 * without building it (finding a field's line in a mapping of 50,000 keys is what made such a run slow).
 */
export class IssueList {
  private readonly listed: ManifestIssue[] = [];
  private readonly unlisted = new Map<string, number>();
  private readonly perFile = new Map<string, number>();

  get length(): number {
    return this.listed.length;
  }

  push(...issues: ManifestIssue[]): void {
    for (const issue of issues) this.add(issue.file, () => issue);
  }

  /** Adds the issue `build` makes, or only counts it when its file has enough listed. */
  add(file: string, build: () => ManifestIssue): void {
    const count = this.perFile.get(file) ?? 0;
    if (count >= MAX_ISSUES_PER_FILE) {
      this.unlisted.set(file, (this.unlisted.get(file) ?? 0) + 1);
      return;
    }
    this.perFile.set(file, count + 1);
    this.listed.push(build());
  }

  /** Sorted, with one more issue per file that had too many, at the place of its last listed one. */
  sorted(): ManifestIssue[] {
    const sorted = [...this.listed].sort(compareIssues);
    for (const [file, count] of this.unlisted) {
      const index = sorted.findLastIndex((issue) => issue.file === file);
      const last = sorted[index];
      const message = `and ${count} more problems in this file (the first ${MAX_ISSUES_PER_FILE} are listed)`;
      sorted.splice(index + 1, 0, { file, line: last?.line ?? 1, column: last?.column ?? 1, field: "(file)", message });
    }
    return sorted;
  }
}

/** A value as a message quotes it: JSON, at most a short prefix of it, with its full length when cut. */
export function quote(value: unknown, max = QUOTE_LENGTH): string {
  if (typeof value === "string") return value.length > max ? `${JSON.stringify(value.slice(0, max))}… (${value.length} characters)` : JSON.stringify(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value); // a BigInt, or a structure JSON cannot write
  }
  return clip(text, max);
}

/** `text`, or its first `max` characters and how long it was; never splits a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const suffix = `… (${text.length} characters)`;
  let end = Math.max(0, max - suffix.length);
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
  return text.slice(0, end) + suffix;
}

export function formatIssue(issue: ManifestIssue): string {
  return `${issue.file}:${issue.line}:${issue.column} ${issue.field}: ${issue.message}`;
}

const PLAIN_SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatFieldPath(path: FieldPath): string {
  if (path.length === 0) return "(document)";
  return path
    .map((segment, index) => {
      if (typeof segment === "number") return `[${segment}]`;
      if (segment.length <= QUOTE_LENGTH && PLAIN_SEGMENT.test(segment)) return index === 0 ? segment : `.${segment}`;
      return `[${quote(segment)}]`;
    })
    .join("");
}

export function compareIssues(a: ManifestIssue, b: ManifestIssue): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.field.localeCompare(b.field);
}

/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  // No field, kind or value of a manifest is this long: no hint, and no quadratic edit distance on a huge key.
  if (word.length > 2 * QUOTE_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const hint = closest(word, candidates);
  return hint === undefined ? "" : `; did you mean "${hint}"?`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
