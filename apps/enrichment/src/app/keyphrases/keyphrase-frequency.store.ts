import { type DataSource } from 'typeorm';

import { type DocumentFrequencies, createDocumentFrequencies, observeDocument } from '@newsflow/enrichment';

export interface KeyphraseFrequencySettings {
  /** Phrases kept in memory (the most frequent); rarer ones count as unseen, which barely moves TF-IDF. */
  readonly capacity: number;
}

/**
 * The stream's keyphrase document frequencies for TF-IDF, counted in memory for speed and added to
 * Postgres in batches (`flush`), so they survive restarts and every instance contributes. `reload`
 * brings in what other instances counted.
 *
 * A crash loses the counts since the last flush: the frequencies are statistics, and a few seconds of
 * them do not change a ranking.
 */
export class KeyphraseFrequencyStore {
  readonly frequencies: DocumentFrequencies = createDocumentFrequencies();
  /** Counted here since the last flush. */
  private pending = createDocumentFrequencies();

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: KeyphraseFrequencySettings,
  ) {}

  /** Counts one article's distinct keyphrases. */
  observe(phrases: Iterable<string>): void {
    const distinct = new Set(phrases);
    observeDocument(this.frequencies, distinct);
    observeDocument(this.pending, distinct);
    if (this.frequencies.counts.size > this.settings.capacity * 1.25) this.shrinkToCapacity();
  }

  get pendingDocuments(): number {
    return this.pending.documents;
  }

  /** Adds the counts since the last flush to Postgres in one transaction. On failure they are kept for the next. */
  async flush(): Promise<void> {
    if (this.pending.documents === 0) return;
    const batch = this.pending;
    this.pending = createDocumentFrequencies();
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.query(
          `INSERT INTO enrichment.keyphrase_frequencies AS f (phrase, documents)
           SELECT * FROM unnest($1::text[], $2::bigint[])
           ON CONFLICT (phrase) DO UPDATE SET documents = f.documents + EXCLUDED.documents`,
          [[...batch.counts.keys()], [...batch.counts.values()]],
        );
        await manager.query(`UPDATE enrichment.keyphrase_corpus SET documents = documents + $1`, [
          batch.documents,
        ]);
      });
    } catch (error) {
      this.restore(batch);
      throw error;
    }
  }

  /**
   * Replaces the in-memory counts with Postgres's (every instance's flushed counts, the most frequent
   * `capacity` phrases) plus what this instance has not flushed yet.
   */
  async reload(): Promise<void> {
    const [corpus]: { documents: string }[] = await this.dataSource.query(
      `SELECT documents::text AS documents FROM enrichment.keyphrase_corpus`,
    );
    const rows: { phrase: string; documents: string }[] = await this.dataSource.query(
      `SELECT phrase, documents::text AS documents FROM enrichment.keyphrase_frequencies
        ORDER BY documents DESC LIMIT $1`,
      [this.settings.capacity],
    );
    this.frequencies.counts.clear();
    for (const row of rows) this.frequencies.counts.set(row.phrase, Number(row.documents));
    this.frequencies.documents = Number(corpus?.documents ?? 0);
    this.mergeInto(this.frequencies, this.pending);
  }

  private restore(batch: DocumentFrequencies): void {
    this.mergeInto(this.pending, batch);
  }

  private mergeInto(target: DocumentFrequencies, source: DocumentFrequencies): void {
    target.documents += source.documents;
    for (const [phrase, count] of source.counts) {
      target.counts.set(phrase, (target.counts.get(phrase) ?? 0) + count);
    }
  }

  /** Drops the rarest phrases (seen in one document) first: they are most of the long tail. */
  private shrinkToCapacity(): void {
    const { counts } = this.frequencies;
    for (let rarest = 1; counts.size > this.settings.capacity; rarest++) {
      for (const [phrase, count] of counts) {
        if (count <= rarest) counts.delete(phrase);
        if (counts.size <= this.settings.capacity) break;
      }
    }
  }
}
