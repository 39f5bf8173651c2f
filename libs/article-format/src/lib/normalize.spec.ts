import { normalizeLine, splitLines } from './normalize';

describe('splitLines', () => {
  it('splits LF, CRLF, lone CR and Unicode separators, also mixed', () => {
    expect(splitLines('a\nb\r\nc\rd\u2028e\u2029f')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('keeps blank lines as empty entries', () => {
    expect(splitLines('a\r\n\r\nb')).toEqual(['a', '', 'b']);
  });
});

describe('normalizeLine', () => {
  it('trims and collapses odd whitespace to one space', () => {
    expect(normalizeLine(' \t a\u00a0\u00a0b\u202fc\u2003d\u3000e\tf \u000b ')).toBe('a b c d e f');
  });

  it('removes zero-width characters and soft hyphens without leaving a gap', () => {
    expect(normalizeLine('Pu\u200btin\u200c \u200dsig\u00adned\u2060 it\ufeff')).toBe('Putin signed it');
  });

  it('decodes entities, including ones that become whitespace or invisible', () => {
    expect(normalizeLine('Kiev&rsquo;s&nbsp;&nbsp;troops&#8203; &amp; &#10;allies')).toBe(
      'Kiev’s troops & allies',
    );
  });

  it('still decodes an entity that has a zero-width character inside it', () => {
    expect(normalizeLine('a &am\u200bp; b')).toBe('a & b');
  });

  it('drops stray control characters', () => {
    expect(normalizeLine('a\u001b[0mb\u007f c\u0085')).toBe('a[0mb c');
  });

  it('keeps curly quotes and dashes as they are', () => {
    expect(normalizeLine('“drag” ‘Treaty’ — Russia’s')).toBe('“drag” ‘Treaty’ — Russia’s');
  });

  it('composes decomposed characters (NFC), so both spellings hash alike', () => {
    expect(normalizeLine('nai\u0308ve cafe\u0301')).toBe('naïve café');
  });
});
