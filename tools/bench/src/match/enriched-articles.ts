/**
 * Reuters-21578 articles as the matcher receives them: parsed as ingestion parses them and enriched by
 * @newsflow/enrichment, as `ArticleEnrichedV1` events. Enriching is the slow part (a few hundred
 * articles a second), so it is done once per run, before anything is timed.
 */
import { type ArticleFields, parseArticleText } from '@newsflow/article-format';
import { type ArticleEnrichedV1 } from '@newsflow/contracts';
import { enrichArticle, preloadGazetteer } from '@newsflow/enrichment';

import { loadReutersRecords } from '../corpus';
import { toIngestedEvent } from '../ingested-event';
import { articleText, convertReutersRecords } from '../reuters';

/** Where the benchmark says its articles come from: a `sources.prefixes` filter can pick them. */
export const MATCH_BENCH_BUCKET = 'bench-match';
const PUBLISHERS = ['Reuters', 'Reuters Financial', 'Reuters Energy'];

export function enrichedReutersArticles(count: number): ArticleEnrichedV1[] {
  preloadGazetteer();
  const { articles } = convertReutersRecords(loadReutersRecords());
  const now = new Date();
  const times = { firstSeenAt: now.toISOString(), ingestedAt: now.toISOString() };
  const events: ArticleEnrichedV1[] = [];
  for (const [index, article] of articles.entries()) {
    if (events.length >= count) break;
    const bytes = Buffer.from(articleText(article), 'utf8');
    const parsed = parseArticleText(bytes);
    if (!parsed.ok) continue;
    // The text format has no publisher; spread a few over the articles so publisher filters have work.
    const fields: ArticleFields = { title: article.title, publisher: PUBLISHERS[index % PUBLISHERS.length] };
    const ingested = toIngestedEvent(
      {
        article: parsed.article,
        fields,
        location: {},
        object: {
          bucket: MATCH_BENCH_BUCKET,
          key: `reuters/${index % 10}/${parsed.article.id}.txt`,
          sizeBytes: bytes.length,
        },
      },
      times,
    );
    events.push({ article: ingested, enrichment: enrichArticle(ingested, { now }) });
  }
  return events;
}
