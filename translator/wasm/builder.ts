// A small WebAssembly binary writer: just what the JIT's code generator needs, emitted
// byte by byte (binaryen costs ~8 µs per guest instruction; this path must cost well
// under 2). Spec: WebAssembly Core 1.0, "Binary Format".

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const F32 = 0x7d;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64;

/** Opcodes we emit. */
export const O = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  // Exception handling (the legacy encoding Node 20's V8 ships): generated code catches the
  // JavaScript exception of a faulting slow-path access.
  try: 0x06,
  rethrow: 0x09,
  catch_all: 0x19,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  br_table: 0x0e,
  return: 0x0f,
  call: 0x10,
  call_indirect: 0x11,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load: 0x28,
  i64_load: 0x29,
  i32_load8_s: 0x2c,
  i32_load8_u: 0x2d,
  i32_load16_s: 0x2e,
  i32_load16_u: 0x2f,
  i32_store: 0x36,
  i64_store: 0x37,
  i32_store8: 0x3a,
  i32_store16: 0x3b,
  i32_const: 0x41,
  i64_const: 0x42,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i32_clz: 0x67,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_div_u: 0x6e,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  i32_rotr: 0x78,
  i64_mul: 0x7e,
  i64_shr_u: 0x88,
  i64_shl: 0x86,
  i64_eqz: 0x50,
  i64_shr_s: 0x87,
  i32_wrap_i64: 0xa7,
  i64_extend_i32_s: 0xac,
  i64_extend_i32_u: 0xad,
  i32_extend8_s: 0xc0,
  i32_extend16_s: 0xc1,
} as const;

const utf8 = new TextEncoder();

/** A growable byte buffer with LEB128 writers. */
export class Bytes {
  buf: Uint8Array<ArrayBuffer>;
  len = 0;
  constructor(cap = 256) {
    this.buf = new Uint8Array(cap);
  }
  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }
  u8(v: number): this {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = v;
    return this;
  }
  /** Opcode `o` and one immediate, LEB128-encoded: most often a single byte (a local, a small constant's bits). */
  op1(o: number, v: number): void {
    if (v >>> 0 < 128) {
      if (this.len + 2 > this.buf.length) this.grow(2);
      const b = this.buf;
      b[this.len] = o;
      b[this.len + 1] = v;
      this.len += 2;
    } else this.u8(o).uleb(v);
  }
  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  /** Unsigned LEB128 (values up to 2^32-1). */
  uleb(v: number): this {
    v >>>= 0;
    do {
      let byte = v & 0x7f;
      v >>>= 7;
      if (v !== 0) byte |= 0x80;
      this.u8(byte);
    } while (v !== 0);
    return this;
  }
  /** Signed LEB128 of an int32. */
  sleb(v: number): this {
    v |= 0;
    for (;;) {
      const byte = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
        this.u8(byte);
        return this;
      }
      this.u8(byte | 0x80);
    }
  }
  name(s: string): this {
    // ASCII (every name armvisor writes) byte by byte: TextEncoder allocates an array per call
    if (!isAscii(s)) {
      const b = utf8.encode(s);
      this.uleb(b.length);
      return this.bytes(b);
    }
    this.uleb(s.length);
    for (let i = 0; i < s.length; i++) this.u8(s.charCodeAt(i));
    return this;
  }
  /** Makes room for exactly `n` more bytes when there is not enough (no doubling: a final size). */
  reserveExact(n: number): this {
    if (this.len + n > this.buf.length) {
      const nb = new Uint8Array(this.len + n);
      nb.set(this.buf.subarray(0, this.len));
      this.buf = nb;
    }
    return this;
  }
  /** Appends `inner` prefixed by its length (sections, function bodies). */
  sized(inner: Bytes): this {
    this.uleb(inner.len);
    this.grow(inner.len);
    this.buf.set(inner.buf.subarray(0, inner.len), this.len);
    this.len += inner.len;
    return this;
  }
  finish(): Uint8Array<ArrayBuffer> {
    return this.len === this.buf.length ? this.buf : this.buf.slice(0, this.len);
  }
}

/** Is every character of `s` ASCII (one byte in UTF-8)? */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Bytes in the unsigned LEB128 encoding of `v`. */
function ulebLength(v: number): number {
  v >>>= 0;
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

/** One function body under construction. */
export class FuncBody {
  private readonly localTypes: ValType[] = [];
  /** The last `local.set` emitted: where it starts and ends, and its local (get() folds a get right after it). */
  private setAt = -1;
  private setEnd = -1;
  private setLocal = -1;
  /**
   * Names of locals (parameters included) for the module's name section, when the module is
   * built to be read (--dump-region); null otherwise, and no section is written.
   */
  localNames: Map<number, string> | null = null;
  constructor(
    readonly nparams: number,
    /** Where the code goes: region functions run to tens of KiB, so they start large (or reuse a buffer) rather than grow. */
    readonly code: Bytes = new Bytes(256),
  ) {}

  /** Parameters and locals declared so far. */
  get localCount(): number {
    return this.nparams + this.localTypes.length;
  }

  /** Declares a new local; returns its index. */
  local(t: ValType = I32): number {
    this.localTypes.push(t);
    return this.nparams + this.localTypes.length - 1;
  }

  op(o: number): this {
    this.code.u8(o);
    return this;
  }
  i32(v: number): this {
    const c = this.code;
    if (v >= -64 && v < 64) c.op1(O.i32_const, v & 0x7f);
    else c.u8(O.i32_const).sleb(v);
    return this;
  }
  /** i64.const of a value in the int32 range. */
  i64(v: number): this {
    this.code.u8(O.i64_const).sleb(v);
    return this;
  }
  get(l: number): this {
    const c = this.code;
    if (c.len === this.setEnd && l === this.setLocal) {
      // `local.set l; local.get l` is `local.tee l`: same length as the set, one op less.
      c.buf[this.setAt] = O.local_tee;
      this.setEnd = -1;
      return this;
    }
    c.op1(O.local_get, l);
    return this;
  }
  set(l: number): this {
    const c = this.code;
    this.setAt = c.len;
    this.setLocal = l;
    c.op1(O.local_set, l);
    this.setEnd = c.len;
    return this;
  }
  tee(l: number): this {
    this.code.u8(O.local_tee).uleb(l);
    return this;
  }
  /** A load or store with its memarg (align as log2, offset). */
  mem(o: number, alignLog2: number, offset: number): this {
    this.code.u8(o).uleb(alignLog2).uleb(offset);
    return this;
  }
  /** block/loop/if with an empty (0x40) or single-value result type. */
  open(o: typeof O.block | typeof O.loop | typeof O.if | typeof O.try, result: ValType | 0x40 = 0x40): this {
    this.code.u8(o).u8(result);
    return this;
  }
  end(): this {
    this.code.u8(O.end);
    return this;
  }
  br(depth: number): this {
    this.code.u8(O.br).uleb(depth);
    return this;
  }
  brIf(depth: number): this {
    this.code.u8(O.br_if).uleb(depth);
    return this;
  }
  brTable(depths: number[], dflt: number): this {
    this.code.u8(O.br_table).uleb(depths.length);
    for (const d of depths) this.code.uleb(d);
    this.code.uleb(dflt);
    return this;
  }
  call(f: number): this {
    this.code.u8(O.call).uleb(f);
    return this;
  }
  /** call_indirect of function type `type` through table 0; the entry's index on the stack. */
  callIndirect(type: number): this {
    this.code.u8(O.call_indirect).uleb(type).u8(0);
    return this;
  }

  /** The local declarations (run-length by type) that start the encoded body. */
  localsHeader(): Bytes {
    const out = new Bytes(16);
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    out.uleb(runs.length);
    for (const [n, t] of runs) out.uleb(n).u8(t);
    return out;
  }

  /** The encoded body: locals, then code, then `end`. */
  encode(): Bytes {
    const head = this.localsHeader();
    const out = new Bytes(head.len + this.code.len + 1);
    out.bytes(head.buf.subarray(0, head.len));
    out.bytes(this.code.buf.subarray(0, this.code.len));
    out.u8(O.end);
    return out;
  }
}

interface FuncImport {
  module: string;
  name: string;
  type: number;
}

/** The buffers writeSized fills, one per nesting level (the name section's subsections), reused. */
const sizedScratch: Bytes[] = [];
let sizedDepth = 0;

/** Appends to `out` id `id` and, prefixed by its size, what `fill` writes (a section, or a name subsection). */
function writeSized(out: Bytes, id: number, fill: (s: Bytes) => void): void {
  const s = (sizedScratch[sizedDepth] ??= new Bytes(256));
  s.len = 0;
  sizedDepth++;
  try {
    fill(s);
  } finally {
    sizedDepth--;
  }
  out.u8(id).sized(s);
}

/** A module: imported memory and functions, defined functions, exports. */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly typeSigs: [ValType[], ValType[]][] = [];
  private readonly imports: FuncImport[] = [];
  private readonly funcs: { type: number; body: FuncBody }[] = [];
  private readonly exports: { name: string; func: number }[] = [];
  private memImport: { module: string; name: string; min: number; max: number; shared: boolean } | null = null;
  private tableImport: { module: string; name: string; min: number; max: number } | null = null;

  /** Index of the function type (params) -> (results), deduplicated. */
  type(params: ValType[], results: ValType[]): number {
    const key = `${params.join(',')}>${results.join(',')}`;
    let i = this.types.indexOf(key);
    if (i < 0) {
      i = this.types.length;
      this.types.push(key);
      this.typeSigs.push([params, results]);
    }
    return i;
  }

  importMemory(module: string, name: string, minPages: number, maxPages: number, shared = false): void {
    this.memImport = { module, name, min: minPages, max: maxPages, shared };
  }

  /** Imports a funcref table (for call_indirect). */
  importTable(module: string, name: string, min: number, max: number): void {
    this.tableImport = { module, name, min, max };
  }

  /** Imports a function; must precede every addFunction. Returns its function index. */
  importFunc(module: string, name: string, params: ValType[], results: ValType[]): number {
    if (this.funcs.length) throw new Error('wasm: imports must come before functions');
    this.imports.push({ module, name, type: this.type(params, results) });
    return this.imports.length - 1;
  }

  get importCount(): number {
    return this.imports.length;
  }

  /** Functions added so far (their indices follow the imports'). */
  get funcCount(): number {
    return this.funcs.length;
  }

  /** Adds a function; returns its function index. */
  addFunction(params: ValType[], results: ValType[], body: FuncBody): number {
    this.funcs.push({ type: this.type(params, results), body });
    return this.imports.length + this.funcs.length - 1;
  }

  export(name: string, func: number): void {
    this.exports.push({ name, func });
  }

  /** Function names for the name section (imported and defined; locals come from the bodies' localNames); none by default. */
  private readonly funcNames = new Map<number, string>();

  /** Names function `func` (an index importFunc or addFunction returned) in the module's name section. */
  nameFunction(func: number, name: string): void {
    this.funcNames.set(func, name);
  }

  /**
   * The custom "name" section (WebAssembly spec, appendix "Name Section"): function names
   * (subsection 1) and local names (subsection 2), written only when something was named.
   */
  private nameSection(out: Bytes): void {
    const locals = this.funcs.map((f, i) => [this.imports.length + i, f.body.localNames] as const).filter(([, n]) => n !== null && n.size > 0);
    if (this.funcNames.size === 0 && locals.length === 0) return;
    writeSized(out, 0, (s) => {
      s.name('name');
      if (this.funcNames.size) {
        writeSized(s, 1, (b) => {
          const names = [...this.funcNames].sort((x, y) => x[0] - y[0]);
          b.uleb(names.length);
          for (const [i, n] of names) b.uleb(i).name(n);
        });
      }
      if (locals.length) {
        writeSized(s, 2, (b) => {
          b.uleb(locals.length);
          for (const [i, m] of locals) {
            const names = [...m!].sort((x, y) => x[0] - y[0]);
            b.uleb(i).uleb(names.length);
            for (const [l, n] of names) b.uleb(l).name(n);
          }
        });
      }
    });
  }

  finish(): Uint8Array<ArrayBuffer> {
    const out = new Bytes(4096);
    out.bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
    writeSized(out, 1, (s) => {
      s.uleb(this.typeSigs.length);
      for (const [p, r] of this.typeSigs) {
        s.u8(0x60).uleb(p.length);
        for (const t of p) s.u8(t);
        s.uleb(r.length);
        for (const t of r) s.u8(t);
      }
    });
    writeSized(out, 2, (s) => {
      s.uleb(this.imports.length + (this.memImport ? 1 : 0) + (this.tableImport ? 1 : 0));
      if (this.memImport) {
        const m = this.memImport;
        s.name(m.module).name(m.name).u8(0x02).u8(m.shared ? 0x03 : 0x01).uleb(m.min).uleb(m.max);
      }
      if (this.tableImport) {
        const t = this.tableImport;
        s.name(t.module).name(t.name).u8(0x01).u8(0x70).u8(0x01).uleb(t.min).uleb(t.max);
      }
      for (const i of this.imports) s.name(i.module).name(i.name).u8(0x00).uleb(i.type);
    });
    writeSized(out, 3, (s) => {
      s.uleb(this.funcs.length);
      for (const f of this.funcs) s.uleb(f.type);
    });
    writeSized(out, 7, (s) => {
      s.uleb(this.exports.length);
      for (const e of this.exports) s.name(e.name).u8(0x00).uleb(e.func);
    });
    // The code section, sized first so that each body's code is copied once, into the result;
    // with the custom sections after it, the result's exact size (no copy at the end) unless
    // a name section follows.
    const heads = this.funcs.map((f) => f.body.localsHeader());
    const bodyLen = this.funcs.map((f, i) => heads[i].len + f.body.code.len + 1);
    let size = ulebLength(this.funcs.length);
    for (const n of bodyLen) size += ulebLength(n) + n;
    let customs = 0;
    for (const [name, payload] of this.customs) {
      const n = isAscii(name) ? name.length : utf8.encode(name).length;
      const content = ulebLength(n) + n + payload.length;
      customs += 1 + ulebLength(content) + content;
    }
    out.reserveExact(1 + ulebLength(size) + size + customs);
    out.u8(10).uleb(size).uleb(this.funcs.length);
    this.funcs.forEach((f, i) => {
      out.uleb(bodyLen[i]).bytes(heads[i].buf.subarray(0, heads[i].len));
      out.bytes(f.body.code.buf.subarray(0, f.body.code.len)).u8(O.end);
    });
    for (const [name, payload] of this.customs) writeSized(out, 0, (c) => c.name(name).bytes(payload));
    this.nameSection(out);
    return out.finish();
  }

  /** Custom sections, written after the code (before the name section). */
  private readonly customs: [string, Uint8Array][] = [];
  customSection(name: string, payload: Uint8Array): void {
    this.customs.push([name, payload]);
  }
}

/** Floating-point opcodes (the JIT's inline VFP code, jit/vfp-inline.ts). */
export const OF = {
  f32_load: 0x2a,
  f64_load: 0x2b,
  f32_store: 0x38,
  f64_store: 0x39,
  f32_const: 0x43,
  f64_const: 0x44,
  f32_eq: 0x5b,
  f32_ne: 0x5c,
  f32_lt: 0x5d,
  f32_gt: 0x5e,
  f32_le: 0x5f,
  f32_ge: 0x60,
  f64_eq: 0x61,
  f64_ne: 0x62,
  f64_lt: 0x63,
  f64_gt: 0x64,
  f64_le: 0x65,
  f64_ge: 0x66,
  f32_abs: 0x8b,
  f32_neg: 0x8c,
  f32_sqrt: 0x91,
  f32_add: 0x92,
  f32_sub: 0x93,
  f32_mul: 0x94,
  f32_div: 0x95,
  f64_abs: 0x99,
  f64_neg: 0x9a,
  f64_trunc: 0x9d,
  f64_nearest: 0x9e,
  f64_sqrt: 0x9f,
  f64_add: 0xa0,
  f64_sub: 0xa1,
  f64_mul: 0xa2,
  f64_div: 0xa3,
  i32_trunc_f64_s: 0xaa,
  i32_trunc_f64_u: 0xab,
  f32_convert_i32_s: 0xb2,
  f32_convert_i32_u: 0xb3,
  f32_demote_f64: 0xb6,
  f64_convert_i32_s: 0xb7,
  f64_convert_i32_u: 0xb8,
  f64_promote_f32: 0xbb,
  i32_reinterpret_f32: 0xbc,
  i64_reinterpret_f64: 0xbd,
} as const;

/** fconst's scratch: an ArrayBuffer per constant cost more than the rest of emitting it. */
const fbytes = new DataView(new ArrayBuffer(8));

/** f32.const / f64.const: the value's IEEE bytes, little-endian. */
export function fconst(f: FuncBody, v: number, double: boolean): FuncBody {
  const b = fbytes;
  if (double) b.setFloat64(0, v, true);
  else b.setFloat32(0, v, true);
  f.op(double ? OF.f64_const : OF.f32_const);
  for (let i = 0; i < (double ? 8 : 4); i++) f.code.u8(b.getUint8(i));
  return f;
}

/**
 * Whether `memory` is shared: a module must declare its import the same way. The guest memory
 * (user and system mode) is shared because V8 does not count a shared buffer as external
 * memory, and an unshared one of user mode's 4 GiB forces a full garbage collection at start
 * ("external memory pressure").
 */
export function isShared(memory: WebAssembly.Memory): boolean {
  return memory.buffer instanceof SharedArrayBuffer;
}
