// The VMSAv7 translation table walk: hand-built short- and long-descriptor tables in a
// Uint8Array-backed physical memory, every descriptor type and every fault with its exact fault
// status encoding, the PAR of the ATS1C* operations, and fast-check properties (random mappings
// translate as mapped; a cleared descriptor faults at its level).
import fc from 'fast-check';
import { Access, Fault, Perm, PhysAbort, Walk, type MmuRegs, type PhysReader } from '../runtime/mmu/types.js';
import { translate } from '../runtime/mmu/translate.js';
import { dfsr, ifsr, shortFsr, alignmentDfsr } from '../runtime/mmu/fsr.js';
import { ats1c, Ats1c } from '../runtime/mmu/par.js';

const RAM_SIZE = 256 << 10;

/** Physical RAM at [0, RAM_SIZE); reads elsewhere are external aborts. */
class Ram implements PhysReader {
  readonly bytes = new Uint8Array(RAM_SIZE);
  readonly dv = new DataView(this.bytes.buffer);
  reads = 0;
  read32(pa: number): number {
    this.reads++;
    if (pa < 0 || pa + 4 > RAM_SIZE) throw new PhysAbort(pa);
    return this.dv.getUint32(pa, true);
  }
  w32(pa: number, v: number): void {
    this.dv.setUint32(pa, v >>> 0, true);
  }
  w64(pa: number, hi: number, lo: number): void {
    this.w32(pa, lo);
    this.w32(pa + 4, hi);
  }
}

const SCTLR_M = 1;
const SCTLR_TRE = 1 << 28;
const SCTLR_AFE = 1 << 29;
const SCTLR_WXN = 1 << 19;
const SCTLR_UWXN = 1 << 20;
const EAE = 1 << 31;

function regs(over: Partial<MmuRegs> = {}): MmuRegs {
  return { sctlr: SCTLR_M, ttbcr: 0, ttbr0lo: 0x4000, ttbr0hi: 0, ttbr1lo: 0, ttbr1hi: 0, dacr: 0x55555555, prrr: 0, nmrr: 0, contextidr: 0, ...over };
}

// ---- short-descriptor encoders (ARM ARM B3.5.1, Figures B3-4 and B3-5) ----
interface SecOpts {
  ap?: number; // AP[2:0]
  xn?: number;
  pxn?: number;
  ng?: number;
  domain?: number;
  tex?: number;
  c?: number;
  b?: number;
  s?: number;
  ns?: number;
}
function section(pa: number, o: SecOpts = {}): number {
  const ap = o.ap ?? 0b011;
  return (
    ((pa & 0xfff00000) |
      ((o.ns ?? 0) << 19) |
      ((o.ng ?? 0) << 17) |
      ((o.s ?? 0) << 16) |
      ((ap >> 2) << 15) |
      ((o.tex ?? 0) << 12) |
      ((ap & 3) << 10) |
      ((o.domain ?? 0) << 5) |
      ((o.xn ?? 0) << 4) |
      ((o.c ?? 0) << 3) |
      ((o.b ?? 0) << 2) |
      0b10 |
      (o.pxn ?? 0)) >>>
    0
  );
}
/** A supersection for a 40-bit PA (16 MB aligned). */
function supersection(pa: number, o: SecOpts = {}): number {
  const lo = pa % 2 ** 32;
  const hi = Math.floor(pa / 2 ** 32);
  const ap = o.ap ?? 0b011;
  return (
    ((lo & 0xff000000) |
      ((hi & 0xf) << 20) |
      (1 << 18) |
      ((o.ng ?? 0) << 17) |
      ((o.s ?? 0) << 16) |
      ((ap >> 2) << 15) |
      ((o.tex ?? 0) << 12) |
      ((ap & 3) << 10) |
      ((hi >> 4) << 5) |
      ((o.xn ?? 0) << 4) |
      ((o.c ?? 0) << 3) |
      ((o.b ?? 0) << 2) |
      0b10 |
      (o.pxn ?? 0)) >>>
    0
  );
}
function pageTable(l2: number, o: { domain?: number; pxn?: number; ns?: number } = {}): number {
  return ((l2 & 0xfffffc00) | ((o.domain ?? 0) << 5) | ((o.ns ?? 0) << 3) | ((o.pxn ?? 0) << 2) | 0b01) >>> 0;
}
function smallPage(pa: number, o: SecOpts = {}): number {
  const ap = o.ap ?? 0b011;
  return (
    ((pa & 0xfffff000) |
      ((o.ng ?? 0) << 11) |
      ((o.s ?? 0) << 10) |
      ((ap >> 2) << 9) |
      ((o.tex ?? 0) << 6) |
      ((ap & 3) << 4) |
      ((o.c ?? 0) << 3) |
      ((o.b ?? 0) << 2) |
      0b10 |
      (o.xn ?? 0)) >>>
    0
  );
}
function largePage(pa: number, o: SecOpts = {}): number {
  const ap = o.ap ?? 0b011;
  return (
    ((pa & 0xffff0000) |
      ((o.xn ?? 0) << 15) |
      ((o.tex ?? 0) << 12) |
      ((o.ng ?? 0) << 11) |
      ((o.s ?? 0) << 10) |
      ((ap >> 2) << 9) |
      ((ap & 3) << 4) |
      ((o.c ?? 0) << 3) |
      ((o.b ?? 0) << 2) |
      0b01) >>>
    0
  );
}

const L1 = 0x4000; // TTBR0 first-level table (16 KB aligned)
const L2 = 0x10000; // a second-level table
const l1e = (va: number, base = L1) => base + ((va >>> 20) << 2);
const l2e = (va: number, base = L2) => base + (((va >>> 12) & 0xff) << 2);

/** Perm bits an independent reading of ARM ARM Table B3-8 gives for AP[2:0] (full model). */
function apModel(ap: number): { pl1: string; pl0: string } {
  return [
    { pl1: '', pl0: '' },
    { pl1: 'rw', pl0: '' },
    { pl1: 'rw', pl0: 'r' },
    { pl1: 'rw', pl0: 'rw' },
    { pl1: '', pl0: '' },
    { pl1: 'r', pl0: '' },
    { pl1: 'r', pl0: 'r' },
    { pl1: 'r', pl0: 'r' },
  ][ap];
}
function permsOf(pl1: string, pl0: string, x1: boolean, x0: boolean): number {
  let p = 0;
  if (pl1.includes('r')) p |= Perm.PL1_R;
  if (pl1.includes('w')) p |= Perm.PL1_W;
  if (pl0.includes('r')) p |= Perm.PL0_R;
  if (pl0.includes('w')) p |= Perm.PL0_W;
  if (x1) p |= Perm.PL1_X;
  if (x0) p |= Perm.PL0_X;
  return p;
}

describe('short-descriptor translation', () => {
  test('section: PA, size, attributes, nG and ASID', () => {
    const m = new Ram();
    m.w32(l1e(0xc0123456), section(0x40100000, { ng: 1, tex: 0b001, c: 1, b: 1, s: 1 }));
    const w = translate(m, regs({ contextidr: 0x1234 }), 0xc0123456, Access.READ, false);
    expect(w.fault).toBe(Fault.NONE);
    expect(w.pa).toBe(0x40123456);
    expect(w.sizeLog2).toBe(20);
    expect(w.level).toBe(1);
    expect(w.global).toBe(false);
    expect(w.asid).toBe(0x34);
    expect(w.attr).toBe(0xff); // Normal, WB-WA inner and outer
    expect(w.sh).toBe(2);
    expect(w.paBase()).toBe(0x40100000);
  });

  test('supersection: 40-bit PA, 16 MB, domain 0 whatever bits [8:5] hold', () => {
    const m = new Ram();
    const pa = 0xab_c5000000; // PA[39:36]=0xa lands in the domain field's bits
    const d = supersection(pa);
    for (let i = 0; i < 16; i++) m.w32(l1e(0x81000000) + 4 * i, d);
    // Domain 10 is No access; domain 0 Client. The supersection must use domain 0.
    const w = translate(m, regs({ dacr: 0x1 }), 0x81abcdef, Access.WRITE, false);
    expect(w.fault).toBe(Fault.NONE);
    expect(w.pa).toBe(0xab_c5abcdef);
    expect(w.sizeLog2).toBe(24);
    expect(w.domain).toBe(0);
    expect(w.paBase()).toBe(0xab_c5000000);
  });

  test('small and large pages through a page table', () => {
    const m = new Ram();
    m.w32(l1e(0x00400000), pageTable(L2, { domain: 3 }));
    m.w32(l2e(0x00401000), smallPage(0x7654_3000, { ng: 1 }));
    for (let i = 0; i < 16; i++) m.w32(l2e(0x00410000) + 4 * i, largePage(0x1234_0000));
    let w = translate(m, regs({ contextidr: 7 }), 0x00401abc, Access.READ, true);
    expect([w.fault, w.pa, w.sizeLog2, w.level, w.domain, w.global, w.asid]).toEqual([Fault.NONE, 0x76543abc, 12, 2, 3, false, 7]);
    w = translate(m, regs(), 0x0041f123, Access.READ, true);
    expect([w.fault, w.pa, w.sizeLog2, w.global]).toEqual([Fault.NONE, 0x1234f123, 16, true]);
  });

  test('TTBCR.N splits TTBR0 and TTBR1; PD0/PD1 disable walks', () => {
    const m = new Ram();
    const t0 = 0x20000; // N=2: TTBR0 table is 4 KB (covers 1 GB)
    const t1 = 0x24000;
    m.w32(t0 + ((0x3ff00000 >>> 20) << 2), section(0x00100000));
    m.w32(t1 + ((0x40000000 >>> 20) << 2), section(0x00200000));
    m.w32(t1 + ((0x3ff00000 >>> 20) << 2), section(0x00300000)); // must not be used
    // TTBR0 bits [13:12] lie below the N=2 base: a 4 KB-aligned TTBR0 is legal.
    const r = regs({ ttbcr: 2, ttbr0lo: t0 | 0x5a, ttbr1lo: t1 | 0x59 });
    expect(translate(m, r, 0x3ff00010, Access.READ, false).pa).toBe(0x00100010);
    expect(translate(m, r, 0x40000020, Access.READ, false).pa).toBe(0x00200020);
    let w = translate(m, { ...r, ttbcr: 2 | (1 << 4) }, 0x3ff00010, Access.READ, false);
    expect([w.fault, w.level, dfsr(w, false)]).toEqual([Fault.TRANSLATION, 1, 0b00101]);
    expect(translate(m, { ...r, ttbcr: 2 | (1 << 4) }, 0x40000020, Access.READ, false).fault).toBe(Fault.NONE);
    w = translate(m, { ...r, ttbcr: 2 | (1 << 5) }, 0x40000020, Access.READ, false);
    expect([w.fault, w.level]).toEqual([Fault.TRANSLATION, 1]);
    // N=0: TTBR1 is never used.
    m.w32(L1 + ((0x40000000 >>> 20) << 2), section(0x00500000));
    expect(translate(m, regs({ ttbr1lo: t1 }), 0x40000000, Access.READ, false).pa).toBe(0x00500000);
  });

  test('AP[2:0] full model (AFE=0) at both privilege levels, with XN and PXN', () => {
    for (let ap = 0; ap < 8; ap++) {
      for (const xn of [0, 1]) {
        for (const pxn of [0, 1]) {
          const m = new Ram();
          m.w32(l1e(0x100000), section(0x100000, { ap, xn, pxn }));
          m.w32(l1e(0x200000), pageTable(L2, { pxn }));
          m.w32(l2e(0x200000), smallPage(0x300000, { ap, xn }));
          const e = apModel(ap);
          const expected = permsOf(e.pl1, e.pl0, e.pl1.includes('r') && !xn && !pxn, e.pl0.includes('r') && !xn);
          for (const va of [0x100000, 0x200000]) {
            for (const user of [false, true]) {
              for (const acc of [Access.READ, Access.WRITE, Access.EXEC]) {
                const w = translate(m, regs(), va, acc, user);
                const want = (expected >> ((user ? 3 : 0) + acc)) & 1;
                expect({ ap, xn, pxn, va, user, acc, ok: w.ok() }).toEqual({ ap, xn, pxn, va, user, acc, ok: want === 1 });
                if (want) expect(w.perms).toBe(expected);
                else {
                  expect(w.fault).toBe(Fault.PERMISSION);
                  expect(w.level).toBe(va === 0x100000 ? 1 : 2);
                }
              }
            }
          }
        }
      }
    }
  });

  test('simplified model (AFE=1): AP[0] is the access flag', () => {
    const m = new Ram();
    const r = regs({ sctlr: SCTLR_M | SCTLR_AFE });
    // AP[2:1]: 00 PL1 RW; 01 RW both; 10 PL1 RO; 11 RO both.
    const want = [permsOf('rw', '', true, false), permsOf('rw', 'rw', true, true), permsOf('r', '', true, false), permsOf('r', 'r', true, true)];
    for (let ap21 = 0; ap21 < 4; ap21++) {
      m.w32(l1e(0x100000 * (ap21 + 1)), section(0x100000, { ap: (ap21 << 1) | 1 }));
      expect(translate(m, r, 0x100000 * (ap21 + 1), Access.READ, false).perms).toBe(want[ap21]);
      m.w32(l1e(0x100000 * (ap21 + 1)), section(0x100000, { ap: ap21 << 1, domain: 9 }));
      const w = translate(m, r, 0x100000 * (ap21 + 1), Access.READ, false);
      expect([w.fault, w.level, w.domain, dfsr(w, false)]).toEqual([Fault.ACCESS_FLAG, 1, 9, 0b00011 | (9 << 4)]);
    }
    m.w32(l1e(0x500000), pageTable(L2, { domain: 4 }));
    m.w32(l2e(0x500000), smallPage(0x1000, { ap: 0b010 }));
    const w = translate(m, r, 0x500000, Access.WRITE, true);
    expect([w.fault, w.level, w.domain, dfsr(w, true)]).toEqual([Fault.ACCESS_FLAG, 2, 4, 0b00110 | (4 << 4) | (1 << 11)]);
  });

  test('domains: No access and reserved fault, Manager grants everything, Client checks', () => {
    const m = new Ram();
    m.w32(l1e(0x100000), section(0x100000, { ap: 0b000, xn: 1, domain: 5 }));
    m.w32(l1e(0x200000), pageTable(L2, { domain: 6 }));
    // The L2 descriptor is invalid: a domain fault is still reported first (checked at L1).
    for (const dval of [0b00, 0b10]) {
      const dacr = (dval << 10) | (dval << 12);
      let w = translate(m, regs({ dacr }), 0x100000, Access.READ, false);
      expect([w.fault, w.level, w.domain, dfsr(w, false)]).toEqual([Fault.DOMAIN, 1, 5, 0b01001 | (5 << 4)]);
      w = translate(m, regs({ dacr }), 0x200000, Access.EXEC, false);
      expect([w.fault, w.level, w.domain, ifsr(w)]).toEqual([Fault.DOMAIN, 2, 6, 0b01011 | (6 << 4)]);
    }
    // Manager: AP 000 and XN are ignored.
    const w = translate(m, regs({ dacr: 0b11 << 10 }), 0x100000, Access.EXEC, true);
    expect(w.fault).toBe(Fault.NONE);
    expect(w.perms).toBe(63);
    // Client: AP 000 is no access.
    expect(translate(m, regs({ dacr: 0b01 << 10 }), 0x100000, Access.READ, false).fault).toBe(Fault.PERMISSION);
  });

  test('fault priority: XN on a fetch before the access flag, access flag before AP', () => {
    const m = new Ram();
    const r = regs({ sctlr: SCTLR_M | SCTLR_AFE });
    m.w32(l1e(0x100000), section(0x100000, { ap: 0b100, xn: 1 })); // AF=0, PL1 RW
    expect(translate(m, r, 0x100000, Access.EXEC, false).fault).toBe(Fault.PERMISSION);
    expect(translate(m, r, 0x100000, Access.WRITE, true).fault).toBe(Fault.ACCESS_FLAG);
  });

  test('translation faults at both levels and their FSRs', () => {
    const m = new Ram();
    let w = translate(m, regs(), 0x12345678, Access.WRITE, false);
    expect([w.fault, w.level, w.domain, dfsr(w, true)]).toEqual([Fault.TRANSLATION, 1, 0, 0b00101 | (1 << 11)]);
    m.w32(l1e(0x12345678), pageTable(L2, { domain: 11 }));
    w = translate(m, regs(), 0x12345678, Access.READ, false);
    expect([w.fault, w.level, w.domain, dfsr(w, false)]).toEqual([Fault.TRANSLATION, 2, 11, 0b00111 | (11 << 4)]);
    // Permission faults carry the domain too.
    m.w32(l2e(0x12345678), smallPage(0x5000, { ap: 0b101 }));
    w = translate(m, regs(), 0x12345678, Access.WRITE, false);
    expect([w.fault, dfsr(w, true)]).toEqual([Fault.PERMISSION, 0b01111 | (11 << 4) | (1 << 11)]);
    m.w32(l1e(0x12345678), section(0, { ap: 0b101, domain: 2 }));
    w = translate(m, regs(), 0x12345678, Access.WRITE, false);
    expect([w.fault, dfsr(w, true)]).toEqual([Fault.PERMISSION, 0b01101 | (2 << 4) | (1 << 11)]);
  });

  test('an unreadable table is a synchronous external abort on the walk', () => {
    const m = new Ram();
    let w = translate(m, regs({ ttbr0lo: 0x80000000 }), 0x1000, Access.READ, false);
    expect([w.fault, w.level, dfsr(w, false)]).toEqual([Fault.EXTERNAL_WALK, 1, 0b01100]);
    m.w32(l1e(0x1000), pageTable(0x90000000, { domain: 1 }));
    w = translate(m, regs(), 0x1000, Access.READ, false);
    expect([w.fault, w.level, dfsr(w, false)]).toEqual([Fault.EXTERNAL_WALK, 2, 0b01110 | (1 << 4)]);
  });

  test('SCTLR.WXN and UWXN make writable regions execute-never', () => {
    const m = new Ram();
    m.w32(l1e(0x100000), section(0x100000, { ap: 0b011 })); // RW at both levels
    m.w32(l1e(0x200000), section(0x200000, { ap: 0b111 })); // RO at both levels
    const wxn = regs({ sctlr: SCTLR_M | SCTLR_WXN });
    expect(translate(m, wxn, 0x100000, Access.EXEC, false).fault).toBe(Fault.PERMISSION);
    expect(translate(m, wxn, 0x200000, Access.EXEC, true).fault).toBe(Fault.NONE);
    const uwxn = regs({ sctlr: SCTLR_M | SCTLR_UWXN });
    expect(translate(m, uwxn, 0x100000, Access.EXEC, false).fault).toBe(Fault.PERMISSION);
    expect(translate(m, uwxn, 0x100000, Access.EXEC, true).fault).toBe(Fault.NONE);
  });

  test('memory attributes: TEX/C/B without remap, and Linux-style TEX remap', () => {
    const m = new Ram();
    const attrOf = (o: SecOpts, r: MmuRegs = regs()) => {
      m.w32(l1e(0x100000), section(0x100000, o));
      const w = translate(m, r, 0x100000, Access.READ, false);
      return [w.attr, w.sh];
    };
    expect(attrOf({})).toEqual([0x00, 2]); // Strongly-ordered
    expect(attrOf({ b: 1 })).toEqual([0x04, 2]); // Shareable Device
    expect(attrOf({ tex: 2 })).toEqual([0x04, 0]); // Non-shareable Device
    expect(attrOf({ c: 1 })).toEqual([0xaa, 0]); // WT
    expect(attrOf({ c: 1, b: 1, s: 1 })).toEqual([0xee, 2]); // WB no WA, shareable
    expect(attrOf({ tex: 1 })).toEqual([0x44, 0]); // Non-cacheable
    expect(attrOf({ tex: 0b110, c: 0, b: 1 })).toEqual([0xaf, 0]); // outer WT, inner WB-WA
    // Linux ARMv7 (non-LPAE) values: PRRR 0xff0a81a8, NMRR 0x40e040e0.
    const lin = regs({ sctlr: SCTLR_M | SCTLR_TRE, prrr: 0xff0a81a8, nmrr: 0x40e040e0 });
    expect(attrOf({ tex: 0, c: 0, b: 0 }, lin)).toEqual([0x00, 2]); // n=0: SO
    expect(attrOf({ tex: 0, c: 0, b: 1 }, lin)).toEqual([0x44, 0]); // n=1 BUFFERABLE: Normal NC
    expect(attrOf({ tex: 0, c: 1, b: 1 }, lin)).toEqual([0xee, 0]); // n=3 WRITEBACK
    expect(attrOf({ tex: 1, c: 0, b: 0 }, lin)).toEqual([0x04, 0]); // n=4 Device, DS0=0
    expect(attrOf({ tex: 1, c: 0, b: 0, s: 1 }, lin)).toEqual([0x04, 2]); // DS1=1
    expect(attrOf({ tex: 1, c: 1, b: 1, s: 1 }, lin)).toEqual([0xff, 3]); // n=7 WRITEALLOC, NS1=1, NOS7=1
    expect(attrOf({ tex: 1, c: 1, b: 1, s: 0 }, lin)).toEqual([0xff, 0]); // NS0=0
  });

  test('MMU off: flat, every permission', () => {
    const m = new Ram();
    const w = translate(m, regs({ sctlr: 0 }), 0xdeadbeef, Access.EXEC, true);
    expect([w.fault, w.pa, w.perms, w.longFormat]).toEqual([Fault.NONE, 0xdeadbeef, 63, false]);
    expect(m.reads).toBe(0);
  });

  test('FSR words', () => {
    expect(shortFsr(0b10110, 3)).toBe((1 << 10) | 0b0110 | (3 << 4));
    expect(alignmentDfsr(false, true)).toBe(0b00001 | (1 << 11));
    expect(alignmentDfsr(true, false)).toBe(0b100001 | (1 << 9));
  });
});

// ---- long-descriptor encoders (ARM ARM B3.6.1, Figures B3-15 to B3-17) ----
interface LOpts {
  ap?: number; // AP[2:1]
  xn?: number;
  pxn?: number;
  af?: number;
  ng?: number;
  attrIndx?: number;
  sh?: number;
  ns?: number;
}
/** A block (level 1/2) or page (level 3) descriptor as [hi, lo]. */
function lBlock(pa: number, level: number, o: LOpts = {}): [number, number] {
  const lo = pa % 2 ** 32;
  const hi = Math.floor(pa / 2 ** 32) & 0xff;
  const low =
    ((lo & 0xfffff000) |
      ((o.ng ?? 0) << 11) |
      ((o.af ?? 1) << 10) |
      ((o.sh ?? 0) << 8) |
      ((o.ap ?? 0) << 6) |
      ((o.ns ?? 0) << 5) |
      ((o.attrIndx ?? 0) << 2) |
      (level === 3 ? 0b11 : 0b01)) >>>
    0;
  return [(hi | ((o.pxn ?? 0) << 21) | ((o.xn ?? 0) << 22)) >>> 0, low];
}
function lTable(pa: number, o: { pxnTable?: number; xnTable?: number; apTable?: number; nsTable?: number } = {}): [number, number] {
  const hi = (Math.floor(pa / 2 ** 32) & 0xff) | ((o.pxnTable ?? 0) << 27) | ((o.xnTable ?? 0) << 28) | ((o.apTable ?? 0) << 29) | ((o.nsTable ?? 0) << 31);
  return [hi >>> 0, ((pa % 2 ** 32) & 0xfffff000) | 0b11];
}

function lregs(over: Partial<MmuRegs> = {}): MmuRegs {
  return regs({ ttbcr: EAE, ttbr0lo: 0x1000, prrr: 0x4404ff00, nmrr: 0, ...over });
}

describe('long-descriptor (LPAE) translation', () => {
  // Level 1 table at 0x1000 (4 entries for T0SZ=0), level 2 tables at 0x2000.., level 3 at 0x8000..
  function build(m: Ram): void {
    m.w64(0x1000 + 8 * 0, ...lTable(0x2000)); // 0-1 GB -> level 2
    m.w64(0x1000 + 8 * 1, ...lBlock(0x1_4000_0000, 1, { attrIndx: 1, sh: 3 })); // 1-2 GB: 1 GB block
    m.w64(0x2000 + 8 * 3, ...lBlock(0xff_ffe0_0000, 2, { ng: 1, ap: 0b01 })); // 6 MB: 2 MB block
    m.w64(0x2000 + 8 * 4, ...lTable(0x8000)); // 8 MB -> level 3
    m.w64(0x8000 + 8 * 5, ...lBlock(0x0_1234_5000, 3, { ap: 0b11, attrIndx: 3 }));
  }

  test('blocks at levels 1 and 2, pages at level 3, 40-bit output addresses', () => {
    const m = new Ram();
    build(m);
    let w = translate(m, lregs(), 0x7654_3210, Access.READ, false);
    expect([w.fault, w.pa, w.sizeLog2, w.level, w.attr, w.sh, w.longFormat]).toEqual([Fault.NONE, 0x1_7654_3210, 30, 1, 0xff, 3, true]);
    w = translate(m, lregs({ ttbr0hi: 0x00ab0000 }), 0x0065_4321, Access.WRITE, true);
    expect([w.fault, w.pa, w.sizeLog2, w.level, w.global, w.asid]).toEqual([Fault.NONE, 0xff_ffe5_4321, 21, 2, false, 0xab]);
    w = translate(m, lregs(), 0x0080_5abc, Access.READ, true);
    expect([w.fault, w.pa, w.sizeLog2, w.level, w.attr]).toEqual([Fault.NONE, 0x1234_5abc, 12, 3, 0x44]);
    expect(w.perms).toBe(permsOf('r', 'r', true, true));
  });

  test('translation faults at each level, the reserved level 3 encoding, and their DFSR', () => {
    const m = new Ram();
    build(m);
    const cases: [number, number][] = [
      [0x8000_0000, 1],
      [0x0000_0000, 2],
      [0x0080_0000, 3],
    ];
    for (const [va, level] of cases) {
      const w = translate(m, lregs(), va, Access.WRITE, false);
      expect([w.fault, w.level, dfsr(w, true)]).toEqual([Fault.TRANSLATION, level, (0b000100 | level) | (1 << 9) | (1 << 11)]);
    }
    m.w64(0x8000 + 8 * 6, 0, 0x0000_9001); // level 3, bits[1:0] = 01: reserved
    const w = translate(m, lregs(), 0x0080_6000, Access.EXEC, false);
    expect([w.fault, w.level, ifsr(w)]).toEqual([Fault.TRANSLATION, 3, 0b000111 | (1 << 9)]);
  });

  test('access flag and permission faults carry the level', () => {
    const m = new Ram();
    m.w64(0x1000, ...lBlock(0x0, 1, { af: 0 }));
    m.w64(0x1008, ...lTable(0x2000));
    m.w64(0x2000, ...lBlock(0x0, 2, { ap: 0b10 })); // PL1 read-only
    m.w64(0x2008, ...lTable(0x3000));
    m.w64(0x3000, ...lBlock(0x0, 3, { ap: 0b00, af: 0 }));
    m.w64(0x3008, ...lBlock(0x0, 3, { ap: 0b00, xn: 1 }));
    let w = translate(m, lregs(), 0x10, Access.READ, false);
    expect([w.fault, w.level, dfsr(w, false)]).toEqual([Fault.ACCESS_FLAG, 1, 0b001001 | (1 << 9)]);
    w = translate(m, lregs(), 0x4000_0010, Access.WRITE, false);
    expect([w.fault, w.level, dfsr(w, true)]).toEqual([Fault.PERMISSION, 2, 0b001110 | (1 << 9) | (1 << 11)]);
    w = translate(m, lregs(), 0x4000_0010, Access.READ, true);
    expect([w.fault, w.level]).toEqual([Fault.PERMISSION, 2]);
    w = translate(m, lregs(), 0x4020_0000, Access.READ, false);
    expect([w.fault, w.level, dfsr(w, false)]).toEqual([Fault.ACCESS_FLAG, 3, 0b001011 | (1 << 9)]);
    w = translate(m, lregs(), 0x4020_1000, Access.EXEC, false);
    expect([w.fault, w.level, ifsr(w)]).toEqual([Fault.PERMISSION, 3, 0b001111 | (1 << 9)]);
    expect(translate(m, lregs(), 0x4020_1000, Access.WRITE, false).fault).toBe(Fault.NONE);
  });

  test('AP[2:1], XN and PXN', () => {
    const want = [permsOf('rw', '', true, false), permsOf('rw', 'rw', true, true), permsOf('r', '', true, false), permsOf('r', 'r', true, true)];
    for (let ap = 0; ap < 4; ap++) {
      for (const xn of [0, 1]) {
        for (const pxn of [0, 1]) {
          const m = new Ram();
          m.w64(0x1000, ...lBlock(0, 1, { ap, xn, pxn }));
          const w = translate(m, lregs(), 0x100, Access.READ, false);
          let p = want[ap];
          if (xn) p &= ~(Perm.PL0_X | Perm.PL1_X);
          if (pxn) p &= ~Perm.PL1_X;
          expect(w.perms).toBe(p);
        }
      }
    }
  });

  test('table attributes: APTable, XNTable, PXNTable limit everything below', () => {
    const m = new Ram();
    m.w64(0x1000, ...lTable(0x2000, { apTable: 0b01 })); // no PL0
    m.w64(0x1008, ...lTable(0x3000, { apTable: 0b10, xnTable: 1 })); // read-only, XN
    m.w64(0x1010, ...lTable(0x4000, { pxnTable: 1 }));
    m.w64(0x2000, ...lBlock(0x0, 2, { ap: 0b01 }));
    m.w64(0x3000, ...lBlock(0x0, 2, { ap: 0b01 }));
    m.w64(0x4000, ...lBlock(0x0, 2, { ap: 0b01 }));
    expect(translate(m, lregs(), 0x0000_0000, Access.READ, false).perms).toBe(permsOf('rw', '', true, false));
    expect(translate(m, lregs(), 0x4000_0000, Access.READ, false).perms).toBe(permsOf('r', 'r', false, false));
    expect(translate(m, lregs(), 0x8000_0000, Access.READ, false).perms).toBe(permsOf('rw', 'rw', false, true));
  });

  test('TTBR0/TTBR1 split by T0SZ/T1SZ, start level, the gap, EPD0/EPD1, A1', () => {
    const m = new Ram();
    // Linux LPAE: T0SZ=0, T1SZ=2 (kernel at 0xc0000000 via TTBR1, starting at level 2).
    const t1 = 0x10000; // 4 KB level 2 table
    m.w64(t1 + 8 * 0x000, ...lBlock(0x4000_0000, 2)); // 0xc0000000
    m.w64(t1 + 8 * 0x1ff, ...lBlock(0x4fe0_0000, 2)); // 0xffe00000
    m.w64(0x1000 + 8 * 3, ...lBlock(0x0, 1)); // TTBR0's 3-4 GB entry: must not be used
    const r = lregs({ ttbcr: EAE | (2 << 16), ttbr1lo: t1, ttbr1hi: 0x00050000, ttbr0hi: 0x00070000 });
    expect(translate(m, r, 0xc000_1234, Access.READ, false).pa).toBe(0x4000_1234);
    expect(translate(m, r, 0xffe0_0004, Access.READ, false).pa).toBe(0x4fe0_0004);
    expect(translate(m, r, 0xc000_1234, Access.READ, false).asid).toBe(0x07);
    expect(translate(m, { ...r, ttbcr: r.ttbcr | (1 << 22) }, 0xc000_1234, Access.READ, false).asid).toBe(0x05);
    let w = translate(m, { ...r, ttbcr: r.ttbcr | (1 << 23) }, 0xc000_1234, Access.READ, false);
    expect([w.fault, w.level]).toEqual([Fault.TRANSLATION, 1]);
    w = translate(m, { ...r, ttbcr: r.ttbcr | (1 << 7) }, 0x0000_1234, Access.READ, false);
    expect([w.fault, w.level]).toEqual([Fault.TRANSLATION, 1]);
    // T0SZ=2 and T1SZ=2: 1-3 GB is in neither region.
    w = translate(m, { ...r, ttbcr: EAE | (2 << 16) | 2 }, 0x8000_0000, Access.READ, false);
    expect([w.fault, w.level]).toEqual([Fault.TRANSLATION, 1]);
    // T0SZ=1: a two-entry level 1 table; T0SZ=0 alone covers everything with TTBR0.
    m.w64(0x1000 + 8 * 1, ...lBlock(0x1_0000_0000, 1));
    expect(translate(m, lregs({ ttbcr: EAE | 1 }), 0x4000_0008, Access.READ, false).pa).toBe(0x1_0000_0008);
    expect(translate(m, lregs(), 0xc000_0008, Access.READ, false).pa).toBe(0x0000_0008);
    // T1SZ=0 with T0SZ=1: TTBR1 takes everything above 2 GB, from a level 1 table indexed by
    // VA[31:30] (its input size is 32 bits).
    m.w64(0x5000 + 8 * 3, ...lBlock(0x2_0000_0000, 1));
    expect(translate(m, lregs({ ttbcr: EAE | 1, ttbr1lo: 0x5000 }), 0xc000_0008, Access.READ, false).pa).toBe(0x2_0000_0008);
  });

  test('an unreadable table is an external abort on the walk with its level', () => {
    const m = new Ram();
    m.w64(0x1000, ...lTable(0x7_0000_0000));
    const w = translate(m, lregs(), 0x10, Access.READ, false);
    expect([w.fault, w.level, dfsr(w, false)]).toEqual([Fault.EXTERNAL_WALK, 2, 0b010110 | (1 << 9)]);
  });
});

describe('ATS1C* and PAR', () => {
  test('short format: page, supersection, fault', () => {
    const m = new Ram();
    m.w32(l1e(0x00400000), pageTable(L2));
    m.w32(l2e(0x00401000), smallPage(0x7654_3000, { ap: 0b001 }));
    const d = supersection(0x12_3400_0000);
    for (let i = 0; i < 16; i++) m.w32(l1e(0x81000000) + 4 * i, d);
    expect(ats1c(m, regs(), Ats1c.PR, 0x00401abc).lo).toBe(0x76543000 | (1 << 9));
    expect(ats1c(m, regs(), Ats1c.PW, 0x00401abc).lo).toBe(0x76543000 | (1 << 9));
    expect(ats1c(m, regs(), Ats1c.UR, 0x00401abc).lo).toBe((0b01111 << 1) | 1);
    expect(ats1c(m, regs(), Ats1c.PR, 0x81abcdef).lo).toBe((0x34000000 | (0x12 << 16) | (1 << 9) | 2) >>> 0);
    expect(ats1c(m, regs(), Ats1c.PR, 0x90000000).lo).toBe((0b00101 << 1) | 1);
    // With attributes: small page WB-WA (TEX=001 C=1 B=1), shareable.
    m.w32(l2e(0x00402000), smallPage(0x5000, { tex: 1, c: 1, b: 1, s: 1 }));
    expect(ats1c(m, regs(), Ats1c.UW, 0x00402000, { shortAttrs: true }).lo).toBe(0x5000 | (1 << 9) | (1 << 7) | (0b101 << 4) | (0b01 << 2));
  });

  test('long format: block with attributes, fault', () => {
    const m = new Ram();
    m.w64(0x1000, ...lBlock(0x3_0000_0000, 1, { attrIndx: 1, sh: 3 }));
    const par = ats1c(m, lregs(), Ats1c.PR, 0x1234_5678);
    expect(par).toEqual({ lo: (0x1234_5000 | (1 << 11) | (1 << 9) | (3 << 7)) >>> 0, hi: 0xff000003 });
    expect(ats1c(m, lregs(), Ats1c.UR, 0x1234_5678)).toEqual({ lo: (0b001101 << 1) | 1 | (1 << 11), hi: 0 });
    expect(ats1c(m, lregs(), Ats1c.PR, 0x8000_0000)).toEqual({ lo: (0b000101 << 1) | 1 | (1 << 11), hi: 0 });
  });
});

// ---- properties ----
const arbShortMap = fc.record({
  kind: fc.constantFrom('section', 'supersection', 'small', 'large'),
  vaIdx: fc.integer({ min: 0, max: 0xff }), // which 16 MB slot of the address space
  sub: fc.integer({ min: 0, max: 15 }),
  paPage: fc.integer({ min: 0, max: 2 ** 28 - 1 }), // 4 KB frame number of a 40-bit PA
  ap: fc.integer({ min: 0, max: 7 }),
  xn: fc.integer({ min: 0, max: 1 }),
  pxn: fc.integer({ min: 0, max: 1 }),
  domain: fc.integer({ min: 0, max: 15 }),
  manager: fc.boolean(),
  afe: fc.boolean(),
  offset: fc.integer({ min: 0, max: 2 ** 24 - 1 }),
  access: fc.constantFrom(Access.READ, Access.WRITE, Access.EXEC),
  user: fc.boolean(),
});

describe('properties', () => {
  test('short: any address inside a random mapping translates to its PA with its permissions', () => {
    fc.assert(
      fc.property(arbShortMap, (t) => {
        const m = new Ram();
        const sizeLog2 = { section: 20, supersection: 24, small: 12, large: 16 }[t.kind];
        const va = ((t.vaIdx << 24) | (t.sub << 20)) >>> 0;
        const size = 2 ** sizeLog2;
        const vaIn = (t.kind === 'supersection' ? (t.vaIdx << 24) >>> 0 : va) + (t.offset % Math.min(size, 1 << 20));
        let pa = t.paPage * 4096;
        if (t.kind !== 'supersection') pa %= 2 ** 32;
        pa -= pa % size;
        const domain = t.kind === 'supersection' ? 0 : t.domain;
        const o: SecOpts = { ap: t.ap, xn: t.xn, pxn: t.pxn, domain };
        if (t.kind === 'section') m.w32(l1e(va), section(pa, o));
        else if (t.kind === 'supersection') for (let i = 0; i < 16; i++) m.w32(l1e((t.vaIdx << 24) >>> 0) + 4 * i, supersection(pa, o));
        else {
          m.w32(l1e(va), pageTable(L2, { domain, pxn: t.pxn }));
          if (t.kind === 'small') m.w32(l2e(vaIn), smallPage(pa, o));
          else for (let i = 0; i < 16; i++) m.w32(l2e(va) + 4 * i, largePage(pa, o));
        }
        const dacr = (t.manager ? 3 : 1) << (2 * domain);
        const r = regs({ dacr, sctlr: SCTLR_M | (t.afe ? SCTLR_AFE : 0) });
        const w = translate(m, r, vaIn, t.access, t.user);
        const level = t.kind === 'small' || t.kind === 'large' ? 2 : 1;
        // The model, in the order of the fault checks.
        let expectFault = Fault.NONE;
        let perms = 63;
        if (!t.manager) {
          const e = t.afe ? apModel(((t.ap >> 1) << 1) | 1) : apModel(t.ap);
          perms = permsOf(e.pl1, e.pl0, e.pl1.includes('r') && !t.xn && !t.pxn, e.pl0.includes('r') && !t.xn);
          if (t.access === Access.EXEC && (t.xn || (t.pxn && !t.user))) expectFault = Fault.PERMISSION;
          else if (t.afe && !(t.ap & 1)) expectFault = Fault.ACCESS_FLAG;
          else if (!((perms >> ((t.user ? 3 : 0) + t.access)) & 1)) expectFault = Fault.PERMISSION;
        }
        expect(w.fault).toBe(expectFault);
        expect(w.level).toBe(level);
        if (expectFault === Fault.NONE) {
          expect(w.pa).toBe(pa + (vaIn % size));
          expect(w.sizeLog2).toBe(sizeLog2);
          expect(w.perms).toBe(perms);
        } else {
          expect(w.domain).toBe(domain);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('long: random block/page mappings translate to their PA; clearing any descriptor on the path faults at its level', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 28 - 1 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (blockLevel, va, paPage, ap, clear) => {
          const m = new Ram();
          const sizeLog2 = [0, 30, 21, 12][blockLevel];
          let pa = paPage * 4096;
          pa -= pa % 2 ** sizeLog2;
          const slot = [0, 0x1000 + 8 * (va >>> 30), 0x2000 + 8 * ((va >>> 21) & 0x1ff), 0x3000 + 8 * ((va >>> 12) & 0x1ff)];
          if (blockLevel >= 2) m.w64(slot[1], ...lTable(0x2000));
          if (blockLevel >= 3) m.w64(slot[2], ...lTable(0x3000));
          m.w64(slot[blockLevel], ...lBlock(pa, blockLevel, { ap }));
          let w = translate(m, lregs(), va, Access.READ, ap === 0 || ap === 2 ? false : true);
          expect(w.fault).toBe(Fault.NONE);
          expect(w.pa).toBe(pa + (va % 2 ** sizeLog2));
          expect(w.level).toBe(blockLevel);
          const level = 1 + (clear % blockLevel);
          m.w64(slot[level], 0, 0);
          w = translate(m, lregs(), va, Access.READ, false);
          expect([w.fault, w.level]).toEqual([Fault.TRANSLATION, level]);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('short: clearing the first- or second-level descriptor gives the level\'s translation fault', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.boolean(), fc.integer({ min: 0, max: 15 }), (va, clearL1, domain) => {
        const m = new Ram();
        m.w32(l1e(va), pageTable(L2, { domain }));
        m.w32(l2e(va), smallPage(0x1000));
        expect(translate(m, regs(), va, Access.READ, false).pa).toBe(0x1000 + (va & 0xfff));
        m.w32(clearL1 ? l1e(va) : l2e(va), 0);
        const w = translate(m, regs(), va, Access.READ, false);
        expect([w.fault, w.level, dfsr(w, false)]).toEqual(clearL1 ? [Fault.TRANSLATION, 1, 0b00101] : [Fault.TRANSLATION, 2, 0b00111 | (domain << 4)]);
      }),
      { numRuns: 1000 },
    );
  });

  test('a reused Walk gives the same answers as fresh ones', () => {
    const m = new Ram();
    m.w32(l1e(0x100000), section(0x200000));
    const w = new Walk();
    translate(m, regs(), 0x300000, Access.READ, false, w);
    expect(w.fault).toBe(Fault.TRANSLATION);
    translate(m, regs(), 0x100004, Access.READ, false, w);
    expect([w.fault, w.pa]).toEqual([Fault.NONE, 0x200004]);
  });
});
