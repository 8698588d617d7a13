// A 64-bit content hash of 32-bit words (two independent 32-bit lanes), for the translation
// store: a guest page's code and a batch's IR are known by it across runs. Not cryptographic;
// `node:crypto` is not loaded for it (a short run's start-up avoids that module).

/** Running hash state: two lanes. */
export class Hash64 {
  lo = 0x9e3779b9 | 0;
  hi = 0x7f4a7c15 | 0;

  /** Mixes in one 32-bit word. */
  word(w: number): this {
    let a = Math.imul(this.lo ^ w, 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    this.lo = (Math.imul(a, 0x1b873593) + 0xe6546b64) | 0;
    let b = Math.imul(this.hi + (w | 0), 0x85ebca6b);
    b ^= b >>> 13;
    this.hi = Math.imul(b, 0xc2b2ae35) ^ ((this.hi << 7) | (this.hi >>> 25));
    return this;
  }

  /** Mixes in `words[start, end)` (word() inlined: a page is 1,024 words, hashed in cold code). */
  words(words: ArrayLike<number>, start = 0, end = words.length): this {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = start; i < end; i++) {
      const w = words[i] | 0;
      let a = Math.imul(lo ^ w, 0xcc9e2d51);
      a = (a << 15) | (a >>> 17);
      lo = (Math.imul(a, 0x1b873593) + 0xe6546b64) | 0;
      let b = Math.imul(hi + w, 0x85ebca6b);
      b ^= b >>> 13;
      hi = Math.imul(b, 0xc2b2ae35) ^ ((hi << 7) | (hi >>> 25));
    }
    this.lo = lo;
    this.hi = hi;
    return this;
  }

  /** The two lanes, finalized (fmix32 of each, crossed). */
  digest(): [number, number] {
    const f = (h: number): number => {
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      return h ^ (h >>> 16);
    };
    const lo = f(this.lo ^ this.hi);
    const hi = f(this.hi + lo);
    return [lo, hi];
  }
}
