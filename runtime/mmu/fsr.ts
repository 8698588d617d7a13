// Fault status encodings of VMSAv7 aborts (ARM ARM B3.13.3 short-descriptor, Table B3-23;
// B3.13.2 long-descriptor, Table B3-24) and the DFSR/IFSR words built from them (B4.1.52, B4.1.96).

import { Fault, type Walk } from './types.js';

/** Short-descriptor FS[4:0] for a fault kind at a lookup level (1 = section, 2 = page). */
export function shortFs(fault: Fault, level: number): number {
  const l2 = level >= 2;
  switch (fault) {
    case Fault.ALIGNMENT:
      return 0b00001;
    case Fault.TRANSLATION:
      return l2 ? 0b00111 : 0b00101;
    case Fault.ACCESS_FLAG:
      return l2 ? 0b00110 : 0b00011;
    case Fault.DOMAIN:
      return l2 ? 0b01011 : 0b01001;
    case Fault.PERMISSION:
      return l2 ? 0b01111 : 0b01101;
    case Fault.EXTERNAL_WALK:
      return l2 ? 0b01110 : 0b01100;
    default:
      throw new Error(`no short-descriptor fault status for fault kind ${fault}`);
  }
}

/** Long-descriptor STATUS[5:0] for a fault kind at a lookup level (1..3). */
export function longFs(fault: Fault, level: number): number {
  switch (fault) {
    case Fault.ALIGNMENT:
      return 0b100001;
    case Fault.TRANSLATION:
      return 0b000100 | level;
    case Fault.ACCESS_FLAG:
      return 0b001000 | level;
    case Fault.PERMISSION:
      return 0b001100 | level;
    case Fault.EXTERNAL_WALK:
      return 0b010100 | level;
    default:
      throw new Error(`no long-descriptor fault status for fault kind ${fault}`);
  }
}

const FSR_LPAE = 1 << 9;
const FSR_WNR = 1 << 11;

/** A short-format FSR word: FS[3:0] in [3:0], FS[4] in [10], the domain in [7:4]. */
export function shortFsr(fs: number, domain: number): number {
  return (fs & 0xf) | ((fs & 0x10) << 6) | ((domain & 0xf) << 4);
}

/** The DFSR value for a failed data access (WnR set for writes). */
export function dfsr(w: Walk, write: boolean): number {
  const wnr = write ? FSR_WNR : 0;
  if (w.longFormat) return longFs(w.fault, w.level) | FSR_LPAE | wnr;
  return shortFsr(shortFs(w.fault, w.level), w.domain) | wnr;
}

/** The IFSR value for a failed instruction fetch. The short format's bits [7:4] are UNK; like
 *  QEMU we report the domain there. */
export function ifsr(w: Walk): number {
  if (w.longFormat) return longFs(w.fault, w.level) | FSR_LPAE;
  return shortFsr(shortFs(w.fault, w.level), w.domain);
}

/** DFSR for an alignment fault (checked before translation, B3.12.2): no domain, no level. */
export function alignmentDfsr(longFormat: boolean, write: boolean): number {
  const wnr = write ? FSR_WNR : 0;
  return longFormat ? longFs(Fault.ALIGNMENT, 0) | FSR_LPAE | wnr : shortFsr(shortFs(Fault.ALIGNMENT, 0), 0) | wnr;
}
