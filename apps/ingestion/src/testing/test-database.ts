import { Client } from 'pg';

import { type ScratchDatabase, scratchDatabase } from '@newsflow/database/testing';

/** A row of `ingestion.objects`, the ingest ledger. */
export interface LedgerRow {
  bucket: string;
  key: string;
  etag: string;
  size_bytes: string;
  status: 'pending' | 'processing' | 'done' | 'rejected';
  attempts: number;
  lease_until: Date | null;
  last_error: string | null;
  article_ids: string[];
  articles_published: number;
  duplicates: number;
  records_rejected: number;
  rejection_code: string | null;
  kept_at: string | null;
  first_seen_at: Date;
  completed_at: Date | null;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * A database of its own for one suite: `<database of DATABASE_URL>_<label>_<random>`. The service creates
 * it on start (and migrates its schema); the suite reads the ledger through it and drops it WITH (FORCE).
 */
export class TestDatabase {
  readonly name: string;
  readonly url: string;
  private readonly scratch: ScratchDatabase;
  private client: Client | undefined;

  constructor(label: string) {
    this.scratch = scratchDatabase(label);
    this.name = this.scratch.name;
    this.url = this.scratch.urlFor(this.name);
  }

  async query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (!this.client) {
      const client = new Client({
        connectionString: this.url,
        application_name: 'newsflow-ingestion-int-spec',
      });
      await client.connect();
      this.client = client;
    }
    const result = await this.client.query<T>(sql, params);
    return result.rows;
  }

  /** The ledger rows of a bucket, by key. */
  async ledger(bucket: string): Promise<LedgerRow[]> {
    return this.query<LedgerRow>(`SELECT * FROM ingestion.objects WHERE bucket = $1 ORDER BY key, etag`, [
      bucket,
    ]);
  }

  async drop(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
    await this.scratch.admin(`DROP DATABASE IF EXISTS ${quoteIdent(this.name)} WITH (FORCE)`);
  }
}
