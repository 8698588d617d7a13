// The rest: uname, getrandom, sysinfo, prctl, personality, and the ARM private calls
// (set_tls, get_tls, cacheflush, breakpoint).

import { hostRandom } from '../hostrandom.js';
import * as os from 'node:os';
import { W } from '../../../translator/state.js';
import { PAGE_SHIFT } from '../../memory/flat.js';
import { E } from '../errno.js';
import type { LinuxProcess } from '../process.js';
import { StructBuf } from '../guestio.js';
import { SI, SIG } from '../signals.js';
import { NR } from './numbers.js';
import { err, sys, type SyscallTable } from './common.js';

/** uname's machine field: what an ARMv7 kernel says (qemu-arm says the same). */
export const UNAME_MACHINE = 'armv7l';

function uname(p: LinuxProcess, buf: number): number {
  const s = new StructBuf(390);
  [os.type() === 'Linux' ? 'Linux' : 'Linux', os.hostname(), os.release(), os.version(), UNAME_MACHINE, '(none)'].forEach((v, i) => s.str(i * 65, v, 65));
  p.io.write(buf, s.buf);
  return 0;
}

/** struct sysinfo (64 bytes on 32-bit): sizes in mem_unit units that fit 32 bits. */
function sysinfo(p: LinuxProcess, buf: number): number {
  const total = os.totalmem();
  const free = os.freemem();
  let unit = 1;
  while (total / unit > 0xffffffff) unit *= 2;
  const load = os.loadavg().map((l) => Math.min(0xffffffff, Math.round(l * 65536)));
  const s = new StructBuf(64)
    .u32(0, Math.floor(os.uptime()))
    .u32(4, load[0])
    .u32(8, load[1])
    .u32(12, load[2])
    .u32(16, Math.floor(total / unit))
    .u32(20, Math.floor(free / unit))
    .u16(40, 1)
    .u32(52, unit);
  p.io.write(buf, s.buf);
  return 0;
}

const PR_SET_PDEATHSIG = 1;
const PR_GET_PDEATHSIG = 2;
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;
const PR_SET_NAME = 15;
const PR_GET_NAME = 16;
const PR_GET_SECCOMP = 21;
const PR_SET_NO_NEW_PRIVS = 38;
const PR_GET_NO_NEW_PRIVS = 39;
const PR_SET_VMA = 0x53564d41;

function prctl(p: LinuxProcess, opt: number, a2: number): number {
  switch (opt) {
    case PR_SET_NAME:
      p.comm = p.io.cstr(a2, 4096).slice(0, 15);
      return 0;
    case PR_GET_NAME:
      p.io.write(a2, new StructBuf(16).str(0, p.comm, 16).buf);
      return 0;
    case PR_GET_DUMPABLE:
      return 1;
    case PR_SET_DUMPABLE:
    case PR_SET_PDEATHSIG:
    case PR_SET_NO_NEW_PRIVS:
    case PR_SET_VMA:
      return 0;
    case PR_GET_PDEATHSIG:
      p.io.setU32(a2, 0);
      return 0;
    case PR_GET_SECCOMP:
    case PR_GET_NO_NEW_PRIVS:
      return 0;
  }
  err(E.EINVAL);
}

export const MISC: SyscallTable = {
  [NR.uname]: sys('uname', 'x', (p, [buf]) => uname(p, buf)),
  [NR.getrandom]: sys('getrandom', 'xux', (p, [buf, len, flags]) => {
    if (flags & ~7) err(E.EINVAL);
    const n = Math.min(len, 33554431);
    hostRandom(p.io.out(buf, n));
    return n;
  }),
  [NR.sysinfo]: sys('sysinfo', 'x', (p, [buf]) => sysinfo(p, buf)),
  [NR.prctl]: sys('prctl', 'dxxxx', (p, [opt, a2]) => prctl(p, opt, a2)),
  [NR.personality]: sys('personality', 'x', (_p, [pers]) => (pers === 0xffffffff || (pers & 0xff) === 0 ? 0 : -E.EINVAL)),
  [NR.nice]: sys('nice', 'd', () => 0),
  [NR.ARM_set_tls]: sys('set_tls', 'x', (p, [v]) => {
    p.cpu.u32[W.TPIDRURO] = v;
    return 0;
  }),
  [NR.ARM_get_tls]: sys('get_tls', '', (p) => p.cpu.u32[W.TPIDRURO]),
  [NR.ARM_cacheflush]: sys('cacheflush', 'xxx', (p, [start, end]) => {
    if (end < start) err(E.EINVAL);
    for (let pg = start >>> PAGE_SHIFT; pg <= (Math.max(start, end - 1) >>> PAGE_SHIFT); pg++) p.engine.invalidatePage(pg);
    return 0;
  }),
  [NR.ARM_breakpoint]: sys('breakpoint', '', (p) => {
    // The kernel reports a breakpoint at the SVC itself.
    p.signals.raise({ signo: SIG.SIGTRAP, code: SI.TRAP_BRKPT, addr: p.cpu.pc, message: `armvisor: guest SIGTRAP (breakpoint syscall) at pc=0x${p.cpu.pc.toString(16)}` });
    return 0;
  }),
};
