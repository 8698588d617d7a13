// T32 bit-field, byte-reverse, count-leading-zeros and extend instructions (ARM ARM A6.3.3,
// A6.3.15 miscellaneous, A6.3.12 extends).
import type { Args, Row } from '../pattern.js';
import { noSPPC } from '../valid.js';
import { BFI, CLZ, RBIT, REV, REV16, REVSH, SBFX, SXTB, SXTB16, SXTH, UBFX, UXTB, UXTB16, UXTH } from '../../sem/media.js';

import { OPS, PREFIXES, SEL, USAD8, parallel } from '../../sem/parallel.js';
import { PKH, QADD, QDADD, QDSUB, QSUB, SSAT, SSAT16, USAT, USAT16 } from '../../sem/dsp.js';

/** T32 parallel add/subtract (A6.3.13, A6.3.14): hw1[6:4] the operation, hw2[6:4] the prefix. */
const T32_OP: Record<string, string> = { add8: '000', add16: '001', asx: '010', sub8: '100', sub16: '101', sax: '110' };
const T32_PREFIX: Record<string, string> = { s: '000', q: '001', sh: '010', u: '100', uq: '101', uh: '110' };

/**
 * The misc group encodes Rm twice (A6.3.15): different values are UNPREDICTABLE; QEMU uses the
 * second (hw2) field and ignores the first, and so do we.
 */
const sameRm = (a: Args) => a.rm === a.rm2;

/** name, op1, op2, routine, `.w` (a T16 form exists). */
const MISC: [string, string, string, typeof CLZ, number][] = [
  ['T32_REV', '001', '00', REV, 1],
  ['T32_REV16', '001', '01', REV16, 1],
  ['T32_RBIT', '001', '10', RBIT, 0],
  ['T32_REVSH', '001', '11', REVSH, 1],
  ['T32_CLZ', '011', '00', CLZ, 0],
];

const EXT: [string, string, typeof SXTB][] = [
  ['T32_SXTH', '000', SXTH],
  ['T32_UXTH', '001', UXTH],
  ['T32_SXTB16', '010', SXTB16],
  ['T32_UXTB16', '011', UXTB16],
  ['T32_SXTB', '100', SXTB],
  ['T32_UXTB', '101', UXTB],
];

export const ROWS: Row[] = [
  ...MISC.map(([name, op1, op2, sem, w]): Row => ({ name, enc: `11111 010 1 ${op1} rm2:4 1111 rd:4 10 ${op2} rm:4`, sem, set: { w }, valid: (a) => sameRm(a) && noSPPC(a.rd, a.rm) })),
  // Saturating add/subtract (A6.3.15): op2 00 QADD, 01 QDADD, 10 QSUB, 11 QDSUB.
  ...([
    ['T32_QADD', '00', QADD],
    ['T32_QDADD', '01', QDADD],
    ['T32_QSUB', '10', QSUB],
    ['T32_QDSUB', '11', QDSUB],
  ] as const).map(([name, op, sem]): Row => ({ name, enc: `11111 010 1 000 rn:4 1111 rd:4 10 ${op} rm:4`, sem, valid: (a) => noSPPC(a.rd, a.rn, a.rm) })),
  // SSAT16/USAT16 are the sh=1, zero-shift encodings of SSAT/USAT (A6.3.3): they come first;
  // QEMU takes the saturation width from all of hw2[4:0] (bit 4 is should-be-zero).
  { name: 'T32_SSAT16', enc: '11110 0 11 001 0 rn:4 0 000 rd:4 00 0 sat:5', sem: SSAT16, valid: (a) => noSPPC(a.rd, a.rn) },
  { name: 'T32_USAT16', enc: '11110 0 11 101 0 rn:4 0 000 rd:4 00 0 sat:5', sem: USAT16, valid: (a) => noSPPC(a.rd, a.rn) },
  { name: 'T32_SSAT', enc: '11110 0 11 00 sh:1 0 rn:4 0 shim:3 rd:4 shim:2 0 sat:5', sem: SSAT, valid: (a) => noSPPC(a.rd, a.rn) },
  { name: 'T32_USAT', enc: '11110 0 11 10 sh:1 0 rn:4 0 shim:3 rd:4 shim:2 0 sat:5', sem: USAT, valid: (a) => noSPPC(a.rd, a.rn) },
  { name: 'T32_PKH', enc: '11101 01 0110 0 rn:4 0 shim:3 rd:4 shim:2 tb:1 0 rm:4', sem: PKH, valid: (a) => noSPPC(a.rd, a.rn, a.rm) },
  { name: 'T32_SBFX', enc: '11110 0 11 010 0 rn:4 0 lsb:3 rd:4 lsb:2 0 widthm1:5', sem: SBFX, valid: (a) => noSPPC(a.rd, a.rn) && a.lsb + a.widthm1 <= 31 },
  { name: 'T32_UBFX', enc: '11110 0 11 110 0 rn:4 0 lsb:3 rd:4 lsb:2 0 widthm1:5', sem: UBFX, valid: (a) => noSPPC(a.rd, a.rn) && a.lsb + a.widthm1 <= 31 },
  { name: 'T32_BFCI', enc: '11110 0 11 011 0 rn:4 0 lsb:3 rd:4 lsb:2 0 msb:5', sem: BFI, valid: (a) => noSPPC(a.rd) && a.rn !== 13 && a.msb >= a.lsb },
  ...PREFIXES.flatMap((p) =>
    OPS.map((op): Row => ({
      name: `T32_${p}${op}`.toUpperCase(),
      enc: `11111 010 1 ${T32_OP[op]} rn:4 1111 rd:4 0 ${T32_PREFIX[p]} rm:4`,
      sem: parallel(p, op),
      valid: (a) => noSPPC(a.rd, a.rn, a.rm),
    })),
  ),
  { name: 'T32_SEL', enc: '11111 010 1 010 rn:4 1111 rd:4 1000 rm:4', sem: SEL, valid: (a) => noSPPC(a.rd, a.rn, a.rm) },
  { name: 'T32_USAD8', enc: '11111 0110 111 rn:4 ra:4 rd:4 0000 rm:4', sem: USAD8, valid: (a) => noSPPC(a.rd, a.rn, a.rm) && a.ra !== 13 },
  ...EXT.map(([name, op, sem]): Row => ({ name, enc: `11111 010 0 ${op} rn:4 1111 rd:4 10 rot:2 rm:4`, sem, set: { w: name.endsWith('16') ? 0 : 1 }, valid: (a) => noSPPC(a.rd, a.rm) && a.rn !== 13 })),
];
