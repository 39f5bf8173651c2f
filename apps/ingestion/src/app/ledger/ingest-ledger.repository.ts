import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';

export interface ObjectVersion {
  bucket: string;
  key: string;
  etag: string;
}

export interface ClaimedObject extends ObjectVersion {
  attempts: number;
  firstSeenAt: Date;
}

export interface PublishedContent {
  contentHash: string;
  articleId: string;
  bucket: string;
  key: string;
}

export interface CompletedObject {
  status: 'done' | 'rejected';
  articleIds: string[];
  articlesPublished: number;
  duplicates: number;
  recordsRejected: number;
  rejectionCode?: string;
  keptAt?: string;
  lastError?: string;
}

/**
 * The ingest ledger (schema `ingestion`): which object versions were seen, claimed, finished or
 * rejected. Claims are row-level compare-and-set updates with a lease, so several instances, duplicate
 * events and restarts process each object version once; a crash mid-object lets the lease run out and
 * the object is claimed again.
 */
@Injectable()
export class IngestLedgerRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records the object version and takes it for one attempt, in one statement: a version never seen is
   * inserted already claimed; a known one is claimed when it is unfinished and its lease has run out.
   * Returns null when it is finished or another worker holds it. A crash after the claim leaves the row
   * unfinished, and `due()` brings it back once the lease runs out, as before.
   */
  async claim(
    object: ObjectVersion & { sizeBytes: number; firstSeenAt: Date },
    leaseSeconds: number,
  ): Promise<ClaimedObject | null> {
    const rows: { attempts: number; first_seen_at: Date }[] = await this.dataSource.query(
      `INSERT INTO ingestion.objects AS o
         (bucket, key, etag, size_bytes, first_seen_at, status, attempts, lease_until)
       VALUES ($1, $2, $3, $4, $5, 'processing', 1, now() + make_interval(secs => $6))
       ON CONFLICT (bucket, key, etag) DO UPDATE
         SET status = 'processing', attempts = o.attempts + 1,
             lease_until = now() + make_interval(secs => $6), updated_at = now()
         WHERE o.status IN ('pending', 'processing') AND (o.lease_until IS NULL OR o.lease_until < now())
       RETURNING o.attempts, o.first_seen_at`,
      [object.bucket, object.key, object.etag, object.sizeBytes, object.firstSeenAt, leaseSeconds],
    );
    const [row] = rows;
    return row ? { ...object, attempts: row.attempts, firstSeenAt: row.first_seen_at } : null;
  }

  /**
   * Closes the attempt. `published` (the content of the last batch, see `rememberPublished`) is recorded
   * in the same statement: one round trip and one commit for a single-article file.
   */
  async complete(
    object: ObjectVersion,
    result: CompletedObject,
    published: readonly PublishedContent[] = [],
  ): Promise<void> {
    await this.dataSource.query(
      `WITH remembered AS (
         INSERT INTO ingestion.published_content (content_hash, article_id, bucket, key)
         SELECT * FROM unnest($12::text[], $13::text[], $14::text[], $15::text[])
         ON CONFLICT (content_hash) DO NOTHING
       )
       UPDATE ingestion.objects
       SET status = $4, article_ids = $5, articles_published = $6, duplicates = $7, records_rejected = $8,
           rejection_code = $9, kept_at = $10, last_error = $11, lease_until = NULL,
           completed_at = now(), updated_at = now()
       WHERE bucket = $1 AND key = $2 AND etag = $3`,
      [
        object.bucket,
        object.key,
        object.etag,
        result.status,
        result.articleIds,
        result.articlesPublished,
        result.duplicates,
        result.recordsRejected,
        result.rejectionCode ?? null,
        result.keptAt ?? null,
        result.lastError ?? null,
        ...publishedColumns(published),
      ],
    );
  }

  /** A failed attempt: the object is free again after `retryInSeconds`. */
  async release(object: ObjectVersion, input: { error: string; retryInSeconds: number }): Promise<void> {
    await this.dataSource.query(
      `UPDATE ingestion.objects
       SET status = 'pending', last_error = $4, lease_until = now() + make_interval(secs => $5), updated_at = now()
       WHERE bucket = $1 AND key = $2 AND etag = $3`,
      [object.bucket, object.key, object.etag, input.error.slice(0, 2_000), input.retryInSeconds],
    );
  }

  /** Which of these keys (in their current versions) are already finished, to skip them cheaply. */
  async finishedVersions(bucket: string, objects: readonly ObjectVersion[]): Promise<Set<string>> {
    if (objects.length === 0) return new Set();
    const rows: { key: string; etag: string }[] = await this.dataSource.query(
      `SELECT key, etag FROM ingestion.objects
       WHERE bucket = $1 AND key = ANY($2) AND status IN ('done', 'rejected')`,
      [bucket, objects.map((object) => object.key)],
    );
    return new Set(rows.map((row) => `${row.key}\u0000${row.etag}`));
  }

  /** Unfinished objects whose lease ran out (their worker died, or a retry is due). */
  async due(bucket: string, limit: number): Promise<(ObjectVersion & { sizeBytes: number })[]> {
    const rows: { bucket: string; key: string; etag: string; size_bytes: string }[] =
      await this.dataSource.query(
        `SELECT bucket, key, etag, size_bytes FROM ingestion.objects
       WHERE bucket = $1 AND status IN ('pending', 'processing') AND (lease_until IS NULL OR lease_until < now())
       ORDER BY first_seen_at LIMIT $2`,
        [bucket, limit],
      );
    return rows.map((row) => ({
      bucket: row.bucket,
      key: row.key,
      etag: row.etag,
      sizeBytes: Number(row.size_bytes),
    }));
  }

  /** Of these content hashes, the ones already published (exact duplicates). */
  async publishedContent(hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const rows: { content_hash: string }[] = await this.dataSource.query(
      `SELECT content_hash FROM ingestion.published_content WHERE content_hash = ANY($1)`,
      [hashes],
    );
    return new Set(rows.map((row) => row.content_hash));
  }

  /** Content published from an object (after the publish: a crash in between republishes it). */
  async rememberPublished(entries: readonly PublishedContent[]): Promise<void> {
    if (entries.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO ingestion.published_content (content_hash, article_id, bucket, key)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (content_hash) DO NOTHING`,
      publishedColumns(entries),
    );
  }

  /** Objects waiting or in progress: the ingest backlog operators watch. */
  async backlog(): Promise<number> {
    const [row]: { count: string }[] = await this.dataSource.query(
      `SELECT count(*) AS count FROM ingestion.objects WHERE status IN ('pending', 'processing')`,
    );
    return Number(row?.count ?? 0);
  }
}

/** The four columns of published_content as arrays, for `unnest`. */
function publishedColumns(entries: readonly PublishedContent[]): [string[], string[], string[], string[]] {
  return [
    entries.map((entry) => entry.contentHash),
    entries.map((entry) => entry.articleId),
    entries.map((entry) => entry.bucket),
    entries.map((entry) => entry.key),
  ];
}
