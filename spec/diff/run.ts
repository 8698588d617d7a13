// The runner: draws cases for every row, runs each under armvisor in-process (keeping only
// cases that stay inside the safe window), then all of them in one qemu-arm harness
// process, and compares. Each row's cases come from its own stream seeded by (seed, row),
// so `ARMVISOR_DIFF_ROW` replays one row's cases exactly as the full run drew them.

import { accessesMemory, allTargets, drawEncoding, drawState, rowKey, type Drawn, type Target } from './gen.js';
import { diffFields, formatMismatch, describeInsn } from './compare.js';
import { inSafeWindow, SIG } from './layout.js';
import type { LocalRunner } from './local.js';
import type { QemuRunner } from './qemu.js';
import { Rng, seedOf } from './rng.js';
import type { CaseInput, CaseResult } from './wire.js';

export interface DiffOptions {
  seed: string;
  casesPerRow: number;
  /** Only rows whose "table:NAME" key contains this text (all when empty). */
  rowFilter?: string;
  /** Start states tried per encoding before giving up on it. */
  maxAttempts?: number;
  local: LocalRunner;
  qemu: QemuRunner;
}

export interface RowStat {
  key: string;
  table: string;
  name: string;
  noRandom: boolean;
  /** Cases compared against QEMU. */
  cases: number;
  mismatches: number;
  /** Why the row got fewer cases than asked (or none). */
  note?: string;
}

export interface Mismatch {
  key: string;
  fields: string[];
  text: string;
}

export interface DiffReport {
  seed: string;
  casesPerRow: number;
  cases: number;
  rows: RowStat[];
  mismatches: Mismatch[];
  errors: string[];
  ms: { generate: number; armvisor: number; qemu: number };
  /** The cases compared (for re-running them elsewhere, e.g. under `armvisor run`). */
  planned: Planned[];
}

/** Accepts armvisor's result of a case when everything it touched lies in the safe window. */
function staysInside(r: CaseResult): boolean {
  if (!inSafeWindow(r.r[15])) return false;
  if (r.sig === SIG.SEGV || r.sig === SIG.BUS) return inSafeWindow(r.addr);
  return r.sig === SIG.ILL || r.sig === SIG.TRAP || r.sig === SIG.VTALRM;
}

function outcome(r: CaseResult): string {
  if (r.sig >= 1000) return `block exit ${r.sig - 1000} at pc=${(r.r[15] >>> 0).toString(16)}`;
  return `signal ${r.sig} pc=${(r.r[15] >>> 0).toString(16)} addr=${(r.addr >>> 0).toString(16)}`;
}

export interface Planned {
  drawn: Drawn;
  input: CaseInput;
  local: CaseResult;
  key: string;
}

export function replayHint(seed: string, key: string): string {
  return `ARMVISOR_DIFF_SEED=${seed} ARMVISOR_DIFF_ROW='${key}' NODE_OPTIONS=--experimental-vm-modules npx jest spec/diff.test.ts`;
}

export function runDiff(o: DiffOptions): DiffReport {
  const maxAttempts = o.maxAttempts ?? 24;
  const t0 = Date.now();
  let tArm = 0;
  const rows: RowStat[] = [];
  const planned: Planned[] = [];
  const mismatches: Mismatch[] = [];
  const statOf = new Map<string, RowStat>();

  const targets: Target[] = allTargets().filter((t) => !o.rowFilter || rowKey(t).includes(o.rowFilter));
  for (const t of targets) {
    const key = rowKey(t);
    const st: RowStat = { key, table: t.table, name: t.c.row.name, noRandom: t.c.row.noRandom === true, cases: 0, mismatches: 0 };
    rows.push(st);
    statOf.set(key, st);
    const rng = new Rng(seedOf(`${o.seed}/${key}`));
    let escaped = 0;
    let lastEscape = '';
    for (let k = 0; k < o.casesPerRow; k++) {
      const drawn = drawEncoding(t, rng);
      if (typeof drawn === 'string') {
        st.note = drawn;
        break;
      }
      let memory = false;
      try {
        memory = accessesMemory(drawn);
      } catch {
        /* reported by the run below */
      }
      let accepted = false;
      for (let a = 0; a < maxAttempts && !accepted; a++) {
        const input = drawState(rng, drawn, memory, a);
        const s = Date.now();
        let local: CaseResult;
        try {
          local = o.local.run(input);
        } catch (e) {
          tArm += Date.now() - s;
          const msg = (e as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(e);
          mismatches.push({ key, fields: ['armvisor threw'], text: `MISMATCH ${describeInsn(drawn)}\n  armvisor threw: ${msg}\n  replay:  ${replayHint(o.seed, key)}` });
          st.mismatches++;
          accepted = true; // counted as run: it is a failure either way
          st.cases++;
          break;
        }
        tArm += Date.now() - s;
        if (staysInside(local)) {
          planned.push({ drawn, input, local, key });
          accepted = true;
        } else {
          escaped++;
          lastEscape = `${describeInsn(drawn)} -> ${outcome(local)}`;
        }
      }
    }
    if (escaped && !st.note) st.note = `escaped ${escaped}x (last: ${lastEscape})`;
  }
  const tGen = Date.now() - t0 - tArm;

  const tq = Date.now();
  const { results, errors } = planned.length ? o.qemu.run(planned.map((p) => p.input)) : { results: [], errors: [] };
  const tQemu = Date.now() - tq;

  planned.forEach((p, i) => {
    const st = statOf.get(p.key)!;
    st.cases++;
    const q = results[i];
    const fields = diffFields(q, p.local, p.drawn);
    if (fields.length === 0) return;
    st.mismatches++;
    mismatches.push({ key: p.key, fields, text: formatMismatch(p.drawn, p.input, q, p.local, fields, replayHint(o.seed, p.key)) });
  });

  return { seed: o.seed, casesPerRow: o.casesPerRow, cases: planned.length, rows, mismatches, errors, ms: { generate: tGen, armvisor: tArm, qemu: tQemu }, planned };
}
