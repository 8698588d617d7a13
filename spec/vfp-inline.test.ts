// Tier 1's inline VFP code (translator/jit/vfp-inline.ts) against the interpreter, whose VFP
// helpers are the exact reference (softfloat): random short sequences of VFP data-processing
// instructions (F32 and F64 arithmetic, compares, conversions, sign operations, VMRS) from
// random register files rich in edge values (zeros, subnormals, the smallest normal, huge,
// infinities, quiet and signalling NaNs, integer boundaries) and random FPSCR (rounding mode,
// FZ, DN, sticky flags, sometimes LEN/STRIDE), run through the JIT (threshold 0) and through
// the interpreter; D0-D31, FPSCR, APSR, PC and the exit must agree bit for bit. VMSR FPSCR
// in a sequence changes the controls between instructions of one block.

import fc from 'fast-check';
import { Engine } from '../runtime/exec.js';
import { FlatMemory, PAGE_SHIFT, Perm, STATE_BASE } from '../runtime/memory/flat.js';
import { flatJitTarget } from '../runtime/memory/flat-jit.js';
import { disassembleAt } from '../translator/disasm.js';
import { HELPERS } from '../translator/helpers.js';
import { Exit } from '../translator/ir.js';
import { CpuState, W } from '../translator/state.js';
import { H } from '../translator/vfp/helpers.js';
import { INSNS } from './helpers/vfp-encode.js';

const CODE = 0x10000;
const SVC = 0xef000000;
const VMRS_APSR = 0xeef1fa10; // vmrs APSR_nzcv, fpscr
const VMSR_R0 = 0xeee10a10; // vmsr fpscr, r0

const F64_EDGES: [number, number][] = [
  [0, 0], [0x80000000, 0], [0x3ff00000, 0], [0xbff00000, 0], [0x3ff80000, 0], [0x3fb99999, 0x9999999a],
  [0x00100000, 0], [0x80100000, 0], [0x000fffff, 0xffffffff], [0x00000000, 1], [0x80000000, 1], [0x00200000, 0],
  [0x7fefffff, 0xffffffff], [0xffefffff, 0xffffffff], [0x7fe00000, 0], [0x7ff00000, 0], [0xfff00000, 0],
  [0x7ff80000, 0], [0xfff80000, 1], [0x7ff00000, 1], [0x7ff40000, 0],
  [0x41e00000, 0], [0x41dfffff, 0xffe00000], [0xc1e00000, 0], [0xc1e00000, 0x00100000], [0x41efffff, 0xffe00000], [0x41f00000, 0],
  [0xbfe00000, 0], [0x3fe00000, 0], [0x47efffff, 0xe0000000], [0x47efffff, 0xf0000000], [0x38100000, 0], [0x380fffff, 0xf0000000], [0x36a00000, 0],
  [0x3ff00000, 1], [0x20000000, 0], [0x5fe00000, 0],
];
const F32_EDGES: number[] = [
  0, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x3dcccccd, 0x00800000, 0x80800000, 0x007fffff, 1, 0x80000001, 0x01000000,
  0x7f7fffff, 0xff7fffff, 0x7f000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0x7fa00000,
  0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001, 0x4f7fffff, 0x4f800000, 0xbf000000, 0x3f000000, 0x3f800001, 0x1f800000, 0x5f000000,
];

/** A register word pair (hi, lo) for a D register: edges, nice numbers, random bits. */
const dValue = fc.oneof(
  fc.constantFrom(...F64_EDGES),
  fc.tuple(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: -60, max: 60 })).map(([i, e]): [number, number] => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, i * 2 ** e);
    return [dv.getUint32(0), dv.getUint32(4)];
  }),
  fc.tuple(fc.double({ noNaN: false }), fc.constant(0)).map(([v]): [number, number] => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v);
    return [dv.getUint32(0), dv.getUint32(4)];
  }),
  fc.tuple(fc.integer(), fc.integer()).map(([a, b]): [number, number] => [a >>> 0, b >>> 0]),
  // two singles (the S-register view)
  fc.tuple(fc.constantFrom(...F32_EDGES), fc.constantFrom(...F32_EDGES)),
  fc.tuple(fc.float({ noNaN: false }), fc.integer({ min: -(2 ** 20), max: 2 ** 20 })).map(([v, i]): [number, number] => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat32(0, v);
    dv.setFloat32(4, i);
    return [dv.getUint32(0), dv.getUint32(4)];
  }),
);

const fpscr = fc
  .record({
    rmode: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 })),
    fz: fc.integer({ min: 0, max: 3 }).map((x) => (x === 0 ? 1 : 0)),
    dn: fc.integer({ min: 0, max: 3 }).map((x) => (x === 0 ? 1 : 0)),
    ahp: fc.integer({ min: 0, max: 1 }),
    ixc: fc.integer({ min: 0, max: 2 }).map((x) => (x ? 1 : 0)),
    flags: fc.integer({ min: 0, max: 0xff }),
    nzcv: fc.integer({ min: 0, max: 15 }),
    vec: fc.integer({ min: 0, max: 15 }).map((x) => (x === 0 ? 0x00010000 : x === 1 ? 0x00100000 : 0)),
  })
  .map((f) => ((f.nzcv << 28) | (f.ahp << 26) | (f.dn << 25) | (f.fz << 24) | (f.rmode << 22) | f.vec | (f.flags & 0x8f) | (f.ixc << 4)) >>> 0);

const insn = fc
  .tuple(fc.integer({ min: 0, max: INSNS.length + 1 }), fc.boolean(), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }))
  .map(([k, sz, d, n, m]) => {
    if (k === INSNS.length) return { name: 'vmrs', word: VMRS_APSR };
    if (k === INSNS.length + 1) return { name: 'vmsr', word: VMSR_R0 };
    const [name, make] = INSNS[k];
    // D registers 0-3, S registers 0-7: they overlap, so results feed later instructions.
    return { name, word: sz ? make(true, d & 3, n & 3, m & 3) : make(false, d, n, m) };
  });

interface Side {
  exit: number;
  pc: number;
  fpscr: number;
  nzcv: number[];
  vfp: number[];
}

const mem = new FlatMemory();
const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
mem.protect(CODE, 0x1000, Perm.R | Perm.X);
const interp = new Engine(cpu, mem);
const jit = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0 } });
/** Generating code as tier 2 does: D registers in f64 locals (codegen.ts dLocal). */
const jitVfpLocals = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0, vfpLocals: true } });

function runOn(e: Engine, words: number[], d: [number, number][], fpscrIn: number, apsr: number, r0 = 0): Side {
  words.forEach((w, i) => mem.dv.setUint32(CODE + 4 * i, w, true));
  mem.dv.setUint32(CODE + 4 * words.length, SVC, true);
  interp.invalidatePage(CODE >>> PAGE_SHIFT);
  // Every JIT engine on this memory: they share the wasm dispatcher's table in it.
  for (const x of [jit, jitVfpLocals]) {
    x.invalidatePage(CODE >>> PAGE_SHIFT);
    x.jit!.dispatcher?.clear();
  }
  cpu.i32.fill(0, 0, 256);
  cpu.i32[W.EXCL_ADDR] = -1;
  cpu.apsr = apsr;
  cpu.u32[0] = r0;
  cpu.u32[W.FPSCR] = fpscrIn;
  cpu.u32[W.FPEXC] = 0x40000000;
  d.forEach(([hi, lo], i) => {
    cpu.u32[W.VFP + 2 * i] = lo;
    cpu.u32[W.VFP + 2 * i + 1] = hi;
  });
  cpu.pc = CODE;
  let exit: number = Exit.NEXT;
  for (let k = 0; k < 10 && exit === Exit.NEXT; k++) exit = e.run(100);
  return {
    exit,
    pc: cpu.pc,
    fpscr: cpu.u32[W.FPSCR],
    nzcv: [cpu.i32[W.N], cpu.i32[W.Z], cpu.i32[W.C], cpu.i32[W.V]],
    vfp: Array.from(cpu.u32.subarray(W.VFP, W.VFP + 64)),
  };
}

describe('inline VFP code in tier 1', () => {
  test('the test encodings are the instructions they claim to be', () => {
    for (const [name, make] of INSNS)
      for (const sz of [false, true]) {
        mem.dv.setUint32(CODE, make(sz, 1, 2, 3), true);
        const text = disassembleAt(mem, CODE, false);
        expect(text).toMatch(new RegExp(`\\s${name}\\.`));
        expect(text).toMatch(sz ? /\.f64|d\d/ : /\.f32/);
      }
  });

  test('random VFP sequences: JIT and interpreter agree bit for bit', () => {
    fc.assert(
      fc.property(
        fc.array(insn, { minLength: 1, maxLength: 6 }),
        fc.array(dValue, { minLength: 4, maxLength: 4 }),
        fpscr,
        fc.integer({ min: 0, max: 15 }),
        fpscr,
        (prog, d, f, nzcv, r0) => {
          const words = prog.map((p) => p.word);
          const want = runOn(interp, words, d, f, nzcv << 28, r0);
          const got = runOn(jit, words, d, f, nzcv << 28, r0);
          const where = () => `${prog.map((p) => `${p.name} ${p.word.toString(16)}`).join('; ')} fpscr=${f.toString(16)} r0=${r0.toString(16)}`;
          expect({ ...got, where: where() }).toEqual({ ...want, where: where() });
          const tier2 = runOn(jitVfpLocals, words, d, f, nzcv << 28, r0);
          expect({ ...tier2, where: `${where()} (D registers in locals)` }).toEqual({ ...want, where: `${where()} (D registers in locals)` });
        },
      ),
      { numRuns: Number(process.env.VFP_INLINE_RUNS ?? 1500) },
    );
  });

  test('the fast path runs without the helper when it applies, and calls it when it does not', () => {
    const vaddF64 = INSNS.find(([n]) => n === 'vadd')![1](true, 0, 1, 2);
    const h = HELPERS[H.dpD];
    const real = h.fn;
    let calls = 0;
    h.fn = (c, a, b, x, y) => {
      calls++;
      return real(c, a, b, x, y);
    };
    try {
      const one: [number, number] = [0x3ff00000, 0];
      const third: [number, number] = [0x3fd55555, 0x55555555];
      const regs: [number, number][] = [[0, 0], one, third, [0, 0]];
      // IXC set, round to nearest: inline
      const fast = runOn(jit, [vaddF64], regs, 0x10, 0);
      expect(calls).toBe(0);
      expect(fast.vfp.slice(0, 2)).toEqual(runOn(interp, [vaddF64], regs, 0x10, 0).vfp.slice(0, 2));
      calls = 0;
      // IXC clear: the helper decides whether the sum was exact
      const slow = runOn(jit, [vaddF64], regs, 0, 0);
      expect(calls).toBe(1);
      expect(slow.fpscr & 0x10).toBe(0x10);
      calls = 0;
      // an infinite result: the helper (overflow)
      runOn(jit, [vaddF64], [[0, 0], [0x7fefffff, 0xffffffff], [0x7fefffff, 0xffffffff], [0, 0]], 0x10, 0);
      expect(calls).toBe(1);
    } finally {
      h.fn = real;
    }
  });
});
