// Bare-metal snippets for the system-mode tests: assembles a source with Debian's
// arm-linux-gnueabihf-as/ld (linked at `base`), and runs it on an ArmCpu with flat RAM
// (interpreter) or in a SysSpace under the JIT.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArmCpu, type RunStop } from '../../runtime/cpu/cpu.js';
import { W } from '../../translator/state.js';
import { PhysAbort } from '../../runtime/mmu/types.js';
import { createSysSpace } from '../../runtime/cpu/sysspace.js';

const PREFIX = 'arm-linux-gnueabihf-';

/** Assembles `src` (ARM syntax, unified) linked at `base`; returns the flat image. */
export function assemble(src: string, base: number): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'armvisor-bare-'));
  try {
    const s = join(dir, 'a.s');
    writeFileSync(s, `.syntax unified\n.arch armv7-a\n.arch_extension virt\n.arch_extension sec\n.fpu vfpv3-d16\n${src}\n`);
    execFileSync(`${PREFIX}as`, ['-o', join(dir, 'a.o'), s]);
    execFileSync(`${PREFIX}ld`, ['-Ttext', `0x${base.toString(16)}`, '-o', join(dir, 'a.elf'), join(dir, 'a.o')]);
    execFileSync(`${PREFIX}objcopy`, ['-O', 'binary', join(dir, 'a.elf'), join(dir, 'a.bin')]);
    return new Uint8Array(readFileSync(join(dir, 'a.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const RAM_BASE = 0x40000000;
export const RAM_SIZE = 4 << 20;

export interface MmioLog {
  pa: number;
  size: number;
  write: boolean;
  value: number;
}

export interface BareOptions {
  mmio?: (pa: number, size: number, w: boolean, v: number) => number;
  /**
   * 'interp' (default): flat RAM, the interpreter; 'jit': RAM in a SysSpace and every block
   * compiled before it first runs (threshold 0), or after `threshold` instructions per page.
   */
  engine?: 'interp' | 'jit';
  threshold?: number;
}

/** A CPU with 4 MiB of RAM at RAM_BASE, `src` assembled at RAM_BASE and the PC there. */
export function bareCpu(src: string, opts: BareOptions = {}): { cpu: ArmCpu; ram: Uint8Array; log: MmioLog[] } {
  const space = opts.engine === 'jit' ? createSysSpace(RAM_SIZE) : undefined;
  const ram = space ? space.ram : new Uint8Array(RAM_SIZE);
  ram.set(assemble(src, RAM_BASE));
  const log: MmioLog[] = [];
  const cpu = new ArmCpu({
    ram,
    space,
    jitOptions: { threshold: opts.threshold ?? 0 },
    ramBase: RAM_BASE,
    mmio: (pa, size, write, value) => {
      log.push({ pa, size, write, value });
      if (opts.mmio) return opts.mmio(pa, size, write, value);
      throw new PhysAbort(pa);
    },
  });
  cpu.reset(RAM_BASE);
  return { cpu, ram, log };
}

/** The exit device: a store to it stops the CPU (see runBoth). */
export const EXIT_DEV = 0x1c000000;

export type VectorName = 'undef' | 'svc' | 'pabt' | 'dabt' | 'irq' | 'fiq';

/**
 * A program with a vector table at RAM_BASE (VBAR is set to it), the handlers the test names
 * (any other vector goes to `unexpected`, which sets r12 = 0xee), `body` after a stack set-up,
 * and `done` storing to EXIT_DEV.
 */
export function vectorProgram(body: string, handlers: Partial<Record<VectorName, string>> = {}): string {
  const h = (n: VectorName) => (handlers[n] ? `${n}_h` : 'unexpected');
  return `
.arm
.global _start
_start:
  b reset
  b ${h('undef')}
  b ${h('svc')}
  b ${h('pabt')}
  b ${h('dabt')}
  b unexpected
  b ${h('irq')}
  b ${h('fiq')}
unexpected:
  mov r12, #0xee
  b done
done:
  ldr r11, =${EXIT_DEV}
  str r11, [r11]
  b .
reset:
  ldr r0, =_start
  mcr p15, 0, r0, c12, c0, 0
  ldr sp, =${RAM_BASE + 0x10000}
${body}
  b done
.align 2
.arm
${Object.entries(handlers)
  .map(([n, code]) => `${n}_h:\n${code}`)
  .join('\n')}
.ltorg
`;
}

/** What a run leaves: registers, the state block's system words, CPSR, CP15 fault registers, exceptions. */
export function sysSnapshot(cpu: ArmCpu) {
  const st = cpu.state.u32;
  return {
    regs: [...st.slice(0, 24)],
    sys: [...st.slice(W.PSR, W.HI + 1)],
    icount: cpu.state.icount,
    cpsr: cpu.cpsr,
    faults: [cpu.cp15.dfsr, cpu.cp15.dfar, cpu.cp15.ifsr, cpu.cp15.ifar],
    exceptions: [...cpu.exceptions],
  };
}

export interface BareRun {
  cpu: ArmCpu;
  ram: Uint8Array;
  log: MmioLog[];
  stop: RunStop;
  r: (n: number) => number;
}

export interface RunBothOptions {
  setup?: (cpu: ArmCpu, ram: Uint8Array) => void;
  /** Answers accesses other than the exit device (default: an external abort). */
  device?: (cpu: ArmCpu, pa: number, write: boolean, v: number) => number;
  budget?: number;
  /** The JIT's heat threshold (default 0: every block compiled before it first runs). */
  threshold?: number;
}

/**
 * Runs `src` under the interpreter and again with every block compiled (the JIT, threshold 0)
 * until it stores to EXIT_DEV (or `budget` instructions); both runs must end in the same state
 * (sysSnapshot, the stop reason, every device access).
 */
export function runBoth(src: string, opts: RunBothOptions = {}): { interp: BareRun; jit: BareRun } {
  const once = (engine: 'interp' | 'jit'): BareRun => {
    const { cpu, ram, log } = bareCpu(src, {
      engine,
      threshold: opts.threshold,
      mmio: (pa, _s, w, v) => {
        if (pa === EXIT_DEV && w) {
          cpu.stop();
          return 0;
        }
        if (opts.device) return opts.device(cpu, pa, w, v);
        throw new PhysAbort(pa);
      },
    });
    opts.setup?.(cpu, ram);
    const stop = cpu.run(opts.budget ?? 1_000_000);
    return { cpu, ram, log, stop, r: (n: number) => cpu.state.u32[n] };
  };
  const interp = once('interp');
  const jit = once('jit');
  expect(jit.cpu.jit).not.toBeNull();
  expect({ stop: jit.stop, ...sysSnapshot(jit.cpu), log: jit.log }).toEqual({ stop: interp.stop, ...sysSnapshot(interp.cpu), log: interp.log });
  return { interp, jit };
}

/** A short-descriptor section of normal memory at `pa` (AP = 11, domain 0, C B), with `attrs` (nG...) added. */
export const section = (pa: number, attrs = 0): number => (pa | attrs | (3 << 10) | 0xc | 2) >>> 0;

/** A short-descriptor section of Device memory at `pa` (AP = 11, domain 0, B). */
export const deviceSection = (pa: number): number => (pa | (3 << 10) | 4 | 2) >>> 0;

/**
 * Short-descriptor tables at RAM_BASE + 1 MiB: the 4 MiB of RAM identity-mapped by sections,
 * each of `devices` identity-mapped as Device, then `extra` (virtual address -> first-level
 * descriptor). Returns the table's physical address.
 */
export function sectionTables(ram: Uint8Array, devices: readonly number[], extra: Record<number, number> = {}): number {
  const ttb = 0x100000;
  const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  for (let mb = 0; mb < 4; mb++) dv.setUint32(ttb + ((RAM_BASE >>> 20) + mb) * 4, section(RAM_BASE + (mb << 20)), true);
  for (const d of devices) dv.setUint32(ttb + (d >>> 20) * 4, deviceSection(d), true);
  for (const [va, desc] of Object.entries(extra)) dv.setUint32(ttb + (Number(va) >>> 20) * 4, desc, true);
  return RAM_BASE + ttb;
}

/** Sets SCTLR.M (the MMU on) and synchronizes: the end of every MMU-on sequence. */
export const SCTLR_M_ON = `
  mrc p15, 0, r0, c1, c0, 0
  orr r0, r0, #1
  mcr p15, 0, r0, c1, c0, 0
  isb
`;

/** Turns the MMU on with sectionTables' table in TTBR0 and domain 0 a client. */
export const MMU_ON = `
  ldr r0, =${RAM_BASE + 0x100000}
  mcr p15, 0, r0, c2, c0, 0
  mov r0, #1
  mcr p15, 0, r0, c3, c0, 0${SCTLR_M_ON}`;