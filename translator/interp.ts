// Tier 0: executes a lifted block's IR directly. It is the reference the JIT is checked
// against, and runs cold code. Memory goes through a GuestMemory port, whose
// implementation (flat with page permissions for user mode, a TLB for system mode)
// belongs to the runtime; faults come back as thrown MemFault values.

import { HELPERS } from './helpers.js';
import { Exit, Mem, Op, type ExitReason, type IRBlock } from './ir.js';
import { W, type CpuState } from './state.js';
import { CpuTrap } from './sys.js';

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
    const ops = block.ops;
    let pc = block.pc;
    let it = -1;
    let count = 0;
    try {
      for (let i = 0; i < ops.length; i++) {
        const o = ops[i];
        switch (o.op) {
          case Op.CONST:
            t[o.d] = o.imm;
            break;
          case Op.GET:
            t[o.d] = st[o.imm];
            break;
          case Op.SET:
            st[o.imm] = t[o.a];
            break;
          case Op.ADD:
            t[o.d] = t[o.a] + t[o.b];
            break;
          case Op.SUB:
            t[o.d] = t[o.a] - t[o.b];
            break;
          case Op.AND:
            t[o.d] = t[o.a] & t[o.b];
            break;
          case Op.OR:
            t[o.d] = t[o.a] | t[o.b];
            break;
          case Op.XOR:
            t[o.d] = t[o.a] ^ t[o.b];
            break;
          case Op.SHL:
            t[o.d] = t[o.a] << t[o.b];
            break;
          case Op.SHR:
            t[o.d] = t[o.a] >>> t[o.b];
            break;
          case Op.SAR:
            t[o.d] = t[o.a] >> t[o.b];
            break;
          case Op.ROR: {
            const n = t[o.b] & 31;
            const v = t[o.a];
            t[o.d] = (v >>> n) | (v << (32 - n));
            break;
          }
          case Op.MUL:
            t[o.d] = Math.imul(t[o.a], t[o.b]);
            break;
          case Op.MULHU:
            t[o.d] = umulh(t[o.a], t[o.b]);
            break;
          case Op.MULHS:
            t[o.d] = umulh(t[o.a], t[o.b]) - (t[o.a] < 0 ? t[o.b] : 0) - (t[o.b] < 0 ? t[o.a] : 0);
            break;
          case Op.UDIV: {
            const y = t[o.b] >>> 0;
            t[o.d] = y === 0 ? 0 : Math.floor((t[o.a] >>> 0) / y);
            break;
          }
          case Op.SDIV: {
            const y = t[o.b];
            t[o.d] = y === 0 ? 0 : Math.trunc(t[o.a] / y);
            break;
          }
          case Op.CLZ:
            t[o.d] = Math.clz32(t[o.a]);
            break;
          case Op.EQ:
            t[o.d] = t[o.a] === t[o.b] ? 1 : 0;
            break;
          case Op.NE:
            t[o.d] = t[o.a] !== t[o.b] ? 1 : 0;
            break;
          case Op.LTU:
            t[o.d] = t[o.a] >>> 0 < t[o.b] >>> 0 ? 1 : 0;
            break;
          case Op.LTS:
            t[o.d] = t[o.a] < t[o.b] ? 1 : 0;
            break;
          case Op.LEU:
            t[o.d] = t[o.a] >>> 0 <= t[o.b] >>> 0 ? 1 : 0;
            break;
          case Op.LES:
            t[o.d] = t[o.a] <= t[o.b] ? 1 : 0;
            break;
          case Op.SELECT:
            t[o.d] = t[o.a] !== 0 ? t[o.b] : t[o.c];
            break;
          case Op.SEXT8:
            t[o.d] = (t[o.a] << 24) >> 24;
            break;
          case Op.SEXT16:
            t[o.d] = (t[o.a] << 16) >> 16;
            break;
          case Op.BSWAP: {
            const v = t[o.a];
            t[o.d] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | ((v >>> 24) & 0xff);
            break;
          }
          case Op.LOAD:
            t[o.d] = mem.load(t[o.a] >>> 0, o.imm);
            break;
          case Op.STORE:
            mem.store(t[o.a] >>> 0, t[o.b], o.imm);
            break;
          case Op.CALL: {
            const h = HELPERS[o.imm].fn;
            const a = o.args!;
            const r = h(this.cpu, a.length > 0 ? t[a[0]] : 0, a.length > 1 ? t[a[1]] : 0, a.length > 2 ? t[a[2]] : 0, a.length > 3 ? t[a[3]] : 0);
            if (o.d >= 0) t[o.d] = r;
            break;
          }
          case Op.IF:
            if (t[o.a] === 0) i = o.c;
            break;
          case Op.ENDIF:
            break;
          case Op.INSN:
            pc = o.imm;
            it = o.c;
            count++;
            break;
          case Op.EXIT:
            this.cpu.addICount(count);
            return o.imm as ExitReason;
          default:
            throw new Error(`interp: bad op ${o.op}`);
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
