// Micro-benchmark of translation cost (benny): microseconds per guest instruction on real code,
// the A32 and Thumb-2 stretches of our test guests (built by scripts/build-guests.sh): lifting
// alone, and tier 1 whole (lifting, wasm generation of the pages' regions and V8's compile of
// the module). Issue 4's target: tier 1 ≤ 2 µs per guest instruction.

import { readFileSync, existsSync } from 'node:fs';
import b from 'benny';
import { liftBlock, type CodeSource } from '../translator/lift/block.js';
import type { IRBlock } from '../translator/ir.js';
import { buildModule, type JitTarget } from '../translator/jit/module.js';
import { FlatMemory, STATE_BASE } from '../runtime/memory/flat.js';
import { flatJitTarget } from '../runtime/memory/flat-jit.js';
import { CpuState } from '../translator/state.js';
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

let target: JitTarget | undefined;

/** Tier 1 for the whole set: lift, group each page's blocks into regions, build, compile. */
function tier1All(s: BlockSet): number {
  if (!target) {
    const mem = new FlatMemory();
    target = flatJitTarget(mem, new CpuState(mem.memory.buffer, STATE_BASE));
  }
  const byPage = new Map<number, IRBlock[]>();
  let n = 0;
  for (const { src, pc, thumb } of s.starts) {
    const blk = liftBlock(src, pc, thumb, 0);
    n += blk.ninsns;
    const page = pc >>> 12;
    let l = byPage.get(page);
    if (!l) byPage.set(page, (l = []));
    l.push(blk);
  }
  const regions: IRBlock[][] = [];
  for (const l of byPage.values()) for (let i = 0; i < l.length; i += 64) regions.push(l.slice(i, i + 64));
  // Modules of at most 8 regions, as the JIT batches them.
  for (let i = 0; i < regions.length; i += 8) new WebAssembly.Module(buildModule(regions.slice(i, i + 8), target).bytes);
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
    ...sets.map(([name, s]) => b.add(name.replace('lift', 'tier 1 (lift, wasm, V8 compile):'), () => tier1All(s))),
  );
  const results: TranslateResult[] = summary.results.map((r) => {
    const s = sets.find(([n]) => n === r.name || n.replace('lift', 'tier 1 (lift, wasm, V8 compile):') === r.name)![1];
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
