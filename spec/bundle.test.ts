// The `armvisor` command is the launcher dist/armvisor.cjs running the bundle
// dist/armvisor-core.cjs (scripts/bundle.mjs, built by `npm test`'s pretest): it must behave as
// the unbundled dist/cli/main.js, and keep its start-up promises: the built-ins the run path
// does not need (child_process, worker_threads, crypto) are not loaded by a short run, and V8's
// code cache of the bundle is written by a first run and used by the next.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { guestPath } from '../bench/guestrun.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bundle = path.join(root, 'dist', 'armvisor.cjs');
const main = path.join(root, 'dist', 'cli', 'main.js');

function run(entry: string, args: string[], nodeArgs: string[] = [], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [...nodeArgs, entry, ...args], { encoding: 'utf8', timeout: 120000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the bundled command', () => {
  test('runs guests as dist/cli/main.js does', () => {
    for (const g of ['asm-arm', 'strings-thumb']) {
      const prog = guestPath(g.split('-')[0], g.split('-')[1] as 'arm' | 'thumb');
      const a = run(bundle, ['run', prog]);
      const b = run(main, ['run', prog]);
      expect(a.status).toBe(b.status);
      expect(a.stdout).toBe(b.stdout);
      expect(a.stderr).toBe(b.stderr);
    }
    expect(run(bundle, ['--version']).stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version);
    const bad = run(bundle, ['run', path.join(os.tmpdir(), 'no-such-armvisor-guest')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^armvisor: /);
  });

  test('without its bundle, the launcher says so in one line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armvisor-launcher-'));
    try {
      fs.copyFileSync(bundle, path.join(dir, 'armvisor.cjs'));
      const r = run(path.join(dir, 'armvisor.cjs'), ['--version']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^armvisor: cannot read .*armvisor-core\.cjs \(ENOENT\): run `npm run build`\n$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a short run loads none of the built-ins it does not need', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armvisor-bundle-'));
    // A CommonJS probe (`--require`): an ES module one would load the ES module loader itself.
    const probe = path.join(dir, 'probe.cjs');
    fs.writeFileSync(
      probe,
      "const { writeSync } = require('node:fs');\n" +
        "process.on('exit', () => writeSync(2, 'LOADED ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(' ') + '\\n'));\n",
    );
    try {
      // A C program: its C library asks whether stdout (here a pipe) is a terminal (TCGETS).
      const r = run(bundle, ['run', guestPath('strings', 'arm')], ['--require', probe]);
      const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
      expect(line).toBeDefined();
      const loaded = new Set(line!.slice(7).split(' '));
      expect(loaded.has('fs')).toBe(true); // the probe sees the list
      // node:v8 is loaded: the launcher sets `run`'s V8 flags (its JS tier-up budget,
      // --liftoff-only) before compiling the bundle (cli/v8preset.ts).
      // node:tty and node:net load Node's streams and sockets (~3 ms): a pipe is no terminal.
      for (const m of ['child_process', 'worker_threads', 'crypto', 'tty', 'net']) expect([m, loaded.has(m)]).toEqual([m, false]);
      // The launcher is CommonJS: Node's ES module loader (~4 ms) is not loaded either.
      expect(loaded.has('internal/modules/esm/loader')).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a first run writes the code cache, the next uses it', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'armvisor-cache-'));
    // A small environment: the guest's C library start-up walks it, and a long one can make
    // the run hot enough to compile.
    const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: home };
    const dir = path.join(home, 'armvisor', 'v8-cache');
    const prog = guestPath('args', 'arm');
    try {
      const first = run(bundle, ['run', prog], [], env);
      expect(first.status).toBe(0);
      const files = fs.readdirSync(dir);
      expect(files).toHaveLength(1);
      const file = path.join(dir, files[0]);
      const written = fs.statSync(file).mtimeMs;
      expect(fs.statSync(file).size).toBeGreaterThan(100_000);
      // Accepted by V8 (else it would be written again), and the run is the same.
      const second = run(bundle, ['run', prog], [], env);
      expect(second.stdout).toBe(first.stdout);
      expect(second.status).toBe(0);
      expect(fs.readdirSync(dir)).toEqual(files);
      expect(fs.statSync(file).mtimeMs).toBe(written);
      // Another flag set (the interpreter: no --liftoff-only) has a cache of its own.
      const interp = run(bundle, ['run', '--engine', 'interp', prog], [], env);
      expect(interp.stdout).toBe(first.stdout);
      expect(fs.readdirSync(dir)).toHaveLength(2);
      expect(fs.statSync(file).mtimeMs).toBe(written);
      // A run that compiles regions writes its cache at exit too, with what it compiled.
      const hot = guestPath('hash', 'arm');
      const home2 = path.join(home, 'hot');
      const env2 = { ...env, XDG_CACHE_HOME: home2 };
      expect(run(bundle, ['run', '--profile', hot], [], env2).stderr).toMatch(/tier 1\s+[1-9]\d* modules/);
      const [hotFile] = fs.readdirSync(path.join(home2, 'armvisor', 'v8-cache'));
      expect(hotFile).toBe(files[0]); // the same build and flags (--profile sets none)
      expect(fs.statSync(path.join(home2, 'armvisor', 'v8-cache', hotFile)).size).toBeGreaterThan(fs.statSync(file).size);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
