/**
 * docs/asyncapi.yaml against its source of truth (TopicContracts in libs/contracts) and the AsyncAPI
 * 3.0.0 specification. The file is read from disk, so these tests check what is committed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';

import {
  ALL_TOPICS,
  type ArticleEnrichedV1,
  ArticleEnrichedV1Schema,
  type ArticleIngestedV1,
  ArticleIngestedV1Schema,
  type ServiceName,
  Topic,
  TopicContracts,
} from '@newsflow/contracts';

import {
  ANY_CONSUMER,
  ASYNCAPI_PATH,
  type AsyncApiDocument,
  REGENERATE_COMMAND,
  describeDrift,
  renderAsyncApiYaml,
} from './build-asyncapi';
import { findRepoRoot } from './repo-root';
import { createAsyncApiValidator, danglingRefs, describeAjvError, inlineRefs, isRecord } from './validation';

const filePath = join(findRepoRoot(__dirname), ASYNCAPI_PATH);
const committed = existsSync(filePath) ? readFileSync(filePath, 'utf8') : undefined;

let parsed: unknown;
/** The committed document, parsed; throws (failing the test) when it is missing or is not YAML. */
function committedDocument(): unknown {
  if (parsed !== undefined) return parsed;
  if (committed === undefined) throw new Error(`${ASYNCAPI_PATH} is missing: run \`${REGENERATE_COMMAND}\`.`);
  const document = parseDocument(committed);
  if (document.errors.length > 0) {
    throw new Error(
      `${ASYNCAPI_PATH} is not valid YAML:\n${document.errors.map((e) => e.message).join('\n')}`,
    );
  }
  parsed = document.toJS() as unknown;
  return parsed;
}

/** Typed view of the committed document: trusted because the schema test validates it. */
const asyncApi = () => committedDocument() as AsyncApiDocument;

function channelFor(topic: Topic) {
  const channels = Object.values(asyncApi().channels).filter((channel) => channel.address === topic);
  if (channels.length !== 1) throw new Error(`expected one channel for ${topic}, found ${channels.length}`);
  return channels[0] as (typeof channels)[number];
}

describe(ASYNCAPI_PATH, () => {
  it(`is what \`${REGENERATE_COMMAND}\` generates from libs/contracts`, () => {
    // Thrown rather than compared, so the message (first differing line, command to run) reads as is.
    const drift = describeDrift(committed, renderAsyncApiYaml());
    if (drift !== undefined) throw new Error(drift);
  });

  it('is a valid AsyncAPI 3.0.0 document (official JSON Schema from @asyncapi/specs)', () => {
    const { validate, formatWarnings } = createAsyncApiValidator();
    expect(formatWarnings).toEqual([]);
    expect(validate(committedDocument())).toEqual([]);
  });

  it('has no $ref that points nowhere', () => {
    expect(danglingRefs(committedDocument())).toEqual([]);
  });

  it('has exactly one channel per topic of ALL_TOPICS, and no other', () => {
    const addresses = Object.values(asyncApi().channels).map((channel) => channel.address);
    expect([...addresses].sort()).toEqual([...ALL_TOPICS].sort());
  });

  describe.each(ALL_TOPICS)('%s', (topic) => {
    const contract = TopicContracts[topic];

    it('lists the producers and consumers of TopicContracts', () => {
      const channel = channelFor(topic);
      expect(channel['x-producers']).toEqual([...contract.producers]);
      expect(channel['x-consumers']).toEqual([...contract.consumers]);
    });

    it('has a send operation per producing service and a receive operation per consumer', () => {
      const channelId = Object.entries(asyncApi().channels).find(
        ([, channel]) => channel.address === topic,
      )?.[0];
      const operations = Object.entries(asyncApi().operations)
        .filter(([, operation]) => operation.channel.$ref === `#/channels/${channelId}`)
        .map(([id, operation]) => {
          // Operation ids name the service and the action: `ingestion.sendArticleIngestedV1`.
          expect(id).toMatch(new RegExp(`^${operation['x-service']}\\.${operation.action}[A-Z]\\w*$`));
          return operation;
        });
      const servicesFor = (action: 'send' | 'receive') =>
        operations
          .filter((operation) => operation.action === action)
          .map((operation) => operation['x-service']);
      // `any consumer` (the dead-letter topic): every service that consumes some topic can write to it.
      const consumers = new Set<ServiceName>(ALL_TOPICS.flatMap((t) => TopicContracts[t].consumers));
      const producers = contract.producers.flatMap((p) => (p === ANY_CONSUMER ? [...consumers] : [p]));
      expect(new Set(servicesFor('send'))).toEqual(new Set(producers));
      expect(servicesFor('send')).toHaveLength(new Set(producers).size);
      expect(servicesFor('receive')).toEqual([...contract.consumers]);
    });

    it("documents the key and, in headers, the topic's CloudEvents type", () => {
      const document = asyncApi();
      const message = inlineRefs(Object.values(channelFor(topic).messages)[0], document);
      if (!isRecord(message)) throw new Error(`${topic}: the channel's message is not an object`);
      expect(message).toMatchObject({
        bindings: { kafka: { key: { type: 'string', description: contract.key } } },
      });
      const ceType = { properties: { ce_type: { const: contract.eventType } } };
      // Dead letters keep the original message's headers, so their ce_type is the original event's.
      if (topic === Topic.DeadLetterV1) expect(message['headers']).not.toMatchObject(ceType);
      else expect(message['headers']).toMatchObject(ceType);
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Payload schemas, used as a consumer would: compiled with Ajv on their own.

/** The topic's payload schema from the committed document, with its `$ref`s inlined. */
function payloadValidator(topic: Topic) {
  const document = asyncApi();
  const message = inlineRefs(Object.values(channelFor(topic).messages)[0], document);
  if (!isRecord(message)) throw new Error(`${topic}: the channel's message is not an object`);
  // Strict mode: the generated schemas must be clean JSON Schema draft-07, not merely tolerated.
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(message['payload'] as object);
  return (payload: unknown): string[] =>
    validate(payload) ? [] : (validate.errors ?? []).map(describeAjvError);
}

const ingested: ArticleIngestedV1 = {
  id: '0123456789abcdef0123456789abcdef',
  contentHash: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  publishedAt: '2025-03-14',
  lede: 'A short lede.',
  paragraphs: ['First paragraph.', 'Second paragraph.'],
  text: 'First paragraph.\n\nSecond paragraph.',
  wordCount: 7,
  source: { bucket: 'local', key: 'inbox/article.txt', sizeBytes: 120 },
  parserVersion: '1.0.0',
  firstSeenAt: '2025-03-14T09:00:00.000Z',
  ingestedAt: '2025-03-14T10:00:00.123+01:00',
};

const enriched: ArticleEnrichedV1 = {
  article: ingested,
  enrichment: {
    enrichmentVersion: 1,
    language: { code: 'en', confidence: 0.97 },
    wordCount: 7,
    readingTimeSeconds: 2,
    enrichedAt: '2025-03-14T09:00:01Z',
  },
};

/** `base` with `path` set to `value`, or removed when `value` is undefined. */
function withChange<T extends object>(base: T, path: string, value: unknown): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node: Record<string, unknown> = copy;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

describe('payload schemas', () => {
  describe(Topic.ArticleIngestedV1, () => {
    const validate = () => payloadValidator(Topic.ArticleIngestedV1);

    it('accept a valid article (which the zod contract accepts too)', () => {
      expect(ArticleIngestedV1Schema.safeParse(ingested).success).toBe(true);
      expect(validate()(ingested)).toEqual([]);
    });

    it('accept fields they do not know (consumers ignore them)', () => {
      expect(validate()(withChange(ingested, 'addedInAMinorVersion', 'x'))).toEqual([]);
    });

    // The sample sets only required fields (no source.etag), so removing any one must be rejected.
    it.each(Object.keys(ingested))('reject an article without %s (as the zod contract does)', (field) => {
      const invalid = withChange(ingested, field, undefined);
      expect(ArticleIngestedV1Schema.safeParse(invalid).success).toBe(false);
      expect(validate()(invalid)).not.toEqual([]);
    });

    it.each([
      ['id in upper case', 'id', '0123456789ABCDEF0123456789ABCDEF'],
      ['a short id', 'id', '0123456789abcdef'],
      [
        'contentHash of 63 characters',
        'contentHash',
        '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde',
      ],
      ['publishedAt with a time', 'publishedAt', '2025-03-14T10:00:00Z'],
      ['an impossible publishedAt', 'publishedAt', '2025-02-30'],
      ['an empty lede', 'lede', ''],
      ['no paragraphs', 'paragraphs', []],
      ['an empty paragraph', 'paragraphs', ['First paragraph.', '']],
      ['a negative wordCount', 'wordCount', -1],
      ['a fractional wordCount', 'wordCount', 1.5],
      ['a source without sizeBytes', 'source.sizeBytes', undefined],
      ['a missing parserVersion', 'parserVersion', undefined],
      ['firstSeenAt without offset', 'firstSeenAt', '2025-03-14T09:00:00'],
      ['ingestedAt as a date', 'ingestedAt', '2025-03-14'],
    ])('reject %s (as the zod contract does)', (_label, path, value) => {
      const invalid = withChange(ingested, path, value);
      expect(ArticleIngestedV1Schema.safeParse(invalid).success).toBe(false);
      expect(validate()(invalid)).not.toEqual([]);
    });
  });

  describe(Topic.ArticleEnrichedV1, () => {
    const validate = () => payloadValidator(Topic.ArticleEnrichedV1);

    it('accept a valid enriched article (which the zod contract accepts too)', () => {
      expect(ArticleEnrichedV1Schema.safeParse(enriched).success).toBe(true);
      expect(validate()(enriched)).toEqual([]);
    });

    it.each(Object.keys(enriched.enrichment))('reject an enriched article without enrichment.%s', (field) => {
      const invalid = withChange(enriched, `enrichment.${field}`, undefined);
      expect(ArticleEnrichedV1Schema.safeParse(invalid).success).toBe(false);
      expect(validate()(invalid)).not.toEqual([]);
    });

    it.each([
      ['without enrichment', 'enrichment', undefined],
      ['with an invalid embedded article', 'article.id', 'not-an-id'],
      ['with enrichmentVersion 0', 'enrichment.enrichmentVersion', 0],
      ['with a language confidence above 1', 'enrichment.language.confidence', 1.5],
      ['with a language without code', 'enrichment.language.code', undefined],
      ['with enrichedAt without offset', 'enrichment.enrichedAt', '2025-03-14 09:00:01'],
    ])('reject an enriched article %s (as the zod contract does)', (_label, path, value) => {
      const invalid = withChange(enriched, path, value);
      expect(ArticleEnrichedV1Schema.safeParse(invalid).success).toBe(false);
      expect(validate()(invalid)).not.toEqual([]);
    });
  });
});
