/** A query that does not parse: where (a 0-based character offset into the query) and why. */
export class QuerySyntaxError extends Error {
  readonly code = 'QUERY_SYNTAX';

  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`${reason} at position ${position}`);
    this.name = 'QuerySyntaxError';
  }
}
