// Slow paths as region exits (user mode, MemStrategy.slowExits): a load or store whose
// fast-path test fails leaves the region just before its instruction, and the engine runs the
// instruction, and the rest of its block, in the interpreter, whose memory port does what the
// slow path would (page-crossing accesses, stores to pages holding translated code, faults).
// Calling the slow path from generated code instead and rejoining costs V8's baseline compiler
// a call and an if/else merge at every access: leaving made the tier-1 benchmark's compile a
// fifth cheaper (docs/ARCHITECTURE.md). The exit carries the access's site (module.ts
// SiteTable): its instruction's PC, ITSTATE and index in its block.

import type { RegionFn, SiteTable } from './module.js';

/** The reason in the low 4 bits of a region's return value for a slow-path exit; the site id is above it. */
export const EXIT_SLOW = 14;

/** Is `r`, a region's (or the wasm dispatcher's) return value, a slow-path exit? */
export function isSlowExit(r: number): boolean {
  return (r & 15) === EXIT_SLOW;
}

/** Each region function's module site table (module.ts instantiate). */
const siteTables = new WeakMap<RegionFn, SiteTable>();

export function noteSiteTable(fn: RegionFn, sites: SiteTable): void {
  siteTables.set(fn, sites);
}

/** Where slow-path exit `r` of region `fn` left: the instruction's PC, its ITSTATE (-1: not tracked) and index in its block. */
export function slowExitPoint(fn: RegionFn, r: number): { pc: number; it: number; index: number } {
  const sites = siteTables.get(fn);
  const id = r >>> 4;
  if (!sites || 2 * id + 1 >= sites.length) throw new Error(`jit: slow-path exit ${id} of a region without that site`);
  const word = sites[2 * id];
  return { pc: sites[2 * id + 1] >>> 0, it: (word >>> 16) - 1, index: (word >>> 7) & 0x1ff };
}
