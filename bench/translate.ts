// Micro-benchmark of translation cost (benny): how many microseconds the lifter spends per
// guest instruction on real code, the A32 and Thumb-2 stretches of our test guests (built by
// scripts/build-guests.sh). The JIT of the next issue must keep tier 1 well under 2 µs.

import { readFileSync, existsSync } from 'node:fs';
import b from 'benny';
import { liftBlock, type CodeSource } from '../translator/lift/block.js';
import { codeRanges, loadSegments } from './elfcode.js';
import { guestPath } from './guestrun.js';

export interface TranslateResult {
  name: string;
  blocks: number;
  insns: number;
  /** Lifting runs per second of the whole set (benny's ops/s). */
  opsPerSec: number;
  usPerInsn: number;
  marginPct: number;
}

interface BlockSet {
  starts: { src: CodeSource; pc: number; thumb: boolean }[];
  insns: number;
}

function mergeSets(sets: BlockSet[]): BlockSet {
  return { starts: sets.flatMap((s) => s.starts), insns: sets.reduce((n, s) => n + s.insns, 0) };
}

/** Block starts found by walking each code range block after block, up to `limit` blocks. */
function blockSet(file: string, thumb: boolean, limit: number): BlockSet {
  const data = new Uint8Array(readFileSync(file));
  const src = loadSegments(data);
  const starts: BlockSet['starts'] = [];
  let insns = 0;
  for (const r of codeRanges(data)) {
    if (r.thumb !== thumb) continue;
    for (let pc = r.start; pc < r.end && starts.length < limit; ) {
      let blk;
      try {
        blk = liftBlock(src, pc, thumb, 0);
      } catch {
        pc += thumb ? 2 : 4;
        continue;
      }
      starts.push({ src, pc, thumb });
      insns += blk.ninsns;
      pc = blk.end > pc ? blk.end : pc + (thumb ? 2 : 4);
    }
  }
  return { starts, insns };
}

function liftAll(s: BlockSet): number {
  let n = 0;
  for (const { src, pc, thumb } of s.starts) n += liftBlock(src, pc, thumb, 0).ninsns;
  return n;
}

/** Runs the benny suite; `quick` shortens the sampling. */
export async function benchTranslate(opts: { quick?: boolean; log?: (line: string) => void } = {}): Promise<TranslateResult[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const sets: [string, BlockSet][] = [];
  const arm = ['nbody', 'strings', 'sort', 'hash'].map((g) => guestPath(g, 'arm')).filter((f) => existsSync(f));
  const thumb = guestPath('nbody', 'thumb');
  if (arm.length === 0 || !existsSync(thumb)) throw new Error('test guests not built: run `bash scripts/build-guests.sh`');
  sets.push(['lift A32 blocks', mergeSets(arm.slice(0, 2).map((f) => blockSet(f, false, 400)))]);
  sets.push(['lift Thumb-2 blocks', blockSet(thumb, true, 600)]);
  for (const [name, s] of sets) if (s.insns === 0) throw new Error(`${name}: no code found`);

  const cases = { minTime: opts.quick ? 0.5 : 2, maxTime: opts.quick ? 1 : 4 };
  const summary = await b.suite(
    'translation cost',
    b.configure({ cases }),
    ...sets.map(([name, s]) => b.add(name, () => liftAll(s))),
  );
  const results: TranslateResult[] = summary.results.map((r) => {
    const s = sets.find(([n]) => n === r.name)![1];
    return {
      name: r.name,
      blocks: s.starts.length,
      insns: s.insns,
      opsPerSec: r.ops,
      usPerInsn: 1e6 / (r.ops * s.insns),
      marginPct: r.margin,
    };
  });
  for (const r of results) log(`${r.name}: ${r.usPerInsn.toFixed(3)} µs per guest instruction (${r.blocks} blocks, ${r.insns} instructions, ±${r.marginPct.toFixed(1)}%)`);
  return results;
}
