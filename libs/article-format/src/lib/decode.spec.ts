import { decodeUtf8 } from './decode';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('decodeUtf8', () => {
  it('decodes UTF-8 and strips a leading BOM', () => {
    expect(decodeUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, ...utf8('Russia’s')))).toEqual({
      ok: true,
      text: 'Russia’s',
    });
  });

  it('rejects invalid UTF-8 (Windows-1252 curly quote)', () => {
    const result = decodeUtf8(Uint8Array.of(...utf8('Russia'), 0x92, ...utf8('s')));
    expect(result).toMatchObject({ ok: false, rejection: { code: 'NOT_TEXT' } });
  });

  it('rejects UTF-16 with a hint about the encoding', () => {
    const result = decodeUtf8(Uint8Array.of(0xff, 0xfe, 0x64, 0x00, 0x61, 0x00));
    expect(result).toMatchObject({
      ok: false,
      rejection: { code: 'NOT_TEXT', message: expect.stringContaining('UTF-16') },
    });
  });

  it('rejects NUL bytes', () => {
    expect(decodeUtf8(utf8('date 2022-02-22 x\u0000y'))).toMatchObject({
      ok: false,
      rejection: { code: 'NOT_TEXT' },
    });
  });

  it('rejects a high share of control characters', () => {
    const text = 'ab\u0001\u0002\u0003cdefgh'.repeat(10);
    expect(decodeUtf8(utf8(text))).toMatchObject({ ok: false, rejection: { code: 'NOT_TEXT' } });
  });

  it('tolerates a stray control character and ordinary whitespace controls', () => {
    const text = `date 2022-02-22 lede\r\n\tbody\u000c text with an ESC\u001b in a long enough article`;
    expect(decodeUtf8(utf8(text))).toEqual({ ok: true, text });
  });
});
