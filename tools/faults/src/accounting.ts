/**
 * Turns what a scenario put in and what it found afterwards (rows in Postgres, webhooks at the receiver,
 * records on the dead-letter topic) into the counts of the report. Pure, so the rules are unit-tested.
 */

export interface Expectation {
  /** Content-derived ids of every distinct valid article the scenario sent. */
  articleIds: ReadonlySet<string>;
  /** The subset the test subscription matches: each must arrive as exactly one webhook. */
  webhookArticleIds: ReadonlySet<string>;
  /** Inputs (file names) that must be rejected with a reason. */
  rejectedInputs: readonly string[];
}

export interface Observation {
  /** storage.articles rows: id and whether enrichment was recorded. */
  storedRows: readonly { id: string; enriched: boolean }[];
  /** Every request the receiver accepted. */
  webhooks: readonly { webhookId: string; articleId: string; signatureValid: boolean }[];
  /** Rejected inputs with the reason code found for them (ledger row or `.error.json`). */
  rejectionCodes: ReadonlyMap<string, string>;
  deadLetters: number;
  /** Dead letters lacking a context header (stage, error code, original topic/offset). */
  deadLettersWithoutContext: number;
  /** Things the scenario saw go wrong besides the counts (a service crashed, a step timed out). */
  problems: readonly string[];
}

export interface ScenarioOutcome {
  inputs: number;
  stored: number;
  /** Rows beyond one per article plus webhook deliveries beyond one per article. */
  duplicates: number;
  /** Articles not stored, stored but never enriched, expected webhooks not delivered, rejects unaccounted. */
  lost: number;
  deadLettered: number;
  rejected: number;
  webhooksExpected: number;
  webhooksDelivered: number;
  details: string[];
  ok: boolean;
}

const sample = (ids: Iterable<string>, limit = 5): string => [...ids].slice(0, limit).join(', ');

export function account(expectation: Expectation, observation: Observation): ScenarioOutcome {
  const details: string[] = [...observation.problems];
  const storedIds = new Set<string>();
  let duplicateRows = 0;
  const notEnriched: string[] = [];
  for (const row of observation.storedRows) {
    if (storedIds.has(row.id)) duplicateRows++;
    storedIds.add(row.id);
    if (!row.enriched) notEnriched.push(row.id);
  }
  const missing = [...expectation.articleIds].filter((id) => !storedIds.has(id));
  const unexpected = [...storedIds].filter((id) => !expectation.articleIds.has(id));
  if (missing.length > 0) details.push(`${missing.length} articles not stored (${sample(missing)})`);
  if (notEnriched.length > 0)
    details.push(`${notEnriched.length} stored but not enriched (${sample(notEnriched)})`);
  if (duplicateRows > 0) details.push(`${duplicateRows} duplicate rows`);
  if (unexpected.length > 0)
    details.push(`${unexpected.length} stored articles nobody sent (${sample(unexpected)})`);

  const perArticle = new Map<string, number>();
  const perWebhookId = new Map<string, number>();
  let badSignatures = 0;
  for (const webhook of observation.webhooks) {
    perArticle.set(webhook.articleId, (perArticle.get(webhook.articleId) ?? 0) + 1);
    perWebhookId.set(webhook.webhookId, (perWebhookId.get(webhook.webhookId) ?? 0) + 1);
    if (!webhook.signatureValid) badSignatures++;
  }
  let duplicateWebhooks = 0;
  for (const count of perArticle.values()) duplicateWebhooks += count - 1;
  const sameIdTwice = [...perWebhookId.values()].filter((count) => count > 1).length;
  const undelivered = [...expectation.webhookArticleIds].filter((id) => !perArticle.has(id));
  const unwanted = [...perArticle.keys()].filter((id) => !expectation.webhookArticleIds.has(id));
  if (duplicateWebhooks > 0) {
    details.push(
      `${duplicateWebhooks} webhooks beyond one per article (${sameIdTwice} webhook-ids seen twice)`,
    );
  }
  if (undelivered.length > 0)
    details.push(`${undelivered.length} expected webhooks not delivered (${sample(undelivered)})`);
  if (unwanted.length > 0)
    details.push(`${unwanted.length} webhooks for articles the filter should not match`);
  if (badSignatures > 0) details.push(`${badSignatures} webhooks with an invalid signature`);

  const unaccounted = expectation.rejectedInputs.filter((name) => !observation.rejectionCodes.get(name));
  if (unaccounted.length > 0) {
    details.push(`${unaccounted.length} rejected inputs without a reason code (${sample(unaccounted)})`);
  }
  if (observation.deadLettersWithoutContext > 0) {
    details.push(`${observation.deadLettersWithoutContext} dead letters without their context headers`);
  }

  const duplicates = duplicateRows + duplicateWebhooks;
  const lost = missing.length + notEnriched.length + undelivered.length + unaccounted.length;
  return {
    inputs: expectation.articleIds.size + expectation.rejectedInputs.length,
    stored: storedIds.size,
    duplicates,
    lost,
    deadLettered: observation.deadLetters,
    rejected: expectation.rejectedInputs.length - unaccounted.length,
    webhooksExpected: expectation.webhookArticleIds.size,
    webhooksDelivered: perArticle.size,
    details,
    ok:
      duplicates === 0 &&
      lost === 0 &&
      unexpected.length === 0 &&
      unwanted.length === 0 &&
      badSignatures === 0 &&
      observation.deadLettersWithoutContext === 0 &&
      observation.problems.length === 0,
  };
}

export interface ReportRow {
  scenario: string;
  outcome: ScenarioOutcome;
  seconds: number;
}

const COLUMNS = [
  'scenario',
  'inputs',
  'stored',
  'duplicates',
  'lost',
  'dead-lettered',
  'rejected',
  'webhooks',
  'time',
  'result',
];

/** The table the suite prints: one line per scenario, numbers right-aligned. */
export function formatTable(rows: readonly ReportRow[]): string {
  const cells = rows.map(({ scenario, outcome, seconds }) => [
    scenario,
    outcome.inputs.toLocaleString('en-US'),
    outcome.stored.toLocaleString('en-US'),
    String(outcome.duplicates),
    String(outcome.lost),
    String(outcome.deadLettered),
    outcome.rejected.toLocaleString('en-US'),
    `${outcome.webhooksDelivered}/${outcome.webhooksExpected}`,
    `${seconds.toFixed(0)} s`,
    outcome.ok ? 'ok' : 'FAILED',
  ]);
  const widths = COLUMNS.map((title, column) =>
    Math.max(title.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, column) =>
        column === 0 ? value.padEnd(widths[0] ?? 0) : value.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}
