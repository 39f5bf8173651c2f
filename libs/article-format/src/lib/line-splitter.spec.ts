import fc from 'fast-check';

import { type ByteLine, LineSplitter } from './line-splitter';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);

type Readable =
  | { kind: 'line'; line: number; byteStart: number; byteEnd: number; text: string }
  | Exclude<ByteLine, { kind: 'line' }>;

/** Splits `content` pushed in chunks of `sizes` (cycled), decoding each line right away. */
function split(content: Uint8Array, sizes: readonly number[], maxLineBytes = 1024): Readable[] {
  const splitter = new LineSplitter(maxLineBytes);
  const out: Readable[] = [];
  const take = (lines: ByteLine[]): void => {
    for (const line of lines) {
      out.push(line.kind === 'line' ? { ...withoutBytes(line), text: decode(line.bytes) } : line);
    }
  };
  let position = 0;
  for (let i = 0; position < content.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]);
    // A reused buffer, as some stream implementations do: lines must not keep views of old chunks.
    const chunk = new Uint8Array(size);
    const piece = content.subarray(position, position + size);
    chunk.set(piece);
    take(splitter.push(chunk.subarray(0, piece.length)));
    chunk.fill(0x58);
    position += size;
  }
  take(splitter.end());
  return out;
}

function withoutBytes({ kind, line, byteStart, byteEnd }: Extract<ByteLine, { kind: 'line' }>) {
  return { kind, line, byteStart, byteEnd };
}

describe('LineSplitter', () => {
  it('splits on LF, numbers lines from 1 and gives byte ranges without the terminator', () => {
    expect(split(utf8('ab\ncd\r\n\nlast'), [100])).toEqual([
      { kind: 'line', line: 1, byteStart: 0, byteEnd: 2, text: 'ab' },
      { kind: 'line', line: 2, byteStart: 3, byteEnd: 5, text: 'cd' },
      { kind: 'line', line: 3, byteStart: 7, byteEnd: 7, text: '' },
      { kind: 'line', line: 4, byteStart: 8, byteEnd: 12, text: 'last' },
    ]);
  });

  it('emits nothing after a final newline, and nothing for empty input', () => {
    expect(split(utf8('a\n'), [1])).toEqual([{ kind: 'line', line: 1, byteStart: 0, byteEnd: 1, text: 'a' }]);
    expect(split(new Uint8Array(0), [1])).toEqual([]);
  });

  it('skips a leading BOM, even split over chunks, and starts line 1 after it', () => {
    for (const sizes of [[1], [2], [3], [4], [100]]) {
      expect(split(utf8('\ufeff{}\n{}'), sizes)).toEqual([
        { kind: 'line', line: 1, byteStart: 3, byteEnd: 5, text: '{}' },
        { kind: 'line', line: 2, byteStart: 6, byteEnd: 8, text: '{}' },
      ]);
    }
  });

  it('keeps the first bytes when they only look like the start of a BOM', () => {
    expect(split(Uint8Array.of(0xef, 0xbb), [1])).toEqual([
      { kind: 'line', line: 1, byteStart: 0, byteEnd: 2, text: decode(Uint8Array.of(0xef, 0xbb)) },
    ]);
    expect(split(utf8('ab'), [1])).toEqual([{ kind: 'line', line: 1, byteStart: 0, byteEnd: 2, text: 'ab' }]);
  });

  it('keeps a multi-byte character that straddles two chunks', () => {
    expect(split(utf8('€😀\n'), [1])).toEqual([
      { kind: 'line', line: 1, byteStart: 0, byteEnd: 7, text: '€😀' },
    ]);
  });

  it('reports a line over the limit as oversize, with its full range, and goes on', () => {
    const content = utf8(`short\n${'x'.repeat(50)}\nok\n${'y'.repeat(11)}\n${'z'.repeat(10)}\r\n`);
    for (const sizes of [[1], [7], [4096]]) {
      expect(split(content, sizes, 10)).toEqual([
        { kind: 'line', line: 1, byteStart: 0, byteEnd: 5, text: 'short' },
        { kind: 'oversize', line: 2, byteStart: 6, byteEnd: 56 },
        { kind: 'line', line: 3, byteStart: 57, byteEnd: 59, text: 'ok' },
        // One byte over: it would fit only if the CR slack were counted as content.
        { kind: 'oversize', line: 4, byteStart: 60, byteEnd: 71 },
        // Exactly at the limit, and the CR of its CRLF does not count.
        { kind: 'line', line: 5, byteStart: 72, byteEnd: 82, text: 'z'.repeat(10) },
      ]);
    }
  });

  it('reports an oversize last line without a newline', () => {
    expect(split(utf8(`a\n${'x'.repeat(20)}`), [3], 10)).toEqual([
      { kind: 'line', line: 1, byteStart: 0, byteEnd: 1, text: 'a' },
      { kind: 'oversize', line: 2, byteStart: 2, byteEnd: 22 },
    ]);
  });

  it('gives the same lines for any chunking', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', 'é', '😀', '\n', '\r', '\r\n', ' ', '\ufeff', '{'),
      maxLength: 80,
    });
    fc.assert(
      fc.property(
        text,
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 12 }),
        (value, sizes, limit) => {
          const content = utf8(value);
          expect(split(content, sizes, limit)).toEqual(split(content, [content.length || 1], limit));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never buffers the bytes of an oversize line', () => {
    const splitter = new LineSplitter(16);
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 64; i++) expect(splitter.push(chunk)).toEqual([]);
    // 64 MiB pushed: had the line been kept, at least that much would still be alive.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    expect(splitter.push(utf8('\n{}\n'))).toEqual([
      { kind: 'oversize', line: 1, byteStart: 0, byteEnd: 64 * 1024 * 1024 },
      {
        kind: 'line',
        line: 2,
        byteStart: 64 * 1024 * 1024 + 1,
        byteEnd: 64 * 1024 * 1024 + 3,
        bytes: utf8('{}'),
      },
    ]);
  });
});
