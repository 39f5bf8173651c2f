import { BadRequestException } from '@nestjs/common';

import { decodeCursor, encodeCursor } from './article-cursor';

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('article cursors', () => {
  it('round-trips the position of the last item of a page', () => {
    const cursor = {
      publishedAt: new Date('2022-02-22T00:00:00.000Z'),
      id: '3f1c0b9e2d4a4c5b8e7f6a1b2c3d4e5f',
    };
    const encoded = encodeCursor(cursor);
    const decoded = decodeCursor(encoded);
    expect(decoded.id).toBe(cursor.id);
    expect(decoded.publishedAt).toBeInstanceOf(Date);
    expect(decoded.publishedAt.getTime()).toBe(cursor.publishedAt.getTime());
  });

  it('keeps millisecond precision and the UTC instant', () => {
    const cursor = {
      publishedAt: new Date('1999-12-31T23:59:59.123Z'),
      id: 'ffffffffffffffffffffffffffffffff',
    };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('is opaque and URL-safe (base64url, no padding or reserved characters)', () => {
    for (let index = 0; index < 50; index++) {
      const encoded = encodeCursor({
        publishedAt: new Date(Date.UTC(2000 + index, index % 12, 1 + (index % 28))),
        id: `${index}`.padStart(32, 'f'),
      });
      expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(encodeURIComponent(encoded)).toBe(encoded);
    }
  });

  it.each([
    ['not base64 at all', '%%% not a cursor %%%'],
    ['empty', ''],
    ['base64 of non-JSON', base64url('hello world')],
    ['JSON null', base64url('null')],
    ['a JSON object', base64url('{"publishedAt":"2022-02-22","id":"x"}')],
    ['an empty array', base64url('[]')],
    ['an invalid date', base64url('["not a date","3f1c0b9e2d4a4c5b8e7f6a1b2c3d4e5f"]')],
    ['a non-string id', base64url('["2022-02-22T00:00:00.000Z",42]')],
    ['a missing id', base64url('["2022-02-22T00:00:00.000Z"]')],
  ])('refuses garbage (%s) with a 400 that names the cursor parameter', (_label, value) => {
    let caught: unknown;
    try {
      decodeCursor(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BadRequestException);
    const exception = caught as BadRequestException;
    expect(exception.getStatus()).toBe(400);
    expect(exception.message).toMatch(/cursor/);
  });
});

describe('relevance cursors', () => {
  const position = { publishedAt: new Date('2022-02-22T00:00:00.000Z'), id: 'a'.repeat(32), rank: 0.0607927 };
  const context = { sort: 'relevance' as const, text: '"Vladimir Putin" sanctions' };

  it('round-trips the rank exactly (a float4 read as a double)', () => {
    const rank = Math.fround(0.0607927);
    expect(decodeCursor(encodeCursor({ ...position, rank }, context), context)).toEqual({
      ...position,
      rank,
      window: { ceiling: null, floor: null },
    });
  });

  it('round-trips the bounds of the relevance window', () => {
    const window = {
      ceiling: { publishedAt: new Date('2022-03-01T00:00:00.000Z'), id: 'c'.repeat(32) },
      floor: { publishedAt: new Date('2021-12-31T23:59:59.999Z'), id: 'f'.repeat(32) },
    };
    expect(decodeCursor(encodeCursor({ ...position, window }, context), context)).toEqual({
      ...position,
      window,
    });
    const firstWindow = { ceiling: null, floor: window.floor };
    expect(decodeCursor(encodeCursor({ ...position, window: firstWindow }, context), context)).toEqual({
      ...position,
      window: firstWindow,
    });
  });

  it('does not carry the query text, only a fingerprint of it', () => {
    const decoded = Buffer.from(encodeCursor(position, context), 'base64url').toString('utf8');
    expect(decoded).not.toContain('Putin');
  });

  it.each([
    ['a newest-first cursor used with sort=relevance', encodeCursor(position), context, /sort=relevance/],
    [
      'a relevance cursor used newest first',
      encodeCursor(position, context),
      { sort: 'newest' as const },
      /sort=newest/,
    ],
    [
      'a relevance cursor used with another q',
      encodeCursor(position, context),
      { sort: 'relevance' as const, text: 'sanctions' },
      /this q/,
    ],
    [
      'a relevance cursor whose rank is not a number',
      base64url(JSON.stringify(['2022-02-22T00:00:00.000Z', 'a'.repeat(32), 'high', 'x', null, null])),
      context,
      /not a cursor/,
    ],
    [
      'a relevance cursor whose window floor is not a position',
      base64url(JSON.stringify(['2022-02-22T00:00:00.000Z', 'a'.repeat(32), 0.5, 'x', null, ['later', 1]])),
      context,
      /not a cursor/,
    ],
    [
      'a relevance cursor without its window (made before windows)',
      base64url(JSON.stringify(['2022-02-22T00:00:00.000Z', 'a'.repeat(32), 0.5, 'x'])),
      context,
      /start again without a cursor/,
    ],
  ])('refuses %s with a 400 naming the cursor', (_label, cursor, usedWith, message) => {
    expect(() => decodeCursor(cursor, usedWith)).toThrow(BadRequestException);
    expect(() => decodeCursor(cursor, usedWith)).toThrow(message);
    expect(() => decodeCursor(cursor, usedWith)).toThrow(/^cursor: /);
  });
});
