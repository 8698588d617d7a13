// Branches, IT blocks and system/control instructions through the decoder, lifter and
// interpreter. Targets follow the ARM ARM (PC+8 / PC+4, Align(PC, 4) for BLX from Thumb);
// the PL0 coprocessor and PSR rules are those qemu-arm 7.2 -cpu cortex-a15 shows in linux-user.
import fc from 'fast-check';
import type { FlatMemory } from '../runtime/memory/flat.js';
import { ARM_SVC, CODE, DATA, T16_SVC, runSnippet, type Run } from './helpers/snippet.js';
import { CpuState, W } from '../translator/state.js';
import { Exit } from '../translator/ir.js';
import { disassemble } from '../translator/disasm.js';

/** Runs A32 words (an SVC appended) or Thumb halfwords from CODE until the first non-NEXT exit. */
function run(code: number[], thumb: boolean, init: (cpu: CpuState, mem: FlatMemory) => void = () => {}): Run {
  return runSnippet(code, thumb, init, { codeBytes: 0x3000, dataBytes: 0x1000, pattern: false });
}
const arm = (code: number[], init?: (cpu: CpuState, mem: FlatMemory) => void) => run(code, false, init);
const thumb = (code: number[], init?: (cpu: CpuState, mem: FlatMemory) => void) => run(code, true, init);
const putArmSvc = (at: number) => (_cpu: CpuState, mem: FlatMemory) => mem.dv.setUint32(at, ARM_SVC, true);
const putT16Svc = (at: number) => (_cpu: CpuState, mem: FlatMemory) => mem.dv.setUint16(at, T16_SVC, true);

describe('A32 branches', () => {
  test('B to any word offset lands at PC+8+imm (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2, max: 0x7f0 }), (words) => {
        fc.pre(words !== -1 && words !== -2); // would loop onto itself / the word before CODE
        const insn = (0xea000000 | (words & 0xffffff)) >>> 0;
        const target = CODE + 8 + 4 * words;
        const r = arm([insn], putArmSvc(target));
        expect(r.exit).toBe(Exit.SVC);
        expect(r.cpu.pc).toBe(target + 4);
      }),
      { numRuns: 60 },
    );
  });

  test('BL writes LR; BLX (immediate) switches to Thumb with H', () => {
    const bl = arm([0xeb00003e], putArmSvc(CODE + 0x100)); // bl .+0x100
    expect(bl.cpu.reg(14)).toBe(CODE + 4);
    expect(bl.cpu.pc).toBe(CODE + 0x104);
    const blx = arm([0xfb000002], putT16Svc(CODE + 0x12)); // blx .+0x12 (H=1)
    expect(blx.exit).toBe(Exit.SVC);
    expect(blx.cpu.thumb).toBe(true);
    expect(blx.cpu.reg(14)).toBe(CODE + 4);
    expect(blx.cpu.pc).toBe(CODE + 0x14);
  });

  test('BX / BLX (register) interwork on bit 0; a condition that fails falls through', () => {
    const bx = arm([0xe12fff11], (cpu, mem) => {
      cpu.setReg(1, CODE + 0x201);
      mem.dv.setUint16(CODE + 0x200, T16_SVC, true);
    });
    expect(bx.cpu.thumb).toBe(true);
    expect(bx.cpu.pc).toBe(CODE + 0x202);
    const blx = arm([0xe12fff31], (cpu, mem) => {
      cpu.setReg(1, CODE + 0x200);
      mem.dv.setUint32(CODE + 0x200, ARM_SVC, true);
    });
    expect(blx.cpu.thumb).toBe(false);
    expect(blx.cpu.reg(14)).toBe(CODE + 4);
    const ne = arm([0x112fff11], (cpu) => {
      cpu.i32[W.Z] = 1;
      cpu.setReg(1, CODE + 0x201);
    });
    expect(ne.cpu.thumb).toBe(false);
    expect(ne.cpu.pc).toBe(CODE + 8);
  });
});

describe('Thumb branches', () => {
  test('B<c> (T16) is taken exactly when the condition holds (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 15 }), (cond, nzcv) => {
        const r = thumb([0xd000 | (cond << 8) | 0x02], (cpu, mem) => {
          // b<cond> .+8  -> CODE+8
          cpu.apsr = nzcv << 28;
          mem.dv.setUint16(CODE + 8, T16_SVC, true);
        });
        const N = nzcv >> 3;
        const Z = (nzcv >> 2) & 1;
        const C = (nzcv >> 1) & 1;
        const V = nzcv & 1;
        const base = [Z, C, N, V, C && !Z, N === V, !Z && N === V][cond >> 1];
        const pass = cond & 1 ? !base : !!base;
        expect(r.cpu.pc).toBe(pass ? CODE + 10 : CODE + 4);
      }),
      { numRuns: 120 },
    );
  });

  test('CBZ / CBNZ', () => {
    const z = thumb([0xb110], (cpu, mem) => mem.dv.setUint16(CODE + 8, T16_SVC, true)); // cbz r0, .+8
    expect(z.cpu.pc).toBe(CODE + 10);
    const nz = thumb([0xb110], (cpu, mem) => {
      cpu.setReg(0, 1);
      mem.dv.setUint16(CODE + 8, T16_SVC, true);
    });
    expect(nz.cpu.pc).toBe(CODE + 4);
    const cbnz = thumb([0xb910], (cpu, mem) => {
      cpu.setReg(0, 1);
      mem.dv.setUint16(CODE + 8, T16_SVC, true);
    });
    expect(cbnz.cpu.pc).toBe(CODE + 10);
  });

  test('T32 B.W, BL and BLX (immediate, to Align(PC, 4) + imm)', () => {
    const b = thumb([0xf000, 0xb8fe], putT16Svc(CODE + 0x200)); // b.w .+0x200
    expect(b.cpu.pc).toBe(CODE + 0x202);
    const bl = thumb([0xbf00, 0xbf00, 0xbf00, 0xf000, 0xfffe], putT16Svc(CODE + 6 + 0x1000)); // at +6: bl .+0x1000
    expect(bl.cpu.reg(14)).toBe((CODE + 10) | 1);
    expect(bl.cpu.pc).toBe(CODE + 6 + 0x1002);
    // at +2: blx .+0x1002 -> Align(CODE+6, 4) + 0x1000 = CODE + 0x1004
    const blx = thumb([0xbf00, 0xf001, 0xe800], putArmSvc(CODE + 0x1004));
    expect(blx.exit).toBe(Exit.SVC);
    expect(blx.cpu.thumb).toBe(false);
    expect(blx.cpu.reg(14)).toBe((CODE + 6) | 1);
    expect(blx.cpu.pc).toBe(CODE + 0x1008);
  });

  test('TBB and TBH branch by twice the table entry', () => {
    const tbb = thumb([0xe8d1, 0xf002], (cpu, mem) => {
      // tbb [r1, r2]
      cpu.setReg(1, DATA);
      cpu.setReg(2, 3);
      mem.u8[DATA + 3] = 0x10;
      mem.dv.setUint16(CODE + 4 + 0x20, T16_SVC, true);
    });
    expect(tbb.cpu.pc).toBe(CODE + 4 + 0x22);
    const tbh = thumb([0xe8d1, 0xf012], (cpu, mem) => {
      // tbh [r1, r2, lsl #1]
      cpu.setReg(1, DATA);
      cpu.setReg(2, 2);
      mem.dv.setUint16(DATA + 4, 0x300, true);
      mem.dv.setUint16(CODE + 4 + 0x600, T16_SVC, true);
    });
    expect(tbh.cpu.pc).toBe(CODE + 4 + 0x602);
  });

  test('IT block: then/else slots execute under firstcond and its inverse', () => {
    // itte eq; ldr r1,[r0]; ldr r2,[r0]; ldr r3,[r0]  (r0 points at a word 0x1234)
    for (const z of [0, 1]) {
      const r = thumb([0xbf06, 0x6801, 0x6802, 0x6803], (cpu, mem) => {
        cpu.setReg(0, DATA);
        cpu.i32[W.Z] = z;
        mem.dv.setUint32(DATA, 0x1234, true);
      });
      expect(r.exit).toBe(Exit.SVC);
      expect([r.cpu.reg(1), r.cpu.reg(2), r.cpu.reg(3)]).toEqual(z ? [0x1234, 0x1234, 0] : [0, 0, 0x1234]);
      expect(r.cpu.i32[W.ITSTATE]).toBe(0);
    }
  });

  test('BX LR and BLX Rm (T16)', () => {
    const r = thumb([0x4798], (cpu, mem) => {
      // blx r3 -> ARM code
      cpu.setReg(3, CODE + 0x100);
      mem.dv.setUint32(CODE + 0x100, ARM_SVC, true);
    });
    expect(r.cpu.thumb).toBe(false);
    expect(r.cpu.reg(14)).toBe((CODE + 2) | 1);
  });
});

describe('system and control at PL0', () => {
  test('SVC exits after the instruction with its immediate; BKPT at it; UDF is UNDEFINED', () => {
    const svc = arm([0xef123456]);
    expect(svc.exit).toBe(Exit.SVC);
    expect(svc.cpu.u32[W.TRAP_IMM]).toBe(0x123456);
    expect(svc.cpu.pc).toBe(CODE + 4);
    const bkpt = arm([0xe1212374]);
    expect(bkpt.exit).toBe(Exit.BKPT);
    expect(bkpt.cpu.u32[W.TRAP_IMM]).toBe(0x1234);
    expect(bkpt.cpu.pc).toBe(CODE);
    expect(arm([0xe7f000f7]).exit).toBe(Exit.UNDEF);
    expect(thumb([0xde09]).exit).toBe(Exit.UNDEF);
    const t = thumb([0xdf05]);
    expect(t.cpu.u32[W.TRAP_IMM]).toBe(5);
    expect(t.cpu.pc).toBe(CODE + 2);
  });

  test('MRS reads NZCVQ, GE and user mode; MSR writes only the fields asked for', () => {
    const r = arm([0xe12cf001, 0xe10f0000, 0xe124f002, 0xe10f3000], (cpu) => {
      // msr APSR_nzcvqg, r1; mrs r0; msr APSR_g, r2; mrs r3
      cpu.setReg(1, 0xf80f01ff);
      cpu.setReg(2, 0x00050000);
    });
    expect(r.cpu.reg(0)).toBe(0xf80f0010);
    expect(r.cpu.reg(3)).toBe(0xf8050010);
    const t = thumb([0xf382, 0x8800, 0xf3ef, 0x8000], (cpu) => cpu.setReg(2, 0x40000000)); // msr APSR_nzcvq, r2; mrs r0
    expect(t.cpu.reg(0)).toBe(0x40000010); // no T bit in the value read (qemu-arm)
  });

  test('CP15 thread ID registers, barriers, and UNDEFINED system registers', () => {
    const r = arm([0xee1d0f70, 0xee0d1f50, 0xee1d2f50, 0xee070fba], (cpu) => {
      cpu.u32[W.TPIDRURO] = 0xabc000;
      cpu.setReg(1, 77);
    });
    expect(r.exit).toBe(Exit.SVC);
    expect(r.cpu.reg(0)).toBe(0xabc000);
    expect(r.cpu.reg(2)).toBe(77);
    expect(r.cpu.u32[W.TPIDRURW]).toBe(77);
    expect(arm([0xee0d0f70]).exit).toBe(Exit.UNDEF); // mcr TPIDRURO
    expect(arm([0xee100f10]).exit).toBe(Exit.UNDEF); // mrc MIDR
    expect(arm([0xee1e0f10]).exit).toBe(Exit.UNDEF); // mrc CNTFRQ
    const dbg = arm([0xee100e10, 0xec510e01], (cpu) => cpu.setReg(1, 5)); // DBGDIDR, DBGDRAR (64-bit)
    expect(dbg.cpu.reg(0)).toBe(0);
    expect(dbg.cpu.reg(1)).toBe(0);
    expect(arm([0xee100e10]).cpu.reg(0)).toBe(0x3515f021);
    const nz = arm([0xee1dff70], (cpu) => (cpu.u32[W.TPIDRURO] = 0x60000000)); // mrc ..., APSR_nzcv
    expect(nz.cpu.apsr >>> 28).toBe(6);
  });

  test('hints, barriers, CLREX, CPS and SETEND LE are no-ops; SRS and SETEND BE are not', () => {
    const r = arm([0xe320f003, 0xe320f001, 0xf57ff04f, 0xf57ff06f, 0xf1080080, 0xf1010000, 0xf57ff01f], (cpu) => {
      cpu.i32[W.EXCL_ADDR] = DATA;
    });
    expect(r.exit).toBe(Exit.SVC);
    expect(r.cpu.pc).toBe(CODE + 32);
    expect(r.cpu.i32[W.EXCL_ADDR]).toBe(-1);
    expect(arm([0xf8cd0510]).exit).toBe(Exit.UNDEF);
    expect(arm([0xf1010200]).exit).toBe(Exit.UNDEF);
  });

  test('disassembly', () => {
    expect(disassemble(0xea00003e, 4, false, 0)).toBe('b 0x100');
    expect(disassemble(0x4798, 2, true, 0)).toBe('blx r3');
    expect(disassemble(0xbf06, 2, true, 0)).toBe('itte eq');
    expect(disassemble(0xf57ff05b, 4, false, 0)).toBe('dmb ish');
    expect(disassemble(0xee1d0f70, 4, false, 0)).toBe('mrc p15, 0, r0, c13, c0, {3}');
  });
});
