// Translated blocks by (guest PC, Thumb, ITSTATE), with a per-page index so a write to
// code, munmap or mprotect drops exactly the blocks of that page.

import type { IRBlock } from './ir.js';
import type { BlockEntry } from './jit/jit.js';

export function blockKey(pc: number, thumb: boolean, it: number): number {
  return (pc >>> 0) * 512 + (it & 0xff) * 2 + (thumb ? 1 : 0);
}

export class BlockCache {
  private readonly blocks = new Map<number, BlockEntry>();
  private readonly byPage = new Map<number, number[]>();
  translations = 0;
  invalidations = 0;

  get(key: number): BlockEntry | undefined {
    return this.blocks.get(key);
  }

  /** Enters `block`; `sid` is its record's id in the translation store, or -1 (BlockEntry.sid). */
  put(key: number, block: IRBlock, sid = -1): BlockEntry {
    const e: BlockEntry = { block, region: null, index: 0, slot: -1, group: null, dead: false, sid, offer: false };
    this.blocks.set(key, e);
    this.translations++;
    // A block starts within one page, but its last instruction may end on the next; index both.
    const p0 = block.pc >>> 12;
    // (A block that faults on its first fetch has end == pc.)
    const p1 = block.end > block.pc ? ((block.end - 1) >>> 0) >>> 12 : p0;
    for (let p = p0; p <= p1; p++) {
      let l = this.byPage.get(p);
      if (!l) this.byPage.set(p, (l = []));
      l.push(key);
    }
    return e;
  }

  /** Drops every block that has code on page `page`; returns them. */
  invalidatePage(page: number): BlockEntry[] {
    const l = this.byPage.get(page);
    if (!l) return [];
    this.byPage.delete(page);
    const out: BlockEntry[] = [];
    for (const k of l) {
      const e = this.blocks.get(k);
      if (e) {
        e.dead = true;
        out.push(e);
      }
      this.blocks.delete(k);
    }
    this.invalidations++;
    return out;
  }

  /** The live blocks whose code starts on `page`. */
  onPage(page: number): BlockEntry[] {
    const out: BlockEntry[] = [];
    for (const k of this.byPage.get(page) ?? []) {
      const e = this.blocks.get(k);
      if (e && e.block.pc >>> 12 === page) out.push(e);
    }
    return out;
  }

  clear(): void {
    for (const e of this.blocks.values()) e.dead = true;
    this.blocks.clear();
    this.byPage.clear();
  }

  get size(): number {
    return this.blocks.size;
  }
}
