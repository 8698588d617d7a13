// The Linux user-mode gdb target in process, on our bploop guest (spec/guests/bploop.S, A32
// and Thumb-2): breakpoints stop exactly at every call under the JIT and the interpreter,
// also when set in code already compiled; single steps; memory writes into compiled code.

import * as fs from 'node:fs';
import { LinuxProcess } from '../runtime/linux/process.js';
import { LinuxGdbTarget } from '../runtime/linux/gdb-target.js';
import { elfSymbols } from '../runtime/symbols.js';
import { REG_CPSR, REG_D0 } from '../runtime/gdb/arm-regs.js';
import type { StopEvent } from '../runtime/gdb/target.js';
import { guestPath, requireFile } from './helpers/differential.js';

const ITERATIONS = 3000;
const EXIT_STATUS = (ITERATIONS + ITERATIONS) & 0xff; // r4 + r6

type Isa = 'arm' | 'thumb';

function start(isa: Isa, engine: 'jit' | 'interp') {
  const prog = guestPath('bploop', isa);
  requireFile(prog, 'bploop guest');
  const syms = elfSymbols(fs.readFileSync(prog));
  const sym = (n: string) => {
    const a = syms.addressOf(n);
    if (a === null) throw new Error(`no symbol ${n} in ${prog}`);
    return a;
  };
  // A low threshold: the loop is compiled after a few iterations.
  const proc = new LinuxProcess({ program: prog, argv: [prog], env: [], engine, engineOptions: { jitOptions: { threshold: 50, batch: 1 } }, log: () => {} });
  const target = new LinuxGdbTarget(proc);
  const reg = (n: number) => new DataView(target.readRegister(n).buffer).getUint32(0, true);
  const d0 = () => new DataView(target.readRegister(REG_D0).buffer).getFloat64(0, true);
  return { proc, target, reg, d0, bump: sym('bump'), loop: sym('loop'), entry: sym('_start') };
}

/** resume() until it reports a stop. */
function cont(target: LinuxGdbTarget): StopEvent {
  for (;;) {
    const ev = target.resume(20_000);
    if (ev) return ev;
  }
}

const regions = (proc: LinuxProcess) => proc.engine.jit?.stats.regions ?? 0;

for (const isa of ['arm', 'thumb'] as const) {
  for (const engine of ['jit', 'interp'] as const) {
    describe(`bploop-${isa}, --engine ${engine}`, () => {
      test('a breakpoint on bump stops at each of its calls, with that call’s state', () => {
        const g = start(isa, engine);
        g.target.setBreakpoints(new Set([g.bump]));
        let k = 0;
        let ev = cont(g.target);
        while (ev.kind === 'stopped') {
          expect(ev).toEqual({ kind: 'stopped', signal: 5, breakpoint: g.bump });
          if (g.reg(15) !== g.bump || g.reg(4) !== k || g.reg(5) !== ITERATIONS - k || g.d0() !== 1 + 0.5 * k) {
            throw new Error(`stop ${k}: pc=${g.reg(15).toString(16)} r4=${g.reg(4)} r5=${g.reg(5)} d0=${g.d0()}`);
          }
          k++;
          ev = cont(g.target);
        }
        expect(k).toBe(ITERATIONS);
        expect(ev).toEqual({ kind: 'exited', status: EXIT_STATUS });
        if (engine === 'jit') expect(regions(g.proc)).toBeGreaterThan(0); // the loop around it was compiled
      });

      test('a breakpoint inside a block (bump’s second instruction) stops there each time', () => {
        const g = start(isa, engine);
        const at = g.bump + (isa === 'thumb' ? 2 : 4); // after adds r4, r4, #1
        g.target.setBreakpoints(new Set([at]));
        let k = 0;
        let ev = cont(g.target);
        while (ev.kind === 'stopped') {
          if (g.reg(15) !== at || g.reg(4) !== k + 1 || g.d0() !== 1 + 0.5 * k) throw new Error(`stop ${k}: pc=${g.reg(15).toString(16)} r4=${g.reg(4)} d0=${g.d0()}`);
          k++;
          ev = cont(g.target);
        }
        expect(k).toBe(ITERATIONS);
        expect(ev).toEqual({ kind: 'exited', status: EXIT_STATUS });
      });

      test('a breakpoint set in compiled code stops there; cleared, the program runs to its end', () => {
        const g = start(isa, engine);
        expect(g.target.resume(ITERATIONS * 3)).toBeNull(); // about a third of the calls, no breakpoints
        if (engine === 'jit') expect(regions(g.proc)).toBeGreaterThan(0);
        g.target.setBreakpoints(new Set([g.loop]));
        let prev = -1;
        for (let i = 0; i < 10; i++) {
          expect(cont(g.target)).toEqual({ kind: 'stopped', signal: 5, breakpoint: g.loop });
          expect(g.reg(15)).toBe(g.loop);
          expect(g.reg(4) + g.reg(5)).toBe(ITERATIONS);
          if (prev >= 0) expect(g.reg(4)).toBe(prev + 1);
          prev = g.reg(4);
        }
        expect(prev).toBeGreaterThan(100);
        g.target.setBreakpoints(new Set());
        expect(cont(g.target)).toEqual({ kind: 'exited', status: EXIT_STATUS });
      });

      test('single steps: into bump, through it (the IT block in Thumb), back after the call', () => {
        const g = start(isa, engine);
        const w = isa === 'thumb' ? 2 : 4;
        expect(g.reg(15)).toBe(g.entry);
        expect(g.reg(REG_CPSR) & 0x20).toBe(isa === 'thumb' ? 0x20 : 0);
        // _start: movs, movs, ldr/movw, vmov, vmov; then loop: bl bump.
        for (let i = 0; i < 5; i++) expect(g.target.step()).toEqual({ kind: 'stopped', signal: 5 });
        expect(g.reg(15)).toBe(g.loop);
        expect(g.reg(5)).toBe(ITERATIONS);
        g.target.step(); // bl
        expect(g.reg(15)).toBe(g.bump);
        expect(g.reg(14)).toBe((g.loop + 4) | (isa === 'thumb' ? 1 : 0));
        const body = isa === 'thumb' ? ['adds', 'vadd', 'tst', 'it', 'addne', 'bx'] : ['adds', 'vadd', 'tst', 'addne', 'bx'];
        for (const name of body) {
          const pc = g.reg(15);
          g.target.step();
          if (name !== 'bx') expect(g.reg(15)).toBe(pc + (name === 'vadd' || name === 'tst' ? 4 : w));
          if (name === 'adds') expect(g.reg(4)).toBe(1);
          if (name === 'vadd') expect(g.d0()).toBe(1.5);
          if (name === 'addne') expect(g.reg(6)).toBe(2); // r4 = 1 is odd
        }
        expect(g.reg(15)).toBe(g.loop + 4);
        g.target.setBreakpoints(new Set([g.bump]));
        expect(cont(g.target)).toEqual({ kind: 'stopped', signal: 5, breakpoint: g.bump });
        expect(g.reg(4)).toBe(1);
      });

      test('writing code through the target drops its translations', () => {
        const g = start(isa, engine);
        expect(g.target.resume(ITERATIONS * 4)).toBeNull();
        if (engine === 'jit') expect(regions(g.proc)).toBeGreaterThan(0);
        // Stop between two calls, then patch bump's first instruction:
        // adds r4, r4, #1 → adds r4, r4, #2 (T16 3401 → 3402; A32 e2944001 → e2944002).
        g.target.setBreakpoints(new Set([g.loop]));
        expect(cont(g.target)).toEqual({ kind: 'stopped', signal: 5, breakpoint: g.loop });
        g.target.setBreakpoints(new Set());
        expect(g.target.readMemory(g.bump, 1)[0]).toBe(1);
        expect(g.target.writeMemory(g.bump, new Uint8Array([2]))).toBe(true);
        expect(g.target.readMemory(g.bump, 1)[0]).toBe(2);
        // The rest of the run, modelled: r4 += 2 a call, r6 += 2 when r4 is then odd.
        let r4 = g.reg(4);
        let r6 = g.reg(6);
        for (let left = g.reg(5); left > 0; left--) {
          r4 += 2;
          if (r4 & 1) r6 += 2;
        }
        expect(cont(g.target)).toEqual({ kind: 'exited', status: (r4 + r6) & 0xff });
      });

      test('memory reads stop at the end of a mapping; unmapped memory is an error', () => {
        const g = start(isa, engine);
        expect(g.target.readMemory(0, 4).length).toBe(0);
        expect(g.target.writeMemory(0, new Uint8Array(4))).toBe(false);
        const sp = g.reg(13);
        // The stack mapping ends at the top of the user stack: a read across it is cut short.
        let top = sp;
        while (g.target.readMemory(top, 1).length) top = ((top + 4096) & ~4095) >>> 0;
        const part = g.target.readMemory(top - 8, 64);
        expect(part.length).toBe(8);
        const argc = g.target.readMemory(sp, 4);
        expect(new DataView(argc.buffer).getUint32(0, true)).toBe(1);
      });
    });
  }
}
