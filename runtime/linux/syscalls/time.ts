// Clocks and sleeping: clock_gettime (32- and 64-bit time_t forms), clock_getres,
// gettimeofday, nanosleep, clock_nanosleep, times, getrusage's clock parts.

import { E } from '../errno.js';
import type { LinuxProcess } from '../process.js';
import { StructBuf } from '../guestio.js';
import { NR } from './numbers.js';
import { err, sleepMs, sys, type SyscallTable } from './common.js';

export const CLOCK = {
  REALTIME: 0,
  MONOTONIC: 1,
  PROCESS_CPUTIME_ID: 2,
  THREAD_CPUTIME_ID: 3,
  MONOTONIC_RAW: 4,
  REALTIME_COARSE: 5,
  MONOTONIC_COARSE: 6,
  BOOTTIME: 7,
  REALTIME_ALARM: 8,
  BOOTTIME_ALARM: 9,
  TAI: 11,
} as const;

const REALTIME_BASE = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();

/** A clock's time in nanoseconds. */
export function clockNs(id: number): bigint {
  switch (id) {
    case CLOCK.REALTIME:
    case CLOCK.REALTIME_COARSE:
    case CLOCK.REALTIME_ALARM:
    case CLOCK.TAI:
      return REALTIME_BASE + process.hrtime.bigint();
    case CLOCK.MONOTONIC:
    case CLOCK.MONOTONIC_RAW:
    case CLOCK.MONOTONIC_COARSE:
    case CLOCK.BOOTTIME:
    case CLOCK.BOOTTIME_ALARM:
      return process.hrtime.bigint();
    case CLOCK.PROCESS_CPUTIME_ID:
    case CLOCK.THREAD_CPUTIME_ID:
      return cpuNs();
  }
  if ((id | 0) < 0) return cpuNs(); // CPU clocks of a pid/thread (clock_getcpuclockid)
  err(E.EINVAL);
}

function cpuNs(): bigint {
  const u = process.cpuUsage();
  return BigInt(u.user + u.system) * 1000n;
}

const NS = 1000000000n;

export function putTimespec(p: LinuxProcess, addr: number, ns: bigint, t64: boolean): void {
  if (t64) p.io.write(addr, new StructBuf(16).u64(0, ns / NS).u32(8, ns % NS).buf);
  else p.io.write(addr, new StructBuf(8).u32(0, ns / NS).u32(4, ns % NS).buf);
}

/** A guest timespec in ns (EINVAL for a bad tv_nsec). */
export function getTimespec(p: LinuxProcess, addr: number, t64: boolean): bigint {
  const sec = t64 ? BigInt.asIntN(64, p.io.u64(addr)) : BigInt(p.io.i32(addr));
  const nsec = p.io.i32(addr + (t64 ? 8 : 4));
  if (nsec < 0 || nsec >= 1e9 || sec < 0n) err(E.EINVAL);
  return sec * NS + BigInt(nsec);
}

function sleepNs(ns: bigint): void {
  if (ns > 0n) sleepMs(Number(ns / 1000n) / 1000);
}

function clockNanosleep(p: LinuxProcess, id: number, flags: number, req: number, t64: boolean): number {
  const ns = getTimespec(p, req, t64);
  clockNs(id);
  if (flags & 1) sleepNs(ns - clockNs(id)); // TIMER_ABSTIME
  else sleepNs(ns);
  return 0;
}

/** The guest's clock_t ticks (USER_HZ = 100). */
const ticks = (ns: bigint): number => Number(ns / 10000000n);

export const TIME: SyscallTable = {
  [NR.clock_gettime]: sys('clock_gettime', 'dx', (p, [id, ts]) => (putTimespec(p, ts, clockNs(id | 0), false), 0)),
  [NR.clock_gettime64]: sys('clock_gettime64', 'dx', (p, [id, ts]) => (putTimespec(p, ts, clockNs(id | 0), true), 0)),
  [NR.clock_getres]: sys('clock_getres', 'dx', (p, [id, ts]) => {
    clockNs(id | 0);
    if (ts) putTimespec(p, ts, id === CLOCK.REALTIME_COARSE || id === CLOCK.MONOTONIC_COARSE ? 4000000n : 1n, false);
    return 0;
  }),
  [NR.clock_getres_time64]: sys('clock_getres_time64', 'dx', (p, [id, ts]) => {
    clockNs(id | 0);
    if (ts) putTimespec(p, ts, id === CLOCK.REALTIME_COARSE || id === CLOCK.MONOTONIC_COARSE ? 4000000n : 1n, true);
    return 0;
  }),
  [NR.gettimeofday]: sys('gettimeofday', 'xx', (p, [tv, tz]) => {
    const ns = clockNs(CLOCK.REALTIME);
    if (tv) p.io.write(tv, new StructBuf(8).u32(0, ns / NS).u32(4, (ns % NS) / 1000n).buf);
    if (tz) p.io.write(tz, new StructBuf(8).i32(0, new Date().getTimezoneOffset()).buf);
    return 0;
  }),
  [NR.nanosleep]: sys('nanosleep', 'xx', (p, [req]) => (sleepNs(getTimespec(p, req, false)), 0)),
  [NR.clock_nanosleep]: sys('clock_nanosleep', 'dxxx', (p, [id, flags, req]) => clockNanosleep(p, id | 0, flags, req, false)),
  [NR.clock_nanosleep_time64]: sys('clock_nanosleep_time64', 'dxxx', (p, [id, flags, req]) => clockNanosleep(p, id | 0, flags, req, true)),
  [NR.times]: sys('times', 'x', (p, [buf]) => {
    const u = process.cpuUsage();
    if (buf) p.io.write(buf, new StructBuf(16).u32(0, Math.floor(u.user / 10000)).u32(4, Math.floor(u.system / 10000)).buf);
    return ticks(process.hrtime.bigint()) >>> 0;
  }),
};
