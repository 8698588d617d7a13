// User mode's page tests in generated code (translator/jit/flat.ts), run as wasm against the
// tables runtime/memory/flat.ts keeps, for random page permissions around a few pages and
// random addresses: a test that lets an access go direct must never be wrong (every byte it
// reaches is in a page that allows it, aligned where it must be), and the chunk test refuses
// exactly what its rule says (its one imprecision: the last chunk of a page before a page
// that refuses the access), while the exact test refuses an access that crosses a page.

import fc from 'fast-check';
import { Mem } from '../translator/ir.js';
import { FAST_SPAN, FlatStrategy } from '../translator/jit/flat.js';
import { FuncBody, I32, ModuleBuilder, isShared } from '../translator/wasm/builder.js';
import { FAST_BASE, FAST_STRIDE, FlatMemory, PAGE_SIZE, PERM_BASE, Perm } from '../runtime/memory/flat.js';

const mem = new FlatMemory();
const FIRST = 0x10; // pages FIRST .. FIRST+3 get random permissions
/** Accesses as the code generator asks for their tests: Mem flags and the bytes reached (span). */
const FORMS: [number, number][] = [
  [1, 1],
  [2, 2],
  [Mem.SIGNED | 2, 2],
  [4, 4],
  [2 | Mem.ALIGN, 2],
  [4 | Mem.ALIGN, 4],
  [4 | Mem.ALIGN, 8], // LDRD, a D register's pair
  [4 | Mem.ALIGN8, 8], // LDREXD
  [4 | Mem.ALIGN, 64], // a run of 16 words (LDM/STM)
  [4 | Mem.ALIGN, 256], // wider than a chunk: the exact test
];
const KINDS = [false, true].flatMap((write) => FORMS.map(([flags, span]) => ({ flags, write, span })));

/** One module: per kind, func(addr) -> non-zero when the access must go slow; with the chunk tables, then without. */
function build(strategy: FlatStrategy): ((addr: number) => number)[] {
  const m = new ModuleBuilder();
  m.importMemory('e', 'm', 65536, 65536, isShared(mem.memory));
  KINDS.forEach((k, i) => {
    const f = new FuncBody(1);
    strategy.emitSlowCheck(f, 0, k.flags, k.write, k.span, 0x8000);
    m.export(`k${i}`, m.addFunction([I32], [I32], f));
  });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(m.finish()), { e: { m: mem.memory } });
  return KINDS.map((_, i) => inst.exports[`k${i}`] as (addr: number) => number);
}
const chunked = build(new FlatStrategy(PERM_BASE, true, FAST_BASE, FAST_STRIDE));
const exactStrategy = new FlatStrategy(PERM_BASE, true, FAST_BASE, FAST_STRIDE);
exactStrategy.exact(0x8000 >>> 12);
const exact = build(exactStrategy);

const PROTS = [0, Perm.R, Perm.R | Perm.W, Perm.R | Perm.X, Perm.R | Perm.W | Perm.CODE, Perm.R | Perm.X | Perm.CODE];
const allows = (p: number, write: boolean) => {
  const v = mem.perm[p];
  return write ? (v & (Perm.W | Perm.CODE)) === Perm.W : (v & Perm.R) !== 0;
};

const arb = fc.record({
  prots: fc.array(fc.constantFrom(...PROTS), { minLength: 4, maxLength: 4 }),
  // anywhere in the pages, or near one of their boundaries, where the tests differ
  addr: fc.oneof(
    fc.integer({ min: FIRST * PAGE_SIZE - 300, max: (FIRST + 4) * PAGE_SIZE + 300 }),
    fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: -300, max: 300 })).map(([p, d]) => (FIRST + p) * PAGE_SIZE + d),
  ),
  kind: fc.integer({ min: 0, max: KINDS.length - 1 }),
});

function setUp(prots: number[]): void {
  prots.forEach((v, i) => mem.setPerm(FIRST + i, v));
}

describe('user-mode page tests in generated code', () => {
  test('a direct access is always allowed; the exact test refuses only what is not, and page crossings', () => {
    fc.assert(
      fc.property(arb, ({ prots, addr, kind }) => {
        setUp(prots);
        const k = KINDS[kind]!;
        const size = k.flags & Mem.SIZE_MASK;
        const amask = k.flags & Mem.ALIGN8 ? 7 : k.flags & Mem.ALIGN ? size - 1 : 0;
        const first = addr >>> 12;
        const last = (addr + k.span - 1) >>> 12;
        let legal = (addr & amask) === 0;
        for (let p = first; p <= last; p++) legal &&= allows(p, k.write);
        expect(chunked[kind]!(addr) === 0 ? legal : true).toBe(true);
        // the exact test goes slow only when it must, or when the access crosses a page
        expect(exact[kind]!(addr) === 0).toBe(legal && first === last);
      }),
      { numRuns: Number(process.env.FLAT_CHECK_RUNS ?? 5000) },
    );
  });

  test('the chunk test refuses exactly the chunks its rule names', () => {
    fc.assert(
      fc.property(arb, ({ prots, addr, kind }) => {
        setUp(prots);
        const k = KINDS[kind]!;
        if (k.span > FAST_SPAN) return;
        const size = k.flags & Mem.SIZE_MASK;
        const amask = k.flags & Mem.ALIGN8 ? 7 : k.flags & Mem.ALIGN ? size - 1 : 0;
        const next = (((addr >>> 7) + 1) << 7) >>> 12;
        const want = (addr & amask) === 0 && allows(addr >>> 12, k.write) && allows(next, k.write);
        expect(chunked[kind]!(addr) === 0).toBe(want);
      }),
      { numRuns: Number(process.env.FLAT_CHECK_RUNS ?? 5000) },
    );
  });

  test('unmapping a page refuses the chunk before it again; CODE refuses stores only', () => {
    setUp([Perm.R | Perm.W, Perm.R | Perm.W, 0, 0]);
    const word = KINDS.findIndex((k) => !k.write && k.flags === 4);
    const store = KINDS.findIndex((k) => k.write && k.flags === 4);
    const end = (FIRST + 1) * PAGE_SIZE; // the end of page FIRST
    expect(chunked[word]!(end - 4)).toBe(0);
    expect(chunked[word]!(end + PAGE_SIZE - 4)).not.toBe(0); // page FIRST+1's last chunk: FIRST+2 is unmapped
    mem.setPerm(FIRST + 1, 0);
    expect(chunked[word]!(end - 4)).not.toBe(0);
    expect(chunked[word]!(end - 200)).toBe(0);
    mem.setPerm(FIRST, Perm.R | Perm.W | Perm.CODE);
    expect(chunked[word]!(end - 200)).toBe(0);
    expect(chunked[store]!(end - 200)).not.toBe(0);
    mem.setPerm(FIRST, Perm.R | Perm.W);
    expect(chunked[store]!(end - 200)).toBe(0);
  });
});
