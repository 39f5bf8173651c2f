import { DEFAULT_STORAGE_OPTIONS, parseStorageArgs } from './options';

describe('parseStorageArgs', () => {
  it('defaults to 20,000 articles, 100,000 for the queries and 1,000 requests', () => {
    expect(parseStorageArgs([])).toEqual({ ok: true, options: DEFAULT_STORAGE_OPTIONS });
    expect(DEFAULT_STORAGE_OPTIONS).toMatchObject({ count: 20_000, queryArticles: 100_000, queries: 1_000 });
  });

  it('reads values after the flag or after =, and switches', () => {
    const parsed = parseStorageArgs([
      '--count',
      '500',
      '--query-articles=1000',
      '--max-batch-size',
      '200',
      '--keep',
      '--min-words=0',
    ]);
    expect(parsed.ok && parsed.options).toMatchObject({
      count: 500,
      queryArticles: 1_000,
      maxBatchSize: 200,
      keep: true,
      minWords: 0,
    });
  });

  it('needs at least as many articles for the queries as for the consumer path, unless queries are skipped', () => {
    expect(parseStorageArgs(['--count', '5000', '--query-articles', '1000']).ok).toBe(false);
    expect(parseStorageArgs(['--count', '5000', '--query-articles', '1000', '--skip-queries']).ok).toBe(true);
  });

  it.each([
    [['--count', '0']],
    [['--count']],
    [['--queries', '1.5']],
    [['--log-level', 'loud']],
    [['--nope']],
  ])('rejects %j with the usage', (argv) => {
    const parsed = parseStorageArgs(argv);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain('Usage: npm run bench:storage');
  });
});
