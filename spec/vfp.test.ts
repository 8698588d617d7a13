// VFP arithmetic bit-exact against qemu-arm -cpu cortex-a15: every operation runs over a grid
// of special values (zeros, denormals, min/max normal, infinities, quiet and signaling NaNs
// with payloads, integers at the conversion limits) and random values, under random FPSCR
// modes (RMode, FZ, DN, AHP, preset flags). A generated harness executes each instruction
// under QEMU and prints the result register and FPSCR; the same encoding runs through our
// decoder, lifter, interpreter and helpers. Every bit of D2 and FPSCR must agree.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlatMemory, Perm, STATE_BASE } from '../runtime/memory/flat.js';
import { Engine } from '../runtime/exec.js';
import { Exit } from '../translator/ir.js';
import { CpuState, W, wD } from '../translator/state.js';
import { decodeArm, decodeThumb } from '../translator/decode/tables.js';
import { seeded } from './helpers/seeded.js';

type Tag = 'f32' | 'f64' | 'f16' | 'int' | '-';
interface OpSpec {
  asm: string;
  a: Tag;
  b: Tag;
  c: Tag;
}

// Operands: A in d0 (s0), B in d1 (s2), C in d2 (s4); the result is d2 and FPSCR.
function opList(): OpSpec[] {
  const ops: OpSpec[] = [];
  const o = (asm: string, a: Tag, b: Tag = '-', c: Tag = '-') => ops.push({ asm, a, b, c });
  for (const [t, R, A, B, C] of [
    ['f32', 's', 's0', 's2', 's4'],
    ['f64', 'd', 'd0', 'd1', 'd2'],
  ] as const) {
    void R;
    for (const m of ['vadd', 'vsub', 'vmul', 'vdiv', 'vnmul']) o(`${m}.${t} ${C}, ${A}, ${B}`, t, t);
    for (const m of ['vmla', 'vmls', 'vnmla', 'vnmls', 'vfma', 'vfms', 'vfnma', 'vfnms']) o(`${m}.${t} ${C}, ${A}, ${B}`, t, t, t);
    for (const m of ['vsqrt', 'vabs', 'vneg', 'vmov']) o(`${m}.${t} ${C}, ${A}`, t);
    o(`vcmp.${t} ${A}, ${B}`, t, t);
    o(`vcmpe.${t} ${A}, ${B}`, t, t);
    o(`vcmp.${t} ${A}, #0`, t);
    o(`vcmpe.${t} ${A}, #0`, t);
    for (const s of ['s32', 'u32']) {
      o(`vcvt.${s}.${t} s4, ${A}`, t);
      o(`vcvtr.${s}.${t} s4, ${A}`, t);
      o(`vcvt.${t}.${s} ${C}, s0`, 'int');
    }
    for (const [fx, fb] of [
      ['s32', 1],
      ['s32', 16],
      ['s32', 32],
      ['u32', 32],
      ['u32', 7],
      ['s16', 1],
      ['s16', 16],
      ['u16', 8],
      ['u16', 16],
    ] as const) {
      o(`vcvt.${fx}.${t} ${C}, ${C}, #${fb}`, '-', '-', t);
      o(`vcvt.${t}.${fx} ${C}, ${C}, #${fb}`, '-', '-', 'int');
    }
  }
  o('vcvt.f64.f32 d2, s0', 'f32');
  o('vcvt.f32.f64 s4, d0', 'f64');
  o('vcvtb.f32.f16 s4, s0', 'f16');
  o('vcvtt.f32.f16 s4, s0', 'f16');
  o('vcvtb.f16.f32 s4, s0', 'f32');
  o('vcvtt.f16.f32 s4, s0', 'f32');
  return ops;
}

// ---- values -----------------------------------------------------------------------------------

const SEED = Number(process.env.VFP_SEED ?? 0x5eed1234);
const rand = seeded(SEED);
const ri = (n: number) => Math.floor(rand() * n);
const r32 = () => (ri(0x10000) * 0x10000 + ri(0x10000)) >>> 0;

const F32_SPECIAL = [
  0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00400000, 0x00800000, 0x80800000, 0x00800001, 0x7f7fffff, 0xff7fffff,
  0x7f000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7fd23456, 0x7f800001, 0xff812345, 0x7fbfffff, 0x3f800000, 0xbf800000, 0x40000000,
  0x3fc00000, 0x3f800001, 0x3f7fffff, 0x33800000, 0x4b000000, 0x4b000001, 0x4effffff, 0x4f000000, 0xcf000000, 0xcf000001, 0x4f800000, 0x0d800000,
  0x3eaaaaab, 0x40490fdb, 0x3f000000, 0xbf000000, 0x3fc00001, 0x477fe000, 0x477ff000, 0x38800000, 0x387fc000, 0x33000000, 0x46fffe00, 0x47000000,
];
const F64_SPECIAL: [number, number][] = [
  [0, 0], [0x80000000, 0], [0, 1], [0x80000000, 1], [0x000fffff, 0xffffffff], [0x00080000, 0], [0x00100000, 0], [0x80100000, 0], [0x00100000, 1],
  [0x7fefffff, 0xffffffff], [0xffefffff, 0xffffffff], [0x7fe00000, 0], [0x7ff00000, 0], [0xfff00000, 0], [0x7ff80000, 0], [0xfff80000, 0x00000001],
  [0x7ff91234, 0x56789abc], [0x7ff00000, 1], [0xfff71234, 0x5678], [0x3ff00000, 0], [0xbff00000, 0], [0x40000000, 0], [0x3ff80000, 0],
  [0x3ff00000, 1], [0x3fefffff, 0xffffffff], [0x3ca00000, 0], [0x43300000, 0], [0x41dfffff, 0xffc00000], [0x41dfffff, 0xffe00000], [0x41e00000, 0],
  [0xc1e00000, 0], [0xc1e00000, 0x00100000], [0x41efffff, 0xffe00000], [0x41f00000, 0], [0x3fd55555, 0x55555555], [0x400921fb, 0x54442d18],
  [0x3fe00000, 0], [0xbfe00000, 0], [0x47efffff, 0xe0000000], [0x47efffff, 0xf0000000], [0x36a00000, 0], [0x38100000, 0], [0x380fffff, 0xf0000000],
  [0x36900000, 0], [0x3fe00000, 1], [0x40dfffc0, 0], [0x40e00000, 0],
];
const F16_SPECIAL = [0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0xfe01, 0x7c01, 0x7d55, 0x3c00, 0xbc00, 0x3555, 0x7fff, 0xffff];
const INT_SPECIAL = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x80000001, 0xffff, 0x8000, 0x7fff, 0xffff8000, 0x12345678, 0x00ffffff, 0x01000001, 0xfedcba98, 0x0000ffff, 0x10000];

function randF32(): number {
  const e = [0, 0, 1, 2, 0x7e, 0x7f, 0x80, 0x96, 0x9e, 0x9f, 0xfd, 0xfe, 0xff, ri(256), ri(256), ri(256)][ri(16)];
  const m = [0, 1, 0x400000, r32() & 0x7fffff, r32() & 0x7fffff, (r32() & 0x7ff) << 12][ri(6)];
  return ((ri(2) << 31) | (e << 23) | m) >>> 0;
}
function randF64(): [number, number] {
  const e = [0, 0, 1, 2, 0x3fe, 0x3ff, 0x400, 0x41e, 0x41f, 0x380, 0x36a, 0x47e, 0x7fd, 0x7fe, 0x7ff, ri(2048), ri(2048)][ri(17)];
  const kind = ri(5);
  const mh = kind === 0 ? 0 : kind === 1 ? 0x80000 : r32() & 0xfffff;
  const ml = kind === 0 ? 0 : kind === 4 ? r32() & 0xe0000000 : r32();
  return [((ri(2) << 31) | (e << 20) | mh) >>> 0, ml >>> 0];
}

/** A value for an operand slot: [hi, lo] of the 64-bit register. */
function value(tag: Tag, special: boolean, i: number): [number, number] {
  switch (tag) {
    case 'f32':
      return [r32(), special ? F32_SPECIAL[i % F32_SPECIAL.length] : randF32()];
    case 'f64':
      return special ? F64_SPECIAL[i % F64_SPECIAL.length] : randF64();
    case 'f16': {
      const h = () => (ri(3) ? F16_SPECIAL[ri(F16_SPECIAL.length)] : r32() & 0xffff);
      return [r32(), (h() | (h() << 16)) >>> 0];
    }
    case 'int':
      return [r32(), special ? INT_SPECIAL[i % INT_SPECIAL.length] : ri(2) ? r32() : (r32() >>> ri(32)) >>> 0];
    default:
      return [r32(), r32()];
  }
}
const nspecial = (t: Tag) => (t === 'f32' ? F32_SPECIAL.length : t === 'f64' ? F64_SPECIAL.length : t === 'int' ? INT_SPECIAL.length : 8);

function randomFPSCR(): number {
  let v = (ri(4) << 22) | (ri(2) << 24) | (ri(2) << 25) | (ri(2) << 26) | (ri(16) << 28);
  if (ri(4) === 0) v |= r32() & 0x9f;
  return v >>> 0;
}

interface Rec {
  op: number;
  fpscr: number;
  v: [number, number][]; // A, B, C
}

function records(ops: OpSpec[]): Rec[] {
  const recs: Rec[] = [];
  ops.forEach((o, op) => {
    const tags = [o.a, o.b, o.c];
    const inputs = tags.filter((t) => t !== '-');
    const push = (fn: (k: number, t: Tag) => [number, number]) => recs.push({ op, fpscr: randomFPSCR(), v: tags.map((t, k) => fn(k, t)) });
    if (inputs.length >= 2) {
      // all pairs of specials for the first two float inputs, twice (two random modes)
      const ia = tags.findIndex((t) => t !== '-');
      const ib = tags.findIndex((t, k) => t !== '-' && k > ia);
      const na = nspecial(tags[ia]);
      const nb = nspecial(tags[ib]);
      for (let rep = 0; rep < 2; rep++)
        for (let x = 0; x < na; x++)
          for (let y = 0; y < nb; y++) push((k, t) => (k === ia ? value(t, true, x) : k === ib ? value(t, true, y) : value(t, ri(2) === 0, ri(64))));
    } else {
      const ia = tags.findIndex((t) => t !== '-');
      for (let rep = 0; rep < 24; rep++) for (let x = 0; x < nspecial(tags[ia]); x++) push((k, t) => (k === ia ? value(t, true, x) : value(t, false, 0)));
    }
    for (let i = 0; i < 1500; i++) push((_k, t) => value(t, ri(3) === 0, ri(64)));
  });
  return recs;
}

// ---- the QEMU side --------------------------------------------------------------------------

const CC = 'arm-linux-gnueabihf-gcc';
const have = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const TOOLS = have(CC) && have('qemu-arm', '-version');

const HARNESS_C = `
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
typedef void (*opfn)(const uint32_t *in, uint32_t *out);
extern opfn vfp_ops[];
int main(void) {
  static uint32_t in[8], out[4];
  while (fread(in, 4, 8, stdin) == 8) {
    vfp_ops[in[7]](in, out);
    fwrite(out, 4, 4, stdout);
  }
  return 0;
}
`;

function harnessAsm(ops: OpSpec[]): string {
  const lines = ['.syntax unified', '.arm', '.fpu neon-vfpv4', '.text'];
  ops.forEach((o, i) => {
    lines.push(
      `.global op_${i}`,
      `op_${i}:`,
      '  vldmia r0, {d0-d2}',
      '  ldr r2, [r0, #24]',
      '  vmsr fpscr, r2',
      `  ${o.asm}`,
      '  vmrs r2, fpscr',
      '  vstr d2, [r1]',
      '  str r2, [r1, #8]',
      '  mov r2, #0',
      '  vmsr fpscr, r2',
      '  bx lr',
    );
  });
  lines.push('.data', '.global vfp_ops', 'vfp_ops:', ...ops.map((_o, i) => `  .word op_${i}`));
  return lines.join('\n') + '\n';
}

function build(ops: OpSpec[]): { exe: string; arm: number[]; thumb: number[] } {
  const asm = harnessAsm(ops);
  const armSrc = ['.syntax unified', '.arm', '.fpu neon-vfpv4', ...ops.map((o) => o.asm)].join('\n') + '\n';
  const thumbSrc = ['.syntax unified', '.thumb', '.fpu neon-vfpv4', ...ops.map((o) => o.asm)].join('\n') + '\n';
  const key = createHash('sha256').update(asm + HARNESS_C).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `armvisor-vfp-${key}`);
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, 'harness');
  const words = (name: string, src: string): number[] => {
    writeFileSync(join(dir, `${name}.s`), src);
    execFileSync('arm-linux-gnueabihf-as', ['-o', join(dir, `${name}.o`), join(dir, `${name}.s`)]);
    execFileSync('arm-linux-gnueabihf-objcopy', ['-O', 'binary', '-j', '.text', join(dir, `${name}.o`), join(dir, `${name}.bin`)]);
    const buf = readFileSync(join(dir, `${name}.bin`));
    const out: number[] = [];
    for (let i = 0; i < buf.length; i += 4)
      out.push(name === 'thumb' ? ((buf.readUInt16LE(i) << 16) | buf.readUInt16LE(i + 2)) >>> 0 : buf.readUInt32LE(i));
    return out;
  };
  if (!existsSync(exe)) {
    writeFileSync(join(dir, 'ops.S'), asm);
    writeFileSync(join(dir, 'main.c'), HARNESS_C);
    execFileSync(CC, ['-O1', '-static', '-mfpu=neon-vfpv4', '-mfloat-abi=hard', '-o', exe, join(dir, 'main.c'), join(dir, 'ops.S')]);
  }
  return { exe, arm: words('arm', armSrc), thumb: words('thumb', thumbSrc) };
}

function runQemu(exe: string, recs: Rec[]): Uint32Array {
  const input = new Uint32Array(recs.length * 8);
  recs.forEach((r, i) => {
    const o = i * 8;
    for (let k = 0; k < 3; k++) {
      input[o + 2 * k] = r.v[k][1];
      input[o + 2 * k + 1] = r.v[k][0];
    }
    input[o + 6] = r.fpscr;
    input[o + 7] = r.op;
  });
  const res = spawnSync('qemu-arm', ['-cpu', 'cortex-a15', exe], { input: Buffer.from(input.buffer), maxBuffer: 1 << 30 });
  if (res.status !== 0) throw new Error(`qemu-arm failed: ${res.stderr}`);
  const out = res.stdout as Buffer;
  return new Uint32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.length));
}

// ---- our side ---------------------------------------------------------------------------------

const CODE = 0x10000;

function runOurs(arm: number[], recs: Rec[]): Uint32Array {
  const mem = new FlatMemory();
  const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
  mem.protect(CODE, arm.length * 8, Perm.R | Perm.X);
  arm.forEach((w, i) => {
    mem.dv.setUint32(CODE + 8 * i, w, true);
    mem.dv.setUint32(CODE + 8 * i + 4, 0xe7f000f0, true); // UDF: ends the run
  });
  const e = new Engine(cpu, mem);
  const out = new Uint32Array(recs.length * 4);
  const s = cpu.i32;
  recs.forEach((r, i) => {
    for (let k = 0; k < 3; k++) {
      s[wD(k)] = r.v[k][1];
      s[wD(k) + 1] = r.v[k][0];
    }
    s[W.FPSCR] = r.fpscr;
    cpu.pc = CODE + 8 * r.op;
    const why = e.run(10);
    const ok = why === Exit.UNDEF && cpu.pc === CODE + 8 * r.op + 4;
    out[i * 4] = s[wD(2)];
    out[i * 4 + 1] = s[wD(2) + 1];
    out[i * 4 + 2] = s[W.FPSCR];
    out[i * 4 + 3] = ok ? 0 : 0xdead;
  });
  return out;
}

const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

(TOOLS ? describe : describe.skip)('VFP bit-exact against qemu-arm -cpu cortex-a15', () => {
  const ops = opList();
  let built: ReturnType<typeof build>;
  beforeAll(() => {
    built = build(ops);
  });

  test('A32 and T32 encodings decode to the same row and arguments', () => {
    ops.forEach((o, i) => {
      const a = decodeArm(built.arm[i]);
      const t = decodeThumb(built.thumb[i], 4, { inIT: false, lastInIT: true });
      expect([o.asm, a?.row.name]).toEqual([o.asm, t?.row.name]);
      expect(a).not.toBeNull();
      const { cond, ...aa } = a!.args;
      void cond;
      expect(t!.args).toEqual(aa);
    });
  });

  test('results and FPSCR match for every operation over the value grid', () => {
    const recs = records(ops);
    const theirs = runQemu(built.exe, recs);
    expect(theirs.length).toBe(recs.length * 4);
    const ours = runOurs(built.arm, recs);
    const bad: string[] = [];
    const perOp = new Map<string, number>();
    for (let i = 0; i < recs.length; i++) {
      const o = i * 4;
      if (ours[o] === theirs[o] && ours[o + 1] === theirs[o + 1] && ours[o + 2] === theirs[o + 2] && ours[o + 3] === 0) continue;
      const r = recs[i];
      const name = ops[r.op].asm;
      perOp.set(name, (perOp.get(name) ?? 0) + 1);
      if (bad.length < 40)
        bad.push(
          `${name} fpscr=${hex(r.fpscr)} A=${hex(r.v[0][0])}:${hex(r.v[0][1])} B=${hex(r.v[1][0])}:${hex(r.v[1][1])} C=${hex(r.v[2][0])}:${hex(r.v[2][1])}` +
            ` qemu=${hex(theirs[o + 1])}:${hex(theirs[o])} fpscr=${hex(theirs[o + 2])} ours=${hex(ours[o + 1])}:${hex(ours[o])} fpscr=${hex(ours[o + 2])}${ours[o + 3] ? ' (did not run)' : ''}`,
        );
    }
    const summary = [...perOp].map(([k, v]) => `${k}: ${v}`).join('\n');
    expect(`${bad.length} mismatches of ${recs.length}\n${summary}\n${bad.join('\n')}`).toBe(`0 mismatches of ${recs.length}\n\n`);
  });
});
