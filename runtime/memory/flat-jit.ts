// The JIT target for Linux user mode: flat memory, with the FlatMemory doing every access the
// generated code's fast path refuses (unmapped, permission, alignment, page crossing, code pages).

import { FlatStrategy } from '../../translator/jit/flat.js';
import { slowPaths, type JitTarget } from '../../translator/jit/module.js';
import type { CpuState } from '../../translator/state.js';
import { DISPATCH_BASE, FAST_BASE, FAST_STRIDE, PERM_BASE, type FlatMemory } from './flat.js';

export function flatJitTarget(mem: FlatMemory, cpu: CpuState): JitTarget {
  return {
    memory: mem.memory,
    pages: 65536,
    cpu,
    strategy: new FlatStrategy(PERM_BASE, true, FAST_BASE, FAST_STRIDE),
    dispatchBase: DISPATCH_BASE,
    ...slowPaths(mem, cpu),
  };
}
