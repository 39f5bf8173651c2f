/**
 * Records → `ArticleIngestedV1` payloads, mirroring apps/ingestion/src/app/ingest/object-ingestor.ts
 * (`toIngestedEvent`, `sourceOf`, the in-batch de-duplication by content hash). A tool may not import
 * app code, so the mapping is repeated here; keep the two in step when the payload changes. The ledger
 * round trips of the service (claim, publishedContent, rememberPublished) are not part of the benchmark.
 */
import {
  type ArticleFields,
  type ParsedArticle,
  type RecordLocation,
  PARSER_VERSION,
} from '@newsflow/article-format';
import { type ArticleIngestedV1, type SourceObject } from '@newsflow/contracts';

export interface BenchObject {
  bucket: string;
  key: string;
  sizeBytes: number;
}

export interface ParsedRecord {
  article: ParsedArticle;
  fields: ArticleFields;
  location: RecordLocation;
  object: BenchObject;
}

export interface EventRequest {
  key: string;
  payload: ArticleIngestedV1;
}

/** As `publishBatch` in object-ingestor.ts: one event per distinct content hash in the batch. */
export function toEventRequests(
  records: readonly ParsedRecord[],
  times: { firstSeenAt: string; ingestedAt: string },
): { requests: EventRequest[]; duplicates: number } {
  const unique = new Map<string, ParsedRecord>();
  for (const record of records) {
    if (!unique.has(record.article.contentHash)) unique.set(record.article.contentHash, record);
  }
  const requests = [...unique.values()].map((record) => ({
    key: record.article.id,
    payload: toIngestedEvent(record, times),
  }));
  return { requests, duplicates: records.length - unique.size };
}

export function toIngestedEvent(
  { article, fields, location, object }: ParsedRecord,
  times: { firstSeenAt: string; ingestedAt: string },
): ArticleIngestedV1 {
  const source: SourceObject = {
    bucket: object.bucket,
    key: object.key,
    sizeBytes: object.sizeBytes,
    line: location.line,
    byteStart: location.byteStart,
    byteEnd: location.byteEnd,
  };
  return {
    id: article.id,
    contentHash: article.contentHash,
    publishedAt: article.publishedAt,
    lede: article.lede,
    paragraphs: article.paragraphs,
    text: article.text,
    wordCount: article.wordCount,
    title: fields.title || undefined,
    url: fields.url || undefined,
    author: fields.author || undefined,
    publisher: fields.publisher || undefined,
    declaredLanguage: fields.language || undefined,
    source,
    parserVersion: PARSER_VERSION,
    firstSeenAt: times.firstSeenAt,
    ingestedAt: times.ingestedAt,
  };
}
