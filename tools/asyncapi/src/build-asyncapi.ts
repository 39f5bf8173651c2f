/**
 * Builds docs/asyncapi.yaml (AsyncAPI 3.0.0) from libs/contracts: TopicContracts is the single source of
 * truth, this module only arranges it. Everything is built in a fixed order from constants, so the
 * output is byte-for-byte stable and a test can compare it with the committed file.
 */
import { Document } from 'yaml';
import { z } from 'zod';

import { KafkaEnvSchema } from '@newsflow/config';
import {
  ALL_TOPICS,
  CloudEventHeader,
  DeadLetterHeader,
  type ServiceName,
  Topic,
  type TopicContract,
  TopicContracts,
} from '@newsflow/contracts';

export type JsonSchema = { [keyword: string]: unknown };

export interface Reference {
  $ref: string;
}

export interface AsyncApiMessage {
  name: string;
  title: string;
  summary: string;
  description?: string;
  headers: Reference;
  payload: Reference;
  bindings: { kafka: { key: JsonSchema; bindingVersion: string } };
}

export interface AsyncApiChannel {
  address: string;
  title: string;
  summary: string;
  messages: Record<string, Reference>;
  bindings: { kafka: { partitions: number; replicas: number; bindingVersion: string } };
  'x-producers': string[];
  'x-consumers': string[];
}

export interface AsyncApiOperation {
  action: 'send' | 'receive';
  channel: Reference;
  messages: Reference[];
  summary: string;
  description?: string;
  'x-service': ServiceName;
}

export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description: string };
  defaultContentType: string;
  servers: Record<string, { host: string; protocol: string; description: string }>;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  components: {
    schemas: Record<string, JsonSchema>;
    messages: Record<string, AsyncApiMessage>;
  };
}

/** The command that regenerates the file; named in its header and in every drift message. */
export const REGENERATE_COMMAND = 'npm run docs:asyncapi';
/** Where the generated document lives, relative to the workspace root. */
export const ASYNCAPI_PATH = 'docs/asyncapi.yaml';
export const HEADER_COMMENT = ` Generated from libs/contracts by \`${REGENERATE_COMMAND}\`; do not edit by hand.`;

/** Latest Kafka bindings version bundled with the AsyncAPI 3.0.0 schema (@asyncapi/specs). */
const KAFKA_BINDING_VERSION = '0.5.0';
const SCHEMA_REF_PREFIX = '#/components/schemas/';
const CONTENT_TYPE = 'application/json';
/** W3C Trace Context, version 00: `00-<trace-id>-<parent-id>-<flags>`. */
export const TRACEPARENT_PATTERN = '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$';
/** Producer entry of a topic any consuming service may write to (the dead-letter topic). */
export const ANY_CONSUMER = 'any consumer';

/** Defaults the services use when they create topics and connect (KAFKA_* variables unset). */
const kafkaDefaults = KafkaEnvSchema.parse({});

const INFO_DESCRIPTION = `Kafka topics of the Newsflow pipeline, generated from TopicContracts in libs/contracts.

- **Topics are versioned.** The version is the last segment of the topic name (\`.v1\`). A breaking change to a payload is published on a new topic version (\`.v2\`), never made in place.
- **Consumers must ignore unknown fields.** Adding an optional field is not a breaking change, so payload schemas do not forbid additional properties; the same holds for headers.
- **Metadata travels in headers.** Events follow the CloudEvents Kafka protocol binding in binary mode: \`ce_*\` headers, \`content-type\` and a W3C \`traceparent\`; the message value is the plain domain object.
- **Payloads are JSON** (UTF-8), described by the JSON Schema of each message.
- **The key decides the partition**, and so the ordering; each message documents its key.
- Partitions and replicas in the channel bindings are the defaults services use when they create topics (\`KAFKA_TOPIC_PARTITIONS\`, \`KAFKA_REPLICATION_FACTOR\`); operators may configure others.`;

/** libs/kafka copies the failed message as it was (dead-letter.ts), headers included. */
const deadLetterDescription = (eventType: string): string =>
  `The key, value and headers are those of the original message, byte for byte, so it can be redriven as it was. The \`ce_*\` headers (when present) therefore describe the original event: \`ce_type\` is the original event type, not \`${eventType}\`. The \`dlq_*\` headers carry the failure context. The value is usually JSON from a Newsflow topic, but can be anything a consumer failed to read (\`MALFORMED_JSON\`).`;

// ---------------------------------------------------------------------------------------------------
// Names

/** The name of the topic's constant in `Topic` (`ArticleIngestedV1` for news.articles.ingested.v1). */
export function topicName(topic: Topic): string {
  const entry = Object.entries(Topic).find(([, value]) => value === topic);
  if (entry === undefined) throw new Error(`${topic} is not a Topic`);
  return entry[0];
}

/** Id of the topic's channel and of its message (`articleIngestedV1`). */
export function channelIdOf(topic: Topic): string {
  const name = topicName(topic);
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** `Article ingested (v1)` for `ArticleIngestedV1`. */
function titleOf(name: string): string {
  const match = /^(.*?)V(\d+)$/.exec(name);
  const words = (match?.[1] ?? name).replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const title = words.charAt(0).toUpperCase() + words.slice(1);
  return match ? `${title} (v${match[2]})` : title;
}

export function operationIdOf(service: ServiceName, action: 'send' | 'receive', topic: Topic): string {
  return `${service}.${action}${topicName(topic)}`;
}

const ref = ($ref: string): Reference => ({ $ref });
const schemaRef = (name: string): Reference => ref(`${SCHEMA_REF_PREFIX}${name}`);

// ---------------------------------------------------------------------------------------------------
// Services

function contractsInOrder(): TopicContract[] {
  return ALL_TOPICS.map((topic) => TopicContracts[topic]);
}

/** Every service that consumes some topic, in topic order: the services that can dead-letter. */
function consumingServices(): ServiceName[] {
  return [...new Set(contractsInOrder().flatMap((contract) => contract.consumers))];
}

/** The services that publish to the topic, with `any consumer` spelled out. */
export function sendingServices(contract: TopicContract): ServiceName[] {
  const services = contract.producers.flatMap((producer) =>
    producer === ANY_CONSUMER ? consumingServices() : [producer],
  );
  return [...new Set(services)];
}

// ---------------------------------------------------------------------------------------------------
// Schemas

/**
 * Payload schemas, one per topic, as JSON Schema draft-07 (the base of the AsyncAPI Schema Object).
 * Every topic schema is registered under its name, so a payload that embeds another topic's payload
 * (the enriched article carries the ingested one) refers to it instead of repeating it.
 *
 * `io: 'input'` describes what the contract accepts, not what parsing returns: zod objects strip
 * unknown keys, and that is exactly the "consumers ignore unknown fields" rule, whereas the output
 * schema would add `additionalProperties: false`. Producers send the payload they validated, so extra
 * fields can be on the wire. `unrepresentable: 'throw'`: a contract that JSON Schema cannot describe
 * (a transform, a Date) fails the generation instead of being documented as "anything".
 */
function payloadSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const topic of ALL_TOPICS) registry.add(TopicContracts[topic].schema, { id: topicName(topic) });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'throw',
    uri: (id) => `${SCHEMA_REF_PREFIX}${id}`,
  });
  const result: Record<string, JsonSchema> = {};
  for (const topic of ALL_TOPICS) {
    const schema = schemas[topicName(topic)];
    if (schema === undefined) throw new Error(`no JSON Schema was generated for ${topic}`);
    // `$schema` and `$id` are for standalone documents; inside components they are noise (the `$id`
    // zod derives from `uri` is even a JSON pointer, which draft-07 does not allow as an id).
    const { $schema: _schema, $id: _id, ...rest } = schema;
    result[topicName(topic)] = rest;
  }
  return result;
}

type CloudEventHeaderKey = keyof typeof CloudEventHeader;
type DeadLetterHeaderKey = keyof typeof DeadLetterHeader;

/**
 * The CloudEvents headers. With an `eventType`, as Newsflow producers write them (EventPublisher):
 * all present but ce_causationid, ce_type and content-type fixed. Without one, as copied onto a dead
 * letter from whatever message failed: described, but neither required nor fixed.
 */
function cloudEventHeaders(eventType: string | undefined): {
  properties: Record<string, JsonSchema>;
  required: string[];
} {
  const original = eventType === undefined ? 'Copied from the original message. ' : '';
  const fixed = (value: string): JsonSchema => (eventType === undefined ? {} : { const: value });
  const headers: Record<CloudEventHeaderKey, JsonSchema> = {
    SpecVersion: {
      type: 'string',
      ...fixed('1.0'),
      description: `${original}CloudEvents specification version.`,
    },
    Id: {
      type: 'string',
      minLength: 1,
      description: `${original}Event id, unique per event (a UUID when Newsflow publishes the event).`,
    },
    Type: {
      type: 'string',
      ...(eventType === undefined ? {} : { const: eventType }),
      description: `${original}CloudEvents type of the event.`,
    },
    Source: {
      type: 'string',
      minLength: 1,
      description: `${original}Producer of the event, a URI reference: \`/newsflow/<service>\` for Newsflow services.`,
    },
    Time: {
      type: 'string',
      format: 'date-time',
      description: `${original}When the event was created (ISO 8601, UTC).`,
    },
    CorrelationId: {
      type: 'string',
      minLength: 1,
      description: `${original}Id of the first event of the chain (the ingested article's event for everything downstream); equals ce_id on the first event.`,
    },
    CausationId: {
      type: 'string',
      minLength: 1,
      description: `${original}Id of the event that directly caused this one; absent on the first event of a chain.`,
    },
    ContentType: {
      type: 'string',
      ...fixed(CONTENT_TYPE),
      description: `${original}Media type of the value (CloudEvents datacontenttype).`,
    },
    TraceParent: {
      type: 'string',
      pattern: TRACEPARENT_PATTERN,
      description: `${original}W3C Trace Context of the producing span; consumers continue the trace.`,
    },
  };
  const properties: Record<string, JsonSchema> = {};
  for (const [key, header] of Object.entries(CloudEventHeader) as [CloudEventHeaderKey, string][]) {
    properties[header] = headers[key];
  }
  const required =
    eventType === undefined
      ? []
      : Object.values(CloudEventHeader).filter((header) => header !== CloudEventHeader.CausationId);
  return { properties, required };
}

/** The failure context a consumer adds when it dead-letters a message (libs/kafka dead-letter.ts). */
function deadLetterHeaders(): Record<string, JsonSchema> {
  const decimal = (description: string): JsonSchema => ({ type: 'string', pattern: '^[0-9]+$', description });
  const headers: Record<DeadLetterHeaderKey, JsonSchema> = {
    Stage: {
      type: 'string',
      minLength: 1,
      description: 'Pipeline stage that gave up on the message (e.g. `enrichment`).',
    },
    ConsumerGroup: { type: 'string', minLength: 1, description: 'Consumer group that read the message.' },
    OriginalTopic: { type: 'string', minLength: 1, description: 'Topic the message was read from.' },
    OriginalPartition: decimal('Partition the message was read from.'),
    OriginalOffset: decimal('Offset of the message in that partition.'),
    ErrorCode: {
      type: 'string',
      minLength: 1,
      description:
        'Code of the classified error, e.g. `CONTRACT_VIOLATION`, `MALFORMED_JSON`, `KAFKA_ERROR`, `DB_<sqlstate>`.',
    },
    ErrorMessage: { type: 'string', description: 'Error message, truncated to keep headers small.' },
    Attempts: decimal('Attempts made before the message was dead-lettered.'),
    FirstFailureAt: { type: 'string', format: 'date-time', description: 'When the first attempt failed.' },
    LastFailureAt: { type: 'string', format: 'date-time', description: 'When the last attempt failed.' },
  };
  const properties: Record<string, JsonSchema> = {};
  for (const [key, header] of Object.entries(DeadLetterHeader) as [DeadLetterHeaderKey, string][]) {
    properties[header] = headers[key];
  }
  return properties;
}

function headersSchema(contract: TopicContract): JsonSchema {
  if (contract.topic === Topic.DeadLetterV1) {
    const cloudEvents = cloudEventHeaders(undefined);
    const failure = deadLetterHeaders();
    return {
      type: 'object',
      description: 'Kafka headers: the original message headers, plus the dlq_* failure context.',
      properties: { ...cloudEvents.properties, ...failure },
      required: Object.keys(failure),
    };
  }
  const cloudEvents = cloudEventHeaders(contract.eventType);
  return {
    type: 'object',
    description: 'Kafka headers: CloudEvents attributes (binary mode) and the W3C trace context.',
    properties: cloudEvents.properties,
    required: cloudEvents.required,
  };
}

// ---------------------------------------------------------------------------------------------------
// Document

export function buildAsyncApiDocument(): AsyncApiDocument {
  const contracts = contractsInOrder();
  const payloads = payloadSchemas();

  const schemas: Record<string, JsonSchema> = {};
  const messages: Record<string, AsyncApiMessage> = {};
  const channels: Record<string, AsyncApiChannel> = {};
  const operations: Record<string, AsyncApiOperation> = {};

  for (const contract of contracts) {
    const name = topicName(contract.topic);
    const id = channelIdOf(contract.topic);
    const title = titleOf(name);
    const payload = payloads[name];
    if (payload === undefined) throw new Error(`no payload schema for ${contract.topic}`);

    schemas[name] = payload;
    schemas[`${name}Headers`] = headersSchema(contract);

    messages[id] = {
      name,
      title,
      summary: contract.summary,
      ...(contract.topic === Topic.DeadLetterV1
        ? { description: deadLetterDescription(contract.eventType) }
        : {}),
      headers: schemaRef(`${name}Headers`),
      payload: schemaRef(name),
      bindings: {
        kafka: { key: { type: 'string', description: contract.key }, bindingVersion: KAFKA_BINDING_VERSION },
      },
    };

    channels[id] = {
      address: contract.topic,
      title,
      summary: contract.summary,
      messages: { [id]: ref(`#/components/messages/${id}`) },
      bindings: {
        kafka: {
          partitions: kafkaDefaults.KAFKA_TOPIC_PARTITIONS,
          replicas: kafkaDefaults.KAFKA_REPLICATION_FACTOR,
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
      'x-producers': [...contract.producers],
      'x-consumers': [...contract.consumers],
    };

    const channel = ref(`#/channels/${id}`);
    const channelMessages = [ref(`#/channels/${id}/messages/${id}`)];
    const anyConsumer = (contract.producers as readonly string[]).includes(ANY_CONSUMER);
    for (const service of sendingServices(contract)) {
      operations[operationIdOf(service, 'send', contract.topic)] = {
        action: 'send',
        channel,
        messages: channelMessages,
        summary: `${service} publishes ${name} to ${contract.topic}.`,
        ...(anyConsumer
          ? {
              description:
                'As a consumer: messages it could not process after its retries are dead-lettered here.',
            }
          : {}),
        'x-service': service,
      };
    }
    for (const service of contract.consumers) {
      operations[operationIdOf(service, 'receive', contract.topic)] = {
        action: 'receive',
        channel,
        messages: channelMessages,
        summary: `${service} consumes ${name} from ${contract.topic}.`,
        'x-service': service,
      };
    }
  }

  const broker = kafkaDefaults.KAFKA_BROKERS[0];
  if (broker === undefined) throw new Error('KAFKA_BROKERS has no default broker');

  return {
    asyncapi: '3.0.0',
    info: { title: 'Newsflow events', version: '1.0.0', description: INFO_DESCRIPTION },
    defaultContentType: CONTENT_TYPE,
    servers: {
      local: {
        host: broker,
        protocol: 'kafka',
        description:
          'Local development broker (`npm start`, `npm run kafka -- start`): the default KAFKA_BROKERS.',
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}

/** docs/asyncapi.yaml as it must be, header comment included. */
export function renderAsyncApiYaml(document: AsyncApiDocument = buildAsyncApiDocument()): string {
  // aliasDuplicateObjects: objects used twice (shared references) are written out each time, never as
  // YAML anchors and aliases. lineWidth 0: no folding of long strings (regexes, descriptions).
  // singleQuote: what Prettier writes, so formatting the repository leaves the file unchanged.
  const yaml = new Document(document, { aliasDuplicateObjects: false });
  yaml.commentBefore = HEADER_COMMENT;
  return yaml.toString({ lineWidth: 0, singleQuote: true });
}

/**
 * Why `actual` (the committed file, or undefined when missing) is not `expected`, with the first
 * differing line and the command to fix it; undefined when they are equal.
 */
export function describeDrift(actual: string | undefined, expected: string): string | undefined {
  if (actual === expected) return undefined;
  const fix = `Run \`${REGENERATE_COMMAND}\` from the workspace root and commit ${ASYNCAPI_PATH}.`;
  if (actual === undefined) return `${ASYNCAPI_PATH} does not exist. ${fix}`;
  const actualLines = actual.split('\n');
  const expectedLines = expected.split('\n');
  let line = 0;
  while (line < actualLines.length && actualLines[line] === expectedLines[line]) line++;
  return [
    `${ASYNCAPI_PATH} is out of date with libs/contracts (first difference at line ${line + 1}).`,
    `  file:      ${actualLines[line] ?? '<end of file>'}`,
    `  generated: ${expectedLines[line] ?? '<end of file>'}`,
    fix,
  ].join('\n');
}
