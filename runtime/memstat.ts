// How much memory a run holds, for `run --profile` and the cpu benchmark's memory target
// (issue 4: resident memory at most the guest memory touched plus 150 MB). The peak resident
// set is /proc/self/status's VmHWM, this address space's own high-water mark (getrusage's
// maxrss is not: Linux carries it over exec from the process that forked, so a run spawned by
// a 500 MB test runner reported 500 MB); the guest's part is the resident part of its linear
// memory, the mapping of the wasm memory in /proc/self/smaps (the pages the guest touched, plus
// the few MB of armvisor's tables that live in that memory: state block, page permissions,
// dispatcher).

import { readFileSync } from 'node:fs';

export interface MemoryUse {
  /** Peak resident set of the process, bytes. */
  peakRss: number;
  /** Resident bytes of the guest's linear memory now, or null where /proc/self/smaps is missing. */
  guestResident: number | null;
}

const MAPPING = /^([0-9a-f]+)-([0-9a-f]+) /;
const RSS = /^Rss:\s+(\d+) kB/m;

/** The resident bytes of the mappings exactly `bytes` long in an smaps text (the wasm memory's). */
export function residentOfSize(smaps: string, bytes: number): number {
  let total = 0;
  for (const entry of smaps.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
    const m = MAPPING.exec(entry);
    if (!m || parseInt(m[2], 16) - parseInt(m[1], 16) !== bytes) continue;
    const r = RSS.exec(entry);
    if (r) total += Number(r[1]) * 1024;
  }
  return total;
}

const HWM = /^VmHWM:\s+(\d+) kB/m;

/** This process's memory use; `guest` is the guest's linear memory. */
export function memoryUse(guest: WebAssembly.Memory): MemoryUse {
  let peakRss = process.resourceUsage().maxRSS * 1024;
  let guestResident: number | null = null;
  try {
    const hwm = HWM.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) peakRss = Number(hwm[1]) * 1024;
    guestResident = residentOfSize(readFileSync('/proc/self/smaps', 'utf8'), guest.buffer.byteLength);
  } catch {
    /* not Linux: getrusage's figure, and the report leaves the split out */
  }
  return { peakRss, guestResident };
}
