// Tier 2 under the wasm dispatcher (translator/jit/jit.ts noteSample, jit/reopt.ts): generated
// code stops every so often to be sampled, a region the samples find hot is compiled again
// through the optimizing-compile hook (`--tier2 turbofan`), and the new code runs the same; a
// region retired meanwhile (a write to its page) is not given tier-2 code; and `armvisor run
// --tier2 turbofan`, the default, gives the program's output.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Engine } from '../runtime/exec.js';
import { FlatMemory, Perm, STATE_BASE } from '../runtime/memory/flat.js';
import { flatJitTarget } from '../runtime/memory/flat-jit.js';
import { Exit } from '../translator/ir.js';
import { CpuState } from '../translator/state.js';
import { compileOptimized } from '../cli/v8flags.js';
import { guestPath, requireFile } from './helpers/differential.js';

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
  const e = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0, tier2Insns: 20_000, tier2PerInsn: 0, optimize } });
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

test('a compile that fails leaves the region its tier-1 code, and the run goes on', () => {
  const mem = loopMemory(MOV_R1_1M);
  const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
  const optimize = (): WebAssembly.Module => {
    throw new RangeError('WebAssembly.Module(): out of memory');
  };
  const e = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0, tier2Insns: 20_000, tier2PerInsn: 0, optimize } });
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

test("the CLI's optimizing compile (V8's flags switched around it) gives code that runs the same", () => {
  const mem = loopMemory(MOV_R1_1M);
  const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
  const e = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0, tier2Insns: 20_000, tier2PerInsn: 0, optimize: compileOptimized } });
  cpu.pc = BASE;
  expect(e.run()).toBe(Exit.SVC);
  expect(cpu.i32[0]).toBe(0x100000);
  expect(e.jit!.reopt!.stats.regions).toBe(1);
});

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
