import fc from 'fast-check';

import { copyChunks, copyLine, copyStatement, copyValue } from './copy-format';

/** What Postgres's COPY text reader does with one field: the inverse of copyValue. */
function readCopyField(field: string): string | null {
  if (field === '\\N') return null;
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };
  return field.replace(/\\(.)/g, (_, character: string) => escapes[character] ?? character);
}

describe('copyValue', () => {
  it('escapes backslash, newline, carriage return and tab, and writes NULL as \\N', () => {
    expect(copyValue('a\\b\nc\rd\te')).toBe('a\\\\b\\nc\\rd\\te');
    expect(copyValue(null)).toBe('\\N');
    // A literal backslash-N is text, not NULL.
    expect(copyValue('\\N')).toBe('\\\\N');
  });

  it('leaves other text, Unicode and JSON alone', () => {
    expect(copyValue('Café « quoted » "x" 1,5 €')).toBe('Café « quoted » "x" 1,5 €');
    expect(copyValue('{"a":[1,2]}')).toBe('{"a":[1,2]}');
  });

  it('writes numbers exactly and refuses non-finite ones', () => {
    expect(copyValue(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(copyValue(-3)).toBe('-3');
    expect(() => copyValue(Number.NaN)).toThrow(/finite/);
  });

  it('round-trips any string through the COPY text reader, on one line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const field = copyValue(text);
        expect(field).not.toMatch(/[\n\r\t]/);
        expect(readCopyField(field)).toBe(text);
      }),
    );
  });
});

describe('copyLine and copyChunks', () => {
  const columns = [
    { name: 'id', value: (row: { id: string; note: string | null }) => row.id },
    { name: 'note', value: (row: { id: string; note: string | null }) => row.note },
  ];

  it('joins the columns with tabs and ends the row with a newline', () => {
    expect(copyLine(columns, { id: 'a', note: 'x\ty' })).toBe('a\tx\\ty\n');
    expect(copyLine(columns, { id: 'b', note: null })).toBe('b\t\\N\n');
  });

  it('cuts the rows into chunks of about the given size without splitting a row', () => {
    const rows = Array.from({ length: 100 }, (_, index) => ({ id: `row${index}`, note: 'n' }));
    const chunks = [...copyChunks(columns, rows, 50)];
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.join('')).toBe(rows.map((row) => copyLine(columns, row)).join(''));
    for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
  });

  it('names the table and its columns in the statement', () => {
    expect(copyStatement('bench_copy.articles', ['id', 'lede'])).toBe(
      'COPY bench_copy.articles (id, lede) FROM STDIN',
    );
  });
});
