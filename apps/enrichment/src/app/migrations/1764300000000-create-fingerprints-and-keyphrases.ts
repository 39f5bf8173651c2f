import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateFingerprintsAndKeyphrases1764300000000 implements MigrationInterface {
  name = 'CreateFingerprintsAndKeyphrases1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per article ever enriched: its SimHash and the story it was found to belong to. `seq`
    // orders first sightings, so "the earlier article" is well defined across instances.
    await queryRunner.query(`
      CREATE TABLE enrichment.fingerprints (
        article_id        text        PRIMARY KEY,
        seq               bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
        simhash           text        NOT NULL CHECK (simhash ~ '^[0-9a-f]{16}$'),
        bands             smallint[]  NOT NULL CHECK (cardinality(bands) = 8),
        published_on      date        NOT NULL,
        near_duplicate_of text,
        distance          smallint,
        story_id          text        NOT NULL,
        first_seen_at     timestamptz NOT NULL DEFAULT now()
      )`);
    // Near-duplicates within 7 bits share at least one of the eight 8-bit bands exactly (pigeonhole):
    // one index per band, with the publication date so the window narrows the scan.
    for (let band = 1; band <= 8; band++) {
      await queryRunner.query(
        `CREATE INDEX fingerprints_band${band} ON enrichment.fingerprints ((bands[${band}]), published_on)`,
      );
    }
    await queryRunner.query(
      `CREATE INDEX fingerprints_first_seen ON enrichment.fingerprints (first_seen_at)`,
    );
    // Keyphrase document frequencies of the whole stream (all instances), for TF-IDF.
    await queryRunner.query(`
      CREATE TABLE enrichment.keyphrase_frequencies (
        phrase    text   PRIMARY KEY,
        documents bigint NOT NULL CHECK (documents >= 0)
      )`);
    await queryRunner.query(
      `CREATE INDEX keyphrase_frequencies_most_frequent ON enrichment.keyphrase_frequencies (documents DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE enrichment.keyphrase_corpus (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        documents bigint  NOT NULL CHECK (documents >= 0)
      )`);
    await queryRunner.query(`INSERT INTO enrichment.keyphrase_corpus (documents) VALUES (0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE enrichment.keyphrase_corpus`);
    await queryRunner.query(`DROP TABLE enrichment.keyphrase_frequencies`);
    await queryRunner.query(`DROP TABLE enrichment.fingerprints`);
  }
}
