import { PermanentError, PipelineError, TransientError, classifyError } from './errors';

/** A kafkajs-like error: kafkajs errors carry `retriable` and a name starting with KafkaJS. */
function kafkaJsError(name: string, retriable: boolean, message = `${name} happened`): Error {
  return Object.assign(new Error(message), { name, retriable });
}

/** A pg (node-postgres) DatabaseError-like error: the SQLSTATE is in `code`. */
function pgError(code: string, message = `pg error ${code}`): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

/** A Node.js system error (net, dns): the errno name is in `code`. */
function systemError(code: string, message = `connect ${code} 127.0.0.1:5432`): Error {
  return Object.assign(new Error(message), { code, syscall: 'connect' });
}

describe('classifyError', () => {
  describe('pipeline errors pass through as they are', () => {
    it('keeps a PermanentError code, message and non-retryability', () => {
      const error = new PermanentError('BAD_THING', 'the article has no body');
      expect(classifyError(error)).toEqual({
        code: 'BAD_THING',
        message: 'the article has no body',
        retryable: false,
      });
    });

    it('keeps a TransientError code, message and retryability', () => {
      const error = new TransientError('DOWNSTREAM_BUSY', 'try later');
      expect(classifyError(error)).toEqual({
        code: 'DOWNSTREAM_BUSY',
        message: 'try later',
        retryable: true,
      });
    });

    it('wins over fields that would classify it otherwise', () => {
      // A PermanentError wrapping a transient-looking cause, and carrying a transient SQLSTATE itself.
      const error = Object.assign(
        new PermanentError('NOPE', 'connection timed out, but we know better', {
          cause: pgError('57P01'),
        }),
        { retriable: true },
      );
      expect(classifyError(error)).toEqual({
        code: 'NOPE',
        message: 'connection timed out, but we know better',
        retryable: false,
      });
    });

    it('names its subclasses and keeps the cause', () => {
      const cause = new Error('root');
      const error = new TransientError('X', 'y', { cause });
      expect(error).toBeInstanceOf(PipelineError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('TransientError');
      expect(error.cause).toBe(cause);
      expect(new PermanentError('X', 'y').name).toBe('PermanentError');
    });
  });

  describe('kafkajs errors', () => {
    it('retries a retriable kafkajs error', () => {
      expect(
        classifyError(kafkaJsError('KafkaJSConnectionError', true, 'Connection error: ECONNREFUSED')),
      ).toEqual({
        code: 'KAFKA_ERROR',
        message: 'Connection error: ECONNREFUSED',
        retryable: true,
      });
    });

    it('does not retry a kafkajs error that says it is not retriable', () => {
      expect(classifyError(kafkaJsError('KafkaJSNonRetriableError', false))).toEqual({
        code: 'KAFKA_ERROR',
        message: 'KafkaJSNonRetriableError happened',
        retryable: false,
      });
    });

    it('only trusts `retriable` on errors named Kafka*', () => {
      // Some other library's error with a `retriable` flag is not a kafkajs error.
      const other = Object.assign(new Error('something else'), { name: 'OtherError', retriable: false });
      expect(classifyError(other)).toEqual({
        code: 'UNEXPECTED',
        message: 'something else',
        retryable: true,
      });
    });
  });

  describe('Postgres errors (SQLSTATE)', () => {
    it.each([
      ['57P01', 'admin_shutdown'],
      ['57P03', 'cannot_connect_now'],
      ['08006', 'connection_failure'],
      ['08001', 'sqlclient_unable_to_establish_sqlconnection'],
      ['53300', 'too_many_connections'],
      ['40001', 'serialization_failure'],
      ['40P01', 'deadlock_detected'],
      ['55P03', 'lock_not_available'],
    ])('retries %s (%s)', (code, name) => {
      expect(classifyError(pgError(code, name))).toEqual({
        code: `DB_${code}`,
        message: name,
        retryable: true,
      });
    });

    it.each([
      ['23505', 'unique_violation'],
      ['23502', 'not_null_violation'],
      ['22P02', 'invalid_text_representation'],
      ['42P01', 'undefined_table'],
    ])('does not retry %s (%s)', (code, name) => {
      expect(classifyError(pgError(code, name))).toEqual({
        code: `DB_${code}`,
        message: name,
        retryable: false,
      });
    });

    it('reads the SQLSTATE of a TypeORM QueryFailedError from its driverError', () => {
      const error = Object.assign(new Error('Connection terminated unexpectedly'), {
        name: 'QueryFailedError',
        query: 'INSERT INTO articles ...',
        driverError: pgError('08006'),
      });
      expect(classifyError(error)).toEqual({
        code: 'DB_08006',
        message: 'Connection terminated unexpectedly',
        retryable: true,
      });
    });

    it('keeps a permanent SQLSTATE from a TypeORM QueryFailedError permanent', () => {
      const error = Object.assign(new Error('duplicate key value violates unique constraint'), {
        name: 'QueryFailedError',
        driverError: pgError('23505'),
      });
      expect(classifyError(error)).toMatchObject({ code: 'DB_23505', retryable: false });
    });
  });

  describe('network and timeouts', () => {
    it.each([
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EAI_AGAIN',
      'ENOTFOUND',
      'EHOSTUNREACH',
      'ENETUNREACH',
    ])('retries the system error %s with its own code', (code) => {
      expect(classifyError(systemError(code))).toEqual({
        code,
        message: `connect ${code} 127.0.0.1:5432`,
        retryable: true,
      });
    });

    it.each(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET'])('retries the undici error %s', (code) => {
      expect(classifyError(systemError(code, 'fetch failed'))).toEqual({
        code,
        message: 'fetch failed',
        retryable: true,
      });
    });

    // BUG (libs/kafka/src/lib/errors.ts, classifyError): 'EPIPE' is five upper-case letters, so it matches
    // the SQLSTATE pattern /^[0-9A-Z]{5}$/ before the TRANSIENT_NODE_CODES check is reached, and comes
    // out as { code: 'DB_EPIPE', retryable: false }: a broken socket dead-letters the message at once.
    it('retries EPIPE (a broken socket) like the other transient system errors', () => {
      expect(classifyError(systemError('EPIPE', 'write EPIPE'))).toEqual({
        code: 'EPIPE',
        message: 'write EPIPE',
        retryable: true,
      });
    });

    it.each([
      'Query read timeout',
      'operation timed out after 5000 ms',
      'Connection terminated unexpectedly',
    ])('retries an error whose message says "%s" as TIMEOUT', (message) => {
      expect(classifyError(new Error(message))).toEqual({ code: 'TIMEOUT', message, retryable: true });
    });
  });

  describe('anything else', () => {
    it('retries an unknown Error a bounded number of times as UNEXPECTED', () => {
      expect(classifyError(new Error('cannot read properties of undefined'))).toEqual({
        code: 'UNEXPECTED',
        message: 'cannot read properties of undefined',
        retryable: true,
      });
    });

    it.each([
      ['a string', 'just a string', 'just a string'],
      ['a number', 42, '42'],
      ['null', null, 'null'],
      ['undefined', undefined, 'undefined'],
      ['a plain object', { status: 'error' }, '[object Object]'],
    ])('classifies a thrown non-Error (%s) as UNEXPECTED', (_label, thrown, message) => {
      expect(classifyError(thrown)).toEqual({ code: 'UNEXPECTED', message, retryable: true });
    });

    it('does not mistake a non-SQLSTATE string code for a database error', () => {
      const error = Object.assign(new Error('some library error'), { code: 'ERR_SOMETHING_ELSE' });
      expect(classifyError(error)).toEqual({
        code: 'UNEXPECTED',
        message: 'some library error',
        retryable: true,
      });
    });
  });

  it('retries a Kafka call that kafkajs gave up on after its own retries (a broker outage)', () => {
    const outage = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      originalError: Object.assign(new Error('connect ECONNREFUSED'), {
        name: 'KafkaJSConnectionError',
        retriable: true,
      }),
    });
    expect(classifyError(outage)).toMatchObject({ code: 'KAFKA_ERROR', retryable: true });
  });

  it('keeps a non-retriable Kafka protocol error permanent', () => {
    const invalid = Object.assign(new Error('Invalid record'), {
      name: 'KafkaJSProtocolError',
      retriable: false,
    });
    expect(classifyError(invalid)).toMatchObject({ code: 'KAFKA_ERROR', retryable: false });
  });
});
