// The linear memory of a system-mode machine: one WebAssembly.Memory holding the vCPU's state
// block, the software TLB that generated code reads (translator/jit/softmmu.ts) and guest RAM,
// so generated code reaches all three with plain loads and stores.
//
//   0x0000  unused (a stray null address lands on nothing that matters)
//   0x1000  CPU state block (STATE_BYTES)
//   0x2000  TLB tables (TLB_BYTES: 128 KiB)
//   0x30000 the wasm dispatcher's table (DISPATCH_BYTES: 1 MiB)
//   0x200000 guest RAM (ramSize bytes), to the end

import { DISPATCH_BYTES } from '../../translator/jit/dispatch.js';
import { TLB_BYTES } from '../../translator/jit/softmmu.js';
import { CpuState, STATE_BYTES } from '../../translator/state.js';

export const SPACE_STATE = 0x1000;
export const SPACE_TLB = 0x2000;
export const SPACE_DISPATCH = 0x30000;
export const SPACE_RAM = 0x200000;
const WASM_PAGE = 0x10000;

export interface SysSpace {
  memory: WebAssembly.Memory;
  /** Size in wasm pages (fixed: the memory never grows, so views stay valid). */
  pages: number;
  state: CpuState;
  tlbBase: number;
  dispatchBase: number;
  /** Guest RAM, a view of the memory at ramOffset. */
  ram: Uint8Array;
  ramOffset: number;
}

export function createSysSpace(ramSize: number): SysSpace {
  if (SPACE_STATE + STATE_BYTES > SPACE_TLB || SPACE_TLB + TLB_BYTES > SPACE_DISPATCH || SPACE_DISPATCH + DISPATCH_BYTES > SPACE_RAM) throw new Error('sysspace: layout overlaps');
  const pages = Math.ceil((SPACE_RAM + ramSize) / WASM_PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return {
    memory,
    pages,
    state: new CpuState(memory.buffer, SPACE_STATE),
    tlbBase: SPACE_TLB,
    dispatchBase: SPACE_DISPATCH,
    ram: new Uint8Array(memory.buffer, SPACE_RAM, ramSize),
    ramOffset: SPACE_RAM,
  };
}
