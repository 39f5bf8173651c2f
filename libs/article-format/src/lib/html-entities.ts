/**
 * Entities that show up in articles copied out of CMS exports. Deliberately not the full HTML table
 * (2,000+ names): the input is plain text, and an unknown `&name;` is more likely literal text than markup,
 * so it is left alone.
 */
const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    amp: '&',
    AMP: '&',
    quot: '"',
    QUOT: '"',
    apos: "'",
    lt: '<',
    LT: '<',
    gt: '>',
    GT: '>',
    nbsp: '\u00a0',
    ensp: '\u2002',
    emsp: '\u2003',
    thinsp: '\u2009',
    shy: '\u00ad',
    zwsp: '\u200b',
    zwnj: '\u200c',
    zwj: '\u200d',
    lsquo: '\u2018',
    rsquo: '\u2019',
    sbquo: '\u201a',
    ldquo: '\u201c',
    rdquo: '\u201d',
    bdquo: '\u201e',
    laquo: '\u00ab',
    raquo: '\u00bb',
    lsaquo: '\u2039',
    rsaquo: '\u203a',
    prime: '\u2032',
    Prime: '\u2033',
    ndash: '\u2013',
    mdash: '\u2014',
    hellip: '\u2026',
    bull: '\u2022',
    middot: '\u00b7',
    dagger: '\u2020',
    Dagger: '\u2021',
    sect: '\u00a7',
    para: '\u00b6',
    copy: '\u00a9',
    reg: '\u00ae',
    trade: '\u2122',
    deg: '\u00b0',
    plusmn: '\u00b1',
    times: '\u00d7',
    divide: '\u00f7',
    minus: '\u2212',
    frac12: '\u00bd',
    frac14: '\u00bc',
    frac34: '\u00be',
    permil: '\u2030',
    euro: '\u20ac',
    pound: '\u00a3',
    yen: '\u00a5',
    cent: '\u00a2',
  }),
);

/**
 * HTML maps numeric references in 0x80–0x9F through Windows-1252, because that is what the authors
 * meant: `&#146;` in old CMS output is a right single quote, not a C1 control. Unlisted code points
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D) stay controls and are dropped later by normalization.
 */
const WINDOWS_1252_C1: ReadonlyMap<number, number> = new Map([
  [0x80, 0x20ac],
  [0x82, 0x201a],
  [0x83, 0x0192],
  [0x84, 0x201e],
  [0x85, 0x2026],
  [0x86, 0x2020],
  [0x87, 0x2021],
  [0x88, 0x02c6],
  [0x89, 0x2030],
  [0x8a, 0x0160],
  [0x8b, 0x2039],
  [0x8c, 0x0152],
  [0x8e, 0x017d],
  [0x91, 0x2018],
  [0x92, 0x2019],
  [0x93, 0x201c],
  [0x94, 0x201d],
  [0x95, 0x2022],
  [0x96, 0x2013],
  [0x97, 0x2014],
  [0x98, 0x02dc],
  [0x99, 0x2122],
  [0x9a, 0x0161],
  [0x9b, 0x203a],
  [0x9c, 0x0153],
  [0x9e, 0x017e],
  [0x9f, 0x0178],
]);

const REPLACEMENT_CHARACTER = '\ufffd';

// The semicolon is required: "AT&T" or "R&D" in prose must not be mangled by a missing terminator guess.
const ENTITY = /&(?:#([0-9]+)|#[xX]([0-9a-fA-F]+)|([A-Za-z][A-Za-z0-9]*));/g;

/**
 * Decodes a single level of entities, so `&amp;rsquo;` becomes the literal text `&rsquo;`, exactly as a
 * browser would show it.
 */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (match: string, dec?: string, hex?: string, name?: string) => {
    // A Map, not an object literal, so `&constructor;` cannot resolve to an Object.prototype member.
    if (name !== undefined) return NAMED_ENTITIES.get(name) ?? match;
    const codePoint = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
    return fromNumericReference(codePoint);
  });
}

function fromNumericReference(codePoint: number): string {
  // Same substitutions as the HTML spec: NUL, surrogates and out-of-range values cannot be represented.
  if (
    !Number.isSafeInteger(codePoint) ||
    codePoint === 0 ||
    codePoint > 0x10ffff ||
    (codePoint >= 0xd800 && codePoint <= 0xdfff)
  ) {
    return REPLACEMENT_CHARACTER;
  }
  return String.fromCodePoint(WINDOWS_1252_C1.get(codePoint) ?? codePoint);
}
