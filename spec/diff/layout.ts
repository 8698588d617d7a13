// The harness's memory layout and wire constants (mirrors spec/diff/layout.h).

export const CODE_REGION = 0x70000000;
export const CODE_PAGE = CODE_REGION + 0x1000;
export const SCRATCH_REGION = 0x70100000;
export const REGION_BYTES = 0x3000;
export const IN_MAGIC = 0x31464441;
export const OUT_MAGIC = 0x53455244;
export const MAX_CODE = 16;
export const MAX_CHANGES = 1024;
export const ARM_FILL = 0xe7f000f0;
export const THUMB_FILL = 0xde00de00;
export const CODE_DATA_SEED = 0x9e3779b9;

/**
 * Addresses where nothing of the harness (or of qemu-arm's guest layout) lives: a case is
 * run under QEMU only if armvisor's run of it stays inside (every PC and fault address),
 * so a wrong branch or address never lands in the harness's own code or data.
 */
export const SAFE_LO = 0x68000000;
export const SAFE_HI = 0x78000000;

export const inSafeWindow = (a: number): boolean => a >>> 0 >= SAFE_LO && a >>> 0 < SAFE_HI;

/** Linux signal numbers as the harness reports them. */
export const SIG = { ILL: 4, TRAP: 5, BUS: 7, FPE: 8, SEGV: 11, VTALRM: 26 } as const;
export const SIG_NAMES: Record<number, string> = {
  0: 'none',
  4: 'SIGILL',
  5: 'SIGTRAP',
  7: 'SIGBUS',
  8: 'SIGFPE',
  11: 'SIGSEGV',
  26: 'SIGVTALRM (looping)',
  [-1]: 'harness died',
};
