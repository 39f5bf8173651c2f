/**
 * A parsed full-text query. `and` and `or` have at least two children and never a child of their own
 * kind (the parser flattens `a AND (b AND c)`), and a `not` never holds a `not`.
 */
export type QueryNode = TermNode | AndNode | OrNode | NotNode;

/** A word or a quoted phrase: matches where its tokens appear in the article, consecutively. */
export interface TermNode {
  kind: 'term';
  /** As written in the query, without quotes: what a match reports as the matched term. */
  text: string;
  /** `tokenize(text)`: one token for a word, several for a phrase (or a word like `COVID-19`). */
  tokens: readonly string[];
}

export interface AndNode {
  kind: 'and';
  children: readonly QueryNode[];
}

export interface OrNode {
  kind: 'or';
  children: readonly QueryNode[];
}

export interface NotNode {
  kind: 'not';
  child: QueryNode;
}

/** The query terms that are not under a NOT: those whose presence can make an article match. */
export function positiveTerms(node: QueryNode): TermNode[] {
  switch (node.kind) {
    case 'term':
      return [node];
    case 'and':
    case 'or':
      return node.children.flatMap(positiveTerms);
    case 'not':
      return [];
  }
}

/** Every term of the query, negated or not. */
export function allTerms(node: QueryNode): TermNode[] {
  switch (node.kind) {
    case 'term':
      return [node];
    case 'and':
    case 'or':
      return node.children.flatMap(allTerms);
    case 'not':
      return allTerms(node.child);
  }
}
