// A32 multiplies (ARM ARM A5.2.5) and divides (A5.4.4).
import type { Row } from '../pattern.js';
import { noPC } from '../valid.js';
import { MLA, MLS, MUL, SDIV, SMLAL, SMULL, UDIV, UMAAL, UMLAL, UMULL } from '../../sem/mul.js';


export const ROWS: Row[] = [
  { name: 'MUL', enc: 'cond:4 0000 000 s:1 rd:4 0000 rm:4 1001 rn:4', sem: MUL, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  { name: 'MLA', enc: 'cond:4 0000 001 s:1 rd:4 ra:4 rm:4 1001 rn:4', sem: MLA, valid: (a) => noPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'UMAAL', enc: 'cond:4 0000 0100 rdhi:4 rdlo:4 rm:4 1001 rn:4', sem: UMAAL, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'MLS', enc: 'cond:4 0000 0110 rd:4 ra:4 rm:4 1001 rn:4', sem: MLS, valid: (a) => noPC(a.rd, a.rn, a.rm, a.ra) },
  { name: 'UMULL', enc: 'cond:4 0000 100 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', sem: UMULL, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'UMLAL', enc: 'cond:4 0000 101 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', sem: UMLAL, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'SMULL', enc: 'cond:4 0000 110 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', sem: SMULL, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'SMLAL', enc: 'cond:4 0000 111 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', sem: SMLAL, valid: (a) => noPC(a.rdhi, a.rdlo, a.rn, a.rm) && a.rdhi !== a.rdlo },
  { name: 'SDIV', enc: 'cond:4 0111 0001 rd:4 1111 rm:4 0001 rn:4', sem: SDIV, valid: (a) => noPC(a.rd, a.rn, a.rm) },
  { name: 'UDIV', enc: 'cond:4 0111 0011 rd:4 1111 rm:4 0001 rn:4', sem: UDIV, valid: (a) => noPC(a.rd, a.rn, a.rm) },
];
