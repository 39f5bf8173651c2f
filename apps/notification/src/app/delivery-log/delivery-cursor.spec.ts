import { BadRequestException } from '@nestjs/common';

import { decodeDeliveryCursor, encodeDeliveryCursor } from './delivery-cursor';

describe('delivery cursors', () => {
  const position = { createdAt: '2026-11-26T10:07:31.123456Z', id: '0b6a4f3e-2c1d-4e5f-8a9b-0c1d2e3f4a5b' };

  it('round-trips the position with microsecond precision', () => {
    const cursor = encodeDeliveryCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeDeliveryCursor(cursor)).toEqual(position);
  });

  it.each<[string, string]>([
    ['not base64 JSON', '%%%'],
    ['not an array', Buffer.from('{"a":1}').toString('base64url')],
    [
      'a date without microseconds',
      Buffer.from('["2026-11-26T10:07:31Z","0b6a4f3e-2c1d-4e5f-8a9b-0c1d2e3f4a5b"]').toString('base64url'),
    ],
    ['an id that is not a uuid', Buffer.from('["2026-11-26T10:07:31.123456Z","x"]').toString('base64url')],
    [
      'an extra element',
      Buffer.from(JSON.stringify([position.createdAt, position.id, 1])).toString('base64url'),
    ],
  ])('refuses %s with a 400 naming cursor', (_what, cursor) => {
    expect(() => decodeDeliveryCursor(cursor)).toThrow(BadRequestException);
    expect(() => decodeDeliveryCursor(cursor)).toThrow(/^cursor: /);
  });
});
