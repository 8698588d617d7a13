// The ARM registers as gdb sees them: our own target description with GDB's standard
// features org.gnu.gdb.arm.core (r0-r12, sp, lr, pc, cpsr) and org.gnu.gdb.arm.vfp (d0-d31,
// fpscr; gdb makes s0-s31 from the d registers itself), and their values from a CpuState.
// Register numbers are the description's order (GDB manual, "Target Description Format":
// without `regnum`, each register is the previous one + 1): r0-r15 = 0-15, cpsr = 16,
// d0-d31 = 17-48, fpscr = 49. A system-mode CPU adds fpexc = 50 in a feature of our own
// (ARM_SYSTEM_REGISTERS; gdb shows registers of features it does not know under their names).

import { W, wD, type CpuState } from '../../translator/state.js';
import type { RegisterLayout } from './target.js';

export const REG_PC = 15;
export const REG_CPSR = 16;
export const REG_D0 = 17;
export const REG_FPSCR = REG_D0 + 32;
export const ARM_REG_COUNT = REG_FPSCR + 1;
export const REG_FPEXC = ARM_REG_COUNT;
export const ARM_SYSTEM_REG_COUNT = REG_FPEXC + 1;

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

/** The system-mode registers beyond GDB's standard features: FPEXC. */
function sysFeature(): string {
  return '  <feature name="org.armvisor.arm.sys">\n    <reg name="fpexc" bitsize="32" type="uint32" group="float"/>\n  </feature>';
}

const targetXml = (features: string[]): string =>
  '<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target version="1.0">\n  <architecture>arm</architecture>\n' +
  `${features.join('\n')}\n</target>\n`;

/** target.xml for an ARMv7-A CPU with VFPv3-D32. */
export const ARM_TARGET_XML = targetXml([coreFeature(), vfpFeature()]);

const regSize = (n: number): number => (n >= REG_D0 && n < REG_FPSCR ? 8 : 4);

export const ARM_REGISTERS: RegisterLayout = {
  targetXml: ARM_TARGET_XML,
  sizes: Array.from({ length: ARM_REG_COUNT }, (_, n) => regSize(n)),
  pc: REG_PC,
};

/** A system-mode CPU (armvisor boot): the same registers plus fpexc (50). */
export const ARM_SYSTEM_REGISTERS: RegisterLayout = {
  targetXml: targetXml([coreFeature(), vfpFeature(), sysFeature()]),
  sizes: Array.from({ length: ARM_SYSTEM_REG_COUNT }, (_, n) => regSize(n)),
  pc: REG_PC,
};

/** How CPSR is read and written (user mode: CpuState's; a system-mode CPU adds mode bits). */
export interface CpsrAccess {
  get(): number;
  set(v: number): void;
  /** A system-mode CPU: FPEXC (register 50) exists too. */
  system?: boolean;
}

const userCpsr = (cpu: CpuState): CpsrAccess => ({
  get: () => cpu.cpsr,
  set: (v) => {
    cpu.cpsr = v;
  },
});

/** Register n of `cpu` as little-endian bytes (fpexc only with a system-mode CpsrAccess). */
export function readArmRegister(cpu: CpuState, n: number, cpsr: CpsrAccess = userCpsr(cpu)): Uint8Array {
  const count = cpsr.system ? ARM_SYSTEM_REG_COUNT : ARM_REG_COUNT;
  if (!Number.isInteger(n) || n < 0 || n >= count) throw new RangeError(`no register ${n}`);
  const out = new Uint8Array(regSize(n));
  const dv = new DataView(out.buffer);
  if (n < 16) dv.setUint32(0, cpu.u32[n], true);
  else if (n === REG_CPSR) dv.setUint32(0, cpsr.get(), true);
  else if (n === REG_FPSCR) dv.setUint32(0, cpu.u32[W.FPSCR], true);
  else if (n === REG_FPEXC) dv.setUint32(0, cpu.u32[W.FPEXC], true);
  else {
    const w = wD(n - REG_D0);
    dv.setUint32(0, cpu.u32[w], true);
    dv.setUint32(4, cpu.u32[w + 1], true);
  }
  return out;
}

/** Sets register n of `cpu` from little-endian bytes. */
export function writeArmRegister(cpu: CpuState, n: number, value: Uint8Array, cpsr: CpsrAccess = userCpsr(cpu)): void {
  const count = cpsr.system ? ARM_SYSTEM_REG_COUNT : ARM_REG_COUNT;
  if (!Number.isInteger(n) || n < 0 || n >= count) throw new RangeError(`no register ${n}`);
  if (value.length !== regSize(n)) throw new RangeError(`register ${n} takes ${regSize(n)} bytes`);
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  if (n < 16) cpu.u32[n] = dv.getUint32(0, true);
  else if (n === REG_CPSR) cpsr.set(dv.getUint32(0, true));
  else if (n === REG_FPSCR) cpu.u32[W.FPSCR] = dv.getUint32(0, true);
  else if (n === REG_FPEXC) cpu.u32[W.FPEXC] = dv.getUint32(0, true);
  else {
    const w = wD(n - REG_D0);
    cpu.u32[w] = dv.getUint32(0, true);
    cpu.u32[w + 1] = dv.getUint32(4, true);
  }
}
