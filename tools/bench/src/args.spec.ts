import { DEFAULT_OPTIONS, parseArgs } from './args';

describe('parseArgs', () => {
  it('defaults to every phase, 1 GB, the bench topic, batches of 500 and one in flight', () => {
    expect(parseArgs([])).toEqual({ ok: true, options: DEFAULT_OPTIONS });
    expect(DEFAULT_OPTIONS).toMatchObject({ ndjsonGb: 1, topicContract: false, batchSize: 500, inFlight: 1 });
  });

  it('reads values after the flag or after =', () => {
    const parsed = parseArgs(['--ndjson-gb', '0.1', '--batch=200', '--in-flight', '2', '--topic-contract']);
    expect(parsed.ok && parsed.options).toMatchObject({
      ndjsonGb: 0.1,
      batchSize: 200,
      inFlight: 2,
      topicContract: true,
    });
  });

  it('takes phases by name or number, in canonical order', () => {
    const parsed = parseArgs(['--phases', 'publish-text,1']);
    expect(parsed.ok && parsed.options.phases).toEqual(['parse-text', 'publish-text']);
  });

  it.each([
    [['--ndjson-gb', '0']],
    [['--ndjson-gb']],
    [['--batch', '1.5']],
    [['--phases', '5']],
    [['--unknown']],
  ])('rejects %j with the usage', (argv) => {
    const parsed = parseArgs(argv);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain('Usage: npm run bench:ingest');
  });
});
