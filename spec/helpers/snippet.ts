// Runs a few hand-encoded instructions through the decoder, lifter and interpreter on one
// shared FlatMemory (a 4 GiB memory per run would be slow): A32 words or Thumb halfwords at
// CODE, an SVC appended, until the first non-NEXT exit.
import { FlatMemory, Perm, STATE_BASE } from '../../runtime/memory/flat.js';
import { Engine } from '../../runtime/exec.js';
import { CpuState, W } from '../../translator/state.js';

export const CODE = 0x10000;
export const DATA = 0x20000;
export const ARM_SVC = 0xef000000;
export const T16_SVC = 0xdf00;

export interface Run {
  cpu: CpuState;
  mem: FlatMemory;
  exit: number;
}

export interface SnippetLayout {
  /** Bytes mapped R+X at CODE. */
  codeBytes: number;
  /** Bytes mapped R+W at DATA. */
  dataBytes: number;
  /** Fill the first KiB of DATA with a known pattern ((i * 7 + 3) & 0xff). */
  pattern: boolean;
}

let shared: FlatMemory | undefined;

export function runSnippet(code: number[], thumb: boolean, init: (cpu: CpuState, mem: FlatMemory) => void, layout: SnippetLayout): Run {
  const mem = (shared ??= new FlatMemory());
  mem.u8.fill(0, CODE, CODE + layout.codeBytes);
  mem.u8.fill(0, DATA, DATA + layout.dataBytes);
  mem.perm.fill(0);
  new Int32Array(mem.memory.buffer, STATE_BASE, 256).fill(0);
  const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
  mem.protect(CODE, layout.codeBytes, Perm.R | Perm.X);
  mem.protect(DATA, layout.dataBytes, Perm.R | Perm.W);
  let a = CODE;
  for (const w of code) {
    if (thumb) mem.dv.setUint16(a, w, true);
    else mem.dv.setUint32(a, w >>> 0, true);
    a += thumb ? 2 : 4;
  }
  if (thumb) mem.dv.setUint16(a, T16_SVC, true);
  else mem.dv.setUint32(a, ARM_SVC, true);
  if (layout.pattern) for (let i = 0; i < 0x400; i++) mem.u8[DATA + i] = (i * 7 + 3) & 0xff;
  cpu.pc = CODE;
  cpu.i32[W.T] = thumb ? 1 : 0;
  init(cpu, mem);
  const exit = new Engine(cpu, mem).run(1000);
  return { cpu, mem, exit };
}
