// The long-descriptor (LPAE) stage 1 translation table walk for a 32-bit input address (ARM ARM
// B3.6): TTBCR.T0SZ/T1SZ select TTBR0 or TTBR1 (addresses in neither region fault), the lookup
// starts at level 1 (TxSZ 0 or 1) or level 2, level 1 and 2 blocks (1 GB, 2 MB), level 3 pages
// (4 KB), 40-bit output addresses, AP[2:1], XN, PXN, AF, nG, AttrIndx into MAIR0/1, and the
// hierarchical APTable/XNTable/PXNTable/NSTable controls of table descriptors (B3.6.1).
// Fault priority: translation fault, then access flag, then permission (as QEMU's walker).

import { mairAttr } from './attrs.js';
import { apRwSimple, withExec } from './perms.js';
import {
  Fault,
  PhysAbort,
  TTBCR_A1,
  TTBCR_EPD0,
  TTBCR_EPD1,
  permFor,
  type Access,
  type MmuRegs,
  type PhysReader,
  type Walk,
} from './types.js';

const TWO32 = 0x100000000;

function fail(w: Walk, fault: Fault, level: number): Walk {
  w.fault = fault;
  w.level = level;
  w.domain = 0;
  return w;
}

/** Walks the long-descriptor tables for `va`; fills and returns `w`. */
export function walkLong(mem: PhysReader, r: MmuRegs, va: number, access: Access, user: boolean, w: Walk): Walk {
  va >>>= 0;
  w.longFormat = true;
  w.fault = Fault.NONE;
  const ttbcr = r.ttbcr;
  const t0sz = ttbcr & 7;
  const t1sz = (ttbcr >>> 16) & 7;
  // B3.6.4: TTBR0 covers [0, 2^(32-T0SZ)); TTBR1 covers the top 2^(32-T1SZ) bytes when T1SZ
  // is not 0, else everything above TTBR0's region.
  let select: number;
  if (t1sz === 0) {
    select = t0sz !== 0 && va >>> (32 - t0sz) !== 0 ? 1 : 0;
  } else if (va >>> (32 - t1sz) === (0xffffffff >>> (32 - t1sz))) {
    select = 1;
  } else if (t0sz === 0 || va >>> (32 - t0sz) === 0) {
    select = 0;
  } else {
    return fail(w, Fault.TRANSLATION, 1);
  }
  const tsz = select ? t1sz : t0sz;
  if (ttbcr & (select ? TTBCR_EPD1 : TTBCR_EPD0)) return fail(w, Fault.TRANSLATION, 1);
  const ttbrLo = select ? r.ttbr1lo : r.ttbr0lo;
  const ttbrHi = select ? r.ttbr1hi : r.ttbr0hi;

  // Start at level 1 when the region is bigger than 1 GB (TxSZ 0 or 1), else at level 2.
  let level = tsz <= 1 ? 1 : 2;
  // The first table is indexed by the VA bits above this level's block size; its base is
  // TTBR[39:x], x = 5 - TxSZ (level 1) or 14 - TxSZ (level 2).
  const inputBits = 32 - tsz;
  const firstIndexBits = inputBits - (level === 1 ? 30 : 21);
  const baseAlign = 2 ** (firstIndexBits + 3);
  let tableHi = ttbrHi & 0xff;
  let tableLo = ttbrLo >>> 0;
  tableLo -= tableLo % baseAlign;
  let index = level === 1 ? va >>> 30 : (va >>> 21) & 0x7ff;
  index &= (1 << firstIndexBits) - 1;

  // Table attributes, accumulated (B3.6.1): PXNTable, XNTable, APTable[0] (no PL0), APTable[1]
  // (read-only), NSTable.
  let pxnTable = 0;
  let xnTable = 0;
  let apTable = 0;
  let nsTable = 0;
  for (;;) {
    const addr = tableHi * TWO32 + tableLo + index * 8;
    let lo: number;
    let hi: number;
    try {
      lo = mem.read32(addr);
      hi = mem.read32(addr + 4);
    } catch (e) {
      if (e instanceof PhysAbort) return fail(w, Fault.EXTERNAL_WALK, level);
      throw e;
    }
    // Invalid, or the reserved level 3 encoding 0b01.
    if ((lo & 1) === 0 || (level === 3 && (lo & 2) === 0)) return fail(w, Fault.TRANSLATION, level);
    if (level < 3 && lo & 2) {
      // Table descriptor: next-level table address in [39:12].
      pxnTable |= (hi >>> 27) & 1;
      xnTable |= (hi >>> 28) & 1;
      apTable |= (hi >>> 29) & 3;
      nsTable |= (hi >>> 31) & 1;
      tableHi = hi & 0xff;
      tableLo = (lo & 0xfffff000) >>> 0;
      level++;
      index = (va >>> (level === 2 ? 21 : 12)) & 0x1ff;
      continue;
    }
    // Block (level 1: 1 GB, level 2: 2 MB) or page (level 3: 4 KB).
    const sizeLog2 = level === 1 ? 30 : level === 2 ? 21 : 12;
    const mask = 2 ** sizeLog2 - 1;
    const outLo = ((lo & ~mask) | (va & mask)) >>> 0;
    if ((lo & (1 << 10)) === 0) return fail(w, Fault.ACCESS_FLAG, level);
    let ap21 = (lo >>> 6) & 3;
    if (apTable & 1) ap21 &= ~1; // APTable[0]: no access at PL0
    if (apTable & 2) ap21 |= 2; // APTable[1]: read-only
    const xn = ((hi >>> 22) & 1) | xnTable;
    const pxn = ((hi >>> 21) & 1) | pxnTable;
    const perms = withExec(apRwSimple(ap21), xn, pxn, r.sctlr);
    if ((perms & permFor(access, user)) === 0) return fail(w, Fault.PERMISSION, level);
    w.level = level;
    w.domain = 0;
    w.sizeLog2 = sizeLog2;
    w.pa = (hi & 0xff) * TWO32 + outLo;
    w.perms = perms;
    w.global = ((lo >>> 11) & 1) === 0;
    // TTBCR.A1 selects which TTBR's ASID field [55:48] is current.
    w.asid = ((ttbcr & TTBCR_A1 ? r.ttbr1hi : r.ttbr0hi) >>> 16) & 0xff;
    w.attr = mairAttr((lo >>> 2) & 7, r.prrr, r.nmrr);
    w.sh = (lo >>> 8) & 3;
    w.ns = r.secure ? (((lo >>> 5) & 1) | nsTable) === 1 : true;
    return w;
  }
}
