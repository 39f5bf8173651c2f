import { Kafka, logLevel } from 'kafkajs';

import { recordingLogger } from '../testing/unit-fakes';

import { createKafkaClient, kafkajsLogCreator } from './client';
import { silentLogger } from './logger';

jest.mock('kafkajs', () => ({ ...jest.requireActual<object>('kafkajs'), Kafka: jest.fn() }));

describe('createKafkaClient', () => {
  it('hands the TLS and SASL settings to kafkajs beside the service’s own', () => {
    createKafkaClient({
      clientId: 'newsflow-storage',
      brokers: ['kafka-1.example:9093'],
      logger: silentLogger,
      connection: {
        ssl: { rejectUnauthorized: true, ca: ['CA PEM'] },
        sasl: { mechanism: 'scram-sha-512', username: 'nf', password: 'pw' },
      },
    });
    expect(jest.mocked(Kafka)).toHaveBeenCalledWith(
      expect.objectContaining({
        clientId: 'newsflow-storage',
        brokers: ['kafka-1.example:9093'],
        ssl: { rejectUnauthorized: true, ca: ['CA PEM'] },
        sasl: { mechanism: 'scram-sha-512', username: 'nf', password: 'pw' },
      }),
    );
  });

  it('leaves kafkajs’s plaintext defaults alone without connection settings', () => {
    createKafkaClient({ clientId: 'c', brokers: ['127.0.0.1:9092'], logger: silentLogger });
    const config = jest.mocked(Kafka).mock.calls.at(-1)?.[0];
    expect(config).not.toHaveProperty('ssl');
    expect(config).not.toHaveProperty('sasl');
  });
});

describe("kafkajs's log lines in the service log", () => {
  const response = (error: string) => ({
    level: logLevel.ERROR,
    log: {
      timestamp: '2026-11-27T11:27:16.670Z',
      logger: 'kafkajs',
      message: 'Response ListOffsets(key: 2, version: 3)',
      broker: '127.0.0.1:9092',
      clientId: 'notification',
      error,
      correlationId: 9,
      size: 691,
    },
  });

  it('logs a broker answer kafkajs retries (a new topic without a serving leader) as a warning', () => {
    const { logger, lines } = recordingLogger();
    const log = kafkajsLogCreator(logger)();
    log(response('This server is not the leader for that topic-partition'));
    log(response('This server does not host this topic-partition'));
    expect(lines.map((line) => line.level)).toEqual(['warn', 'warn']);
    expect(lines[0]?.message).toBe('Response ListOffsets(key: 2, version: 3) (kafkajs retries it)');
    expect(lines[0]?.context).toMatchObject({ kafkajs: { broker: '127.0.0.1:9092', correlationId: 9 } });
  });

  it('keeps every other error an error', () => {
    const { logger, lines } = recordingLogger();
    const log = kafkajsLogCreator(logger)();
    log(response('Not authorized to access topics: [Topic authorization failed]'));
    log({
      ...response('This server is not the leader for that topic-partition'),
      log: {
        ...response('x').log,
        message: 'Crash: KafkaJSNumberOfRetriesExceeded',
        error: 'This server is not the leader for that topic-partition',
      },
    });
    log({ level: logLevel.WARN, log: { ...response('x').log, message: 'a warning' } });
    expect(lines.map((line) => line.level)).toEqual(['error', 'error', 'warn']);
  });
});
