// A32 media and miscellaneous bit operations (ARM ARM A5.4, A5.2.12 CLZ).
import type { Row } from '../pattern.js';
import { noPC } from '../valid.js';
import { BFI, CLZ, RBIT, REV, REV16, REVSH, SBFX, SXTB, SXTB16, SXTH, UBFX, UXTB, UXTB16, UXTH } from '../../sem/media.js';

import { OPS, PREFIXES, SEL, USAD8, parallel } from '../../sem/parallel.js';
import { PKH, QADD, QDADD, QDSUB, QSUB, SSAT, SSAT16, USAT, USAT16 } from '../../sem/dsp.js';

/** A32 op1 (prefix) and op2 (operation) fields of the parallel add/subtract group (A5.4.1). */
const A32_PREFIX: Record<string, string> = { s: '001', q: '010', sh: '011', u: '101', uq: '110', uh: '111' };
const A32_OP: Record<string, string> = { add16: '000', asx: '001', sax: '010', sub16: '011', add8: '100', sub8: '111' };


const EXT: [string, string, typeof SXTB][] = [
  ['SXTB16', '000', SXTB16],
  ['SXTB', '010', SXTB],
  ['SXTH', '011', SXTH],
  ['UXTB16', '100', UXTB16],
  ['UXTB', '110', UXTB],
  ['UXTH', '111', UXTH],
];

export const ROWS: Row[] = [
  // Saturating add/subtract (A5.2.6): Rd = sat(Rm op [2*]Rn).
  ...([
    ['QADD', '00', QADD],
    ['QSUB', '01', QSUB],
    ['QDADD', '10', QDADD],
    ['QDSUB', '11', QDSUB],
  ] as const).map(([name, op, sem]): Row => ({ name, enc: `cond:4 00010 ${op} 0 rn:4 rd:4 0000 0101 rm:4`, sem, valid: (a) => noPC(a.rd, a.rn, a.rm) })),
  { name: 'SSAT16', enc: 'cond:4 0110 1010 sat:4 rd:4 1111 0011 rn:4', sem: SSAT16, valid: (a) => noPC(a.rd, a.rn) },
  { name: 'USAT16', enc: 'cond:4 0110 1110 sat:4 rd:4 1111 0011 rn:4', sem: USAT16, valid: (a) => noPC(a.rd, a.rn) },
  { name: 'SSAT', enc: 'cond:4 0110 101 sat:5 rd:4 shim:5 sh:1 01 rn:4', sem: SSAT, valid: (a) => noPC(a.rd, a.rn) },
  { name: 'USAT', enc: 'cond:4 0110 111 sat:5 rd:4 shim:5 sh:1 01 rn:4', sem: USAT, valid: (a) => noPC(a.rd, a.rn) },
  { name: 'PKH', enc: 'cond:4 0110 1000 rn:4 rd:4 shim:5 tb:1 01 rm:4', sem: PKH, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  { name: 'CLZ', enc: 'cond:4 0001 0110 1111 rd:4 1111 0001 rm:4', sem: CLZ, valid: (a) => noPC(a.rd, a.rm) },
  { name: 'REV', enc: 'cond:4 0110 1011 1111 rd:4 1111 0011 rm:4', sem: REV, valid: (a) => noPC(a.rd, a.rm) },
  { name: 'REV16', enc: 'cond:4 0110 1011 1111 rd:4 1111 1011 rm:4', sem: REV16, valid: (a) => noPC(a.rd, a.rm) },
  { name: 'RBIT', enc: 'cond:4 0110 1111 1111 rd:4 1111 0011 rm:4', sem: RBIT, valid: (a) => noPC(a.rd, a.rm) },
  { name: 'REVSH', enc: 'cond:4 0110 1111 1111 rd:4 1111 1011 rm:4', sem: REVSH, valid: (a) => noPC(a.rd, a.rm) },
  { name: 'SBFX', enc: 'cond:4 0111 101 widthm1:5 rd:4 lsb:5 101 rn:4', sem: SBFX, valid: (a) => noPC(a.rd, a.rn) && a.lsb + a.widthm1 <= 31 },
  { name: 'UBFX', enc: 'cond:4 0111 111 widthm1:5 rd:4 lsb:5 101 rn:4', sem: UBFX, valid: (a) => noPC(a.rd, a.rn) && a.lsb + a.widthm1 <= 31 },
  { name: 'BFCI', enc: 'cond:4 0111 110 msb:5 rd:4 lsb:5 001 rn:4', sem: BFI, valid: (a) => noPC(a.rd) && a.msb >= a.lsb },
  ...PREFIXES.flatMap((p) =>
    OPS.map((op): Row => ({
      name: `${p}${op}`.toUpperCase(),
      enc: `cond:4 0110 0 ${A32_PREFIX[p]} rn:4 rd:4 1111 ${A32_OP[op]} 1 rm:4`,
      sem: parallel(p, op),
      valid: (a) => noPC(a.rd, a.rn, a.rm),
    })),
  ),
  { name: 'SEL', enc: 'cond:4 0110 1000 rn:4 rd:4 1111 1011 rm:4', sem: SEL, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  { name: 'USAD8', enc: 'cond:4 0111 1000 rd:4 ra:4 rm:4 0001 rn:4', sem: USAD8, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  ...EXT.map(([name, op, sem]): Row => ({ name, enc: `cond:4 0110 1 ${op} rn:4 rd:4 rot:2 00 0111 rm:4`, sem, valid: (a) => noPC(a.rd, a.rm) })),
];
