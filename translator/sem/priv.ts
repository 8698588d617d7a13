// Privileged system instructions of a system-mode CPU (ARM ARM B9.3): MRS/MSR of the CPSR and
// SPSR (their banked-register forms are UNDEFINED: no Virtualization Extensions), CPS, exception
// returns (SUBS PC, LR / <op>S PC, ERET, LDM ^, RFE), SRS, user-bank LDM/STM ^, WFI/WFE/SEV, HVC/SMC and the coprocessor transfers
// through the runtime's register table. They lift only when the block has a SysLift
// (ctx.sys); in Linux user mode every routine here is UNDEFINED, as on qemu-arm.
//
// Mode-dependent work (which SPSR, which bank) happens at run time in the helpers below; the
// privilege level is a lift-time fact (see sys.ts). An instruction that may change the mode,
// the interrupt masks or the translation regime ends its block, so the next block is looked
// up (and, for interrupts, pending IRQs taken) under the new state.

import type { Args, Sem } from '../decode/pattern.js';
import { defineHelper } from '../helpers.js';
import { Exit, Mem, W, type LiftCtx, type Temp } from '../lift/ctx.js';
import { Mode, PSR_A, PSR_F, PSR_I, currentMode, modeImplemented, readBanked, readCPSR, spsrWord, switchMode, writeBanked, writeCPSRByInstr } from '../modes.js';
import type { CpuState } from '../state.js';
import { CpuTrap } from '../sys.js';
import { hex, r } from './fmt.js';
import { blockDis, blockFrame, loadBlock, storeBlock } from './ldm.js';

const undef = (): never => {
  throw new CpuTrap(Exit.UNDEF);
};

/** CPSR bits MRS does not return at PL1: IT, J, T (B9.3.8: the execution state bits read as 0). */
const MRS_HIDDEN = 0x0700fc20;

function spsrOf(st: Int32Array): number {
  const w = spsrWord(currentMode(st));
  if (w < 0) undef(); // User and System modes have no SPSR (UNPREDICTABLE; QEMU: UNDEFINED)
  return w;
}

/** The state words an MRC/MRRC may change (sys_cp_read's Helper.writes). */
export const CP_READ_WRITES: readonly number[] = [W.HI, W.IRQ_LINES, W.EXIT_REQ, W.BUDGET];

const H = {
  mrsCpsr: defineHelper('sys_mrs_cpsr', (cpu) => readCPSR(cpu.i32) & ~MRS_HIDDEN, true, []),
  mrsSpsr: defineHelper('sys_mrs_spsr', (cpu) => cpu.i32[spsrOf(cpu.i32)], true, []),
  msrCpsr: defineHelper('sys_msr_cpsr', (cpu, v, mask) => (writeCPSRByInstr(cpu.i32, v, mask, false), 0)),
  msrSpsr: defineHelper('sys_msr_spsr', (cpu, v, mask) => {
    const w = spsrOf(cpu.i32);
    let m = 0;
    for (let i = 0; i < 4; i++) if ((mask >>> i) & 1) m |= 0xff << (8 * i);
    cpu.i32[w] = (cpu.i32[w] & ~m) | (v & m);
    return 0;
  }),
  /** CPS: imod 2 enables (clears) A/I/F, 3 disables (sets) them; `chmod` 1 changes to `mode`. */
  cps: defineHelper('sys_cps', (cpu, imod, aif, chmod, mode) => {
    const st = cpu.i32;
    const bits = (aif & 4 ? PSR_A : 0) | (aif & 2 ? PSR_I : 0) | (aif & 1 ? PSR_F : 0);
    if (imod === 2) st[W.PSR] &= ~bits;
    else if (imod === 3) st[W.PSR] |= bits;
    if (chmod && modeImplemented(mode)) switchMode(st, mode);
    return 0;
  }),
  /** The exception return of SUBS PC, LR / <op>S PC / ERET / LDM ^: CPSR = SPSR, then the PC. */
  excReturn: defineHelper('sys_exc_return', (cpu, pc) => {
    const st = cpu.i32;
    const spsr = st[spsrOf(st)];
    writeCPSRByInstr(st, spsr, 15, true);
    st[W.PC] = st[W.T] ? pc & ~1 : pc & ~3;
    return 0;
  }),
  /** RFE: CPSR and PC loaded from memory. */
  rfe: defineHelper('sys_rfe', (cpu, pc, psr) => {
    const st = cpu.i32;
    writeCPSRByInstr(st, psr, 15, true);
    st[W.PC] = st[W.T] ? pc & ~1 : pc & ~3;
    return 0;
  }),
  bankedGet: defineHelper(
    'sys_banked_get',
    (cpu, mode, reg) => {
      if (!modeImplemented(mode)) undef();
      return readBanked(cpu.i32, mode, reg);
    },
    true,
    [],
  ),
  bankedSet: defineHelper('sys_banked_set', (cpu, mode, reg, v) => {
    if (!modeImplemented(mode)) undef();
    writeBanked(cpu.i32, mode, reg, v);
    return 0;
  }),
  sev: defineHelper('sys_sev', (cpu) => ((cpu.i32[W.EVENT] = 1), 0), true, [W.EVENT]),
  // A register read writes the high word of a 64-bit one; reading a timer or counter may
  // raise an interrupt line (IRQ_LINES, EXIT_REQ, BUDGET: runtime/cpu).
  cpRead: defineHelper('sys_cp_read', (cpu, id, pl) => port(cpu).cpRead(id, pl), true, CP_READ_WRITES),
  cpWrite: defineHelper('sys_cp_write', (cpu, id, pl, lo, hi) => (port(cpu).cpWrite(id, pl, lo, hi), 0)),
};

function port(cpu: CpuState) {
  if (!cpu.sys) throw new Error('system-mode helper called without a SysPort');
  return cpu.sys;
}

/**
 * Ends the block after this instruction (the mode, masks or translation may have changed): in
 * system mode with Exit.SYNC, so generated code returns to the CPU loop (interrupts, the new
 * lift environment) rather than branching to the next block; in user mode (ISB) with NEXT.
 */
export function endBlock(ctx: LiftCtx): void {
  ctx.b.set(W.PC, ctx.b.const(ctx.nextPC()));
  ctx.exit(ctx.sys ? Exit.SYNC : Exit.NEXT);
  ctx.pcWritten = true;
}

const pl1 = (ctx: LiftCtx): boolean => ctx.sys !== null && ctx.sys.pl === 1;

/** The exception return after the routine computed the new PC (the pseudocode's ALUExceptionReturn). */
export function exceptionReturn(ctx: LiftCtx, pc: Temp): void {
  ctx.b.callVoid(H.excReturn, [pc]);
  // Not ctx.exit: the helper restored ITSTATE from the SPSR, which must not be overwritten.
  ctx.b.exit(Exit.SYNC);
  ctx.pcWritten = true;
}

/** A32 `<op>S PC, ...` at PL1 is an exception return (B9.3.20); elsewhere the old rules hold. */
export function isSysExcReturn(ctx: LiftCtx, a: Args): boolean {
  return pl1(ctx) && !ctx.thumb && a.rd === 15 && a.s === 1;
}

// ---- MRS / MSR -------------------------------------------------------------------------

/** MRS Rd, CPSR at PL0 and PL1 (B9.3.8). */
export function liftMrsCpsr(ctx: LiftCtx, rd: number): void {
  ctx.setReg(rd, ctx.b.call(H.mrsCpsr, []));
}

/** MSR CPSR_<fields>, v (B9.3.12): ends the block when it may change the mode or masks. */
export function liftMsrCpsr(ctx: LiftCtx, v: Temp, mask: number): void {
  ctx.b.callVoid(H.msrCpsr, [v, ctx.b.const(mask)]);
  if (pl1(ctx) && mask & 3) endBlock(ctx);
}

/** MRS Rd, SPSR (args rd): PL1 only. */
export const MRS_SPSR: Sem = {
  name: 'MRS_SPSR',
  lift(ctx, a) {
    if (!pl1(ctx) || a.rd === 15) return ctx.undef();
    ctx.setReg(a.rd, ctx.b.call(H.mrsSpsr, []));
  },
  dis: (a, d) => `mrs${d.cc} ${r(a.rd)}, SPSR`,
};

const fieldText = (mask: number) => (mask & 8 ? 'f' : '') + (mask & 4 ? 's' : '') + (mask & 2 ? 'x' : '') + (mask & 1 ? 'c' : '');

/** MSR SPSR_<fields>, Rn or #imm (args mask, and rn or imm): PL1 only. */
export function msrSpsr(form: 'r' | 'i'): Sem {
  return {
    name: `MSR_SPSR_${form}`,
    lift(ctx, a) {
      if (!pl1(ctx)) return ctx.undef();
      const v = form === 'r' ? ctx.reg(a.rn) : ctx.b.const(a.imm);
      ctx.b.callVoid(H.msrSpsr, [v, ctx.b.const(a.mask)]);
    },
    dis: (a, d) => `msr${d.cc} SPSR_${fieldText(a.mask)}, ${form === 'r' ? r(a.rn) : `#${hex(a.imm)}`}`,
  };
}

/**
 * The banked registers of MRS/MSR (banked register) (B9.2.3, Table B9-4), by R:SYSm:
 * [mode, register number] or [mode, -1] for that mode's SPSR (for their disassembly).
 */
function bankedReg(rbit: number, sysm: number): [number, number] | null {
  if (rbit) {
    const spsr: Record<number, number> = { 0b01110: Mode.FIQ, 0b10000: Mode.IRQ, 0b10010: Mode.SVC, 0b10100: Mode.ABT, 0b10110: Mode.UND, 0b11100: Mode.MON, 0b11110: Mode.HYP };
    return sysm in spsr ? [spsr[sysm], -1] : null;
  }
  if (sysm <= 0b00110) return [Mode.USR, 8 + sysm];
  if (sysm >= 0b01000 && sysm <= 0b01110) return [Mode.FIQ, sysm];
  const pairs: Record<number, number> = { 0b10000: Mode.IRQ, 0b10010: Mode.SVC, 0b10100: Mode.ABT, 0b10110: Mode.UND, 0b11100: Mode.MON, 0b11110: Mode.HYP };
  const base = sysm & ~1;
  if (!(base in pairs)) return null;
  // Odd SYSm: SP_<mode>; even: LR_<mode> (ELR_hyp for Hyp, not implemented).
  return [pairs[base], sysm & 1 ? 13 : 14];
}

const BANK_NAMES = ['r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr'];
const bankedText = (a: Args) => {
  const b = bankedReg(a.r, a.sysm);
  if (!b) return `#${a.sysm}`;
  const m = { 0x10: 'usr', 0x11: 'fiq', 0x12: 'irq', 0x13: 'svc', 0x16: 'mon', 0x17: 'abt', 0x1a: 'hyp', 0x1b: 'und' }[b[0]];
  return b[1] < 0 ? `SPSR_${m}` : `${BANK_NAMES[b[1] - 8]}_${m}`;
};

/**
 * MRS Rd, <banked register> (B9.3.9) and MSR <banked register>, Rn (B9.3.10): args r sysm and
 * rd or rn. They belong to the Virtualization Extensions, which this CPU (a Cortex-A15 without
 * EL2, as QEMU's `virt` presents it) does not implement: UNDEFINED at every privilege level,
 * as on qemu-system-arm. Only their disassembly is kept.
 */
function bankedUndefined(name: string, dis: Sem['dis']): Sem {
  return { name, lift: (ctx) => ctx.undef(), dis };
}

export const MRS_BANKED = bankedUndefined('MRS_banked', (a, d) => `mrs${d.cc} ${r(a.rd)}, ${bankedText(a)}`);
export const MSR_BANKED = bankedUndefined('MSR_banked', (a, d) => `msr${d.cc} ${bankedText(a)}, ${r(a.rn)}`);

// ---- CPS, hints -------------------------------------------------------------------------

/** CPS at PL1 (B9.3.2): args imod m a i f mode. */
export function liftCps(ctx: LiftCtx, a: Args): void {
  const b = ctx.b;
  b.callVoid(H.cps, [b.const(a.imod), b.const((a.a << 2) | (a.i << 1) | a.f), b.const(a.m), b.const(a.mode)]);
  endBlock(ctx);
}

/** Hints in system mode: WFI and WFE end the block with their reason, SEV sets the event register. */
export function liftHint(ctx: LiftCtx, op: number): void {
  if (op === 3 || op === 2) {
    ctx.b.set(W.PC, ctx.b.const(ctx.nextPC()));
    ctx.exit(op === 3 ? Exit.WFI : Exit.WFE);
    ctx.pcWritten = true;
  } else if (op === 4) {
    ctx.b.callVoid(H.sev, []);
  }
}

// ---- exception returns ------------------------------------------------------------------

/** SUBS PC, LR, #imm (T32; ERET is imm 0) and A32 ERET (B9.3.3, B9.3.19): args imm. */
export const SUBS_PC_LR: Sem = {
  name: 'SUBS_PC_LR',
  lift(ctx, a) {
    if (!pl1(ctx)) return ctx.undef();
    exceptionReturn(ctx, ctx.b.addi(ctx.reg(14), -a.imm));
  },
  dis: (a, d) => (a.imm === 0 ? `eret${d.cc}` : `subs${d.cc} pc, lr, #${a.imm}`),
};

/** RFE{IA,IB,DA,DB} Rn{!} (B9.3.13): args rn w b i. */
export const RFE: Sem = {
  name: 'RFE',
  lift(ctx, a) {
    if (!pl1(ctx) || a.rn === 15) return ctx.undef();
    const b = ctx.b;
    const rn = ctx.reg(a.rn);
    const lo = a.i ? (a.b ? b.addi(rn, 4) : rn) : b.addi(rn, a.b ? -8 : -4);
    const pc = ctx.load(lo, 4, Mem.ALIGN);
    const psr = ctx.load(b.addi(lo, 4), 4, Mem.ALIGN);
    if (a.w) ctx.setReg(a.rn, b.addi(rn, a.i ? 8 : -8));
    b.callVoid(H.rfe, [pc, psr]);
    b.exit(Exit.SYNC); // ITSTATE comes from the loaded CPSR
    ctx.pcWritten = true;
  },
  dis: (a, d) => `rfe${(a.i ? 'i' : 'd') + (a.b ? 'b' : 'a')}${d.cc} ${r(a.rn)}${a.w ? '!' : ''}`,
};

/** SRS{IA,IB,DA,DB} SP{!}, #mode (B9.3.16): args mode w b i. Stores LR and SPSR on SP_<mode>. */
export const SRS: Sem = {
  name: 'SRS',
  lift(ctx, a) {
    if (!pl1(ctx)) return ctx.undef();
    const b = ctx.b;
    const mode = b.const(a.mode);
    const sp = b.call(H.bankedGet, [mode, b.const(13)]);
    const spsr = b.call(H.mrsSpsr, []);
    const lo = a.i ? (a.b ? b.addi(sp, 4) : sp) : b.addi(sp, a.b ? -8 : -4);
    ctx.store(lo, ctx.reg(14), 4, Mem.ALIGN);
    ctx.store(b.addi(lo, 4), spsr, 4, Mem.ALIGN);
    if (a.w) b.callVoid(H.bankedSet, [mode, b.const(13), b.addi(sp, a.i ? 8 : -8)]);
  },
  dis: (a, d) => `srs${(a.i ? 'i' : 'd') + (a.b ? 'b' : 'a')}${d.cc} sp${a.w ? '!' : ''}, #${a.mode}`,
};

/** LDM/STM with the S bit ("^", B9.3.5-B9.3.7, B9.3.17): args rn list w b i. */
/** LDM ^: with the PC, an exception return; without, loads User mode's registers. */
export const LDM_S: Sem = {
  name: 'LDM_S',
  lift(ctx, a) {
    if (!pl1(ctx) || a.list === 0 || a.rn === 15) return ctx.undef();
    const b = ctx.b;
    const [lo, wb] = blockFrame(ctx, a);
    const vals = loadBlock(ctx, a.list, lo);
    const excRet = (a.list & 0x8000) !== 0;
    if (a.w) ctx.setReg(a.rn, wb);
    for (let i = 0; i < 15; i++) {
      if (vals[i] === undefined) continue;
      if (excRet || i < 8) ctx.setReg(i, vals[i]);
      else b.callVoid(H.bankedSet, [b.const(Mode.USR), b.const(i), vals[i]]);
    }
    if (excRet) exceptionReturn(ctx, vals[15]);
  },
  dis: blockDis('ldm', true),
};

/** STM ^: stores User mode's registers. */
export const STM_S: Sem = {
  name: 'STM_S',
  lift(ctx, a) {
    if (!pl1(ctx) || a.list === 0 || a.rn === 15) return ctx.undef();
    const b = ctx.b;
    const [lo, wb] = blockFrame(ctx, a);
    storeBlock(ctx, a.list, lo, (i) => (i >= 8 && i < 15 ? b.call(H.bankedGet, [b.const(Mode.USR), b.const(i)]) : ctx.reg(i)));
    if (a.w) ctx.setReg(a.rn, wb);
  },
  dis: blockDis('stm', true),
};

// ---- calls to the hypervisor and the secure monitor ------------------------------------------

/** HVC #imm16 (B9.3.4) and SMC #imm4 (B9.3.14): exits with PC = the next instruction. */
export function callTrap(kind: 'hvc' | 'smc'): Sem {
  return {
    name: kind.toUpperCase(),
    lift(ctx, a) {
      if (!pl1(ctx)) return ctx.undef();
      const b = ctx.b;
      b.set(W.TRAP_IMM, b.const(a.imm));
      b.set(W.PC, b.const(ctx.nextPC()));
      ctx.exit(kind === 'hvc' ? Exit.HVC : Exit.SMC);
      ctx.pcWritten = true;
    },
    dis: (a, d) => `${kind}${d.cc} #${a.imm}`,
  };
}

// ---- coprocessor transfers through the runtime's register table -------------------------------

function setNZCV(ctx: LiftCtx, v: Temp): void {
  const b = ctx.b;
  b.set(W.N, b.shri(v, 31));
  b.set(W.Z, b.bit(v, 30));
  b.set(W.C, b.bit(v, 29));
  b.set(W.V, b.bit(v, 28));
}

/** MRC/MCR (and VMRS/VMSR of the VFP system registers, which are MRC/MCR p10, 7). */
export function liftCp32(ctx: LiftCtx, load: boolean, cp: number, opc1: number, crn: number, crm: number, opc2: number, rt: number): void {
  const sys = ctx.sys!;
  const id = sys.cpLookup(cp, opc1, crn, crm, opc2, false);
  if (id < 0 || (!load && rt === 15)) return ctx.undef();
  const b = ctx.b;
  if (load) {
    const v = b.call(H.cpRead, [b.const(id), b.const(sys.pl)]);
    if (rt === 15) setNZCV(ctx, v);
    else ctx.setReg(rt, v);
    return;
  }
  b.callVoid(H.cpWrite, [b.const(id), b.const(sys.pl), ctx.reg(rt), b.const(0)]);
  if (sys.cpWriteEndsBlock(id)) endBlock(ctx);
}

/** MRRC/MCRR: args cp opc1 crm rt rt2. */
export function liftCp64(ctx: LiftCtx, load: boolean, a: Args): void {
  const sys = ctx.sys!;
  const id = sys.cpLookup(a.cp, a.opc1, 0, a.crm, 0, true);
  if (id < 0 || a.rt === 15 || a.rt2 === 15 || (load && a.rt === a.rt2)) return ctx.undef();
  const b = ctx.b;
  if (load) {
    const lo = b.call(H.cpRead, [b.const(id), b.const(sys.pl)]);
    const hi = b.get(W.HI);
    ctx.setReg(a.rt, lo);
    ctx.setReg(a.rt2, hi);
    return;
  }
  b.callVoid(H.cpWrite, [b.const(id), b.const(sys.pl), ctx.reg(a.rt), ctx.reg(a.rt2)]);
  if (sys.cpWriteEndsBlock(id)) endBlock(ctx);
}

export { Mode };
