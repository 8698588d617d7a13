// Memory region attributes (ARM ARM B3.8): short-descriptor TEX/C/B, with or without TEX remap
// (SCTLR.TRE, PRRR/NMRR, B3.8.2), and long-descriptor AttrIndx into MAIR0/1 (B3.8.3 is not
// needed: MAIR bytes are already the result). Everything becomes one MAIR-format byte plus the
// LPAE SH encoding, so the TLB and PAR see one representation.

/** MAIR-format cache policies for one level (outer or inner) of Normal memory. */
const NC = 0b0100; // Non-cacheable
const WT = 0b1010; // Write-Through, Read-Allocate, no Write-Allocate
const WB_WA = 0b1111; // Write-Back, Read- and Write-Allocate
const WB = 0b1110; // Write-Back, Read-Allocate, no Write-Allocate

/** The short-descriptor 2-bit cache policy (NMRR IRn/ORn, TEX[1:0]/C:B with TEX[2]=1) in MAIR
 *  form: 00 Non-cacheable, 01 WB-WA, 10 WT, 11 WB no WA. */
const POLICY = [NC, WB_WA, WT, WB];

export const ATTR_STRONGLY_ORDERED = 0x00;
export const ATTR_DEVICE = 0x04;
export const SH_NON = 0;
export const SH_OUTER = 2;
export const SH_INNER = 3;

/** Is a MAIR-format attribute byte Device or Strongly-ordered memory? */
export function isDevice(attr: number): boolean {
  return (attr & 0xf0) === 0;
}

/** Result of a short-descriptor attribute decode, packed as attr | sh << 8. */
function pack(attr: number, sh: number): number {
  return attr | (sh << 8);
}

/**
 * Decodes short-descriptor attributes: tex (TEX[2:0]), c, b, s (the S bit) under SCTLR.TRE.
 * Returns attr | sh << 8 (see Walk.attr and Walk.sh).
 */
export function shortAttrs(tex: number, c: number, b: number, s: number, tre: boolean, prrr: number, nmrr: number): number {
  if (tre) {
    // B3.8.2: n = TEX[0]:C:B selects PRRR.TRn, NMRR.IRn/ORn, PRRR.NOSn.
    const n = ((tex & 1) << 2) | (c << 1) | b;
    const tr = (prrr >>> (2 * n)) & 3;
    if (tr === 0) return pack(ATTR_STRONGLY_ORDERED, SH_OUTER);
    if (tr === 1) {
      // Device: shareable when PRRR.DS0/DS1 (indexed by S) is set.
      const ds = (prrr >>> (16 + s)) & 1;
      return pack(ATTR_DEVICE, ds ? SH_OUTER : SH_NON);
    }
    // Normal (TR = 0b11 is reserved; treated as Normal, as the ARM ARM permits).
    const inner = POLICY[(nmrr >>> (2 * n)) & 3];
    const outer = POLICY[(nmrr >>> (16 + 2 * n)) & 3];
    const shareable = (prrr >>> (18 + s)) & 1;
    const nos = (prrr >>> (24 + n)) & 1;
    return pack((outer << 4) | inner, shareable ? (nos ? SH_INNER : SH_OUTER) : SH_NON);
  }
  // B3.8.2 Table B3-10, TEX remap disabled.
  if (tex & 4) {
    const inner = POLICY[(c << 1) | b];
    const outer = POLICY[tex & 3];
    return pack((outer << 4) | inner, s ? SH_OUTER : SH_NON);
  }
  const cb = (c << 1) | b;
  switch (((tex & 3) << 2) | cb) {
    case 0b0000:
      return pack(ATTR_STRONGLY_ORDERED, SH_OUTER);
    case 0b0001:
      return pack(ATTR_DEVICE, SH_OUTER); // Shareable Device
    case 0b0010:
      return pack((WT << 4) | WT, s ? SH_OUTER : SH_NON);
    case 0b0011:
      return pack((WB << 4) | WB, s ? SH_OUTER : SH_NON);
    case 0b0100:
      return pack((NC << 4) | NC, s ? SH_OUTER : SH_NON);
    case 0b0111:
      return pack((WB_WA << 4) | WB_WA, s ? SH_OUTER : SH_NON);
    case 0b1000:
      return pack(ATTR_DEVICE, SH_NON); // Non-shareable Device
    default:
      // Reserved and IMPLEMENTATION DEFINED encodings: Non-cacheable Normal memory.
      return pack((NC << 4) | NC, s ? SH_OUTER : SH_NON);
  }
}

/** The MAIR byte for AttrIndx (0..7) from MAIR0 (indexes 0-3) and MAIR1 (4-7). */
export function mairAttr(indx: number, mair0: number, mair1: number): number {
  const reg = indx < 4 ? mair0 : mair1;
  return (reg >>> (8 * (indx & 3))) & 0xff;
}

/** The short-descriptor 2-bit policy (00 NC, 01 WB-WA, 10 WT, 11 WB no WA) of a MAIR nibble. */
function policy2(nibble: number): number {
  if ((nibble & 0b1100) === 0b1000) return 2; // Write-Through
  if ((nibble & 0b1100) === 0b1100) return nibble & 1 ? 1 : 3; // Write-Back, with or without WA
  return 0;
}

/** Short PAR attribute fields from a MAIR-format byte: Inner[2:0] and Outer[1:0] (B4.1.112). */
export function parShortAttrFields(attr: number): { inner: number; outer: number } {
  if (attr === ATTR_STRONGLY_ORDERED) return { inner: 0b001, outer: 0 };
  if (isDevice(attr)) return { inner: 0b011, outer: 0 };
  const innerField = [0b000, 0b101, 0b110, 0b111][policy2(attr & 0xf)];
  return { inner: innerField, outer: policy2(attr >>> 4) };
}
