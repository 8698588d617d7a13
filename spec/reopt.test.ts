// Tier 2 under the wasm dispatcher (translator/jit/jit.ts noteSample, jit/reopt.ts): generated
// code stops every so often to be sampled, a region the samples find hot is compiled again,
// through a synchronous hook or on a worker thread (`--tier2 turbofan`), and the new code runs
// the same; a region retired meanwhile (a write to its page) is not given tier-2 code; tier 2's
// function sits at the index V8 is told to optimize, which tier-1 modules leave empty; and
// `armvisor run --tier2 turbofan`, the default, gives the program's output, with V8's
// optimizing compiler compiling that function.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Engine } from '../runtime/exec.js';
import { FlatMemory, Perm, STATE_BASE } from '../runtime/memory/flat.js';
import { flatJitTarget } from '../runtime/memory/flat-jit.js';
import { Exit } from '../translator/ir.js';
import { CpuState } from '../translator/state.js';
import { buildModule, OPTIMIZED_FUNC_INDEX } from '../translator/jit/module.js';
import { IRBuilder, type IRBlock } from '../translator/ir.js';
import { W } from '../translator/state.js';
import { guestPath, requireFile } from './helpers/differential.js';
import wabtInit from 'wabt';
import { WABT_FEATURES } from '../translator/jit/wat.js';

const BASE = 0x10000;
const main = path.join(path.resolve(path.dirname(new URL(import.meta.url).pathname), '..'), 'dist', 'cli', 'main.js');

/** mov r0, #0; mov r1, #N (N = imm8 ror rot); loop: add r0, r0, #1; subs r1, r1, #1; bne loop; svc 0 */
function loopMemory(movR1: number): FlatMemory {
  const mem = new FlatMemory();
  mem.setPerm(BASE >>> 12, Perm.R | Perm.X);
  [0xe3a00000, movR1, 0xe2800001, 0xe2511001, 0x1afffffc, 0xef000000].forEach((w, i) => mem.dv.setUint32(BASE + 4 * i, w >>> 0, true));
  return mem;
}
const MOV_R1_1M = 0xe3a01601; // mov r1, #0x100000
const MOV_R1_64K = 0xe3a01801; // mov r1, #0x10000

function engine(mem: FlatMemory, compiled: Uint8Array[]) {
  const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
  const optimize = (bytes: Uint8Array<ArrayBuffer>) => {
    compiled.push(bytes);
    return new WebAssembly.Module(bytes);
  };
  const e = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0, tier2Insns: 20_000, tier2PerInsn: 0, tier2Start: 0, optimize } });
  return { cpu, e };
}

test('a region the samples find hot is compiled again through the hook, once, and runs the same', () => {
  const compiled: Uint8Array[] = [];
  const mem = loopMemory(MOV_R1_1M);
  const { cpu, e } = engine(mem, compiled);
  expect(e.jit!.dispatcher).not.toBeNull(); // the wasm dispatcher runs the loop: only samples see it
  expect(e.jit!.samplePeriod).toBe(5000);
  cpu.pc = BASE;
  expect(e.run()).toBe(Exit.SVC);
  expect(cpu.i32[0]).toBe(0x100000);
  expect(e.jit!.reopt!.stats.regions).toBe(1);
  expect(compiled).toHaveLength(1);
  // The module carries its serial number, so V8 cannot hand back the tier-1 compile of the same bytes.
  expect(Buffer.from(compiled[0]).includes(Buffer.from('armvisor.reopt'))).toBe(true);
  // The loop now runs the tier-2 code: again from the start, the same result, no more compiles.
  cpu.pc = BASE;
  expect(e.run()).toBe(Exit.SVC);
  expect(cpu.i32[0]).toBe(0x100000);
  expect(e.jit!.reopt!.stats.regions).toBe(1);
});

test('a program that makes a syscall every few instructions is still sampled, and its loop goes to tier 2', () => {
  // loop: add r0, r0, #1; svc 0; subs r1, r1, #1; bne loop (the engine returns at every svc)
  const mem = new FlatMemory();
  mem.setPerm(BASE >>> 12, Perm.R | Perm.X);
  [0xe3a00000, MOV_R1_64K, 0xe2800001, 0xef000000, 0xe2511001, 0x1afffffb, 0xef000000].forEach((w, i) => mem.dv.setUint32(BASE + 4 * i, w >>> 0, true));
  const compiled: Uint8Array[] = [];
  const { cpu, e } = engine(mem, compiled);
  cpu.pc = BASE;
  let calls = 0;
  while (e.run() === Exit.SVC && cpu.pc !== BASE + 28) calls++;
  expect(calls).toBe(0x10000);
  expect(cpu.i32[0]).toBe(0x10000);
  expect(compiled).toHaveLength(1);
  expect(e.jit!.reopt!.stats.regions).toBe(1);
});

test('a compile that fails leaves the region its tier-1 code, and the run goes on', () => {
  const mem = loopMemory(MOV_R1_1M);
  const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
  const optimize = (): WebAssembly.Module => {
    throw new RangeError('WebAssembly.Module(): out of memory');
  };
  const e = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0, tier2Insns: 20_000, tier2PerInsn: 0, tier2Start: 0, optimize } });
  cpu.pc = BASE;
  expect(e.run()).toBe(Exit.SVC);
  expect(cpu.i32[0]).toBe(0x100000);
  expect(e.jit!.reopt!.stats).toMatchObject({ regions: 0, failed: 1 });
});

test('no tier 2: generated code is not stopped for samples', () => {
  const mem = loopMemory(MOV_R1_64K);
  const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
  const e = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0 } });
  expect(e.jit!.samplePeriod).toBe(0);
  expect(e.jit!.reopt).toBeNull();
  cpu.pc = BASE;
  expect(e.run()).toBe(Exit.SVC);
  expect(cpu.i32[0]).toBe(0x10000);
});

test('tier-2 code is not installed in a region retired since it was sent (its page was written)', () => {
  const mem = loopMemory(MOV_R1_64K);
  const { cpu, e } = engine(mem, []);
  cpu.pc = BASE;
  expect(e.run()).toBe(Exit.SVC);
  const jit = e.jit!;
  const own = jit.blocksOnPage(BASE >>> 12).filter((x) => x.region !== null);
  expect(own.length).toBeGreaterThan(0);
  const g = own[0].group!;
  const fn = own[0].region!;
  expect(jit.installOptimized(g, fn, g.entries)).toBe(true);
  jit.forget(own, BASE >>> 12);
  expect(own[0].region).toBeNull();
  expect(jit.installOptimized(g, fn, g.entries)).toBe(false);
  expect(own[0].region).toBeNull();
});

/** Polls `e`'s tier 2 until nothing is in flight (the worker answers on its own thread). */
async function settle(e: Engine): Promise<void> {
  const until = Date.now() + 20_000;
  while (e.jit!.reopt!.inFlight > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 5));
    e.jit!.pollTier2();
  }
}

/**
 * Two loops of 1M iterations on two pages: r0 counts both. The run's first region for tier 2
 * compiles on the main thread, the second on the worker.
 */
function twoLoopMemory(): FlatMemory {
  const mem = loopMemory(MOV_R1_1M);
  mem.dv.setUint32(BASE + 20, 0xea0003f9, true); // b BASE + 0x1000 (instead of svc)
  mem.setPerm((BASE + 0x1000) >>> 12, Perm.R | Perm.X);
  [MOV_R1_1M, 0xe2800001, 0xe2511001, 0x1afffffc, 0xef000000].forEach((w, i) => mem.dv.setUint32(BASE + 0x1000 + 4 * i, w >>> 0, true));
  return mem;
}

function workerEngine(mem: FlatMemory) {
  const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
  const e = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0, tier2Insns: 20_000, tier2PerInsn: 0, tier2Start: 0, optimize: 'worker' } });
  return { cpu, e, jit: e.jit! };
}

test('on a worker thread: the first region compiles at once, the next there and is installed at a later poll; both run the same', async () => {
  const { cpu, e, jit } = workerEngine(twoLoopMemory());
  try {
    cpu.pc = BASE;
    expect(e.run()).toBe(Exit.SVC);
    expect(cpu.i32[0]).toBe(0x200000);
    await settle(e);
    expect(jit.reopt!.stats).toMatchObject({ regions: 2, failed: 0, stale: 0 });
    expect(jit.reopt!.stats.workerMs).toBeGreaterThan(0);
    for (const page of [BASE >>> 12, (BASE >>> 12) + 1]) expect(jit.blocksOnPage(page).some((x) => x.region !== null)).toBe(true);
    cpu.pc = BASE;
    expect(e.run()).toBe(Exit.SVC);
    expect(cpu.i32[0]).toBe(0x200000);
    expect(jit.reopt!.stats.regions).toBe(2);
  } finally {
    jit.reopt!.stop();
  }
});

test('on a worker thread: a region retired while its compile is out does not get the result', async () => {
  const { cpu, e, jit } = workerEngine(twoLoopMemory());
  try {
    const poll = jit.pollTier2.bind(jit);
    jit.pollTier2 = () => {}; // nothing comes back during the run
    cpu.pc = BASE;
    expect(e.run()).toBe(Exit.SVC);
    expect(jit.reopt!.inFlight).toBe(1);
    const second = (BASE >>> 12) + 1;
    jit.forget(jit.blocksOnPage(second), second);
    jit.pollTier2 = poll;
    await settle(e);
    expect(jit.reopt!.stats).toMatchObject({ regions: 1, stale: 1 });
    expect(jit.blocksOnPage(second).every((x) => x.region === null)).toBe(true);
  } finally {
    jit.reopt!.stop();
  }
});

let wabt: Awaited<ReturnType<typeof wabtInit>>;
beforeAll(async () => {
  wabt = await wabtInit();
});

/** The function index export `name` of module `bytes` refers to. */
function exportIndex(bytes: Uint8Array, name: string): number {
  const mod = wabt.readWasm(bytes, { readDebugNames: false, ...WABT_FEATURES });
  const text = mod.toText({});
  mod.destroy();
  const m = new RegExp(`\\(export "${name}" \\(func (\\d+)\\)\\)`).exec(text);
  if (!m) throw new Error(`no export ${name}`);
  return Number(m[1]);
}

/** A block at `pc` that sets r0 and leaves for `pc + 4`. */
function tinyBlock(pc: number): IRBlock {
  const b = new IRBuilder();
  b.insn(pc, 4);
  b.set(0, b.const(pc));
  b.set(W.PC, b.const(pc + 4));
  b.exit(Exit.NEXT);
  return b.finish(pc, false, 0, 1, pc + 4);
}

test("tier 2's function sits at OPTIMIZED_FUNC_INDEX, which tier-1 modules leave to an empty function", () => {
  const mem = new FlatMemory();
  const target = flatJitTarget(mem, new CpuState(mem.memory.buffer, STATE_BASE));
  const t2 = buildModule([[tinyBlock(BASE)]], target, false, true, true);
  expect(exportIndex(t2.bytes, 'r0')).toBe(OPTIMIZED_FUNC_INDEX);
  // 40 regions in one tier-1 module: none of them at that index, and all of them run.
  const regions = Array.from({ length: 40 }, (_, i) => [tinyBlock(BASE + 8 * i)]);
  const t1 = buildModule(regions, target);
  const indices = regions.map((_, i) => exportIndex(t1.bytes, `r${i}`));
  expect(indices).not.toContain(OPTIMIZED_FUNC_INDEX);
  expect(new Set(indices).size).toBe(40);
  expect(() => new WebAssembly.Module(t1.bytes)).not.toThrow();
});

test('armvisor run, no --profile: a long run gets tier 2, which V8 compiles at OPTIMIZED_FUNC_INDEX with TurboFan, and the output is right', () => {
  const prog = guestPath('hash', 'arm');
  requireFile(prog, 'the hash guest');
  // 40 rounds: ~300M guest instructions, past tier2Start. V8 prints its compiles on stdout.
  const args = [main, 'run', '--translation-cache', 'off', prog, '40', '128'];
  const on = spawnSync(process.execPath, ['--trace-wasm-compilation-times', ...args], { encoding: 'utf8' });
  const off = spawnSync(process.execPath, [main, 'run', '--translation-cache', 'off', '--tier2', 'off', prog, '40', '128'], { encoding: 'utf8' });
  expect(on.status).toBe(0);
  expect(off.status).toBe(0);
  // (Unbundled, the flags are set at the first region compile: V8 may have tiered the wasm dispatcher up before.)
  expect(on.stdout).toContain(`#${OPTIMIZED_FUNC_INDEX} using TurboFan`);
  expect(on.stdout.split('\n').filter((l) => !l.startsWith('Compiled function')).join('\n')).toBe(off.stdout);
}, 60_000);

test('armvisor run --tier2 turbofan (the default) gives the program its output', () => {
  const prog = guestPath('hash', 'arm');
  requireFile(prog, 'the hash guest');
  const run = (tier2: string) =>
    spawnSync(process.execPath, [main, 'run', '--translation-cache', 'off', '--tier2', tier2, '--profile', prog, '4', '128'], { encoding: 'utf8' });
  const off = run('off');
  const on = run('turbofan');
  expect(off.status).toBe(0);
  expect(on.status).toBe(0);
  expect(on.stdout).toBe(off.stdout);
  expect(on.stderr).toMatch(/tier-2 compile .*regions again, by V8's optimizing compiler/);
  expect(off.stderr).not.toMatch(/tier-2 compile/);
  // turbofan is the default
  const byDefault = spawnSync(process.execPath, [main, 'run', '--translation-cache', 'off', '--profile', prog, '4', '128'], { encoding: 'utf8' });
  expect(byDefault.status).toBe(0);
  expect(byDefault.stderr).toMatch(/tier-2 compile/);
  const bad = run('sometimes');
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toMatch(/--tier2/);
  expect(bad.stderr).not.toMatch(/at .*\.js:\d+/);
});
