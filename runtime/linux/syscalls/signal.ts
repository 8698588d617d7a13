// Signal system calls: actions (rt_sigaction and the old sigaction), the blocked mask,
// pending, the alternate stack, returning from handlers, and sending signals to ourselves.

import { E } from '../errno.js';
import type { LinuxProcess } from '../process.js';
import { StructBuf } from '../guestio.js';
import { GuestKilled, NSIG, SI, SIG, SS_DISABLE, SS_ONSTACK, sigBit, type SigAction } from '../signals.js';
import { NR } from './numbers.js';
import { err, sys, type SyscallTable } from './common.js';

const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SIG_SETMASK = 2;
const MINSIGSTKSZ = 2048;

function checkSig(sig: number): void {
  if (sig < 1 || sig > NSIG) err(E.EINVAL);
}

/** struct sigaction as the kernel takes it on ARM: handler, flags, restorer, mask (8 bytes). */
function rtSigaction(p: LinuxProcess, sig: number, act: number, oact: number, size: number): number {
  if (size !== 8) err(E.EINVAL);
  checkSig(sig);
  const cur = p.signals.actions[sig];
  let next: SigAction | null = null;
  if (act) {
    if (sig === SIG.SIGKILL || sig === SIG.SIGSTOP) err(E.EINVAL);
    next = { handler: p.io.u32(act), flags: p.io.u32(act + 4), restorer: p.io.u32(act + 8), mask: p.io.u64(act + 12) & ~(sigBit(SIG.SIGKILL) | sigBit(SIG.SIGSTOP)) };
  }
  if (oact) p.io.write(oact, new StructBuf(20).u32(0, cur.handler).u32(4, cur.flags).u32(8, cur.restorer).u64(12, cur.mask).buf);
  if (next) p.signals.actions[sig] = next;
  return 0;
}

/** The old struct sigaction: handler, mask (one word), flags, restorer. */
function oldSigaction(p: LinuxProcess, sig: number, act: number, oact: number): number {
  checkSig(sig);
  const cur = p.signals.actions[sig];
  let next: SigAction | null = null;
  if (act) {
    if (sig === SIG.SIGKILL || sig === SIG.SIGSTOP) err(E.EINVAL);
    next = { handler: p.io.u32(act), mask: BigInt(p.io.u32(act + 4)), flags: p.io.u32(act + 8), restorer: p.io.u32(act + 12) };
  }
  if (oact) p.io.write(oact, new StructBuf(16).u32(0, cur.handler).u32(4, cur.mask & 0xffffffffn).u32(8, cur.flags).u32(12, cur.restorer).buf);
  if (next) p.signals.actions[sig] = next;
  return 0;
}

function sigprocmask(p: LinuxProcess, how: number, set: number, oset: number, size: number | null): number {
  if (size !== null && size !== 8) err(E.EINVAL);
  const old = p.signals.blocked;
  if (set) {
    const m = size === null ? BigInt(p.io.u32(set)) : p.io.u64(set);
    if (how === SIG_BLOCK) p.signals.setBlocked(old | m);
    else if (how === SIG_UNBLOCK) p.signals.setBlocked(old & ~m);
    else if (how === SIG_SETMASK) p.signals.setBlocked(size === null ? (old & ~0xffffffffn) | m : m);
    else err(E.EINVAL);
  }
  if (oset) {
    if (size === null) p.io.setU32(oset, Number(old & 0xffffffffn));
    else p.io.setU64(oset, old);
  }
  return 0;
}

function sigaltstack(p: LinuxProcess, ss: number, oss: number): number {
  const s = p.signals;
  const sp = p.cpu.reg(13);
  if (oss) p.io.write(oss, new StructBuf(12).u32(0, s.altstack.sp).u32(4, s.onAltStack(sp) ? SS_ONSTACK : s.altstack.flags).u32(8, s.altstack.size).buf);
  if (ss) {
    const nsp = p.io.u32(ss);
    const flags = p.io.u32(ss + 4);
    const size = p.io.u32(ss + 8);
    if (s.onAltStack(sp)) err(E.EPERM);
    if (flags & ~(SS_DISABLE | SS_ONSTACK | 0x80000000)) err(E.EINVAL);
    if (flags & SS_DISABLE) s.altstack = { sp: 0, size: 0, flags: SS_DISABLE };
    else {
      if (size < MINSIGSTKSZ) err(E.ENOMEM);
      s.altstack = { sp: nsp, size, flags: 0 };
    }
  }
  return 0;
}

function sigreturn(p: LinuxProcess, rt: boolean): void {
  if (!p.signals.restoreFrame(p.cpu, p.mem, rt)) throw new GuestKilled(SIG.SIGSEGV, `armvisor: guest SIGSEGV: bad signal frame at sp=0x${p.cpu.reg(13).toString(16)}`);
}

/** kill/tkill/tgkill: signals to ourselves are queued; other processes are out of reach. */
function killSelf(p: LinuxProcess, target: number, sig: number, code: number): number {
  if (sig > NSIG) err(E.EINVAL);
  const t = target | 0;
  if (t !== p.pid && t !== 0 && t !== -1 && t !== -p.pid) err(E.EPERM);
  if (sig !== 0) p.raise(sig, code);
  return 0;
}

export const SIGNAL: SyscallTable = {
  [NR.rt_sigaction]: sys('rt_sigaction', 'dxxu', (p, [sig, a, o, sz]) => rtSigaction(p, sig, a, o, sz)),
  [NR.sigaction]: sys('sigaction', 'dxx', (p, [sig, a, o]) => oldSigaction(p, sig, a, o)),
  [NR.rt_sigprocmask]: sys('rt_sigprocmask', 'dxxu', (p, [how, s, o, sz]) => sigprocmask(p, how, s, o, sz)),
  [NR.sigprocmask]: sys('sigprocmask', 'dxx', (p, [how, s, o]) => sigprocmask(p, how, s, o, null)),
  [NR.rt_sigpending]: sys('rt_sigpending', 'xu', (p, [set, sz]) => {
    if (sz !== 8) err(E.EINVAL);
    p.io.setU64(set, p.signals.pendingMask() & p.signals.blocked);
    return 0;
  }),
  [NR.rt_sigsuspend]: sys('rt_sigsuspend', 'xu', (p, [set, sz]) => {
    if (sz !== 8) err(E.EINVAL);
    const m = p.io.u64(set);
    p.signals.setBlocked(m);
    if (!p.signals.hasDeliverable()) p.warnOnce('sigsuspend', 'armvisor: sigsuspend with no signal pending would wait forever; returning EINTR');
    return -E.EINTR;
  }),
  [NR.pause]: sys('pause', '', () => -E.EINTR),
  [NR.rt_sigtimedwait]: sys('rt_sigtimedwait', 'xxxu', () => -E.EAGAIN),
  [NR.rt_sigtimedwait_time64]: sys('rt_sigtimedwait_time64', 'xxxu', () => -E.EAGAIN),
  [NR.sigaltstack]: sys('sigaltstack', 'xx', (p, [ss, oss]) => sigaltstack(p, ss, oss)),
  [NR.rt_sigreturn]: sys('rt_sigreturn', '', (p) => sigreturn(p, true)),
  [NR.sigreturn]: sys('sigreturn', '', (p) => sigreturn(p, false)),
  [NR.kill]: sys('kill', 'dd', (p, [pid, sig]) => killSelf(p, pid, sig, SI.USER)),
  [NR.tkill]: sys('tkill', 'dd', (p, [tid, sig]) => killSelf(p, tid, sig, SI.TKILL)),
  [NR.tgkill]: sys('tgkill', 'ddd', (p, [tg, tid, sig]) => {
    if ((tid | 0) !== p.pid) err(E.ESRCH);
    return killSelf(p, tg, sig, SI.TKILL);
  }),
  [NR.rt_sigqueueinfo]: sys('rt_sigqueueinfo', 'ddx', (p, [pid, sig]) => killSelf(p, pid, sig, -1)),
};
