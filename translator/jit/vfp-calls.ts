// Tier 1's VFP operations as calls of functions shared by the module: the inline forms of
// vfp-inline.ts, each written once per module for its helper and second argument, reading the
// register numbers (the helper's packed first argument) at run time. A CALL site is then
// `i32.const packed; call $f; local.set $budget`, ~8 bytes instead of ~130 of inline code
// with two blocks, a guard and a slow path, each branch of which V8's baseline compiler pays
// at every local of the region (merges). On the tier-1 benchmark's code (74 VFP CALLs, 18
// distinct forms) the inline forms were 16% of the module bytes. Tier 2 keeps them inline,
// where D registers live in f64 locals and TurboFan compiles them (codegen.ts vfpLocals).
//
// A shared function: (packed) -> BUDGET. Its slow path calls the helper itself (VFP helpers
// read and write only the VFP registers and FPSCR, which never live in locals); JavaScript may
// have run then, so it returns BUDGET, which the caller keeps (genstate.ts readBudget).

import { HELPERS } from '../helpers.js';
import { W } from '../state.js';
import { FuncBody, I32, O } from '../wasm/builder.js';
import { H } from '../vfp/helpers.js';
import { VfpInliner } from './vfp-inline.js';

/** What a shared function needs of its module (module.ts). */
export interface HelperCaller {
  /** The type index of the helper signature, which the call of a helper encodes (part of the bodies' cache key). */
  readonly helperType: number;
  /** Emits the call of helper `id`, its four arguments on the stack, and notes that the module calls it. */
  callHelper(f: FuncBody, id: number): void;
  /** Notes that the module calls helper `id` (a body from the cache, made for an earlier module). */
  noteHelper(id: number): void;
}

/**
 * The functions' bodies, made once for all modules: by state block address and helper type
 * (the same in every module of a run), then by key (VfpCalls.index); null: no inline form.
 * Making them anew in every module had cost ~5 µs each (18 in the tier-1 benchmark's A32
 * module: 5% of its code generation). A FuncBody is only read when a module is written.
 */
const bodies = new Map<number, Map<number, FuncBody | null>>();

/** The shared VFP functions of one module. */
export class VfpCalls {
  /** Key (index: helper id, the conversions' fraction bits, second argument) -> function index, or -1: no inline form. */
  private readonly byKey = new Map<number, number>();
  /** The functions made, in index order. */
  readonly made: { index: number; body: FuncBody; name: string }[] = [];
  private readonly cached: Map<number, FuncBody | null>;

  constructor(
    private readonly stateBase: number,
    private readonly helpers: HelperCaller,
    /** The function index the first one takes. */
    private next: number,
    /** An index no function of ours may take (module.ts OPTIMIZED_FUNC_INDEX); it is skipped. */
    private readonly reserved: number,
  ) {
    const at = stateBase * 64 + helpers.helperType; // (the state block is 64-byte aligned or more)
    let c = bodies.get(at);
    if (!c) bodies.set(at, (c = new Map()));
    this.cached = c;
  }

  /**
   * The function index of the shared form of helper `id` with constant arguments `packed`,
   * `b`, made on first use, or -1 when the helper has no inline form for them (the CALL stays
   * a helper call) or only the short one of VCVT.F64.S32/U32, which stays inline. `packed`'s
   * register numbers may differ from call to call; the rest of it (a conversion's fraction
   * bits) is part of the key.
   */
  index(id: number, packed: number, b: number): number {
    // A conversion's fraction bits decide whether it has an inline form at all.
    const shape = id === H.toInt || id === H.fromInt ? (packed >>> 16) & 0xff : 0;
    const key = (id * 0x100 + shape) * 0x10000 + (b & 0xffff);
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    let f = this.cached.get(key);
    if (f === undefined) this.cached.set(key, (f = this.make(id, packed, b)));
    if (f === null) {
      this.byKey.set(key, -1);
      return -1;
    }
    this.helpers.noteHelper(id);
    if (this.next === this.reserved) this.next++;
    const index = this.next++;
    this.made.push({ index, body: f, name: `${HELPERS[id]!.name}_${b}` });
    this.byKey.set(key, index);
    return index;
  }

  /** The body of the shared form of helper `id` (index), or null when it has none. */
  private make(id: number, packed: number, b: number): FuncBody | null {
    const f = new FuncBody(1);
    const inl = new VfpInliner(f, this.stateBase);
    inl.packedLocal = 0;
    const slow = (): void => {
      f.get(0).i32(b).i32(0).i32(0);
      this.helpers.callHelper(f, id);
      f.op(O.drop);
    };
    if (!inl.emit(id, packed, b, slow, EMPTY, 0, 0)) return null;
    f.i32(0).mem(O.i32_load, 2, this.stateBase + 4 * W.BUDGET);
    return f;
  }
}

const EMPTY = new Int32Array(0);

/** The shared functions' signature: (packed register numbers) -> BUDGET. */
export const VFP_CALL_SIG = { params: [I32], results: [I32] } as const;
