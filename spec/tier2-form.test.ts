// Tier 2's form of generated code (buildModule's vfpLocals: D registers in f64 locals, grouped
// access tests) on whole programs: our C guests
// (A32 and Thumb-2) run in a child process whose JIT compiles every region in that form after
// 50 interpreted instructions, their output and exit status compared byte for byte with
// qemu-arm's. (In a plain run only the few regions hot enough for tier 2 get that form.)

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { guestEnv, guestPath, requireFile } from './helpers/differential.js';

const processJs = join(process.cwd(), 'dist', 'runtime', 'linux', 'process.js');

/** Runs `prog args` under LinuxProcess with every region in tier 2's form; stdout and status. */
function runTier2Form(prog: string, args: string[]): { stdout: string; status: number | null } {
  const script = `
    const { LinuxProcess } = await import(${JSON.stringify(pathToFileURL(processJs).href)});
    const [prog, ...args] = JSON.parse(process.argv[1]);
    const p = new LinuxProcess({ program: prog, argv: [prog, ...args], env: ['LC_ALL=C'], translationCache: false,
      engineOptions: { jitOptions: { threshold: 50, batch: 1, vfpLocals: true } } });
    process.exitCode = p.run();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify([prog, ...args])], { encoding: 'utf8', env: guestEnv(), timeout: 120_000 });
  if (r.stderr) process.stderr.write(r.stderr);
  return { stdout: r.stdout, status: r.status };
}

function runQemu(prog: string, args: string[]): { stdout: string; status: number | null } {
  const r = spawnSync('qemu-arm', ['-cpu', 'cortex-a15', prog, ...args], { encoding: 'utf8', env: { LC_ALL: 'C', PATH: process.env.PATH }, timeout: 120_000 });
  return { stdout: r.stdout, status: r.status };
}

const cases: [string, string[]][] = [
  ['nbody', ['3000']],
  ['hash', ['2', '64']],
  ['sort', ['3000']],
  ['strings', []],
  ['smc', []],
];

describe("tier 2's form of code on whole programs", () => {
  test('dist is built', () => {
    requireFile(processJs, 'dist/runtime/linux/process.js (npm run build)');
  });
  for (const isa of ['arm', 'thumb'] as const) {
    for (const [name, args] of cases) {
      const prog = guestPath(name, isa);
      const run = existsSync(prog) ? test : test.skip; // built by scripts/build-guests.sh (npm test's pretest)
      run(`${name}-${isa} ${args.join(' ')}: the same output and status as qemu-arm`, () => {
        const want = runQemu(prog, args);
        const got = runTier2Form(prog, args);
        expect(got.status).toBe(want.status);
        expect(got.stdout).toBe(want.stdout);
        expect(want.stdout.length).toBeGreaterThan(0);
      });
    }
  }
});
