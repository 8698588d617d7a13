// File descriptor I/O: open/close, read/write and their positional and vector forms, seeking,
// pipes, dup, fcntl, ioctl (the terminal requests programs ask), directory reading, poll and
// select over host fds, sendfile, sync and truncate.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { E } from '../errno.js';
import { OpenFile, PipeBuffer, hostOffset } from '../fds.js';
import type { LinuxProcess } from '../process.js';
import { StructBuf } from '../guestio.js';
import { SIG } from '../signals.js';
import { NR } from './numbers.js';
import { AT_FDCWD, O, atArg, atPath, err, hostOpenFlags, pair, retryAgain, sleepMs, sys, type SyscallTable } from './common.js';
import { procSelfFile } from '../procfs.js';

const SEEK_SET = 0;
const SEEK_CUR = 1;
const SEEK_END = 2;

/** Opens a host path for the guest; returns the new guest fd. */
export function openHost(p: LinuxProcess, hp: string, flags: number, mode: number): number {
  const hostFd = fs.openSync(hp, hostOpenFlags(flags), mode & 0o7777);
  let st: fs.Stats;
  try {
    st = fs.fstatSync(hostFd);
  } catch (e) {
    fs.closeSync(hostFd);
    throw e;
  }
  const status = flags & ~(O.CREAT | O.EXCL | O.NOCTTY | O.TRUNC | O.CLOEXEC);
  const f = new OpenFile(hostFd, status, path.resolve(hp), st.isFile() || st.isBlockDevice(), st.isDirectory());
  try {
    return p.fds.add(f, (flags & O.CLOEXEC) !== 0);
  } catch (e) {
    fs.closeSync(hostFd);
    throw e;
  }
}

/** open/openat: the guest's own /proc/self files (procfs.ts), else the host path. */
function openGuest(p: LinuxProcess, dirfd: number, pathAddr: number, flags: number, mode: number): number {
  const guestPath = p.io.cstr(pathAddr);
  const content = guestPath.startsWith('/proc/') ? procSelfFile(p, guestPath) : null;
  if (content === null) return openHost(p, atPath(p, dirfd, guestPath), flags, mode);
  if ((flags & O.ACCMODE) !== 0) err(E.EACCES);
  return openBytes(p, content, flags);
}

/**
 * A read-only guest fd holding `content`: an unlinked temporary file, so that read, pread,
 * lseek and fstat behave as for any file.
 */
function openBytes(p: LinuxProcess, content: Buffer, flags: number): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armvisor-proc-'));
  const file = path.join(dir, 'f');
  try {
    fs.writeFileSync(file, content);
    return openHost(p, file, flags & (O.CLOEXEC | O.ACCMODE), 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** read(2) into a host view of guest memory; `at` is an explicit offset (pread) or null. */
export function readFile(p: LinuxProcess, f: OpenFile, view: Uint8Array, at: number | null): number {
  if ((f.flags & O.ACCMODE) === 1) err(E.EBADF);
  if (f.pipe) {
    if (at !== null) err(E.ESPIPE);
    const pb = f.pipe;
    if (pb.chunks.length === 0) {
      if (pb.writers > 0) err(E.EAGAIN); // would block forever: nobody else can write
      return 0;
    }
    let n = 0;
    while (n < view.length && pb.chunks.length) {
      const c = pb.chunks[0];
      const k = Math.min(c.length, view.length - n);
      view.set(c.subarray(0, k), n);
      n += k;
      if (k === c.length) pb.chunks.shift();
      else pb.chunks[0] = c.subarray(k);
    }
    return n;
  }
  if (f.isDir) err(E.EISDIR);
  if (view.length === 0) return 0;
  if (at !== null) {
    if (!f.seekable) err(E.ESPIPE);
    return retryAgain(() => fs.readSync(f.hostFd, view, 0, view.length, at));
  }
  if (f.seekable) {
    const n = retryAgain(() => fs.readSync(f.hostFd, view, 0, view.length, f.kernelPos ? null : f.pos));
    f.pos += n;
    return n;
  }
  return retryAgain(() => fs.readSync(f.hostFd, view, 0, view.length, null));
}

/** write(2) from a host view of guest memory. */
export function writeFile(p: LinuxProcess, f: OpenFile, view: Uint8Array, at: number | null): number {
  if ((f.flags & O.ACCMODE) === 0) err(E.EBADF);
  if (f.pipe) {
    if (at !== null) err(E.ESPIPE);
    if (f.pipe.readers === 0) {
      p.raise(SIG.SIGPIPE);
      err(E.EPIPE);
    }
    if (view.length) f.pipe.chunks.push(Buffer.from(view));
    return view.length;
  }
  if (view.length === 0) return 0;
  try {
    if (at !== null) {
      if (!f.seekable) err(E.ESPIPE);
      return retryAgain(() => fs.writeSync(f.hostFd, view, 0, view.length, at));
    }
    if (f.seekable && !(f.flags & O.APPEND)) {
      const n = retryAgain(() => fs.writeSync(f.hostFd, view, 0, view.length, f.kernelPos ? null : f.pos));
      f.pos += n;
      return n;
    }
    const n = retryAgain(() => fs.writeSync(f.hostFd, view, 0, view.length, null));
    if (f.seekable) f.pos = fs.fstatSync(f.hostFd).size;
    return n;
  } catch (e) {
    if ((e as { code?: string }).code === 'EPIPE') p.raise(SIG.SIGPIPE);
    throw e;
  }
}

function seek(f: OpenFile, off: number, whence: number): number {
  if (f.pipe) err(E.ESPIPE);
  if (f.isDir) {
    if (whence !== SEEK_SET && !(whence === SEEK_CUR && off === 0)) err(E.EINVAL);
    const to = whence === SEEK_SET ? off : f.pos;
    if (to < 0) err(E.EINVAL);
    if (to === 0) f.dirents = null;
    return (f.pos = to);
  }
  if (!f.seekable) err(E.ESPIPE);
  let base: number;
  switch (whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = f.pos;
      break;
    case SEEK_END:
      base = fs.fstatSync(f.hostFd).size;
      break;
    case 3: // SEEK_DATA: no holes known
    case 4: {
      const size = fs.fstatSync(f.hostFd).size;
      if (off >= size) err(E.ENXIO);
      return (f.pos = whence === 3 ? off : size);
    }
    default:
      err(E.EINVAL);
  }
  const to = base + off;
  if (to < 0) err(E.EINVAL);
  if (f.kernelPos && to !== hostOffset(f.hostFd)) f.kernelPos = false;
  return (f.pos = to);
}

function iovecs(p: LinuxProcess, iov: number, cnt: number): [number, number][] {
  if ((cnt | 0) < 0 || cnt > 1024) err(E.EINVAL);
  const v: [number, number][] = [];
  for (let i = 0; i < cnt; i++) v.push([p.io.u32(iov + i * 8), p.io.u32(iov + i * 8 + 4)]);
  return v;
}

/** readv/writev and the positioned forms: each iovec in turn until one is short or fails. */
function vectored(p: LinuxProcess, dir: 'read' | 'write', fd: number, iov: number, cnt: number, at: number | null): number {
  const f = p.fds.get(fd);
  let total = 0;
  for (const [base, len] of iovecs(p, iov, cnt)) {
    if (len === 0) continue;
    let n: number;
    const pos = at === null ? null : at + total;
    try {
      n = dir === 'read' ? readFile(p, f, p.io.out(base, len), pos) : writeFile(p, f, p.io.in(base, len), pos);
    } catch (e) {
      if (total > 0) break; // a partial transfer reports what was done
      throw e;
    }
    total += n;
    if (n < len) break;
  }
  return total;
}

function makePipe(p: LinuxProcess, fdsAddr: number, flags: number): number {
  if (flags & ~(O.CLOEXEC | O.NONBLOCK | O.DIRECT)) err(E.EINVAL);
  p.io.out(fdsAddr, 8);
  const pb = new PipeBuffer();
  const cloexec = (flags & O.CLOEXEC) !== 0;
  const r = p.fds.add(new OpenFile(-1, 0 | (flags & O.NONBLOCK), null, false, false, pb, false), cloexec);
  let w: number;
  try {
    w = p.fds.add(new OpenFile(-1, 1 | (flags & O.NONBLOCK), null, false, false, pb, true), cloexec);
  } catch (e) {
    p.fds.close(r);
    throw e;
  }
  p.io.setU32(fdsAddr, r);
  p.io.setU32(fdsAddr + 4, w);
  return 0;
}

const DT = { UNKNOWN: 0, FIFO: 1, CHR: 2, DIR: 4, BLK: 6, REG: 8, LNK: 10, SOCK: 12 };

function direntType(d: fs.Dirent | fs.Stats): number {
  if (d.isFile()) return DT.REG;
  if (d.isDirectory()) return DT.DIR;
  if (d.isSymbolicLink()) return DT.LNK;
  if (d.isFIFO()) return DT.FIFO;
  if (d.isCharacterDevice()) return DT.CHR;
  if (d.isBlockDevice()) return DT.BLK;
  if (d.isSocket()) return DT.SOCK;
  return DT.UNKNOWN;
}

function listDir(f: OpenFile): { name: string; ino: bigint; type: number }[] {
  const dir = f.path ?? `/proc/self/fd/${f.hostFd}`;
  const ino = (q: string): bigint => {
    try {
      return fs.lstatSync(q, { bigint: true }).ino;
    } catch {
      return 0n;
    }
  };
  const out = [
    { name: '.', ino: ino(dir), type: DT.DIR },
    { name: '..', ino: ino(path.join(dir, '..')), type: DT.DIR },
  ];
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) out.push({ name: d.name, ino: ino(path.join(dir, d.name)), type: direntType(d) });
  return out;
}

/** getdents64: struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; } */
function getdents64(p: LinuxProcess, fd: number, buf: number, count: number): number {
  const f = p.fds.get(fd);
  if (!f.isDir) err(E.ENOTDIR);
  if (!f.dirents) f.dirents = listDir(f);
  const out = p.io.out(buf, count);
  let n = 0;
  while (f.pos < f.dirents.length) {
    const d = f.dirents[f.pos];
    const name = Buffer.from(d.name, 'utf8');
    const reclen = (19 + name.length + 1 + 7) & ~7;
    if (n + reclen > count) {
      if (n === 0) err(E.EINVAL);
      break;
    }
    const s = new StructBuf(reclen).u64(0, d.ino).u64(8, f.pos + 1).u16(16, reclen).u8(18, d.type);
    name.copy(s.buf, 19);
    out.set(s.buf, n);
    n += reclen;
    f.pos++;
  }
  return n;
}

const TCGETS = 0x5401;
const TCSETS = 0x5402;
const TCSETSW = 0x5403;
const TCSETSF = 0x5404;
const TIOCGPGRP = 0x540f;
const TIOCSPGRP = 0x5410;
const TIOCGWINSZ = 0x5413;
const TIOCSWINSZ = 0x5414;
const FIONREAD = 0x541b;
const FIONBIO = 0x5421;
const FIONCLEX = 0x5450;
const FIOCLEX = 0x5451;

function ioctl(p: LinuxProcess, fd: number, req: number, arg: number): number {
  const f = p.fds.get(fd);
  switch (req) {
    case FIOCLEX:
    case FIONCLEX:
      p.fds.setCloexec(fd, req === FIOCLEX);
      return 0;
    case FIONBIO:
      return 0;
    case FIONREAD: {
      let n = 0;
      if (f.pipe) n = f.pipe.size;
      else if (f.seekable) n = Math.max(0, fs.fstatSync(f.hostFd).size - f.pos);
      else if (!f.isTty) err(E.ENOTTY);
      p.io.setU32(arg, n);
      return 0;
    }
  }
  if (!f.isTty) err(E.ENOTTY);
  switch (req) {
    case TCGETS: {
      // struct termios { c_iflag, c_oflag, c_cflag, c_lflag; c_line; c_cc[19] }: a cooked tty.
      const cc = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0];
      const s = new StructBuf(36).u32(0, 0x500).u32(4, 0x5).u32(8, 0xbf).u32(12, 0x8a3b).u8(16, 0);
      cc.forEach((c, i) => s.u8(17 + i, c));
      p.io.write(arg, s.buf);
      return 0;
    }
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
    case TIOCSWINSZ:
    case TIOCSPGRP:
      return 0;
    case TIOCGPGRP:
      p.io.setU32(arg, p.pid);
      return 0;
    case TIOCGWINSZ: {
      const rows = Number(process.env.LINES) || 24;
      const cols = Number(process.env.COLUMNS) || 80;
      p.io.write(arg, new StructBuf(8).u16(0, rows).u16(2, cols).buf);
      return 0;
    }
  }
  p.warnOnce(`ioctl${req}`, `armvisor: unsupported ioctl 0x${req.toString(16)} on fd ${fd}`);
  err(E.ENOTTY);
}

const F = {
  DUPFD: 0,
  GETFD: 1,
  SETFD: 2,
  GETFL: 3,
  SETFL: 4,
  GETLK: 5,
  SETLK: 6,
  SETLKW: 7,
  SETOWN: 8,
  GETOWN: 9,
  GETLK64: 12,
  SETLK64: 13,
  SETLKW64: 14,
  DUPFD_CLOEXEC: 1030,
  SETPIPE_SZ: 1031,
  GETPIPE_SZ: 1032,
};

function fcntl(p: LinuxProcess, fd: number, cmd: number, arg: number): number {
  const f = p.fds.get(fd);
  switch (cmd) {
    case F.DUPFD:
    case F.DUPFD_CLOEXEC:
      if ((arg | 0) < 0 || arg >= p.fds.limit) err(E.EINVAL);
      return p.fds.add(f, cmd === F.DUPFD_CLOEXEC, arg);
    case F.GETFD:
      return p.fds.cloexec(fd) ? 1 : 0;
    case F.SETFD:
      p.fds.setCloexec(fd, (arg & 1) !== 0);
      return 0;
    case F.GETFL:
      return f.flags | O.LARGEFILE;
    case F.SETFL: {
      const changeable = O.APPEND | O.NONBLOCK | O.ASYNC | O.DIRECT | O.NOATIME;
      f.flags = (f.flags & ~changeable) | (arg & changeable);
      return 0;
    }
    case F.GETLK:
    case F.GETLK64:
      p.io.out(arg, 2);
      p.mem.dv.setUint16(arg, 2, true); // l_type = F_UNLCK: nobody else holds a lock
      return 0;
    case F.SETLK:
    case F.SETLKW:
    case F.SETLK64:
    case F.SETLKW64:
    case F.SETOWN:
      return 0;
    case F.GETOWN:
      return 0;
    case F.GETPIPE_SZ:
      if (!f.pipe) err(E.EBADF);
      return 65536;
    case F.SETPIPE_SZ:
      if (!f.pipe) err(E.EBADF);
      return Math.max(arg, 4096);
  }
  err(E.EINVAL);
}

const POLLIN = 0x1;
const POLLOUT = 0x4;
const POLLHUP = 0x10;
const POLLNVAL = 0x20;
const POLLRDNORM = 0x40;
const POLLWRNORM = 0x100;

/** Readiness without blocking: files, ttys and host pipes are reported ready; our pipes by content. */
function pollOne(p: LinuxProcess, fd: number, events: number): number {
  if (!p.fds.has(fd)) return POLLNVAL;
  const f = p.fds.get(fd);
  if (f.pipe) {
    if (f.pipeWrite) return (f.pipe.readers ? events & (POLLOUT | POLLWRNORM) : 0x8 /* POLLERR */);
    if (f.pipe.chunks.length) return events & (POLLIN | POLLRDNORM);
    return f.pipe.writers ? 0 : POLLHUP;
  }
  return events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
}

function poll(p: LinuxProcess, fds: number, nfds: number, timeoutMs: number): number {
  if (nfds > p.fds.limit) err(E.EINVAL);
  p.io.out(fds, nfds * 8);
  let ready = 0;
  for (let i = 0; i < nfds; i++) {
    const a = fds + i * 8;
    const fd = p.io.i32(a);
    const events = p.mem.dv.getUint16(a + 4, true);
    const rev = fd < 0 ? 0 : pollOne(p, fd, events | POLLHUP);
    p.mem.dv.setUint16(a + 6, rev, true);
    if (rev) ready++;
  }
  if (!ready && timeoutMs > 0) sleepMs(timeoutMs);
  return ready;
}

function timespecMs(p: LinuxProcess, addr: number, t64: boolean): number {
  if (addr === 0) return -1;
  const sec = t64 ? Number(BigInt.asIntN(64, p.io.u64(addr))) : p.io.i32(addr);
  const nsec = p.io.i32(addr + (t64 ? 8 : 4));
  return sec * 1000 + nsec / 1e6;
}

function select(p: LinuxProcess, nfds: number, sets: number[], timeoutMs: number): number {
  if ((nfds | 0) < 0 || nfds > p.fds.limit) err(E.EINVAL);
  const bytes = Math.ceil(nfds / 32) * 4;
  const views = sets.map((a) => (a ? p.io.out(a, bytes) : null));
  const bitsIn = views.map((v) => (v ? Uint8Array.from(v) : null));
  views.forEach((v) => v?.fill(0));
  let ready = 0;
  for (let fd = 0; fd < nfds; fd++) {
    const want = bitsIn.map((b) => (b ? (b[fd >> 3] >> (fd & 7)) & 1 : 0));
    if (!want.some(Boolean)) continue;
    if (!p.fds.has(fd)) err(E.EBADF);
    const rev = pollOne(p, fd, POLLIN | POLLOUT);
    const got = [rev & (POLLIN | POLLHUP), rev & POLLOUT, 0];
    for (let k = 0; k < 3; k++) {
      if (want[k] && got[k]) {
        views[k]![fd >> 3] |= 1 << (fd & 7);
        ready++;
      }
    }
  }
  if (!ready && timeoutMs > 0) sleepMs(timeoutMs);
  return ready;
}

function sendfile(p: LinuxProcess, outFd: number, inFd: number, offAddr: number, count: number, off64: boolean): number {
  const fin = p.fds.get(inFd);
  const fout = p.fds.get(outFd);
  let at: number | null = null;
  if (offAddr) at = off64 ? Number(p.io.u64(offAddr)) : p.io.u32(offAddr);
  const buf = Buffer.alloc(Math.min(count, 1 << 16));
  let total = 0;
  while (total < count) {
    const want = Math.min(buf.length, count - total);
    const n = readFile(p, fin, buf.subarray(0, want), at === null ? null : at + total);
    if (n === 0) break;
    let w = 0;
    while (w < n) w += writeFile(p, fout, buf.subarray(w, n), null);
    total += n;
    if (n < want) break;
  }
  if (offAddr) {
    if (off64) p.io.setU64(offAddr, at! + total);
    else p.io.setU32(offAddr, at! + total);
  }
  return total;
}

export const FILES: SyscallTable = {
  [NR.read]: sys('read', 'dxu', (p, [fd, buf, n]) => readFile(p, p.fds.get(fd), p.io.out(buf, n), null)),
  [NR.write]: sys('write', 'dxu', (p, [fd, buf, n]) => writeFile(p, p.fds.get(fd), p.io.in(buf, n), null)),
  [NR.pread64]: sys('pread64', 'dxuxuu', (p, [fd, buf, n, , lo, hi]) => readFile(p, p.fds.get(fd), p.io.out(buf, n), pair(lo, hi))),
  [NR.pwrite64]: sys('pwrite64', 'dxuxuu', (p, [fd, buf, n, , lo, hi]) => writeFile(p, p.fds.get(fd), p.io.in(buf, n), pair(lo, hi))),
  [NR.readv]: sys('readv', 'dxd', (p, [fd, iov, cnt]) => vectored(p, 'read', fd, iov, cnt, null)),
  [NR.writev]: sys('writev', 'dxd', (p, [fd, iov, cnt]) => vectored(p, 'write', fd, iov, cnt, null)),
  [NR.preadv]: sys('preadv', 'dxduu', (p, [fd, iov, cnt, lo, hi]) => vectored(p, 'read', fd, iov, cnt, pair(lo, hi))),
  [NR.pwritev]: sys('pwritev', 'dxduu', (p, [fd, iov, cnt, lo, hi]) => vectored(p, 'write', fd, iov, cnt, pair(lo, hi))),
  [NR.open]: sys('open', 'sxo', (p, [pa, flags, mode]) => openGuest(p, AT_FDCWD, pa, flags, mode)),
  [NR.openat]: sys('openat', 'fsxo', (p, [dfd, pa, flags, mode]) => openGuest(p, dfd, pa, flags, mode)),
  [NR.creat]: sys('creat', 'so', (p, [pa, mode]) => openHost(p, atArg(p, AT_FDCWD, pa), O.CREAT | O.TRUNC | 1, mode)),
  [NR.close]: sys('close', 'd', (p, [fd]) => (p.fds.close(fd), 0)),
  [NR.lseek]: sys('lseek', 'ddd', (p, [fd, off, whence]) => {
    const r = seek(p.fds.get(fd), off | 0, whence);
    if (r > 0x7fffffff) err(E.EOVERFLOW);
    return r;
  }),
  [NR._llseek]: sys('_llseek', 'duuxd', (p, [fd, hi, lo, res, whence]) => {
    p.io.out(res, 8);
    const r = seek(p.fds.get(fd), pair(lo, hi), whence);
    p.io.setU64(res, r);
    return 0;
  }),
  [NR.pipe]: sys('pipe', 'x', (p, [a]) => makePipe(p, a, 0)),
  [NR.pipe2]: sys('pipe2', 'xx', (p, [a, flags]) => makePipe(p, a, flags)),
  [NR.dup]: sys('dup', 'd', (p, [fd]) => p.fds.add(p.fds.get(fd), false)),
  [NR.dup2]: sys('dup2', 'dd', (p, [a, b]) => {
    const f = p.fds.get(a);
    if (a === b) return b;
    if (b >= p.fds.limit) err(E.EBADF);
    return p.fds.install(b, f, false);
  }),
  [NR.dup3]: sys('dup3', 'ddx', (p, [a, b, flags]) => {
    if (flags & ~O.CLOEXEC) err(E.EINVAL);
    const f = p.fds.get(a);
    if (a === b) err(E.EINVAL);
    if (b >= p.fds.limit) err(E.EBADF);
    return p.fds.install(b, f, (flags & O.CLOEXEC) !== 0);
  }),
  [NR.fcntl64]: sys('fcntl64', 'ddx', (p, [fd, cmd, arg]) => fcntl(p, fd, cmd, arg)),
  [NR.fcntl]: sys('fcntl', 'ddx', (p, [fd, cmd, arg]) => fcntl(p, fd, cmd, arg)),
  [NR.ioctl]: sys('ioctl', 'dxx', (p, [fd, req, arg]) => ioctl(p, fd, req, arg)),
  [NR.getdents64]: sys('getdents64', 'dxu', (p, [fd, buf, n]) => getdents64(p, fd, buf, n)),
  [NR.poll]: sys('poll', 'xud', (p, [fds, n, t]) => poll(p, fds, n, t | 0)),
  [NR.ppoll]: sys('ppoll', 'xuxx', (p, [fds, n, ts]) => poll(p, fds, n, timespecMs(p, ts, false))),
  [NR.ppoll_time64]: sys('ppoll_time64', 'xuxx', (p, [fds, n, ts]) => poll(p, fds, n, timespecMs(p, ts, true))),
  [NR._newselect]: sys('select', 'dxxxx', (p, [n, r, w, e, tv]) => select(p, n, [r, w, e], tv ? p.io.i32(tv) * 1000 + p.io.i32(tv + 4) / 1000 : -1)),
  [NR.pselect6]: sys('pselect6', 'dxxxxx', (p, [n, r, w, e, ts]) => select(p, n, [r, w, e], timespecMs(p, ts, false))),
  [NR.pselect6_time64]: sys('pselect6_time64', 'dxxxxx', (p, [n, r, w, e, ts]) => select(p, n, [r, w, e], timespecMs(p, ts, true))),
  [NR.sendfile]: sys('sendfile', 'ddxu', (p, [o, i, off, n]) => sendfile(p, o, i, off, n, false)),
  [NR.sendfile64]: sys('sendfile64', 'ddxu', (p, [o, i, off, n]) => sendfile(p, o, i, off, n, true)),
  [NR.fsync]: sys('fsync', 'd', (p, [fd]) => {
    const f = p.fds.get(fd);
    if (f.hostFd < 0) err(E.EINVAL);
    fs.fsyncSync(f.hostFd);
    return 0;
  }),
  [NR.fdatasync]: sys('fdatasync', 'd', (p, [fd]) => {
    const f = p.fds.get(fd);
    if (f.hostFd < 0) err(E.EINVAL);
    fs.fdatasyncSync(f.hostFd);
    return 0;
  }),
  [NR.sync]: sys('sync', '', () => 0),
  [NR.syncfs]: sys('syncfs', 'd', (p, [fd]) => (p.fds.get(fd), 0)),
  [NR.ftruncate]: sys('ftruncate', 'du', (p, [fd, len]) => ftruncate(p, fd, len)),
  [NR.ftruncate64]: sys('ftruncate64', 'dxuu', (p, [fd, , lo, hi]) => ftruncate(p, fd, pair(lo, hi))),
  [NR.truncate]: sys('truncate', 'su', (p, [pa, len]) => (fs.truncateSync(atArg(p, AT_FDCWD, pa), len), 0)),
  [NR.truncate64]: sys('truncate64', 'sxuu', (p, [pa, , lo, hi]) => {
    const len = pair(lo, hi);
    if (len < 0) err(E.EINVAL);
    fs.truncateSync(atArg(p, AT_FDCWD, pa), len);
    return 0;
  }),
  [NR.fallocate]: sys('fallocate', 'ddxxuu', (p, [fd, mode, olo, ohi, llo, lhi]) => {
    const f = p.fds.get(fd);
    if (mode !== 0) err(E.EOPNOTSUPP);
    if (!f.seekable) err(E.ESPIPE);
    const end = pair(olo, ohi) + pair(llo, lhi);
    if (fs.fstatSync(f.hostFd).size < end) fs.ftruncateSync(f.hostFd, end);
    return 0;
  }),
  [NR.arm_fadvise64_64]: sys('arm_fadvise64_64', 'ddxxxx', (p, [fd]) => (p.fds.get(fd), 0)),
  [NR.readahead]: sys('readahead', 'dxxxx', (p, [fd]) => (p.fds.get(fd), 0)),
};

function ftruncate(p: LinuxProcess, fd: number, len: number): number {
  const f = p.fds.get(fd);
  if (len < 0) err(E.EINVAL);
  if (!f.seekable || (f.flags & O.ACCMODE) === 0) err(f.isDir ? E.EISDIR : E.EINVAL);
  fs.ftruncateSync(f.hostFd, len);
  return 0;
}
