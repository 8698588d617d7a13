// --check-jit: runs each compiled block under the interpreter and under its wasm region from
// the same state, and stops at the first divergence with both states. Stores the interpreter
// made are logged and undone before the wasm run, then compared after it.

import { Interpreter, type GuestMemory } from '../translator/interp.js';
import type { ExitReason } from '../translator/ir.js';
import type { BlockEntry } from '../translator/jit/jit.js';
import { W, type CpuState } from '../translator/state.js';
import { isSlowExit } from '../translator/jit/slowexit.js';

/** Raw access to guest memory, bypassing permissions and code tracking. */
export interface RawMemory {
  read(addr: number, len: number): Uint8Array;
  write(addr: number, data: Uint8Array): void;
}

export class JitDivergence extends Error {}

const IGNORED = new Set<number>([W.BUDGET, W.JIT_FAULT, W.FAULT_SITE, W.EXIT_SLOT]);
const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

class LoggingMemory implements GuestMemory {
  log: { addr: number; old: Uint8Array; size: number }[] = [];
  constructor(
    readonly inner: GuestMemory,
    readonly raw: RawMemory,
  ) {}
  load(addr: number, flags: number): number {
    return this.inner.load(addr, flags);
  }
  store(addr: number, value: number, flags: number): void {
    const size = flags & 7;
    const old = this.raw.read(addr, size);
    this.inner.store(addr, value, flags);
    this.log.push({ addr, old, size });
  }
}

export class Lockstep {
  private readonly interp: Interpreter;
  private readonly logMem: LoggingMemory;
  checked = 0;

  constructor(
    readonly cpu: CpuState,
    mem: GuestMemory,
    readonly raw: RawMemory,
  ) {
    this.logMem = new LoggingMemory(mem, raw);
    this.interp = new Interpreter(cpu, this.logMem);
  }

  /** Runs one block of `e` both ways; returns the (agreed) exit reason or throws JitDivergence. */
  step(e: BlockEntry): ExitReason {
    const st = this.cpu.i32;
    const before = st.slice();
    this.logMem.log = [];
    const r1 = this.interp.run(e.block);
    const afterInterp = st.slice();
    const stores = this.logMem.log;
    const newBytes = stores.map((s) => this.raw.read(s.addr, s.size));
    for (let i = stores.length - 1; i >= 0; i--) this.raw.write(stores[i].addr, stores[i].old);
    st.set(before);
    st[W.BUDGET] = 1; // exactly one block
    const r2 = e.region!(e.index, e.slot + 1) as ExitReason;
    st[W.BUDGET] = before[W.BUDGET];
    if (isSlowExit(r2)) {
      // Generated code left at a slow path (jit/slowexit.ts): the rest of the block is the
      // interpreter's anyway, so its run stands (the stores generated code made before
      // leaving are a prefix of the interpreter's).
      st.set(afterInterp);
      stores.forEach((s, i) => this.raw.write(s.addr, newBytes[i]));
      return r1;
    }
    this.checked++;
    const diffs: string[] = [];
    if (r1 !== r2) diffs.push(`exit reason: interp ${r1}, jit ${r2}`);
    for (let i = 0; i < st.length; i++) {
      if (IGNORED.has(i) || st[i] === afterInterp[i]) continue;
      diffs.push(`state word ${i}${i < 16 ? ` (r${i})` : ''}: interp ${hex(afterInterp[i])}, jit ${hex(st[i])}`);
    }
    stores.forEach((s, i) => {
      const now = this.raw.read(s.addr, s.size);
      if (Buffer.compare(now, newBytes[i]) !== 0) diffs.push(`memory ${hex(s.addr)}: interp ${Buffer.from(newBytes[i]).toString('hex')}, jit ${Buffer.from(now).toString('hex')}`);
    });
    if (diffs.length) {
      throw new JitDivergence(`--check-jit: block at ${hex(e.block.pc)}${e.block.thumb ? ' (Thumb)' : ''} diverges: ${diffs.join('; ')}`);
    }
    return r2;
  }
}
