// The initial process stack as the ELF ABI and Linux's binfmt_elf lay it out:
//   sp -> argc, argv[0..argc-1], NULL, envp[...], NULL, auxv pairs, AT_NULL,
// then (above) AT_RANDOM's 16 bytes, the platform string and the strings themselves.

import { hostRandom } from './hostrandom.js';
import type { FlatMemory } from '../memory/flat.js';

export const AT = {
  NULL: 0,
  PHDR: 3,
  PHENT: 4,
  PHNUM: 5,
  PAGESZ: 6,
  BASE: 7,
  FLAGS: 8,
  ENTRY: 9,
  UID: 11,
  EUID: 12,
  GID: 13,
  EGID: 14,
  PLATFORM: 15,
  HWCAP: 16,
  CLKTCK: 17,
  SECURE: 23,
  RANDOM: 25,
  HWCAP2: 26,
  EXECFN: 31,
} as const;

/** arch/arm HWCAP_* bits. */
export const HWCAP = {
  SWP: 1 << 0,
  HALF: 1 << 1,
  THUMB: 1 << 2,
  FAST_MULT: 1 << 4,
  VFP: 1 << 6,
  EDSP: 1 << 7,
  NEON: 1 << 12,
  VFPv3: 1 << 13,
  TLS: 1 << 15,
  VFPv4: 1 << 16,
  IDIVA: 1 << 17,
  IDIVT: 1 << 18,
  VFPD32: 1 << 19,
  LPAE: 1 << 20,
} as const;

/**
 * What qemu-arm -cpu cortex-a15 reports (0x1fb8d7) less NEON (Advanced SIMD is not implemented)
 * and ThumbEE (not implemented either).
 */
export const ARMVISOR_HWCAP =
  HWCAP.SWP | HWCAP.HALF | HWCAP.THUMB | HWCAP.FAST_MULT | HWCAP.VFP | HWCAP.EDSP | HWCAP.TLS | HWCAP.VFPv3 | HWCAP.VFPD32 | HWCAP.IDIVA | HWCAP.IDIVT | HWCAP.VFPv4 | HWCAP.LPAE;
export const ARMVISOR_HWCAP2 = 0;
export const PLATFORM = 'v7l';

export interface StackInfo {
  argv: string[];
  envp: string[];
  /** AT_EXECFN: the program path as given. */
  execfn: string;
  phdr: number;
  phnum: number;
  /** Interpreter load address (AT_BASE), 0 for static programs. */
  base: number;
  /** The program's own entry point (AT_ENTRY). */
  entry: number;
  uid: number;
  gid: number;
  /** 16 bytes for AT_RANDOM (random if not given). */
  random?: Uint8Array;
}

export interface BuiltStack {
  sp: number;
  /** Address of the auxv array. */
  auxv: number;
  /** Its length in bytes, AT_NULL's pair included (/proc/self/auxv). */
  auxvBytes: number;
}

/** Writes the initial stack below `top` (must be mapped) and returns the new sp. */
export function buildStack(mem: FlatMemory, top: number, info: StackInfo): BuiltStack {
  let p = top;
  const putString = (s: string): number => {
    const b = Buffer.from(s + '\0', 'utf8');
    p -= b.length;
    mem.write(p, b);
    return p;
  };
  p -= 4; // a NULL word at the very top, as the kernel leaves
  const execfn = putString(info.execfn);
  const envAddrs = info.envp.map(putString);
  const argAddrs = info.argv.map(putString);
  const platform = putString(PLATFORM);
  p = (p & ~15) >>> 0;
  const rnd = info.random ?? hostRandom(new Uint8Array(16));
  p -= 16;
  mem.write(p, rnd.subarray(0, 16));
  const random = p;

  const aux: [number, number][] = [
    [AT.PHDR, info.phdr],
    [AT.PHENT, 32],
    [AT.PHNUM, info.phnum],
    [AT.PAGESZ, 4096],
    [AT.BASE, info.base],
    [AT.FLAGS, 0],
    [AT.ENTRY, info.entry],
    [AT.UID, info.uid],
    [AT.EUID, info.uid],
    [AT.GID, info.gid],
    [AT.EGID, info.gid],
    [AT.HWCAP, ARMVISOR_HWCAP],
    [AT.CLKTCK, 100],
    [AT.RANDOM, random],
    [AT.SECURE, 0],
    [AT.EXECFN, execfn],
    [AT.HWCAP2, ARMVISOR_HWCAP2],
    [AT.PLATFORM, platform],
    [AT.NULL, 0],
  ];
  const words = 1 + argAddrs.length + 1 + envAddrs.length + 1 + aux.length * 2;
  p = ((p - words * 4) & ~15) >>> 0; // sp 16-byte aligned (the EABI needs 8)
  const sp = p >>> 0;
  const w: number[] = [argAddrs.length, ...argAddrs, 0, ...envAddrs, 0];
  const auxv = sp + w.length * 4;
  for (const [k, v] of aux) w.push(k, v);
  w.forEach((v, i) => mem.dv.setUint32(sp + i * 4, v >>> 0, true));
  return { sp, auxv, auxvBytes: aux.length * 8 };
}
