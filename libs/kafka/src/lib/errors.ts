/**
 * Every failure the consumer runtime sees is classified once: transient failures (broker, database or
 * network trouble, timeouts) are worth retrying; permanent ones (bad payload, a bug on one input) are
 * not, and go to the dead-letter topic with their code.
 */
export abstract class PipelineError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The payload can never be processed as it is: retrying would give the same result. */
export class PermanentError extends PipelineError {
  readonly retryable = false;

  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Something outside the message failed; the same message may well succeed later. */
export class TransientError extends PipelineError {
  readonly retryable = true;

  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ClassifiedError {
  code: string;
  message: string;
  retryable: boolean;
}

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const KAFKA_TRANSIENT_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSLockTimeout',
  'KafkaJSStaleTopicMetadataAssignment',
]);

/** Postgres SQLSTATE classes and codes that mean "try again": connection trouble, shutdowns, conflicts. */
function isTransientSqlState(code: string): boolean {
  return (
    code.startsWith('08') || // connection exception
    code.startsWith('53') || // insufficient resources
    code.startsWith('57P') || // operator intervention (admin shutdown, terminate_backend)
    code === '40001' || // serialization failure
    code === '40P01' || // deadlock detected
    code === '55P03' // lock not available
  );
}

function property(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

export function classifyError(error: unknown): ClassifiedError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PipelineError) return { code: error.code, message, retryable: error.retryable };

  // kafkajs errors say themselves whether they are retriable; once kafkajs gives up retrying, the
  // wrapper it throws is marked non-retriable even when the cause (a broker outage) is transient.
  const name = property(error, 'name');
  if (typeof name === 'string' && name.startsWith('KafkaJS')) {
    const cause = property(error, 'originalError') ?? property(error, 'cause');
    const retryable =
      property(error, 'retriable') === true ||
      KAFKA_TRANSIENT_ERRORS.has(name) ||
      (cause !== undefined && classifyError(cause).retryable);
    return { code: 'KAFKA_ERROR', message, retryable };
  }

  // Socket errors first: some (EPIPE) would otherwise pass for a five-character SQLSTATE.
  const code = property(error, 'code') ?? property(property(error, 'driverError'), 'code');
  if (typeof code === 'string' && TRANSIENT_NODE_CODES.has(code)) {
    return { code, message, retryable: true };
  }
  // pg errors carry a SQLSTATE in `code`; TypeORM's QueryFailedError keeps the driver error beside it.
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return { code: `DB_${code}`, message, retryable: isTransientSqlState(code) };
  }
  if (/timeout|timed out|Connection terminated/i.test(message)) {
    return { code: 'TIMEOUT', message, retryable: true };
  }
  // An unknown error may be a bug on this one input or a hiccup: retry it a bounded number of times.
  return { code: 'UNEXPECTED', message, retryable: true };
}
