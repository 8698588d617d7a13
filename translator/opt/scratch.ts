import { STATE_BYTES } from '../state.js';

// Typed arrays the translation passes (opt/deadset.ts, the code generator's temp plan) reuse
// from block to block instead of allocating fresh ones per block: arrays of a few hundred
// entries live outside V8's heap, and their allocation and collection cost more than the
// passes' own work. Each user owns its own Scratch and must be done with it before asking
// again.

/**
 * Below this many entries a loop fills faster than TypedArray.prototype.fill, a call into V8's
 * runtime (~17 ns a call here, as long as a loop over ~20 entries).
 */
const SHORT = 24;

export class ScratchI32 {
  private a = new Int32Array(1024);

  /** An array of at least `n` entries, as the last user left them (for entries written before they are read). */
  room(n: number): Int32Array {
    if (this.a.length < n) this.a = new Int32Array(Math.max(n, 2 * this.a.length));
    return this.a;
  }

  /** An array of at least `n` entries whose first `n` hold `fill`. */
  take(n: number, fill: number): Int32Array {
    const a = this.room(n);
    if (n > SHORT) a.fill(fill, 0, n);
    else for (let i = 0; i < n; i++) a[i] = fill;
    return a;
  }
}

export class ScratchU8 {
  private a = new Uint8Array(1024);

  /** An array of at least `n` entries, as the last user left them (for entries written before they are read). */
  room(n: number): Uint8Array {
    if (this.a.length < n) this.a = new Uint8Array(Math.max(n, 2 * this.a.length));
    return this.a;
  }

  /** An array of at least `n` entries whose first `n` hold `fill`. */
  take(n: number, fill: number): Uint8Array {
    const a = this.room(n);
    if (n > SHORT) a.fill(fill, 0, n);
    else for (let i = 0; i < n; i++) a[i] = fill;
    return a;
  }
}

/** A lookup table by IR opcode: 1 for the opcodes listed. */
export function opTable(ops: Iterable<number>): Uint8Array {
  const t = new Uint8Array(256);
  for (const o of ops) t[o] = 1;
  return t;
}

/**
 * The packed ops (OP_WORDS words each, as IRBlock.code) of the blocks of one region after the
 * passes, one block after another, reused region after region: the code generator reads ops
 * here instead of one object per op.
 */
export class OpArena {
  code = new Int32Array(6 * 4096);
  /**
   * Per op: the first of the temps (TempArena) whose pooled locals are free from this op on,
   * -1 for none; each next at TempArena.freeNext, in increasing temp order.
   */
  freeHead = new Int32Array(4096);
  /**
   * The arena slots of each block's loads and stores outside any IF body, the block's last
   * first, block after block (the dead-set pass writes them; tier 1's access groups read them).
   */
  tops = new Int32Array(1024);
  ntops = 0;
  /** Ops stored so far. */
  used = 0;

  reset(): void {
    this.used = 0;
    this.ntops = 0;
  }

  /** `tops`, with room for `n` more after `ntops`. */
  reserveTops(n: number): Int32Array {
    if (this.ntops + n > this.tops.length) this.tops = grow(this.tops, Math.max(this.ntops + n, 2 * this.tops.length), this.ntops);
    return this.tops;
  }

  /** The code array, with room for `n` more ops after `used` (and in freeHead). */
  reserve(n: number): Int32Array {
    const need = (this.used + n) * 6;
    if (need > this.code.length) {
      this.code = grow(this.code, Math.max(need, 2 * this.code.length), this.used * 6);
      this.freeHead = grow(this.freeHead, this.code.length / 6, this.used);
    }
    return this.code;
  }
}

/** Where a temp's value reaches its readers in generated code (the temp plan, TempArena.kind). */
export const enum Kind {
  /** In a wasm local from the pool, from its definition to its last read. */
  LOCAL = 0,
  /** A constant, emitted at each read. */
  CONST = 1,
  /** A GET whose word's local is unchanged until the last read: that local is read instead. */
  ALIAS = 2,
  /** A pure op read once: its expression is emitted at the read (wasm's operand stack). */
  INLINE = 3,
}

/**
 * The temps of the blocks the dead-set pass writes into an OpArena, renumbered region-wide
 * (a block's temp t is base + t, its base from reserve()), and what the pass learns of each as
 * it walks the kept ops backwards: how many read it and the arena slot of the last, and the
 * code generator's temp plan (jit/tempplan.ts says what it means): each temp's Kind, the op
 * defining it and its last read where it is evaluated (op indices within its block; -1:
 * none), and the temps whose pooled locals are free at each op (OpArena.freeHead, freeNext).
 */
export class TempArena {
  uses = new Int32Array(4096);
  lastReader = new Int32Array(4096);
  kind = new Uint8Array(4096);
  defAt = new Int32Array(4096);
  lastUse = new Int32Array(4096);
  freeNext = new Int32Array(4096);
  /** Entries handed out so far. */
  used = 0;

  reset(): void {
    this.used = 0;
  }

  /** Room for `n` temps, their `uses` zeroed and their defAt and lastUse -1; returns their base. */
  reserve(n: number): number {
    const base = this.used;
    const need = base + n;
    if (need > this.uses.length) {
      const size = Math.max(need, 2 * this.uses.length);
      this.uses = grow(this.uses, size, base);
      this.lastReader = grow(this.lastReader, size, base);
      this.defAt = grow(this.defAt, size, base);
      this.lastUse = grow(this.lastUse, size, base);
      this.freeNext = grow(this.freeNext, size, base);
      this.kind = grow(this.kind, size, base);
    }
    const { uses, defAt, lastUse } = this;
    if (n > SHORT) {
      uses.fill(0, base, need);
      defAt.fill(-1, base, need);
      lastUse.fill(-1, base, need);
    } else {
      for (let i = base; i < need; i++) {
        uses[i] = 0;
        defAt[i] = -1;
        lastUse[i] = -1;
      }
    }
    this.used = need;
    return base;
  }
}

/** A copy of `a`'s first `keep` entries in a new array of `size`. */
function grow(a: Int32Array, size: number, keep: number): Int32Array<ArrayBuffer>;
function grow(a: Uint8Array, size: number, keep: number): Uint8Array<ArrayBuffer>;
function grow(a: Int32Array | Uint8Array, size: number, keep: number): Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> {
  const b = a instanceof Uint8Array ? new Uint8Array(size) : new Int32Array(size);
  b.set(a.subarray(0, keep));
  return b;
}

/**
 * What the dead-set pass learns of the state words the ops it keeps use, for the code
 * generator, which would otherwise walk the ops again to choose its locals: `flags` over every
 * block written since `reset`, `selfLoop` for the last block.
 */
export class WordUse {
  /** Per state word: READ if a kept GET reads it, WRITTEN if a kept SET writes it. */
  readonly flags = new Uint8Array(STATE_BYTES / 4);
  /** The last block writes its own start to PC (it may branch to itself). */
  selfLoop = false;

  static readonly READ = 1;
  static readonly WRITTEN = 2;

  reset(): void {
    this.flags.fill(0);
  }
}
