// What a YAML document may not do before it becomes a JS value: tags other than the standard ones (a
// `!Ref` would silently become the string "x"), aliases that contain themselves (a cyclic value that
// overflows the stack of everything after), aliases that expand exponentially ("billion laughs"), nesting
// deeper than any manifest needs, and keys that are lists or mappings. Each problem has a source offset.
import { isAlias, isMap, isPair, isScalar, isSeq, Lexer, Parser } from "yaml";
import type { Alias, CST, Document, Node } from "yaml";
import { clip } from "./issues.ts";

export interface GuardProblem {
  offset: number;
  message: string;
}

/**
 * Levels of mappings and lists, aliases counted as expanded. The deepest manifest fields are 10 levels down
 * (spec.resources./x.methods.GET.integration.responses.200.responseParameters, counting the document).
 */
export const MAX_DEPTH = 64;

/**
 * Nodes that aliases may add to a document, counted expanded (an alias of an alias of 10 nodes adds all
 * 10 each time). The seed API has 577 nodes, one of its methods 65: sharing a method between 50 methods
 * through an anchor adds about 3,000. Ten aliases a level pass 10,000 at the fourth level.
 */
export const MAX_ALIAS_NODES = 10_000;

const STANDARD_TAGS = ["str", "int", "float", "bool", "null", "map", "seq"];
const ALLOWED_TAGS = new Set(["!", ...STANDARD_TAGS.flatMap((name) => [`!!${name}`, `!<tag:yaml.org,2002:${name}>`])]);
// The short forms of CloudFormation's intrinsic functions: the likeliest tags in a manifest written by habit.
const CLOUDFORMATION = new Set(
  ["Ref", "Sub", "GetAtt", "Join", "Select", "Split", "If", "Equals", "Not", "And", "Or", "FindInMap", "Base64", "Cidr", "ImportValue", "GetAZs", "Condition", "Transform"].map((name) => `!${name}`),
);
const NOT_JSON = new Set(["!!binary", "!!timestamp", "!!set", "!!omap", "!!pairs", "!!merge", "!!value", "!!yaml"]);

const COLLECTIONS = new Set(["block-map", "block-seq", "flow-collection"]);

export type Tokens = { tokens: CST.Token[]; tooDeep?: undefined } | { tokens?: undefined; tooDeep: GuardProblem };

/**
 * The parser's tokens (CST) of a file, or the first collection nested more than MAX_DEPTH levels deep. The
 * parser recurses once per level when it closes many at once, and the composer once per level: a few
 * thousand levels overflow the stack, with no position. So the parser is driven here, lexeme by lexeme,
 * and stopped as soon as its stack of open collections is too deep.
 */
export function tokenize(text: string, onNewLine: (offset: number) => void): Tokens {
  const parser = new Parser(onNewLine);
  const tokens: CST.Token[] = [];
  onNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > MAX_DEPTH) {
      const open = parser.stack.filter((token) => COLLECTIONS.has(token.type));
      const first = open[MAX_DEPTH];
      if (first) return { tooDeep: { offset: first.offset, message: tooDeepMessage } };
    }
  }
  for (const token of parser.end()) tokens.push(token);
  return { tokens };
}

const tooDeepMessage = `nested more than ${MAX_DEPTH} levels deep; no manifest needs that many`;

/** The tags of a file's tokens that a manifest may not use, in file order. */
export function tagProblems(tokens: readonly CST.Token[]): GuardProblem[] {
  const problems: GuardProblem[] = [];
  // Iterative, though tokenize has bounded the depth: a walk over a tree of plain objects.
  const stack: unknown[] = [...tokens];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== "object" || item === null) continue;
    const token = item as { type?: unknown; offset?: unknown; source?: unknown };
    if (token.type === "tag" && typeof token.source === "string" && typeof token.offset === "number") {
      const message = tagMessage(token.source);
      if (message) problems.push({ offset: token.offset, message });
    }
    // One by one: spreading a list of 100,000 tokens into push() would overflow the stack.
    const children: unknown[] = Array.isArray(item) ? item : Object.values(item);
    for (const child of children) stack.push(child);
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

function tagMessage(tag: string): string | undefined {
  if (ALLOWED_TAGS.has(tag)) return undefined;
  const shown = clip(tag, 60);
  if (NOT_JSON.has(tag)) return `YAML tag ${shown} is not supported: a manifest holds only strings, numbers, booleans, null, lists and mappings`;
  if (CLOUDFORMATION.has(tag)) {
    return `unknown YAML tag ${shown}: CloudFormation functions do not work here (use the \${AWS_REGION} and \${AWS_ACCOUNT_ID} placeholders)`;
  }
  return `unknown YAML tag ${shown}: only the standard tags (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq) are allowed`;
}

interface Extent {
  /** Nodes, aliases expanded (saturates above MAX_ALIAS_NODES). */
  size: number;
  /** Levels of collections, aliases expanded. */
  depth: number;
}

/** The first structural problem of a document without parse errors, in document order; undefined when none. */
export function structureProblem(doc: Document): GuardProblem | undefined {
  const walk = new StructureWalk();
  return doc.contents ? walk.visit(doc.contents, 0) : undefined;
}

/**
 * A pre-order walk (the order in which the YAML library resolves an alias to the last anchor before it),
 * never deeper than MAX_DEPTH + 1, so that it cannot overflow the stack itself.
 */
class StructureWalk {
  private readonly anchors = new Map<string, Node>();
  private readonly ancestors = new Set<Node>();
  private readonly extents = new Map<Node, Extent>();
  private aliasNodes = 0;

  visit(node: Node, depth: number): GuardProblem | undefined {
    const offset = node.range?.[0] ?? 0;
    if (isAlias(node)) return this.alias(node, offset, depth);
    if (node.anchor) this.anchors.set(node.anchor, node);
    if (!isMap(node) && !isSeq(node)) return undefined;
    if (depth >= MAX_DEPTH) return { offset, message: tooDeepMessage };
    this.ancestors.add(node);
    try {
      for (const item of node.items) {
        const problem = isPair(item) ? this.pair(item.key as Node | null, item.value as Node | null, depth) : this.visit(item as Node, depth + 1);
        if (problem) return problem;
      }
    } finally {
      this.ancestors.delete(node);
    }
    return undefined;
  }

  private pair(key: Node | null, value: Node | null, depth: number): GuardProblem | undefined {
    if (key && (isMap(key) || isSeq(key) || isAlias(key))) {
      return { offset: key.range?.[0] ?? 0, message: "a mapping key must be a plain value, not a list, a mapping or an alias" };
    }
    if (key) {
      const problem = this.visit(key, depth + 1);
      if (problem) return problem;
    }
    return value ? this.visit(value, depth + 1) : undefined;
  }

  private alias(node: Alias, offset: number, depth: number): GuardProblem | undefined {
    const shown = clip(node.source, 60);
    const target = this.anchors.get(node.source);
    if (!target) return { offset, message: `alias *${shown} has no anchor &${shown} before it` };
    if (this.ancestors.has(target)) return { offset, message: `alias *${shown} is inside its own anchor &${shown}: a cycle, which has no value` };
    const extent = this.extentOf(target);
    // Resolved now, while `anchors` holds the anchors before this alias (a later &name may redefine it).
    this.extents.set(node, extent);
    this.aliasNodes += extent.size;
    if (this.aliasNodes > MAX_ALIAS_NODES) {
      return { offset, message: `aliases expand to more than ${MAX_ALIAS_NODES} nodes by *${shown} (nested aliases multiply: a "billion laughs"); no manifest needs that many` };
    }
    if (depth + extent.depth > MAX_DEPTH) return { offset, message: `alias *${shown} nests its value more than ${MAX_DEPTH} levels deep` };
    return undefined;
  }

  /**
   * Size and depth of an anchored node that the walk has passed completely: every alias in it already has its
   * extent, so the recursion goes no deeper than the node's own nesting (at most MAX_DEPTH).
   */
  private extentOf(node: Node): Extent {
    const known = this.extents.get(node);
    if (known) return known;
    let extent: Extent = { size: 1, depth: 0 };
    if (isMap(node) || isSeq(node)) {
      let size = 1;
      let depth = 0;
      for (const item of node.items) {
        const children = isPair(item) ? [item.key, item.value] : [item];
        for (const child of children) {
          if (!child || isScalar(child)) {
            size += child ? 1 : 0;
            continue;
          }
          const inner = this.extentOf(child as Node);
          size = Math.min(size + inner.size, MAX_ALIAS_NODES + 1);
          depth = Math.max(depth, inner.depth);
        }
      }
      extent = { size, depth: depth + 1 };
    }
    this.extents.set(node, extent);
    return extent;
  }
}
