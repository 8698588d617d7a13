// IR passes for the JIT (translator/opt/): cutting lifted blocks short at another block's
// entry must give exactly what the lifter gives when told to stop there, on real guest code
// (our guests' text in A32 and Thumb-2, IT blocks included).
import { existsSync, readFileSync } from 'node:fs';
import { formatIR, Op } from '../translator/ir.js';
import { liftBlock, type CodeSource } from '../translator/lift/block.js';
import { truncateBlock } from '../translator/opt/truncate.js';
import { parseElf, PT_LOAD } from '../runtime/linux/elf.js';
import { guestPath } from './helpers/differential.js';

/** The executable segments of an ELF as a CodeSource, and their address ranges. */
function elfCode(path: string): { src: CodeSource; ranges: [number, number][] } {
  const img = parseElf(new Uint8Array(readFileSync(path)));
  const segs = img.phdrs.filter((p) => p.type === PT_LOAD && p.flags & 1);
  const src: CodeSource = {
    fetch16(a: number): number {
      for (const s of segs) if (a >= s.vaddr && a + 2 <= s.vaddr + s.filesz) return img.data[s.offset + a - s.vaddr] | (img.data[s.offset + a - s.vaddr + 1] << 8);
      throw new Error(`no code at ${a.toString(16)}`);
    },
  };
  return { src, ranges: segs.map((s) => [s.vaddr, s.vaddr + s.filesz]) };
}

for (const isa of ['arm', 'thumb'] as const) {
  const path = guestPath('hash', isa);
  const run = existsSync(path) ? test : test.skip; // built by scripts/build-guests.sh (npm test's pretest)
  run(`truncateBlock equals lifting with stopAt, every stop point of ${isa} blocks`, () => {
    const { src, ranges } = elfCode(path);
    const thumb = isa === 'thumb';
    const [lo, hi] = ranges[0];
    let checked = 0;
    let its = 0;
    // Blocks starting every few instructions of the text, each cut at each of its instructions.
    for (let pc = lo; pc < Math.min(hi - 256, lo + 0x3000); pc += thumb ? 26 : 52) {
      let full;
      try {
        full = liftBlock(src, pc, thumb, 0, { maxInsns: 64 });
      } catch {
        continue; // ran off the segment
      }
      const insns = full.ops.filter((o) => o.op === Op.INSN).map((o) => o.imm >>> 0);
      for (const stopPc of insns.slice(1).filter((_, i) => i % 5 === 0 || i < 4)) {
        const stop = (p: number) => p === stopPc;
        const cut = truncateBlock(full, stop);
        const relift = liftBlock(src, pc, thumb, 0, { maxInsns: 64, stopAt: stop });
        expect(formatIR(cut)).toBe(formatIR(relift));
        expect([cut.ninsns, cut.end, cut.ntemps]).toEqual([relift.ninsns, relift.end, relift.ntemps]);
        if (cut.ops.some((o) => o.op === Op.INSN && o.c > 0)) its++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
    if (thumb) expect(its).toBeGreaterThan(0);
  });
}
