import { decodeHtmlEntities } from './html-entities';

describe('decodeHtmlEntities', () => {
  it.each([
    ['Tom &amp; Jerry', 'Tom & Jerry'],
    ['&quot;quoted&quot; &apos;x&apos;', `"quoted" 'x'`],
    ['&lt;b&gt;', '<b>'],
    ['a&nbsp;b', 'a\u00a0b'],
    ['&lsquo;Treaty&rsquo; &ldquo;drag&rdquo;', '‘Treaty’ “drag”'],
    ['a &mdash; b &ndash; c&hellip;', 'a — b – c…'],
    ['Russia&#8217;s', 'Russia’s'],
    ['Russia&#x2019;s', 'Russia’s'],
    ['Russia&#X2019;s', 'Russia’s'],
    ['&#0000008217;', '’'],
    ['&#x1F600;', '😀'],
  ])('decodes %j', (input, expected) => {
    expect(decodeHtmlEntities(input)).toBe(expected);
  });

  it('maps legacy Windows-1252 references the way browsers do', () => {
    expect(decodeHtmlEntities('Russia&#146;s &#147;move&#148; &#150; &#151;')).toBe('Russia’s “move” – —');
  });

  it('replaces unrepresentable references with U+FFFD', () => {
    expect(decodeHtmlEntities('&#0;|&#xD800;|&#x110000;|&#99999999999999999999;')).toBe(
      '\ufffd|\ufffd|\ufffd|\ufffd',
    );
  });

  it('decodes one level only', () => {
    expect(decodeHtmlEntities('&amp;rsquo; &amp;amp;')).toBe('&rsquo; &amp;');
  });

  it.each([
    'AT&T',
    'R&D; notes',
    'fish & chips',
    '&unknown;',
    '&constructor;',
    '&toString;',
    '&amp',
    '&#;',
    '&#x;',
  ])('leaves %j alone', (input) => {
    expect(decodeHtmlEntities(input)).toBe(input);
  });
});
