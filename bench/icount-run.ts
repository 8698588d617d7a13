// Runs one guest in user mode like `armvisor run PROG ARGS` and, at exit, prints
// `icount N` (guest instructions retired) on stderr. The CPU benchmark uses it to measure guest
// MIPS when the CLI's `run` has no `--stats` option. Usage: node dist/bench/icount-run.js PROG [ARGS...]

import { writeSync } from 'node:fs';
import { LinuxProcess } from '../runtime/linux/process.js';

const line = (l: string): void => {
  try {
    writeSync(2, l + '\n');
  } catch {
    /* stderr gone */
  }
};

const [prog, ...args] = process.argv.slice(2);
if (!prog) {
  line('usage: icount-run PROG [ARGS...]');
  process.exit(1);
}
try {
  const env = Object.entries(process.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const p = new LinuxProcess({ program: prog, argv: [prog, ...args], env, log: line });
  const status = p.run();
  line(`icount ${p.cpu.icount}`);
  process.exitCode = status;
} catch (e) {
  line(`icount-run: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  process.exitCode = 1;
}
