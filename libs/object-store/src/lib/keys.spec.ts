import { InvalidKeyError } from './object-store';
import { decodeS3EventKey, fitUtf8, isIgnoredLocalName, normalizePrefix, rejectionRecordJson } from './keys';

describe('decodeS3EventKey', () => {
  it.each([
    ['plain.json', 'plain.json'],
    ['incoming/a+b.txt', 'incoming/a b.txt'],
    ['incoming/a%2Bb.txt', 'incoming/a+b.txt'],
    ['2024/%C3%BCber+%E2%82%AC%2C+na.json', '2024/über €, na.json'],
    ['%F0%9F%93%B0+news.txt', '📰 news.txt'],
    ['100%25.txt', '100%.txt'],
    ['a/b/c', 'a/b/c'],
  ])('%s → %s', (raw, key) => {
    expect(decodeS3EventKey(raw)).toBe(key);
  });

  it('refuses malformed escapes', () => {
    expect(() => decodeS3EventKey('bad%E0%A4.txt')).toThrow(InvalidKeyError);
    expect(() => decodeS3EventKey('100%.txt')).toThrow(/malformed/);
  });
});

describe('normalizePrefix', () => {
  it.each([
    [undefined, ''],
    ['', ''],
    ['incoming', 'incoming/'],
    ['incoming/', 'incoming/'],
    ['/incoming/2024', 'incoming/2024/'],
  ])('%p → %p', (input, output) => {
    expect(normalizePrefix(input)).toBe(output);
  });
});

describe('isIgnoredLocalName', () => {
  it.each([
    '.hidden',
    '.rejected',
    'a.tmp',
    'A.TMP',
    'b.part',
    'c.partial',
    'd.crdownload',
    'e.download',
    'f.txt~',
  ])('ignores the file %s', (name) => {
    expect(isIgnoredLocalName(name, 'file')).toBe(true);
  });

  it.each(['a.txt', 'tmp.json', 'part', 'über.json', 'a b.xml'])('keeps the file %s', (name) => {
    expect(isIgnoredLocalName(name, 'file')).toBe(false);
  });

  it('ignores dot-folders only', () => {
    expect(isIgnoredLocalName('.rejected', 'directory')).toBe(true);
    expect(isIgnoredLocalName('drafts.tmp', 'directory')).toBe(false);
  });
});

describe('fitUtf8', () => {
  it('keeps names that fit', () => {
    expect(fitUtf8('short.json', 20)).toBe('short.json');
  });

  it('shortens at character boundaries, keeps the extension and tells long names apart', () => {
    const a = `${'ü'.repeat(200)}a.json`;
    const b = `${'ü'.repeat(200)}b.json`;
    const fitA = fitUtf8(a, 100, true);
    const fitB = fitUtf8(b, 100, true);
    expect(Buffer.byteLength(fitA)).toBeLessThanOrEqual(100);
    expect(fitA).toMatch(/^ü+~[0-9a-f]{8}\.json$/);
    expect(fitA).not.toBe(fitB);
  });
});

describe('rejectionRecordJson', () => {
  it('lets the reason override the defaults, but not keptAt, and serializes errors', () => {
    const record = JSON.parse(
      rejectionRecordJson(
        { bucket: 'b', key: 'k', rejectedAt: 'then' },
        { code: 'BAD', rejectedAt: 'now', keptAt: 'elsewhere', cause: new RangeError('too big') },
        'rejected/k',
      ),
    ) as Record<string, unknown>;
    expect(record).toEqual({
      bucket: 'b',
      key: 'k',
      rejectedAt: 'now',
      code: 'BAD',
      cause: { name: 'RangeError', message: 'too big' },
      keptAt: 'rejected/k',
    });
  });

  it('survives reasons that are not JSON', () => {
    const cyclic: Record<string, unknown> = { code: 'X' };
    cyclic['self'] = cyclic;
    const record = JSON.parse(rejectionRecordJson({ key: 'k' }, cyclic, 'k2')) as Record<string, unknown>;
    expect(record).toEqual({ key: 'k', reason: '[object Object]', keptAt: 'k2' });
  });
});
