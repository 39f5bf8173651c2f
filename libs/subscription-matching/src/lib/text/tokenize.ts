/** A word: letters and digits of any script. Everything else (spaces, punctuation, symbols) separates. */
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The words of a text, compatibility-normalized (NFKC: full-width forms, ligatures) and lowercased.
 * Articles and queries go through the same function, so a query word matches whatever the article
 * spelled the same way, whatever the case; "NATO's" gives `nato` and `s`, so `NATO` matches it. No
 * stemming: `sanction` does not match "sanctions" (write both, or an OR).
 */
export function tokenize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
}
