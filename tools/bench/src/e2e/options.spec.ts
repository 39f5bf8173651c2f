import { DEFAULT_E2E_OPTIONS, parseE2eArgs } from './options';

describe('parseE2eArgs', () => {
  it('defaults to 20,000 articles at full speed and 100 articles/s for 30 s', () => {
    expect(parseE2eArgs([])).toEqual({ ok: true, options: DEFAULT_E2E_OPTIONS });
    expect(DEFAULT_E2E_OPTIONS).toMatchObject({
      articles: 20_000,
      rate: 100,
      steadySeconds: 30,
      warmupSeconds: 10,
      ndjsonShare: 0.5,
      inboxStableMs: undefined,
    });
  });

  it('reads values after the flag or after =, and switches', () => {
    const parsed = parseE2eArgs([
      '--articles',
      '500',
      '--rate=50',
      '--steady-seconds',
      '10',
      '--warmup-seconds=0',
      '--ndjson-share=0.25',
      '--inbox-stable-ms',
      '100',
      '--skip-build',
      '--cpu-prof',
      '--keep',
      '--log-level=info',
    ]);
    expect(parsed.ok && parsed.options).toEqual({
      ...DEFAULT_E2E_OPTIONS,
      articles: 500,
      rate: 50,
      steadySeconds: 10,
      warmupSeconds: 0,
      ndjsonShare: 0.25,
      inboxStableMs: 100,
      skipBuild: true,
      cpuProf: true,
      keep: true,
      logLevel: 'info',
    });
  });

  it('accepts NDJSON shares from 0 to 1 and nothing else', () => {
    expect(parseE2eArgs(['--ndjson-share', '0']).ok).toBe(true);
    expect(parseE2eArgs(['--ndjson-share', '1']).ok).toBe(true);
    for (const bad of ['1.5', '-0.1', 'half', '']) {
      const parsed = parseE2eArgs(['--ndjson-share', bad]);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.message).toContain('--ndjson-share needs a number from 0 to 1');
    }
  });

  it.each([
    [['--articles', '0'], '--articles needs a positive integer'],
    [['--rate', '2.5'], '--rate needs a positive integer'],
    [['--steady-seconds'], '--steady-seconds needs a positive integer'],
    [['--warmup-seconds', '-1'], '--warmup-seconds needs a whole number of seconds'],
    [['--inbox-stable-ms', 'soon'], '--inbox-stable-ms needs a positive integer'],
    [['--log-level', 'loud'], '--log-level needs one of'],
    [['--keep=yes'], '--keep takes no value'],
    [['--articels', '5'], 'Unknown argument --articels'],
    [['--skip-steady', '--skip-full'], 'leave nothing to run'],
  ])('rejects %j with a message and the usage', (argv, message) => {
    const parsed = parseE2eArgs(argv);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
    expect(!parsed.ok && parsed.message).toContain('Usage: npm run bench');
  });

  it('asks for help with --help or -h', () => {
    expect(parseE2eArgs(['-h']).ok && parseE2eArgs(['-h'])).toMatchObject({ options: { help: true } });
    expect(parseE2eArgs(['--help'])).toMatchObject({ ok: true, options: { help: true } });
  });
});
