// --profile: where the time went and which guest code ran. The engine times each dispatch
// (interpreter or generated code) and attributes retired guest instructions to the block it
// entered; the runtime adds its own events (syscalls, later hypercalls and MMIO exits).
// `report()` is the text a person tuning a guest reads; `speedscope()` the file for
// https://www.speedscope.app (its "sampled" format, weighted by guest instructions).

import type { StoreStats } from '../translator/persist/store.js';
import type { JitStats } from '../translator/jit/jit.js';
import type { Tier2Stats } from '../translator/jit/tier2.js';
import type { ReoptStats } from '../translator/jit/reopt.js';
import type { Symbols } from './symbols.js';
import type { MemoryUse } from './memstat.js';

/** Mean guest instructions of generated code between two samples (--profile in user mode). */
export const SAMPLE_PERIOD = 16_384;

export class Profiler {
  readonly start = performance.now();
  interpMs = 0;
  jitMs = 0;
  engineMs = 0;
  /** Lifting guest code to IR (decoding included), inside engineMs: time, blocks, instructions. */
  liftMs = 0;
  liftBlocks = 0;
  liftInsns = 0;
  /** Blocks taken from the translation store instead (its checks of their pages included): time, blocks. */
  storeMs = 0;
  storeBlocks = 0;
  interpInsns = 0;
  jitInsns = 0;
  /** Guest instructions retired per block entry address. */
  readonly byPC = new Map<number, number>();
  /** Named runtime events (syscall names, exits...) and how often they happened. */
  readonly events = new Map<string, number>();
  readonly eventMs = new Map<string, number>();

  // Sampling of generated code (ranGenerated): guest instructions left until the next sample,
  // and those run since the last one; the period varies around SAMPLE_PERIOD (a fixed one
  // could keep meeting a loop at the same point).
  private sampleLeft = SAMPLE_PERIOD;
  private unsampled = 0;
  private lastPC = 0;
  private samplesTaken = 0;
  private seed = 0x2545f491;

  /** Group addresses no symbol names by 4 KiB page ("0x40010xxx"), e.g. a kernel's decompressor. */
  groupUnnamedByPage = false;

  constructor(public symbols: Symbols | null = null) {}

  attribute(pc: number, insns: number, ms: number, jit: boolean): void {
    this.byPC.set(pc, (this.byPC.get(pc) ?? 0) + insns);
    if (jit) {
      this.jitMs += ms;
      this.jitInsns += insns;
    } else {
      this.interpMs += ms;
      this.interpInsns += insns;
    }
  }

  /** A block of `insns` guest instructions was lifted in `ms`. */
  lifted(insns: number, ms: number): void {
    this.liftMs += ms;
    this.liftBlocks++;
    this.liftInsns += insns;
  }

  /** A block was taken from the translation store in `ms` instead of being lifted. */
  fromStore(ms: number): void {
    this.storeMs += ms;
    this.storeBlocks++;
  }

  /** Guest instructions generated code may run before the next sample is due (at least 1). */
  get untilSample(): number {
    return Math.max(1, this.sampleLeft);
  }

  /**
   * Generated code ran `insns` guest instructions in `ms` and stopped before `pc`. Once the
   * sample point is passed, the instructions since the last sample are attributed to `pc`:
   * statistically, the places generated code spends its instructions.
   */
  ranGenerated(pc: number, insns: number, ms: number): void {
    this.jitMs += ms;
    this.jitInsns += insns;
    this.unsampled += insns;
    this.sampleLeft -= insns;
    this.lastPC = pc;
    if (this.sampleLeft > 0) return;
    this.samplesTaken++;
    this.sample(pc, this.unsampled);
    this.unsampled = 0;
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    this.sampleLeft = SAMPLE_PERIOD / 2 + (this.seed % SAMPLE_PERIOD);
  }

  /** A sample: `weight` guest instructions attributed to `pc` (system mode samples the PC between slices). */
  sample(pc: number, weight: number): void {
    this.byPC.set(pc, (this.byPC.get(pc) ?? 0) + weight);
  }

  event(kind: string, name: string, ms = 0): void {
    const k = `${kind}:${name}`;
    this.events.set(k, (this.events.get(k) ?? 0) + 1);
    if (ms) this.eventMs.set(kind, (this.eventMs.get(kind) ?? 0) + ms);
  }

  /** Guest instructions per function (or per block address when there are no symbols). */
  functions(): [string, number][] {
    if (this.unsampled) {
      // Generated code's instructions since the last sample: to where it last stopped.
      this.sample(this.lastPC, this.unsampled);
      this.unsampled = 0;
    }
    const m = new Map<string, number>();
    for (const [pc, n] of this.byPC) {
      const s = this.symbols?.lookup(pc);
      const name = s ? s.name : this.groupUnnamedByPage ? `0x${(pc >>> 12).toString(16).padStart(5, '0')}xxx` : `0x${pc.toString(16).padStart(8, '0')}`;
      m.set(name, (m.get(name) ?? 0) + n);
    }
    return [...m].sort((a, b) => b[1] - a[1]);
  }

  /** The `top` hottest functions, one line each: share of `total`, instructions, name. */
  hottest(total: number, top = 15, indent = '    '): string[] {
    const f = (n: number) => n.toLocaleString('en-US');
    return this.functions()
      .slice(0, top)
      .map(([name, n]) => `${indent}${((100 * n) / Math.max(total, 1)).toFixed(1).padStart(5)}%  ${f(n).padStart(14)}  ${name}`);
  }

  /** What the run took from and added to the translation store (runtime/linux/transcache.ts), if it had one. */
  store: StoreStats | null = null;

  /** What `--tier2 turbofan` recompiled (translator/jit/reopt.ts), if it was on. */
  reopt: ReoptStats | null = null;

  report(icount: number, jit: JitStats | null, tier2: Tier2Stats | null, memory?: MemoryUse, top = 15): string {
    const wallMs = performance.now() - this.start;
    const f = (n: number) => n.toLocaleString('en-US');
    const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
    const pct = (ms: number) => `${((100 * ms) / Math.max(wallMs, 1e-9)).toFixed(1)}%`;
    const compileMs = jit?.compileMs ?? 0;
    const reoptMs = this.reopt?.ms ?? 0;
    const dispatchMs = Math.max(0, this.engineMs - this.interpMs - this.jitMs - compileMs - reoptMs - this.liftMs - this.storeMs);
    const outsideMs = Math.max(0, wallMs - this.engineMs);
    const lines: string[] = [];
    lines.push('armvisor profile');
    lines.push(`  guest instructions  ${f(icount)} in ${s(wallMs)}: ${(icount / 1000 / Math.max(wallMs, 1e-9)).toFixed(1)} MIPS`);
    lines.push(`  executed by         generated code ${f(this.jitInsns)} (${((100 * this.jitInsns) / Math.max(icount, 1)).toFixed(1)}%), interpreter ${f(this.interpInsns)}`);
    lines.push('  time');
    lines.push(`    generated code    ${s(this.jitMs).padStart(9)}  ${pct(this.jitMs)}`);
    lines.push(`    interpreter       ${s(this.interpMs).padStart(9)}  ${pct(this.interpMs)}`);
    const liftDetail = this.liftBlocks ? `  (${f(this.liftBlocks)} blocks, ${f(this.liftInsns)} guest insns)` : '';
    lines.push(`    lifting to IR     ${s(this.liftMs).padStart(9)}  ${pct(this.liftMs)}${liftDetail}`);
    if (this.storeBlocks) lines.push(`    from the store    ${s(this.storeMs).padStart(9)}  ${pct(this.storeMs)}  (${f(this.storeBlocks)} blocks, their pages compared)`);
    lines.push(`    tier-1 compile    ${s(compileMs).padStart(9)}  ${pct(compileMs)}`);
    if (this.reopt) {
      const r = this.reopt;
      const where = r.workerMs ? ` on a worker thread (${s(r.workerMs)} there; here, building and installing)` : '';
      const notes = [r.failed ? `${f(r.failed)} failed` : '', r.stale ? `${f(r.stale)} retired before they came back` : ''].filter(Boolean).join(', ');
      lines.push(`    tier-2 compile    ${s(reoptMs).padStart(9)}  ${pct(reoptMs)}  (${f(r.regions)} regions again, by V8's optimizing compiler${where}${notes ? `; ${notes}` : ''})`);
    }
    lines.push(`    dispatcher        ${s(dispatchMs).padStart(9)}  ${pct(dispatchMs)}`);
    for (const [kind, ms] of this.eventMs) lines.push(`    ${`${kind}s`.padEnd(17)} ${s(ms).padStart(9)}  ${pct(ms)}`);
    const other = Math.max(0, outsideMs - [...this.eventMs.values()].reduce((a, b) => a + b, 0));
    lines.push(`    runtime, other    ${s(other).padStart(9)}  ${pct(other)}`);
    if (jit) {
      const perInsn = jit.guestInsns ? (1000 * jit.compileMs) / jit.guestInsns : 0;
      lines.push(`  tier 1              ${f(jit.modules)} modules, ${f(jit.regions)} regions, ${f(jit.blocks)} blocks, ${f(jit.guestInsns)} guest insns -> ${f(jit.wasmBytes)} bytes of wasm; ${perInsn.toFixed(2)} µs/guest insn`);
    }
    const st = this.store;
    if (st) {
      lines.push(
        `  translation store   ${f(st.blocksFound)} blocks and ${f(jit?.modulesStored ?? 0)} modules from earlier runs (not lifted, no code generated); ` +
          `${f(st.blocksAdded)} blocks and ${f(st.modulesAdded)} modules added`,
      );
    }
    if (tier2) lines.push(`  tier 2              ${tier2.requested} requested, ${tier2.installed} installed, ${tier2.failed} failed, ${s(tier2.workerMs)} in the worker thread`);
    if (memory) {
      const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
      const split = memory.guestResident === null ? '' : ` = guest memory touched ${mb(memory.guestResident)} + armvisor ${mb(Math.max(0, memory.peakRss - memory.guestResident))}`;
      lines.push(`  memory              peak resident ${mb(memory.peakRss)}${split}`);
    }
    const hot = this.hottest(icount, top);
    if (hot.length) {
      const how = this.samplesTaken ? `; generated code sampled about every ${SAMPLE_PERIOD.toLocaleString('en-US')}` : '';
      lines.push(`  hottest ${this.symbols?.size ? 'functions' : 'blocks'} (guest instructions${how})`);
      lines.push(...hot);
    }
    const ev = [...this.events].sort((a, b) => b[1] - a[1]);
    if (ev.length) {
      const byKind = new Map<string, string[]>();
      for (const [k, n] of ev) {
        const [kind, name] = k.split(':');
        if (!byKind.has(kind)) byKind.set(kind, []);
        byKind.get(kind)!.push(`${name} ${f(n)}`);
      }
      for (const [kind, list] of byKind) lines.push(`  ${kind}s`.padEnd(22) + list.slice(0, 12).join(', ') + (list.length > 12 ? ', ...' : ''));
    }
    return lines.join('\n');
  }

  /** A speedscope "sampled" profile: one frame per function, weighted by guest instructions. */
  speedscope(name: string): object {
    const fns = this.functions();
    const total = fns.reduce((a, [, n]) => a + n, 0);
    return {
      $schema: 'https://www.speedscope.app/file-format-schema.json',
      shared: { frames: fns.map(([n]) => ({ name: n })) },
      profiles: [
        {
          type: 'sampled',
          name,
          unit: 'none',
          startValue: 0,
          endValue: total,
          samples: fns.map((_, i) => [i]),
          weights: fns.map(([, n]) => n),
        },
      ],
      name,
      exporter: 'armvisor',
    };
  }
}
