// Deterministic generated inputs for the real-program tests and the CPU benchmark: text that
// looks like a log or a word list (for sort, sed, awk, compressors) and binary data with a mix
// of structure and noise. The same seed always gives the same bytes.

/** xorshift32: small, fast and fully determined by its seed. */
export class Xorshift32 {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.s = x >>> 0);
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'an', 'el', 'or', 'qu', 'ph', 'st', 'ch', 'ya', 'ou'];
const LEVELS = ['INFO', 'WARN', 'ERROR', 'DEBUG', 'TRACE'];

function word(r: Xorshift32): string {
  let w = '';
  const n = 1 + r.below(4);
  for (let i = 0; i < n; i++) w += SYLLABLES[r.below(SYLLABLES.length)];
  return r.below(7) === 0 ? w[0]!.toUpperCase() + w.slice(1) : w;
}

/**
 * At least `bytes` of text (whole lines): lines of `<n> <LEVEL> <key>=<value> words...`, with repeated
 * vocabulary (so it compresses), numbers (for awk and sort -n) and punctuation.
 */
export function makeText(bytes: number, seed = 1): Buffer {
  const r = new Xorshift32(seed);
  const lines: string[] = [];
  let size = 0;
  for (let n = 1; size < bytes; n++) {
    const parts = [String(r.below(100000)), LEVELS[r.below(LEVELS.length)]!, `${word(r)}=${r.below(1000) - 500}`];
    const words = 2 + r.below(10);
    for (let i = 0; i < words; i++) parts.push(word(r));
    if (r.below(5) === 0) parts.push(`(${(r.next() / 4294967296).toFixed(6)})`);
    const line = parts.join(r.below(9) === 0 ? '\t' : ' ');
    lines.push(line);
    size += line.length + 1;
  }
  return Buffer.from(lines.join('\n') + '\n', 'latin1');
}

/**
 * `bytes` of binary data: runs of repeated bytes, little-endian counters, copies of earlier
 * stretches and pure noise, in random order (all byte values occur).
 */
export function makeBinary(bytes: number, seed = 2): Buffer {
  const r = new Xorshift32(seed);
  const b = Buffer.alloc(bytes);
  let i = 0;
  while (i < bytes) {
    const len = Math.min(bytes - i, 16 + r.below(2048));
    switch (r.below(4)) {
      case 0:
        b.fill(r.below(256), i, i + len);
        break;
      case 1:
        for (let k = 0; k < len; k++) b[i + k] = ((i + k) >> ((k & 3) * 8)) & 0xff;
        break;
      case 2:
        if (i > len) {
          const src = r.below(i - len);
          b.copy(b, i, src, src + len);
        } else {
          for (let k = 0; k < len; k++) b[i + k] = r.next() & 0xff;
        }
        break;
      default:
        for (let k = 0; k < len; k++) b[i + k] = r.next() & 0xff;
    }
    i += len;
  }
  return b;
}
