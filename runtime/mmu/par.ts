// The PAR value of the ATS1C* address translation operations (ARM ARM B4.2.6; PAR B4.1.112):
// ATS1CPR/ATS1CPW (PL1 read/write) and ATS1CUR/ATS1CUW (PL0 read/write) run a stage 1 walk and
// report its result in the short format (32-bit PAR, TTBCR.EAE=0) or the long format (64-bit PAR).

import { parShortAttrFields } from './attrs.js';
import { longFs, shortFs } from './fsr.js';
import { translate } from './translate.js';
import { Access, Walk, type MmuRegs, type PhysReader } from './types.js';

/** A 64-bit PAR as two words (the short format uses only `lo`). */
export interface Par {
  lo: number;
  hi: number;
}

/** The four ATS1C* operations (CP15 c7, c8, opc2 0..3). */
export const enum Ats1c {
  PR = 0,
  PW = 1,
  UR = 2,
  UW = 3,
}

export interface ParOptions {
  /** Report the memory attributes (short-format Inner/Outer/SH/NOS; long-format ATTR/SH).
   *  IMPLEMENTATION DEFINED in the short format; QEMU reports none, so off by default there. */
  shortAttrs?: boolean;
}

/** The PAR for a finished walk. */
export function parFromWalk(w: Walk, opts: ParOptions = {}): Par {
  const TWO32 = 0x100000000;
  if (w.longFormat) {
    if (!w.ok()) {
      // F=1, FST[6:1], S2WLK/FSTAGE 0 (stage 1), LPAE=1.
      return { lo: ((longFs(w.fault, w.level) << 1) | 1 | (1 << 11)) >>> 0, hi: 0 };
    }
    const hiPa = Math.floor(w.pa / TWO32) & 0xff;
    const lo = ((w.pa % TWO32 & 0xfffff000) | (1 << 11) | (w.ns ? 1 << 9 : 0) | ((w.sh & 3) << 7)) >>> 0;
    return { lo, hi: (hiPa | ((w.attr & 0xff) << 24)) >>> 0 };
  }
  if (!w.ok()) {
    // F=1, FS[4:0] in [5:1], LPAE=0.
    return { lo: ((shortFs(w.fault, w.level) << 1) | 1) >>> 0, hi: 0 };
  }
  const paLo = w.pa % TWO32;
  let lo: number;
  if (w.sizeLog2 === 24) {
    // Supersection: SS=1, PA[31:24] in [31:24], PA[39:32] in [23:16].
    lo = (paLo & 0xff000000) | ((Math.floor(w.pa / TWO32) & 0xff) << 16) | (1 << 1);
  } else {
    lo = paLo & 0xfffff000;
  }
  if (w.ns) lo |= 1 << 9;
  if (opts.shortAttrs) {
    const f = parShortAttrFields(w.attr);
    lo |= (f.inner << 4) | (f.outer << 2);
    if (w.sh !== 0) lo |= 1 << 7;
    if (w.sh === 3) lo |= 1 << 10; // NOS: shareable but not outer shareable
  }
  return { lo: lo >>> 0, hi: 0 };
}

/** Runs ATS1C{P,U}{R,W} for `va` and returns the PAR. */
export function ats1c(mem: PhysReader, r: MmuRegs, op: Ats1c, va: number, opts: ParOptions = {}): Par {
  const user = op === Ats1c.UR || op === Ats1c.UW;
  const access = op === Ats1c.PW || op === Ats1c.UW ? Access.WRITE : Access.READ;
  return parFromWalk(translate(mem, r, va, access, user), opts);
}
