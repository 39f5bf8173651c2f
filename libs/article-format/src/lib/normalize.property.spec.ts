import fc from 'fast-check';

import { normalizeLine, normalizeLineFully } from './normalize';

describe('normalizeLine shortcut', () => {
  it('gives exactly what the full normalization gives, for any line', () => {
    const tricky = fc.constantFrom(
      ' ',
      '  ',
      '\t',
      '\u00a0',
      '\u2003',
      '\u3000',
      '\u1680',
      '\u2009',
      '\u202f',
      '\u205f',
      '\u000b',
      '\u000c',
      '\r',
      '\ud800',
      '\u200b',
      '\ufeff',
      '\u00ad',
      '\u0000',
      '\u0085',
      '\u001b',
      '\n',
      '\u2028',
      '&',
      '&amp;',
      '&#8217;',
      '&nbsp;',
      'e\u0301',
      'é',
      'Å',
      '\u212b',
      'ﬁ',
      'a',
      'Z',
      '’',
      '😀',
    );
    const line = fc.oneof(
      fc.array(tricky, { maxLength: 20 }).map((parts) => parts.join('')),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    fc.assert(
      fc.property(line, (value) => {
        expect(normalizeLine(value)).toBe(normalizeLineFully(value));
      }),
      { numRuns: 2000 },
    );
  });
});
