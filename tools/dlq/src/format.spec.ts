import { type DeadLetter } from './dead-letter';
import {
  type DeadLetterRow,
  SHOW_VALUE_CHARS,
  compareRows,
  excerpt,
  formatListTable,
  formatShow,
  formatTable,
  prettyValue,
  toRow,
} from './format';

function deadLetter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    id: '1-7',
    partition: 1,
    offset: '7',
    deadLetteredAt: new Date('2026-11-27T08:00:00.123Z'),
    key: Buffer.from('a1b2'),
    value: Buffer.from('{"id":"a1b2","lede":"Hello"}'),
    originalHeaders: { ce_id: Buffer.from('event-1'), ce_type: Buffer.from('news.article.ingested') },
    failure: {
      stage: 'storage',
      consumerGroup: 'newsflow-storage',
      originalTopic: 'news.articles.ingested.v1',
      originalPartition: 4,
      originalOffset: '99',
      errorCode: 'VALIDATION_FAILED',
      errorMessage: 'payload does not match news.articles.ingested.v1:\n  lede: Required',
      attempts: 1,
      firstFailureAt: '2026-11-27T08:00:00.000Z',
      lastFailureAt: '2026-11-27T08:00:00.100Z',
    },
    ...overrides,
  };
}

describe('formatTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      formatTable(
        ['A', 'LONG HEADER', 'C'],
        [
          ['xxx', 'y', 'z z'],
          ['', 'yy', ''],
        ],
      ),
    ).toEqual(['A    LONG HEADER  C', 'xxx  y            z z', '     yy']);
  });
});

describe('excerpt', () => {
  it('folds whitespace onto one line and cuts with an ellipsis', () => {
    expect(excerpt('a\n  b\tc', 10)).toBe('a b c');
    expect(excerpt('0123456789abc', 10)).toBe('012345678…');
    expect(excerpt('0123456789', 10)).toBe('0123456789');
  });
});

describe('list rows', () => {
  it('turns a dead letter into a row, with its redrive when there is one', () => {
    const row = toRow(deadLetter(), {
      dlqTopic: 'news.dlq.v1',
      id: '1-7',
      deadLetteredAt: '2026-11-27T08:00:00.123Z',
      originalTopic: 'news.articles.ingested.v1',
      redrivenAt: '2026-11-27T09:00:00.000Z',
      eventId: 'event-2',
      count: 2,
    });
    expect(row).toMatchObject({
      id: '1-7',
      deadLetteredAt: '2026-11-27T08:00:00.123Z',
      stage: 'storage',
      originalPartition: 4,
      key: 'a1b2',
      valueBytes: 28,
      redriven: { at: '2026-11-27T09:00:00.000Z', eventId: 'event-2', count: 2 },
    });
    expect(toRow(deadLetter({ key: null, value: null, failure: {} }), undefined)).toMatchObject({
      key: null,
      valueBytes: 0,
      stage: null,
      attempts: null,
      redriven: null,
    });
  });

  it('sorts by time, then partition, then offset as a number', () => {
    const rows = [
      { deadLetteredAt: '2026-11-27T08:00:00.000Z', partition: 0, offset: '10' },
      { deadLetteredAt: '2026-11-27T08:00:00.000Z', partition: 0, offset: '9' },
      { deadLetteredAt: '2026-11-26T08:00:00.000Z', partition: 5, offset: '1' },
    ];
    expect([...rows].sort(compareRows).map((row) => `${row.partition}-${row.offset}`)).toEqual([
      '5-1',
      '0-9',
      '0-10',
    ]);
  });

  it('prints one aligned line per row, with dashes for what is unknown', () => {
    const rows: DeadLetterRow[] = [
      toRow(deadLetter(), undefined),
      toRow(deadLetter({ id: '0-3', failure: { errorMessage: 'x'.repeat(100) } }), {
        dlqTopic: 'news.dlq.v1',
        id: '0-3',
        deadLetteredAt: '2026-11-27T08:00:00.123Z',
        originalTopic: 't',
        redrivenAt: '2026-11-27T09:30:00.000Z',
        eventId: 'e',
        count: 3,
      }),
    ];
    const lines = formatListTable(rows);
    expect(lines[0]).toBe(
      'ID   DEAD-LETTERED (UTC)  STAGE    GROUP             ORIGINAL (TOPIC/PARTITION/OFFSET)  CODE               ATTEMPTS  REDRIVEN                  MESSAGE',
    );
    expect(lines[1]).toBe(
      '1-7  2026-11-27 08:00:00  storage  newsflow-storage  news.articles.ingested.v1/4/99     VALIDATION_FAILED  1         no                        payload does not match news.articles.ingested.v1: lede: Req…',
    );
    expect(lines[2]).toMatch(
      /^0-3 {2}2026-11-27 08:00:00 {2}- +- +-\/-\/- +- +- +2026-11-27 09:30:00 \(×3\) {2}x{59}…$/,
    );
  });
});

describe('prettyValue', () => {
  it('indents JSON, keeps text, and shows binary as base64', () => {
    expect(prettyValue(Buffer.from('{"a":[1]}'))).toEqual({
      kind: 'json',
      text: '{\n  "a": [\n    1\n  ]\n}',
    });
    expect(prettyValue(Buffer.from('not json {'))).toEqual({ kind: 'text', text: 'not json {' });
    expect(prettyValue(Buffer.from([0xff, 0xfe, 0x00]))).toEqual({ kind: 'binary', text: '//4A' });
    expect(prettyValue(null)).toEqual({ kind: 'null', text: '' });
  });
});

describe('formatShow', () => {
  it('shows the failure, the original headers and the value', () => {
    const text = formatShow({
      deadLetter: deadLetter(),
      dlqTopic: 'news.dlq.v1',
      marker: undefined,
      full: false,
    }).join('\n');
    expect(text).toContain('Dead letter 1-7 on news.dlq.v1, dead-lettered 2026-11-27T08:00:00.123Z');
    expect(text).toMatch(/original +news\.articles\.ingested\.v1 partition 4 offset 99/);
    expect(text).toMatch(/redriven +no/);
    expect(text).toContain('    payload does not match news.articles.ingested.v1:\n      lede: Required');
    expect(text).toMatch(/ce_type +news\.article\.ingested/);
    expect(text).toContain('Value (json, 28 bytes):\n{\n  "id": "a1b2",\n  "lede": "Hello"\n}');
  });

  it('cuts a long value unless --full', () => {
    const value = Buffer.from(JSON.stringify({ body: 'y'.repeat(SHOW_VALUE_CHARS * 2) }));
    const cut = formatShow({
      deadLetter: deadLetter({ value }),
      dlqTopic: 'd',
      marker: undefined,
      full: false,
    });
    const last = cut[cut.length - 1] as string;
    expect(last).toMatch(/^… 4,0\d\d more characters \(--full shows all\)$/);
    expect((cut[cut.length - 2] as string).length).toBe(SHOW_VALUE_CHARS);
    const full = formatShow({
      deadLetter: deadLetter({ value }),
      dlqTopic: 'd',
      marker: undefined,
      full: true,
    });
    expect(full[full.length - 1]).toContain('y'.repeat(SHOW_VALUE_CHARS * 2));
  });
});
