// Random differential test of every VFP decode row against qemu-arm -cpu cortex-a15: random
// encodings drawn from each A32 row (with base registers pointing into a buffer), run from
// random register, flag, FPSCR (including LEN/STRIDE != 0) and memory states. Compared: D0-D31,
// FPSCR, APSR, R0-R12, the 4 KiB buffer, and whether the instruction was UNDEFINED (SIGILL).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { FlatMemory, Perm, STATE_BASE } from '../runtime/memory/flat.js';
import { Engine } from '../runtime/exec.js';
import { Exit } from '../translator/ir.js';
import { CpuState, W } from '../translator/state.js';
import { compileRow, extract } from '../translator/decode/pattern.js';
import { decodeArm } from '../translator/decode/tables.js';
import { disassembleAt } from '../translator/disasm.js';
import { VFP_A32 } from '../translator/decode/vfp/rows.js';
import { seeded } from './helpers/seeded.js';

const CC = 'arm-linux-gnueabihf-gcc';
const have = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const TOOLS = have(CC) && have('qemu-arm', '-version');

// Record: [0] insn, [1] fpscr, [2] apsr, [3..15] r0-r12, [16..79] d0-d31 words, [80..1103] buffer.
const IN_WORDS = 80 + 1024;
// Result: [0] status (0 ran, 1 SIGILL, 2 SIGBUS/SEGV), [1] fpscr, [2] apsr, [3..15] r0-r12, [16..79] d regs, buffer.
const OUT_WORDS = 80 + 1024;

const HARNESS = `
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <setjmp.h>
#include <sys/mman.h>
uint32_t st[${IN_WORDS}];
uint32_t buf[1024] __attribute__((aligned(4096)));
uint32_t *gstate = st;
extern void run_insn(void);
extern uint32_t insn_slot[];
static sigjmp_buf jb;
static volatile int status;
static void on_sig(int s) { status = s == SIGILL ? 1 : 2; siglongjmp(jb, 1); }
int main(int argc, char **argv) {
  static uint32_t out[${OUT_WORDS}];
  if (argc > 1) { printf("%u\\n", (unsigned)(uintptr_t)buf); return 0; }
  signal(SIGILL, on_sig); signal(SIGBUS, on_sig); signal(SIGSEGV, on_sig);
  mprotect((void *)((uintptr_t)insn_slot & ~4095u), 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
  while (fread(st, 4, ${IN_WORDS}, stdin) == ${IN_WORDS}) {
    insn_slot[0] = st[0];
    __builtin___clear_cache((char *)insn_slot, (char *)insn_slot + 4);
    memcpy(buf, st + 80, 4096);
    status = 0;
    if (!sigsetjmp(jb, 1)) run_insn();
    else { uint32_t z = 0; __asm__ volatile("vmsr fpscr, %0" :: "r"(z)); }
    memcpy(out, st, 4 * 80);
    out[0] = status;
    memcpy(out + 80, buf, 4096);
    fwrite(out, 4, ${OUT_WORDS}, stdout);
  }
  return 0;
}
`;

const ASM = `
.syntax unified
.arm
.fpu neon-vfpv4
.text
.align 12
.global run_insn
.type run_insn, %function
.global insn_slot
run_insn:
  push {r4-r11, lr}
  ldr r0, =gstate
  ldr r0, [r0]
  ldr r1, [r0, #4]
  vmsr fpscr, r1
  ldr r1, [r0, #8]
  msr APSR_nzcvqg, r1
  add r1, r0, #64
  vldmia r1!, {d0-d15}
  vldmia r1, {d16-d31}
  add r12, r0, #12
  ldmia r12, {r0-r12}
insn_slot:
  .word 0xe320f000
  push {r0-r12}
  mrs r0, apsr
  vmrs r2, fpscr
  ldr r1, =gstate
  ldr r1, [r1]
  str r0, [r1, #8]
  str r2, [r1, #4]
  add r3, r1, #64
  vstmia r3!, {d0-d15}
  vstmia r3, {d16-d31}
  add r1, r1, #12
  pop {r2-r8}
  stmia r1!, {r2-r8}
  pop {r2-r7}
  stmia r1!, {r2-r7}
  mov r0, #0
  vmsr fpscr, r0
  pop {r4-r11, pc}
.ltorg
`;

function build(): string {
  const key = createHash('sha256').update(HARNESS + ASM).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `armvisor-vfpinsn-${key}`);
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, 'harness');
  if (!existsSync(exe)) {
    writeFileSync(join(dir, 'main.c'), HARNESS);
    writeFileSync(join(dir, 'run.S'), ASM);
    execFileSync(CC, ['-O1', '-static', '-mfpu=neon-vfpv4', '-mfloat-abi=hard', '-Wl,-z,noexecstack', '-o', exe, join(dir, 'main.c'), join(dir, 'run.S')], {
      stdio: 'ignore',
    });
  }
  return exe;
}

const SEED = Number(process.env.VFP_SEED ?? 0xc0ffee);
const rand = seeded(SEED);
const ri = (n: number) => Math.floor(rand() * n);
const r32 = () => (ri(0x10000) * 0x10000 + ri(0x10000)) >>> 0;

/** Random encodings of a row: free bits random, cond AL or random, core registers kept off SP/PC. */
function encodings(rowIndex: number, count: number): number[] {
  const c = compileRow(VFP_A32[rowIndex], 32, rowIndex);
  const out: number[] = [];
  for (let tries = 0; out.length < count && tries < count * 200; tries++) {
    let w = ((r32() & ~c.mask) | c.bits) >>> 0;
    if (ri(4)) w = ((w & 0x0fffffff) | 0xe0000000) >>> 0;
    else if (w >>> 28 === 15) continue;
    const a = extract(c, w);
    if ((a.rt ?? 0) > 12 && !(VFP_A32[rowIndex].name === 'VMSR_VMRS' && a.l === 1 && a.rt === 15)) continue;
    if ((a.rt2 ?? 0) > 12 || (a.rn ?? 0) > 12) continue;
    const d = decodeArm(w);
    if (d && d.row.valid && !d.row.valid(d.args)) continue;
    out.push(w);
  }
  return out;
}

function randomFPSCR(): number {
  let v = (ri(4) << 22) | (ri(2) << 24) | (ri(2) << 25) | (ri(2) << 26) | (ri(16) << 28) | (r32() & 0x9f);
  if (ri(6) === 0) v |= ri(2) ? (ri(8) << 16) : (ri(4) << 20);
  return v >>> 0;
}

function randomRecord(insn: number, bufAddr: number): Uint32Array {
  const r = new Uint32Array(IN_WORDS);
  r[0] = insn;
  r[1] = randomFPSCR();
  r[2] = (ri(32) << 27) >>> 0;
  for (let i = 0; i < 13; i++) r[3 + i] = ri(3) ? bufAddr + 2048 + 64 * i : r32();
  for (let i = 0; i < 64; i++) r[16 + i] = r32();
  for (let i = 0; i < 1024; i++) r[80 + i] = r32();
  return r;
}

(TOOLS ? describe : describe.skip)('VFP instructions: random encodings of every row against qemu-arm', () => {
  test(`every VFP row, random states (seed ${SEED})`, () => {
    const exe = build();
    const bufAddr = Number(execFileSync('qemu-arm', ['-cpu', 'cortex-a15', exe, 'addr']).toString().trim());
    const recs: Uint32Array[] = [];
    const rowOf: string[] = [];
    VFP_A32.forEach((row, i) => {
      for (const w of encodings(i, 40)) {
        for (let k = 0; k < 2; k++) {
          recs.push(randomRecord(w, bufAddr));
          rowOf.push(row.name);
        }
      }
    });
    const covered = new Set(rowOf);
    expect(VFP_A32.filter((r) => !covered.has(r.name)).map((r) => r.name)).toEqual([]);

    const input = new Uint32Array(recs.length * IN_WORDS);
    recs.forEach((r, i) => input.set(r, i * IN_WORDS));
    const res = spawnSync('qemu-arm', ['-cpu', 'cortex-a15', exe], { input: Buffer.from(input.buffer), maxBuffer: 1 << 30 });
    expect(res.status).toBe(0);
    const outBuf = res.stdout as Buffer;
    const theirs = new Uint32Array(outBuf.buffer.slice(outBuf.byteOffset, outBuf.byteOffset + outBuf.length));
    expect(theirs.length).toBe(recs.length * OUT_WORDS);

    // our side: the instruction at CODE followed by UDF; the buffer at the same address
    const mem = new FlatMemory();
    const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
    const CODE = 0x8000;
    mem.protect(CODE, 4096, Perm.R | Perm.X);
    mem.protect(bufAddr, 4096, Perm.R | Perm.W);
    const s = cpu.i32;
    const bad: string[] = [];
    recs.forEach((r, i) => {
      mem.dv.setUint32(CODE, r[0], true);
      mem.dv.setUint32(CODE + 4, 0xe7f000f0, true);
      const e = new Engine(cpu, mem);
      s[W.FPSCR] = r[1];
      cpu.apsr = r[2];
      for (let k = 0; k < 13; k++) s[k] = r[3 + k];
      for (let k = 0; k < 64; k++) s[W.VFP + k] = r[16 + k];
      for (let k = 0; k < 1024; k++) mem.dv.setUint32(bufAddr + 4 * k, r[80 + k], true);
      cpu.pc = CODE;
      s[W.T] = 0;
      const why = e.run(10);
      let status = 0;
      if (why === Exit.UNDEF && cpu.pc === CODE) status = 1;
      else if (why === Exit.DATA_ABORT || why === Exit.ALIGN_FAULT) status = 2;
      else if (!(why === Exit.UNDEF && cpu.pc === CODE + 4)) status = 99;
      const o = i * OUT_WORDS;
      const diffs: string[] = [];
      if (theirs[o] !== status) diffs.push(`status qemu=${theirs[o]} ours=${status}`);
      if (status === 0 && theirs[o] === 0) {
        if (theirs[o + 1] !== (s[W.FPSCR] >>> 0)) diffs.push(`fpscr qemu=${theirs[o + 1].toString(16)} ours=${(s[W.FPSCR] >>> 0).toString(16)}`);
        if (((theirs[o + 2] & 0xf8000000) >>> 0) !== ((cpu.apsr & 0xf8000000) >>> 0)) diffs.push(`apsr qemu=${theirs[o + 2].toString(16)} ours=${cpu.apsr.toString(16)}`);
        for (let k = 0; k < 13; k++) if (theirs[o + 3 + k] !== s[k] >>> 0) diffs.push(`r${k} qemu=${theirs[o + 3 + k].toString(16)} ours=${(s[k] >>> 0).toString(16)}`);
        for (let k = 0; k < 64; k++)
          if (theirs[o + 16 + k] !== s[W.VFP + k] >>> 0) diffs.push(`s${k} qemu=${theirs[o + 16 + k].toString(16)} ours=${(s[W.VFP + k] >>> 0).toString(16)}`);
        for (let k = 0; k < 1024; k++)
          if (theirs[o + 80 + k] !== mem.dv.getUint32(bufAddr + 4 * k, true)) {
            diffs.push(`mem+${k * 4}`);
            break;
          }
      }
      if (diffs.length && bad.length < 30)
        bad.push(`${rowOf[i]} ${r[0].toString(16)} '${disassembleAt(mem, CODE, false, 0)}' fpscr=${r[1].toString(16)}: ${diffs.slice(0, 6).join(', ')}`);
    });
    expect(bad).toEqual([]);
  });
});
