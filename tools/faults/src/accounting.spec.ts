import { type Expectation, type Observation, account, formatTable } from './accounting';

const expectation: Expectation = {
  articleIds: new Set(['a', 'b', 'c']),
  webhookArticleIds: new Set(['a', 'b']),
  rejectedInputs: ['bad-1.txt', 'bad-2.json'],
};

const clean: Observation = {
  storedRows: [
    { id: 'a', enriched: true },
    { id: 'b', enriched: true },
    { id: 'c', enriched: true },
  ],
  webhooks: [
    { webhookId: 'w1', articleId: 'a', signatureValid: true },
    { webhookId: 'w2', articleId: 'b', signatureValid: true },
  ],
  rejectionCodes: new Map([
    ['bad-1.txt', 'BAD_DATE'],
    ['bad-2.json', 'BAD_JSON'],
  ]),
  deadLetters: 4,
  deadLettersWithoutContext: 0,
  problems: [],
};

describe('account', () => {
  it('passes a run where everything arrived once', () => {
    expect(account(expectation, clean)).toEqual({
      inputs: 5,
      stored: 3,
      duplicates: 0,
      lost: 0,
      deadLettered: 4,
      rejected: 2,
      webhooksExpected: 2,
      webhooksDelivered: 2,
      details: [],
      ok: true,
    });
  });

  it('counts a missing row, an unenriched row and an undelivered webhook as lost', () => {
    const outcome = account(expectation, {
      ...clean,
      storedRows: [
        { id: 'a', enriched: true },
        { id: 'b', enriched: false },
      ],
      webhooks: [clean.webhooks[0] as Observation['webhooks'][number]],
    });
    expect(outcome.lost).toBe(3);
    expect(outcome.ok).toBe(false);
    expect(outcome.details).toEqual([
      '1 articles not stored (c)',
      '1 stored but not enriched (b)',
      '1 expected webhooks not delivered (b)',
    ]);
  });

  it('counts a second delivery of the same article as a duplicate, whatever its webhook-id', () => {
    const outcome = account(expectation, {
      ...clean,
      webhooks: [...clean.webhooks, { webhookId: 'w1', articleId: 'a', signatureValid: true }],
    });
    expect(outcome.duplicates).toBe(1);
    expect(outcome.details).toEqual(['1 webhooks beyond one per article (1 webhook-ids seen twice)']);
    expect(outcome.ok).toBe(false);
  });

  it('fails a rejected input without a reason, a bad signature and a problem seen on the way', () => {
    const outcome = account(expectation, {
      ...clean,
      rejectionCodes: new Map([['bad-1.txt', 'BAD_DATE']]),
      webhooks: [
        clean.webhooks[0] as Observation['webhooks'][number],
        { webhookId: 'w2', articleId: 'b', signatureValid: false },
      ],
      problems: ['ingestion exited with code 1'],
    });
    expect(outcome.lost).toBe(1);
    expect(outcome.rejected).toBe(1);
    expect(outcome.ok).toBe(false);
    expect(outcome.details).toEqual([
      'ingestion exited with code 1',
      '1 webhooks with an invalid signature',
      '1 rejected inputs without a reason code (bad-2.json)',
    ]);
  });
});

describe('formatTable', () => {
  it('prints one aligned line per scenario under a header', () => {
    const table = formatTable([
      { scenario: '1 kill -9 each service', outcome: account(expectation, clean), seconds: 83.4 },
    ]);
    expect(table.split('\n')).toEqual([
      'scenario                inputs  stored  duplicates  lost  dead-lettered  rejected  webhooks  time  result',
      '----------------------  ------  ------  ----------  ----  -------------  --------  --------  ----  ------',
      '1 kill -9 each service       5       3           0     0              4         2       2/2  83 s      ok',
    ]);
  });
});
