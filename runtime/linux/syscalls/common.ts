// What the system call groups share: the table entry shape, 64-bit argument pairs, *at()
// path resolution against guest directory fds, and the few flag translations to the host.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LinuxProcess } from '../process.js';
import { E, SyscallError } from '../errno.js';

/** A system call: raw 32-bit arguments r0-r6 in; result (or -errno) out; void keeps r0 (sigreturn). */
export type SyscallFn = (p: LinuxProcess, a: number[]) => number | void;

export interface SyscallDef {
  name: string;
  /**
   * Argument formats for --strace, one letter each: d signed, u unsigned, x hex, o octal,
   * s string, f fd (AT_FDCWD shown by name).
   */
  fmt: string;
  fn: SyscallFn;
}

export type SyscallTable = Record<number, SyscallDef>;

export const sys = (name: string, fmt: string, fn: SyscallFn): SyscallDef => ({ name, fmt, fn });

/** Throws -errno for the guest. */
export function err(errno: number): never {
  throw new SyscallError(errno);
}

/** A 64-bit value from an EABI register pair (low word first). */
export const pair = (lo: number, hi: number): number => (hi | 0) * 0x100000000 + (lo >>> 0);

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EMPTY_PATH = 0x1000;
export const AT_EACCESS = 0x200;

/** /proc/self/exe and friends that must name the guest, not armvisor. */
function procSelf(p: LinuxProcess, guestPath: string): string | null {
  if (guestPath === '/proc/self/exe' || guestPath === `/proc/${p.pid}/exe`) return p.exePath;
  return null;
}

/** Host path for a guest path (absolute paths go through the sysroot, like qemu -L). */
export function hostPath(p: LinuxProcess, guestPath: string): string {
  if (guestPath === '') err(E.ENOENT);
  return procSelf(p, guestPath) ?? p.hostPath(guestPath);
}

/** Host path for (dirfd, path) as the *at() calls take them. */
export function atPath(p: LinuxProcess, dirfd: number, guestPath: string): string {
  if (guestPath.startsWith('/')) return hostPath(p, guestPath);
  if (guestPath === '') err(E.ENOENT);
  if ((dirfd | 0) === AT_FDCWD) return guestPath;
  const f = p.fds.get(dirfd | 0);
  if (!f.isDir) err(E.ENOTDIR);
  return path.join(f.path ?? `/proc/self/fd/${f.hostFd}`, guestPath);
}

/** Reads the guest string at addr and resolves it against dirfd. */
export function atArg(p: LinuxProcess, dirfd: number, addr: number): string {
  return atPath(p, dirfd, p.io.cstr(addr));
}

/** ARM Linux open(2) flag bits (arch/arm/include/uapi/asm/fcntl.h differs from x86 for four of them). */
export const O = {
  ACCMODE: 3,
  CREAT: 0o100,
  EXCL: 0o200,
  NOCTTY: 0o400,
  TRUNC: 0o1000,
  APPEND: 0o2000,
  NONBLOCK: 0o4000,
  DSYNC: 0o10000,
  ASYNC: 0o20000,
  DIRECTORY: 0o40000,
  NOFOLLOW: 0o100000,
  DIRECT: 0o200000,
  LARGEFILE: 0o400000,
  NOATIME: 0o1000000,
  CLOEXEC: 0o2000000,
  SYNC: 0o4000000,
  PATH: 0o10000000,
  TMPFILE: 0o20000000,
} as const;

const C = fs.constants;

/** Guest open flags to the host's. */
export function hostOpenFlags(g: number): number {
  let h = g & O.ACCMODE;
  if (g & O.PATH) h = C.O_RDONLY;
  const map: [number, number | undefined][] = [
    [O.CREAT, C.O_CREAT],
    [O.EXCL, C.O_EXCL],
    [O.NOCTTY, C.O_NOCTTY],
    [O.TRUNC, C.O_TRUNC],
    [O.APPEND, C.O_APPEND],
    [O.NONBLOCK, C.O_NONBLOCK],
    [O.DSYNC, C.O_DSYNC],
    [O.DIRECTORY, C.O_DIRECTORY],
    [O.NOFOLLOW, C.O_NOFOLLOW],
    [O.NOATIME, C.O_NOATIME],
  ];
  for (const [gb, hb] of map) if (g & gb && hb !== undefined) h |= hb;
  if (g & O.SYNC && C.O_SYNC !== undefined) h |= C.O_SYNC;
  return h;
}

/** Blocks the host thread for ms milliseconds. */
export function sleepMs(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs a host fs call, retrying while a non-blocking stdio fd says EAGAIN. */
export function retryAgain<T>(f: () => T): T {
  for (;;) {
    try {
      return f();
    } catch (e) {
      if ((e as { code?: string }).code !== 'EAGAIN') throw e;
      sleepMs(1);
    }
  }
}
