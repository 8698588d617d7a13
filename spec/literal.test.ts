// Literal-pool loads folded at lift time (LiftCtx.literal, CodeSource.literal): a load from a
// constant address on the instruction's own page becomes a constant when the code source says
// every write to that page drops the block (Linux user mode's FlatMemory), and stays a LOAD
// everywhere else. spec/guests/smc.c checks the same against qemu-arm on running code.
import { FlatMemory, Perm } from '../runtime/memory/flat.js';
import { Op, type IRBlock } from '../translator/ir.js';
import { liftBlock, type CodeSource } from '../translator/lift/block.js';
import { Interpreter } from '../translator/interp.js';
import { CpuState, W } from '../translator/state.js';
import { STATE_BASE } from '../runtime/memory/flat.js';

const BASE = 0x10000;

function memWith(words: number[], at = BASE, perm: number = Perm.R | Perm.X): FlatMemory {
  const mem = new FlatMemory();
  mem.protect(BASE, 0x2000, perm);
  words.forEach((w, i) => mem.dv.setUint32(at + 4 * i, w >>> 0, true));
  return mem;
}

const ops = (b: IRBlock, op: number) => b.ops.filter((o) => o.op === op);
const consts = (b: IRBlock) => ops(b, Op.CONST).map((o) => o.imm >>> 0);

describe('literal loads at lift time', () => {
  test('LDR r0, [pc, #4] on a readable code page becomes the word', () => {
    const mem = memWith([0xe59f0004, 0xe12fff1e, 0xe1a00000, 0xcafef00d]); // ldr; bx lr; nop; .word
    const b = liftBlock(mem, BASE, false, 0);
    expect(ops(b, Op.LOAD)).toHaveLength(0);
    expect(consts(b)).toContain(0xcafef00d);
  });

  test('LDRSB, LDRH and LDRD literals take the value with their extension', () => {
    // ldrsb r0, [pc, #8]; ldrh r1, [pc, #6]; ldrd r2, r3, [pc, #0]; bx lr; .word 0x1234_80ff, 0x55
    const mem = memWith([0xe1df00d8, 0xe1df10b6, 0xe1cf20d0, 0xe12fff1e, 0x123480ff, 0x55]);
    const b = liftBlock(mem, BASE, false, 0);
    expect(ops(b, Op.LOAD)).toHaveLength(0);
    expect(consts(b)).toEqual(expect.arrayContaining([0xffffffff, 0x1234, 0x123480ff, 0x55]));
  });

  test('Thumb LDR literal and VLDR literal fold too', () => {
    const mem = memWith([0x47704801, 0xbf00bf00, 0x89abcdef]); // ldr r0, [pc, #4]; bx lr; nops; .word
    expect(ops(liftBlock(mem, BASE, true, 0), Op.LOAD)).toHaveLength(0);
    const v = memWith([0xed9f0b00, 0xe12fff1e, 0x11111111, 0x22222222]); // vldr d0, [pc]; bx lr; .double
    const b = liftBlock(v, BASE, false, 0);
    expect(ops(b, Op.LOAD)).toHaveLength(0);
    expect(consts(b)).toEqual(expect.arrayContaining([0x11111111, 0x22222222]));
  });

  test('a literal on the next page, an unreadable page, or after a store stays a load', () => {
    // ldr r0, [pc] 8 bytes before the page's end: [pc] is the first word of the next page
    const far = memWith([0xe59f0000, 0xe12fff1e], BASE + 0x1000 - 8);
    expect(ops(liftBlock(far, BASE + 0x1000 - 8, false, 0), Op.LOAD)).toHaveLength(1);
    const xo = memWith([0xe59f0004, 0xe12fff1e, 0xe1a00000, 7], BASE, Perm.X);
    expect(ops(liftBlock(xo, BASE, false, 0), Op.LOAD)).toHaveLength(1);
    const st = memWith([0xe58f0008, 0xe59f0004, 0xe12fff1e, 0xe1a00000, 7]); // str r0, [pc, #8]; ldr r0, [pc, #4]
    expect(ops(liftBlock(st, BASE, false, 0), Op.LOAD)).toHaveLength(1);
  });

  test('a code source without literal() (system mode) keeps every load', () => {
    const mem = memWith([0xe59f0004, 0xe12fff1e, 0xe1a00000, 0xcafef00d]);
    const src: CodeSource = { fetch16: (a) => mem.fetch16(a) };
    expect(ops(liftBlock(src, BASE, false, 0), Op.LOAD)).toHaveLength(1);
  });
});

// IRBuilder.get: a register or flag a SET of a constant wrote earlier in the block reads as
// that constant (so MOVW/MOVT folds to one), except past the end of the IF body that wrote it.
describe('constants forwarded from SET to GET at lift time', () => {
  const gets = (b: IRBlock, w: number) => ops(b, Op.GET).filter((o) => o.imm === w).length;
  function run(words: number[], init: (c: CpuState) => void): CpuState {
    const mem = memWith(words);
    const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
    init(cpu);
    new Interpreter(cpu, mem).run(liftBlock(mem, BASE, false, 0));
    return cpu;
  }

  test('MOVW then MOVT: no GET of the register, the value as before', () => {
    const words = [0xe3010234, 0xe3450678, 0xe12fff1e]; // movw r0, #0x1234; movt r0, #0x5678; bx lr
    expect(gets(liftBlock(memWith(words), BASE, false, 0), W.R0)).toBe(0);
    expect(run(words, () => {}).u32[W.R0]).toBe(0x56781234);
  });

  test('a conditional MOVW is not forwarded past its condition', () => {
    const words = [0x03010234, 0xe3450678, 0xe12fff1e]; // movweq r0, #0x1234; movt r0, #0x5678; bx lr
    expect(gets(liftBlock(memWith(words), BASE, false, 0), W.R0)).toBe(1);
    const set = (z: number) => (c: CpuState) => {
      c.u32[W.R0] = 0xaaaabbbb;
      c.u32[W.Z] = z;
    };
    expect(run(words, set(1)).u32[W.R0]).toBe(0x56781234);
    expect(run(words, set(0)).u32[W.R0]).toBe(0x5678bbbb);
  });
});
