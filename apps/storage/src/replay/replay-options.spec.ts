import { DEFAULT_BATCH_SIZE, type ParsedReplayArgs, parseReplayArgs } from './replay-options';

const WINDOW = ['--from', '2022-02-01', '--to', '2022-02-28'];

function optionsOf(parsed: ParsedReplayArgs) {
  if (parsed.kind !== 'run') throw new Error(`expected options, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

describe('parseReplayArgs', () => {
  it('needs only the window; everything else has a default', () => {
    expect(optionsOf(parseReplayArgs(WINDOW))).toEqual({
      from: '2022-02-01',
      to: '2022-02-28',
      source: undefined,
      publisher: undefined,
      limit: undefined,
      dryRun: false,
      reenrich: false,
      all: false,
      enrichmentVersion: undefined,
      batchSize: DEFAULT_BATCH_SIZE,
    });
  });

  it('reads every option, as `--name value` or `--name=value`', () => {
    const options = optionsOf(
      parseReplayArgs([
        '--from=2022-02-22',
        '--to',
        '2022-02-22',
        '--source',
        'local/reuters/',
        '--publisher=Reuters',
        '--limit',
        '10',
        '--dry-run',
        '--reenrich',
        '--enrichment-version',
        '3',
        '--batch-size=50',
      ]),
    );
    expect(options).toEqual({
      from: '2022-02-22',
      to: '2022-02-22',
      source: 'local/reuters/',
      publisher: 'Reuters',
      limit: 10,
      dryRun: true,
      reenrich: true,
      all: false,
      enrichmentVersion: 3,
      batchSize: 50,
    });
  });

  it('takes --all with --reenrich', () => {
    expect(optionsOf(parseReplayArgs([...WINDOW, '--reenrich', '--all']))).toMatchObject({
      reenrich: true,
      all: true,
    });
  });

  it('answers --help and -h before checking anything else', () => {
    expect(parseReplayArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseReplayArgs(['-h', '--from', 'nonsense'])).toEqual({ kind: 'help' });
  });

  it.each([
    [[], '--from', 'is required'],
    [['--from', '2022-02-01'], '--to', 'is required'],
    [['--from', '2022-02-30', '--to', '2022-03-01'], '--from', 'must be a date YYYY-MM-DD, got "2022-02-30"'],
    [['--from', '2022-2-1', '--to', '2022-03-01'], '--from', 'must be a date'],
    [['--from', '2022-03-02', '--to', '2022-03-01'], '--from', 'must not be after --to'],
    [[...WINDOW, '--limit', '0'], '--limit', 'must be a positive integer, got "0"'],
    [[...WINDOW, '--limit', '1.5'], '--limit', 'must be a positive integer'],
    [[...WINDOW, '--limit', '1e3'], '--limit', 'must be a positive integer'],
    [[...WINDOW, '--batch-size', '20000'], '--batch-size', 'an integer from 1 to 10000'],
    [[...WINDOW, '--source'], '--source', 'needs a value'],
    [[...WINDOW, '--source='], '--source', 'needs a value'],
    [[...WINDOW, '--publisher', '--dry-run'], '--publisher', 'needs a value'],
    [[...WINDOW, '--all'], '--all', 'only goes with --reenrich'],
    [[...WINDOW, '--enrichment-version', '2'], '--enrichment-version', 'only goes with --reenrich'],
    [[...WINDOW, '--reenrich', '--all', '--enrichment-version', '2'], '--enrichment-version', 'cannot go'],
    [[...WINDOW, '--dry-run=yes'], '--dry-run', 'takes no value'],
    [[...WINDOW, '--source', 'a', '--source', 'b'], '--source', 'given more than once'],
    [[...WINDOW, '--sources', 'a'], '--sources', 'unknown option'],
    [[...WINDOW, 'local/'], 'local/', 'unexpected argument'],
  ])('refuses %j naming %s', (argv, option, message) => {
    const parsed = parseReplayArgs(argv);
    expect(parsed).toMatchObject({ kind: 'error', option });
    if (parsed.kind !== 'error') return;
    expect(parsed.message.startsWith(`${option}: `)).toBe(true);
    expect(parsed.message).toContain(message);
  });
});
