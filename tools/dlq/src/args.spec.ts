import { type ParsedDlqArgs, parseDlqArgs } from './args';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const parse = (...argv: string[]) => parseDlqArgs(argv, NOW);

function errorOf(parsed: ParsedDlqArgs): { option: string; message: string } {
  if (parsed.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(parsed)}`);
  return parsed;
}

describe('parseDlqArgs', () => {
  it('reads list with every filter', () => {
    expect(
      parse(
        'list',
        '--stage',
        'storage,enrichment',
        '--code=VALIDATION_FAILED',
        '--topic',
        'news.articles.ingested.v1',
        '--since',
        '2026-11-01',
        '--until',
        '2h',
        '--limit',
        '20',
        '--json',
      ),
    ).toEqual({
      kind: 'run',
      command: {
        name: 'list',
        selection: {
          stages: ['storage', 'enrichment'],
          codes: ['VALIDATION_FAILED'],
          topics: ['news.articles.ingested.v1'],
          since: new Date('2026-11-01T00:00:00.000Z'),
          until: new Date('2026-11-27T10:00:00.000Z'),
          ids: undefined,
        },
        limit: 20,
        json: true,
      },
      common: { dlqTopic: undefined, redrivenTopic: undefined, verbose: false },
    });
  });

  it('reads show with its id, normalised', () => {
    expect(parse('show', '03-0017', '--full')).toMatchObject({
      kind: 'run',
      command: { name: 'show', id: '3-17', full: true },
    });
  });

  it('collects repeated and comma-separated --id values for redrive', () => {
    expect(parse('redrive', '--id', '0-1,0-2', '--id=5-10', '--dry-run', '--again')).toMatchObject({
      kind: 'run',
      command: { name: 'redrive', selection: { ids: ['0-1', '0-2', '5-10'] }, dryRun: true, again: true },
    });
  });

  it('reads purge and the options every command takes', () => {
    expect(
      parse(
        'purge',
        '--before',
        '2026-11-01T00:00:00+01:00',
        '--yes',
        '--dlq-topic',
        'dev.news.dlq.v1',
        '--verbose',
      ),
    ).toEqual({
      kind: 'run',
      command: { name: 'purge', before: new Date('2026-10-31T23:00:00.000Z'), yes: true },
      common: { dlqTopic: 'dev.news.dlq.v1', redrivenTopic: undefined, verbose: true },
    });
  });

  it('asks for help anywhere', () => {
    expect(parse('--help')).toEqual({ kind: 'help' });
    expect(parse('redrive', '-h')).toEqual({ kind: 'help' });
  });

  it.each([
    [[], '<command>', /missing/],
    [['lsit'], 'lsit', /unknown command; one of list, show, redrive, purge/],
    [['list', '--full'], '--full', /unknown option for this command/],
    [['show', '--json', '1-2'], '--json', /unknown option/],
    [['list', '--limit', '0'], '--limit', /positive integer, got "0"/],
    [['list', '--limit'], '--limit', /needs a value/],
    [['list', '--stage', '--json'], '--stage', /needs a value/],
    [['list', '--json', '--json'], '--json', /more than once/],
    [['list', '--json=yes'], '--json', /takes no value/],
    [['list', '--since', 'yesterday'], '--since', /must be YYYY-MM-DD/],
    [['list', '--since', '2026-11-01T10:00'], '--since', /needs a time zone/],
    [['list', '--since', '2026-02-30'], '--since', /not a real date/],
    [['list', '--since', '1d', '--until', '2d'], '--since', /must be before --until/],
    [['list', 'extra'], 'extra', /unexpected argument/],
    [['show'], '<id>', /needs a dead-letter id/],
    [['show', 'abc'], '<id>', /<partition>-<offset>, got "abc"/],
    [['show', '1-2', '1-3'], '1-3', /one id/],
    [['redrive', '--id', '1-2,x'], '--id', /got "x"/],
    [['purge'], '--before', /is required/],
    [['purge', '--before', 'soon'], '--before', /must be/],
    [['list', '--dlq-topic', 'a b'], '--dlq-topic', /not a Kafka topic name/],
  ])('%j is an error naming %s', (argv, option, message) => {
    const error = errorOf(parse(...argv));
    expect(error.option).toBe(option);
    expect(error.message.startsWith(`${option}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });
});
