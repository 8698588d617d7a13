// T32 multiplies and divides (ARM ARM A6.3.16 multiply, A6.3.17 long multiply and divide).
import type { Row } from '../pattern.js';
import { noSPPC } from '../valid.js';
import { MLA, MLS, MUL, SDIV, SMLAL, SMULL, UDIV, UMAAL, UMLAL, UMULL } from '../../sem/mul.js';
import { SMLAD, SMLALD, SMLALxy, SMLAWy, SMLAxy, SMLSD, SMLSLD, SMMLA, SMMLS, SMULWy, SMULxy } from '../../sem/dsp.js';

const long = (a: Record<string, number>) => noSPPC(a.rdlo, a.rdhi, a.rn, a.rm) && a.rdhi !== a.rdlo;

export const ROWS: Row[] = [
  { name: 'T32_MUL', enc: '11111 0110 000 rn:4 1111 rd:4 0000 rm:4', sem: MUL, set: { s: 0, w: 1 }, valid: (a) => noSPPC(a.rd, a.rn, a.rm) },
  { name: 'T32_MLA', enc: '11111 0110 000 rn:4 ra:4 rd:4 0000 rm:4', sem: MLA, set: { s: 0 }, valid: (a) => noSPPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'T32_MLS', enc: '11111 0110 000 rn:4 ra:4 rd:4 0001 rm:4', sem: MLS, valid: (a) => noSPPC(a.rd, a.rn, a.rm, a.ra) },
  // Ra = 1111 selects the non-accumulating form (A6.3.16).
  { name: 'T32_SMULxy', enc: '11111 0110 001 rn:4 1111 rd:4 00 nhigh:1 mhigh:1 rm:4', sem: SMULxy, valid: (a) => noSPPC(a.rd, a.rn, a.rm) },
  { name: 'T32_SMLAxy', enc: '11111 0110 001 rn:4 ra:4 rd:4 00 nhigh:1 mhigh:1 rm:4', sem: SMLAxy, valid: (a) => noSPPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'T32_SMLAD', enc: '11111 0110 010 rn:4 ra:4 rd:4 000 swap:1 rm:4', sem: SMLAD, valid: (a) => noSPPC(a.rd, a.rn, a.rm) && a.ra !== 13 },
  { name: 'T32_SMULWy', enc: '11111 0110 011 rn:4 1111 rd:4 000 mhigh:1 rm:4', sem: SMULWy, valid: (a) => noSPPC(a.rd, a.rn, a.rm) },
  { name: 'T32_SMLAWy', enc: '11111 0110 011 rn:4 ra:4 rd:4 000 mhigh:1 rm:4', sem: SMLAWy, valid: (a) => noSPPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'T32_SMLSD', enc: '11111 0110 100 rn:4 ra:4 rd:4 000 swap:1 rm:4', sem: SMLSD, valid: (a) => noSPPC(a.rd, a.rn, a.rm) && a.ra !== 13 },
  { name: 'T32_SMMLA', enc: '11111 0110 101 rn:4 ra:4 rd:4 000 round:1 rm:4', sem: SMMLA, valid: (a) => noSPPC(a.rd, a.rn, a.rm) && a.ra !== 13 },
  { name: 'T32_SMMLS', enc: '11111 0110 110 rn:4 ra:4 rd:4 000 round:1 rm:4', sem: SMMLS, valid: (a) => noSPPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'T32_SMLALxy', enc: '11111 0111 100 rn:4 rdlo:4 rdhi:4 10 nhigh:1 mhigh:1 rm:4', sem: SMLALxy, valid: (a) => noSPPC(a.rdlo, a.rdhi, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'T32_SMLALD', enc: '11111 0111 100 rn:4 rdlo:4 rdhi:4 110 swap:1 rm:4', sem: SMLALD, valid: (a) => noSPPC(a.rdlo, a.rdhi, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'T32_SMLSLD', enc: '11111 0111 101 rn:4 rdlo:4 rdhi:4 110 swap:1 rm:4', sem: SMLSLD, valid: (a) => noSPPC(a.rdlo, a.rdhi, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'T32_SMULL', enc: '11111 0111 000 rn:4 rdlo:4 rdhi:4 0000 rm:4', sem: SMULL, set: { s: 0 }, valid: long },
  { name: 'T32_SDIV', enc: '11111 0111 001 rn:4 1111 rd:4 1111 rm:4', sem: SDIV, valid: (a) => noSPPC(a.rd, a.rn, a.rm) },
  { name: 'T32_UMULL', enc: '11111 0111 010 rn:4 rdlo:4 rdhi:4 0000 rm:4', sem: UMULL, set: { s: 0 }, valid: long },
  { name: 'T32_UDIV', enc: '11111 0111 011 rn:4 1111 rd:4 1111 rm:4', sem: UDIV, valid: (a) => noSPPC(a.rd, a.rn, a.rm) },
  { name: 'T32_SMLAL', enc: '11111 0111 100 rn:4 rdlo:4 rdhi:4 0000 rm:4', sem: SMLAL, set: { s: 0 }, valid: long },
  { name: 'T32_UMLAL', enc: '11111 0111 110 rn:4 rdlo:4 rdhi:4 0000 rm:4', sem: UMLAL, set: { s: 0 }, valid: long },
  { name: 'T32_UMAAL', enc: '11111 0111 110 rn:4 rdlo:4 rdhi:4 0110 rm:4', sem: UMAAL, valid: long },
];
