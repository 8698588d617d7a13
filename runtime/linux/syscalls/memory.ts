// Memory management: brk, mmap2 (anonymous and file-backed, copied in), munmap, mprotect,
// mremap, madvise, and the no-op calls (mlock, msync...). Page-granular, as on the kernel.

import * as fs from 'node:fs';
import { PAGE_SIZE, TASK_SIZE } from '../../memory/flat.js';
import { E } from '../errno.js';
import type { LinuxProcess } from '../process.js';
import { pageAlignUp } from '../mm.js';
import { NR } from './numbers.js';
import { err, sys, type SyscallTable } from './common.js';

export const MAP = {
  SHARED: 0x1,
  PRIVATE: 0x2,
  SHARED_VALIDATE: 0x3,
  FIXED: 0x10,
  ANONYMOUS: 0x20,
  FIXED_NOREPLACE: 0x100000,
} as const;

const PROT_MASK = 7;
const PROT_EXEC = 4;

function brk(p: LinuxProcess, want: number): number {
  const as = p.as;
  if (want === 0 || want < as.brkStart) return as.brk;
  const oldEnd = pageAlignUp(as.brk);
  const newEnd = pageAlignUp(want);
  if (newEnd > oldEnd) {
    if (newEnd > TASK_SIZE || !as.isFree(oldEnd, newEnd - oldEnd)) return as.brk;
    as.map(oldEnd, newEnd - oldEnd, 3);
  } else if (newEnd < oldEnd) {
    as.unmap(newEnd, oldEnd - newEnd);
  }
  as.brk = want;
  return want;
}

function mmap(p: LinuxProcess, addr: number, len: number, prot: number, flags: number, fd: number, offset: number): number {
  const as = p.as;
  if (len === 0) err(E.EINVAL);
  const type = flags & MAP.SHARED_VALIDATE;
  if (type === 0) err(E.EINVAL);
  const size = pageAlignUp(len);
  if (size > TASK_SIZE) err(E.ENOMEM);
  const anon = (flags & MAP.ANONYMOUS) !== 0;
  const file = anon ? null : p.fds.get(fd | 0);
  if (file && (file.hostFd < 0 || file.isDir)) err(E.ENODEV);
  if (file && (file.flags & 3) === 1) err(E.EACCES);
  let at: number;
  if (flags & (MAP.FIXED | MAP.FIXED_NOREPLACE)) {
    if (addr % PAGE_SIZE) err(E.EINVAL);
    if (addr + size > TASK_SIZE) err(E.ENOMEM);
    // below mmap_min_addr (ours: page 0, the vCPU's state block): security_mmap_addr's EPERM
    if (addr < PAGE_SIZE) err(E.EPERM);
    if (flags & MAP.FIXED_NOREPLACE && !(flags & MAP.FIXED) && !as.isFree(addr, size)) err(E.EEXIST);
    at = addr;
  } else {
    const hint = addr - (addr % PAGE_SIZE);
    at = hint && as.isFree(hint, size) ? hint : as.findFree(size);
    if (at < 0) err(E.ENOMEM);
  }
  as.map(at, size, prot & PROT_MASK, !anon);
  // A shared library's code, for the profiler's function names.
  if (file?.path && prot & PROT_EXEC) p.noteCodeMapping(file.path, offset, at);
  if (file) {
    if (type === MAP.SHARED && prot & 2) p.warnOnce('mmap-shared', 'armvisor: writable MAP_SHARED file mappings are private copies (writes are not saved)');
    const view = p.mem.u8.subarray(at, at + size);
    let done = 0;
    while (done < len) {
      const n = fs.readSync(file.hostFd, view, done, len - done, offset + done);
      if (n === 0) break;
      done += n;
    }
  }
  return at;
}

function mremap(p: LinuxProcess, old: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
  const as = p.as;
  const MAYMOVE = 1;
  const FIXED = 2;
  if (old % PAGE_SIZE || flags & ~7 || newLen === 0) err(E.EINVAL);
  const oldSize = pageAlignUp(oldLen);
  const newSize = pageAlignUp(newLen);
  if (!as.isMapped(old)) err(E.EFAULT);
  const prot = as.protOf(old);
  if (flags & FIXED) {
    if (!(flags & MAYMOVE) || newAddr % PAGE_SIZE) err(E.EINVAL);
    // user space only: page 0 holds the vCPU's state block (memory/flat.ts), the top armvisor's
    // tables; Linux's mremap_to answers EINVAL past TASK_SIZE, EPERM below mmap_min_addr
    if (newAddr + newSize > TASK_SIZE) err(E.EINVAL);
    if (newAddr < PAGE_SIZE) err(E.EPERM);
    as.unmap(newAddr, newSize);
    as.map(newAddr, newSize, prot);
    p.mem.u8.copyWithin(newAddr, old, old + Math.min(oldSize, newSize));
    as.unmap(old, oldSize);
    return newAddr;
  }
  if (newSize <= oldSize) {
    as.unmap(old + newSize, oldSize - newSize);
    return old;
  }
  if (as.isFree(old + oldSize, newSize - oldSize)) {
    as.map(old + oldSize, newSize - oldSize, prot);
    return old;
  }
  if (!(flags & MAYMOVE)) err(E.ENOMEM);
  const at = as.findFree(newSize);
  if (at < 0) err(E.ENOMEM);
  as.map(at, newSize, prot);
  p.mem.u8.copyWithin(at, old, old + oldSize);
  as.unmap(old, oldSize);
  return at;
}

const MADV_DONTNEED = 4;

export const MEMORY: SyscallTable = {
  [NR.brk]: sys('brk', 'x', (p, [a]) => brk(p, a)),
  [NR.mmap2]: sys('mmap2', 'xuxxdx', (p, [addr, len, prot, flags, fd, pgoff]) => mmap(p, addr, len, prot, flags, fd, pgoff * PAGE_SIZE)),
  [NR.munmap]: sys('munmap', 'xu', (p, [addr, len]) => {
    if (addr % PAGE_SIZE || len === 0 || addr + len > 0x100000000) err(E.EINVAL);
    p.as.unmap(addr, pageAlignUp(len));
    return 0;
  }),
  [NR.mprotect]: sys('mprotect', 'xux', (p, [addr, len, prot]) => {
    if (addr % PAGE_SIZE || prot & ~(PROT_MASK | 0x03000000)) err(E.EINVAL);
    if (!p.as.protect(addr, pageAlignUp(len), prot & PROT_MASK)) err(E.ENOMEM);
    return 0;
  }),
  [NR.mremap]: sys('mremap', 'xuuxx', (p, [old, ol, nl, flags, na]) => mremap(p, old, ol, nl, flags, na)),
  [NR.madvise]: sys('madvise', 'xud', (p, [addr, len, advice]) => {
    if (addr % PAGE_SIZE) err(E.EINVAL);
    if (advice === MADV_DONTNEED) p.as.discard(addr, pageAlignUp(len));
    return 0;
  }),
  [NR.msync]: sys('msync', 'xux', () => 0),
  [NR.mlock]: sys('mlock', 'xu', () => 0),
  [NR.munlock]: sys('munlock', 'xu', () => 0),
  [NR.mlockall]: sys('mlockall', 'x', () => 0),
  [NR.munlockall]: sys('munlockall', '', () => 0),
  [NR.mincore]: sys('mincore', 'xux', (p, [addr, len, vec]) => {
    const n = pageAlignUp(len) / PAGE_SIZE;
    for (let i = 0; i < n; i++) if (!p.as.isMapped(addr + i * PAGE_SIZE)) err(E.ENOMEM);
    p.io.out(vec, n).fill(1);
    return 0;
  }),
};
