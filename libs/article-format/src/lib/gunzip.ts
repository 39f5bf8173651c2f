import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

import { errorMessage } from './error-message';

/** The compressed data is corrupt or truncated. Errors of the source stream itself are not wrapped. */
export class GzipError extends Error {
  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
    this.name = 'GzipError';
  }
}

// Larger than zlib's 16 KiB default: fewer, bigger chunks for the line splitter on multi-GB inputs.
const CHUNK_BYTES = 64 * 1024;

/**
 * Decompresses a stream, with backpressure: the source is read only as fast as the output is consumed,
 * and stopping the iteration early destroys the source. Concatenated gzip members are read as one stream,
 * as gunzip(1) does.
 */
export async function* gunzip(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  // Remembered so that an I/O error of the source is rethrown as itself rather than blamed on the data.
  let sourceFailure: { error: unknown } | undefined;
  let compressedBytes = 0;
  async function* tracked(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for await (const chunk of input) {
        compressedBytes += chunk.byteLength;
        yield chunk;
      }
    } catch (error) {
      sourceFailure = { error };
      throw error;
    }
  }

  // The callback form returns the last stream to iterate; errors also reach it by destroying that
  // stream, so the callback itself has nothing left to do.
  const output = pipeline(tracked(), createGunzip({ chunkSize: CHUNK_BYTES }), () => undefined);
  try {
    for await (const chunk of output) yield chunk as Uint8Array;
  } catch (error) {
    if (sourceFailure !== undefined) throw sourceFailure.error;
    // A zero-byte `.gz` holds no gzip header at all; reporting it as empty helps more than "corrupt".
    if (compressedBytes === 0) return;
    if (isZlibError(error)) throw new GzipError(error);
    throw error;
  }
}

function isZlibError(error: unknown): boolean {
  // zlib errors carry codes such as Z_DATA_ERROR (corrupt) and Z_BUF_ERROR (truncated).
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('Z_');
}
