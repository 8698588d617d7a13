// The short-descriptor translation table walk (ARM ARM B3.5): TTBCR.N splits the address space
// between TTBR0 and TTBR1; first-level sections (1 MB), supersections (16 MB, up to 40-bit PA)
// and page tables; second-level large (64 KB) and small (4 KB) pages; domains (DACR), AP[2:0]
// with the SCTLR.AFE simplified model and access flag, XN, PXN, nG, TEX/C/B attributes.
//
// Fault priority follows QEMU's VMSAv6/7 walker, the reference our system tests compare
// against: translation fault; domain fault (checked on the first-level descriptor, before the
// second-level fetch); then, in a Client domain, XN on an instruction fetch, the access flag,
// and the AP permission check. A Manager domain grants every access and skips the access flag.

import { shortAttrs } from './attrs.js';
import { ALL_PERMS, apRw, apRwSimple, withExec } from './perms.js';
import {
  Access,
  Fault,
  PhysAbort,
  SCTLR_AFE,
  SCTLR_TRE,
  TTBCR_PD0,
  TTBCR_PD1,
  permFor,
  type MmuRegs,
  type PhysReader,
  type Walk,
} from './types.js';

function fail(w: Walk, fault: Fault, level: number, domain: number): Walk {
  w.fault = fault;
  w.level = level;
  w.domain = domain;
  return w;
}

/** Walks the short-descriptor tables for `va`; fills and returns `w`. */
export function walkShort(mem: PhysReader, r: MmuRegs, va: number, access: Access, user: boolean, w: Walk): Walk {
  va >>>= 0;
  w.longFormat = false;
  w.fault = Fault.NONE;
  // B3.5.4: the first-level table, TTBR0 or TTBR1 by TTBCR.N.
  const ttbcr = r.ttbcr;
  const n = ttbcr & 7;
  let l1addr: number;
  if (n !== 0 && va >>> (32 - n) !== 0) {
    if (ttbcr & TTBCR_PD1) return fail(w, Fault.TRANSLATION, 1, 0);
    l1addr = ((r.ttbr1lo & 0xffffc000) | ((va >>> 18) & 0x3ffc)) >>> 0;
  } else {
    if (ttbcr & TTBCR_PD0) return fail(w, Fault.TRANSLATION, 1, 0);
    l1addr = ((r.ttbr0lo & ~(0x3fff >>> n)) | ((va >>> 18) & 0x3ffc)) >>> 0;
  }
  let d1: number;
  try {
    d1 = mem.read32(l1addr);
  } catch (e) {
    if (e instanceof PhysAbort) return fail(w, Fault.EXTERNAL_WALK, 1, 0);
    throw e;
  }
  const type = d1 & 3;
  if (type === 0) return fail(w, Fault.TRANSLATION, 1, 0);
  const supersection = type !== 1 && (d1 & (1 << 18)) !== 0;
  // Supersections have no domain field: they are in domain 0 (B3.5.1).
  const domain = supersection ? 0 : (d1 >>> 5) & 0xf;
  const level = type === 1 ? 2 : 1;
  const dprot = (r.dacr >>> (2 * domain)) & 3;
  // DACR 00 No access, 10 reserved (treated as No access): domain fault.
  if (dprot === 0 || dprot === 2) return fail(w, Fault.DOMAIN, level, domain);

  let pa: number;
  let ap: number;
  let xn: number;
  let pxn: number;
  let ng: number;
  let tex: number;
  let c: number;
  let b: number;
  let s: number;
  let ns: number;
  if (type !== 1) {
    // Section (1 MB) or supersection (16 MB); bit 0 is PXN (B3.5.1, Figure B3-4).
    if (supersection) {
      const hi = ((d1 >>> 20) & 0xf) | (((d1 >>> 5) & 0xf) << 4); // PA[39:32]
      pa = hi * 0x100000000 + (((d1 & 0xff000000) | (va & 0x00ffffff)) >>> 0);
      w.sizeLog2 = 24;
    } else {
      pa = ((d1 & 0xfff00000) | (va & 0x000fffff)) >>> 0;
      w.sizeLog2 = 20;
    }
    ap = ((d1 >>> 10) & 3) | ((d1 >>> 13) & 4);
    xn = (d1 >>> 4) & 1;
    pxn = d1 & 1;
    ng = (d1 >>> 17) & 1;
    tex = (d1 >>> 12) & 7;
    c = (d1 >>> 3) & 1;
    b = (d1 >>> 2) & 1;
    s = (d1 >>> 16) & 1;
    ns = (d1 >>> 19) & 1;
  } else {
    // Page table: PXN in bit 2, NS in bit 3 (B3.5.1).
    pxn = (d1 >>> 2) & 1;
    ns = (d1 >>> 3) & 1;
    const l2addr = ((d1 & 0xfffffc00) | ((va >>> 10) & 0x3fc)) >>> 0;
    let d2: number;
    try {
      d2 = mem.read32(l2addr);
    } catch (e) {
      if (e instanceof PhysAbort) return fail(w, Fault.EXTERNAL_WALK, 2, domain);
      throw e;
    }
    const t2 = d2 & 3;
    if (t2 === 0) return fail(w, Fault.TRANSLATION, 2, domain);
    ap = ((d2 >>> 4) & 3) | ((d2 >>> 7) & 4);
    ng = (d2 >>> 11) & 1;
    c = (d2 >>> 3) & 1;
    b = (d2 >>> 2) & 1;
    s = (d2 >>> 10) & 1;
    if (t2 === 1) {
      // Large page (64 KB), Figure B3-5.
      pa = ((d2 & 0xffff0000) | (va & 0xffff)) >>> 0;
      xn = (d2 >>> 15) & 1;
      tex = (d2 >>> 12) & 7;
      w.sizeLog2 = 16;
    } else {
      // Small page (4 KB); bit 0 is XN.
      pa = ((d2 & 0xfffff000) | (va & 0xfff)) >>> 0;
      xn = d2 & 1;
      tex = (d2 >>> 6) & 7;
      w.sizeLog2 = 12;
    }
  }

  const sctlr = r.sctlr;
  let perms: number;
  if (dprot === 3) {
    perms = ALL_PERMS; // Manager: no permission checks (B3.7.3)
  } else {
    if (access === Access.EXEC && (xn || (!user && pxn))) return fail(w, Fault.PERMISSION, level, domain);
    if (sctlr & SCTLR_AFE) {
      if ((ap & 1) === 0) return fail(w, Fault.ACCESS_FLAG, level, domain);
      perms = withExec(apRwSimple(ap >>> 1), xn, pxn, sctlr);
    } else {
      perms = withExec(apRw(ap), xn, pxn, sctlr);
    }
    if ((perms & permFor(access, user)) === 0) return fail(w, Fault.PERMISSION, level, domain);
  }

  const a = shortAttrs(tex, c, b, s, (sctlr & SCTLR_TRE) !== 0, r.prrr, r.nmrr);
  w.level = level;
  w.domain = domain;
  w.pa = pa;
  w.perms = perms;
  w.global = ng === 0;
  w.asid = r.contextidr & 0xff;
  w.attr = a & 0xff;
  w.sh = a >>> 8;
  w.ns = r.secure ? ns === 1 : true;
  return w;
}
