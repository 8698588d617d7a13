// Helper calls: operations the IR expresses as a call rather than as ops (VFP arithmetic with
// its FPSCR rules, saturating and parallel arithmetic...). One registry, by id, shared by the
// interpreter (direct calls) and the wasm emitter (imports). A helper takes the vCPU state and
// up to four i32 arguments and returns an i32 (ignored by void calls).

import type { CpuState } from './state.js';

export type HelperFn = (cpu: CpuState, a: number, b: number, c: number, d: number) => number;

export interface Helper {
  id: number;
  name: string;
  fn: HelperFn;
  /** True when the helper reads or writes guest registers in the state block (besides its args). */
  touchesState: boolean;
  /** It touches only the VFP registers and FPSCR, which never live in wasm locals: generated code spills nothing around it. */
  vfpOnly: boolean;
  /**
   * It may throw CpuTrap (the system-mode helpers of sem/priv.ts, named sys_*): generated code
   * catches that in the import's wrapper, which sets JIT_FAULT, and checks it after the call.
   */
  traps: boolean;
  /**
   * The state words it may change (its result aside), when that is a short list: generated
   * code then reloads only these after the call (besides writing the words it holds in locals
   * back before it). null: any word. spec/helper-writes.test.ts checks each list.
   */
  writes: readonly number[] | null;
}

export const HELPERS: Helper[] = [];
const byName = new Map<string, Helper>();

/**
 * Registers a helper once (idempotent by name) and returns its id. `touches`: what of the
 * state block it may read or write besides its arguments: everything (true), nothing (false),
 * or only the VFP registers and FPSCR ('vfp'). `writes`: see Helper.writes.
 */
export function defineHelper(name: string, fn: HelperFn, touches: boolean | 'vfp' = true, writes: readonly number[] | null = null): number {
  const old = byName.get(name);
  if (old) {
    if (old.fn !== fn) throw new Error(`helper ${name} defined twice`);
    return old.id;
  }
  const h: Helper = { id: HELPERS.length, name, fn, touchesState: touches !== false, vfpOnly: touches === 'vfp', traps: name.startsWith('sys_'), writes };
  HELPERS.push(h);
  byName.set(name, h);
  return h.id;
}

export function helperByName(name: string): Helper | undefined {
  return byName.get(name);
}
