// Generated code calls the JavaScript helpers (translator/helpers.ts) through one funcref table
// per vCPU: `call_indirect` with the helper's id, whose entry is a small wasm function calling
// the helper. Modules import the table instead of the helpers: V8 11.3 (Node 20) compiles a
// wrapper for each imported function into the module that imports it (~40-90 µs each), where a
// table import costs it ~20 µs (each tier-1 module used to import the helpers it calls).

import { CpuTrap } from '../sys.js';
import { HELPERS } from '../helpers.js';
import type { CpuState } from '../state.js';
import { W } from '../state.js';
import { FuncBody, I32, ModuleBuilder } from '../wasm/builder.js';

/** Entries of a helper table: room for every helper id (HELPERS), as modules import it with these limits. */
export const HELPER_TABLE_SIZE = 256;
/** A helper's signature in generated code: four arguments, one result. */
export const HELPER_SIG = [I32, I32, I32, I32] as const;

/** The custom section of a module that lists the helper ids it calls, a byte each. */
export const HELPER_SECTION = 'armvisor.helpers';

interface Filled {
  table: WebAssembly.Table;
  /** Per helper id: its entry is set. */
  has: Uint8Array;
}
const tables = new WeakMap<CpuState, Filled>();

/**
 * The helper table of `cpu`, with entries for helpers `ids` at least. Entries are made when
 * a module first needs them, several in one module of trampolines: V8 compiles each imported
 * function's wrapper into the module that imports it (~40-90 µs each), and a short run calls
 * few of the helpers (all 65 at once took 2.4-13 ms).
 */
export function helperTable(cpu: CpuState, ids: ArrayLike<number>): WebAssembly.Table {
  let t = tables.get(cpu);
  if (!t) {
    t = { table: new WebAssembly.Table({ element: 'anyfunc', initial: HELPER_TABLE_SIZE, maximum: HELPER_TABLE_SIZE }), has: new Uint8Array(HELPER_TABLE_SIZE) };
    tables.set(cpu, t);
  }
  let missing: number[] | null = null;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (t.has[id]) continue;
    if (id >= HELPERS.length) throw new Error(`jit: a module calls helper ${id}, which is not registered`);
    if (!missing?.includes(id)) (missing ??= []).push(id);
  }
  if (missing) fill(t, cpu, missing);
  return t.table;
}

/** Entries for helpers `ids`: one module of trampolines, each calling its imported helper. */
function fill(t: Filled, cpu: CpuState, ids: number[]): void {
  const m = new ModuleBuilder();
  const sig = [...HELPER_SIG];
  const h: Record<string, Function> = {};
  for (const id of ids) {
    m.importFunc('h', String(id), sig, [I32]);
    h[String(id)] = jsHelper(cpu, id);
  }
  for (let i = 0; i < ids.length; i++) m.export(String(i), m.addFunction(sig, [I32], new FuncBody(4).get(0).get(1).get(2).get(3).call(i)));
  const ex = new WebAssembly.Instance(new WebAssembly.Module(m.finish()), { h }).exports;
  ids.forEach((id, i) => {
    t.table.set(id, ex[String(i)] as Function);
    t.has[id] = 1;
  });
}

/** Helper `id` as generated code calls it: on `cpu`, its result an i32; a CpuTrap recorded in JIT_FAULT, which generated code checks after the call. */
function jsHelper(cpu: CpuState, id: number): Function {
  // helper.fn read at each call, not once here: tests replace it to count calls
  const helper = HELPERS[id];
  return helper.traps
    ? (a: number, b: number, c: number, d: number) => {
        try {
          return helper.fn(cpu, a, b, c, d) | 0;
        } catch (e) {
          if (!(e instanceof CpuTrap)) throw e;
          cpu.i32[W.JIT_FAULT] = e.reason;
          return 0;
        }
      }
    : (a: number, b: number, c: number, d: number) => helper.fn(cpu, a, b, c, d) | 0;
}
