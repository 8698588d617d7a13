// What `armvisor boot --profile` prints about a machine's run: guest instructions and MIPS,
// exceptions by kind, interrupts acknowledged by source, MMIO accesses by device, TLB fills,
// PSCI calls, and the hottest guest functions from the run loop's PC samples (a Profiler
// over the kernel's symbols). One line per fact, for stderr.

import { MODE_NAMES, readCPSR } from '../../translator/modes.js';
import { W } from '../../translator/state.js';
import { EXC_NAMES } from '../cpu/exception.js';
import { PPI_HYP_TIMER, PPI_PHYS_TIMER, PPI_VIRT_TIMER } from '../devices/timer/generic-timer.js';
import type { VirtMachine } from './machine.js';
import { VIRT_IRQ } from './machine.js';
import type { RunStats } from './runloop.js';
import type { Profiler } from '../profile.js';

const IRQ_NAMES: Record<number, string> = {
  [PPI_VIRT_TIMER]: 'virtual timer',
  [PPI_PHYS_TIMER]: 'physical timer',
  [PPI_HYP_TIMER]: 'hyp timer',
  [VIRT_IRQ.uart]: 'pl011',
  [VIRT_IRQ.rtc]: 'pl031',
};

const fmt = (n: number): string => n.toLocaleString('en-US');

/** The report's lines; with a profiler, the 15 hottest functions of its samples (`symbolsFrom`: where their names came from). */
export function profileReport(m: VirtMachine, stats: RunStats, profiler: Profiler | null = null, symbolsFrom: string | null = null): string[] {
  const insns = m.instructions;
  const busyS = Math.max(1e-9, (stats.ms - stats.idleMs) / 1000);
  const out: string[] = [];
  const cpuS = Math.max(1e-9, stats.cpuMs / 1000);
  out.push(
    `profile: ${fmt(insns)} guest instructions in ${(stats.ms / 1000).toFixed(2)} s wall (${(stats.idleMs / 1000).toFixed(2)} s idle in WFI), ${(stats.cpuMs / 1000).toFixed(2)} s CPU; ${(insns / busyS / 1e6).toFixed(2)} MIPS of wall time running, ${(insns / cpuS / 1e6).toFixed(2)} MIPS per CPU second`,
  );
  if (m.clockKind === 'icount') out.push(`profile: icount clock, ${fmt(m.idleInsns)} instructions of idle time skipped`);
  const exc = m.cpu.exceptions.map((n, k) => (n && EXC_NAMES[k] ? `${EXC_NAMES[k]} ${fmt(n)}` : '')).filter(Boolean);
  out.push(`profile: exceptions: ${exc.length ? exc.join(', ') : 'none'}`);
  const acks: string[] = [];
  m.gic.acknowledged.forEach((n, id) => {
    if (n) acks.push(`${id}${IRQ_NAMES[id] ? ` (${IRQ_NAMES[id]})` : id < 16 ? ' (SGI)' : ''} ${fmt(n)}`);
  });
  out.push(`profile: interrupts acknowledged: ${acks.length ? acks.join(', ') : 'none'}`);
  const mmio = m.bus
    .stats()
    .filter((s) => s.reads || s.writes)
    .map((s) => `${s.name} ${fmt(s.reads)} reads ${fmt(s.writes)} writes`);
  out.push(`profile: MMIO: ${mmio.length ? mmio.join(', ') : 'none'}`);
  const fl = m.cpu.tlbFlushes;
  out.push(`profile: TLB fills: ${fmt(m.cpu.mem.tlbFills)}; TLB maintenance: all ${fmt(fl.all)}, by VA ${fmt(fl.mva)}, by ASID ${fmt(fl.asid)}, by VA all ASIDs ${fmt(fl.mvaa)}; translation register writes ${fmt(fl.regime)}`);
  const j = m.cpu.jit?.stats;
  out.push(
    j
      ? `profile: JIT: ${fmt(j.regions)} regions (${fmt(j.blocks)} blocks) in ${fmt(j.modules)} modules, ${fmt(j.wasmBytes)} bytes of wasm, ${(j.compileMs / 1000).toFixed(2)} s compiling; ${fmt(j.interpInsns)} instructions interpreted; ${fmt(j.entries)} entries into generated code (${fmt(j.misses)} ended in a dispatcher miss)`
      : 'profile: JIT: off (interpreter only)',
  );
  const st = m.cpu.state.i32;
  const cpsr = readCPSR(st);
  out.push(
    `profile: the CPU stopped at pc=0x${(st[W.PC] >>> 0).toString(16).padStart(8, '0')} cpsr=0x${cpsr.toString(16)} (${MODE_NAMES[cpsr & 0x1f] ?? '?'}), MMU ${m.cpu.mmuEnabled ? 'on' : 'off'}`,
  );
  const psci = [...m.psci.calls].map(([fid, n]) => `0x${fid.toString(16)} ${fmt(n)}`);
  if (psci.length) out.push(`profile: PSCI calls: ${psci.join(', ')}`);
  if (profiler) {
    let sampled = 0;
    for (const n of profiler.byPC.values()) sampled += n;
    const named = symbolsFrom ? `functions (symbols: ${symbolsFrom})` : 'blocks (no symbols: see --symbols)';
    out.push(`profile: hottest ${named}, by guest instructions (PC sampled every ~${fmt(stats.sampleInsns)} instructions, ${fmt(sampled)} instructions sampled):`);
    out.push(...profiler.hottest(sampled, 15, 'profile:  '));
  }
  return out;
}
