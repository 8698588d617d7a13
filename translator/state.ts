// CPU state layout shared by the interpreter, generated wasm code and the runtime.
//
// The state is a block of 32-bit words at a fixed base inside the guest's one
// WebAssembly.Memory. IR GET/SET ops address it by word index (the `W` table),
// so core registers, flags and system words are uniform to the lifter.
// N, Z, C, V and Q each hold 0 or 1 in a word of their own (DESIGN.md, "The JIT").

import type { SysPort } from './sys.js';

/** Word indices into the state block. */
export const W = {
  R0: 0, // R0..R15 are words 0..15
  SP: 13,
  LR: 14,
  PC: 15,
  N: 16,
  Z: 17,
  C: 18,
  V: 19,
  Q: 20,
  GE: 21, // APSR.GE[3:0] in bits 3:0
  ITSTATE: 22, // CPSR.IT[7:0] (ARM ARM A2.5.2), 0 outside an IT block
  T: 23, // CPSR.T: 1 = Thumb
  FPSCR: 24, // whole FPSCR including its NZCV bits
  FPEXC: 25,
  TPIDRURO: 26, // CP15 c13 user read-only thread ID (set_tls)
  TPIDRURW: 27,
  EXCL_ADDR: 28, // local exclusive monitor: address, or -1 when open
  EXCL_VAL_LO: 29, // value seen by LDREX* (compared by STREX*, as QEMU linux-user does)
  EXCL_VAL_HI: 30,
  TRAP_IMM: 31, // immediate of the SVC/BKPT/UDF that ended a block
  FAULT_ADDR: 32, // data address of a memory fault
  FAULT_PC: 33, // guest PC of the faulting instruction
  ICOUNT_LO: 34, // retired guest instructions (low, high words; 8-byte aligned: one i64 for wasm)
  ICOUNT_HI: 35,
  JIT_FAULT: 36, // set by a generated code's slow-path helper to the Exit reason of a fault, else 0
  BUDGET: 37, // guest instructions generated code may run before returning to the dispatcher
  DISPATCH_CTX: 38, // system mode: bits ORed into the wasm dispatcher's key (lift environment, mapping generation)
  EXIT_REQ: 39, // system mode: non-zero makes the wasm dispatcher loop return (interrupt, TLB flush...)
  TEEHBR: 40, // ThumbEE handler base (MRC/MCR p14, 6, c1, c0, 0: PL0 read/write on qemu-arm)
  IRQ_LINES: 41, // system mode: the interrupt inputs at their CPSR mask positions (IRQ bit 7, FIQ bit 6)
  CP10: 42, // system mode: CPACR grants cp10/cp11 at PL0 (bit 0), at PL1 (bit 1); for the wasm dispatcher
  FAULT_SITE: 43, // the faulting access's site in generated code (jit/memstrategy.ts faultSite: flags, instruction index, ITSTATE)
  EXIT_SLOT: 44, // user mode: the funcref slot of the region whose slow-path exit the wasm dispatcher returned (jit/slowexit.ts)
  /** VFP register file: D0..D31 as 64 words from here; S(2n), S(2n+1) overlay Dn's low, high word. */
  VFP: 64,
  // ---- system mode (PL1/PL0; see modes.ts). User mode (`armvisor run`) never reads these. ----
  /** CPSR bits not held elsewhere: M[4:0], F, I, A, E (the PSR_CTL mask); 0x10 (User) in user mode. */
  PSR: 128,
  /** Banked copies (ARM ARM B1.3.2) of the registers the current mode does not see; the
   *  current mode's live in R8-R14. R8_usr..R12_usr, R8_fiq..R12_fiq: five words each. */
  R8_USR: 129,
  R8_FIQ: 134,
  SP_USR: 139,
  LR_USR: 140,
  SP_FIQ: 141,
  LR_FIQ: 142,
  SPSR_FIQ: 143,
  SP_IRQ: 144,
  LR_IRQ: 145,
  SPSR_IRQ: 146,
  SP_SVC: 147,
  LR_SVC: 148,
  SPSR_SVC: 149,
  SP_ABT: 150,
  LR_ABT: 151,
  SPSR_ABT: 152,
  SP_UND: 153,
  LR_UND: 154,
  SPSR_UND: 155,
  SP_MON: 156,
  LR_MON: 157,
  SPSR_MON: 158,
  SP_HYP: 159,
  ELR_HYP: 160,
  SPSR_HYP: 161,
  /** The event register of WFE/SEV (B1.8.13), 0 or 1. */
  EVENT: 162,
  /** Second result word of a helper returning 64 bits (MRRC). */
  HI: 163,
} as const;

/** Word index of single-precision register Sn (n < 32). */
export const wS = (n: number): number => W.VFP + n;
/** Word index of the low word of double-precision register Dn (n < 32). */
export const wD = (n: number): number => W.VFP + 2 * n;

/** State word w's name, for reading generated code: r0..r12, then W's own names in lower case (sp, lr, pc, n, z...). */
export function wordName(w: number): string {
  if (w >= 0 && w < W.SP) return `r${w}`;
  for (const [k, v] of Object.entries(W)) if (v === w && k !== 'R0') return k.toLowerCase();
  return `w${w}`;
}

/** Size of the state block in bytes. */
export const STATE_BYTES = 1024;

/** Typed views of one vCPU's state block. */
export class CpuState {
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  /** Dn as float64 (index n). */
  readonly d: Float64Array;
  /** Sn as float32 (index n). */
  readonly s: Float32Array;

  constructor(
    readonly buffer: ArrayBuffer,
    readonly base: number,
  ) {
    if (base % 8 !== 0) throw new Error('CPU state base must be 8-byte aligned');
    this.i32 = new Int32Array(buffer, base, STATE_BYTES / 4);
    this.u32 = new Uint32Array(buffer, base, STATE_BYTES / 4);
    this.d = new Float64Array(buffer, base + W.VFP * 4, 32);
    this.s = new Float32Array(buffer, base + W.VFP * 4, 32);
    this.i32[W.EXCL_ADDR] = -1;
    this.i32[W.PSR] = 0x10;
  }

  /** System mode: the runtime's port for helpers that reach CP15 and friends (null in user mode). */
  sys: SysPort | null = null;

  get pc(): number {
    return this.u32[W.PC];
  }
  set pc(v: number) {
    this.u32[W.PC] = v;
  }
  get thumb(): boolean {
    return this.i32[W.T] !== 0;
  }
  reg(n: number): number {
    return this.u32[n];
  }
  setReg(n: number, v: number): void {
    this.u32[n] = v;
  }

  /** APSR as the architecture packs it: N Z C V Q at bits 31..27, GE at 19:16. */
  get apsr(): number {
    const i = this.i32;
    return (
      ((i[W.N] << 31) | (i[W.Z] << 30) | (i[W.C] << 29) | (i[W.V] << 28) | (i[W.Q] << 27) | ((i[W.GE] & 15) << 16)) >>> 0
    );
  }
  set apsr(v: number) {
    const i = this.i32;
    i[W.N] = (v >>> 31) & 1;
    i[W.Z] = (v >>> 30) & 1;
    i[W.C] = (v >>> 29) & 1;
    i[W.V] = (v >>> 28) & 1;
    i[W.Q] = (v >>> 27) & 1;
    i[W.GE] = (v >>> 16) & 15;
  }

  /** CPSR in user mode (mode bits 0x10), with IT and T folded in (ARM ARM B1.3.3). */
  get cpsr(): number {
    const it = this.i32[W.ITSTATE] & 0xff;
    return (this.apsr | ((it & 3) << 25) | ((it >>> 2) << 10) | (this.i32[W.T] ? 1 << 5 : 0) | 0x10) >>> 0;
  }
  set cpsr(v: number) {
    this.apsr = v;
    this.i32[W.ITSTATE] = ((v >>> 25) & 3) | (((v >>> 10) & 0x3f) << 2);
    this.i32[W.T] = (v >>> 5) & 1;
  }

  get icount(): number {
    return this.u32[W.ICOUNT_HI] * 0x100000000 + this.u32[W.ICOUNT_LO];
  }
  addICount(n: number): void {
    const lo = this.u32[W.ICOUNT_LO] + n;
    this.u32[W.ICOUNT_LO] = lo >>> 0;
    if (lo > 0xffffffff) this.u32[W.ICOUNT_HI]++;
  }
}
