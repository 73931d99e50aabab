// API Gateway evaluates an integration response's selectionPattern as a Java regular expression
// (java.util.regex.Pattern), not a JavaScript one: `4\d{2` is a literal "{" to JavaScript and an error to Java.
// This is a pure syntax checker of Java's grammar: it finds what Pattern.compile rejects (errors) and notes
// Java-only syntax that JavaScript lacks or reads otherwise (warnings: accepted, checked only in part).
//
// Sources: the java.util.regex.Pattern documentation
// (https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/regex/Pattern.html) and OpenJDK's
// Pattern.java and CharPredicates.java — JDK 25's, and JDK 8's for what an older runtime may take (openjdk/jdk
// at 039db22f, jdk/src/share/classes/java/util/regex/Pattern.java). The parser follows Pattern.java's descent
// (RemoveQEQuoting, expr, sequence, atom, escape, clazz, range, family, group0, addFlag, closure, qtype); each
// method below names the one it follows. Its verdicts were compared with Pattern.compile of JDK 17 and 25 on
// some 250,000 generated patterns: no pattern Java accepts is refused here.
// Where Java's verdict depends on its version or on tables this file does not hold (lookbehind lengths,
// Unicode script, block and character names), the checker warns instead of rejecting: a false rejection
// would block a manifest that API Gateway accepts. Comments mode (?x) stops the check (with a warning).

export interface JavaRegexIssue {
  /** 0-based index in the pattern (UTF-16 units, as String.prototype.slice counts) of the construct. */
  index: number;
  message: string;
}

export interface JavaRegexCheck {
  /** Why Pattern.compile rejects the pattern: at most one, since Java stops at the first error too. */
  errors: JavaRegexIssue[];
  /** Java-only syntax, accepted and checked only as far as its grammar: the first use of each kind; none with an error. */
  warnings: JavaRegexIssue[];
}

/** E.g. "Unclosed counted closure at 3" for `4\d{2`: the 0-based index of the construct (here its "{"). */
export function formatJavaRegexIssue(issue: JavaRegexIssue): string {
  return `${issue.message} at ${issue.index}`;
}

export function checkJavaRegex(pattern: string): JavaRegexCheck {
  const parser = new Parser(pattern);
  try {
    parser.parse();
  } catch (signal) {
    if (signal instanceof SyntaxProblem) return { errors: [{ index: signal.index, message: signal.message }], warnings: [] };
    if (!(signal instanceof StopChecking)) throw signal;
  }
  return { errors: [], warnings: parser.warnings() };
}

/** Nesting of groups and classes checked; deeper, checking stops with a warning (the parser recurses). */
export const MAX_NESTING = 200;

const EOF = -1;
/** What escape() returns for an escape that is not one character (\d, \b, a back reference…): Java's -1. */
const META = -2;

const BACKSLASH = 0x5c;
const AMP = 0x26; // &
const AT = 0x40; // @
const BANG = 0x21; // !
const BAR = 0x7c; // |
const CARET = 0x5e; // ^
const COLON = 0x3a; // :
const COMMA = 0x2c; // ,
const DOLLAR = 0x24; // $
const DOT = 0x2e; // .
const EQUALS = 0x3d; // =
const GT = 0x3e; // >
const LBRACE = 0x7b; // {
const LBRACKET = 0x5b; // [
const UPPER_E = 0x45; // E
const LOWER_G = 0x67; // g
const LOWER_P = 0x70; // p
const UPPER_Q = 0x51; // Q
const UPPER_U = 0x55; // U
const LOWER_U = 0x75; // u
const UPPER_P = 0x50; // P
const LOWER_X = 0x78; // x
const LPAREN = 0x28; // (
const LT = 0x3c; // <
const MINUS = 0x2d; // -
const PLUS = 0x2b; // +
const QUESTION = 0x3f; // ?
const RBRACE = 0x7d; // }
const RBRACKET = 0x5d; // ]
const RPAREN = 0x29; // )
const STAR = 0x2a; // *

class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/** Checking stops here without an error: (?x) comments mode, or nesting past MAX_NESTING. */
class StopChecking extends Error {}

const shorten = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);
const isDigit = (ch: number) => ch >= 0x30 && ch <= 0x39;
const isAsciiAlpha = (ch: number) => (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a);
const isHexDigit = (ch: number) => isDigit(ch) || (ch >= 0x41 && ch <= 0x46) || (ch >= 0x61 && ch <= 0x66);
const MAX_INT = 0x7fffffff;

// Pattern.escape(): ASCII letters without a meaning are "Illegal/unsupported escape sequence" (\y, \i, \E
// outside \Q…\E, \Q never reaches it: RemoveQEQuoting removes them all). Inside a class, back references,
// \A \B \G \R \X \Z \b \k \z are refused too ([\b] is a backspace to JavaScript, an error to Java).
const ILLEGAL_ESCAPES = new Set("CEFIJKLMOPQTUYgijlmopqy");
const ILLEGAL_IN_CLASS = new Set("123456789ABGRXZbkz");

/** Pattern.escape(): predefined classes and boundaries, matching no single character. */
const CLASS_ESCAPES: ReadonlySet<string> = new Set(["B", "D", "S", "W", "d", "s", "w"]);
/** Pattern.escape(): the control characters \f \n \r \t. */
const CONTROL_ESCAPES: ReadonlyMap<string, number> = new Map([
  ["f", 0x0c],
  ["n", 0x0a],
  ["r", 0x0d],
  ["t", 0x09],
]);
/** Escapes Java takes and JavaScript reads otherwise (or not at all): accepted with a warning. */
interface WarnedEscape {
  kind: WarningKind;
  what: (letter: string) => string;
  value?: number;
}
const named = (kind: WarningKind, letters: string[]): [string, WarnedEscape][] => letters.map((l) => [l, { kind, what: (x) => `${kind === "anchor" ? "anchor" : "escape"} \\${x}` }]);
const WARNED_ESCAPES: ReadonlyMap<string, WarnedEscape> = new Map<string, WarnedEscape>([
  ...named("anchor", ["A", "G", "Z", "z"]),
  ...named("escape", ["H", "R", "V", "h"]),
  ["X", { kind: "java9", what: () => "\\X (Java 9 or later)" }],
  ["a", { kind: "escape", what: () => "escape \\a", value: 0x07 }],
  ["e", { kind: "escape", what: () => "escape \\e", value: 0x1b }],
]);

// CharPredicates.forProperty() (JDK 8u's CharPropertyNames): the names \p{…} takes without an Is/In prefix
// or a key=; any other bare name is "Unknown character property name". One-letter \pX: the seven categories.
const PROPERTY_NAMES = new Set([
  ..."Cn Lu Ll Lt Lm Lo Mn Me Mc Nd Nl No Zs Zl Zp Cc Cf Co Cs Pd Ps Pe Pc Po Sm Sc Sk So Pi Pf L M N Z C P S LC LD L1 all".split(" "),
  ..."ASCII Alnum Alpha Blank Cntrl Digit Graph Lower Print Punct Space Upper XDigit".split(" "),
  ..."LowerCase UpperCase Alphabetic Ideographic TitleCase Digit Defined Letter LetterOrDigit JavaIdentifierStart JavaIdentifierPart UnicodeIdentifierStart UnicodeIdentifierPart IdentifierIgnorable SpaceChar Whitespace ISOControl Mirrored"
    .split(" ")
    .map((name) => `java${name}`),
]);
const ONE_LETTER_PROPERTIES = new Set("CLMNPSZ");

// Pattern.addFlag() / subFlag(): the inline flags.
const FLAGS = new Set("imsduxcU");

type WarningKind =
  | "quote"
  | "possessive"
  | "atomic"
  | "flags"
  | "comments"
  | "lookbehind"
  | "property"
  | "property-unchecked"
  | "anchor"
  | "escape"
  | "java9"
  | "class-set"
  | "empty-repetition"
  | "nesting";

class Parser {
  /** The pattern's code points, \Q…\E rewritten as Java's RemoveQEQuoting does. */
  private cp: Int32Array;
  /** For each code point above, the index in the pattern of the character it comes from. */
  private at: Int32Array;
  private n: number;
  private cursor = 0;
  private depth = 0;
  /** Named groups defined so far: \k<name> must name one defined to its left (Pattern.escape 'k'). */
  private readonly groupNames = new Set<string>();
  /** (?U) seen: \p{…} then also takes POSIX names (CharPredicates.forPOSIXName), not checked here. */
  private unicodeClasses = false;
  private readonly found = new Map<WarningKind, JavaRegexIssue>();

  constructor(private readonly pattern: string) {
    this.cp = new Int32Array(pattern.length);
    this.at = new Int32Array(pattern.length);
    let count = 0;
    for (let i = 0; i < pattern.length; ) {
      const point = pattern.codePointAt(i) ?? 0;
      this.cp[count] = point;
      this.at[count++] = i;
      i += point > 0xffff ? 2 : 1;
    }
    this.n = count;
  }

  warnings(): JavaRegexIssue[] {
    return [...this.found.values()];
  }

  parse(): void {
    this.removeQEQuoting();
    this.expr();
    // Pattern.compile(): whatever expr() leaves is an unmatched ')'.
    if (this.cursor < this.n) throw this.error("Unmatched closing ')'", this.cursor);
  }

  // ------------------------------------------------------------ reading

  private ch(index: number): number {
    return index < this.n ? (this.cp[index] ?? EOF) : EOF;
  }
  private peek(): number {
    return this.ch(this.cursor);
  }
  /** Advance, then peek. */
  private next(): number {
    return this.ch(++this.cursor);
  }
  /** Peek, then advance. */
  private read(): number {
    return this.ch(this.cursor++);
  }
  /** The pattern's index of code point `index` (the pattern's length past its end). */
  private where(index: number): number {
    return index < this.n ? (this.at[index] ?? this.pattern.length) : this.pattern.length;
  }
  private error(message: string, index: number): SyntaxProblem {
    return new SyntaxProblem(message, this.where(index));
  }
  private warn(kind: WarningKind, message: string, index: number): void {
    if (!this.found.has(kind)) this.found.set(kind, { index: this.where(index), message });
  }
  /** The code points from..to as a string (in slices: a spread of millions of arguments overflows). */
  private text(from: number, to: number): string {
    let out = "";
    for (let i = from; i < Math.min(to, this.n); i += 4096) out += String.fromCodePoint(...this.cp.subarray(i, Math.min(i + 4096, to, this.n)));
    return out;
  }
  /** The pattern as written from code point `from` to `to`, for a message: at most 40 characters. */
  private source(from: number, to: number): string {
    return shorten(this.pattern.slice(this.where(from), this.where(to)));
  }
  private enter(index: number): void {
    if (++this.depth <= MAX_NESTING) return;
    this.warn("nesting", `nesting deeper than ${MAX_NESTING} (the rest is not checked)`, index);
    throw new StopChecking();
  }

  // ------------------------------------------------------------ \Q…\E

  /** Pattern.RemoveQEQuoting(): \Q…\E becomes escaped literals before parsing; a \Q without \E quotes to the end. */
  private removeQEQuoting(): void {
    const { cp, at, n } = this;
    let i = 0;
    while (i < n - 1) {
      if (cp[i] !== BACKSLASH) i += 1;
      else if (cp[i + 1] !== UPPER_Q) i += 2;
      else break;
    }
    if (i >= n - 1) return;
    this.warn("quote", "\\Q…\\E quoting", i);
    const outCp = new Int32Array(i + 3 * (n - i) + 2);
    const outAt = new Int32Array(outCp.length);
    outCp.set(cp.subarray(0, i));
    outAt.set(at.subarray(0, i));
    let j = i;
    const push = (point: number, from: number) => {
      outCp[j] = point;
      outAt[j++] = from;
    };
    i += 2;
    let inQuote = true;
    let beginQuote = true;
    while (i < n) {
      const from = at[i] ?? 0;
      const point = cp[i++] ?? 0;
      if (point > 0x7f || isAsciiAlpha(point)) {
        push(point, from);
      } else if (isDigit(point)) {
        // A digit right after \Q becomes \x3N, so that it does not extend an escape before the quote.
        if (beginQuote) for (const x of [BACKSLASH, LOWER_X, 0x33]) push(x, from);
        push(point, from);
      } else if (point !== BACKSLASH) {
        if (inQuote) push(BACKSLASH, from);
        push(point, from);
      } else if (inQuote) {
        if (cp[i] === UPPER_E && i < n) {
          i++;
          inQuote = false;
        } else {
          push(BACKSLASH, from);
          push(BACKSLASH, from);
        }
      } else if (cp[i] === UPPER_Q && i < n) {
        i++;
        inQuote = true;
        beginQuote = true;
        continue;
      } else {
        push(point, from);
        if (i < n) push(cp[i] ?? 0, at[i++] ?? 0);
      }
      beginQuote = false;
    }
    this.cp = outCp;
    this.at = outAt;
    this.n = j;
  }

  // ------------------------------------------------------------ expressions

  /** Pattern.expr(): sequences separated by '|' (an empty alternative is fine: `(|a)`, `a||b`). */
  private expr(): void {
    for (;;) {
      this.sequence();
      if (this.peek() !== BAR) return;
      this.next();
    }
  }

  /** Pattern.sequence(): up to '|', ')' or the end. */
  private sequence(): void {
    for (;;) {
      const ch = this.peek();
      switch (ch) {
        case LPAREN:
          // group0() takes its own quantifier; a flags-only group takes none, so `(?i)*` is dangling.
          this.group();
          continue;
        case LBRACKET:
          this.clazz(true);
          break;
        case BACKSLASH: {
          const after = this.ch(this.cursor + 1);
          if (after === LOWER_P || after === UPPER_P) this.family();
          else this.atom();
          break;
        }
        case CARET:
        case DOLLAR:
        case DOT:
          this.next();
          break;
        case BAR:
        case RPAREN:
        case EOF:
          return;
        case QUESTION:
        case STAR:
        case PLUS:
          // sequence(): "Dangling meta character" — a quantifier at the start, after '(' or '|', or after a
          // quantifier that is not followed by its own ? (lazy) or + (possessive): `a**` and `a{2}*` are errors.
          throw this.error(`Dangling meta character '${String.fromCodePoint(ch)}'`, this.cursor);
        case LBRACE: {
          // atom() makes an empty slice of a '{' it starts with: closure() then reads it as a quantifier,
          // so `{2}` alone is valid Java (repeating nothing) and `{` alone is "Illegal repetition".
          const start = this.cursor;
          this.closure();
          this.warn("empty-repetition", `${this.source(start, this.cursor)} with nothing to repeat (Java repeats the empty string; JavaScript refuses it)`, start);
          continue;
        }
        default:
          // ']' and '}' alone are literals (sequence(): "Now interpreting dangling ] and } as literals").
          this.atom();
          break;
      }
      this.closure();
    }
  }

  /** Pattern.atom(), one character or escape at a time (Java gathers a slice; the syntax is the same). */
  private atom(): void {
    if (this.peek() === BACKSLASH) this.escape(false, false);
    else this.next();
  }

  /**
   * Pattern.escape(): the cursor is on the backslash; returns the character matched, or META. In a range's
   * upper bound (`isRange`), \v is the character 0x0B.
   */
  private escape(inClass: boolean, isRange: boolean): number {
    const start = this.cursor;
    this.cursor += 2;
    const ch = this.ch(start + 1);
    const letter = ch >= 0 && ch <= 0x7f ? String.fromCharCode(ch) : "";
    if (ch === EOF) throw this.error("Unescaped trailing backslash", start);
    if (ILLEGAL_ESCAPES.has(letter) || (inClass && ILLEGAL_IN_CLASS.has(letter))) {
      throw this.error("Illegal/unsupported escape sequence", start);
    }
    // A back reference (1-9): ref() takes further digits only while they name a group; a digit it leaves is
    // a literal, so the syntax is the same either way. Java accepts a reference to a group that never exists.
    if (/^[1-9]$/.test(letter) || CLASS_ESCAPES.has(letter)) return META;
    const control = CONTROL_ESCAPES.get(letter);
    if (control !== undefined) return control;
    const warned = WARNED_ESCAPES.get(letter);
    if (warned) {
      this.warn(warned.kind, warned.what(letter), start);
      return warned.value ?? META;
    }
    return this.specialEscape(letter, start, isRange) ?? ch;
  }

  /** The escapes that read further characters or depend on where they stand; undefined: a literal. */
  private specialEscape(letter: string, start: number, isRange: boolean): number | undefined {
    switch (letter) {
      case "0":
        return this.octal(start);
      case "N":
        return this.characterName(start);
      case "b":
        // \b{g} (Java 9+) is a grapheme boundary; \b{ followed by anything else but g} is an error; a '{'
        // not followed by g is left to closure() (`\b{2}` repeats the boundary).
        if (this.peek() === LBRACE && this.ch(this.cursor + 1) === LOWER_G) {
          if (this.ch(this.cursor + 2) !== RBRACE) throw this.error("Illegal/unsupported escape sequence", start);
          this.cursor += 3;
          this.warn("java9", "\\b{g} (Java 9 or later)", start);
        }
        return META;
      case "c":
        // Pattern.c(): \c and any one character.
        if (this.cursor >= this.n) throw this.error("Illegal control escape sequence", start);
        return this.read() ^ 64;
      case "k":
        return this.namedReference(start);
      case "u":
        return this.unicode(start);
      case "v":
        this.warn("escape", "escape \\v (vertical whitespace to Java, a vertical tab to JavaScript)", start);
        return isRange ? 0x0b : META;
      case "x":
        return this.hex(start);
      default:
        // Any other character, ASCII punctuation or not ASCII, stands for itself.
        return undefined;
    }
  }

  /** Pattern.o(): \0 and one to three octal digits (three only if the first is 0-3). */
  private octal(start: number): number {
    const isOctal = (d: number) => d >= 0x30 && d <= 0x37;
    const first = this.peek();
    if (!isOctal(first)) throw this.error("Illegal octal escape sequence", start);
    this.warn("escape", "octal escape \\0", start);
    this.next();
    let value = first - 0x30;
    if (isOctal(this.peek())) {
      value = value * 8 + this.read() - 0x30;
      if (isOctal(this.peek()) && first <= 0x33) value = value * 8 + this.read() - 0x30;
    }
    return value;
  }

  /** Pattern.x(): \xhh, or \x{h…} up to U+10FFFF. */
  private hex(start: number): number {
    if (isHexDigit(this.peek()) && isHexDigit(this.ch(this.cursor + 1))) {
      return Number.parseInt(this.text(this.cursor, (this.cursor += 2)), 16);
    }
    if (this.peek() === LBRACE && isHexDigit(this.ch(this.cursor + 1))) {
      this.next();
      let value = 0;
      while (isHexDigit(this.peek())) {
        value = value * 16 + Number.parseInt(String.fromCodePoint(this.read()), 16);
        if (value > 0x10ffff) throw this.error("Hexadecimal codepoint is too big", start);
      }
      if (this.read() !== RBRACE) throw this.error("Unclosed hexadecimal escape sequence", start);
      this.warn("escape", "escape \\x{…}", start);
      return value;
    }
    throw this.error("Illegal hexadecimal escape sequence", start);
  }

  /** Pattern.u() / uxxxx(): exactly four hexadecimal digits; \uD83D\uDE00, a surrogate pair, is one code point. */
  private unicode(start: number): number {
    const high = this.uxxxx(start);
    if (high >= 0xd800 && high <= 0xdbff && this.peek() === BACKSLASH && this.ch(this.cursor + 1) === LOWER_U) {
      const back = this.cursor;
      this.cursor += 2;
      const low = this.uxxxx(back);
      if (low >= 0xdc00 && low <= 0xdfff) return 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
      this.cursor = back;
    }
    return high;
  }

  private uxxxx(start: number): number {
    for (let i = 0; i < 4; i++) if (!isHexDigit(this.ch(this.cursor + i))) throw this.error("Illegal Unicode escape sequence", start);
    return Number.parseInt(this.text(this.cursor, (this.cursor += 4)), 16);
  }

  /** Pattern.N() (Java 9+): \N{name}. Whether Java knows the name (Character.codePointOf) is not checked. */
  private characterName(start: number): number {
    if (this.read() !== LBRACE) throw this.error("Illegal character name escape sequence", start);
    while (this.read() !== RBRACE) if (this.cursor >= this.n) throw this.error("Unclosed character name escape sequence", start);
    this.warn("java9", "\\N{…} (Java 9 or later; the name is not checked)", start);
    return 0xfffd;
  }

  /** Pattern.escape() 'k' and groupname(): \k<name> of a group defined to its left. */
  private namedReference(start: number): number {
    if (this.read() !== LT) throw this.error("\\k is not followed by '<' for named capturing group", start);
    const name = this.groupName(start);
    if (!this.groupNames.has(name)) throw this.error(`named capturing group <${shorten(name)}> does not exist`, start);
    return META;
  }

  /** Pattern.groupname(): an ASCII letter, then ASCII letters and digits (no '_'), then '>'. */
  private groupName(start: number): string {
    const from = this.cursor;
    if (!isAsciiAlpha(this.peek())) throw this.error("capturing group name does not start with a Latin letter", start);
    while (isAsciiAlpha(this.peek()) || isDigit(this.peek())) this.next();
    const name = this.text(from, this.cursor);
    if (this.read() !== GT) throw this.error("named capturing group is missing trailing '>'", start);
    return name;
  }

  /** Pattern.family(): \p or \P, the cursor on the backslash; one letter, or a name in braces. */
  private family(): void {
    const start = this.cursor;
    this.cursor += 2;
    let name: string;
    if (this.peek() === LBRACE) {
      const from = this.cursor + 1;
      let end = from;
      while (end < this.n && this.ch(end) !== RBRACE) end++;
      if (end >= this.n) throw this.error("Unclosed character family", start);
      if (end === from) throw this.error("Empty character family", start);
      name = this.text(from, end);
      this.cursor = end + 1;
    } else {
      const one = this.read();
      name = one === EOF ? "" : String.fromCodePoint(one);
      if (!ONE_LETTER_PROPERTIES.has(name)) throw this.error(`Unknown character property name {${name}}`, start);
    }
    const written = this.source(start, this.cursor);
    if (PROPERTY_NAMES.has(name) || ONE_LETTER_PROPERTIES.has(name)) {
      this.warn("property", `Unicode property ${written}`, start);
    } else if (name.includes("=") || name.startsWith("In") || name.startsWith("Is") || this.unicodeClasses) {
      // Unicode scripts, blocks and binary properties: Java's tables, which this file does not hold.
      this.warn("property-unchecked", `Unicode property ${written} (script, block and property names are not checked)`, start);
    } else {
      throw this.error(`Unknown character property name {${shorten(name)}}`, start);
    }
  }

  // ------------------------------------------------------------ classes

  /**
   * Pattern.clazz(): the cursor is on the '[' (or, for the right side of `abc&&def`, just before its first
   * character, `consume` false). A ']' right after '[' or '[^' is a literal; `[]` is unclosed.
   */
  private clazz(consume: boolean): void {
    const open = this.cursor;
    this.enter(open);
    let hasPrev = false;
    let hasBits = false;
    let ch = this.next();
    if (ch === CARET && this.ch(this.cursor - 1) === LBRACKET) ch = this.next();
    for (;;) {
      switch (ch) {
        case LBRACKET:
          this.warn("class-set", "class union [", this.cursor);
          this.clazz(true);
          hasPrev = true;
          ch = this.peek();
          continue;
        case AMP:
          ch = this.next();
          if (ch === AMP) {
            this.warn("class-set", "class intersection &&", this.cursor - 1);
            ch = this.next();
            let right = false;
            while (ch !== RBRACKET && ch !== AMP) {
              if (ch === LBRACKET) {
                this.clazz(true);
              } else {
                this.cursor--;
                this.clazz(false);
              }
              right = true;
              ch = this.peek();
            }
            // JDK 25 also says "Bad intersection syntax" for `[\da&&]` and `[\da&&&[b]]`, which JDK 17 takes:
            // a version's difference, so not an error here.
            if (hasBits) hasPrev = true;
            hasBits = false;
            if (!hasPrev && !right) throw this.error("Bad class syntax", open);
            hasPrev = true;
            continue;
          }
          this.cursor--; // a single '&' is a literal
          break;
        case EOF:
          throw this.error("Unclosed character class", open);
        case RBRACKET:
          if (hasPrev || hasBits) {
            if (consume) this.next();
            this.depth--;
            return;
          }
          break;
        default:
          break;
      }
      this.range();
      hasBits = true; // a character, a range or a predefined class: content either way
      ch = this.peek();
    }
  }

  /** Pattern.range(): one member of a class — a character, an escape, \p{…}, or a range a-z (a <= z). */
  private range(): void {
    const start = this.cursor;
    let ch = this.peek();
    if (ch === BACKSLASH) {
      const after = this.ch(this.cursor + 1);
      if (after === LOWER_P || after === UPPER_P) {
        this.family();
        return;
      }
      ch = this.escape(true, this.ch(this.cursor + 2) === MINUS);
      if (ch === META) return;
    } else {
      this.next();
    }
    if (this.peek() !== MINUS) return;
    const end = this.ch(this.cursor + 1);
    if (end === LBRACKET || end === RBRACKET) return; // a literal '-': `[a-]`, `[a-[b]]`
    this.next();
    let upper = this.peek();
    if (upper === BACKSLASH) upper = this.escape(true, true);
    else this.next();
    // A \d or other class as the upper end is META (below any character): "Illegal character range" too.
    if (upper < ch) throw this.error("Illegal character range", start);
  }

  // ------------------------------------------------------------ groups

  /** Pattern.group0(): the cursor is on the '('. */
  private group(): void {
    const open = this.cursor;
    this.enter(open);
    let ch = this.next();
    if (ch === QUESTION) {
      ch = this.next();
      this.next();
      switch (ch) {
        case COLON:
        case EQUALS:
        case BANG:
          break;
        case GT:
          this.warn("atomic", "atomic group (?>…)", open);
          break;
        case LT: {
          const kind = this.peek();
          if (kind === EQUALS || kind === BANG) {
            this.next();
            // Java: "Look-behind group does not have an obvious maximum length"; which lengths are obvious
            // changed between versions (JDK 17 takes `(?<=a*)`, not `(?<=(a|bc)*)` or a back reference).
            this.warn("lookbehind", `lookbehind ${this.source(open, this.cursor)} (Java needs an obvious maximum length; not checked)`, open);
          } else {
            const name = this.groupName(open);
            if (this.groupNames.has(name)) throw this.error(`Named capturing group <${shorten(name)}> is already defined`, open);
            this.groupNames.add(name);
          }
          break;
        }
        case DOLLAR:
        case AT:
          throw this.error("Unknown group type", open);
        default:
          if (this.inlineFlags(open)) {
            this.depth--;
            return; // no quantifier: `(?i)*` is a dangling '*'
          }
      }
    }
    this.expr();
    if (this.peek() !== RPAREN) throw this.error("Unclosed group", open);
    this.next();
    this.depth--;
    this.closure();
  }

  /**
   * Pattern.addFlag(): the cursor is one past the first flag: flags, then '-' and flags to turn off; then
   * ')' (flags only: returns true) or ':' (a group follows: returns false).
   */
  private inlineFlags(open: number): boolean {
    this.cursor--;
    let on = true;
    let comments = false;
    for (let flag = this.peek(); ; flag = this.next()) {
      if (flag === MINUS && on) on = false;
      else if (flag >= 0 && FLAGS.has(String.fromCodePoint(flag))) {
        if (on && flag === LOWER_X) comments = true;
        if (on && flag === UPPER_U) this.unicodeClasses = true;
      } else break;
    }
    const end = this.peek();
    if (end !== RPAREN && end !== COLON) throw this.error("Unknown inline modifier", this.cursor);
    this.next();
    if (comments) {
      // In comments mode whitespace and #… are skipped everywhere (Pattern.peek/parsePastWhitespace).
      this.warn("comments", "comments mode (?x) (the rest is not checked)", open);
      throw new StopChecking();
    }
    this.warn("flags", `inline flags ${this.source(open, this.cursor)}`, open);
    return end === RPAREN;
  }

  // ------------------------------------------------------------ quantifiers

  /** Pattern.closure(): an optional ? * + or {n} {n,} {n,m}, each optionally lazy (?) or possessive (+). */
  private closure(): void {
    const start = this.cursor;
    const ch = this.peek();
    if (ch === QUESTION || ch === STAR || ch === PLUS) {
      this.next();
      this.qtype(start);
      return;
    }
    if (ch !== LBRACE) return;
    // closure(): a '{' here always starts a counted repetition — there is no literal '{' after an atom.
    if (!isDigit(this.next())) throw this.error("Illegal repetition", start);
    const min = this.count(start);
    let max = min;
    if (this.peek() === COMMA) {
      if (this.next() === RBRACE) max = MAX_INT;
      else max = isDigit(this.peek()) ? this.count(start) : 0;
    }
    if (this.peek() !== RBRACE) throw this.error("Unclosed counted closure", start);
    if (max < min) throw this.error("Illegal repetition range", start);
    this.next();
    this.qtype(start);
  }

  /** Digits of a counted repetition; past Integer.MAX_VALUE is "Illegal repetition range" (Math.addExact). */
  private count(start: number): number {
    let value = 0;
    while (isDigit(this.peek())) {
      value = value * 10 + this.read() - 0x30;
      if (value > MAX_INT) throw this.error("Illegal repetition range", start);
    }
    return value;
  }

  /** Pattern.qtype(): a '?' after a quantifier makes it lazy, a '+' possessive; a third quantifier dangles. */
  private qtype(start: number): void {
    const ch = this.peek();
    if (ch === QUESTION) this.next();
    else if (ch === PLUS) {
      this.next();
      this.warn("possessive", `possessive quantifier ${this.source(start, this.cursor)}`, start);
    }
  }
}
