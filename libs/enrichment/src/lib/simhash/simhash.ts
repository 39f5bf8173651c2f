import { type Token } from '../text/tokenize';

/** FNV-1a, 32 bits, with a seed so two independent halves make up 64 bits. */
function fnv1a(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // Final avalanche (murmur3 fmix32) so nearby inputs spread over all bits.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function mix(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * 64-bit SimHash (Charikar) over word 2-shingles of the lower-cased words, as 16 hex characters:
 * near-duplicate texts differ in few bits.
 */
export function simhash(tokens: readonly Token[]): string {
  // Hash each distinct word once (two seeds), then combine neighbours into shingle hashes.
  const cache = new Map<string, number>();
  const high = new Int32Array(tokens.length);
  const low = new Int32Array(tokens.length);
  let count = 0;
  for (const token of tokens) {
    if (token.kind === 'other') continue;
    let slot = cache.get(token.lower);
    if (slot === undefined) {
      slot = count;
      cache.set(token.lower, slot);
      high[count] = fnv1a(token.lower, 0);
      low[count] = fnv1a(token.lower, 0x9e3779b9);
    } else {
      high[count] = high[slot] ?? 0;
      low[count] = low[slot] ?? 0;
    }
    count++;
  }
  const weights = new Int32Array(64);
  const features = count > 1 ? count - 1 : count;
  for (let i = 0; i < features; i++) {
    const next = count > 1 ? i + 1 : i;
    const h = mix(Math.imul(high[i] ?? 0, 0x9e3779b1) ^ (count > 1 ? (high[next] ?? 0) : 0));
    const l = mix(Math.imul(low[i] ?? 0, 0x85ebca77) ^ (count > 1 ? (low[next] ?? 0) : 0));
    for (let bit = 0; bit < 32; bit++) {
      weights[bit] += (((h >>> bit) & 1) << 1) - 1;
      weights[bit + 32] += (((l >>> bit) & 1) << 1) - 1;
    }
  }
  let hi = 0;
  let lo = 0;
  for (let bit = 0; bit < 32; bit++) {
    if ((weights[bit] ?? 0) > 0) hi |= 1 << bit;
    if ((weights[bit + 32] ?? 0) > 0) lo |= 1 << bit;
  }
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** Number of differing bits between two SimHashes. */
export function hammingDistance(a: string, b: string): number {
  let distance = 0;
  for (let i = 0; i < 16; i += 8) {
    let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      x &= x - 1;
      distance++;
    }
  }
  return distance;
}
