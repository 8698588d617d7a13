// Bare-metal snippets for the system-mode tests: assembles a source with Debian's
// arm-linux-gnueabihf-as/ld (linked at `base`), and runs it on an ArmCpu with flat RAM
// (interpreter) or in a SysSpace under the JIT.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArmCpu } from '../../runtime/cpu/cpu.js';
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
