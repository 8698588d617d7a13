// The JIT target for Linux user mode: flat memory, with the FlatMemory doing every access the
// generated code's fast path refuses (unmapped, permission, alignment, page crossing, code pages).

import { MemFault } from '../../translator/interp.js';
import { Exit } from '../../translator/ir.js';
import { FlatStrategy } from '../../translator/jit/codegen.js';
import type { JitTarget } from '../../translator/jit/module.js';
import { W, type CpuState } from '../../translator/state.js';
import { DISPATCH_BASE, PERM_BASE, type FlatMemory } from './flat.js';

export function flatJitTarget(mem: FlatMemory, cpu: CpuState): JitTarget {
  const fault = (e: unknown): void => {
    if (!(e instanceof MemFault)) throw e;
    cpu.i32[W.FAULT_ADDR] = e.addr;
    cpu.i32[W.JIT_FAULT] = e.kind === 'alignment' ? Exit.ALIGN_FAULT : Exit.DATA_ABORT;
  };
  return {
    memory: mem.memory,
    pages: 65536,
    cpu,
    strategy: new FlatStrategy(PERM_BASE),
    dispatchBase: DISPATCH_BASE,
    slowLoad(addr, flags) {
      try {
        return mem.load(addr >>> 0, flags);
      } catch (e) {
        fault(e);
        return 0;
      }
    },
    slowStore(addr, value, flags) {
      try {
        mem.store(addr >>> 0, value, flags);
      } catch (e) {
        fault(e);
      }
    },
  };
}
