// Batches generated block functions into one wasm module (paying V8's per-module cost once)
// and instantiates it against the shared memory, the helpers and the slow memory paths.

import { HELPERS } from '../helpers.js';
import type { IRBlock } from '../ir.js';
import type { CpuState } from '../state.js';
import { I32, ModuleBuilder } from '../wasm/builder.js';
import { genBlock, type MemStrategy } from './codegen.js';

export interface JitTarget {
  memory: WebAssembly.Memory;
  /** Memory pages the module declares for its import (min = max = current size). */
  pages: number;
  cpu: CpuState;
  strategy: MemStrategy;
  /** Slow-path load; on a fault sets state JIT_FAULT (and FAULT_ADDR) and returns 0. */
  slowLoad(addr: number, flags: number): number;
  /** Slow-path store; on a fault sets state JIT_FAULT (and FAULT_ADDR). */
  slowStore(addr: number, value: number, flags: number): void;
}

export type BlockFn = () => number;

export interface CompiledModule {
  fns: BlockFn[];
  bytes: Uint8Array<ArrayBuffer>;
}

/** Builds the module bytes for `blocks` (exported as f0, f1, ...) and its helper ids. */
export function buildModule(blocks: IRBlock[], target: Pick<JitTarget, 'pages' | 'cpu' | 'strategy'>): { bytes: Uint8Array<ArrayBuffer>; helperIds: number[] } {
  const m = new ModuleBuilder();
  m.importMemory('e', 'm', target.pages, target.pages);
  const slowLoad = m.importFunc('e', 'ld', [I32, I32], [I32]);
  const slowStore = m.importFunc('e', 'st', [I32, I32, I32], []);
  // Import every helper the batch calls, before any function is added.
  const helperIds: number[] = [];
  const helperFunc = new Map<number, number>();
  for (const b of blocks)
    for (const o of b.ops)
      if (o.op === 30 /* CALL */ && !helperFunc.has(o.imm)) {
        helperFunc.set(o.imm, m.importFunc('h', String(o.imm), [I32, I32, I32, I32], [I32]));
        helperIds.push(o.imm);
      }
  const imports = {
    slowLoad,
    slowStore,
    helper: (id: number) => {
      const f = helperFunc.get(id);
      if (f === undefined) throw new Error(`jit: helper ${id} not imported`);
      return f;
    },
  };
  blocks.forEach((b, i) => {
    const body = genBlock(b, target.cpu.base, target.strategy, imports);
    m.export(`f${i}`, m.addFunction([], [I32], body));
  });
  return { bytes: m.finish(), helperIds };
}

/** Compiles and instantiates `blocks` synchronously; returns one function per block. */
export function compileBlocks(blocks: IRBlock[], target: JitTarget): CompiledModule {
  const { bytes, helperIds } = buildModule(blocks, target);
  const cpu = target.cpu;
  const h: Record<string, Function> = {};
  for (const id of helperIds) {
    const fn = HELPERS[id].fn;
    h[String(id)] = (a: number, b: number, c: number, d: number) => fn(cpu, a, b, c, d) | 0;
  }
  const mod = new WebAssembly.Module(bytes);
  const inst = new WebAssembly.Instance(mod, {
    e: { m: target.memory, ld: target.slowLoad, st: target.slowStore },
    h,
  });
  const ex = inst.exports as Record<string, BlockFn>;
  return { fns: blocks.map((_, i) => ex[`f${i}`]), bytes };
}
