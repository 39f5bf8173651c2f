import { type DataSource } from 'typeorm';

import { type DocumentFrequencies, createDocumentFrequencies, observeDocument } from '@newsflow/enrichment';

export interface KeyphraseFrequencySettings {
  /** Phrases kept in memory (the most frequent); rarer ones count as unseen, which barely moves TF-IDF. */
  readonly capacity: number;
  /** One-off phrases kept waiting for a second sighting (see `flush`); default half the capacity. */
  readonly maxHeld?: number;
}

export interface FlushOptions {
  /**
   * Keep back the phrases seen in one document only and unknown to Postgres, until a second sighting
   * (the periodic flush). Without it every count is written (the last flush before shutdown).
   */
  readonly holdOneOffs?: boolean;
}

/**
 * The stream's keyphrase document frequencies for TF-IDF, counted in memory for speed and added to
 * Postgres in batches (`flush`), so they survive restarts and every instance contributes. `reload`
 * brings in what other instances counted.
 *
 * Most phrases of a news stream are seen once (names, numbers, odd word pairs: about 11 new ones an
 * article on the Reuters benchmark) and would each cost a row insert, for a count that barely moves
 * TF-IDF. So the periodic flush holds such one-offs back in memory: a phrase goes to Postgres once this
 * instance has seen it in two documents, or when Postgres already counts it. Held phrases count here at
 * once; they reach the other instances with their second sighting or the flush at shutdown. Past
 * `maxHeld` the oldest are dropped from the shared counts (kept in this instance's, as the long tail
 * beyond `capacity` is): a phrase seen once in that long is one the others may well count as unseen.
 *
 * A crash loses the counts since the last flush and the held one-offs: the frequencies are statistics,
 * and a few seconds of them do not change a ranking.
 */
export class KeyphraseFrequencyStore {
  readonly frequencies: DocumentFrequencies = createDocumentFrequencies();
  /** Counted here since the last flush. */
  private pending = createDocumentFrequencies();

  private readonly maxHeld: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: KeyphraseFrequencySettings,
  ) {
    this.maxHeld = settings.maxHeld ?? Math.ceil(settings.capacity / 2);
  }

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

  /**
   * Adds the counts since the last flush to Postgres in one transaction: one row per phrase, whatever
   * the number of documents it was seen in. On failure they are kept for the next.
   */
  async flush(options: FlushOptions = {}): Promise<void> {
    const { due, held } = options.holdOneOffs
      ? this.splitOneOffs()
      : { due: this.pending, held: createDocumentFrequencies() };
    if (due.documents === 0 && due.counts.size === 0) return;
    const batch = due;
    this.pending = held;
    try {
      await this.dataSource.transaction(async (manager) => {
        if (batch.counts.size > 0) {
          await manager.query(
            `INSERT INTO enrichment.keyphrase_frequencies AS f (phrase, documents)
             SELECT * FROM unnest($1::text[], $2::bigint[])
             ON CONFLICT (phrase) DO UPDATE SET documents = f.documents + EXCLUDED.documents`,
            [[...batch.counts.keys()], [...batch.counts.values()]],
          );
        }
        if (batch.documents > 0) {
          await manager.query(`UPDATE enrichment.keyphrase_corpus SET documents = documents + $1`, [
            batch.documents,
          ]);
        }
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

  /**
   * The pending counts due now (and every pending document), and the one-offs to hold: seen in one
   * document since they were last written, and not counted before that (a count here above the
   * pending one came from Postgres or an earlier flush). Held ones keep their order, oldest first.
   */
  private splitOneOffs(): { due: DocumentFrequencies; held: DocumentFrequencies } {
    const due = createDocumentFrequencies();
    const held = createDocumentFrequencies();
    due.documents = this.pending.documents;
    for (const [phrase, count] of this.pending.counts) {
      const countedBefore = (this.frequencies.counts.get(phrase) ?? 0) > count;
      (count > 1 || countedBefore ? due : held).counts.set(phrase, count);
    }
    let excess = held.counts.size - this.maxHeld;
    for (const phrase of held.counts.keys()) {
      if (excess-- <= 0) break;
      held.counts.delete(phrase);
    }
    return { due, held };
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
