// T32 multiplies and divides (ARM ARM A6.3.16 multiply, A6.3.17 long multiply and divide).
import type { Row } from '../pattern.js';
import { noSPPC } from '../valid.js';
import { MLA, MLS, MUL, SDIV, SMLAL, SMULL, UDIV, UMAAL, UMLAL, UMULL } from '../../sem/mul.js';

const long = (a: Record<string, number>) => noSPPC(a.rdlo, a.rdhi, a.rn, a.rm) && a.rdhi !== a.rdlo;

export const ROWS: Row[] = [
  { name: 'T32_MUL', enc: '11111 0110 000 rn:4 1111 rd:4 0000 rm:4', sem: MUL, set: { s: 0 }, valid: (a) => noSPPC(a.rd, a.rn, a.rm) },
  { name: 'T32_MLA', enc: '11111 0110 000 rn:4 ra:4 rd:4 0000 rm:4', sem: MLA, set: { s: 0 }, valid: (a) => noSPPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'T32_MLS', enc: '11111 0110 000 rn:4 ra:4 rd:4 0001 rm:4', sem: MLS, valid: (a) => noSPPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'T32_SMULL', enc: '11111 0111 000 rn:4 rdlo:4 rdhi:4 0000 rm:4', sem: SMULL, set: { s: 0 }, valid: long },
  { name: 'T32_SDIV', enc: '11111 0111 001 rn:4 1111 rd:4 1111 rm:4', sem: SDIV, valid: (a) => noSPPC(a.rd, a.rn, a.rm) },
  { name: 'T32_UMULL', enc: '11111 0111 010 rn:4 rdlo:4 rdhi:4 0000 rm:4', sem: UMULL, set: { s: 0 }, valid: long },
  { name: 'T32_UDIV', enc: '11111 0111 011 rn:4 1111 rd:4 1111 rm:4', sem: UDIV, valid: (a) => noSPPC(a.rd, a.rn, a.rm) },
  { name: 'T32_SMLAL', enc: '11111 0111 100 rn:4 rdlo:4 rdhi:4 0000 rm:4', sem: SMLAL, set: { s: 0 }, valid: long },
  { name: 'T32_UMLAL', enc: '11111 0111 110 rn:4 rdlo:4 rdhi:4 0000 rm:4', sem: UMLAL, set: { s: 0 }, valid: long },
  { name: 'T32_UMAAL', enc: '11111 0111 110 rn:4 rdlo:4 rdhi:4 0110 rm:4', sem: UMAAL, valid: long },
];
