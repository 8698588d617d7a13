// --strace: one line per system call, "pid name(args) = result", arguments formatted by the
// table's format letters.

import type { LinuxProcess } from '../process.js';
import { AT_FDCWD, type SyscallDef } from './common.js';

function quote(p: LinuxProcess, addr: number): string {
  if (addr === 0) return 'NULL';
  try {
    const s = p.io.cstr(addr, 4096);
    return JSON.stringify(s.length > 64 ? s.slice(0, 64) + '...' : s);
  } catch {
    return `0x${addr.toString(16)}`;
  }
}

export function formatSyscall(p: LinuxProcess, def: SyscallDef, args: number[]): string {
  const parts = [...def.fmt].map((c, i) => {
    const v = args[i] >>> 0;
    switch (c) {
      case 'd':
        return String(v | 0);
      case 'u':
        return String(v);
      case 'o':
        return '0' + v.toString(8);
      case 's':
        return quote(p, v);
      case 'f':
        return (v | 0) === AT_FDCWD ? 'AT_FDCWD' : String(v | 0);
      default:
        return '0x' + v.toString(16);
    }
  });
  return `${def.name}(${parts.join(',')})`;
}
