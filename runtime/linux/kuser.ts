// The kernel user helpers page at 0xffff0000 (Linux Documentation/arm/kernel_user_helpers.rst):
// small routines at fixed addresses that old ARM code calls for TLS and atomics, plus our
// signal-return trampolines. The code is ours, ARM encodings assembled by hand (listed with
// their assembly); the page is mapped read + execute.

import type { AddressSpace } from './mm.js';

export const KUSER_PAGE = 0xffff0000;
export const KUSER_HELPER_VERSION = 0xffff0ffc;
export const KUSER_GET_TLS = 0xffff0fe0;
export const KUSER_CMPXCHG = 0xffff0fc0;
export const KUSER_MEMORY_BARRIER = 0xffff0fa0;
export const KUSER_CMPXCHG64 = 0xffff0f60;
/** Helper count: 5 means every helper above, cmpxchg64 included. */
export const KUSER_VERSION = 5;

/** Signal return trampolines (used when a handler has no SA_RESTORER). */
export const SIGRETURN_ARM = 0xffff0500;
export const RT_SIGRETURN_ARM = 0xffff0508;
export const SIGRETURN_THUMB = 0xffff0510;
export const RT_SIGRETURN_THUMB = 0xffff0514;

const CMPXCHG64 = [
  0xe92d03f0, // push    {r4-r9}
  0xe1c040d0, // ldrd    r4, r5, [r0]        @ oldval
  0xe1c160d0, // ldrd    r6, r7, [r1]        @ newval
  0xe1b28f9f, // 1: ldrexd r8, r9, [r2]
  0xe0383004, // eors    r3, r8, r4
  0x00393005, // eorseq  r3, r9, r5
  0x01a23f96, // strexdeq r3, r6, r7, [r2]
  0x03330001, // teqeq   r3, #1              @ store failed: try again
  0x0afffff9, // beq     1b
  0xe2730000, // rsbs    r0, r3, #0          @ r0 = 0 and C = 1 on success
  0xe8bd03f0, // pop     {r4-r9}
  0xe12fff1e, // bx      lr
];
const MEMORY_BARRIER = [
  0xf57ff05b, // dmb     ish
  0xe12fff1e, // bx      lr
];
const CMPXCHG = [
  0xe1923f9f, // 1: ldrex r3, [r2]
  0xe0533000, // subs    r3, r3, r0
  0x01823f91, // strexeq r3, r1, [r2]
  0x03330001, // teqeq   r3, #1
  0x0afffffa, // beq     1b
  0xe2730000, // rsbs    r0, r3, #0          @ r0 = 0 and C = 1 on success
  0xe12fff1e, // bx      lr
];
const GET_TLS = [
  0xee1d0f70, // mrc     p15, 0, r0, c13, c0, 3   @ TPIDRURO
  0xe12fff1e, // bx      lr
];

/** Maps the helpers page and writes its code. */
export function installKuserPage(as: AddressSpace): void {
  const mem = as.mem;
  as.map(KUSER_PAGE, 4096, 0);
  const put = (addr: number, words: number[]) => words.forEach((w, i) => mem.dv.setUint32(addr + i * 4, w >>> 0, true));
  put(KUSER_CMPXCHG64, CMPXCHG64);
  put(KUSER_MEMORY_BARRIER, MEMORY_BARRIER);
  put(KUSER_CMPXCHG, CMPXCHG);
  put(KUSER_GET_TLS, GET_TLS);
  mem.dv.setUint32(KUSER_HELPER_VERSION, KUSER_VERSION, true);
  put(SIGRETURN_ARM, [0xe3a07077 /* mov r7, #119 (sigreturn) */, 0xef000000 /* svc 0 */]);
  put(RT_SIGRETURN_ARM, [0xe3a070ad /* mov r7, #173 (rt_sigreturn) */, 0xef000000 /* svc 0 */]);
  mem.dv.setUint16(SIGRETURN_THUMB, 0x2777, true); // movs r7, #119
  mem.dv.setUint16(SIGRETURN_THUMB + 2, 0xdf00, true); // svc 0
  mem.dv.setUint16(RT_SIGRETURN_THUMB, 0x27ad, true); // movs r7, #173
  mem.dv.setUint16(RT_SIGRETURN_THUMB + 2, 0xdf00, true); // svc 0
  as.protect(KUSER_PAGE, 4096, 1 | 4);
}
