// The ARM registers as gdb sees them: our own target description with GDB's standard
// features org.gnu.gdb.arm.core (r0-r12, sp, lr, pc, cpsr) and org.gnu.gdb.arm.vfp (d0-d31,
// fpscr; gdb makes s0-s31 from the d registers itself), and their values from a CpuState.
// Register numbers are the description's order (GDB manual, "Target Description Format":
// without `regnum`, each register is the previous one + 1): r0-r15 = 0-15, cpsr = 16,
// d0-d31 = 17-48, fpscr = 49.

import { W, wD, type CpuState } from '../../translator/state.js';
import type { RegisterLayout } from './target.js';

export const REG_PC = 15;
export const REG_CPSR = 16;
export const REG_D0 = 17;
export const REG_FPSCR = REG_D0 + 32;
export const ARM_REG_COUNT = REG_FPSCR + 1;

function coreFeature(): string {
  const regs: string[] = [];
  for (let i = 0; i < 13; i++) regs.push(`    <reg name="r${i}" bitsize="32" type="uint32"/>`);
  regs.push('    <reg name="sp" bitsize="32" type="data_ptr"/>');
  regs.push('    <reg name="lr" bitsize="32" type="uint32"/>');
  regs.push('    <reg name="pc" bitsize="32" type="code_ptr"/>');
  regs.push('    <reg name="cpsr" bitsize="32" type="uint32"/>');
  return `  <feature name="org.gnu.gdb.arm.core">\n${regs.join('\n')}\n  </feature>`;
}

function vfpFeature(): string {
  const regs: string[] = [];
  for (let i = 0; i < 32; i++) regs.push(`    <reg name="d${i}" bitsize="64" type="ieee_double" group="float"/>`);
  regs.push('    <reg name="fpscr" bitsize="32" type="int" group="float"/>');
  return `  <feature name="org.gnu.gdb.arm.vfp">\n${regs.join('\n')}\n  </feature>`;
}

/** target.xml for an ARMv7-A CPU with VFPv3-D32. */
export const ARM_TARGET_XML =
  '<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target version="1.0">\n  <architecture>arm</architecture>\n' +
  `${coreFeature()}\n${vfpFeature()}\n</target>\n`;

export const ARM_REGISTERS: RegisterLayout = {
  targetXml: ARM_TARGET_XML,
  sizes: Array.from({ length: ARM_REG_COUNT }, (_, n) => (n >= REG_D0 && n < REG_FPSCR ? 8 : 4)),
  pc: REG_PC,
};

/** How CPSR is read and written (user mode: CpuState's; a system-mode CPU adds mode bits). */
export interface CpsrAccess {
  get(): number;
  set(v: number): void;
}

const userCpsr = (cpu: CpuState): CpsrAccess => ({
  get: () => cpu.cpsr,
  set: (v) => {
    cpu.cpsr = v;
  },
});

/** Register n of `cpu` as little-endian bytes. */
export function readArmRegister(cpu: CpuState, n: number, cpsr: CpsrAccess = userCpsr(cpu)): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n >= ARM_REG_COUNT) throw new RangeError(`no register ${n}`);
  const out = new Uint8Array(ARM_REGISTERS.sizes[n]);
  const dv = new DataView(out.buffer);
  if (n < 16) dv.setUint32(0, cpu.u32[n], true);
  else if (n === REG_CPSR) dv.setUint32(0, cpsr.get(), true);
  else if (n === REG_FPSCR) dv.setUint32(0, cpu.u32[W.FPSCR], true);
  else {
    const w = wD(n - REG_D0);
    dv.setUint32(0, cpu.u32[w], true);
    dv.setUint32(4, cpu.u32[w + 1], true);
  }
  return out;
}

/** Sets register n of `cpu` from little-endian bytes. */
export function writeArmRegister(cpu: CpuState, n: number, value: Uint8Array, cpsr: CpsrAccess = userCpsr(cpu)): void {
  if (!Number.isInteger(n) || n < 0 || n >= ARM_REG_COUNT) throw new RangeError(`no register ${n}`);
  if (value.length !== ARM_REGISTERS.sizes[n]) throw new RangeError(`register ${n} takes ${ARM_REGISTERS.sizes[n]} bytes`);
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  if (n < 16) cpu.u32[n] = dv.getUint32(0, true);
  else if (n === REG_CPSR) cpsr.set(dv.getUint32(0, true));
  else if (n === REG_FPSCR) cpu.u32[W.FPSCR] = dv.getUint32(0, true);
  else {
    const w = wD(n - REG_D0);
    cpu.u32[w] = dv.getUint32(0, true);
    cpu.u32[w + 1] = dv.getUint32(4, true);
  }
}
