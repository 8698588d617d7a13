// The system call table: every group's entries by ARM EABI number.

import type { SyscallDef, SyscallTable } from './common.js';
import { FILES } from './files.js';
import { FSMETA } from './fsmeta.js';
import { MEMORY } from './memory.js';
import { TIME } from './time.js';
import { SIGNAL } from './signal.js';
import { PROC } from './proc.js';
import { MISC } from './misc.js';

const GROUPS: SyscallTable[] = [FILES, FSMETA, MEMORY, TIME, SIGNAL, PROC, MISC];

export const SYSCALLS = new Map<number, SyscallDef>();
for (const g of GROUPS) {
  for (const [nr, def] of Object.entries(g)) {
    const n = Number(nr);
    if (!Number.isInteger(n)) throw new Error(`syscall table: bad number for ${def.name}`);
    if (SYSCALLS.has(n)) throw new Error(`syscall table: ${def.name} (${n}) defined twice`);
    SYSCALLS.set(n, def);
  }
}
