// `armvisor demo`: a quick look at user mode: our demo guest program (spec/guests/demo.c, built
// statically by scripts/build-guests.sh, which it runs first when needed) under `armvisor run`.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runProgram, UsageError } from './run.js';
import { repoRoot } from './paths.js';

/** Where scripts/build-guests.sh puts the guests: ${XDG_CACHE_HOME:-$HOME/.cache}/armvisor/guests. */
export function guestDir(): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'armvisor', 'guests');
}


/** One line on stdout, written synchronously so it precedes the guest's own output. */
function say(line: string): void {
  fs.writeSync(1, line + '\n');
}

function haveCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function script(name: string): void {
  const file = path.join(repoRoot(), 'scripts', name);
  if (!fs.existsSync(file)) throw new UsageError(`${file} is missing; cannot build the demo guest`);
  const r = spawnSync('bash', [file], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new UsageError(`scripts/${name} failed (exit ${r.status ?? 'signal'})`);
}

export async function runDemo(opts: { isa?: string }): Promise<number> {
  const isa = opts.isa ?? 'arm';
  if (isa !== 'arm' && isa !== 'thumb') throw new UsageError(`--isa must be arm or thumb`);
  const prog = path.join(guestDir(), `demo-${isa}`);
  if (!fs.existsSync(prog)) {
    say(`armvisor: the demo guest ${prog} is not built yet; building it with scripts/build-guests.sh`);
    if (!haveCommand(process.env.ARM_CC ?? 'arm-linux-gnueabihf-gcc')) {
      say('armvisor: the ARM cross compiler is missing; installing the tools with scripts/setup-tools.sh (apt-get)');
      script('setup-tools.sh');
    }
    script('build-guests.sh');
    if (!fs.existsSync(prog)) throw new UsageError(`the build did not produce ${prog}`);
  }
  say(`armvisor: running the bundled demo guest (spec/guests/demo.c, ${isa === 'arm' ? 'A32' : 'Thumb-2'}) under \`armvisor run ${prog}\``);
  return runProgram(prog, [], {});
}
