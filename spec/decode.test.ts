// The decoders' fast paths against the tables themselves: a decode goes through a key gathered
// from runs of instruction bits, a bucket of the rows compatible with that key, and a cache of
// results that starts small and grows (translator/decode/pattern.ts, tables.ts). Each must give
// what a plain scan of the table in row order gives: the first row whose fixed bits match and
// whose constraints hold.
import fc from 'fast-check';
import { extractor, type Args, type Decoder, type DecodeEnv } from '../translator/decode/pattern.js';
import { A32, A32_UNCOND, T16, T32, decodeArm, decodeThumbAt, isThumb32 } from '../translator/decode/tables.js';

const ARM_ENV: DecodeEnv = { inIT: false, lastInIT: true };
const THUMB_ENVS: DecodeEnv[] = [
  { inIT: false, lastInIT: true },
  { inIT: true, lastInIT: false },
  { inIT: true, lastInIT: true },
];

/** The first row of `d` matching `insn`, by a scan of every row in table order. */
function scan(d: Decoder, insn: number, env: DecodeEnv): { name: string; args: Args } | null {
  for (const c of d.rows) {
    if ((insn & c.mask) !== c.bits) continue;
    const args = extractor(c)(insn);
    if (c.row.when && !c.row.when(args)) continue;
    if (c.row.expand && c.row.expand(args, env) === false) continue;
    return { name: c.row.name, args };
  }
  return null;
}

const named = (r: { row: { name: string }; args: Args } | null) => (r ? { name: r.row.name, args: r.args } : null);

test('A32: the bucketed and cached decode is the table scanned in order (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (insn) => {
      const d = insn >>> 28 === 15 ? A32_UNCOND : A32;
      const want = scan(d, insn | 0, ARM_ENV);
      expect(named(d.decode(insn, ARM_ENV))).toEqual(want);
      // Through the cache: the first decode fills a slot, the second reads it.
      expect(named(decodeArm(insn))).toEqual(want);
      expect(named(decodeArm(insn))).toEqual(want);
    }),
    { numRuns: 3000 },
  );
});

test('Thumb: the bucketed and cached decode is the table scanned in order, at each IT position (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 }), (word, e) => {
      const hw1 = word >>> 16;
      const wide = isThumb32(hw1);
      const insn = wide ? word >>> 0 : hw1;
      const want = scan(wide ? T32 : T16, insn | 0, THUMB_ENVS[e]);
      expect(named((wide ? T32 : T16).decode(insn, THUMB_ENVS[e]))).toEqual(want);
      expect(named(decodeThumbAt(insn, wide ? 4 : 2, e))).toEqual(want);
      expect(named(decodeThumbAt(insn, wide ? 4 : 2, e))).toEqual(want);
    }),
    { numRuns: 3000 },
  );
});

test('the decode caches keep their results while they grow', () => {
  // Enough distinct encodings to grow each cache several times over (from 4k slots).
  const words: number[] = [];
  let x = 0x2545f491;
  for (let i = 0; i < 40000; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words.push(x >>> 0);
  }
  const first = words.map((w) => named(decodeArm(w)));
  const again = words.map((w) => named(decodeArm(w)));
  expect(again).toEqual(first);
  const thumbFirst = words.map((w) => named(decodeThumbAt(w, 4, 0)));
  expect(words.map((w) => named(decodeThumbAt(w, 4, 0)))).toEqual(thumbFirst);
  // And they are what the tables say.
  for (let i = 0; i < words.length; i += 97) {
    const w = words[i];
    expect(first[i]).toEqual(scan(w >>> 28 === 15 ? A32_UNCOND : A32, w | 0, ARM_ENV));
  }
});
