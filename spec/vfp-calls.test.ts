// Tier 1's VFP operations as functions its module shares (translator/jit/vfp-calls.ts): one
// function per form, called from each of its CALLs with the register numbers as the argument;
// the function index the CLI leaves to V8's optimizing compiler skipped; and results the
// interpreter's bit for bit, with registers anywhere in the register file (the function reads
// their numbers at run time).

import fc from 'fast-check';
import wabtInit from 'wabt';
import { Engine } from '../runtime/exec.js';
import { FlatMemory, PAGE_SHIFT, Perm, STATE_BASE } from '../runtime/memory/flat.js';
import { flatJitTarget } from '../runtime/memory/flat-jit.js';
import { buildModule, OPTIMIZED_FUNC_INDEX } from '../translator/jit/module.js';
import { VfpCalls } from '../translator/jit/vfp-calls.js';
import { liftBlock } from '../translator/lift/block.js';
import { Exit, Op } from '../translator/ir.js';
import { CpuState, W } from '../translator/state.js';
import { H, VOp } from '../translator/vfp/helpers.js';
import { INSNS } from './helpers/vfp-encode.js';

const CODE = 0x10000;
const SVC = 0xef000000;
const mem = new FlatMemory();
const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
mem.protect(CODE, 0x1000, Perm.R | Perm.X);
const target = flatJitTarget(mem, cpu);
const interp = new Engine(cpu, mem);
const jit = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0 } });

const insn = (name: string) => INSNS.find(([n]) => n === name)![1];
/**
 * Every form of INSNS in both precisions, on high registers: doubles D13-D15 (a conversion to
 * single writes S26), singles S29-S31 (one to double writes D14); then two of the forms again
 * on other registers.
 */
const WORDS = [
  ...INSNS.map(([, make]) => make(true, 13, 14, 15)),
  ...INSNS.map(([, make]) => make(false, 29, 30, 31)),
  insn('vadd')(true, 2, 3, 31),
  insn('vmul')(false, 5, 6, 7),
];

function load(words: number[]): void {
  words.forEach((w, i) => mem.dv.setUint32(CODE + 4 * i, w, true));
  mem.dv.setUint32(CODE + 4 * words.length, SVC, true);
  for (const e of [interp, jit]) e.invalidatePage(CODE >>> PAGE_SHIFT);
  jit.jit!.dispatcher?.clear();
}

test('one function per form, shared by its CALLs; the index kept for tier 2 skipped', () => {
  const noted: number[] = [];
  const calls = new VfpCalls(STATE_BASE, { helperType: 0, callHelper: (f, id) => f.i32(id).callIndirect(0), noteHelper: (id) => noted.push(id) }, OPTIMIZED_FUNC_INDEX - 1, OPTIMIZED_FUNC_INDEX);
  const at = OPTIMIZED_FUNC_INDEX - 1;
  expect(calls.index(H.dpD, 0x020100, VOp.ADD)).toBe(at);
  expect(calls.index(H.dpD, 0x1f1e1d, VOp.ADD)).toBe(at); // other registers, the same function
  expect(calls.index(H.dpD, 0x020100, VOp.MUL)).toBe(at + 2); // OPTIMIZED_FUNC_INDEX skipped
  expect(calls.index(H.dpS, 0x020100, VOp.ADD)).toBe(at + 3);
  expect(calls.index(H.dpD, 0x020100, VOp.FMA)).toBe(-1); // fused: no inline form
  expect(calls.index(H.fromInt, 0x1 | (0x2 << 8) | (64 << 16), 1)).toBe(-1); // VCVT.F64.S32 stays inline
  expect(calls.index(H.toInt, 0x1 | (0x2 << 8) | (60 << 16), 5)).toBe(-1); // fixed point: the helper
  expect(calls.index(H.toInt, 0x1 | (0x2 << 8) | (64 << 16), 5)).toBe(at + 4); // the fraction bits are part of the form
  expect(calls.made.map((m) => m.index)).toEqual([at, at + 2, at + 3, at + 4]);
  expect(noted).toEqual([H.dpD, H.dpD, H.dpS, H.toInt]);
});

test("a block of every form: a function per form after the region, called from its CALLs, V8's index left empty", async () => {
  load(WORDS);
  const block = liftBlock(mem, CODE, false, 0);
  expect(block.ninsns).toBe(WORDS.length + 1);
  let vfpCalls = 0;
  for (let i = 0; i < block.nops; i++) if (block.code[i * 6] === Op.CALL) vfpCalls++;
  const { bytes } = buildModule([[block]], target, true);
  expect(WebAssembly.validate(bytes)).toBe(true);
  const wabt = await wabtInit();
  const m = wabt.readWasm(bytes, { readDebugNames: true, threads: true });
  m.applyNames();
  const text = m.toText({ foldExprs: false });
  m.destroy();
  const funcs = [...text.matchAll(/^ {2}\(func (\$\S+)?/gm)].map((x) => x[1] ?? '');
  const shared = funcs.filter((n) => n.startsWith('$vfp_'));
  // the region first, then the shared functions, more than enough to pass V8's index
  expect(funcs[0]).toBe('$region0');
  expect(shared.length).toBeGreaterThan(OPTIMIZED_FUNC_INDEX);
  expect(funcs[OPTIMIZED_FUNC_INDEX]!.startsWith('$vfp_')).toBe(false);
  expect(new Set(shared).size).toBe(shared.length);
  // every shared function is called, and only from the region; each call is one CALL of the block
  const region = text.slice(text.indexOf('(func $region0'), text.indexOf('(func', text.indexOf('(func $region0') + 1));
  const called = [...region.matchAll(/call (\$vfp_\S+)/g)].map((x) => x[1]);
  expect(new Set(called)).toEqual(new Set(shared));
  expect(called.length).toBeLessThanOrEqual(vfpCalls);
  expect(called.length).toBe(shared.length + 2); // vadd.f64 and vmul.f32 twice
});

/** A register file of `n` random words and FPSCR; the block run by `e`; the VFP state after it. */
function runOn(e: Engine, regs: number[], fpscr: number): { exit: number; fpscr: number; vfp: number[] } {
  cpu.i32.fill(0, 0, 256);
  cpu.i32[W.EXCL_ADDR] = -1;
  cpu.u32[W.FPSCR] = fpscr;
  cpu.u32[W.FPEXC] = 0x40000000;
  regs.forEach((v, i) => (cpu.u32[W.VFP + i] = v));
  cpu.pc = CODE;
  let exit: number = Exit.NEXT;
  for (let k = 0; k < 10 && exit === Exit.NEXT; k++) exit = e.run(1000);
  return { exit, fpscr: cpu.u32[W.FPSCR], vfp: Array.from(cpu.u32.subarray(W.VFP, W.VFP + 64)) };
}

test('every form on high registers: JIT (shared functions) and interpreter agree bit for bit', () => {
  load(WORDS);
  const word = fc.oneof(fc.integer(), fc.constantFrom(0, 0x80000000, 0x3ff00000, 0x7ff00000, 0x7f800000, 0x00800000, 1));
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 64, maxLength: 64 }),
      // round to nearest with IXC set (the fast paths), or anything
      fc.oneof(fc.constant(0x10), fc.integer({ min: 0, max: 0xffffffff }).map((x) => (x & 0xf7c0009f) >>> 0)),
      (regs, fpscr) => {
        const want = runOn(interp, regs, fpscr);
        expect(want.exit).toBe(Exit.SVC);
        expect(runOn(jit, regs, fpscr)).toEqual(want);
      },
    ),
    { numRuns: 300 },
  );
});
