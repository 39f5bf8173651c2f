/**
 * The notification service as its integration suites need it: the real NotificationModule (global
 * API-key guard, migrations, matching index, delivery worker) on a scratch database of DATABASE_URL
 * and the broker of KAFKA_BROKERS, over HTTP on 127.0.0.1, with the same validation and OpenAPI
 * setup as the service.
 */
import { randomBytes } from 'node:crypto';

import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import pino from 'pino';
import { DataSource } from 'typeorm';

import { loadConfig } from '@newsflow/config';
import { scratchDatabase } from '@newsflow/database/testing';

import { ApiKeyRepository } from '../../api-keys/api-key.repository';
import { type NotificationConfig, NotificationConfigSchema } from '../../notification.config';
import { NotificationModule } from '../../notification.module';

export interface NotificationTestApp {
  app: INestApplication;
  baseUrl: string;
  config: NotificationConfig;
  dataSource: DataSource;
  /** A valid API key. */
  apiKey: string;
  /** fetch() against the app with the API key (unless headers say otherwise). */
  request(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    headers: Headers;
    body: unknown;
  }>;
  close(): Promise<void>;
}

export async function startNotificationTestApp(
  suite: string,
  env: Record<string, string> = {},
): Promise<NotificationTestApp> {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set: this suite needs a Kafka broker, e.g. 127.0.0.1:9092');
  const { name, urlFor, admin } = scratchDatabase(suite);
  const config = loadConfig(NotificationConfigSchema, {
    DATABASE_URL: urlFor(name),
    DATABASE_POOL_SIZE: '5',
    KAFKA_BROKERS: brokers,
    KAFKA_GROUP_ID: `notification-${suite}-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'silent',
    NOTIFICATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DELIVERY_POLL_INTERVAL_MS: '100',
    ...env,
  });
  const logger = pino({ level: 'silent' });
  const app = await NestFactory.create(NotificationModule.forRoot(config, logger), { logger: false });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('notification').build());
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const dataSource = app.get(DataSource);
  const { key: apiKey } = await app.get(ApiKeyRepository).create(`${suite} tests`);

  return {
    app,
    baseUrl,
    config,
    dataSource,
    apiKey,
    async request(path, init = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
    },
    async close() {
      await app.close();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
