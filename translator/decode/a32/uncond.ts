// A32 unconditional space, cond = 1111 (ARM ARM A5.7): BLX (immediate), barriers, CLREX,
// preload hints, CPS, SETEND, and at PL1 SRS and RFE (UNDEFINED at PL0, as qemu-arm raises
// SIGILL; never drawn at random). The *2 coprocessor forms have no rows.
import type { Args, Row } from '../pattern.js';
import { BLX_i } from '../../sem/branch.js';
import { CLREX } from '../../sem/exclusive.js';
import { preload } from '../../sem/ldst.js';
import { CPS, SETEND, barrier } from '../../sem/system.js';
import { RFE, SRS } from '../../sem/priv.js';

/** BLX imm: imm24:H:'0' sign-extended. */
const blxImm = (a: Args) => {
  a.imm = a.imm * 4 + a.h * 2;
};

export const ROWS: Row[] = [
  { name: 'BLX_i', enc: '1111 101 h:1 imm:s24', sem: BLX_i, expand: blxImm },
  { name: 'CLREX', enc: '1111 0101 0111 1111 1111 0000 0001 1111', sem: CLREX },
  { name: 'DSB', enc: '1111 0101 0111 1111 1111 0000 0100 option:4', sem: barrier('dsb') },
  { name: 'DMB', enc: '1111 0101 0111 1111 1111 0000 0101 option:4', sem: barrier('dmb') },
  { name: 'ISB', enc: '1111 0101 0111 1111 1111 0000 0110 option:4', sem: barrier('isb') },
  { name: 'PLI_i', enc: '1111 0100 u:1 101 rn:4 1111 imm:12', sem: preload('pli', 'i') },
  { name: 'PLD_i', enc: '1111 0101 u:1 101 rn:4 1111 imm:12', sem: preload('pld', 'i') },
  { name: 'PLDW_i', enc: '1111 0101 u:1 001 rn:4 1111 imm:12', sem: preload('pldw', 'i') },
  { name: 'PLI_r', enc: '1111 0110 u:1 101 rn:4 1111 shim:5 shty:2 0 rm:4', sem: preload('pli', 'r'), valid: (a) => a.rm !== 15 },
  { name: 'PLD_r', enc: '1111 0111 u:1 101 rn:4 1111 shim:5 shty:2 0 rm:4', sem: preload('pld', 'r'), valid: (a) => a.rm !== 15 },
  { name: 'PLDW_r', enc: '1111 0111 u:1 001 rn:4 1111 shim:5 shty:2 0 rm:4', sem: preload('pldw', 'r'), valid: (a) => a.rm !== 15 },
  { name: 'SETEND', enc: '1111 0001 0000 0001 0000 00 e:1 0 0000 0000', sem: SETEND, valid: (a) => a.e === 0 },
  { name: 'SRS', enc: '1111 100 b:1 i:1 1 w:1 0 1101 0000 0101 000 mode:5', sem: SRS, noRandom: true },
  { name: 'RFE', enc: '1111 100 b:1 i:1 0 w:1 1 rn:4 0000 1010 0000 0000', sem: RFE, noRandom: true },
  {
    name: 'CPS',
    enc: '1111 0001 0000 imod:2 m:1 0 0000 000 a:1 i:1 f:1 0 mode:5', sem: CPS,
    // A8.8.38 (B9.3.2): a NOP at PL0; the UNPREDICTABLE field combinations are not drawn.
    valid: (a) => a.imod !== 1 && !(a.imod === 0 && a.m === 0) && (a.m === 1 || a.mode === 0) && (a.imod >= 2) === (a.a + a.i + a.f > 0),
  },
];
