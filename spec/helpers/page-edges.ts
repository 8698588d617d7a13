// A user-mode machine for memory-access tests at page edges, run through the interpreter and
// the JIT (threshold 0) from one state: A32 words at CODE (an SVC appended), a data area of two
// read-write pages between an unmapped page below and a read-only page above it (then an
// unmapped one), filled from a seed. Tests compare what both engines leave (runPageEdges).

import fc from 'fast-check';
import { Engine } from '../../runtime/exec.js';
import { FlatMemory, PAGE_SHIFT, Perm, STATE_BASE } from '../../runtime/memory/flat.js';
import { flatJitTarget } from '../../runtime/memory/flat-jit.js';
import { Exit } from '../../translator/ir.js';
import { CpuState, W } from '../../translator/state.js';

export const CODE = 0x10000;
const SVC = 0xef000000;
/** Data: 0x20000 unmapped, 0x21000-0x22fff read-write, 0x23000 read-only, 0x24000 unmapped. */
export const DATA = 0x21000;
export const DATA_LEN = 0x2000;

export const mem = new FlatMemory();
export const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
mem.protect(CODE, 0x1000, Perm.R | Perm.X);
mem.protect(DATA, DATA_LEN, Perm.R | Perm.W);
mem.protect(DATA + DATA_LEN, 0x1000, Perm.R);
export const interp = new Engine(cpu, mem);
export const jit = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0 } });
/** The JIT generating code as tier 2 does (D registers in f64 locals: codegen.ts dLocal). */
export const jitVfpLocals = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0, vfpLocals: true } });

/** What a run left: its exit, PC, fault address, the data area's words. */
export interface EdgeRun {
  exit: number;
  pc: number;
  fault: number;
  data: number[];
}

/**
 * Runs `words` under engine `e`: data from `seed`, the state block zeroed, then `setup` sets
 * the registers; until the first exit other than NEXT.
 */
export function runPageEdges(e: Engine, words: number[], seed: number, setup: () => void): EdgeRun {
  words.forEach((w, i) => mem.dv.setUint32(CODE + 4 * i, w, true));
  mem.dv.setUint32(CODE + 4 * words.length, SVC, true);
  interp.invalidatePage(CODE >>> PAGE_SHIFT);
  // Every JIT engine on this memory: they share the wasm dispatcher's table in it.
  for (const x of [jit, jitVfpLocals]) {
    x.invalidatePage(CODE >>> PAGE_SHIFT);
    x.jit!.dispatcher?.clear();
  }
  for (let a = 0; a < DATA_LEN + 0x1000; a += 4) mem.dv.setUint32(DATA + a, Math.imul(a + seed, 0x9e3779b1) >>> 0, true);
  cpu.i32.fill(0, 0, 256);
  cpu.i32[W.EXCL_ADDR] = -1;
  setup();
  cpu.pc = CODE;
  let exit: number = Exit.NEXT;
  for (let k = 0; k < 10 && exit === Exit.NEXT; k++) exit = e.run(100);
  const data: number[] = [];
  for (let a = 0; a < DATA_LEN; a += 4) data.push(mem.dv.getUint32(DATA + a, true));
  return { exit, pc: cpu.pc, fault: exit === Exit.DATA_ABORT || exit === Exit.ALIGN_FAULT ? cpu.u32[W.FAULT_ADDR] : 0, data };
}

/** An instruction of a random program: its mnemonic (for the failure message) and its word. */
export interface EdgeInsn {
  name: string;
  word: number;
}

/**
 * The property both page-edge suites check: a program of 1..`maxLength` random `insn`s, with
 * three base registers from `base`, leaves the same state under the interpreter and the JIT
 * (`runOn`: what the test compares of a run of `e`).
 */
export function enginesAgree<T extends object>(
  insn: fc.Arbitrary<EdgeInsn>,
  maxLength: number,
  base: fc.Arbitrary<number>,
  runOn: (e: Engine, words: number[], seed: number, bases: number[]) => T,
  engine: Engine = jit,
): fc.IPropertyWithHooks<[EdgeInsn[], number[], number]> {
  return fc.property(fc.array(insn, { minLength: 1, maxLength }), fc.array(base, { minLength: 3, maxLength: 3 }), fc.integer(), (prog, bases, seed) => {
    const words = prog.map((p) => p.word);
    const want = runOn(interp, words, seed, bases);
    const got = runOn(engine, words, seed, bases);
    const where = `${prog.map((p) => `${p.name} ${p.word.toString(16)}`).join('; ')} bases=${bases.map((b) => b.toString(16))}`;
    expect({ ...got, where }).toEqual({ ...want, where });
  });
}

/** What a run left, with the core registers r0-r14. */
export interface CoreEdgeRun extends EdgeRun {
  regs: number[];
}

/** runPageEdges with r3-r12 from the seed and r0-r2 the three `bases`; the core registers too. */
export function runWithBases(e: Engine, words: number[], seed: number, bases: number[]): CoreEdgeRun {
  const r = runPageEdges(e, words, seed, () => {
    for (let i = 3; i < 13; i++) cpu.u32[i] = Math.imul(i, seed | 1) >>> 0;
    bases.forEach((b, i) => (cpu.u32[i] = b));
  });
  return { ...r, regs: Array.from(cpu.u32.subarray(0, 15)) };
}

/**
 * Base addresses around the data area's page boundaries: one of `edges`, a word address in
 * `words` or any address in `bytes` (inclusive ranges).
 */
export function basesNear(edges: number[], words: [number, number], bytes: [number, number]): fc.Arbitrary<number> {
  return fc.oneof(fc.constantFrom(...edges), fc.integer({ min: words[0] / 4, max: words[1] / 4 }).map((x) => x * 4), fc.integer({ min: bytes[0], max: bytes[1] }));
}
