// The selectionPattern checker against Java's grammar (java.util.regex.Pattern, which API Gateway uses). Each
// row's verdict was taken from Pattern.compile on JDK 17 and 25; the index is the construct's, 0-based.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkJavaRegex, formatJavaRegexIssue, MAX_NESTING } from "../../src/manifest/java-regex.ts";
import { parseManifests } from "../../src/manifest/load.ts";
import { apisOf } from "./support/models.ts";

interface Row {
  pattern: string;
  /** "valid", or Java's error and where, as formatJavaRegexIssue writes it. */
  expected: string;
  /** The warnings, formatted, in order (none when absent). */
  warnings?: string[];
  reason: string;
}

const VALID = "valid";

const rows: Row[] = [
  // ------------------------------------------------ what the seed API and its users write
  { pattern: "4\\d{2}", expected: VALID, reason: "the seed API's 4xx pattern" },
  { pattern: "5\\d{2}", expected: VALID, reason: "the seed API's 5xx pattern" },
  { pattern: "", expected: VALID, reason: 'the default response\'s empty pattern ("" is the same as none)' },
  { pattern: "(4|5)\\d\\d", expected: VALID, reason: "alternation in a group" },
  { pattern: "[45]\\d{2}", expected: VALID, reason: "a class, then a counted repetition" },
  { pattern: ".*Not Found.*", expected: VALID, reason: "a Lambda error message match" },
  { pattern: "^(?!4)\\d{3}$", expected: VALID, reason: "negative lookahead and anchors, the same in both languages" },
  { pattern: "(?<code>4)\\d\\k<code>", expected: VALID, reason: "a named group and a reference to it" },
  { pattern: "a*?", expected: VALID, reason: "a lazy quantifier: ? after a quantifier is not a second quantifier" },
  { pattern: "}", expected: VALID, reason: "a '}' alone is a literal (sequence(): dangling ] and } are literals)" },
  { pattern: "]", expected: VALID, reason: "so is a ']' alone" },
  { pattern: "[]a]", expected: VALID, reason: "a ']' first in a class is a literal" },
  { pattern: "a{0,2147483647}", expected: VALID, reason: "Integer.MAX_VALUE is the largest count" },
  { pattern: "[😀-😂]", expected: VALID, reason: "a range of code points beyond U+FFFF (Java reads code points, not UTF-16 units)" },
  { pattern: "[\\uD83D\\uDE00-\\uD83D\\uDE02]", expected: VALID, reason: "a surrogate pair written as two \\u escapes is one code point" },

  // ------------------------------------------------ errors: counted repetitions
  { pattern: "4\\d{2", expected: "Unclosed counted closure at 3", reason: "the bug: JavaScript reads the '{' as a literal, Java refuses it" },
  { pattern: "x{2", expected: "Unclosed counted closure at 1", reason: "the same, shorter" },
  { pattern: "x{2,a}", expected: "Unclosed counted closure at 1", reason: "a maximum that is not a number" },
  { pattern: "a{", expected: "Illegal repetition at 1", reason: "a '{' after an atom always starts a counted repetition in Java" },
  { pattern: "a{,2}", expected: "Illegal repetition at 1", reason: "Java has no {,m}: a count starts with a digit" },
  { pattern: "{", expected: "Illegal repetition at 0", reason: "a '{' alone too" },
  { pattern: "a{2,1}", expected: "Illegal repetition range at 1", reason: "a minimum above the maximum" },
  { pattern: "a{2147483648}", expected: "Illegal repetition range at 1", reason: "a count past Integer.MAX_VALUE (Math.addExact)" },
  { pattern: "a{1}{", expected: "Illegal repetition at 4", reason: "a '{' after a counted repetition" },

  // ------------------------------------------------ errors: dangling quantifiers
  { pattern: "*a", expected: "Dangling meta character '*' at 0", reason: "a quantifier at the start" },
  { pattern: "(*)", expected: "Dangling meta character '*' at 1", reason: "a quantifier after '('" },
  { pattern: "a|*", expected: "Dangling meta character '*' at 2", reason: "a quantifier after '|'" },
  { pattern: "a**", expected: "Dangling meta character '*' at 2", reason: "a second quantifier (neither ? lazy nor + possessive)" },
  { pattern: "a?*", expected: "Dangling meta character '*' at 2", reason: "the same after '?'" },
  { pattern: "a{2}*", expected: "Dangling meta character '*' at 4", reason: "the same after a counted repetition" },
  { pattern: "a{2}++", expected: "Dangling meta character '+' at 5", reason: "a possessive quantifier takes one '+', not two" },
  { pattern: "(?i)*", expected: "Dangling meta character '*' at 4", reason: "a flags-only group takes no quantifier" },

  // ------------------------------------------------ errors: groups and classes
  { pattern: "(a", expected: "Unclosed group at 0", reason: "a '(' without ')'" },
  { pattern: "4(0[0-9]", expected: "Unclosed group at 1", reason: "the broken fixture's pattern" },
  { pattern: "(?i:a", expected: "Unclosed group at 0", reason: "a flags group too" },
  { pattern: "a)", expected: "Unmatched closing ')' at 1", reason: "a ')' without '('" },
  { pattern: "[abc", expected: "Unclosed character class at 0", reason: "a '[' without ']'" },
  { pattern: "[]", expected: "Unclosed character class at 0", reason: "[] is the start of a class holding ']' (JavaScript: an empty class)" },
  { pattern: "[[]", expected: "Unclosed character class at 1", reason: "'[' in a class opens a nested class in Java" },
  { pattern: "[z-a]", expected: "Illegal character range at 1", reason: "a range whose end is below its start" },
  { pattern: "[a-\\d]", expected: "Illegal character range at 1", reason: "a class cannot end a range" },
  { pattern: "[&&]", expected: "Bad class syntax at 0", reason: "an intersection of nothing" },
  { pattern: "(?q)", expected: "Unknown inline modifier at 2", reason: "q is not a flag" },
  { pattern: "(?i", expected: "Unknown inline modifier at 3", reason: "flags must end with ')' or ':'" },
  { pattern: "(?P<n>x)", expected: "Unknown inline modifier at 2", reason: "Python's named group syntax" },
  { pattern: "(?$a)", expected: "Unknown group type at 0", reason: "(?$ and (?@ are reserved" },
  { pattern: "(?<n_1>a)", expected: "named capturing group is missing trailing '>' at 0", reason: "a group name is ASCII letters and digits: no '_' (JavaScript allows it)" },
  { pattern: "(?<1n>a)", expected: "capturing group name does not start with a Latin letter at 0", reason: "a group name starts with a letter" },
  { pattern: "(?<n>a)(?<n>b)", expected: "Named capturing group <n> is already defined at 7", reason: "a name used twice" },
  { pattern: "\\k<n>", expected: "named capturing group <n> does not exist at 0", reason: "a reference to a group not defined to its left" },
  { pattern: "\\kn", expected: "\\k is not followed by '<' for named capturing group at 0", reason: "\\k needs <name>" },

  // ------------------------------------------------ errors: escapes
  { pattern: "\\", expected: "Unescaped trailing backslash at 0", reason: "a backslash at the end" },
  { pattern: "\\y", expected: "Illegal/unsupported escape sequence at 0", reason: "an ASCII letter without a meaning (JavaScript: the letter)" },
  { pattern: "\\i", expected: "Illegal/unsupported escape sequence at 0", reason: "the same" },
  { pattern: "x\\E", expected: "Illegal/unsupported escape sequence at 1", reason: "\\E without \\Q" },
  { pattern: "[\\b]", expected: "Illegal/unsupported escape sequence at 1", reason: "\\b in a class: a backspace to JavaScript, an error to Java" },
  { pattern: "[\\1]", expected: "Illegal/unsupported escape sequence at 1", reason: "no back reference in a class" },
  { pattern: "\\0", expected: "Illegal octal escape sequence at 0", reason: "\\0 needs an octal digit (JavaScript: NUL)" },
  { pattern: "\\08", expected: "Illegal octal escape sequence at 0", reason: "8 is not octal" },
  { pattern: "\\x4", expected: "Illegal hexadecimal escape sequence at 0", reason: "\\x needs two hexadecimal digits" },
  { pattern: "\\x{110000}", expected: "Hexadecimal codepoint is too big at 0", reason: "past U+10FFFF" },
  { pattern: "\\u12", expected: "Illegal Unicode escape sequence at 0", reason: "\\u needs four hexadecimal digits" },
  { pattern: "\\c", expected: "Illegal control escape sequence at 0", reason: "\\c needs a character" },
  { pattern: "\\p", expected: "Unknown character property name {} at 0", reason: "\\p needs a name" },
  { pattern: "\\pX", expected: "Unknown character property name {X} at 0", reason: "one-letter names are the seven general categories" },
  { pattern: "\\p{}", expected: "Empty character family at 0", reason: "an empty name" },
  { pattern: "\\p{L", expected: "Unclosed character family at 0", reason: "a name without '}'" },
  { pattern: "\\p{Bogus}", expected: "Unknown character property name {Bogus} at 0", reason: "a bare name Java does not know (CharPredicates.forProperty)" },

  // ------------------------------------------------ Java-only syntax: accepted, with a warning
  { pattern: "\\Q.*\\E", expected: VALID, warnings: ["\\Q…\\E quoting at 0"], reason: "quoting: the '.' and '*' are literals" },
  { pattern: "\\Qa{\\E{2}", expected: VALID, warnings: ["\\Q…\\E quoting at 0"], reason: "a quoted '{' is a literal; the {2} after \\E repeats it" },
  { pattern: "\\Q\\E*", expected: "Dangling meta character '*' at 4", reason: "an empty quote leaves nothing to repeat" },
  { pattern: "a*+", expected: VALID, warnings: ["possessive quantifier *+ at 1"], reason: "possessive quantifier (JavaScript: nothing to repeat)" },
  { pattern: "a{2,3}+", expected: VALID, warnings: ["possessive quantifier {2,3}+ at 1"], reason: "a possessive counted repetition" },
  { pattern: "(?i)error", expected: VALID, warnings: ["inline flags (?i) at 0"], reason: "inline flags" },
  { pattern: "(?-i:a)", expected: VALID, warnings: ["inline flags (?-i: at 0"], reason: "flags turned off for a group" },
  { pattern: "(?>a+)b", expected: VALID, warnings: ["atomic group (?>…) at 0"], reason: "an atomic group" },
  { pattern: "\\p{javaLowerCase}", expected: VALID, warnings: ["Unicode property \\p{javaLowerCase} at 0"], reason: "a java* class" },
  { pattern: "\\p{IsLatin}", expected: VALID, warnings: ["Unicode property \\p{IsLatin} (script, block and property names are not checked) at 0"], reason: "script names are Java's tables: not checked, not rejected" },
  { pattern: "\\A4\\d\\d\\z", expected: VALID, warnings: ["anchor \\A at 0"], reason: "\\A and \\z anchors (one warning per kind)" },
  { pattern: "[a-z&&[^e]]", expected: VALID, warnings: ["class intersection && at 4"], reason: "class intersection" },
  { pattern: "[a[b]]", expected: VALID, warnings: ["class union [ at 2"], reason: "a class inside a class" },
  { pattern: "{1}", expected: VALID, warnings: ["{1} with nothing to repeat (Java repeats the empty string; JavaScript refuses it) at 0"], reason: "Java takes {n} with nothing before it" },
  { pattern: "(?<=a)b", expected: VALID, warnings: ["lookbehind (?<= (Java needs an obvious maximum length; not checked) at 0"], reason: "which lookbehinds are bounded changed between Java versions: never rejected" },
  { pattern: "\\N{LATIN SMALL LETTER A}", expected: VALID, warnings: ["\\N{…} (Java 9 or later; the name is not checked) at 0"], reason: "a character by name" },
  { pattern: "(?x) 4 \\d{2", expected: VALID, warnings: ["comments mode (?x) (the rest is not checked) at 0"], reason: "comments mode skips whitespace and #…: the rest is not checked (prefer not rejecting)" },
];

describe("checkJavaRegex: Java's verdict on each pattern", () => {
  it.each(rows.map((row) => [JSON.stringify(row.pattern), row] as const))("%s", (_name, row) => {
    const result = checkJavaRegex(row.pattern);
    expect(result.errors.length === 0 ? VALID : result.errors.map(formatJavaRegexIssue).join("; "), row.reason).toBe(row.expected);
    expect(result.warnings.map(formatJavaRegexIssue), row.reason).toEqual(row.warnings ?? []);
  });

  it("stops checking, without an error, past MAX_NESTING groups", () => {
    const deep = "(".repeat(MAX_NESTING + 1) + "a" + ")".repeat(MAX_NESTING + 1);
    expect(checkJavaRegex(deep).errors).toEqual([]);
    expect(checkJavaRegex("(".repeat(MAX_NESTING) + "a" + ")".repeat(MAX_NESTING)).warnings).toEqual([]);
    expect(checkJavaRegex("(".repeat(100_000)).warnings.map((w) => w.message)).toEqual([`nesting deeper than ${MAX_NESTING} (the rest is not checked)`]);
  });

  it("checks a 5 MB pattern quickly, without quoting it", () => {
    const result = checkJavaRegex("(?<" + "n".repeat(5 * 1024 * 1024));
    expect(result.errors.map(formatJavaRegexIssue)).toEqual(["named capturing group is missing trailing '>' at 0"]);
  });
});

// ------------------------------------------------ property: patterns valid by construction are accepted

const literal = fc.constantFrom("a", "b", "4", "5", "0", "_", "-", ",", ":", " ", "/", "}", "]", "é", "😀");
const escape = fc.constantFrom(
  ...["\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\.", "\\*", "\\{", "\\}", "\\(", "\\)", "\\[", "\\]", "\\\\", "\\|", "\\t", "\\n", "\\x41", "\\x{1F600}", "\\u0041", "\\0101"],
  ...["\\p{Lu}", "\\pL", "\\P{javaLowerCase}", "\\p{IsLatin}", "\\p{Alpha}", "\\A", "\\z", "\\Z", "\\G", "\\b", "\\B", "\\h", "\\R", "\\Qa.*{\\E", "\\Q)\\E", "\\ca"],
);
const classMember = fc.oneof(
  fc.constantFrom("a", "b", "4", "_", ".", "*", "(", ")", "{", "|", "$", "&b", "😀"), // "&" then "&&…": JDK 17 and 25 disagree
  fc.constantFrom("0-9", "a-z", "A-F", "4-5", "😀-😂"),
  fc.constantFrom("\\d", "\\s", "\\w", "\\]", "\\[", "\\-", "\\\\", "\\p{L}", "\\x41-\\x5a", "\\Q]\\E"),
  fc.constantFrom("[xy]", "&&[^e]", "&&[a-f]"),
);
const characterClass = fc
  .tuple(fc.boolean(), fc.constantFrom("a", "b", "0-9", "\\d", "]"), fc.array(classMember, { maxLength: 3 }), fc.boolean())
  .map(([negated, first, rest, trailingDash]) => `[${negated ? "^" : ""}${first}${rest.join("")}${trailingDash ? "-" : ""}]`);
const quantifier = fc
  .tuple(
    fc.oneof(
      fc.constantFrom("", "", "*", "+", "?"),
      fc.nat(12).map((n) => `{${n}}`),
      fc.nat(12).map((n) => `{${n},}`),
      fc.tuple(fc.nat(12), fc.nat(12)).map(([a, b]) => `{${Math.min(a, b)},${Math.max(a, b)}}`),
    ),
    fc.constantFrom("", "", "?", "+"),
  )
  .map(([q, mode]) => (q === "" ? "" : q + mode));

/** Patterns Java accepts by construction (the generator was checked against Pattern.compile of JDK 17 and 25). */
const { pattern: javaPattern } = fc.letrec<{ pattern: string; sequence: string; term: string; group: string }>((tie) => ({
  pattern: fc.array(tie("sequence"), { minLength: 1, maxLength: 3 }).map((alternatives) => alternatives.join("|")),
  sequence: fc.array(tie("term"), { maxLength: 4 }).map((terms) => terms.join("")),
  term: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(fc.oneof(literal, escape, characterClass, fc.constantFrom("^", "$", ".")), quantifier).map(([atom, q]) => atom + q),
    fc.constantFrom("(?i)", "(?-i)", "(?s)", "(?m)", "(?U)"),
    fc.tuple(tie("group"), quantifier).map(([group, q]) => group + q),
  ),
  group: fc
    .tuple(fc.constantFrom("(", "(?:", "(?=", "(?!", "(?>", "(?i:", "(?-s:"), tie("pattern"))
    .map(([open, body]) => `${open}${body})`),
}));

describe("checkJavaRegex: properties", () => {
  it("accepts every pattern Java accepts by construction", () => {
    fc.assert(
      fc.property(javaPattern, (pattern) => {
        expect(checkJavaRegex(pattern).errors).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it("answers any string, with at most one error, located inside the pattern", () => {
    const regexy = fc.string({ unit: fc.constantFrom(..."a1{},()[]|*+?\\^$.-&<>=!:QEpPLkdbxuN0 ".split("")), maxLength: 24 });
    fc.assert(
      fc.property(fc.oneof(regexy, fc.string({ unit: "binary", maxLength: 24 })), (pattern) => {
        const { errors, warnings } = checkJavaRegex(pattern);
        expect(errors.length).toBeLessThanOrEqual(1);
        for (const issue of [...errors, ...warnings]) {
          expect(issue.index).toBeGreaterThanOrEqual(0);
          expect(issue.index).toBeLessThanOrEqual(pattern.length);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

// ------------------------------------------------ through the loader and `reconcile validate`

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A RestApi whose GET / integration has a 400 response selected by `pattern` (written as a YAML single-quoted scalar, line 14). */
const manifest = (pattern: string) =>
  [
    "apiVersion: apigw-reconciler/v1",
    "kind: RestApi",
    "metadata:",
    "  name: errors",
    "spec:",
    "  resources:",
    "    /:",
    "      methods:",
    "        GET:",
    "          integration:",
    "            type: MOCK",
    "            responses:",
    '              "200": {}',
    `              "400": { selectionPattern: '${pattern}' }`,
    "          responses:",
    '            "200": {}',
    '            "400": {}',
    "",
  ].join("\n");

describe("selectionPattern in a manifest", () => {
  const field = 'spec.resources["/"].methods.GET.integration.responses["400"].selectionPattern';

  it("loads Java-only syntax, with a warning at the field", () => {
    const loaded = parseManifests([{ file: "errors.yaml", text: manifest("(?i)4\\d{2}+") }]);
    expect(apisOf(loaded.desired)).toHaveLength(1);
    expect(loaded.warnings.map((w) => `${w.file}:${w.line}:${w.column} ${w.field}: ${w.message}`)).toEqual([
      `errors.yaml:14:42 ${field}: uses Java-only syntax, checked here only as far as Java's grammar: inline flags (?i) at 0; possessive quantifier {2}+ at 7`,
    ]);
  });

  it("has no warning for patterns JavaScript and Java read alike", () => {
    expect(parseManifests([{ file: "errors.yaml", text: manifest("4\\d{2}") }]).warnings).toEqual([]);
  });

  it("`validate` prints the warning on stderr and exits 0", () => {
    const directory = mkdtempSync(join(tmpdir(), "java-regex-"));
    try {
      const file = join(directory, "errors.yaml");
      writeFileSync(file, manifest("a*+"));
      const result = spawnSync(process.execPath, ["bin/reconcile.js", "validate", "-m", file], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
      expect(result.stderr).toBe(`warning: ${file}:14:42 ${field}: uses Java-only syntax, checked here only as far as Java's grammar: possessive quantifier *+ at 1\n`);
      expect(result.stdout).toBe("1 document(s) in 1 file(s) are valid: 1 RestApi, 0 IamRole\n");
      expect(result.status).toBe(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
