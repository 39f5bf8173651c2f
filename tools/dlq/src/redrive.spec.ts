import { type DeadLetter } from './dead-letter';
import { RedriveLog, markerKey, markerMessage, markerTombstone } from './redrive-log';
import { REDRIVEN_FROM_HEADER, redriveMessage } from './redrive-message';
import { describeSelection, matchesSelection } from './selection';

const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function deadLetter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    id: '2-5',
    partition: 2,
    offset: '5',
    deadLetteredAt: new Date('2026-11-27T08:00:00.000Z'),
    key: Buffer.from('k'),
    value: Buffer.from('{"v":1}'),
    originalHeaders: {
      ce_id: Buffer.from('original-event'),
      ce_correlationid: Buffer.from('chain'),
      ce_causationid: Buffer.from('earlier-event'),
      traceparent: Buffer.from(TRACE),
      other: Buffer.from('kept'),
    },
    failure: { stage: 'storage', errorCode: 'VALIDATION_FAILED', originalTopic: 'news.articles.ingested.v1' },
    ...overrides,
  };
}

describe('redriveMessage', () => {
  it('keeps key, value and headers, as a new event caused by the original in the same trace', () => {
    const message = redriveMessage(deadLetter(), 'new-event');
    expect(message.key?.toString()).toBe('k');
    expect(message.value?.toString()).toBe('{"v":1}');
    const headers = Object.fromEntries(
      Object.entries(message.headers).map(([name, value]) => [name, String(value)]),
    );
    expect(headers).toEqual({
      ce_id: 'new-event',
      ce_correlationid: 'chain',
      ce_causationid: 'original-event',
      traceparent: expect.stringMatching(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/),
      other: 'kept',
      [REDRIVEN_FROM_HEADER]: '2-5',
    });
    expect(headers['traceparent']).not.toBe(TRACE);
  });

  it('leaves the causation alone when the original had no id', () => {
    const message = redriveMessage(deadLetter({ originalHeaders: { ce_causationid: 'x' } }), 'new-event');
    expect(message.headers).toEqual({
      ce_causationid: 'x',
      ce_id: 'new-event',
      [REDRIVEN_FROM_HEADER]: '2-5',
    });
  });
});

describe('RedriveLog', () => {
  const marker = {
    dlqTopic: 'news.dlq.v1',
    id: '2-5',
    deadLetteredAt: '2026-11-27T08:00:00.000Z',
    originalTopic: 'news.articles.ingested.v1',
    redrivenAt: '2026-11-27T09:00:00.000Z',
    eventId: 'new-event',
    count: 1,
  };

  it('reads markers back from their records, the latest per key, tombstones removing them', () => {
    const log = new RedriveLog();
    const record = markerMessage(marker);
    expect(record.key).toBe(markerKey('news.dlq.v1', '2-5'));
    log.applyRecord(Buffer.from(String(record.key)), Buffer.from(String(record.value)));
    expect(log.markerOf('news.dlq.v1', deadLetter())).toEqual(marker);
    expect(log.markerOf('other.dlq', deadLetter())).toBeUndefined();
    log.applyRecord(Buffer.from(String(record.key)), null);
    expect(log.markerOf('news.dlq.v1', deadLetter())).toBeUndefined();
    expect(markerTombstone('news.dlq.v1', '2-5')).toEqual({
      key: 'news.dlq.v1/2-5',
      value: null,
      headers: {},
    });
  });

  it('does not count a marker for an older record that had the same id (a topic created again)', () => {
    const log = new RedriveLog();
    log.record(marker);
    expect(
      log.markerOf('news.dlq.v1', deadLetter({ deadLetteredAt: new Date('2026-12-01T00:00:00.000Z') })),
    ).toBeUndefined();
    expect(log.hasKey('news.dlq.v1', '2-5')).toBe(true);
  });

  it('ignores records that are not markers, and counts them', () => {
    const log = new RedriveLog();
    log.applyRecord(Buffer.from('k'), Buffer.from('not json'));
    log.applyRecord(Buffer.from('k'), Buffer.from('{"id":"2-5"}'));
    log.applyRecord(null, Buffer.from(JSON.stringify(marker)));
    expect(log.unreadable).toBe(2);
    expect(log.hasKey('news.dlq.v1', '2-5')).toBe(false);
  });
});

describe('matchesSelection', () => {
  const letter = deadLetter();

  it('matches everything when nothing narrows it', () => {
    expect(matchesSelection(letter, {})).toBe(true);
    expect(describeSelection({})).toBe('all');
  });

  it('needs every criterion given, any value of a list, stages and codes in any case', () => {
    expect(matchesSelection(letter, { stages: ['enrichment', 'STORAGE'] })).toBe(true);
    expect(matchesSelection(letter, { stages: ['storage'], codes: ['malformed_json'] })).toBe(false);
    expect(
      matchesSelection(letter, { codes: ['validation_failed'], topics: ['news.articles.ingested.v1'] }),
    ).toBe(true);
    expect(matchesSelection(letter, { topics: ['News.Articles.Ingested.v1'] })).toBe(false);
    expect(matchesSelection(letter, { ids: ['2-5', '0-1'] })).toBe(true);
    expect(matchesSelection(letter, { ids: ['2-6'] })).toBe(false);
    expect(matchesSelection(deadLetter({ failure: {} }), { stages: ['storage'] })).toBe(false);
  });

  it('takes --since as inclusive and --until as exclusive', () => {
    const at = letter.deadLetteredAt;
    expect(matchesSelection(letter, { since: at })).toBe(true);
    expect(matchesSelection(letter, { until: at })).toBe(false);
    expect(
      matchesSelection(letter, { since: new Date(at.getTime() - 1), until: new Date(at.getTime() + 1) }),
    ).toBe(true);
  });

  it('describes itself in words', () => {
    expect(describeSelection({ stages: ['storage'], codes: ['A', 'B'], ids: ['1-2'] })).toBe(
      'stage storage, code A or B, id 1-2',
    );
  });
});
