// Signals for the one-threaded guest: actions, the blocked mask, pending signals, and
// delivery through an ARM signal frame (arch/arm's struct sigframe / rt_sigframe layout:
// [siginfo 128 bytes] + ucontext { flags, link, stack_t, sigcontext, sigset, regspace }),
// returning through sa_restorer or our trampolines in the kuser page.

import { W, type CpuState } from '../../translator/state.js';
import type { FlatMemory } from '../memory/flat.js';
import { Perm } from '../memory/flat.js';
import { RT_SIGRETURN_ARM, SIGRETURN_ARM } from './kuser.js';

export const SIG = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
} as const;
export const NSIG = 64;

export const SIG_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SIG).map(([k, v]) => [v, k]));
export const sigName = (n: number): string => SIG_NAMES[n] ?? `signal ${n}`;

export const SA = {
  SIGINFO: 0x4,
  ONSTACK: 0x08000000,
  RESTART: 0x10000000,
  NODEFER: 0x40000000,
  RESETHAND: 0x80000000,
  RESTORER: 0x04000000,
} as const;

export const SIG_DFL = 0;
export const SIG_IGN = 1;
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;

/** si_code values. */
export const SI = { USER: 0, KERNEL: 0x80, TKILL: -6, SEGV_MAPERR: 1, SEGV_ACCERR: 2, BUS_ADRALN: 1, ILL_ILLOPC: 1, TRAP_BRKPT: 1 } as const;

export interface SigAction {
  handler: number;
  flags: number;
  restorer: number;
  mask: bigint;
}

export interface SigInfo {
  signo: number;
  code: number;
  /** si_addr for faults; si_pid for kill. */
  addr?: number;
  pid?: number;
  uid?: number;
  /** What to print if the signal kills the guest (faults). */
  message?: string;
}

/** The guest dies of a signal: exit status 128 + signo. */
export class GuestKilled {
  constructor(
    readonly signo: number,
    readonly message: string | null,
  ) {}
}

const bit = (sig: number): bigint => 1n << BigInt(sig - 1);
const UNBLOCKABLE = bit(SIG.SIGKILL) | bit(SIG.SIGSTOP);
const DEFAULT_IGNORE = new Set<number>([SIG.SIGCHLD, SIG.SIGURG, SIG.SIGWINCH, SIG.SIGCONT, SIG.SIGSTOP, SIG.SIGTSTP, SIG.SIGTTIN, SIG.SIGTTOU]);
const DEFAULT_CORE = new Set<number>([SIG.SIGQUIT, SIG.SIGILL, SIG.SIGTRAP, SIG.SIGABRT, SIG.SIGBUS, SIG.SIGFPE, SIG.SIGSEGV, SIG.SIGXCPU, SIG.SIGXFSZ, SIG.SIGSYS]);

// Frame layout (bytes).
const SIGINFO_SIZE = 128;
const UC_MCONTEXT = 20;
const UC_SIGMASK = 104;
const UC_REGSPACE = 232;
const UC_SIZE = 232 + 128 * 4;
const SIGFRAME_SIZE = UC_SIZE + 8; // + retcode[2], unused (trampolines live in the kuser page)
const VFP_MAGIC = 0x56465001;
const VFP_FRAME_SIZE = 288;

export class Signals {
  readonly actions: SigAction[] = Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, flags: 0, restorer: 0, mask: 0n }));
  blocked = 0n;
  private readonly pending = new Map<number, SigInfo>();
  altstack = { sp: 0, size: 0, flags: SS_DISABLE };

  setBlocked(mask: bigint): void {
    this.blocked = mask & ~UNBLOCKABLE & ((1n << 64n) - 1n);
  }

  /** Queues a signal (standard signals do not stack up). */
  raise(info: SigInfo): void {
    if (!this.pending.has(info.signo)) this.pending.set(info.signo, info);
  }

  pendingMask(): bigint {
    let m = 0n;
    for (const s of this.pending.keys()) m |= bit(s);
    return m;
  }

  hasDeliverable(): boolean {
    for (const s of this.pending.keys()) if (!(this.blocked & bit(s))) return true;
    return false;
  }

  onAltStack(sp: number): boolean {
    return this.altstack.flags !== SS_DISABLE && sp - this.altstack.sp >= 0 && sp - this.altstack.sp < this.altstack.size;
  }

  /** Delivers every pending, unblocked signal; throws GuestKilled for a fatal one. */
  deliverPending(cpu: CpuState, mem: FlatMemory): void {
    for (;;) {
      let sig = 0;
      for (const s of [...this.pending.keys()].sort((a, b) => a - b)) {
        if (!(this.blocked & bit(s))) {
          sig = s;
          break;
        }
      }
      if (!sig) return;
      const info = this.pending.get(sig)!;
      this.pending.delete(sig);
      this.deliver(cpu, mem, info);
    }
  }

  /**
   * A synchronous fault (SIGSEGV, SIGILL...): it cannot be blocked or ignored, so a blocked
   * or ignored one takes its default action (the kernel's force_sig_fault).
   */
  force(cpu: CpuState, mem: FlatMemory, info: SigInfo): void {
    const act = this.actions[info.signo];
    if (this.blocked & bit(info.signo) || act.handler === SIG_IGN) {
      act.handler = SIG_DFL;
      this.blocked &= ~bit(info.signo);
    }
    this.deliver(cpu, mem, info);
  }

  private deliver(cpu: CpuState, mem: FlatMemory, info: SigInfo): void {
    const sig = info.signo;
    const act = this.actions[sig];
    if (sig === SIG.SIGKILL || act.handler === SIG_DFL) {
      if (DEFAULT_IGNORE.has(sig)) return;
      const msg = info.message ?? (DEFAULT_CORE.has(sig) ? `armvisor: guest ${sigName(sig)} at pc=0x${hex8(cpu.pc)}` : null);
      throw new GuestKilled(sig, msg);
    }
    if (act.handler === SIG_IGN) return;
    if (!this.setupFrame(cpu, mem, info, act)) {
      // The frame could not be written: the kernel kills the task with SIGSEGV.
      throw new GuestKilled(SIG.SIGSEGV, `armvisor: guest SIGSEGV: bad stack at sp=0x${hex8(cpu.reg(13))} delivering ${sigName(sig)}`);
    }
    if (!(act.flags & SA.NODEFER)) this.setBlocked(this.blocked | bit(sig));
    this.setBlocked(this.blocked | act.mask);
    if (act.flags & SA.RESETHAND) this.actions[sig] = { handler: SIG_DFL, flags: 0, restorer: 0, mask: 0n };
  }

  private setupFrame(cpu: CpuState, mem: FlatMemory, info: SigInfo, act: SigAction): boolean {
    const rt = (act.flags & SA.SIGINFO) !== 0;
    let sp = cpu.reg(13);
    if (act.flags & SA.ONSTACK && this.altstack.flags !== SS_DISABLE && !this.onAltStack(sp)) sp = (this.altstack.sp + this.altstack.size) >>> 0;
    const size = (rt ? SIGINFO_SIZE : 0) + SIGFRAME_SIZE;
    const frame = ((sp - size) & ~7) >>> 0;
    if (!mem.accessible(frame, size, Perm.W)) return false;
    const dv = mem.dv;
    mem.zero(frame, size);
    const uc = rt ? frame + SIGINFO_SIZE : frame;
    if (rt) writeSiginfo(mem, frame, info);
    // ucontext: uc_flags, uc_link = 0; uc_stack
    dv.setUint32(uc + 8, this.altstack.sp, true);
    dv.setUint32(uc + 12, this.onAltStack(sp) ? SS_ONSTACK : this.altstack.flags, true);
    dv.setUint32(uc + 16, this.altstack.size, true);
    // sigcontext: trap_no, error_code, oldmask, r0-r15, cpsr, fault_address
    const mc = uc + UC_MCONTEXT;
    dv.setUint32(mc + 0, info.signo === SIG.SIGSEGV || info.signo === SIG.SIGBUS ? 14 : info.signo === SIG.SIGILL ? 6 : 0, true);
    dv.setUint32(mc + 8, Number(this.blocked & 0xffffffffn), true);
    for (let r = 0; r < 16; r++) dv.setUint32(mc + 12 + r * 4, cpu.reg(r), true);
    dv.setUint32(mc + 76, cpu.cpsr, true);
    dv.setUint32(mc + 80, info.addr ?? 0, true);
    dv.setBigUint64(uc + UC_SIGMASK, this.blocked, true);
    // uc_regspace: the VFP frame, then a zero terminator.
    const vf = uc + UC_REGSPACE;
    dv.setUint32(vf, VFP_MAGIC, true);
    dv.setUint32(vf + 4, VFP_FRAME_SIZE, true);
    for (let i = 0; i < 64; i++) dv.setUint32(vf + 8 + i * 4, cpu.u32[W.VFP + i], true);
    dv.setUint32(vf + 264, cpu.u32[W.FPSCR], true);
    dv.setUint32(vf + 272, cpu.u32[W.FPEXC], true);

    const handler = act.handler >>> 0;
    cpu.setReg(0, info.signo);
    cpu.setReg(1, rt ? frame : 0);
    cpu.setReg(2, rt ? uc : 0);
    cpu.setReg(13, frame);
    cpu.setReg(14, act.flags & SA.RESTORER ? act.restorer >>> 0 : rt ? RT_SIGRETURN_ARM : SIGRETURN_ARM);
    cpu.i32[W.T] = handler & 1;
    cpu.i32[W.ITSTATE] = 0;
    cpu.pc = (handler & ~1) >>> 0;
    return true;
  }

  /** sigreturn / rt_sigreturn: restores the state saved in the frame at sp; false on a bad frame. */
  restoreFrame(cpu: CpuState, mem: FlatMemory, rt: boolean): boolean {
    const frame = cpu.reg(13);
    const uc = rt ? frame + SIGINFO_SIZE : frame;
    if (!mem.accessible(frame, (rt ? SIGINFO_SIZE : 0) + SIGFRAME_SIZE, Perm.R)) return false;
    const dv = mem.dv;
    const mc = uc + UC_MCONTEXT;
    for (let r = 0; r < 16; r++) cpu.setReg(r, dv.getUint32(mc + 12 + r * 4, true));
    const cpsr = dv.getUint32(mc + 76, true);
    cpu.cpsr = cpsr;
    const pc = cpu.pc;
    cpu.pc = (cpsr & 0x20 ? pc & ~1 : pc & ~3) >>> 0;
    this.setBlocked(dv.getBigUint64(uc + UC_SIGMASK, true));
    const vf = uc + UC_REGSPACE;
    if (dv.getUint32(vf, true) === VFP_MAGIC && dv.getUint32(vf + 4, true) === VFP_FRAME_SIZE) {
      for (let i = 0; i < 64; i++) cpu.u32[W.VFP + i] = dv.getUint32(vf + 8 + i * 4, true);
      cpu.u32[W.FPSCR] = dv.getUint32(vf + 264, true);
    }
    return true;
  }
}

function writeSiginfo(mem: FlatMemory, at: number, info: SigInfo): void {
  const dv = mem.dv;
  dv.setInt32(at, info.signo, true);
  dv.setInt32(at + 4, 0, true);
  dv.setInt32(at + 8, info.code, true);
  if (info.addr !== undefined) dv.setUint32(at + 12, info.addr >>> 0, true);
  else {
    dv.setInt32(at + 12, info.pid ?? 0, true);
    dv.setUint32(at + 16, info.uid ?? 0, true);
  }
}

export const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
export { bit as sigBit };
