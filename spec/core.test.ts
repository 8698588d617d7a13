// The decode engine, the IR builder and the interpreter's ops, independent of any table.
import fc from 'fast-check';
import { compileRow, extract, extractor, Decoder, type Row, type Sem } from '../translator/decode/pattern.js';
import { A32, A32_UNCOND, T16, T32 } from '../translator/decode/tables.js';
import { IRBuilder, Op, Exit } from '../translator/ir.js';
import { Interpreter, umulh, MemFault, type GuestMemory } from '../translator/interp.js';
import { CpuState, W } from '../translator/state.js';
import { itAdvance } from '../translator/lift/block.js';

const nop: Sem = { name: 'NOP', lift: () => {}, dis: () => 'nop' };

describe('decode patterns', () => {
  test('fixed bits, fields and concatenation', () => {
    const c = compileRow({ name: 'MOVW', enc: 'cond:4 0011 0000 imm:4 rd:4 imm:12', sem: nop }, 32, 0);
    expect(c.mask >>> 0).toBe(0x0ff00000);
    expect(c.bits >>> 0).toBe(0x03000000);
    const a = extract(c, 0xe3014abc);
    expect(a).toEqual({ cond: 0xe, imm: 0x1abc, rd: 4 });
  });

  test('signed fields sign-extend', () => {
    const c = compileRow({ name: 'B', enc: 'cond:4 1010 imm:s24', sem: nop }, 32, 0);
    expect(extract(c, 0xeafffffe).imm).toBe(-2);
    expect(extract(c, 0xea000010).imm).toBe(16);
  });

  test('rejects a pattern of the wrong width', () => {
    expect(() => compileRow({ name: 'X', enc: '0101 rd:3', sem: nop }, 16, 0)).toThrow(/7 bits/);
  });

  test('extract inverts field placement (property)', () => {
    const c = compileRow({ name: 'R', enc: 'a:4 1 b:3 c:s8 .... a:4 d:8', sem: nop }, 32, 0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: -128, max: 127 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 15 }), (a, b, cc, d, junk) => {
        const insn = (((a >>> 4) << 28) | (1 << 27) | (b << 24) | ((cc & 0xff) << 16) | (junk << 12) | ((a & 15) << 8) | d) >>> 0;
        expect(extract(c, insn)).toEqual({ a, b, c: cc, d });
      }),
    );
  });

  test("a row's compiled extractor gives what extract() and its `set` give, for every row of every table (property)", () => {
    const rows = [A32, A32_UNCOND, T16, T32].flatMap((d) => d.rows);
    expect(rows.length).toBeGreaterThan(500);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: rows.length - 1 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (r, word) => {
        const c = rows[r];
        // An instruction word of the row: its fixed bits, the rest from `word`.
        const insn = ((word & ~c.mask) | c.bits) >>> 0;
        expect(extractor(c)(insn | 0)).toEqual({ ...extract(c, insn), ...c.row.set });
      }),
      { numRuns: 5000 },
    );
  });

  test('first match wins, `when` and `expand` can reject', () => {
    const rows: Row[] = [
      { name: 'SPECIFIC', enc: '1111 x:12', sem: nop, when: (a) => a.x !== 0 },
      { name: 'EXPANDED', enc: '1111 x:12', sem: nop, expand: (a, env) => (env.inIT ? false : undefined) },
      { name: 'GENERAL', enc: '.... x:12', sem: nop },
    ];
    const d = new Decoder('t', rows, 16, 0xf000);
    const env = { inIT: false, lastInIT: true };
    expect(d.decode(0xf001, env)!.row.name).toBe('SPECIFIC');
    expect(d.decode(0xf000, env)!.row.name).toBe('EXPANDED');
    expect(d.decode(0xf000, { inIT: true, lastInIT: false })!.row.name).toBe('GENERAL');
    expect(d.decode(0x1000, env)!.row.name).toBe('GENERAL');
  });

  test('bucketed lookup equals a linear scan (property)', () => {
    const rows: Row[] = [];
    const rnd = fc.sample(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })), { numRuns: 40, seed: 7 });
    rnd.forEach(([m, b], i) => {
      let enc = '';
      for (let bit = 15; bit >= 0; bit--) enc += (m >>> bit) & 1 ? String((b >>> bit) & 1) : '.';
      rows.push({ name: `R${i}`, enc, sem: nop });
    });
    const d = new Decoder('p', rows, 16, 0xffc0);
    const compiled = rows.map((r, i) => compileRow(r, 16, i));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (insn) => {
        const lin = compiled.find((c) => (insn & c.mask) === c.bits);
        expect(d.decode(insn, { inIT: false, lastInIT: true })?.row.name).toBe(lin?.row.name);
      }),
    );
  });
});

/** Guest memory over a small array, for interpreter tests. */
class SmallMem implements GuestMemory {
  readonly dv = new DataView(new ArrayBuffer(256));
  load(addr: number, flags: number): number {
    if (addr >= 256) throw new MemFault(addr, 'unmapped', false);
    const size = flags & 7;
    const signed = (flags & 8) !== 0;
    if (size === 4) return this.dv.getInt32(addr, true);
    if (size === 2) return signed ? this.dv.getInt16(addr, true) : this.dv.getUint16(addr, true);
    return signed ? this.dv.getInt8(addr) : this.dv.getUint8(addr);
  }
  store(addr: number, v: number, flags: number): void {
    if (addr >= 256) throw new MemFault(addr, 'unmapped', true);
    const size = flags & 7;
    if (size === 4) this.dv.setInt32(addr, v, true);
    else if (size === 2) this.dv.setUint16(addr, v, true);
    else this.dv.setUint8(addr, v);
  }
}

function runOps(build: (b: IRBuilder) => void): { cpu: CpuState; exit: number; mem: SmallMem } {
  const cpu = new CpuState(new ArrayBuffer(2048), 0);
  const mem = new SmallMem();
  const b = new IRBuilder();
  b.insn(0x1000, 4);
  build(b);
  const blk = b.finish(0x1000, false, 0, 1, 0x1004);
  const exit = new Interpreter(cpu, mem).run(blk);
  return { cpu, exit, mem };
}

describe('interpreter ops', () => {
  const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });

  test('arithmetic and shifts agree with a BigInt model (property)', () => {
    fc.assert(
      fc.property(i32, i32, (x, y) => {
        const { cpu } = runOps((b) => {
          const a = b.const(x);
          const c = b.const(y);
          b.set(0, b.bin(Op.MULHU, a, c));
          b.set(1, b.bin(Op.MULHS, a, c));
          b.set(2, b.bin(Op.ROR, a, c));
          b.set(3, b.bin(Op.UDIV, a, c));
          b.set(4, b.bin(Op.SDIV, a, c));
          b.set(5, b.bin(Op.LTU, a, c));
          b.set(6, b.un(Op.BSWAP, a));
          b.exit(Exit.NEXT);
        });
        const ux = BigInt(x >>> 0);
        const uy = BigInt(y >>> 0);
        expect(cpu.u32[0]).toBe(Number((ux * uy) >> 32n));
        expect(cpu.i32[1]).toBe(Number(BigInt.asIntN(32, (BigInt(x) * BigInt(y)) >> 32n)));
        const n = y & 31;
        expect(cpu.u32[2]).toBe(n === 0 ? x >>> 0 : ((x >>> n) | (x << (32 - n))) >>> 0);
        expect(cpu.u32[3]).toBe(y === 0 ? 0 : Number(ux / uy));
        expect(cpu.i32[4]).toBe(y === 0 ? 0 : Number(BigInt.asIntN(32, BigInt(x) / BigInt(y))));
        expect(cpu.i32[5]).toBe(x >>> 0 < y >>> 0 ? 1 : 0);
        expect(cpu.u32[6]).toBe(Buffer.from(Uint32Array.of(x >>> 0).buffer).readUInt32BE(0));
      }),
    );
    expect(umulh(-1, -1)).toBe(-2);
  });

  test('IF skips to its ENDIF; nested regions', () => {
    const { cpu } = runOps((b) => {
      b.set(0, b.const(1));
      b.if(b.const(0));
      b.set(0, b.const(2));
      b.if(b.const(1));
      b.set(0, b.const(3));
      b.endif();
      b.endif();
      b.if(b.const(1));
      b.set(1, b.const(4));
      b.endif();
      b.exit(Exit.NEXT);
    });
    expect(cpu.i32[0]).toBe(1);
    expect(cpu.i32[1]).toBe(4);
  });

  test('a memory fault is precise', () => {
    const { cpu, exit } = runOps((b) => {
      b.set(0, b.const(7));
      b.insn(0x1004, 4);
      b.set(1, b.load(b.const(0x400), 4));
      b.exit(Exit.NEXT);
    });
    expect(exit).toBe(Exit.DATA_ABORT);
    expect(cpu.u32[W.PC]).toBe(0x1004);
    expect(cpu.u32[W.FAULT_ADDR]).toBe(0x400);
    expect(cpu.i32[0]).toBe(7);
    expect(cpu.icount).toBe(1);
  });

  test('loads and stores of each size', () => {
    const { cpu } = runOps((b) => {
      b.store(b.const(8), b.const(0x89abcdef), 4);
      b.set(0, b.load(b.const(8), 1 | 8));
      b.set(1, b.load(b.const(9), 2));
      b.set(2, b.load(b.const(10), 2 | 8));
      b.exit(Exit.NEXT);
    });
    expect(cpu.i32[0]).toBe(-17);
    expect(cpu.u32[1]).toBe(0xabcd);
    expect(cpu.i32[2]).toBe(0x89ab - 0x10000);
  });
});

describe('IT state', () => {
  test('ITAdvance: the mask\'s lowest set bit gives the block length (ARM ARM A2.5.2)', () => {
    const length = (it: number) => {
      let n = 0;
      while (it & 0xf) {
        n++;
        it = itAdvance(it);
      }
      return n;
    };
    expect(length(0x08)).toBe(1); // IT EQ
    expect(length(0x04)).toBe(2); // ITT EQ
    expect(length(0x0a)).toBe(3); // ITET EQ
    expect(length(0x05)).toBe(4);
  });

  test('ITAdvance shifts the next condition bit in', () => {
    // ITE EQ: firstcond=0000, mask=1100: second instruction runs under NE (0001).
    const next = itAdvance(0x0c);
    expect(next >>> 4).toBe(0x1);
    expect(itAdvance(next)).toBe(0);
  });
});
