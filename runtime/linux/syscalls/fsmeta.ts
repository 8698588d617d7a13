// File system metadata and names: the stat family (struct stat64 and statx in their ARM EABI
// layouts), access, the working directory, creating, linking, renaming and removing names,
// permissions and owners, timestamps, umask, statfs.

import * as fs from 'node:fs';
import { E } from '../errno.js';
import type { LinuxProcess } from '../process.js';
import { StructBuf } from '../guestio.js';
import { NR } from './numbers.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, atArg, atPath, err, sys, type SyscallTable } from './common.js';

const NS = 1000000000n;
const devMajor = (d: bigint): number => Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
const devMinor = (d: bigint): number => Number((d & 0xffn) | ((d >> 12n) & ~0xffn));

/** arch/arm struct stat64 (104 bytes; st_dev, __st_ino, ..., st_ino at 96). */
export function stat64Buf(st: fs.BigIntStats): Buffer {
  const s = new StructBuf(104)
    .u64(0, st.dev)
    .u32(12, st.ino)
    .u32(16, st.mode)
    .u32(20, st.nlink)
    .u32(24, st.uid)
    .u32(28, st.gid)
    .u64(32, st.rdev)
    .u64(48, st.size)
    .u32(56, st.blksize)
    .u64(64, st.blocks)
    .u32(72, st.atimeNs / NS)
    .u32(76, st.atimeNs % NS)
    .u32(80, st.mtimeNs / NS)
    .u32(84, st.mtimeNs % NS)
    .u32(88, st.ctimeNs / NS)
    .u32(92, st.ctimeNs % NS)
    .u64(96, st.ino);
  return s.buf;
}

const STATX_BASIC_STATS = 0x7ff;
const STATX_BTIME = 0x800;

/** struct statx (256 bytes, the same on every architecture). */
export function statxBuf(st: fs.BigIntStats): Buffer {
  const s = new StructBuf(256);
  const ts = (off: number, ns: bigint) => s.u64(off, ns / NS).u32(off + 8, ns % NS);
  const hasBirth = st.birthtimeNs > 0n;
  s.u32(0, STATX_BASIC_STATS | (hasBirth ? STATX_BTIME : 0))
    .u32(4, st.blksize)
    .u32(16, st.nlink)
    .u32(20, st.uid)
    .u32(24, st.gid)
    .u16(28, Number(st.mode))
    .u64(32, st.ino)
    .u64(40, st.size)
    .u64(48, st.blocks);
  ts(64, st.atimeNs);
  if (hasBirth) ts(80, st.birthtimeNs);
  ts(96, st.ctimeNs);
  ts(112, st.mtimeNs);
  s.u32(128, devMajor(st.rdev)).u32(132, devMinor(st.rdev)).u32(136, devMajor(st.dev)).u32(140, devMinor(st.dev));
  return s.buf;
}

/** Host stat of a guest fd (pipes get a FIFO-looking answer). */
function fstatFd(p: LinuxProcess, fd: number): fs.BigIntStats {
  const f = p.fds.get(fd);
  if (f.hostFd < 0) {
    const now = BigInt(Date.now()) * 1000000n;
    const z = 0n;
    return {
      dev: 12n, ino: BigInt(fd + 1000), mode: 0o10600n, nlink: 1n, uid: BigInt(process.getuid?.() ?? 0), gid: BigInt(process.getgid?.() ?? 0),
      rdev: z, size: z, blksize: 4096n, blocks: z, atimeNs: now, mtimeNs: now, ctimeNs: now, birthtimeNs: z,
    } as unknown as fs.BigIntStats;
  }
  return fs.fstatSync(f.hostFd, { bigint: true });
}

/** stat for (dirfd, path, flags) with AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW. */
function statAt(p: LinuxProcess, dirfd: number, pathAddr: number, flags: number): fs.BigIntStats {
  const gp = p.io.cstr(pathAddr);
  if (gp === '' && flags & AT_EMPTY_PATH) {
    if ((dirfd | 0) === AT_FDCWD) return fs.statSync('.', { bigint: true });
    return fstatFd(p, dirfd);
  }
  const hp = atPath(p, dirfd, gp);
  return flags & AT_SYMLINK_NOFOLLOW ? fs.lstatSync(hp, { bigint: true }) : fs.statSync(hp, { bigint: true });
}

function readlink(p: LinuxProcess, hp: string, buf: number, size: number): number {
  if ((size | 0) <= 0) err(E.EINVAL);
  const target = hp === p.exePath && !isLink(hp) ? Buffer.from(p.exePath) : fs.readlinkSync(hp, { encoding: 'buffer' });
  const n = Math.min(size, target.length);
  p.io.write(buf, target.subarray(0, n));
  return n;
}
function isLink(hp: string): boolean {
  try {
    return fs.lstatSync(hp).isSymbolicLink();
  } catch {
    return false;
  }
}

/** readlink path for the guest: /proc/self/exe names the guest program. */
function readlinkPath(p: LinuxProcess, dirfd: number, addr: number): string {
  const gp = p.io.cstr(addr);
  if (gp === '/proc/self/exe' || gp === `/proc/${p.pid}/exe`) return p.exePath;
  return atPath(p, dirfd, gp);
}

function access(p: LinuxProcess, hp: string, mode: number): number {
  if (mode & ~7) err(E.EINVAL);
  fs.accessSync(hp, mode);
  return 0;
}

function unlinkAt(p: LinuxProcess, dirfd: number, addr: number, flags: number): number {
  if (flags & ~AT_REMOVEDIR) err(E.EINVAL);
  const hp = atArg(p, dirfd, addr);
  if (flags & AT_REMOVEDIR) fs.rmdirSync(hp);
  else fs.unlinkSync(hp);
  return 0;
}

function renameAt(p: LinuxProcess, od: number, oa: number, nd: number, na: number, flags: number): number {
  const from = atArg(p, od, oa);
  const to = atArg(p, nd, na);
  if (flags & ~1) err(E.EINVAL); // only RENAME_NOREPLACE
  if (flags & 1) {
    let exists = true;
    try {
      fs.lstatSync(to);
    } catch {
      exists = false;
    }
    if (exists) err(E.EEXIST);
  }
  fs.renameSync(from, to);
  return 0;
}

const UTIME_NOW = (1 << 30) - 1;
const UTIME_OMIT = (1 << 30) - 2;

/** utimensat(dirfd, path, times[2], flags); times as timespec (t64: 16-byte timespec64). */
function utimens(p: LinuxProcess, dirfd: number, pathAddr: number, times: number, flags: number, t64: boolean): number {
  let target: { fd: number } | { path: string; nofollow: boolean };
  if (pathAddr === 0) {
    const f = p.fds.get(dirfd);
    if (f.hostFd < 0) err(E.EBADF);
    target = { fd: f.hostFd };
  } else target = { path: atArg(p, dirfd, pathAddr), nofollow: (flags & AT_SYMLINK_NOFOLLOW) !== 0 };
  const cur = (): fs.Stats => ('fd' in target ? fs.fstatSync(target.fd) : target.nofollow ? fs.lstatSync(target.path) : fs.statSync(target.path));
  const now = Date.now() / 1000;
  const read = (i: number, old: () => number): number => {
    if (!times) return now;
    const sz = t64 ? 16 : 8;
    const sec = t64 ? Number(BigInt.asIntN(64, p.io.u64(times + i * sz))) : p.io.i32(times + i * sz);
    const nsec = p.io.i32(times + i * sz + (t64 ? 8 : 4));
    if (nsec === UTIME_NOW) return now;
    if (nsec === UTIME_OMIT) return old();
    if (nsec < 0 || nsec >= 1e9) err(E.EINVAL);
    return sec + nsec / 1e9;
  };
  const at = read(0, () => cur().atimeMs / 1000);
  const mt = read(1, () => cur().mtimeMs / 1000);
  if ('fd' in target) fs.futimesSync(target.fd, at, mt);
  else if (target.nofollow) fs.lutimesSync(target.path, at, mt);
  else fs.utimesSync(target.path, at, mt);
  return 0;
}

/** chown family: only a no-op change (same owner) succeeds unprivileged, as on the kernel. */
function chown(hp: string | number, uid: number, gid: number, nofollow = false): number {
  const u = uid === 0xffffffff || uid === 0xffff ? -1 : uid;
  const g = gid === 0xffffffff || gid === 0xffff ? -1 : gid;
  const st = typeof hp === 'number' ? fs.fstatSync(hp) : nofollow ? fs.lstatSync(hp) : fs.statSync(hp);
  const nu = u < 0 ? st.uid : u;
  const ng = g < 0 ? st.gid : g;
  if (typeof hp === 'number') fs.fchownSync(hp, nu, ng);
  else if (nofollow) fs.lchownSync(hp, nu, ng);
  else fs.chownSync(hp, nu, ng);
  return 0;
}

/** struct statfs64 on ARM: packed to 4 bytes, 84 bytes long. */
function statfsBuf(hp: string): Buffer {
  const s = fs.statfsSync(hp, { bigint: true });
  return new StructBuf(84)
    .u32(0, s.type)
    .u32(4, s.bsize)
    .u64(8, s.blocks)
    .u64(16, s.bfree)
    .u64(24, s.bavail)
    .u64(32, s.files)
    .u64(40, s.ffree)
    .u32(56, 255)
    .u32(60, s.bsize).buf;
}

function fdPath(p: LinuxProcess, fd: number): string {
  const f = p.fds.get(fd);
  return f.path ?? `/proc/self/fd/${f.hostFd}`;
}

export const FSMETA: SyscallTable = {
  [NR.stat64]: sys('stat64', 'sx', (p, [pa, buf]) => (p.io.write(buf, stat64Buf(statAt(p, AT_FDCWD, pa, 0))), 0)),
  [NR.lstat64]: sys('lstat64', 'sx', (p, [pa, buf]) => (p.io.write(buf, stat64Buf(statAt(p, AT_FDCWD, pa, AT_SYMLINK_NOFOLLOW))), 0)),
  [NR.fstat64]: sys('fstat64', 'dx', (p, [fd, buf]) => (p.io.write(buf, stat64Buf(fstatFd(p, fd))), 0)),
  [NR.fstatat64]: sys('fstatat64', 'fsxx', (p, [dfd, pa, buf, flags]) => (p.io.write(buf, stat64Buf(statAt(p, dfd, pa, flags))), 0)),
  [NR.statx]: sys('statx', 'fsxxx', (p, [dfd, pa, flags, , buf]) => (p.io.write(buf, statxBuf(statAt(p, dfd, pa, flags))), 0)),
  [NR.access]: sys('access', 'so', (p, [pa, mode]) => access(p, atArg(p, AT_FDCWD, pa), mode)),
  [NR.faccessat]: sys('faccessat', 'fso', (p, [dfd, pa, mode]) => access(p, atArg(p, dfd, pa), mode)),
  [NR.faccessat2]: sys('faccessat2', 'fsox', (p, [dfd, pa, mode]) => access(p, atArg(p, dfd, pa), mode)),
  [NR.getcwd]: sys('getcwd', 'xu', (p, [buf, size]) => {
    const cwd = Buffer.from(process.cwd() + '\0');
    if (size < cwd.length) err(E.ERANGE);
    p.io.write(buf, cwd);
    return cwd.length;
  }),
  [NR.chdir]: sys('chdir', 's', (p, [pa]) => {
    const hp = atArg(p, AT_FDCWD, pa);
    if (!fs.statSync(hp).isDirectory()) err(E.ENOTDIR);
    process.chdir(hp);
    return 0;
  }),
  [NR.fchdir]: sys('fchdir', 'd', (p, [fd]) => {
    if (!p.fds.get(fd).isDir) err(E.ENOTDIR);
    process.chdir(fdPath(p, fd));
    return 0;
  }),
  [NR.mkdir]: sys('mkdir', 'so', (p, [pa, mode]) => (fs.mkdirSync(atArg(p, AT_FDCWD, pa), { mode: mode & 0o7777 }), 0)),
  [NR.mkdirat]: sys('mkdirat', 'fso', (p, [dfd, pa, mode]) => (fs.mkdirSync(atArg(p, dfd, pa), { mode: mode & 0o7777 }), 0)),
  [NR.rmdir]: sys('rmdir', 's', (p, [pa]) => (fs.rmdirSync(atArg(p, AT_FDCWD, pa)), 0)),
  [NR.unlink]: sys('unlink', 's', (p, [pa]) => (fs.unlinkSync(atArg(p, AT_FDCWD, pa)), 0)),
  [NR.unlinkat]: sys('unlinkat', 'fsx', (p, [dfd, pa, flags]) => unlinkAt(p, dfd, pa, flags)),
  [NR.rename]: sys('rename', 'ss', (p, [a, b]) => renameAt(p, AT_FDCWD, a, AT_FDCWD, b, 0)),
  [NR.renameat]: sys('renameat', 'fsfs', (p, [od, a, nd, b]) => renameAt(p, od, a, nd, b, 0)),
  [NR.renameat2]: sys('renameat2', 'fsfsx', (p, [od, a, nd, b, flags]) => renameAt(p, od, a, nd, b, flags)),
  [NR.link]: sys('link', 'ss', (p, [a, b]) => (fs.linkSync(atArg(p, AT_FDCWD, a), atArg(p, AT_FDCWD, b)), 0)),
  [NR.linkat]: sys('linkat', 'fsfsx', (p, [od, a, nd, b, flags]) => {
    let from = atArg(p, od, a);
    if (flags & AT_SYMLINK_FOLLOW) from = fs.realpathSync(from);
    fs.linkSync(from, atArg(p, nd, b));
    return 0;
  }),
  [NR.symlink]: sys('symlink', 'ss', (p, [t, b]) => (fs.symlinkSync(p.io.cstr(t), atArg(p, AT_FDCWD, b)), 0)),
  [NR.symlinkat]: sys('symlinkat', 'sfs', (p, [t, nd, b]) => (fs.symlinkSync(p.io.cstr(t), atArg(p, nd, b)), 0)),
  [NR.readlink]: sys('readlink', 'sxu', (p, [pa, buf, n]) => readlink(p, readlinkPath(p, AT_FDCWD, pa), buf, n)),
  [NR.readlinkat]: sys('readlinkat', 'fsxu', (p, [dfd, pa, buf, n]) => readlink(p, readlinkPath(p, dfd, pa), buf, n)),
  [NR.chmod]: sys('chmod', 'so', (p, [pa, mode]) => (fs.chmodSync(atArg(p, AT_FDCWD, pa), mode & 0o7777), 0)),
  [NR.fchmod]: sys('fchmod', 'do', (p, [fd, mode]) => {
    const f = p.fds.get(fd);
    if (f.hostFd < 0) err(E.EINVAL);
    fs.fchmodSync(f.hostFd, mode & 0o7777);
    return 0;
  }),
  [NR.fchmodat]: sys('fchmodat', 'fso', (p, [dfd, pa, mode]) => (fs.chmodSync(atArg(p, dfd, pa), mode & 0o7777), 0)),
  [NR.chown32]: sys('chown32', 'sdd', (p, [pa, u, g]) => chown(atArg(p, AT_FDCWD, pa), u, g)),
  [NR.lchown32]: sys('lchown32', 'sdd', (p, [pa, u, g]) => chown(atArg(p, AT_FDCWD, pa), u, g, true)),
  [NR.fchown32]: sys('fchown32', 'ddd', (p, [fd, u, g]) => chown(p.fds.get(fd).hostFd, u, g)),
  [NR.fchownat]: sys('fchownat', 'fsddx', (p, [dfd, pa, u, g, flags]) => {
    if (flags & AT_EMPTY_PATH && p.io.cstr(pa) === '') return chown(p.fds.get(dfd).hostFd, u, g);
    return chown(atArg(p, dfd, pa), u, g, (flags & AT_SYMLINK_NOFOLLOW) !== 0);
  }),
  [NR.utimensat]: sys('utimensat', 'fsxx', (p, [dfd, pa, t, flags]) => utimens(p, dfd, pa, t, flags, false)),
  [NR.utimensat_time64]: sys('utimensat_time64', 'fsxx', (p, [dfd, pa, t, flags]) => utimens(p, dfd, pa, t, flags, true)),
  [NR.utimes]: sys('utimes', 'sx', (p, [pa, tv]) => {
    const hp = atArg(p, AT_FDCWD, pa);
    if (!tv) fs.utimesSync(hp, Date.now() / 1000, Date.now() / 1000);
    else fs.utimesSync(hp, p.io.i32(tv) + p.io.i32(tv + 4) / 1e6, p.io.i32(tv + 8) + p.io.i32(tv + 12) / 1e6);
    return 0;
  }),
  [NR.umask]: sys('umask', 'o', (_p, [mask]) => process.umask(mask & 0o777)),
  [NR.statfs64]: sys('statfs64', 'sux', (p, [pa, sz, buf]) => {
    if (sz !== 84 && sz !== 88) err(E.EINVAL); // EABI user space passes 88 (its padded struct), the kernel takes it as 84
    p.io.write(buf, statfsBuf(atArg(p, AT_FDCWD, pa)));
    return 0;
  }),
  [NR.fstatfs64]: sys('fstatfs64', 'dux', (p, [fd, sz, buf]) => {
    if (sz !== 84 && sz !== 88) err(E.EINVAL); // EABI user space passes 88 (its padded struct), the kernel takes it as 84
    p.io.write(buf, statfsBuf(fdPath(p, fd)));
    return 0;
  }),
  [NR.mknod]: sys('mknod', 'sox', () => err(E.EPERM)),
  [NR.mknodat]: sys('mknodat', 'fsox', () => err(E.EPERM)),
};

