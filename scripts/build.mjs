// `npm run build`: TypeScript into dist/ (tsc), then the `armvisor` command's bundle
// (scripts/bundle.mjs), skipped when dist/ is newer than everything it is made from.
//
// `npm start` and `npm test` build first. A full tsc run takes ~5 s on the 2-core machines we
// measure on, which was nearly half of `npm start` (11.8 s to boot the default guest to its
// shell and power off), and rewriting the bundle gave it a new modification time, which names
// the build: V8's code cache and the translation store of the previous build were dropped at
// every start. Now an unchanged tree builds nothing, tsc is incremental (its build info lives in
// dist/, so removing dist/ rebuilds everything), and the bundle keeps its file when its bytes
// do not change.
//
// Stale means: a source file, or a directory holding sources (a file added, renamed or removed),
// changed after dist/.build-stamp, or one of the build's other inputs did (tsconfig.json,
// package.json, the lock files, these scripts), or an output the commands need is missing.
// `--force` builds anyway.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const force = process.argv.includes('--force');

/** tsconfig.json's `include`: the folders tsc compiles. */
const SOURCE_DIRS = ['translator', 'runtime', 'hypervisor', 'pvdrivers', 'bench', 'cli'];
const OTHER_INPUTS = [
  'tsconfig.json',
  'package.json',
  'package-lock.json',
  'node_modules/.package-lock.json',
  'scripts/build.mjs',
  'scripts/bundle.mjs',
  'scripts/gen-decode.mjs',
];
const OUTPUTS = ['armvisor.cjs', 'armvisor-core.cjs', 'cli/main.js', 'translator/decode/prebuilt.js'];

/** The latest modification time (ms) under `dir`, directories included; skips results folders. */
function newest(dir) {
  let t = statSync(dir).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'results' || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Why dist/ must be built again, or null when it is up to date. */
function staleness() {
  if (!existsSync(stamp)) return 'no previous build';
  for (const o of OUTPUTS) if (!existsSync(path.join(dist, o))) return `dist/${o} is missing`;
  const built = statSync(stamp).mtimeMs;
  for (const d of SOURCE_DIRS) if (newest(path.join(root, d)) > built) return `${d}/ changed`;
  for (const f of OTHER_INPUTS) {
    const p = path.join(root, f);
    if (existsSync(p) && statSync(p).mtimeMs > built) return `${f} changed`;
  }
  return null;
}

/** Runs a build step (`what` names it in the one-line error) with Node; exits 1 if it fails. */
function run(what, args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${what} failed${r.status === null ? ` (${r.signal ?? r.error?.message})` : ''}`);
    process.exit(1);
  }
}

const why = force ? 'forced' : staleness();
if (why !== null) {
  const started = new Date();
  const buildInfo = path.join(dist, '.tsbuildinfo');
  // tsc trusts its build info about what dist/ holds: forced, it starts from nothing.
  if (force) rmSync(buildInfo, { force: true });
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  run('tsc', [tsc, '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', buildInfo]);
  run('bundling (scripts/bundle.mjs)', [path.join(root, 'scripts', 'bundle.mjs')]);
  // Dated from the start, so an edit made while the build ran makes the next one build again.
  writeFileSync(stamp, `${why}\n`);
  utimesSync(stamp, started, started);
}
