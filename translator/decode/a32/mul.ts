// A32 multiplies (ARM ARM A5.2.5) and divides (A5.4.4).
import type { Row } from '../pattern.js';
import { noPC } from '../valid.js';
import { MLA, MLS, MUL, SDIV, SMLAL, SMULL, UDIV, UMAAL, UMLAL, UMULL } from '../../sem/mul.js';
import { SMLAD, SMLALD, SMLALxy, SMLAWy, SMLAxy, SMLSD, SMLSLD, SMMLA, SMMLS, SMULWy, SMULxy } from '../../sem/dsp.js';


export const ROWS: Row[] = [
  { name: 'MUL', enc: 'cond:4 0000 000 s:1 rd:4 0000 rm:4 1001 rn:4', sem: MUL, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  { name: 'MLA', enc: 'cond:4 0000 001 s:1 rd:4 ra:4 rm:4 1001 rn:4', sem: MLA, valid: (a) => noPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'UMAAL', enc: 'cond:4 0000 0100 rdhi:4 rdlo:4 rm:4 1001 rn:4', sem: UMAAL, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'MLS', enc: 'cond:4 0000 0110 rd:4 ra:4 rm:4 1001 rn:4', sem: MLS, valid: (a) => noPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'UMULL', enc: 'cond:4 0000 100 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', sem: UMULL, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'UMLAL', enc: 'cond:4 0000 101 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', sem: UMLAL, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'SMULL', enc: 'cond:4 0000 110 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', sem: SMULL, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'SMLAL', enc: 'cond:4 0000 111 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', sem: SMLAL, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  // Halfword multiplies (A5.2.7).
  { name: 'SMLAxy', enc: 'cond:4 0001 0000 rd:4 ra:4 rm:4 1 mhigh:1 nhigh:1 0 rn:4', sem: SMLAxy, valid: (a) => noPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'SMLAWy', enc: 'cond:4 0001 0010 rd:4 ra:4 rm:4 1 mhigh:1 0 0 rn:4', sem: SMLAWy, valid: (a) => noPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'SMULWy', enc: 'cond:4 0001 0010 rd:4 0000 rm:4 1 mhigh:1 1 0 rn:4', sem: SMULWy, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  { name: 'SMLALxy', enc: 'cond:4 0001 0100 rdhi:4 rdlo:4 rm:4 1 mhigh:1 nhigh:1 0 rn:4', sem: SMLALxy, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'SMULxy', enc: 'cond:4 0001 0110 rd:4 0000 rm:4 1 mhigh:1 nhigh:1 0 rn:4', sem: SMULxy, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  // Signed dual and most-significant-word multiplies (A5.4.4); Ra = 1111 is the non-accumulating form.
  { name: 'SMLAD', enc: 'cond:4 0111 0000 rd:4 ra:4 rm:4 00 swap:1 1 rn:4', sem: SMLAD, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  { name: 'SMLSD', enc: 'cond:4 0111 0000 rd:4 ra:4 rm:4 01 swap:1 1 rn:4', sem: SMLSD, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  { name: 'SMLALD', enc: 'cond:4 0111 0100 rdhi:4 rdlo:4 rm:4 00 swap:1 1 rn:4', sem: SMLALD, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'SMLSLD', enc: 'cond:4 0111 0100 rdhi:4 rdlo:4 rm:4 01 swap:1 1 rn:4', sem: SMLSLD, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'SMMLA', enc: 'cond:4 0111 0101 rd:4 ra:4 rm:4 00 round:1 1 rn:4', sem: SMMLA, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  { name: 'SMMLS', enc: 'cond:4 0111 0101 rd:4 ra:4 rm:4 11 round:1 1 rn:4', sem: SMMLS, valid: (a) => noPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'SDIV', enc: 'cond:4 0111 0001 rd:4 1111 rm:4 0001 rn:4', sem: SDIV, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  { name: 'UDIV', enc: 'cond:4 0111 0011 rd:4 1111 rm:4 0001 rn:4', sem: UDIV, valid: (a) => noPC(a.rd, a.rn, a.rm) },
];
