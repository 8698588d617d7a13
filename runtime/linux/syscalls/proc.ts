// The process and its identity: exit, ids, credentials, limits, usage, scheduling, futex for
// one thread, robust lists and rseq, and the calls that would create processes (not supported).

import * as fs from 'node:fs';
import * as os from 'node:os';
import { E } from '../errno.js';
import type { LinuxProcess } from '../process.js';
import { StructBuf } from '../guestio.js';
import { STACK_SIZE } from '../mm.js';
import { NR } from './numbers.js';
import { err, sleepMs, sys, type SyscallTable } from './common.js';
import { getTimespec } from './time.js';

const uid = (): number => process.getuid?.() ?? 0;
const gid = (): number => process.getgid?.() ?? 0;
const euid = (): number => process.geteuid?.() ?? 0;
const egid = (): number => process.getegid?.() ?? 0;

const RLIM_INFINITY = 0xffffffffffffffffn;
const RLIMIT = { CPU: 0, FSIZE: 1, DATA: 2, STACK: 3, CORE: 4, RSS: 5, NPROC: 6, NOFILE: 7, MEMLOCK: 8, AS: 9 };

/** Resource limits as the guest sees them (soft, hard). */
export class Limits {
  readonly v: [bigint, bigint][] = Array.from({ length: 16 }, () => [RLIM_INFINITY, RLIM_INFINITY] as [bigint, bigint]);
  constructor() {
    this.v[RLIMIT.STACK] = [BigInt(STACK_SIZE), RLIM_INFINITY];
    this.v[RLIMIT.NOFILE] = [1024n, 1048576n];
    this.v[RLIMIT.CORE] = [0n, RLIM_INFINITY];
    this.v[RLIMIT.MEMLOCK] = [8n << 20n, 8n << 20n];
    // (availableParallelism, not cpus(): that one reads /proc/cpuinfo, ~0.4 ms of every run.)
    const nproc = BigInt(os.availableParallelism() * 1000);
    this.v[RLIMIT.NPROC] = [nproc, nproc];
  }
}
const limits = new WeakMap<LinuxProcess, Limits>();
const limitsOf = (p: LinuxProcess): Limits => {
  let l = limits.get(p);
  if (!l) limits.set(p, (l = new Limits()));
  return l;
};

function setLimit(p: LinuxProcess, res: number, soft: bigint, hard: bigint): void {
  if (res >= 16) err(E.EINVAL);
  if (soft > hard) err(E.EINVAL);
  const cur = limitsOf(p).v[res];
  if (hard > cur[1]) err(E.EPERM);
  limitsOf(p).v[res] = [soft, hard];
  if (res === RLIMIT.NOFILE) p.fds.limit = Number(soft > 65536n ? 65536n : soft);
}

/** 32-bit struct rlimit: RLIM_INFINITY is ~0UL. */
const clamp32 = (v: bigint): number => (v >= 0xffffffffn ? 0xffffffff : Number(v));

function rusage(p: LinuxProcess, who: number, buf: number): number {
  if (who !== 0 && who !== -1 && who !== 1) err(E.EINVAL);
  const s = new StructBuf(72);
  if (who !== -1) {
    const u = process.cpuUsage();
    s.u32(0, Math.floor(u.user / 1e6)).u32(4, u.user % 1e6).u32(8, Math.floor(u.system / 1e6)).u32(12, u.system % 1e6);
    s.u32(16, Math.floor(process.memoryUsage().rss / 1024));
  }
  p.io.write(buf, s.buf);
  return 0;
}

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAKE_OP = 5;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;

/** One thread: a wait on an unchanged word could only time out; wakes find nobody. */
function futex(p: LinuxProcess, uaddr: number, op: number, val: number, timeout: number, t64: boolean): number {
  const cmd = op & 0x7f;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      if (uaddr & 3) err(E.EINVAL);
      if (p.io.u32(uaddr) !== val >>> 0) err(E.EAGAIN);
      if (timeout) {
        const ns = getTimespec(p, timeout, t64);
        if (cmd === FUTEX_WAIT) sleepMs(Number(ns / 1000000n));
        return -E.ETIMEDOUT;
      }
      p.warnOnce('futex-wait', 'armvisor: futex wait with no other thread to wake it (deadlock in the guest)');
      return -E.EINTR;
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
    case FUTEX_WAKE_OP:
      return 0;
  }
  err(E.ENOSYS);
}

function noFork(p: LinuxProcess, what: string): number {
  p.warnOnce('fork', `armvisor: ${what} is not supported (one guest process only)`);
  return -E.EAGAIN;
}

/** The host's supplementary groups as the kernel lists them (Node's getgroups adds the egid). */
function supplementaryGroups(): number[] {
  try {
    const m = /^Groups:[ \t]*(.*)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return m[1].trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    /* not Linux */
  }
  return process.getgroups?.() ?? [];
}

const same = (want: number, ...cur: number[]): number => (want === 0xffffffff || cur.includes(want) ? 0 : -E.EPERM);

export const PROC: SyscallTable = {
  [NR.exit]: sys('exit', 'd', (p, [st]) => p.exit(st)),
  [NR.exit_group]: sys('exit_group', 'd', (p, [st]) => p.exit(st)),
  [NR.getpid]: sys('getpid', '', (p) => p.pid),
  [NR.gettid]: sys('gettid', '', (p) => p.pid),
  [NR.getppid]: sys('getppid', '', () => process.ppid),
  [NR.getuid32]: sys('getuid32', '', () => uid()),
  [NR.geteuid32]: sys('geteuid32', '', () => euid()),
  [NR.getgid32]: sys('getgid32', '', () => gid()),
  [NR.getegid32]: sys('getegid32', '', () => egid()),
  [NR.getuid]: sys('getuid', '', () => uid() & 0xffff),
  [NR.geteuid]: sys('geteuid', '', () => euid() & 0xffff),
  [NR.getgid]: sys('getgid', '', () => gid() & 0xffff),
  [NR.getegid]: sys('getegid', '', () => egid() & 0xffff),
  [NR.getresuid32]: sys('getresuid32', 'xxx', (p, [a, b, c]) => (p.io.setU32(a, uid()), p.io.setU32(b, euid()), p.io.setU32(c, euid()), 0)),
  [NR.getresgid32]: sys('getresgid32', 'xxx', (p, [a, b, c]) => (p.io.setU32(a, gid()), p.io.setU32(b, egid()), p.io.setU32(c, egid()), 0)),
  [NR.setuid32]: sys('setuid32', 'd', (_p, [u]) => same(u, uid(), euid())),
  [NR.setgid32]: sys('setgid32', 'd', (_p, [g]) => same(g, gid(), egid())),
  [NR.setreuid32]: sys('setreuid32', 'dd', (_p, [r, e]) => same(r, uid(), euid()) || same(e, uid(), euid())),
  [NR.setregid32]: sys('setregid32', 'dd', (_p, [r, e]) => same(r, gid(), egid()) || same(e, gid(), egid())),
  [NR.setresuid32]: sys('setresuid32', 'ddd', (_p, [r, e, s]) => same(r, uid(), euid()) || same(e, uid(), euid()) || same(s, uid(), euid())),
  [NR.setresgid32]: sys('setresgid32', 'ddd', (_p, [r, e, s]) => same(r, gid(), egid()) || same(e, gid(), egid()) || same(s, gid(), egid())),
  [NR.setfsuid32]: sys('setfsuid32', 'd', () => euid()),
  [NR.setfsgid32]: sys('setfsgid32', 'd', () => egid()),
  [NR.getgroups32]: sys('getgroups32', 'dx', (p, [n, list]) => {
    const g = supplementaryGroups();
    if (n === 0) return g.length;
    if (n < g.length) err(E.EINVAL);
    g.forEach((v, i) => p.io.setU32(list + i * 4, v));
    return g.length;
  }),
  [NR.setgroups32]: sys('setgroups32', 'dx', () => -E.EPERM),
  [NR.getpgrp]: sys('getpgrp', '', (p) => p.pid),
  [NR.getpgid]: sys('getpgid', 'd', (p) => p.pid),
  [NR.setpgid]: sys('setpgid', 'dd', () => 0),
  [NR.getsid]: sys('getsid', 'd', (p) => p.pid),
  [NR.setsid]: sys('setsid', '', () => -E.EPERM),
  [NR.set_tid_address]: sys('set_tid_address', 'x', (p) => p.pid),
  [NR.set_robust_list]: sys('set_robust_list', 'xu', () => 0),
  [NR.get_robust_list]: sys('get_robust_list', 'dxx', () => -E.ENOSYS),
  [NR.rseq]: sys('rseq', 'xuxx', () => -E.ENOSYS),
  [NR.futex]: sys('futex', 'xdxxxx', (p, [u, op, v, t]) => futex(p, u, op, v, t, false)),
  [NR.futex_time64]: sys('futex_time64', 'xdxxxx', (p, [u, op, v, t]) => futex(p, u, op, v, t, true)),
  [NR.fork]: sys('fork', '', (p) => noFork(p, 'fork')),
  [NR.vfork]: sys('vfork', '', (p) => noFork(p, 'vfork')),
  [NR.clone]: sys('clone', 'xxxxx', (p) => noFork(p, 'clone')),
  [NR.clone3]: sys('clone3', 'xu', () => -E.ENOSYS),
  [NR.execve]: sys('execve', 'sxx', (p) => {
    p.warnOnce('execve', 'armvisor: execve is not supported');
    return -E.ENOSYS;
  }),
  [NR.wait4]: sys('wait4', 'dxxx', () => -E.ECHILD),
  [NR.waitid]: sys('waitid', 'ddxxx', () => -E.ECHILD),
  [NR.ugetrlimit]: sys('ugetrlimit', 'dx', (p, [res, buf]) => {
    if (res >= 16) err(E.EINVAL);
    const [s, h] = limitsOf(p).v[res];
    p.io.write(buf, new StructBuf(8).u32(0, clamp32(s)).u32(4, clamp32(h)).buf);
    return 0;
  }),
  [NR.setrlimit]: sys('setrlimit', 'dx', (p, [res, buf]) => {
    const w = (v: number): bigint => (v === 0xffffffff ? RLIM_INFINITY : BigInt(v));
    setLimit(p, res, w(p.io.u32(buf)), w(p.io.u32(buf + 4)));
    return 0;
  }),
  [NR.prlimit64]: sys('prlimit64', 'ddxx', (p, [pid, res, nw, old]) => {
    if (pid !== 0 && pid !== p.pid) err(E.ESRCH);
    if (res >= 16) err(E.EINVAL);
    const [s, h] = limitsOf(p).v[res];
    if (nw) setLimit(p, res, p.io.u64(nw), p.io.u64(nw + 8));
    if (old) p.io.write(old, new StructBuf(16).u64(0, s).u64(8, h).buf);
    return 0;
  }),
  [NR.getrusage]: sys('getrusage', 'dx', (p, [who, buf]) => rusage(p, who | 0, buf)),
  [NR.sched_yield]: sys('sched_yield', '', () => 0),
  [NR.sched_getaffinity]: sys('sched_getaffinity', 'dux', (p, [, len, mask]) => {
    if (len < 4 || len & 3) err(E.EINVAL);
    p.io.out(mask, len).fill(0);
    p.io.setU32(mask, 1);
    return 4;
  }),
  [NR.sched_setaffinity]: sys('sched_setaffinity', 'dux', () => 0),
  [NR.sched_getscheduler]: sys('sched_getscheduler', 'd', () => 0),
  [NR.sched_getparam]: sys('sched_getparam', 'dx', (p, [, buf]) => (p.io.setU32(buf, 0), 0)),
  [NR.sched_get_priority_max]: sys('sched_get_priority_max', 'd', (_p, [pol]) => (pol === 1 || pol === 2 ? 99 : 0)),
  [NR.sched_get_priority_min]: sys('sched_get_priority_min', 'd', (_p, [pol]) => (pol === 1 || pol === 2 ? 1 : 0)),
  [NR.getpriority]: sys('getpriority', 'dd', () => 20),
  [NR.setpriority]: sys('setpriority', 'ddd', () => 0),
  [NR.getcpu]: sys('getcpu', 'xxx', (p, [cpu, node]) => {
    if (cpu) p.io.setU32(cpu, 0);
    if (node) p.io.setU32(node, 0);
    return 0;
  }),
  [NR.membarrier]: sys('membarrier', 'dx', (_p, [cmd]) => (cmd === 0 ? 0 : 0)),
  [NR.capget]: sys('capget', 'xx', (p, [, data]) => {
    if (data) p.io.out(data, 12).fill(0);
    return 0;
  }),
};
