// The IR: what the lifter produces for one guest basic block and what both back ends
// (the interpreter, the wasm emitter) execute. Every value is an i32 temp; VFP arithmetic
// goes through helper calls that operate on the state block, so the IR stays integer-only.
//
// A block is a straight list of ops. Structured IF/ENDIF regions (nestable, never crossing
// an INSN boundary of an unconditional instruction) carry conditional execution; EXIT ends
// the block with a reason. This shape maps 1:1 onto wasm's `if`/`end`/`return`.

export const Op = {
  CONST: 0, // d = imm
  GET: 1, // d = state[imm]           (word index, see state.ts W)
  SET: 2, // state[imm] = a
  ADD: 3, // d = a + b
  SUB: 4, // d = a - b
  AND: 5,
  OR: 6,
  XOR: 7,
  SHL: 8, // d = a << (b & 31)
  SHR: 9, // d = a >>> (b & 31)
  SAR: 10, // d = a >> (b & 31)
  ROR: 11, // d = rotr(a, b & 31)
  MUL: 12, // d = low32(a * b)
  MULHU: 13, // d = high32(u64(a) * u64(b))
  MULHS: 14, // d = high32(s64(a) * s64(b))
  UDIV: 15, // d = b == 0 ? 0 : a / b   (unsigned; ARM ARM A8.8.248 with DZ disabled)
  SDIV: 16, // d = b == 0 ? 0 : a / b   (signed; INT_MIN / -1 = INT_MIN)
  CLZ: 17, // d = clz32(a)
  EQ: 18, // d = a == b ? 1 : 0
  NE: 19,
  LTU: 20, // unsigned <
  LTS: 21, // signed <
  LEU: 22,
  LES: 23,
  SELECT: 24, // d = a != 0 ? b : c
  SEXT8: 25, // d = sign-extend a[7:0]
  SEXT16: 26, // d = sign-extend a[15:0]
  BSWAP: 27, // d = byte-reversed a
  LOAD: 28, // d = mem[a], imm = MemFlags
  STORE: 29, // mem[a] = b, imm = MemFlags
  CALL: 30, // d = helper[imm](...args); d = -1 when the result is unused
  IF: 31, // if a == 0 skip to the matching ENDIF (c = its op index, set by the builder)
  ENDIF: 32,
  INSN: 33, // boundary: a guest instruction at pc = imm begins (b = its length, c = its ITSTATE or -1)
  EXIT: 34, // end the block, returning reason imm (ExitReason)
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

export const OP_NAMES: string[] = Object.keys(Op);

/** LOAD/STORE flags. */
export const Mem = {
  SIZE_MASK: 7, // 1, 2 or 4 bytes
  SIGNED: 8, // sign-extend a 1- or 2-byte load
  ALIGN: 16, // fault unless aligned to the access size (LDRD/LDM/LDREX and friends)
  ALIGN8: 32, // fault unless 8-byte aligned (LDREXD/STREXD first word)
  USER: 64, // unprivileged access (LDRT/STRT); same as normal in user mode
} as const;

/** Why a block returned. NEXT: continue at state PC/T. */
export const Exit = {
  NEXT: 0,
  SVC: 1, // supervisor call; PC = next instruction, TRAP_IMM = imm24/imm8
  UNDEF: 2, // undefined instruction; PC = the instruction
  BKPT: 3, // breakpoint; PC = the instruction, TRAP_IMM = imm16
  DATA_ABORT: 4, // memory fault; FAULT_ADDR/FAULT_PC set, PC = the instruction
  PREFETCH_ABORT: 5, // instruction fetch fault at PC
  ALIGN_FAULT: 6, // alignment fault; FAULT_ADDR/FAULT_PC set
  YIELD: 7, // WFI/WFE/YIELD hint: a good place to let the host run
  SMC: 8, // PC = next instruction, TRAP_IMM = imm4
  HVC: 9, // PC = next instruction, TRAP_IMM = imm16
  WFI: 10, // system mode: wait for interrupt; PC = next instruction
  WFE: 11, // system mode: wait for event; PC = next instruction
  // System mode: the block may have changed the mode, interrupt masks, VFP enable or translation
  // regime (MSR CPSR_c, CPS, exception returns, some CP15 writes, ISB); PC = the next
  // instruction. Like NEXT, but generated code returns to the CPU loop instead of branching on.
  SYNC: 12,
} as const;
export type ExitReason = (typeof Exit)[keyof typeof Exit];

/**
 * One op as an object: the form the code generator reads (`IRBlock.ops`). Blocks themselves
 * hold their ops packed (`IRBlock.code`); see there.
 */
export class IRInsn {
  constructor(
    public op: OpCode,
    public d: number,
    public a: number,
    public b: number,
    public c: number,
    public imm: number,
    public args: number[] | null,
  ) {}
}

/** Words (int32 values) per op in `IRBlock.code`, and each field's offset. */
export const OP_WORDS = 6;
export const F_OP = 0;
export const F_D = 1;
export const F_A = 2;
export const F_B = 3;
/** CALL: the index of its argument list in `IRBlock.callArgs` (IRInsn.c is -1, args the list). */
export const F_C = 4;
export const F_IMM = 5;

const NO_ARGS: readonly number[][] = Object.freeze([]) as readonly number[][];
const NO_CODE: readonly number[] = Object.freeze([]) as readonly number[];

/**
 * A lifted block. Its ops are packed in one array of small integers, OP_WORDS per op (op, d, a,
 * b, c, imm): a block lives in the block cache, interpreted, until its page is hot enough to
 * compile, so a boot keeps tens of thousands of them; as objects (80 bytes an op, ~8 ops per
 * guest instruction) every young-generation GC copied them, and they were half of what the
 * translator allocated. The interpreter, the passes (opt/) and the code generator read `code`
 * (the code generator through opt/deadset.ts's packed arena); `ops` gives the ops as IRInsn
 * objects for tests and tools, made on first use and kept.
 * Every block has one object shape (the class's fields, in this order), so V8's optimized code
 * for the passes and the code generator stays monomorphic. (A plain array rather than an
 * Int32Array: a typed array of more than 64 bytes lives outside V8's heap, and allocating one
 * per block cost more than the objects it replaced.)
 */
export class IRBlock {
  /** System mode: the privilege level it was lifted for (its loads and stores use that PL's TLB). */
  pl: 0 | 1 | undefined = undefined;
  /**
   * System mode: some instruction is a VFP (cp10/cp11) one, so the translation depends on
   * CPACR and FPEXC.EN; without one it is the same for every VFP state of its PL.
   */
  usesVfp = false;

  constructor(
    /** Guest address of the first instruction. */
    readonly pc: number,
    readonly thumb: boolean,
    /** ITSTATE the block was translated for. */
    readonly itstate: number,
    /** The ops, OP_WORDS words each. */
    readonly code: readonly number[],
    readonly nops: number,
    /** The argument lists of its CALLs (indexed by the op's F_C word). */
    readonly callArgs: readonly number[][],
    /** Number of temps (temp ids are 0..ntemps-1). */
    readonly ntemps: number,
    /** Guest instructions in the block. */
    readonly ninsns: number,
    /** Guest address just past the block's last instruction. */
    readonly end: number,
  ) {}

  /** The ops as objects (made on first use: `ops`). */
  private opsMade: IRInsn[] | null = null;

  /** A block with this one's header (and `pl`, `usesVfp`) and other packed ops. */
  withCode(code: readonly number[], nops: number, ntemps: number, ninsns: number, end: number): IRBlock {
    const b = new IRBlock(this.pc, this.thumb, this.itstate, code, nops, this.callArgs, ntemps, ninsns, end);
    b.pl = this.pl;
    b.usesVfp = this.usesVfp;
    return b;
  }

  /** The header alone, without ops (a compiled block that is never run or compiled again). */
  withoutOps(): IRBlock {
    return this.withCode(NO_CODE, 0, 0, this.ninsns, this.end);
  }

  /** Op `i` as an object. */
  op(i: number): IRInsn {
    if (this.opsMade) return this.opsMade[i];
    const c = this.code;
    const k = i * OP_WORDS;
    const op = c[k] as OpCode;
    if (op === Op.CALL) return new IRInsn(op, c[k + F_D], -1, -1, -1, c[k + F_IMM], this.callArgs[c[k + F_C]]);
    return new IRInsn(op, c[k + F_D], c[k + F_A], c[k + F_B], c[k + F_C], c[k + F_IMM], null);
  }

  /** The ops as objects (made on first use). */
  get ops(): IRInsn[] {
    if (this.opsMade) return this.opsMade;
    const out: IRInsn[] = new Array(this.nops);
    for (let i = 0; i < this.nops; i++) out[i] = this.op(i);
    return (this.opsMade = out);
  }
}

/** The growable op buffer of the builder being used (one at a time; see IRBuilder). */
/**
 * `n` zeros in an array V8 keeps as packed small integers: `new Array(n).fill(0)` would be
 * holey for good (elements kinds only ever widen), and every block's ops, sliced from it, with it.
 */
function zeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0);
  return a;
}

let sharedCode: number[] | null = zeros(OP_WORDS * 256);
/**
 * IRBuilder's known constants (see its `get`) for words 0-19, shared: one block is lifted at a
 * time. A word's entry holds while knownStamp[w] is the builder's stamp.
 */
const knownStamp = new Int32Array(20);
const knownValue = new Int32Array(20);
const knownDepth = new Int32Array(20);
let lastStamp = 0;

/**
 * IRBuilder.imm's constants made at the top level of the block being lifted, shared (one block
 * is lifted at a time), direct-mapped by value: an entry holds while immBlock[h] is the
 * builder's `id`. The same small immediate recurs within a block (a flag-setting instruction's
 * 31 and 0, a post-indexed access's 4): one CONST serves them all, and every pass after the
 * lifter walks fewer ops.
 */
const IMM_SLOTS = 64;
const immBlock = new Int32Array(IMM_SLOTS);
const immValue = new Int32Array(IMM_SLOTS);
const immTemp = new Int32Array(IMM_SLOTS);
/** Per temp of the block being lifted: its CONST's value, when tempBlock[t] is the builder's id. */
let tempBlock = new Int32Array(1024);
let tempValue = new Int32Array(1024);
let lastId = 0;

/** Builds one block's op list; the lifter's only way to emit IR. */
export class IRBuilder {
  private code: number[];
  private n = 0;
  private ntemps = 0;
  private readonly ifStack: number[] = [];
  private callArgs: number[][] | null = null;

  constructor() {
    // The ops are packed into a buffer reused from block to block, and copied out at finish.
    if (sharedCode) {
      this.code = sharedCode;
      sharedCode = null;
    } else {
      this.code = zeros(OP_WORDS * 64);
    }
  }

  private emit(op: OpCode, d: number, a: number, b: number, c: number, imm: number): number {
    let k = this.n * 6; // OP_WORDS, as a literal (bundled, the constant is a variable V8 reloads)
    const code = this.code; // grows by appending past its end
    code[k++] = op;
    code[k++] = d;
    code[k++] = a;
    code[k++] = b;
    code[k++] = c;
    code[k] = imm;
    this.n++;
    return d;
  }
  private temp(): number {
    return this.ntemps++;
  }
  get tempCount(): number {
    return this.ntemps;
  }

  /** This builder's mark in the shared tables of constants (immBlock, tempBlock). */
  private readonly id = ++lastId;

  /** A new CONST op of value `v`. */
  const(v: number): number {
    const t = this.temp();
    if (t >= tempBlock.length) {
      const grow = (a: Int32Array) => {
        const g = new Int32Array(2 * a.length);
        g.set(a);
        return g;
      };
      tempBlock = grow(tempBlock);
      tempValue = grow(tempValue);
    }
    tempBlock[t] = this.id;
    tempValue[t] = v | 0;
    return this.emit(Op.CONST, t, -1, -1, -1, v | 0);
  }
  /**
   * Constant `v` as an operand: the temp of an earlier imm() of the same value made at the top
   * level of the block (which runs before every later op), else a new CONST. Temps are defined
   * once, so sharing one changes no value.
   */
  imm(v: number): number {
    v |= 0;
    const h = v & (IMM_SLOTS - 1);
    if (immBlock[h] === this.id && immValue[h] === v) return immTemp[h];
    const t = this.const(v);
    if (this.ifStack.length === 0) {
      immBlock[h] = this.id;
      immValue[h] = v;
      immTemp[h] = t;
    }
    return t;
  }
  /** The word offset of the op among the last few that defined temp `t`, or -1. */
  private recentDef(t: number): number {
    const code = this.code;
    for (let i = this.n - 1, stop = Math.max(0, this.n - 8); i >= stop; i--) {
      const k = i * 6; // OP_WORDS
      if (code[k + 1] === t) return k;
    }
    return -1;
  }
  /**
   * The value of temp `t` when a CONST defined it, else undefined: the lifter picks cheaper flag
   * formulas then.
   */
  constValue(t: number): number | undefined {
    return t >= 0 && t < this.ntemps && tempBlock[t] === this.id ? tempValue[t] : undefined;
  }
  /**
   * The value of an address temp made of constants: a CONST, or an ADD of two (the second word
   * of a literal LDRD or VLDR), defined among the last few ops; else undefined.
   */
  constAddress(t: number): number | undefined {
    const c = this.constValue(t);
    if (c !== undefined) return c >>> 0;
    const k = this.recentDef(t);
    if (k < 0) return undefined;
    const code = this.code;
    if (code[k] !== Op.ADD) return undefined;
    const a = this.constValue(code[k + 2]);
    const b = a === undefined ? undefined : this.constValue(code[k + 3]);
    return b === undefined ? undefined : (a! + b) >>> 0;
  }
  /** A STORE op has been emitted (ops are only ever appended). */
  private stored = false;
  /** Has the block stored to guest memory so far (a STORE op)? */
  hasStore(): boolean {
    return this.stored;
  }
  /**
   * State words whose value is a known constant here (knownValue, with the IF depth of its
   * SET): a GET of one is that CONST instead, so code generation folds what is computed from
   * it (a MOVT after a MOVW, an ADD to a literal loaded by PC). Only the core registers but PC
   * and the flags, which nothing but SETs and helpers write; dropped when a helper is called
   * (it may write state) or when the IF body holding the SET ends. `stamp` marks this
   * builder's entries; a new one forgets them all.
   */
  private stamp = ++lastStamp;
  get(word: number): number {
    if (word < 20 && knownStamp[word] === this.stamp) return this.const(knownValue[word]);
    return this.emit(Op.GET, this.temp(), -1, -1, -1, word);
  }
  set(word: number, a: number): void {
    if (word < 20) {
      if (word !== 15 && a >= 0 && tempBlock[a] === this.id) {
        knownStamp[word] = this.stamp;
        knownValue[word] = tempValue[a];
        knownDepth[word] = this.ifStack.length;
      } else knownStamp[word] = 0;
    }
    this.emit(Op.SET, -1, a, -1, -1, word);
  }
  bin(op: OpCode, a: number, b: number): number {
    return this.emit(op, this.temp(), a, b, -1, 0);
  }
  un(op: OpCode, a: number): number {
    return this.emit(op, this.temp(), a, -1, -1, 0);
  }
  select(cond: number, ifTrue: number, ifFalse: number): number {
    return this.emit(Op.SELECT, this.temp(), cond, ifTrue, ifFalse, 0);
  }
  load(addr: number, flags: number): number {
    return this.emit(Op.LOAD, this.temp(), addr, -1, -1, flags);
  }
  store(addr: number, value: number, flags: number): void {
    this.stored = true;
    this.emit(Op.STORE, -1, addr, value, -1, flags);
  }
  private argsIndex(args: number[]): number {
    const l = (this.callArgs ??= []);
    return l.push(args) - 1;
  }
  /** Calls helper `id` (see helpers.ts); returns the result temp. */
  call(id: number, args: number[]): number {
    this.stamp = ++lastStamp;
    return this.emit(Op.CALL, this.temp(), -1, -1, this.argsIndex(args), id);
  }
  /** Calls helper `id` for its effect only. */
  callVoid(id: number, args: number[]): void {
    this.stamp = ++lastStamp;
    this.emit(Op.CALL, -1, -1, -1, this.argsIndex(args), id);
  }
  if(cond: number): void {
    this.ifStack.push(this.n);
    this.emit(Op.IF, -1, cond, -1, -1, 0);
  }
  endif(): void {
    const at = this.ifStack.pop();
    if (at === undefined) throw new Error('IR: ENDIF without IF');
    const depth = this.ifStack.length;
    for (let w = 0; w < 20; w++) if (knownDepth[w] > depth) knownStamp[w] = 0;
    this.code[at * OP_WORDS + F_C] = this.n;
    this.emit(Op.ENDIF, -1, -1, -1, -1, 0);
  }
  get ifDepth(): number {
    return this.ifStack.length;
  }
  /** Starts guest instruction `pc`; `it` is its ITSTATE (Thumb), restored if it faults. */
  insn(pc: number, len: number, it = -1): void {
    this.emit(Op.INSN, -1, -1, len, it, pc | 0);
  }
  exit(reason: ExitReason): void {
    this.emit(Op.EXIT, -1, -1, -1, -1, reason);
  }

  // Convenience forms used throughout the semantic routines.
  add(a: number, b: number): number {
    return this.bin(Op.ADD, a, b);
  }
  sub(a: number, b: number): number {
    return this.bin(Op.SUB, a, b);
  }
  and(a: number, b: number): number {
    return this.bin(Op.AND, a, b);
  }
  or(a: number, b: number): number {
    return this.bin(Op.OR, a, b);
  }
  xor(a: number, b: number): number {
    return this.bin(Op.XOR, a, b);
  }
  not(a: number): number {
    return this.bin(Op.XOR, a, this.imm(-1));
  }
  shli(a: number, n: number): number {
    return n === 0 ? a : this.bin(Op.SHL, a, this.imm(n));
  }
  shri(a: number, n: number): number {
    return n === 0 ? a : this.bin(Op.SHR, a, this.imm(n));
  }
  sari(a: number, n: number): number {
    return n === 0 ? a : this.bin(Op.SAR, a, this.imm(n));
  }
  rori(a: number, n: number): number {
    return (n & 31) === 0 ? a : this.bin(Op.ROR, a, this.imm(n & 31));
  }
  andi(a: number, m: number): number {
    return this.bin(Op.AND, a, this.imm(m));
  }
  addi(a: number, v: number): number {
    return v === 0 ? a : this.bin(Op.ADD, a, this.imm(v));
  }
  /** Bit `n` of a as 0/1. */
  bit(a: number, n: number): number {
    return this.andi(this.shri(a, n), 1);
  }

  /** The block; the builder is done (its buffer goes back to the next builder). */
  finish(pc: number, thumb: boolean, itstate: number, ninsns: number, end: number): IRBlock {
    if (this.ifStack.length) throw new Error('IR: unterminated IF');
    const code = this.code.slice(0, this.n * OP_WORDS);
    if (sharedCode === null || this.code.length > sharedCode.length) sharedCode = this.code;
    return new IRBlock(pc, thumb, itstate, code, this.n, this.callArgs ?? NO_ARGS, this.ntemps, ninsns, end);
  }
}

/**
 * The constants `n` packed ops (from op `first` of `code`) write to state word `word` (PC: where
 * the block's exits may go): for each SET of the word, the op that defined its value, looked
 * for backwards (most often the op before), when that op is a CONST.
 */
export function constWrites(code: ArrayLike<number>, first: number, n: number, word: number): number[] {
  const out: number[] = [];
  for (let k = first * OP_WORDS, end = (first + n) * OP_WORDS; k < end; k += OP_WORDS) {
    if (code[k] !== Op.SET || code[k + F_IMM] !== word) continue;
    const v = setConst(code, first * OP_WORDS, k);
    if (v >= 0) out.push(v);
  }
  return out;
}

/**
 * The constant (unsigned) the SET at word offset `k` of `code` writes, when the op defining its
 * value, looked for backwards down to word offset `from`, is a CONST; else -1.
 */
export function setConst(code: ArrayLike<number>, from: number, k: number): number {
  const a = code[k + F_A];
  for (let j = k - OP_WORDS; j >= from; j -= OP_WORDS) {
    if (code[j + F_D] !== a) continue;
    return code[j] === Op.CONST ? code[j + F_IMM] >>> 0 : -1;
  }
  return -1;
}

/** Text form of a block, for --trace and tests. */
export function formatIR(block: IRBlock): string {
  const t = (n: number) => (n < 0 ? '_' : `t${n}`);
  const ops: IRInsn[] = [];
  for (let i = 0; i < block.nops; i++) ops.push(block.op(i));
  return ops
    .map((o, i) => {
      const name = OP_NAMES[o.op];
      const parts = [o.d >= 0 ? `${t(o.d)} =` : '', name];
      if (o.op === Op.CONST || o.op === Op.GET || o.op === Op.SET || o.op === Op.INSN || o.op === Op.EXIT || o.op === Op.LOAD || o.op === Op.STORE || o.op === Op.CALL)
        parts.push(`#${o.op === Op.INSN ? (o.imm >>> 0).toString(16) : o.imm}`);
      if (o.a >= 0) parts.push(t(o.a));
      if (o.b >= 0 && o.op !== Op.INSN) parts.push(t(o.b));
      if (o.op === Op.SELECT) parts.push(t(o.c));
      if (o.args) parts.push(`(${o.args.map(t).join(', ')})`);
      return `${String(i).padStart(4)}: ${parts.filter(Boolean).join(' ')}`;
    })
    .join('\n');
}
