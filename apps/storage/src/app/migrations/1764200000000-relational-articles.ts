import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * From one row per article with the enrichment as a jsonb blob to a queryable model: ingest fields and
 * stage timestamps on `articles`, entities with their article links, keywords, quotes, amounts and
 * near-duplicate links in their own tables, a weighted full-text vector and the indexes the query API
 * needs. Existing rows are backfilled from their stored enrichment, so nothing has to be replayed.
 *
 * Full-text configuration: 'english'. The corpus and the users' queries are English news first, where
 * stemming is what makes "sanction" find "sanctions" and "voted" find "vote". Queries go through the
 * same configuration, so words of other languages are stemmed the same way on both sides and exact
 * words still match; 'simple' would lose every inflection for the majority language.
 */
export class RelationalArticles1764200000000 implements MigrationInterface {
  name = 'RelationalArticles1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE storage.articles
        ADD COLUMN title              text,
        ADD COLUMN url                text,
        ADD COLUMN author             text,
        ADD COLUMN publisher          text,
        ADD COLUMN declared_language  text,
        ADD COLUMN story_id           text,
        ADD COLUMN sentiment_score    double precision,
        ADD COLUMN sentiment_positive double precision,
        ADD COLUMN sentiment_negative double precision,
        ADD COLUMN summary            text,
        ADD COLUMN simhash            text,
        ADD COLUMN notified_at        timestamptz`);

    await queryRunner.query(`
      UPDATE storage.articles SET
        story_id           = coalesce(enrichment #>> '{nearDuplicate,storyId}', id),
        sentiment_score    = (enrichment #>> '{sentiment,score}')::double precision,
        sentiment_positive = (enrichment #>> '{sentiment,positive}')::double precision,
        sentiment_negative = (enrichment #>> '{sentiment,negative}')::double precision,
        summary            = enrichment ->> 'summary',
        simhash            = enrichment ->> 'simhash'`);

    // The body is indexed up to 100,000 characters: Postgres stops counting word positions at 16,383
    // (about that many words), and an unbounded body could exceed the 1 MB limit of a tsvector, which
    // would make the article impossible to store.
    await queryRunner.query(`
      ALTER TABLE storage.articles
        ALTER COLUMN story_id SET NOT NULL,
        ADD COLUMN source_path text COLLATE "C"
          GENERATED ALWAYS AS ((source ->> 'bucket') || '/' || (source ->> 'key')) STORED,
        ADD COLUMN search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english'::regconfig, coalesce(title || ' ', '') || lede), 'A') ||
          setweight(to_tsvector('english'::regconfig, left(body, 100000)), 'B')
        ) STORED`);

    await queryRunner.query(`
      CREATE TABLE storage.entities (
        id             text PRIMARY KEY,
        type           text NOT NULL CHECK (type IN ('PERSON', 'ORGANIZATION', 'LOCATION', 'MISC')),
        canonical_name text NOT NULL,
        country_code   text,
        lat            double precision,
        lon            double precision,
        feature_type   text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT entities_type_canonical_name UNIQUE (type, canonical_name)
      )`);
    await queryRunner.query(`
      CREATE TABLE storage.article_entities (
        article_id text NOT NULL REFERENCES storage.articles (id) ON DELETE CASCADE,
        entity_id  text NOT NULL REFERENCES storage.entities (id),
        mentions   integer NOT NULL,
        salience   double precision NOT NULL,
        offsets    jsonb NOT NULL,
        aliases    jsonb NOT NULL,
        PRIMARY KEY (article_id, entity_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE storage.article_keywords (
        article_id text NOT NULL REFERENCES storage.articles (id) ON DELETE CASCADE,
        position   integer NOT NULL,
        text       text NOT NULL,
        score      double precision NOT NULL,
        PRIMARY KEY (article_id, position)
      )`);
    await queryRunner.query(`
      CREATE TABLE storage.article_quotes (
        article_id   text NOT NULL REFERENCES storage.articles (id) ON DELETE CASCADE,
        position     integer NOT NULL,
        text         text NOT NULL,
        speaker      text,
        start_offset integer NOT NULL,
        end_offset   integer NOT NULL,
        PRIMARY KEY (article_id, position)
      )`);
    await queryRunner.query(`
      CREATE TABLE storage.article_amounts (
        article_id   text NOT NULL REFERENCES storage.articles (id) ON DELETE CASCADE,
        position     integer NOT NULL,
        text         text NOT NULL,
        value        double precision NOT NULL,
        unit         text,
        object       text,
        start_offset integer NOT NULL,
        end_offset   integer NOT NULL,
        PRIMARY KEY (article_id, position)
      )`);
    // No foreign key on duplicate_of / story_id: the earlier article may not have reached storage yet.
    await queryRunner.query(`
      CREATE TABLE storage.near_duplicates (
        article_id   text PRIMARY KEY REFERENCES storage.articles (id) ON DELETE CASCADE,
        duplicate_of text NOT NULL,
        distance     integer NOT NULL,
        story_id     text NOT NULL
      )`);

    await this.backfillChildRows(queryRunner);

    for (const statement of [
      // Entity filter by name (case-insensitive) and the entity's articles for the entity filter.
      `CREATE INDEX entities_lower_name ON storage.entities (lower(canonical_name))`,
      `CREATE INDEX article_entities_by_entity ON storage.article_entities (entity_id, article_id)
         INCLUDE (mentions)`,
      `CREATE INDEX near_duplicates_story ON storage.near_duplicates (story_id)`,
      `CREATE INDEX near_duplicates_of ON storage.near_duplicates (duplicate_of)`,
      // Query API filters.
      `CREATE INDEX articles_search ON storage.articles USING gin (search)`,
      `CREATE INDEX articles_story ON storage.articles (story_id, published_at, id)`,
      `CREATE INDEX articles_source_path ON storage.articles (source_path)`,
      `CREATE INDEX articles_publisher ON storage.articles (lower(publisher)) WHERE publisher IS NOT NULL`,
      `CREATE INDEX articles_language_newest ON storage.articles (language, published_at DESC, id DESC)`,
      // Articles per stage per day, and what is waiting for its enrichment.
      `CREATE INDEX articles_ingested_at ON storage.articles (ingested_at)`,
      `CREATE INDEX articles_stored_at ON storage.articles (stored_at)`,
      `CREATE INDEX articles_enriched_at ON storage.articles (enriched_at) WHERE enriched_at IS NOT NULL`,
      `CREATE INDEX articles_notified_at ON storage.articles (notified_at) WHERE notified_at IS NOT NULL`,
      `CREATE INDEX articles_waiting_for_enrichment ON storage.articles (stored_at)
         WHERE enrichment_version IS NULL`,
    ]) {
      await queryRunner.query(statement);
    }
  }

  /** The same rows the repository writes for these enrichments (entity ids included: see entityId). */
  private async backfillChildRows(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO storage.entities (id, type, canonical_name, country_code, lat, lon, feature_type)
      SELECT DISTINCT ON (e ->> 'type', e ->> 'name')
             md5((e ->> 'type') || ':' || (e ->> 'name')), e ->> 'type', e ->> 'name',
             e #>> '{place,countryCode}', (e #>> '{place,lat}')::double precision,
             (e #>> '{place,lon}')::double precision, e #>> '{place,featureType}'
        FROM storage.articles a, jsonb_array_elements(a.enrichment -> 'entities') e
       WHERE jsonb_typeof(a.enrichment -> 'entities') = 'array'
       ORDER BY e ->> 'type', e ->> 'name', (e -> 'place') IS NULL, a.enriched_at, a.id`);
    await queryRunner.query(`
      INSERT INTO storage.article_entities (article_id, entity_id, mentions, salience, offsets, aliases)
      SELECT DISTINCT ON (a.id, e.value ->> 'type', e.value ->> 'name')
             a.id, md5((e.value ->> 'type') || ':' || (e.value ->> 'name')), (e.value ->> 'mentions')::integer,
             (e.value ->> 'salience')::double precision, e.value -> 'offsets',
             coalesce(e.value -> 'aliases', '[]')
        FROM storage.articles a, jsonb_array_elements(a.enrichment -> 'entities') WITH ORDINALITY e
       WHERE jsonb_typeof(a.enrichment -> 'entities') = 'array'
       ORDER BY a.id, e.value ->> 'type', e.value ->> 'name', e.ordinality`);
    await queryRunner.query(`
      INSERT INTO storage.article_keywords (article_id, position, text, score)
      SELECT a.id, k.ordinality - 1, k.value ->> 'text', (k.value ->> 'score')::double precision
        FROM storage.articles a, jsonb_array_elements(a.enrichment -> 'keywords') WITH ORDINALITY k
       WHERE jsonb_typeof(a.enrichment -> 'keywords') = 'array'`);
    await queryRunner.query(`
      INSERT INTO storage.article_quotes (article_id, position, text, speaker, start_offset, end_offset)
      SELECT a.id, q.ordinality - 1, q.value ->> 'text', q.value ->> 'speaker',
             (q.value #>> '{offsets,0}')::integer, (q.value #>> '{offsets,1}')::integer
        FROM storage.articles a, jsonb_array_elements(a.enrichment -> 'quotes') WITH ORDINALITY q
       WHERE jsonb_typeof(a.enrichment -> 'quotes') = 'array'`);
    await queryRunner.query(`
      INSERT INTO storage.article_amounts
             (article_id, position, text, value, unit, object, start_offset, end_offset)
      SELECT a.id, m.ordinality - 1, m.value ->> 'text', (m.value ->> 'value')::double precision,
             m.value ->> 'unit', m.value ->> 'object',
             (m.value #>> '{offsets,0}')::integer, (m.value #>> '{offsets,1}')::integer
        FROM storage.articles a, jsonb_array_elements(a.enrichment -> 'amounts') WITH ORDINALITY m
       WHERE jsonb_typeof(a.enrichment -> 'amounts') = 'array'`);
    await queryRunner.query(`
      INSERT INTO storage.near_duplicates (article_id, duplicate_of, distance, story_id)
      SELECT a.id, a.enrichment #>> '{nearDuplicate,of}', (a.enrichment #>> '{nearDuplicate,distance}')::integer,
             a.enrichment #>> '{nearDuplicate,storyId}'
        FROM storage.articles a
       WHERE jsonb_typeof(a.enrichment -> 'nearDuplicate') = 'object'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE storage.near_duplicates, storage.article_amounts, storage.article_quotes,
                 storage.article_keywords, storage.article_entities, storage.entities`);
    for (const index of [
      'articles_search',
      'articles_story',
      'articles_source_path',
      'articles_publisher',
      'articles_language_newest',
      'articles_ingested_at',
      'articles_stored_at',
      'articles_enriched_at',
      'articles_notified_at',
      'articles_waiting_for_enrichment',
    ]) {
      await queryRunner.query(`DROP INDEX storage.${index}`);
    }
    await queryRunner.query(`
      ALTER TABLE storage.articles
        DROP COLUMN search, DROP COLUMN source_path, DROP COLUMN notified_at, DROP COLUMN simhash,
        DROP COLUMN summary, DROP COLUMN sentiment_negative, DROP COLUMN sentiment_positive,
        DROP COLUMN sentiment_score, DROP COLUMN story_id, DROP COLUMN declared_language,
        DROP COLUMN publisher, DROP COLUMN author, DROP COLUMN url, DROP COLUMN title`);
  }
}
