import { Kafka } from 'kafkajs';

import { createKafkaClient } from './client';
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
