const LF = 0x0a;
const CR = 0x0d;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** One NDJSON line. Offsets are absolute in the byte stream; the line terminator (LF or CRLF) is excluded. */
export type ByteLine =
  | {
      kind: 'line';
      line: number;
      byteStart: number;
      byteEnd: number;
      /** Valid until the next `push`: it may be a view into the pushed chunk. */
      bytes: Uint8Array;
    }
  /** Longer than the limit: its bytes were skipped, never buffered. */
  | { kind: 'oversize'; line: number; byteStart: number; byteEnd: number };

/**
 * Splits a byte stream into LF-terminated lines, chunk by chunk, with bounded memory: at most one line
 * (up to the limit) is buffered, and a longer line is skipped up to its newline. Working on bytes rather
 * than decoded text lets a multi-byte character straddle two chunks, and lets an invalid line be
 * rejected on its own.
 */
export class LineSplitter {
  /** Absolute offset of the next byte to be pushed. */
  private offset = 0;
  private lineNumber = 1;
  private lineStart = 0;
  /** Copies of the current line's bytes from earlier chunks (the caller may reuse its buffers). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private skipping = false;
  private lastByteWasCr = false;
  /** The first bytes of the stream, held back until it is known whether they are a BOM. */
  private head: Uint8Array[] | undefined = [];
  private headBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Total bytes pushed so far, including a BOM. */
  get bytesSeen(): number {
    return this.offset + this.headBytes;
  }

  push(chunk: Uint8Array): ByteLine[] {
    if (this.head !== undefined) {
      // A BOM can arrive split over chunks as small as one byte, so the check waits for three bytes.
      this.head.push(copyOf(chunk));
      this.headBytes += chunk.byteLength;
      if (this.headBytes < UTF8_BOM.length) return [];
      return this.releaseHead();
    }
    return this.scan(chunk);
  }

  /** Flushes the last line, which may lack its newline. */
  end(): ByteLine[] {
    const lines = this.head !== undefined ? this.releaseHead() : [];
    if (this.offset > this.lineStart) lines.push(this.finishLine(this.offset, new Uint8Array(0)));
    return lines;
  }

  private releaseHead(): ByteLine[] {
    const head = concat(this.head ?? [], this.headBytes);
    this.head = undefined;
    this.headBytes = 0;
    // The BOM marks the encoding, it is not part of the first record: line 1 starts after it.
    if (UTF8_BOM.every((byte, index) => head[index] === byte)) {
      this.offset = this.lineStart = UTF8_BOM.length;
      return this.scan(head.subarray(UTF8_BOM.length));
    }
    return this.scan(head);
  }

  private scan(chunk: Uint8Array): ByteLine[] {
    const lines: ByteLine[] = [];
    // A Buffer view (no copy) for its memchr-backed indexOf, much faster than TypedArray's.
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let position = 0;
    while (position < bytes.length) {
      const newline = bytes.indexOf(LF, position);
      const segmentEnd = newline === -1 ? bytes.length : newline;
      if (segmentEnd > position) {
        this.lastByteWasCr = bytes[segmentEnd - 1] === CR;
        // One byte of slack for the CR of a CRLF, which does not count against the limit.
        if (!this.skipping && this.pendingBytes + (segmentEnd - position) > this.maxLineBytes + 1) {
          this.skipping = true;
          this.pending = [];
          this.pendingBytes = 0;
        }
      }
      if (newline === -1) {
        if (!this.skipping && segmentEnd > position) {
          this.pending.push(copyOf(bytes.subarray(position, segmentEnd)));
          this.pendingBytes += segmentEnd - position;
        }
        break;
      }
      lines.push(this.finishLine(this.offset + newline, bytes.subarray(position, segmentEnd)));
      this.lineStart = this.offset + newline + 1;
      position = newline + 1;
    }
    this.offset += bytes.length;
    return lines;
  }

  /** Ends the current line at absolute offset `terminatorAt` (its LF, or the end of the stream). */
  private finishLine(terminatorAt: number, lastSegment: Uint8Array): ByteLine {
    const line = this.lineNumber;
    const byteStart = this.lineStart;
    const byteEnd = terminatorAt - (this.lastByteWasCr ? 1 : 0);
    const tooLong = this.skipping || byteEnd - byteStart > this.maxLineBytes;
    const parts = this.pending;

    this.lineNumber++;
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = false;
    this.lastByteWasCr = false;

    if (tooLong) return { kind: 'oversize', line, byteStart, byteEnd };
    const whole = parts.length === 0 ? lastSegment : concat([...parts, lastSegment]);
    return { kind: 'line', line, byteStart, byteEnd, bytes: whole.subarray(0, byteEnd - byteStart) };
  }
}

function concat(parts: readonly Uint8Array[], totalBytes?: number): Uint8Array {
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, totalBytes);
}

/** A real copy: `Buffer#slice`, unlike `Uint8Array#slice`, returns a view. */
function copyOf(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
