import { type Admin, type Kafka } from 'kafkajs';

import { type EventPublisher } from '@newsflow/kafka';

export interface DlqOutput {
  /** Results: the table, the JSON, the dead letter shown. */
  out(line: string): void;
  /** Progress, warnings and errors. */
  err(line: string): void;
  /** Asks a yes/no question; absent when nobody can answer (stdin is not a terminal). */
  confirm?(question: string): Promise<boolean>;
}

/** What every command works with, set up once by runDlq. */
export interface DlqContext extends DlqOutput {
  kafka: Kafka;
  admin: Admin;
  dlqTopic: string;
  redrivenTopic: string;
  /** For the redrive log topic, when this tool creates it. */
  replicationFactor: number;
  createTopics: boolean;
  /** Connected on first use, disconnected by runDlq. */
  publisher(): Promise<EventPublisher>;
  now(): Date;
}

export async function topicExists(admin: Admin, topic: string): Promise<boolean> {
  return (await admin.listTopics()).includes(topic);
}
