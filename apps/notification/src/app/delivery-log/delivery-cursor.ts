import { BadRequestException } from '@nestjs/common';

/**
 * Position of the last delivery of a page, newest first: its creation time at microsecond precision
 * (as Postgres keeps it; a JavaScript Date would round it and skip or repeat rows) and its id.
 */
export interface DeliveryPosition {
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Cursors are opaque to clients: base64url of `[createdAt, id]`. */
export function encodeDeliveryCursor(position: DeliveryPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodeDeliveryCursor(value: string): DeliveryPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw notACursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw notACursor();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || !TIMESTAMP.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
    throw notACursor();
  }
  if (typeof id !== 'string' || !UUID.test(id)) throw notACursor();
  return { createdAt, id };
}

const notACursor = () => new BadRequestException('cursor: not a cursor returned by this API');
