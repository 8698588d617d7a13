// Micro-benchmark of translation cost (benny): microseconds per guest instruction on real code,
// the same functions of our test guests (built by scripts/build-guests.sh) in their A32 and
// Thumb-2 builds: lifting (the CPU issue's lifter: decoding to IR), and tier 1 as the JIT runs
// it when a page turns hot (jit.ts flush): from blocks lifted already (the interpreter ran
// them), the wasm of the pages' regions, V8's compile and the instantiation. Issue 4's target:
// tier 1, "a wasm byte emitter reading the lifter's IR", ≤ 2 µs per guest instruction
// including V8's compile. The JIT lifts a block once, when the interpreter first meets it,
// whether or not its page ever turns hot; lifting and tier 1 together are reported beside it.
//
// V8 runs as under `armvisor run` (Liftoff only), except that wasm compilation is eager:
// V8 compiles a function lazily on its first call by default, so `new WebAssembly.Module`
// alone would leave the compile out; and every module's bytes are made unique (`uncached`),
// since V8 reuses the compiled code of bytes it has compiled before. Besides benny's wall-clock figure, each case reports the
// median process CPU time per guest instruction (the machine is shared).

import { readFileSync, existsSync } from 'node:fs';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import b from 'benny';
import { liftBlock, type CodeSource } from '../translator/lift/block.js';
import type { IRBlock } from '../translator/ir.js';
import { buildModule, instantiate, type JitTarget } from '../translator/jit/module.js';
import { FlatMemory, STATE_BASE } from '../runtime/memory/flat.js';
import { flatJitTarget } from '../runtime/memory/flat-jit.js';
import { CpuState } from '../translator/state.js';
import { codeRanges, functionSymbols, loadSegments } from './elfcode.js';
import { guestPath } from './guestrun.js';
import { readCpuTimes, stealPercent } from './steal.js';
import { referenceLoopNs } from './calibrate.js';
import type { TranslateChildMessage } from './translate-child.js';

export interface TranslateResult {
  name: string;
  blocks: number;
  insns: number;
  /** Lifting runs per second of the whole set (benny's ops/s). */
  opsPerSec: number;
  usPerInsn: number;
  marginPct: number;
  /** Median process CPU time (all threads: V8's compiler and GC too) per guest instruction. */
  cpuUsPerInsn: number;
  /**
   * Per cent of the machine's CPU time its hypervisor gave to other guests while this case ran
   * (bench/steal.ts); null where unknown.
   */
  stealPct: number | null;
  /**
   * The machine's speed around this case: bench/calibrate.ts's reference loop, ns per
   * iteration (the mean of its times just before and just after the case; ~1.0 when quiet).
   */
  refNs?: number;
  /** Each run's usPerInsn, when the suite ran more than once (bestOfRuns: this result is the fastest run's). */
  runsUs?: number[];
  /** Each run's stealPct and refNs, likewise. */
  runsSteal?: (number | null)[];
  runsRefNs?: (number | null)[];
}

/**
 * Case by case, the fastest of several runs of the suite (the rule of the benchmark's workload
 * times, whose fastest run counts), with every run's figure in runsUs.
 */
export function bestOfRuns(runs: readonly (readonly TranslateResult[])[]): TranslateResult[] {
  if (runs.length === 0) return [];
  return runs[0]!.map((first) => {
    const all = runs.map((r) => r.find((x) => x.name === first.name)).filter((x): x is TranslateResult => x !== undefined);
    const best = all.reduce((a, b) => (b.usPerInsn < a.usPerInsn ? b : a));
    return all.length > 1 ? { ...best, runsUs: all.map((x) => x.usPerInsn), runsSteal: all.map((x) => x.stealPct), runsRefNs: all.map((x) => x.refNs ?? null) } : best;
  });
}

/** The machine's state around a run as printed: `steal 12%, loop 1.04 ns`, or what of it is known. */
function machine(stealPct: number | null | undefined, refNs: number | null | undefined): string {
  const parts: string[] = [];
  if (stealPct !== null && stealPct !== undefined) parts.push(`steal ${stealPct.toFixed(0)}%`);
  if (refNs !== null && refNs !== undefined) parts.push(`loop ${refNs.toFixed(2)} ns`);
  return parts.join(', ');
}

/**
 * One line per case: wall and CPU time per guest instruction, the machine's state while it ran
 * (the hypervisor's steal, the reference loop's time), and each run's figures when there were
 * several.
 */
export function translateLines(results: readonly TranslateResult[]): string[] {
  return results.map((r) => {
    const runs = r.runsUs?.map((u, i) => {
      const m = machine(r.runsSteal?.[i], r.runsRefNs?.[i]);
      return `${u.toFixed(3)}${m ? ` (${m})` : ''}`;
    });
    const st = machine(r.stealPct, r.refNs);
    return (
      `${r.name}: ${r.usPerInsn.toFixed(3)} µs per guest instruction, CPU median ${r.cpuUsPerInsn.toFixed(3)} µs ` +
      `(${r.blocks} blocks, ${r.insns} instructions, ±${r.marginPct.toFixed(1)}%${st ? `, ${st}` : ''}${runs ? `; fastest of ${runs.length} runs: ${runs.join(', ')}` : ''})`
    );
  });
}

interface BlockSet {
  starts: { src: CodeSource; pc: number; thumb: boolean }[];
  insns: number;
}

function mergeSets(sets: BlockSet[]): BlockSet {
  return { starts: sets.flatMap((s) => s.starts), insns: sets.reduce((n, s) => n + s.insns, 0) };
}

/** Block starts found by walking `ranges` block after block, up to `limit` blocks. */
function walk(src: CodeSource, ranges: { start: number; end: number }[], thumb: boolean, limit: number): BlockSet {
  const starts: BlockSet['starts'] = [];
  let insns = 0;
  for (const r of ranges) {
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

/**
 * The same code in both instruction sets: the functions that are A32 code in the guest's ARM
 * build (its own functions; the C library is Thumb-2 in both builds), walked there and, by
 * name, in its Thumb build.
 */
function pairedSets(guest: string, limit: number): [BlockSet, BlockSet] {
  const armFile = new Uint8Array(readFileSync(guestPath(guest, 'arm')));
  const thumbFile = new Uint8Array(readFileSync(guestPath(guest, 'thumb')));
  const armCode = codeRanges(armFile).filter((r) => !r.thumb);
  const inArm = (a: number) => armCode.some((r) => a >= r.start && a < r.end);
  const armFns = functionSymbols(armFile).filter((f) => f.size > 0 && !f.thumb && inArm(f.addr));
  const thumbByName = new Map(functionSymbols(thumbFile).filter((f) => f.thumb && f.size > 0).map((f) => [f.name, f]));
  const both = armFns.filter((f) => thumbByName.has(f.name));
  const range = (f: { addr: number; size: number }) => ({ start: f.addr, end: f.addr + f.size });
  return [
    walk(loadSegments(armFile), both.map(range), false, limit),
    walk(loadSegments(thumbFile), both.map((f) => range(thumbByName.get(f.name)!)), true, limit),
  ];
}

function liftAll(s: BlockSet): number {
  let n = 0;
  for (const { src, pc, thumb } of s.starts) n += liftBlock(src, pc, thumb, 0).ninsns;
  return n;
}

/** What the suite entry uses of benchmark.js's Suite (an event emitter). */
interface SuiteEvents {
  off(type: string): SuiteEvents;
  on(type: string, fn: (e: { target: { name: string } }) => void): SuiteEvents;
}

let target: JitTarget | undefined;

let compiles = 0;
/**
 * The module bytes with a custom section holding a fresh number: V8 keeps compiled modules by
 * their bytes and would otherwise compile each set once, leaving its compile out of the figure.
 * The section goes first, after the header: V8's native module cache orders its entries by
 * their bytes, and modules that differ only at their end cost it a compare of every byte at
 * each lookup (~10% of the compile). The JIT's modules differ within their first function, so
 * they never pay that.
 */
function uncached(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const tag = new TextEncoder().encode(String(++compiles).padStart(10, '0'));
  const out = new Uint8Array(bytes.length + 3 + tag.length);
  out.set(bytes.subarray(0, 8)); // magic and version
  out.set([0, 1 + tag.length, 0], 8); // section 0 (custom), size, empty name
  out.set(tag, 11);
  out.set(bytes.subarray(8), 11 + tag.length);
  return out;
}

/** The set's blocks, lifted, by page (in order of first appearance). */
function liftedPages(s: BlockSet): IRBlock[][] {
  const byPage = new Map<number, IRBlock[]>();
  for (const { src, pc, thumb } of s.starts) {
    const page = pc >>> 12;
    let l = byPage.get(page);
    if (!l) byPage.set(page, (l = []));
    l.push(liftBlock(src, pc, thumb, 0));
  }
  return [...byPage.values()];
}

/**
 * Tier 1 for the whole set, from its lifted blocks (`pages`: liftedPages): each page's blocks
 * as regions of at most 64, modules of at most 8 regions (the JIT's defaults), each built,
 * compiled and instantiated. Returns the guest instructions.
 */
function tier1All(pages: IRBlock[][]): number {
  if (!target) {
    const mem = new FlatMemory();
    target = flatJitTarget(mem, new CpuState(mem.memory.buffer, STATE_BASE));
  }
  const regions: IRBlock[][] = [];
  let n = 0;
  for (const l of pages) {
    for (const b of l) n += b.ninsns;
    for (let i = 0; i < l.length; i += 64) regions.push(l.slice(i, i + 64));
  }
  for (let i = 0; i < regions.length; i += 8) {
    const batch = regions.slice(i, i + 8);
    const { bytes, sites } = buildModule(batch, target);
    instantiate(new WebAssembly.Module(uncached(bytes)), batch.length, target, sites);
  }
  return n;
}

/** The name of the tier-1 case of a lifting set's name ('lift A32 blocks'). */
const tier1Name = (liftName: string) => liftName.replace('lift', 'tier 1 (wasm, V8 compile, instantiation):');

/**
 * The line saying whether tier 1's wall time per guest instruction is within `targetUs` in
 * every instruction set (the worst counts), with lifting and tier 1 together where lifting
 * was measured too; null when tier 1 was not measured.
 */
export function tier1Verdict(results: readonly TranslateResult[], targetUs: number): string | null {
  const tier1 = results.filter((t) => t.name.startsWith('tier 1'));
  if (tier1.length === 0) return null;
  const worst = Math.max(...tier1.map((t) => t.usPerInsn));
  const set = (t: TranslateResult) => t.name.slice(t.name.indexOf(': ') + 2);
  const runs = (t: TranslateResult) => (t.runsUs ? ` (fastest of ${t.runsUs.map((u) => u.toFixed(2)).join(', ')})` : '');
  const each = tier1.map((t) => `${set(t)} ${t.usPerInsn.toFixed(2)} µs${runs(t)}`).join(', ');
  const withLift = tier1.flatMap((t) => {
    const lift = results.find((l) => l.name === `lift ${set(t)}`);
    return lift ? [`${set(t)} ${(lift.usPerInsn + t.usPerInsn).toFixed(2)} µs`] : [];
  });
  const sum = withLift.length ? `; lifting and tier 1 together: ${withLift.join(', ')}` : '';
  return `tier-1 translation (wasm, V8 compile, instantiation, from the lifter's IR; wall time): ${each} per guest instruction; target ≤ ${targetUs} µs: ${worst <= targetUs ? 'met' : 'NOT met'}${sum}`;
}

/**
 * benchTranslate in a process of its own (bench/translate-child.ts), so that the benchmark's
 * own process stays small. Run in it, the suite left that process with ~4.7k memory mappings
 * and ~550 MB resident (its modules' code and memories), and every process the benchmark
 * started afterwards took longer to start: `node -e 0` 32 -> 52 ms, qemu-arm's trivial run
 * 25 -> 40 ms, armvisor's 130 -> 171 ms (medians of 7, before and after one suite), which
 * counted in every start-up sample and workload time that followed.
 */
export function benchTranslateApart(opts: { quick?: boolean; timeoutMs?: number } = {}): Promise<TranslateResult[]> {
  return new Promise((done, fail) => {
    const child = fork(fileURLToPath(new URL('./translate-child.js', import.meta.url)), opts.quick ? ['--quick'] : [], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
    });
    let reply: TranslateChildMessage | undefined;
    let stderr = '';
    const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
    let timedOut = false;
    // (a suite takes ~20 s; one that has not ended by then is stuck)
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('message', (m) => (reply = m as TranslateChildMessage));
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (reply && 'results' in reply) done(reply.results);
      else if (timedOut) fail(new Error(`translation benchmark did not end within ${timeoutMs / 1000} s`));
      else fail(new Error(reply?.error ?? `translation benchmark exited ${code ?? signal}: ${stderr.trim().split('\n')[0] ?? ''}`));
    });
  });
}

/** Runs the benny suite once; `quick` shortens the sampling. */
export async function benchTranslate(opts: { quick?: boolean } = {}): Promise<TranslateResult[]> {
  const guests = ['nbody', 'strings', 'sort', 'hash'].filter((g) => existsSync(guestPath(g, 'arm')) && existsSync(guestPath(g, 'thumb')));
  if (guests.length === 0) throw new Error('test guests not built: run `bash scripts/build-guests.sh`');
  const pairs = guests.map((g) => pairedSets(g, 400));
  const sets: [string, BlockSet][] = [
    ['lift A32 blocks', mergeSets(pairs.map((p) => p[0]))],
    ['lift Thumb-2 blocks', mergeSets(pairs.map((p) => p[1]))],
  ];
  for (const [name, s] of sets) if (s.insns === 0) throw new Error(`${name}: no code found`);
  // As `armvisor run` (Liftoff only), with the compile made eager so that it is measured.
  v8.setFlagsFromString('--liftoff-only');
  v8.setFlagsFromString('--no-wasm-lazy-compilation');

  const cases = { minTime: opts.quick ? 0.5 : 2, maxTime: opts.quick ? 1 : 4 };
  const lifted = new Map(sets.map(([name, s]) => [name, liftedPages(s)]));
  // The machine's state while each case ran (the hypervisor's steal, the reference loop's time
  // before and after it): the cases run one after the other, each ending with the suite's
  // 'cycle' event.
  const stealOf = new Map<string, number | null>();
  const refOf = new Map<string, number>();
  let mark = readCpuTimes();
  let ref = referenceLoopNs();
  const summary = await b.suite(
    'translation cost',
    b.configure({ cases }),
    // A suite entry is a function of the benchmark.js Suite. benny announces each suite run on
    // stdout, where `bench cpu` prints its table: silenced (the Suite says no more on 'start').
    async () => (suite: SuiteEvents) =>
      suite.off('start').on('cycle', (e: { target: { name: string } }) => {
        const now = readCpuTimes();
        stealOf.set(e.target.name, stealPercent(mark, now));
        const after = referenceLoopNs();
        refOf.set(e.target.name, (ref + after) / 2);
        ref = after;
        mark = readCpuTimes();
      }),
    ...sets.map(([name, s]) => b.add(name, () => liftAll(s))),
    ...sets.map(([name]) => b.add(tier1Name(name), () => tier1All(lifted.get(name)!))),
  );
  const reps = opts.quick ? 7 : 21;
  const results: TranslateResult[] = summary.results.map((r) => {
    const [name, s] = sets.find(([n]) => n === r.name || tier1Name(n) === r.name)!;
    const fn = r.name.startsWith('lift') ? () => liftAll(s) : () => tier1All(lifted.get(name)!);
    const cpu: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = process.cpuUsage();
      fn();
      const t = process.cpuUsage(t0);
      cpu.push(t.user + t.system);
    }
    cpu.sort((x, y) => x - y);
    return {
      name: r.name,
      blocks: s.starts.length,
      insns: s.insns,
      opsPerSec: r.ops,
      usPerInsn: 1e6 / (r.ops * s.insns),
      marginPct: r.margin,
      cpuUsPerInsn: cpu[cpu.length >> 1] / s.insns,
      stealPct: stealOf.get(r.name) ?? null,
      refNs: refOf.get(r.name),
    };
  });
  v8.setFlagsFromString('--wasm-lazy-compilation');
  return results;
}
