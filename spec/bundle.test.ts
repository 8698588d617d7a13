// The `armvisor` command is the bundle dist/armvisor.mjs (scripts/bundle.mjs, built by
// `npm test`'s pretest): it must behave as the unbundled dist/cli/main.js, and keep its
// start-up promises: the built-ins the run path does not need (child_process, worker_threads,
// v8, crypto) are not loaded by a short run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { guestPath } from '../bench/guestrun.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bundle = path.join(root, 'dist', 'armvisor.mjs');
const main = path.join(root, 'dist', 'cli', 'main.js');

function run(entry: string, args: string[], nodeArgs: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, entry, ...args], { encoding: 'utf8', timeout: 120000 });
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

  test('a short run loads none of the built-ins it does not need', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armvisor-bundle-'));
    const probe = path.join(dir, 'probe.mjs');
    fs.writeFileSync(
      probe,
      "import { writeSync } from 'node:fs';\n" +
        "process.on('exit', () => writeSync(2, 'LOADED ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(' ') + '\\n'));\n",
    );
    try {
      const r = run(bundle, ['run', guestPath('asm', 'arm')], ['--import', probe]);
      const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
      expect(line).toBeDefined();
      const loaded = new Set(line!.slice(7).split(' '));
      expect(loaded.has('fs')).toBe(true); // the probe sees the list
      // node:v8 is loaded: `run` raises V8's JS tier-up budget before the translator runs
      // (cli/run.ts; it costs under 2 ms of start-up).
      for (const m of ['child_process', 'worker_threads', 'crypto']) expect([m, loaded.has(m)]).toEqual([m, false]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
