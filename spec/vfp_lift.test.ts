// VFP through the Thumb decoder, lifter and interpreter (no QEMU needed), the disassembler
// text, and the fast binary64/binary32 paths checked against the exact BigInt soft-float.
import fc from 'fast-check';
import { FlatMemory, Perm, STATE_BASE } from '../runtime/memory/flat.js';
import { Engine } from '../runtime/exec.js';
import { Exit } from '../translator/ir.js';
import { CpuState, W, wD, wS } from '../translator/state.js';
import { disassemble } from '../translator/disasm.js';
import { arith32, arith64, R64, sqrt64, toBig64, OP_ADD, OP_DIV, OP_MUL, OP_SUB } from '../translator/vfp/ops.js';
import * as sf from '../translator/vfp/softfloat.js';
import { F32, F64, FPEnv } from '../translator/vfp/softfloat.js';

const CODE = 0x10000;
const STACK = 0x20000;

function thumbMachine(hws: number[]) {
  const mem = new FlatMemory();
  const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
  mem.protect(CODE, 4096, Perm.R | Perm.X);
  mem.protect(STACK - 4096, 4096, Perm.R | Perm.W);
  hws.forEach((h, i) => mem.dv.setUint16(CODE + 2 * i, h, true));
  cpu.pc = CODE;
  cpu.i32[W.T] = 1;
  cpu.setReg(13, STACK);
  return { mem, cpu, engine: new Engine(cpu, mem) };
}

const UDF16 = 0xde00;

describe('VFP in Thumb state', () => {
  test('VPUSH then VPOP moves D registers through the stack and updates SP', () => {
    // vpush {d8-d9}; vpop {d10-d11}; udf
    const { cpu, engine, mem } = thumbMachine([0xed2d, 0x8b04, 0xecbd, 0xab04, UDF16]);
    const s = cpu.i32;
    [0x11111111, 0x22222222, 0x33333333, 0x44444444].forEach((v, i) => (s[wD(8) + i] = v));
    expect(engine.run()).toBe(Exit.UNDEF);
    expect(cpu.pc).toBe(CODE + 8);
    expect(cpu.reg(13)).toBe(STACK);
    expect([0, 1, 2, 3].map((i) => s[wD(10) + i] >>> 0)).toEqual([0x11111111, 0x22222222, 0x33333333, 0x44444444]);
    expect(mem.dv.getUint32(STACK - 16, true)).toBe(0x11111111); // low word of d8 at the lowest address
    expect(mem.dv.getUint32(STACK - 4, true)).toBe(0x44444444);
  });

  test('VLDR literal uses Align(PC, 4) in Thumb', () => {
    // at CODE+2: vldr d0, [pc, #8] -> Align(CODE+6, 4) + 8 = CODE + 12
    const { cpu, engine, mem } = thumbMachine([0xbf00, 0xed9f, 0x0b02, UDF16, 0, 0, 0x5678, 0x1234, 0xdef0, 0x9abc]);
    mem.dv.setUint32(CODE + 12, 0x89abcdef, true);
    mem.dv.setUint32(CODE + 16, 0x01234567, true);
    expect(engine.run()).toBe(Exit.UNDEF);
    expect(cpu.pc).toBe(CODE + 6);
    expect([cpu.i32[wD(0)] >>> 0, cpu.i32[wD(0) + 1] >>> 0]).toEqual([0x89abcdef, 0x01234567]);
  });

  test('FPSCR.LEN != 0 makes VADD UNDEFINED but not VCMP (QEMU, Cortex-A15)', () => {
    // vadd.f32 s0, s1, s2; udf   /  vcmp.f32 s0, #0; vmrs APSR_nzcv, fpscr; udf
    const a = thumbMachine([0xee30, 0x0a81, UDF16]);
    a.cpu.i32[W.FPSCR] = 0x00010000;
    a.cpu.s[1] = 1;
    a.cpu.s[2] = 2;
    expect(a.engine.run()).toBe(Exit.UNDEF);
    expect(a.cpu.pc).toBe(CODE);
    expect(a.cpu.s[0]).toBe(0);
    a.cpu.i32[W.FPSCR] = 0;
    expect(a.engine.run()).toBe(Exit.UNDEF);
    expect(a.cpu.pc).toBe(CODE + 4);
    expect(a.cpu.s[0]).toBe(3);

    const b = thumbMachine([0xeeb5, 0x0a40, 0xeef1, 0xfa10, UDF16]);
    b.cpu.i32[W.FPSCR] = 0x00300000;
    b.cpu.s[0] = -1.5;
    expect(b.engine.run()).toBe(Exit.UNDEF);
    expect(b.cpu.pc).toBe(CODE + 8);
    expect([b.cpu.i32[W.N], b.cpu.i32[W.Z], b.cpu.i32[W.C], b.cpu.i32[W.V]]).toEqual([1, 0, 0, 0]);
    expect(b.cpu.i32[W.FPSCR] >>> 0).toBe(0x80300000);
  });

  test('VMSR keeps only the FPSCR bits QEMU implements; VMRS of FPSID is UNDEFINED in user mode', () => {
    // vmsr fpscr, r0 ; vmrs r1, fpscr ; vmrs r2, fpsid
    const { cpu, engine } = thumbMachine([0xeee1, 0x0a10, 0xeef1, 0x1a10, 0xeef0, 0x2a10]);
    cpu.setReg(0, 0xffffffff);
    expect(engine.run()).toBe(Exit.UNDEF);
    expect(cpu.pc).toBe(CODE + 8);
    expect(cpu.reg(1)).toBe(0xfff7009f);
  });
});

describe('VFP disassembly', () => {
  test.each([
    [0xee300a81, 'vadd.f32 s0, s1, s2'],
    [0x1e300a81, 'vaddne.f32 s0, s1, s2'],
    [0xeeb70ac0, 'vcvt.f64.f32 d0, s0'],
    [0xecb00b07, 'fldmiax r0!, {d0-d2}'],
    [0xed2d8b04, 'vpush {d8-d9}'],
    [0xeef1fa10, 'vmrs APSR_nzcv, fpscr'],
    [0xeebe0ac8, 'vcvt.s32.f32 s0, s0, #16'],
    [0xee212b10, 'vmov.32 d1[1], r2'],
    [0xeeb70a00, 'vmov.f32 s0, #1'],
  ].map(([w, t]) => [(w as number).toString(16), t]))('%s', (insn, text) => {
    expect(disassemble(parseInt(insn as string, 16) >>> 0, 4, false, 0)).toContain(text);
  });
});

// ---- fast paths against the exact path ---------------------------------------------------

const f64 = new Float64Array(1);
const u64 = new Uint32Array(f64.buffer);
const words = (x: number): [number, number] => {
  f64[0] = x;
  return [u64[1] | 0, u64[0] | 0];
};
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bits32 = (x: number) => {
  f32[0] = x;
  return u32[0] | 0;
};

describe('fast paths agree with the exact soft-float', () => {
  const doubles = fc.oneof(
    fc.double({ noNaN: true }),
    fc.double({ min: 0.5, max: 2, noNaN: true }),
    fc.integer({ min: -1000, max: 1000 }).map((e) => 2 ** e * (1 + Math.random())),
  );
  const OPS = [OP_ADD, OP_SUB, OP_MUL, OP_DIV];

  test('binary64 + - * / sqrt: bits and flags', () => {
    const e1 = new FPEnv();
    const e2 = new FPEnv();
    fc.assert(
      fc.property(doubles, doubles, fc.constantFrom(...OPS), fc.integer({ min: 0, max: 1 }), (x, y, op, fz) => {
        const fpscr = fz << 24;
        const [xh, xl] = words(x);
        const [yh, yl] = words(y);
        e1.load(fpscr);
        arith64(op, xh, xl, yh, yl, e1);
        const fast = toBig64(R64.hi, R64.lo);
        e2.load(fpscr);
        const X = toBig64(xh, xl);
        const Y = toBig64(yh, yl);
        const exact = op <= OP_SUB ? sf.add(X, Y, F64, e2, op === OP_SUB) : op === OP_MUL ? sf.mul(X, Y, F64, e2) : sf.div(X, Y, F64, e2);
        expect([fast.toString(16), e1.flags]).toEqual([exact.toString(16), e2.flags]);
        e1.load(fpscr);
        sqrt64(xh, xl, e1);
        e2.load(fpscr);
        expect([toBig64(R64.hi, R64.lo).toString(16), e1.flags]).toEqual([sf.sqrt(X, F64, e2).toString(16), e2.flags]);
      }),
      { numRuns: 3000 },
    );
  });

  test('binary32 + - * /: bits and flags', () => {
    const e1 = new FPEnv();
    const e2 = new FPEnv();
    const floats = fc.float({ noNaN: true }).map(Math.fround);
    fc.assert(
      fc.property(floats, floats, fc.constantFrom(...OPS), (x, y, op) => {
        const a = bits32(x);
        const b = bits32(y);
        e1.load(0);
        const fast = arith32(op, a, b, e1) >>> 0;
        e2.load(0);
        const A = BigInt(a >>> 0);
        const B = BigInt(b >>> 0);
        const exact = op <= OP_SUB ? sf.add(A, B, F32, e2, op === OP_SUB) : op === OP_MUL ? sf.mul(A, B, F32, e2) : sf.div(A, B, F32, e2);
        expect([fast, e1.flags]).toEqual([Number(exact), e2.flags]);
      }),
      { numRuns: 3000 },
    );
  });

  test('exact results agree with the host in round-to-nearest (sanity of the soft-float)', () => {
    const e = new FPEnv();
    fc.assert(
      fc.property(doubles, doubles, (x, y) => {
        const X = toBig64(...words(x));
        const Y = toBig64(...words(y));
        e.load(0);
        const r = sf.mul(X, Y, F64, e);
        if (Number.isNaN(x * y)) return;
        f64[0] = x * y;
        expect(r).toBe(toBig64(u64[1], u64[0]));
      }),
      { numRuns: 2000 },
    );
  });
});

void wS;
