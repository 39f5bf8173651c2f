import { tokenize } from '../text/tokenize';
import { type QueryNode, type TermNode } from './query-ast';
import { QuerySyntaxError } from './query-syntax-error';

/** Bounds that keep one subscription from costing much at match time, and the parser off a deep stack. */
export const QUERY_LIMITS = { maxLength: 2_000, maxTerms: 100, maxDepth: 20 } as const;

type Lexeme =
  | { type: 'term'; text: string; position: number }
  | { type: 'AND' | 'OR' | 'NOT' | '(' | ')'; position: number }
  | { type: 'end'; position: number };

const OPERATORS = new Set(['AND', 'OR', 'NOT']);

/** Characters that end a bare word: whitespace, quotes and parentheses. */
const WORD_END = /[\s"()]/u;

function lex(query: string): Lexeme[] {
  const lexemes: Lexeme[] = [];
  let index = 0;
  while (index < query.length) {
    const char = query[index] as string;
    if (/\s/u.test(char)) {
      index += 1;
    } else if (char === '(' || char === ')') {
      lexemes.push({ type: char, position: index });
      index += 1;
    } else if (char === '"') {
      const close = query.indexOf('"', index + 1);
      if (close < 0) throw new QuerySyntaxError(index, 'unterminated phrase: the " has no closing "');
      lexemes.push({ type: 'term', text: query.slice(index + 1, close), position: index });
      index = close + 1;
    } else if (char === '-' && index + 1 < query.length && !/[\s)]/u.test(query[index + 1] as string)) {
      // `-word`, `-"a phrase"` and `-(...)` exclude, as in web search; a hyphen inside a word (COVID-19) does not.
      lexemes.push({ type: 'NOT', position: index });
      index += 1;
    } else {
      let end = index;
      while (end < query.length && !WORD_END.test(query[end] as string)) end += 1;
      const word = query.slice(index, end);
      // Only upper-case operators are operators: "or" and "not" stay searchable words.
      if (OPERATORS.has(word)) lexemes.push({ type: word as 'AND' | 'OR' | 'NOT', position: index });
      else lexemes.push({ type: 'term', text: word, position: index });
      index = end;
    }
  }
  lexemes.push({ type: 'end', position: query.length });
  return lexemes;
}

/**
 * Recursive descent over
 *
 *   query   := or END
 *   or      := and ("OR" and)*
 *   and     := unary (["AND"] unary)*      -- words side by side are ANDed
 *   unary   := ("NOT" | "-") unary | primary
 *   primary := WORD | "PHRASE" | "(" or ")"
 *
 * so NOT binds tightest, then AND, then OR: `"interest rates" AND (ECB OR Fed) NOT crypto` is
 * `"interest rates" AND (ECB OR Fed) AND NOT crypto`.
 */
class QueryParser {
  private index = 0;
  private terms = 0;
  private depth = 0;

  constructor(
    private readonly lexemes: readonly Lexeme[],
    private readonly query: string,
  ) {}

  parse(): QueryNode {
    const node = this.parseOr();
    const next = this.peek();
    if (next.type === ')') throw new QuerySyntaxError(next.position, 'unexpected ): no ( to close');
    if (next.type !== 'end') throw new QuerySyntaxError(next.position, `unexpected ${describe(next)}`);
    return node;
  }

  private parseOr(): QueryNode {
    const children = [this.parseAnd()];
    while (this.peek().type === 'OR') {
      this.index += 1;
      children.push(this.parseAnd());
    }
    return combine('or', children);
  }

  private parseAnd(): QueryNode {
    const children = [this.parseUnary()];
    for (;;) {
      const next = this.peek();
      if (next.type === 'AND') {
        this.index += 1;
        children.push(this.parseUnary());
      } else if (next.type === 'term' || next.type === 'NOT' || next.type === '(') {
        children.push(this.parseUnary());
      } else {
        return combine('and', children);
      }
    }
  }

  private parseUnary(): QueryNode {
    const next = this.peek();
    if (next.type !== 'NOT') return this.parsePrimary();
    this.index += 1;
    return this.nested(next.position, () => {
      const child = this.parseUnary();
      // NOT NOT x is x: keeps the tree free of double negations.
      return child.kind === 'not' ? child.child : { kind: 'not', child };
    });
  }

  private parsePrimary(): QueryNode {
    const next = this.peek();
    switch (next.type) {
      case 'term':
        this.index += 1;
        return this.term(next.text, next.position);
      case '(': {
        this.index += 1;
        const inner = this.nested(next.position, () => this.parseOr());
        const close = this.peek();
        if (close.type !== ')') {
          throw new QuerySyntaxError(
            close.position,
            `missing ) to close the ( at position ${next.position}${close.type === 'end' ? '' : ` before ${describe(close)}`}`,
          );
        }
        this.index += 1;
        return inner;
      }
      case 'end':
        throw new QuerySyntaxError(
          next.position,
          this.index === 0
            ? 'the query is empty'
            : `unexpected end of query after ${describe(this.lexemes[this.index - 1] as Lexeme)}: expected a word, a "phrase" or (`,
        );
      case ')':
        throw new QuerySyntaxError(next.position, 'unexpected ): expected a word, a "phrase" or (');
      case 'AND':
      case 'OR':
      case 'NOT':
        throw new QuerySyntaxError(
          next.position,
          `unexpected ${next.type}: expected a word, a "phrase" or (`,
        );
    }
  }

  private term(text: string, position: number): TermNode {
    const tokens = tokenize(text);
    if (tokens.length === 0) {
      throw new QuerySyntaxError(
        position,
        text.trim() === '' ? 'empty phrase' : `"${text}" has no letters or digits to search for`,
      );
    }
    this.terms += 1;
    if (this.terms > QUERY_LIMITS.maxTerms) {
      throw new QuerySyntaxError(position, `too many terms (at most ${QUERY_LIMITS.maxTerms})`);
    }
    return { kind: 'term', text: text.trim().replace(/\s+/gu, ' '), tokens };
  }

  private nested<T>(position: number, parse: () => T): T {
    this.depth += 1;
    if (this.depth > QUERY_LIMITS.maxDepth) {
      throw new QuerySyntaxError(position, `nested too deeply (at most ${QUERY_LIMITS.maxDepth} levels)`);
    }
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private peek(): Lexeme {
    return this.lexemes[this.index] ?? { type: 'end', position: this.query.length };
  }
}

function describe(lexeme: Lexeme): string {
  switch (lexeme.type) {
    case 'term':
      return `"${lexeme.text}"`;
    case 'end':
      return 'the end of the query';
    case 'AND':
    case 'OR':
    case 'NOT':
    case '(':
    case ')':
      return lexeme.type;
  }
}

/** One child stays itself; children of the same kind are spliced in, so trees stay flat. */
function combine(kind: 'and' | 'or', children: QueryNode[]): QueryNode {
  if (children.length === 1) return children[0] as QueryNode;
  return { kind, children: children.flatMap((child) => (child.kind === kind ? child.children : [child])) };
}

/**
 * Parses a subscription's full-text query. Throws QuerySyntaxError with the position and the reason
 * when it is not one; the API answers 400 with both.
 */
export function parseQuery(query: string): QueryNode {
  if (query.length > QUERY_LIMITS.maxLength) {
    throw new QuerySyntaxError(
      QUERY_LIMITS.maxLength,
      `too long (at most ${QUERY_LIMITS.maxLength} characters)`,
    );
  }
  return new QueryParser(lex(query), query).parse();
}

/**
 * The query written back as text: parsing it gives the same tree. Terms are always quoted, so a term
 * that reads like an operator (a phrase "OR") stays a term.
 */
export function formatQuery(node: QueryNode): string {
  switch (node.kind) {
    case 'term':
      return `"${node.text}"`;
    case 'and':
      return node.children
        .map((child) => (child.kind === 'or' ? `(${formatQuery(child)})` : formatQuery(child)))
        .join(' AND ');
    case 'or':
      return node.children
        .map((child) => (child.kind === 'and' ? `(${formatQuery(child)})` : formatQuery(child)))
        .join(' OR ');
    case 'not':
      return `NOT ${node.child.kind === 'term' ? formatQuery(node.child) : `(${formatQuery(node.child)})`}`;
  }
}
