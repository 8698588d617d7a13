// Loads, stores, load/store multiple and exclusives through the decoder, lifter and interpreter
// on a FlatMemory. Expected values come from the ARM ARM's pseudocode (computed here from the
// operands), and from qemu-arm 7.2 where the architecture leaves a choice (alignment faults of
// LDRD/LDM/LDREX, the exclusive monitor's compare-and-swap).
import fc from 'fast-check';
import type { FlatMemory } from '../runtime/memory/flat.js';
import { ARM_SVC, CODE, DATA, T16_SVC, runSnippet, type Run } from './helpers/snippet.js';
import { CpuState, W } from '../translator/state.js';
import { Exit } from '../translator/ir.js';
import { disassemble } from '../translator/disasm.js';
import { A32, A32_UNCOND, T16, T32, type DecodedInsn } from '../translator/decode/tables.js';
import { decodeAt, liftBlock } from '../translator/lift/block.js';
import { compileRow, type Row } from '../translator/decode/pattern.js';
import * as a32ldst from '../translator/decode/a32/ldst.js';
import * as a32branch from '../translator/decode/a32/branch.js';
import * as a32system from '../translator/decode/a32/system.js';
import * as a32uncond from '../translator/decode/a32/uncond.js';
import * as t16ldst from '../translator/decode/t16/ldst.js';
import * as t16branch from '../translator/decode/t16/branch.js';
import * as t16system from '../translator/decode/t16/system.js';
import * as t32ldst from '../translator/decode/t32/ldst.js';
import * as t32branch from '../translator/decode/t32/branch.js';
import * as t32system from '../translator/decode/t32/system.js';

/** Runs A32 words (an SVC appended) or Thumb halfwords from CODE until the first non-NEXT exit. */
function run(code: number[], thumb: boolean, init: (cpu: CpuState, mem: FlatMemory) => void = () => {}): Run {
  return runSnippet(code, thumb, init, { codeBytes: 0x2000, dataBytes: 0x4000, pattern: true });
}
const arm = (code: number[], init?: (cpu: CpuState, mem: FlatMemory) => void) => run(code, false, init);
const thumb = (code: number[], init?: (cpu: CpuState, mem: FlatMemory) => void) => run(code, true, init);
/** A T32 instruction as two halfwords. */
const w32 = (hw1: number, hw2: number) => [hw1, hw2];

const le32 = (mem: FlatMemory, a: number) => mem.dv.getUint32(a, true);

describe('A32 single loads and stores', () => {
  test('LDR/STR immediate: offset, pre-indexed, post-indexed (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x7f }),
        fc.integer({ min: 0, max: 0x7f }),
        fc.boolean(),
        fc.constantFrom('offset', 'pre', 'post'),
        fc.boolean(),
        (baseOff, imm, up, mode, load) => {
          const base = DATA + 0x80 + baseOff;
          const p = mode === 'post' ? 0 : 1;
          const w = mode === 'pre' ? 1 : 0;
          // cond=AL 010 P U 0 W L Rn=r1 Rt=r0 imm12
          const insn = (0xe4000000 | (p << 24) | ((up ? 1 : 0) << 23) | (w << 21) | ((load ? 1 : 0) << 20) | (1 << 16) | imm) >>> 0;
          const r = arm([insn], (cpu) => {
            cpu.setReg(1, base);
            cpu.setReg(0, 0xcafef00d);
          });
          expect(r.exit).toBe(Exit.SVC);
          const offAddr = up ? base + imm : base - imm;
          const addr = p ? offAddr : base;
          if (load) {
            let v = 0;
            for (let i = 3; i >= 0; i--) v = v * 256 + (((addr + i - DATA) * 7 + 3) & 0xff);
            expect(r.cpu.reg(0)).toBe(v);
          } else {
            expect(le32(r.mem, addr)).toBe(0xcafef00d);
          }
          expect(r.cpu.reg(1)).toBe(mode === 'offset' ? base : offAddr);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('LDR register offset with every shift type (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 31 }), fc.integer(), fc.boolean(), (type, imm5, m, up) => {
        // LDR r0, [r1, +/-r2, <shift> #imm5]
        const insn = (0xe7110002 | ((up ? 1 : 0) << 23) | (imm5 << 7) | (type << 5)) >>> 0;
        let off: number;
        const mu = m >>> 0;
        const n = imm5 === 0 && (type === 1 || type === 2) ? 32 : imm5;
        if (type === 0) off = (mu << imm5) >>> 0;
        else if (type === 1) off = n === 32 ? 0 : mu >>> n;
        else if (type === 2) off = n === 32 ? (m < 0 ? 0xffffffff : 0) : (m >> n) >>> 0;
        else off = imm5 === 0 ? (mu >>> 1) | 0x80000000 /* RRX with C=1 */ : ((mu >>> imm5) | (mu << (32 - imm5))) >>> 0;
        const base = DATA + 0x40;
        const addr = (up ? base + off : base - off) >>> 0;
        const inside = (lo: number, len: number) => addr >= lo && addr + 4 <= lo + len;
        const mapped = inside(DATA, 0x4000) || inside(CODE, 0x2000);
        const r = arm([insn], (cpu) => {
          cpu.setReg(1, base);
          cpu.setReg(2, m >>> 0);
          cpu.i32[W.C] = 1;
        });
        if (mapped) {
          expect(r.exit).toBe(Exit.SVC);
          expect(r.cpu.reg(0)).toBe(le32(r.mem, addr));
        } else {
          expect(r.exit).toBe(Exit.DATA_ABORT);
          expect(r.cpu.pc).toBe(CODE);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('halfword, signed and unprivileged forms', () => {
    const r = arm(
      [
        0xe17100b2, // ldrh r0, [r1, #-2]!
        0xe09130d2, // ldrsb r3, [r1], r2
        0xe4b14004, // ldrt r4, [r1], #4
      ],
      (cpu, mem) => {
        cpu.setReg(1, DATA + 0x12);
        cpu.setReg(2, 0x10);
        mem.dv.setUint16(DATA + 0x10, 0x8001, true);
        mem.u8[DATA + 0x10] = 0x81;
      },
    );
    expect(r.exit).toBe(Exit.SVC);
    expect(r.cpu.reg(0)).toBe(0x8081);
    expect(r.cpu.reg(3)).toBe(0xffffff81);
    expect(r.cpu.reg(4)).toBe(le32(r.mem, DATA + 0x20));
    expect(r.cpu.reg(1)).toBe(DATA + 0x24);
  });

  test('unaligned LDR/STR/LDRH are allowed (ARMv7, SCTLR.A = 0)', () => {
    const r = arm([0xe5910001, 0xe5812005, 0xe1d130b3], (cpu) => {
      // ldr r0, [r1, #1]; str r2, [r1, #5]; ldrh r3, [r1, #3]
      cpu.setReg(1, DATA);
      cpu.setReg(2, 0xa1b2c3d4);
    });
    expect(r.exit).toBe(Exit.SVC);
    expect(r.cpu.reg(0)).toBe(0x1f18110a); // bytes 1..4 of the (i * 7 + 3) pattern
    expect(r.mem.dv.getUint32(DATA + 5, true)).toBe(0xa1b2c3d4);
    expect(r.cpu.reg(3)).toBe(0x1f18);
  });

  test('a faulting load is precise: no write-back, PC at the instruction', () => {
    const r = arm([0xe1a00000, 0xe5b10004], (cpu) => cpu.setReg(1, 0x5000)); // nop; ldr r0, [r1, #4]!
    expect(r.exit).toBe(Exit.DATA_ABORT);
    expect(r.cpu.pc).toBe(CODE + 4);
    expect(r.cpu.reg(1)).toBe(0x5000);
    expect(r.cpu.u32[W.FAULT_ADDR]).toBe(0x5004);
  });

  test('LDR PC interworks (LoadWritePC)', () => {
    const r = arm([0xe591f000], (cpu, mem) => {
      cpu.setReg(1, DATA);
      mem.dv.setUint32(DATA, CODE + 0x101, true);
      mem.dv.setUint16(CODE + 0x100, T16_SVC, true);
    });
    expect(r.exit).toBe(Exit.SVC);
    expect(r.cpu.thumb).toBe(true);
    expect(r.cpu.pc).toBe(CODE + 0x102);
  });
});

describe('A32 LDRD/STRD and alignment', () => {
  test('LDRD then STRD with pre-index write-back', () => {
    const r = arm([0xe1c200d0, 0xe1e200f8], (cpu) => cpu.setReg(2, DATA + 8)); // ldrd r0,r1,[r2]; strd r0,r1,[r2,#8]!
    expect(r.exit).toBe(Exit.SVC);
    expect(r.cpu.reg(0)).toBe(le32(r.mem, DATA + 8));
    expect(r.cpu.reg(1)).toBe(le32(r.mem, DATA + 12));
    expect(r.cpu.reg(2)).toBe(DATA + 16);
    expect(le32(r.mem, DATA + 16)).toBe(r.cpu.reg(0));
    expect(le32(r.mem, DATA + 20)).toBe(r.cpu.reg(1));
  });

  test('LDRD needs word alignment only; LDRD/LDM/STM misaligned raise an alignment fault (as qemu-arm)', () => {
    expect(arm([0xe1c200d0], (cpu) => cpu.setReg(2, DATA + 4)).exit).toBe(Exit.SVC);
    for (const insn of [0xe1c200d0 /* ldrd */, 0xe8920003 /* ldm r2 */, 0xe8820003 /* stm r2 */]) {
      const r = arm([insn], (cpu) => cpu.setReg(2, DATA + 2));
      expect(r.exit).toBe(Exit.ALIGN_FAULT);
      expect(r.cpu.pc).toBe(CODE);
      expect(r.cpu.u32[W.FAULT_ADDR]).toBe(DATA + 2);
    }
  });

  test('LDRD with odd Rt is UNDEFINED', () => {
    expect(arm([0xe1c210d0]).exit).toBe(Exit.UNDEF); // ldrd r1, r2, [r2]
  });
});

describe('load/store multiple', () => {
  const modes = [
    { name: 'DA', p: 0, u: 0 },
    { name: 'IA', p: 0, u: 1 },
    { name: 'DB', p: 1, u: 0 },
    { name: 'IB', p: 1, u: 1 },
  ];
  test('A32 LDM/STM in all four modes with and without write-back (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7fff }), fc.constantFrom(...modes), fc.boolean(), fc.boolean(), (list0, mode, wb, load) => {
        const rn = 13;
        const list = list0 & ~(1 << rn);
        fc.pre(list !== 0);
        const insn = (0xe8000000 | (mode.p << 24) | (mode.u << 23) | ((wb ? 1 : 0) << 21) | ((load ? 1 : 0) << 20) | (rn << 16) | list) >>> 0;
        const base = DATA + 0x100;
        const r = arm([insn], (cpu) => {
          for (let i = 0; i < 13; i++) cpu.setReg(i, 0x1000 + i);
          cpu.setReg(14, 0x100e);
          cpu.setReg(rn, base);
        });
        expect(r.exit).toBe(Exit.SVC);
        const n = [...Array(15).keys()].filter((i) => (list >>> i) & 1);
        const start = mode.u ? base + (mode.p ? 4 : 0) : base - 4 * n.length + (mode.p ? 0 : 4);
        n.forEach((reg, k) => {
          if (load) expect(r.cpu.reg(reg)).toBe(le32(r.mem, start + 4 * k));
          else expect(le32(r.mem, start + 4 * k)).toBe(0x1000 + reg);
        });
        expect(r.cpu.reg(rn)).toBe(wb ? base + (mode.u ? 4 : -4) * n.length : base);
      }),
      { numRuns: 150 },
    );
  });

  test('STM with the base lowest in the list stores its original value', () => {
    const r = arm([0xe8a10006], (cpu) => cpu.setReg(1, DATA)); // stmia r1!, {r1, r2}
    expect(le32(r.mem, DATA)).toBe(DATA);
    expect(r.cpu.reg(1)).toBe(DATA + 8);
  });

  test('LDM with the PC interworks', () => {
    const r = arm([0xe8918001], (cpu, mem) => {
      // ldm r1, {r0, pc}
      cpu.setReg(1, DATA);
      mem.dv.setUint32(DATA + 4, CODE + 0x201, true);
      mem.dv.setUint16(CODE + 0x200, T16_SVC, true);
    });
    expect(r.exit).toBe(Exit.SVC);
    expect(r.cpu.thumb).toBe(true);
    expect(r.cpu.reg(0)).toBe(le32(r.mem, DATA));
  });

  test('user-bank and exception-return forms are UNDEFINED at PL0', () => {
    expect(arm([0xe8c10003]).exit).toBe(Exit.UNDEF); // stmia r1, {r0, r1}^
    expect(arm([0xe8d18000]).exit).toBe(Exit.UNDEF); // ldmia r1, {pc}^
  });

  test('T16 PUSH/POP with LR and PC, LDM write-back rule', () => {
    const r = thumb([0xb510, 0xbc10, 0xbd00], (cpu, mem) => {
      // push {r4, lr}; pop {r4}; pop {pc}
      mem.dv.setUint16(CODE + 0x300, T16_SVC, true);
      cpu.setReg(13, DATA + 0x200);
      cpu.setReg(4, 0x44);
      cpu.setReg(14, CODE + 0x301);
    });
    expect(r.mem.dv.getUint32(DATA + 0x1f8, true)).toBe(0x44);
    expect(r.mem.dv.getUint32(DATA + 0x1fc, true)).toBe(CODE + 0x301);
    expect(r.cpu.reg(13)).toBe(DATA + 0x200);
    expect(r.exit).toBe(Exit.SVC);
    expect(r.cpu.pc).toBe(CODE + 0x302);
    const l = thumb([0xc905, 0xc902], (cpu) => cpu.setReg(1, DATA)); // ldmia r1!, {r0, r2}; ldmia r1, {r1}
    expect(l.cpu.reg(0)).toBe(le32(l.mem, DATA));
    expect(l.cpu.reg(2)).toBe(le32(l.mem, DATA + 4));
    expect(l.cpu.reg(1)).toBe(le32(l.mem, DATA + 8));
  });

  test('T32 STMDB SP! (PUSH.W) and LDMIA (POP.W)', () => {
    const r = thumb([...w32(0xe92d, 0x000f), ...w32(0xe8bd, 0x00f0)], (cpu) => {
      for (let i = 0; i < 8; i++) cpu.setReg(i, 0x100 + i);
      cpu.setReg(13, DATA + 0x100);
    });
    expect(r.exit).toBe(Exit.SVC);
    for (let i = 0; i < 4; i++) expect(le32(r.mem, DATA + 0xf0 + 4 * i)).toBe(0x100 + i);
    for (let i = 4; i < 8; i++) expect(r.cpu.reg(i)).toBe(0x100 + i - 4);
    expect(r.cpu.reg(13)).toBe(DATA + 0x100);
  });
});

describe('Thumb loads and stores', () => {
  test('T16 LDR literal uses Align(PC, 4)', () => {
    // at CODE+2: ldr r0, [pc, #4] -> Align(CODE+6, 4) + 4 = CODE+8
    const r = thumb([0xbf00, 0x4801, 0xbf00, 0xdf00, 0x5678, 0x1234]);
    expect(r.cpu.reg(0)).toBe(0x12345678);
  });

  test('T16 register, imm5 and SP-relative forms', () => {
    const r = thumb([0x5888 /* ldr r0, [r1, r2] */, 0x7a4b /* ldrb r3, [r1, #9] */, 0x88cc /* ldrh r4, [r1, #6] */, 0x9d02 /* ldr r5, [sp, #8] */, 0x568e /* ldrsb r6, [r1, r2] */], (cpu) => {
      cpu.setReg(1, DATA);
      cpu.setReg(2, 0x10);
      cpu.setReg(13, DATA + 0x20);
    });
    expect(r.cpu.reg(0)).toBe(le32(r.mem, DATA + 0x10));
    expect(r.cpu.reg(3)).toBe(r.mem.u8[DATA + 9]);
    expect(r.cpu.reg(4)).toBe(r.mem.dv.getUint16(DATA + 6, true));
    expect(r.cpu.reg(5)).toBe(le32(r.mem, DATA + 0x28));
    expect(r.cpu.reg(6)).toBe(((r.mem.u8[DATA + 0x10] << 24) >> 24) >>> 0);
  });

  test('T32 imm8 post/pre-index, LDRD, and PLD that never faults', () => {
    const r = thumb(
      [
        ...w32(0xf851, 0x0904), // ldr.w r0, [r1], #-4
        ...w32(0xf851, 0x2d04), // ldr r2, [r1, #-4]!
        ...w32(0xe9d1, 0x4502), // ldrd r4, r5, [r1, #8]
        ...w32(0xf893, 0xf004), // pld [r3, #4]  (r3 unmapped)
      ],
      (cpu) => {
        cpu.setReg(1, DATA + 0x40);
        cpu.setReg(3, 0x5000);
      },
    );
    expect(r.exit).toBe(Exit.SVC);
    expect(r.cpu.reg(0)).toBe(le32(r.mem, DATA + 0x40));
    expect(r.cpu.reg(2)).toBe(le32(r.mem, DATA + 0x38));
    expect(r.cpu.reg(1)).toBe(DATA + 0x38);
    expect(r.cpu.reg(4)).toBe(le32(r.mem, DATA + 0x40));
    expect(r.cpu.reg(5)).toBe(le32(r.mem, DATA + 0x44));
  });
});

describe('exclusives and SWP', () => {
  test('LDREX/STREX succeed once, then the monitor is open', () => {
    const r = arm([0xe1910f9f, 0xe1812f93, 0xe1814f93], (cpu) => {
      // ldrex r0,[r1]; strex r2,r3,[r1]; strex r4,r3,[r1]
      cpu.setReg(1, DATA);
      cpu.setReg(3, 0x600d);
    });
    expect(r.cpu.reg(2)).toBe(0);
    expect(r.cpu.reg(4)).toBe(1);
    expect(le32(r.mem, DATA)).toBe(0x600d);
    expect(r.cpu.i32[W.EXCL_ADDR]).toBe(-1);
  });

  test('STREX fails when memory changed since LDREX (compare-and-swap monitor)', () => {
    const r = arm([0xe1910f9f, 0xe5815000, 0xe1812f93], (cpu) => {
      // ldrex r0,[r1]; str r5,[r1]; strex r2,r3,[r1]
      cpu.setReg(1, DATA);
      cpu.setReg(3, 0x600d);
      cpu.setReg(5, 0xbad);
    });
    expect(r.cpu.reg(2)).toBe(1);
    expect(le32(r.mem, DATA)).toBe(0xbad);
  });

  test('STREXB after a word LDREX stores the byte but reports failure (qemu-arm)', () => {
    const r = arm([0xe1910f9f, 0xe1c12f93], (cpu, mem) => {
      cpu.setReg(1, DATA);
      cpu.setReg(3, 0x55);
      mem.dv.setUint32(DATA, 0x11223344, true);
    });
    expect(r.cpu.reg(2)).toBe(1);
    expect(le32(r.mem, DATA)).toBe(0x11223355);
  });

  test('T32 LDREX/STREX with offset; misaligned LDREX faults', () => {
    const r = thumb([...w32(0xe851, 0x0f02), ...w32(0xe841, 0x3202)], (cpu) => {
      cpu.setReg(1, DATA);
      cpu.setReg(3, 0x77);
    });
    expect(r.cpu.reg(0)).toBe(0x5049423b); // the pattern's bytes 8..11
    expect(r.cpu.reg(2)).toBe(0);
    expect(le32(r.mem, DATA + 8)).toBe(0x77);
    expect(arm([0xe1910f9f], (cpu) => cpu.setReg(1, DATA + 2)).exit).toBe(Exit.ALIGN_FAULT);
  });

  test('SWP exchanges a word', () => {
    const r = arm([0xe1010093], (cpu) => {
      cpu.setReg(1, DATA);
      cpu.setReg(3, 0xabcd);
    });
    expect(r.cpu.reg(0)).toBe(0x18110a03); // the pattern's bytes 0..3
    expect(le32(r.mem, DATA)).toBe(0xabcd);
  });
});

describe('rows', () => {
  test('every row of ours has a unique name and compiles', () => {
    for (const d of [A32, A32_UNCOND, T16, T32]) expect(new Set(d.rows.map((c) => c.row.name)).size).toBe(d.rows.length);
  });

  const GROUPS: [string, Row[], 16 | 32, boolean][] = [
    ['a32', [...a32ldst.ROWS, ...a32branch.ROWS, ...a32system.ROWS], 32, false],
    ['a32-uncond', a32uncond.ROWS, 32, false],
    ['t16', [...t16ldst.ROWS, ...t16branch.ROWS, ...t16system.ROWS], 16, true],
    ['t32', [...t32ldst.ROWS, ...t32branch.ROWS, ...t32system.ROWS], 32, true],
  ];
  /** Random encodings of a row: its fixed bits, random elsewhere. */
  const draws = (row: Row, width: 16 | 32, n: number, seed: number): number[] => {
    const c = compileRow(row, width, 0);
    return fc.sample(fc.integer({ min: 0, max: width === 16 ? 0xffff : 0x7fffffff }), { numRuns: n, seed }).map((r) => {
      const v = width === 32 ? ((r * 2) ^ (r >>> 7)) >>> 0 : r;
      return (((v & ~c.mask) | c.bits) >>> 0) & (width === 16 ? 0xffff : 0xffffffff);
    });
  };
  const decode = (insn: number, width: 16 | 32, thumb: boolean): DecodedInsn | null =>
    decodeAt(insn, thumb ? width / 8 : 4, thumb, 0);

  test.each(GROUPS)('%s: valid encodings of each row decode to that row', (_name, rows, width, thumb) => {
    for (const row of rows) {
      let hits = 0;
      for (const insn of draws(row, width, 300, row.name.length * 31 + width)) {
        if (!thumb && (insn >>> 28) === 15 && _name === 'a32') continue;
        const d = decode(insn, width, thumb);
        // Skip draws the row's `when`/`expand` reject (another row may take those).
        if (!d || d.row !== row) continue;
        if (row.valid && !row.valid(d.args)) continue;
        hits++;
      }
      expect([row.name, hits > 0]).toEqual([row.name, true]);
    }
  });

  test.each(GROUPS)('%s: lifting any encoding a row accepts never throws', (_name, rows, width, thumb) => {
    const code = new Map<number, number>();
    const src = { fetch16: (a: number) => code.get(a) ?? -1 };
    for (const row of rows) {
      for (const insn of draws(row, width, 100, 7 + row.name.length)) {
        const d = decode(insn, width, thumb);
        if (!d || d.row !== row) continue;
        code.clear();
        const at = 0x8000;
        if (width === 16) code.set(at, insn);
        else if (thumb) {
          code.set(at, insn >>> 16);
          code.set(at + 2, insn & 0xffff);
        } else {
          code.set(at, insn & 0xffff);
          code.set(at + 2, insn >>> 16);
        }
        const attempt = (f: () => unknown) => {
          try {
            f();
            return 'ok';
          } catch (e) {
            return `${(e as Error).message} (${(insn >>> 0).toString(16)})`;
          }
        };
        expect([row.name, attempt(() => liftBlock(src, at, thumb, 0))]).toEqual([row.name, 'ok']);
        expect([row.name, attempt(() => disassemble(insn, thumb ? width / 8 : 4, thumb, at))]).toEqual([row.name, 'ok']);
      }
    }
  });

  test('disassembly of some forms', () => {
    expect(disassemble(0xe5b10004, 4, false, 0)).toBe('ldr r0, [r1, #4]!');
    expect(disassemble(0xe4110004, 4, false, 0)).toBe('ldr r0, [r1], #-4');
    expect(disassemble(0xe92d4010, 4, false, 0)).toBe('push {r4, lr}');
    expect(disassemble(0xe1c200d0, 4, false, 0)).toBe('ldrd r0, r1, [r2]');
    expect(disassemble(0xe1812f93, 4, false, 0)).toBe('strex r2, r3, [r1]');
    expect(disassemble(0xb510, 2, true, 0)).toBe('push {r4, lr}');
  });
});
