// Tier 0: executes a lifted block's IR directly. It is the reference the JIT is checked
// against, and runs cold code. Memory goes through a GuestMemory port, whose
// implementation (flat with page permissions for user mode, a TLB for system mode)
// belongs to the runtime; faults come back as thrown MemFault values.

import { HELPERS } from './helpers.js';
import { Exit, Mem, type ExitReason, type IRBlock } from './ir.js';
import { W, type CpuState } from './state.js';
import { CpuTrap } from './sys.js';

// Packed ops (ir.ts IRBlock.code): 6 words each, +0 op, +1 d, +2 a, +3 b, +4 c, +5 imm. The
// offsets are literals here: bundled, ir.ts's constants become variables that V8 reloads. So
// are the switch's case labels (Op's values): V8 compiles a switch on small-integer literals
// to a jump table, one on `Op.X` to a chain of comparisons (INSN, the 34th, took 33).

/** A guest memory access that cannot complete. */
export class MemFault {
  constructor(
    readonly addr: number,
    readonly kind: 'unmapped' | 'permission' | 'alignment',
    readonly write: boolean,
  ) {}
}

/** The interpreter's view of guest memory (virtual addresses). */
export interface GuestMemory {
  /** Loads 1, 2 or 4 bytes (flags as in ir.ts Mem); throws MemFault. */
  load(addr: number, flags: number): number;
  /** Stores 1, 2 or 4 bytes; throws MemFault. */
  store(addr: number, value: number, flags: number): void;
}

/** Checks the alignment rule of an access (ARM ARM A3.2.1); throws MemFault. */
export function checkAlign(addr: number, flags: number, write: boolean): void {
  if (flags & Mem.ALIGN8) {
    if (addr & 7) throw new MemFault(addr >>> 0, 'alignment', write);
  } else if (flags & Mem.ALIGN && addr & ((flags & Mem.SIZE_MASK) - 1)) {
    throw new MemFault(addr >>> 0, 'alignment', write);
  }
}

/** High 32 bits of the unsigned 64-bit product (as an int32). */
export function umulh(x: number, y: number): number {
  const a = x >>> 0;
  const b = y >>> 0;
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const mid = ah * bl + al * bh + Math.floor((al * bl) / 65536);
  return (ah * bh + Math.floor(mid / 65536)) | 0;
}

export class Interpreter {
  private t = new Int32Array(256);

  constructor(
    readonly cpu: CpuState,
    readonly mem: GuestMemory,
  ) {}

  /** Runs one block; returns why it stopped. State PC/T say where to go next. */
  run(block: IRBlock): ExitReason {
    if (this.t.length < block.ntemps) this.t = new Int32Array(block.ntemps * 2);
    const t = this.t;
    const st = this.cpu.i32;
    const mem = this.mem;
    const code = block.code;
    const end = block.nops * 6;
    let pc = block.pc;
    let it = -1;
    let count = 0;
    try {
      for (let k = 0; k < end; k += 6) {
        switch (code[k]) {
          case 0 /* CONST */:
            t[code[k + 1]] = code[k + 5];
            break;
          case 1 /* GET */:
            t[code[k + 1]] = st[code[k + 5]];
            break;
          case 2 /* SET */:
            st[code[k + 5]] = t[code[k + 2]];
            break;
          case 3 /* ADD */:
            t[code[k + 1]] = t[code[k + 2]] + t[code[k + 3]];
            break;
          case 4 /* SUB */:
            t[code[k + 1]] = t[code[k + 2]] - t[code[k + 3]];
            break;
          case 5 /* AND */:
            t[code[k + 1]] = t[code[k + 2]] & t[code[k + 3]];
            break;
          case 6 /* OR */:
            t[code[k + 1]] = t[code[k + 2]] | t[code[k + 3]];
            break;
          case 7 /* XOR */:
            t[code[k + 1]] = t[code[k + 2]] ^ t[code[k + 3]];
            break;
          case 8 /* SHL */:
            t[code[k + 1]] = t[code[k + 2]] << t[code[k + 3]];
            break;
          case 9 /* SHR */:
            t[code[k + 1]] = t[code[k + 2]] >>> t[code[k + 3]];
            break;
          case 10 /* SAR */:
            t[code[k + 1]] = t[code[k + 2]] >> t[code[k + 3]];
            break;
          case 11 /* ROR */: {
            const n = t[code[k + 3]] & 31;
            const v = t[code[k + 2]];
            t[code[k + 1]] = (v >>> n) | (v << (32 - n));
            break;
          }
          case 12 /* MUL */:
            t[code[k + 1]] = Math.imul(t[code[k + 2]], t[code[k + 3]]);
            break;
          case 13 /* MULHU */:
            t[code[k + 1]] = umulh(t[code[k + 2]], t[code[k + 3]]);
            break;
          case 14 /* MULHS */:
            t[code[k + 1]] = umulh(t[code[k + 2]], t[code[k + 3]]) - (t[code[k + 2]] < 0 ? t[code[k + 3]] : 0) - (t[code[k + 3]] < 0 ? t[code[k + 2]] : 0);
            break;
          case 15 /* UDIV */: {
            const y = t[code[k + 3]] >>> 0;
            t[code[k + 1]] = y === 0 ? 0 : Math.floor((t[code[k + 2]] >>> 0) / y);
            break;
          }
          case 16 /* SDIV */: {
            const y = t[code[k + 3]];
            t[code[k + 1]] = y === 0 ? 0 : Math.trunc(t[code[k + 2]] / y);
            break;
          }
          case 17 /* CLZ */:
            t[code[k + 1]] = Math.clz32(t[code[k + 2]]);
            break;
          case 18 /* EQ */:
            t[code[k + 1]] = t[code[k + 2]] === t[code[k + 3]] ? 1 : 0;
            break;
          case 19 /* NE */:
            t[code[k + 1]] = t[code[k + 2]] !== t[code[k + 3]] ? 1 : 0;
            break;
          case 20 /* LTU */:
            t[code[k + 1]] = t[code[k + 2]] >>> 0 < t[code[k + 3]] >>> 0 ? 1 : 0;
            break;
          case 21 /* LTS */:
            t[code[k + 1]] = t[code[k + 2]] < t[code[k + 3]] ? 1 : 0;
            break;
          case 22 /* LEU */:
            t[code[k + 1]] = t[code[k + 2]] >>> 0 <= t[code[k + 3]] >>> 0 ? 1 : 0;
            break;
          case 23 /* LES */:
            t[code[k + 1]] = t[code[k + 2]] <= t[code[k + 3]] ? 1 : 0;
            break;
          case 24 /* SELECT */:
            t[code[k + 1]] = t[code[k + 2]] !== 0 ? t[code[k + 3]] : t[code[k + 4]];
            break;
          case 25 /* SEXT8 */:
            t[code[k + 1]] = (t[code[k + 2]] << 24) >> 24;
            break;
          case 26 /* SEXT16 */:
            t[code[k + 1]] = (t[code[k + 2]] << 16) >> 16;
            break;
          case 27 /* BSWAP */: {
            const v = t[code[k + 2]];
            t[code[k + 1]] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | ((v >>> 24) & 0xff);
            break;
          }
          case 28 /* LOAD */:
            t[code[k + 1]] = mem.load(t[code[k + 2]] >>> 0, code[k + 5]);
            break;
          case 29 /* STORE */:
            mem.store(t[code[k + 2]] >>> 0, t[code[k + 3]], code[k + 5]);
            break;
          case 30 /* CALL */: {
            const h = HELPERS[code[k + 5]].fn;
            const a = block.callArgs[code[k + 4]];
            const r = h(this.cpu, a.length > 0 ? t[a[0]] : 0, a.length > 1 ? t[a[1]] : 0, a.length > 2 ? t[a[2]] : 0, a.length > 3 ? t[a[3]] : 0);
            const d = code[k + 1];
            if (d >= 0) t[d] = r;
            break;
          }
          case 31 /* IF */:
            if (t[code[k + 2]] === 0) k = code[k + 4] * 6;
            break;
          case 32 /* ENDIF */:
            break;
          case 33 /* INSN */:
            pc = code[k + 5];
            it = code[k + 4];
            count++;
            break;
          case 34 /* EXIT */:
            this.cpu.addICount(count);
            return code[k + 5] as ExitReason;
          default:
            throw new Error(`interp: bad op ${code[k]}`);
        }
      }
      throw new Error('interp: block without EXIT');
    } catch (e) {
      return this.abandon(e, pc, it, count);
    }
  }

  /**
   * A block stopped by an exception (out of line: run() is a large function, and this path,
   * rare and without type feedback, made V8 deoptimize and recompile it ~80 times per boot).
   */
  private abandon(e: unknown, pc: number, it: number, count: number): ExitReason {
    const st = this.cpu.i32;
    if (e instanceof CpuTrap) {
      // A helper raised an exception at this instruction (system mode); nothing retired.
      this.cpu.addICount(count - 1);
      st[W.PC] = pc;
      if (it >= 0) st[W.ITSTATE] = it;
      return e.reason;
    }
    if (!(e instanceof MemFault)) throw e;
    // Precise fault: the faulting instruction did not retire.
    this.cpu.addICount(count - 1);
    st[W.PC] = pc;
    if (it >= 0) st[W.ITSTATE] = it;
    st[W.FAULT_ADDR] = e.addr;
    st[W.FAULT_PC] = pc;
    return e.kind === 'alignment' ? Exit.ALIGN_FAULT : Exit.DATA_ABORT;
  }
}
