// armvisor's side: runs a test case in-process on the same memory layout the harness
// builds (translator + runtime/exec.ts, no ELF or syscalls involved), and reports the
// result in the harness's terms (the signal Linux would deliver, the state at that point).

import { FlatMemory, Perm, STATE_BASE, PAGE_SHIFT } from '../../runtime/memory/flat.js';
import { Engine } from '../../runtime/exec.js';
import { flatJitTarget } from '../../runtime/memory/flat-jit.js';
import { CpuState, W } from '../../translator/state.js';
import { Exit } from '../../translator/ir.js';
import { ARM_FILL, CODE_DATA_SEED, CODE_PAGE, CODE_REGION, REGION_BYTES, SCRATCH_REGION, SIG, THUMB_FILL } from './layout.js';
import { xorshiftFill } from './rng.js';
import type { CaseInput, CaseResult } from './wire.js';

/** Instructions after which a case counts as looping (the harness's SIGVTALRM after 0.5 s). */
const BUDGET = 20000;

export class LocalRunner {
  readonly mem = new FlatMemory();
  readonly cpu = new CpuState(this.mem.memory.buffer, STATE_BASE);
  readonly engine: Engine;
  private readonly codeInit = new Uint8Array(REGION_BYTES);
  private readonly scratchInit = new Uint8Array(REGION_BYTES);

  /**
   * `tpidruro`: the harness's TLS pointer (what MRC TPIDRURO reads there). `jit`: run every
   * block through tier 1 (compiled before its first run) instead of the interpreter.
   */
  constructor(
    private readonly tpidruro: number,
    jit = false,
  ) {
    this.engine = new Engine(this.cpu, this.mem, jit ? { jit: flatJitTarget(this.mem, this.cpu), jitOptions: { threshold: 0 } } : {});
    this.mem.onCodeWrite = (page) => this.engine.invalidatePage(page);
    xorshiftFill(this.codeInit, CODE_DATA_SEED);
    this.mem.protect(CODE_REGION, 0x1000, Perm.R);
    this.mem.protect(CODE_PAGE, 0x1000, Perm.R | Perm.W | Perm.X);
    this.mem.protect(CODE_PAGE + 0x1000, 0x1000, Perm.R);
    this.mem.protect(SCRATCH_REGION, REGION_BYTES, Perm.R | Perm.W);
  }

  run(c: CaseInput): CaseResult {
    const { mem, cpu } = this;
    // The images, exactly as the harness builds them.
    const fill = c.thumb ? THUMB_FILL : ARM_FILL;
    const dv = new DataView(this.codeInit.buffer);
    for (let i = 0x1000; i < 0x2000; i += 4) dv.setUint32(i, fill, true);
    this.codeInit.set(c.code, 0x2000 - c.code.length);
    mem.write(CODE_REGION, this.codeInit);
    xorshiftFill(this.scratchInit, c.memSeed);
    mem.write(SCRATCH_REGION, this.scratchInit);
    this.engine.invalidatePage(CODE_PAGE >>> PAGE_SHIFT);
    mem.perm[CODE_PAGE >>> PAGE_SHIFT] &= ~Perm.CODE;

    // The state diff_enter loads.
    cpu.i32.fill(0, 0, W.VFP);
    cpu.i32[W.EXCL_ADDR] = -1;
    for (let i = 0; i < 15; i++) cpu.u32[i] = c.r[i];
    cpu.u32[W.PC] = CODE_PAGE + 0x1000 - c.code.length;
    cpu.i32[W.T] = c.thumb ? 1 : 0;
    cpu.apsr = c.apsr;
    cpu.u32[W.FPSCR] = c.fpscr;
    cpu.u32[W.FPEXC] = 0x40000000; // EN, as Linux leaves it for user space
    cpu.u32[W.TPIDRURO] = this.tpidruro;
    cpu.u32[W.TPIDRURW] = c.tpidrurw;
    for (let i = 0; i < 64; i++) cpu.u32[W.VFP + i] = c.d[i];

    let sig: number;
    let addr = 0;
    const start = cpu.icount;
    for (;;) {
      const left = BUDGET - (cpu.icount - start);
      if (left <= 0) {
        sig = SIG.VTALRM;
        break;
      }
      const x = this.engine.run(left);
      if (x === Exit.NEXT || x === Exit.YIELD) continue;
      switch (x) {
        case Exit.PREFETCH_ABORT:
          sig = SIG.SEGV;
          addr = cpu.pc;
          break;
        case Exit.DATA_ABORT:
          sig = SIG.SEGV;
          addr = cpu.u32[W.FAULT_ADDR];
          break;
        case Exit.ALIGN_FAULT:
          sig = SIG.BUS;
          addr = cpu.u32[W.FAULT_ADDR];
          break;
        case Exit.UNDEF:
          sig = SIG.ILL;
          addr = cpu.pc;
          break;
        case Exit.BKPT:
          sig = SIG.TRAP;
          addr = cpu.pc;
          break;
        default:
          // SVC, SMC, HVC: not expected from random rows (they are noRandom).
          sig = 1000 + x;
          addr = cpu.pc;
      }
      break;
    }

    const r = new Uint32Array(16);
    for (let i = 0; i < 16; i++) r[i] = cpu.u32[i];
    const d = new Uint32Array(64);
    for (let i = 0; i < 64; i++) d[i] = cpu.u32[W.VFP + i];
    const changes: number[] = [];
    diffRegion(0, mem.u8, CODE_REGION, this.codeInit, changes);
    diffRegion(1, mem.u8, SCRATCH_REGION, this.scratchInit, changes);
    return {
      sig,
      addr: addr >>> 0,
      r,
      cpsr: cpu.cpsr,
      fpscr: cpu.u32[W.FPSCR],
      tpidrurw: cpu.u32[W.TPIDRURW],
      tpidruro: cpu.u32[W.TPIDRURO],
      d,
      changes,
    };
  }
}

function diffRegion(region: number, u8: Uint8Array, base: number, init: Uint8Array, out: number[]): void {
  for (let i = 0; i < REGION_BYTES; i++) {
    const v = u8[base + i];
    if (v !== init[i]) out.push(((region << 30) | (i << 8) | v) >>> 0);
  }
}
