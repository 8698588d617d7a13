// --dump-region reads a region's module with a name section (translator/jit/wat.ts): the names
// must be all that differs from the module the JIT runs, and name what they claim to.
import { readFileSync } from 'node:fs';
import { liftBlock } from '../translator/lift/block.js';
import { buildModule } from '../translator/jit/module.js';
import { regionWat } from '../translator/jit/wat.js';
import { FlatMemory, PERM_BASE, STATE_BASE } from '../runtime/memory/flat.js';
import { flatJitTarget } from '../runtime/memory/flat-jit.js';
import { FlatStrategy } from '../translator/jit/flat.js';
import { CpuState } from '../translator/state.js';
import { codeRanges, loadSegments } from '../bench/elfcode.js';
import { guestPath, requireFile } from './helpers/differential.js';
import type { IRBlock } from '../translator/ir.js';

/** The first `max` blocks of each code range of a test guest, by page, as regions of at most 64. */
function regionsOf(guest: string, isa: 'arm' | 'thumb', max: number): IRBlock[][] {
  const file = guestPath(guest, isa);
  requireFile(file, `the ${guest} guest`);
  const elf = new Uint8Array(readFileSync(file));
  const src = loadSegments(elf);
  const byPage = new Map<number, IRBlock[]>();
  let n = 0;
  for (const r of codeRanges(elf)) {
    for (let pc = r.start; pc < r.end && n < max; ) {
      let b: IRBlock;
      try {
        b = liftBlock(src, pc, r.thumb, 0);
      } catch {
        pc += 2;
        continue;
      }
      n++;
      const l = byPage.get(pc >>> 12) ?? [];
      byPage.set(pc >>> 12, l);
      if (l.length < 64) l.push(b);
      pc = b.end > pc ? b.end : pc + 2;
    }
  }
  return [...byPage.values()];
}

const mem = new FlatMemory();
const target = flatJitTarget(mem, new CpuState(mem.memory.buffer, STATE_BASE));

test.each([
  ['nbody', 'arm'],
  ['sort', 'thumb'],
] as const)('%s-%s: with names, the same module bytes followed by one custom "name" section', (guest, isa) => {
  for (const regions of regionsOf(guest, isa, 600).map((r) => [r])) {
    const plain = buildModule(regions, target).bytes;
    const named = buildModule(regions, target, true).bytes;
    expect(Buffer.from(named.subarray(0, plain.length)).equals(Buffer.from(plain))).toBe(true);
    const rest = named.subarray(plain.length);
    expect(rest[0]).toBe(0); // a custom section...
    let at = 1;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = rest[at++];
      size |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    expect(at + size).toBe(rest.length); // ...that ends the module...
    expect(rest[at]).toBe(4);
    expect(new TextDecoder().decode(rest.subarray(at + 1, at + 5))).toBe('name'); // ...called "name"
    expect(() => new WebAssembly.Module(named)).not.toThrow();
  }
});

test('the text names the guest registers a region keeps in locals, and the helpers it calls', async () => {
  const [blocks] = regionsOf('nbody', 'arm', 400).filter((r) => r.some((b) => b.code.some((_, k) => k % 6 === 0 && b.code[k] === 30 /* CALL */)));
  const wat = await regionWat(blocks, target);
  expect(wat).toMatch(/\(param \$entry i32\)/);
  expect(wat).toMatch(/\(local \$(r\d+|sp|lr|pc) i32\)/);
  // User mode's slow paths are region exits (jit/slowexit.ts): no slow-path imports to name...
  expect(wat).not.toMatch(/slow_load|slow_store/);
  // Helpers are called through the helper table, each call named in a comment.
  expect(wat).toMatch(/\(import "e" "h" \(table /);
  expect(wat).toMatch(/^\s*i32\.const \d+\n\s*call_indirect .*;; helper vfp_[a-z_]+$/m);
  // ...but with slow-path calls (as in system mode) they are named too.
  const callWat = await regionWat(blocks, { ...target, strategy: new FlatStrategy(PERM_BASE, false) });
  expect(callWat).toMatch(/\(import "e" "ld" \(func \$slow_load /);
  expect(callWat).toMatch(/\(import "e" "st" \(func \$slow_store /);
  expect(wat).toMatch(/local\.set \$pc\b/);
  // A comment where each block's code begins, in the br_table's order, then the lookup.
  const marks = [...wat.matchAll(/^\s*;; (block (\d+): 0x([0-9a-f]{8})|the indirect-branch lookup)/gm)];
  expect(marks.map((m) => (m[2] === undefined ? 'lookup' : Number(m[2])))).toEqual([...blocks.keys(), 'lookup']);
  marks.slice(0, -1).forEach((m, k) => expect(parseInt(m[3], 16)).toBe(blocks[k].pc >>> 0));
});
