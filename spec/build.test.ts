// `npm run build` (scripts/build.mjs) builds only what changed: `npm start` and `npm test` run it
// first, and an unchanged tree must neither run tsc again nor give the bundle a new modification
// time, which names the build for V8's code cache and the translation store (cli/launch.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function build(dir: string) {
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build.mjs')], { cwd: dir, encoding: 'utf8', timeout: 120000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

const mtime = (f: string) => fs.statSync(f).mtimeMs;

/** A copy of the tree the build reads, dist/ included with its times; node_modules linked. */
function copyTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armvisor-build-'));
  for (const d of ['translator', 'runtime', 'hypervisor', 'pvdrivers', 'bench', 'cli', 'scripts', 'dist'])
    fs.cpSync(path.join(root, d), path.join(dir, d), { recursive: true, preserveTimestamps: true, filter: (src) => !src.includes(`${path.sep}results`) });
  for (const f of ['tsconfig.json', 'package.json', 'package-lock.json'])
    if (fs.existsSync(path.join(root, f))) fs.cpSync(path.join(root, f), path.join(dir, f), { preserveTimestamps: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

describe('npm run build', () => {
  test('an up-to-date tree builds nothing', () => {
    const stamp = path.join(root, 'dist', '.build-stamp');
    const core = path.join(root, 'dist', 'armvisor-core.cjs');
    const before = [mtime(stamp), mtime(core)];
    const r = build(root);
    expect(r.status).toBe(0);
    expect([mtime(stamp), mtime(core)]).toEqual(before);
  });

  test('a changed source builds again, a missing output is made again, and an unchanged bundle keeps its time', () => {
    const dir = copyTree();
    try {
      const stamp = path.join(dir, 'dist', '.build-stamp');
      const core = path.join(dir, 'dist', 'armvisor-core.cjs');
      const src = path.join(dir, 'translator', 'jit', 'fold.ts');
      /** Makes `src` newer than the last build, its text unchanged. */
      const touch = () => {
        const later = new Date(mtime(stamp) + 5000);
        fs.utimesSync(src, later, later);
      };
      // (The copy's first bundle may differ from the repository's: node_modules is a link, and
      // esbuild names its files by their real paths in comments.)
      touch();
      let stampTime = mtime(stamp);
      let r = build(dir);
      expect(r).toEqual({ status: 0, out: '' });
      expect(mtime(stamp)).toBeGreaterThan(stampTime);
      const bundle = fs.readFileSync(core);
      const coreTime = mtime(core);
      touch();
      stampTime = mtime(stamp);
      r = build(dir);
      expect(r).toEqual({ status: 0, out: '' });
      expect(mtime(stamp)).toBeGreaterThan(stampTime);
      expect(mtime(core)).toBe(coreTime);
      // The bundle removed: made again, the same bytes.
      fs.rmSync(core);
      r = build(dir);
      expect(r.status).toBe(0);
      expect(fs.readFileSync(core).equals(bundle)).toBe(true);
      // A source that does not compile: tsc's message and a non-zero exit, no stamp.
      fs.appendFileSync(src, '\nexport const broken: number = "not a number";\n');
      const stampBefore = mtime(stamp);
      r = build(dir);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/fold\.ts.*error TS2322/);
      expect(r.out).toMatch(/^build: tsc failed$/m);
      expect(mtime(stamp)).toBe(stampBefore);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
