// The files of /proc/self that must describe the guest, not armvisor's own Node process (as
// qemu-user does): `auxv` (the guest's auxiliary vector, 32-bit pairs), `cmdline` (its argv,
// NUL-terminated) and `maps` (its address space, in the kernel's format,
// Documentation/filesystems/proc.rst). /proc/self/exe is handled by path (syscalls/common.ts).

import type { LinuxProcess } from './process.js';
import { PAGE_SIZE } from '../memory/flat.js';
import { STACK_TOP, STACK_SIZE } from './mm.js';
import { KUSER_PAGE } from './kuser.js';
import { hex8 } from './signals.js';

/** The file's name under /proc/self (or /proc/<pid>), when `guestPath` is one of those emulated. */
function selfEntry(p: LinuxProcess, guestPath: string): string | null {
  const m = /^\/proc\/(self|\d+)\/(auxv|cmdline|maps)$/.exec(guestPath);
  if (!m || (m[1] !== 'self' && Number(m[1]) !== p.pid)) return null;
  return m[2];
}

/** The content of an emulated /proc/self file, or null when `guestPath` is not one. */
export function procSelfFile(p: LinuxProcess, guestPath: string): Buffer | null {
  switch (selfEntry(p, guestPath)) {
    case 'auxv':
      return Buffer.from(p.auxv);
    case 'cmdline':
      return Buffer.from(p.opts.argv.map((a) => a + '\0').join(''));
    case 'maps':
      return Buffer.from(mapsText(p));
    default:
      return null;
  }
}

/** One line per run of pages with the same permissions and backing. */
function mapsText(p: LinuxProcess): string {
  const as = p.as;
  const lines: string[] = [];
  const name = (start: number, end: number): string => {
    if (start >= STACK_TOP - STACK_SIZE && end <= STACK_TOP) return '[stack]';
    if (as.brk > as.brkStart && start >= as.brkStart && end <= as.brk) return '[heap]';
    return '';
  };
  const perms = (prot: number) => `${prot & 1 ? 'r' : '-'}${prot & 2 ? 'w' : '-'}${prot & 4 ? 'x' : '-'}p`;
  let start = -1;
  let key = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    const n = name(start, end);
    lines.push(`${hex8(start)}-${hex8(end)} ${perms(key & 7)} 00000000 00:00 0${n ? ' '.repeat(10) + n : ''}`);
    start = -1;
  };
  for (let a = PAGE_SIZE; a < KUSER_PAGE; a += PAGE_SIZE) {
    const k = as.isMapped(a) ? (as.protOf(a) | (as.isFileBacked(a) ? 8 : 0)) : -1;
    // the heap and the stack are lines of their own, as in the kernel
    const boundary = a === as.brkStart || a === STACK_TOP - STACK_SIZE;
    if (k !== key || boundary) {
      flush(a);
      if (k >= 0) start = a;
      key = k;
    }
  }
  flush(KUSER_PAGE);
  lines.push(`${hex8(KUSER_PAGE)}-${hex8(KUSER_PAGE + PAGE_SIZE)} r-xp 00000000 00:00 0          [vectors]`);
  return lines.join('\n') + '\n';
}
