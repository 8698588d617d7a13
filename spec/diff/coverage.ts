// The coverage report: per table, how many rows the run exercised, and for every row it
// did not, why.

import type { DiffReport, RowStat } from './run.js';

const SKIP_WHY: [RegExp, string][] = [
  [/svc|swi/i, 'SVC: a system call, exercised by the Linux user-mode tests'],
  [/bkpt/i, 'BKPT: raises SIGTRAP, exercised by the signal tests'],
  [/udf|undef/i, 'UDF: raises SIGILL, exercised by the signal tests'],
  [/wf[ie]|yield|sev/i, 'hint that waits or yields, exercised by the runtime tests'],
];

function noRandomWhy(r: RowStat): string {
  for (const [re, why] of SKIP_WHY) if (re.test(r.name)) return `skipped: ${why}`;
  return 'skipped: marked noRandom by its table';
}

function unexercisedWhy(r: RowStat): string {
  switch (r.note) {
    case 'shadowed':
      return 'no random encoding decodes to this row (an earlier row of the table takes them all, or the Thumb length is wrong)';
    case 'invalid':
      return "every encoding drawn for this row failed the row's valid() predicate";
    case undefined:
      return 'never run';
    default:
      return `every start state took armvisor outside the safe window: ${r.note}`;
  }
}

/** Rows that should have been exercised but were not. */
export function unexercised(rep: DiffReport): RowStat[] {
  return rep.rows.filter((r) => !r.noRandom && r.cases === 0);
}

export function coverageReport(rep: DiffReport): string {
  const lines: string[] = [];
  const tables = [...new Set(rep.rows.map((r) => r.table))];
  lines.push(`diff coverage (seed ${rep.seed}): ${rep.cases} cases, ${rep.mismatches.length} mismatches; ` +
    `generate ${rep.ms.generate} ms, armvisor ${rep.ms.armvisor} ms, qemu ${rep.ms.qemu} ms`);
  for (const t of tables) {
    const rows = rep.rows.filter((r) => r.table === t);
    const hit = rows.filter((r) => r.cases > 0).length;
    const skipped = rows.filter((r) => r.noRandom).length;
    lines.push(`  ${t}: ${hit}/${rows.length} rows exercised${skipped ? `, ${skipped} skipped` : ''}, ${rows.reduce((s, r) => s + r.cases, 0)} cases`);
    for (const r of rows) {
      if (r.noRandom) lines.push(`    - ${r.name}: ${noRandomWhy(r)}`);
      else if (r.cases === 0) lines.push(`    ! ${r.name}: NEVER EXERCISED: ${unexercisedWhy(r)}`);
      else if (r.cases < rep.casesPerRow / 2) lines.push(`    ~ ${r.name}: only ${r.cases} of ${rep.casesPerRow} cases: ${unexercisedWhy(r)}`);
    }
  }
  for (const e of rep.errors) lines.push(`  harness: ${e}`);
  return lines.join('\n');
}
