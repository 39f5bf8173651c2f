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

  /** Records that an object version exists; seeing it again changes nothing. */
  async register(object: ObjectVersion & { sizeBytes: number; firstSeenAt: Date }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ingestion.objects (bucket, key, etag, size_bytes, first_seen_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (bucket, key, etag) DO NOTHING`,
      [object.bucket, object.key, object.etag, object.sizeBytes, object.firstSeenAt],
    );
  }

  /** Takes the object for one attempt, or returns null when it is finished or another worker holds it. */
  async claim(object: ObjectVersion, leaseSeconds: number): Promise<ClaimedObject | null> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [{ attempts: number; first_seen_at: Date }[], number] = await this.dataSource.query(
      `UPDATE ingestion.objects
       SET status = 'processing', attempts = attempts + 1,
           lease_until = now() + make_interval(secs => $4), updated_at = now()
       WHERE bucket = $1 AND key = $2 AND etag = $3
         AND (status = 'pending' OR status = 'processing') AND (lease_until IS NULL OR lease_until < now())
       RETURNING attempts, first_seen_at`,
      [object.bucket, object.key, object.etag, leaseSeconds],
    );
    const [row] = rows;
    return row ? { ...object, attempts: row.attempts, firstSeenAt: row.first_seen_at } : null;
  }

  async complete(object: ObjectVersion, result: CompletedObject): Promise<void> {
    await this.dataSource.query(
      `UPDATE ingestion.objects
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

  async rememberPublished(
    entries: readonly { contentHash: string; articleId: string; bucket: string; key: string }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO ingestion.published_content (content_hash, article_id, bucket, key)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (content_hash) DO NOTHING`,
      [
        entries.map((entry) => entry.contentHash),
        entries.map((entry) => entry.articleId),
        entries.map((entry) => entry.bucket),
        entries.map((entry) => entry.key),
      ],
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
