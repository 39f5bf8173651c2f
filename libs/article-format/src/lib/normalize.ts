import { decodeHtmlEntities } from './html-entities';

// U+2028/U+2029 are Unicode's own line and paragraph separators (Word and JSON exports produce them);
// treating them as spaces would glue two paragraphs together.
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/;

// Invisible characters that copy-paste leaves inside words; they would split words and change the id
// of otherwise identical articles. U+FEFF is a BOM that survived concatenating files.
const INVISIBLE = /[\u00ad\u180e\u200b-\u200d\u2060\ufeff]/g;

// Controls carry no text (the decoder already rejected inputs full of them). Tab, VT and FF are spared
// here so that the whitespace step turns them into a space instead of gluing two words together.
const CONTROL = /(?![\t\n\v\f\r])\p{Cc}/gu;

// `\s` covers tab, VT, FF, NBSP, U+202F, the U+2000 block, ideographic space etc.
const WHITESPACE_RUN = /\s+/g;

// Anything one of the steps of normalizeLine would change, apart from NFC: an entity, an invisible, a
// control, whitespace other than a single inner space (which includes tabs and line breaks).
const NEEDS_CLEANING = /[&\u00ad\u180e\u200b-\u200d\u2060\ufeff\p{Cc}]|[^\S ]| {2}|^ | $/u;

/** Splits on any newline convention (CRLF, LF, lone CR), including mixed ones in one file. */
export function splitLines(text: string): string[] {
  return text.split(LINE_BREAK);
}

/**
 * Brings one line to its canonical form, so that the same article copied through different tools gets
 * the same content hash. Entities are decoded per line, after splitting, so an encoded `&#10;` can never
 * create a paragraph.
 */
export function normalizeLine(line: string): string {
  // Most lines are already clean; skipping the regex passes for them makes reading a large NDJSON file
  // markedly faster. The result is the same, since every step of the full path would be a no-op.
  return NEEDS_CLEANING.test(line) ? normalizeLineFully(line) : line.normalize('NFC');
}

/** Every step, whatever the line; exported so a property test can hold the shortcut to it. */
export function normalizeLineFully(line: string): string {
  // Invisibles are removed before decoding as well, so `&am\u200Bp;` is still an entity.
  const decoded = decodeHtmlEntities(line.replace(INVISIBLE, ''));
  return decoded
    .replace(INVISIBLE, '')
    .replace(CONTROL, '')
    .replace(WHITESPACE_RUN, ' ')
    .trim()
    .normalize('NFC');
}
