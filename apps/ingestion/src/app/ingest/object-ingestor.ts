import {
  type ArticleFields,
  type ArticleRecord,
  PARSER_VERSION,
  type ParsedArticle,
  type Rejection,
  detectFormat,
  readArticles,
} from '@newsflow/article-format';
import { type ArticleIngestedV1, type SourceObject, Topic } from '@newsflow/contracts';
import { type EventPublisher } from '@newsflow/kafka';
import { type ObjectInfo, type ObjectStore } from '@newsflow/object-store';
import {
  type Span,
  activeTraceParent,
  inSpan,
  recordFailure,
  startSpan,
  traceParentOf,
  tracingEnabled,
} from '@newsflow/observability';

import {
  type ClaimedObject,
  type IngestLedgerRepository,
  type PublishedContent,
} from '../ledger/ingest-ledger.repository';

/** Articles are published in batches of this many: one Kafka request, one ledger round trip. */
const PUBLISH_BATCH = 500;
/** The ledger keeps article ids of an object up to this many; bulk files keep counts only past it. */
const MAX_LEDGER_ARTICLE_IDS = 1_000;

export interface ObjectIngestorOptions {
  store: ObjectStore;
  ledger: IngestLedgerRepository;
  publisher: EventPublisher;
  maxFileBytes: number;
  maxRecordBytes: number;
  maxAttempts: number;
  leaseSeconds: number;
  skipDuplicates: boolean;
}

export type IngestOutcome =
  | { kind: 'skipped' }
  | { kind: 'done'; published: number; duplicates: number; recordsRejected: number }
  | { kind: 'rejected'; code: string; keptAt: string }
  | { kind: 'retry'; error: string; attempts: number };

interface Progress {
  articleIds: string[];
  published: number;
  duplicates: number;
  recordsRejected: number;
}

/**
 * Turns one object version into article events, exactly once: claimed in the ledger first, published in
 * batches, then marked done. A failed attempt releases the claim for a later retry; the last allowed
 * attempt rejects the object with its error instead of retrying forever.
 */
export class ObjectIngestor {
  constructor(private readonly options: ObjectIngestorOptions) {}

  async ingest(object: ObjectInfo, firstSeenAt: Date): Promise<IngestOutcome> {
    const { ledger, leaseSeconds } = this.options;
    const claim = await ledger.claim({ ...object, firstSeenAt }, leaseSeconds);
    if (!claim) return { kind: 'skipped' };
    try {
      // The start of the trace of a text or JSON file's article: the event published inside carries this
      // span's context. A bulk file's articles each start a trace of their own, linked to this span.
      return await inSpan(
        'ingest object',
        {
          root: true,
          attributes: {
            'newsflow.object.bucket': object.bucket,
            'newsflow.object.key': object.key,
            'newsflow.object.size': object.sizeBytes,
            'newsflow.attempt': claim.attempts,
          },
        },
        async (span) => {
          const outcome = await this.process(object, claim);
          span.setAttribute('newsflow.outcome', outcome.kind);
          return outcome;
        },
      );
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      if (claim.attempts >= this.options.maxAttempts) {
        return this.giveUp(object, claim, `gave up after ${claim.attempts} attempts; last error: ${message}`);
      }
      await ledger.release(object, {
        error: message,
        retryInSeconds: Math.min(300, 5 * 2 ** (claim.attempts - 1)),
      });
      return { kind: 'retry', error: message, attempts: claim.attempts };
    }
  }

  private async process(object: ObjectInfo, claim: ClaimedObject): Promise<IngestOutcome> {
    const format = detectFormat(object.key);
    if (!format.ok) return this.rejectObject(object, claim, format.rejection);
    if (format.format !== 'ndjson' && object.sizeBytes > this.options.maxFileBytes) {
      return this.rejectObject(object, claim, {
        code: 'TOO_LARGE',
        message: `${object.sizeBytes} bytes; the limit for one article is ${this.options.maxFileBytes} (INGEST_MAX_FILE_BYTES)`,
      });
    }
    const bulk = format.format === 'ndjson';
    const progress: Progress = { articleIds: [], published: 0, duplicates: 0, recordsRejected: 0 };
    let batch: Extract<ArticleRecord, { ok: true }>[] = [];
    let records = 0;
    const stream = await this.options.store.read(object.key);
    for await (const record of readArticles(stream, {
      format: format.format,
      gzip: format.gzip,
      maxBytes: this.options.maxFileBytes,
      maxRecordBytes: this.options.maxRecordBytes,
    })) {
      records++;
      if (!record.ok) {
        // A single-article object is the article: reject the object. In a bulk file only the line goes.
        if (format.format !== 'ndjson') return this.rejectObject(object, claim, record.rejection);
        await this.publishRecordRejection(object, claim, record);
        progress.recordsRejected++;
        continue;
      }
      batch.push(record);
      if (batch.length >= PUBLISH_BATCH) {
        await this.options.ledger.rememberPublished(
          await this.publishBatch(object, claim, batch, progress, bulk),
        );
        batch = [];
      }
    }
    // The last batch is remembered by the statement that completes the object.
    const lastPublished = await this.publishBatch(object, claim, batch, progress, bulk);
    if (records === 0) {
      return this.rejectObject(object, claim, { code: 'EMPTY', message: 'The file holds no records' });
    }
    await this.options.ledger.complete(
      object,
      {
        status: 'done',
        articleIds: progress.articleIds,
        articlesPublished: progress.published,
        duplicates: progress.duplicates,
        recordsRejected: progress.recordsRejected,
      },
      lastPublished,
    );
    return {
      kind: 'done',
      published: progress.published,
      duplicates: progress.duplicates,
      recordsRejected: progress.recordsRejected,
    };
  }

  private async publishBatch(
    object: ObjectInfo,
    claim: ClaimedObject,
    records: readonly Extract<ArticleRecord, { ok: true }>[],
    progress: Progress,
    bulk: boolean,
  ): Promise<PublishedContent[]> {
    if (records.length === 0) return [];
    const unique = new Map<string, Extract<ArticleRecord, { ok: true }>>();
    for (const record of records) {
      if (unique.has(record.article.contentHash)) progress.duplicates++;
      else unique.set(record.article.contentHash, record);
    }
    const known = this.options.skipDuplicates
      ? await this.options.ledger.publishedContent([...unique.keys()])
      : new Set<string>();
    const fresh = [...unique.values()].filter((record) => !known.has(record.article.contentHash));
    progress.duplicates += unique.size - fresh.length;
    const ingestedAt = new Date().toISOString();
    const traces = bulk ? articleTraces(object, fresh) : [];
    const traceParents = traces.map(traceParentOf);
    try {
      await this.options.publisher.publishMany(
        Topic.ArticleIngestedV1,
        fresh.map((record, index) => ({
          key: record.article.id,
          payload: toIngestedEvent(record.article, record.fields, {
            source: sourceOf(object, record.location),
            firstSeenAt: claim.firstSeenAt.toISOString(),
            ingestedAt,
          }),
          traceParent: traceParents[index],
        })),
      );
    } catch (error) {
      for (const span of traces) recordFailure(span, error);
      throw error;
    } finally {
      for (const span of traces) span.end();
    }
    progress.published += fresh.length;
    for (const record of fresh) {
      if (progress.articleIds.length < MAX_LEDGER_ARTICLE_IDS) progress.articleIds.push(record.article.id);
    }
    // For the caller to remember after the publish: a crash in between republishes, which consumers absorb.
    return fresh.map((record) => ({
      contentHash: record.article.contentHash,
      articleId: record.article.id,
      bucket: object.bucket,
      key: object.key,
    }));
  }

  /**
   * The last allowed attempt failed: reject the object with its error. When even setting it aside fails
   * (the store is down, or refuses the key), the object stays where it is and the ledger still closes
   * it, so INGEST_MAX_ATTEMPTS is a real bound and nothing is retried forever.
   */
  private async giveUp(object: ObjectInfo, claim: ClaimedObject, message: string): Promise<IngestOutcome> {
    try {
      return await this.rejectObject(object, claim, { code: 'INGEST_FAILED', message });
    } catch (error) {
      const lastError = `${message}; setting it aside failed too: ${(error as Error).message ?? String(error)}`;
      await this.options.ledger.complete(object, {
        status: 'rejected',
        articleIds: [],
        articlesPublished: 0,
        duplicates: 0,
        recordsRejected: 0,
        rejectionCode: 'INGEST_FAILED',
        keptAt: object.key,
        lastError,
      });
      return { kind: 'rejected', code: 'INGEST_FAILED', keptAt: object.key };
    }
  }

  /** `INGEST_FAILED` joins the parser's codes here: the object could not be processed at all. */
  private async rejectObject(
    object: ObjectInfo,
    claim: ClaimedObject,
    rejection: Rejection | { code: 'INGEST_FAILED'; message: string },
  ): Promise<IngestOutcome> {
    const rejectedAt = new Date().toISOString();
    // Kept aside before anything is announced: if publishing fails, the object is still kept.
    const keptAt = await this.options.store.keepRejected(object.key, {
      ...rejection,
      bucket: object.bucket,
      key: object.key,
      etag: object.etag,
      sizeBytes: object.sizeBytes,
      attempts: claim.attempts,
      firstSeenAt: claim.firstSeenAt.toISOString(),
      rejectedAt,
    });
    await this.options.publisher.publish({
      topic: Topic.ArticleRejectedV1,
      key: `${object.bucket}/${object.key}`,
      payload: {
        source: sourceOf(object, {}),
        reason: { code: rejection.code, message: rejection.message },
        keptAt,
        firstSeenAt: claim.firstSeenAt.toISOString(),
        rejectedAt,
      },
    });
    await this.options.ledger.complete(object, {
      status: 'rejected',
      articleIds: [],
      articlesPublished: 0,
      duplicates: 0,
      recordsRejected: 0,
      rejectionCode: rejection.code,
      keptAt,
      lastError: rejection.message,
    });
    return { kind: 'rejected', code: rejection.code, keptAt };
  }

  /** One bad record of a bulk file: announced with its line; the file itself stays where it is. */
  private async publishRecordRejection(
    object: ObjectInfo,
    claim: ClaimedObject,
    record: Extract<ArticleRecord, { ok: false }>,
  ): Promise<void> {
    await this.options.publisher.publish({
      topic: Topic.ArticleRejectedV1,
      key: `${object.bucket}/${object.key}`,
      payload: {
        source: sourceOf(object, record.location),
        reason: { code: record.rejection.code, message: record.rejection.message },
        keptAt: record.location.line ? `${object.key}#L${record.location.line}` : object.key,
        firstSeenAt: claim.firstSeenAt.toISOString(),
        rejectedAt: new Date().toISOString(),
      },
    });
  }
}

/**
 * One root span per article of a bulk file, linked to the file's span: a file of 10,000 articles would
 * otherwise be one trace of 50,000 spans, and an article's spans could not be told from the others'.
 * None while tracing is off (each event then starts a trace id of its own, see newEventMetadata).
 */
function articleTraces(object: ObjectInfo, records: readonly Extract<ArticleRecord, { ok: true }>[]): Span[] {
  if (!tracingEnabled()) return [];
  const file = activeTraceParent();
  return records.map((record) =>
    startSpan('ingest article', {
      root: true,
      links: [file],
      attributes: {
        'newsflow.article.id': record.article.id,
        'newsflow.object.bucket': object.bucket,
        'newsflow.object.key': object.key,
        ...(record.location.line === undefined ? {} : { 'newsflow.object.line': record.location.line }),
      },
    }),
  );
}

function sourceOf(
  object: ObjectInfo,
  location: { line?: number; byteStart?: number; byteEnd?: number },
): SourceObject {
  return {
    bucket: object.bucket,
    key: object.key,
    etag: object.etag,
    sizeBytes: object.sizeBytes,
    line: location.line,
    byteStart: location.byteStart,
    byteEnd: location.byteEnd,
  };
}

function toIngestedEvent(
  article: ParsedArticle,
  fields: ArticleFields,
  input: { source: SourceObject; firstSeenAt: string; ingestedAt: string },
): ArticleIngestedV1 {
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
    source: input.source,
    parserVersion: PARSER_VERSION,
    firstSeenAt: input.firstSeenAt,
    ingestedAt: input.ingestedAt,
  };
}
