#!/usr/bin/env node
// The `armvisor` command, dist/armvisor.cjs: a small launcher that runs the CLI bundle
// dist/armvisor-core.cjs (scripts/bundle.mjs) through V8's code cache, kept in
// ~/.cache/armvisor/v8-cache. Compiling the bundle's ~1 MB of JavaScript (and lazily, each
// function the run reaches) is a good part of a short run's start-up; the cache holds that work.
// V8 accepts a cache only under the flags it was made with, so the launcher first sets the V8
// flags the command will run under (v8preset.ts) and keeps one cache per build and flag set. It
// is written at the exit of the first run of that build and flag set, and so holds every
// function that run compiled, unless the command set a flag of its own (v8flags.ts). Errors
// reading or writing it are ignored: the cache only makes start-up faster.

import { v8FlagsFor } from './v8preset.js';
import { fnv1a } from '../runtime/fnv1a.js';

// The launcher is bundled as CommonJS (scripts/bundle.mjs): `require` is its module's. (Not
// node:module's createRequire: loading node:module loads Node's ES module loader, ~4 ms.)
const fs = require('node:fs') as typeof import('node:fs');
const path = require('node:path') as typeof import('node:path');
const vm = require('node:vm') as typeof import('node:vm');
const os = require('node:os') as typeof import('node:os');
const { fileURLToPath } = require('node:url') as typeof import('node:url');

/**
 * The bundle's parameters: its CommonJS wrapper's, then the require() of its built-ins, its
 * import.meta.url and the import() of files outside it (scripts/bundle.mjs).
 */
type Core = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: object },
  armvisorRequire: NodeJS.Require,
  url: string,
  armvisorImport: (specifier: string) => Promise<unknown>,
) => void;

interface CoreExports {
  v8FlagsAsLaunched?: () => boolean;
}

const preset = v8FlagsFor(process.argv.slice(2));
if (preset.length > 0) {
  const v8 = require('node:v8') as typeof import('node:v8');
  for (const flag of preset) v8.setFlagsFromString(flag);
}
globalThis.__armvisorV8Preset = preset;

const corePath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'armvisor-core.cjs');
// The bundle is the function expression to compile, in ASCII (scripts/bundle.mjs).
let source: string;
try {
  source = fs.readFileSync(corePath, 'latin1');
} catch (e) {
  process.stderr.write(`armvisor: cannot read ${corePath} (${(e as NodeJS.ErrnoException).code ?? e}): run \`npm run build\`\n`);
  process.exit(1);
}
/** This build of the bundle under this Node ('' if it cannot be read). */
function buildId(): string {
  try {
    const stat = fs.statSync(corePath);
    return `core-${process.version}-${process.arch}-${stat.size}-${Math.trunc(stat.mtimeMs)}-`;
  } catch {
    return '';
  }
}
const build = buildId();
// Names the build for the translation store (runtime/linux/transcache.ts).
globalThis.__armvisorBuild = build || undefined;
const cacheDir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'armvisor', 'v8-cache');
/** The cache of this build under this flag set (null: no place for one). */
const cacheFile = build ? path.join(cacheDir, `${build}${fnv1a(preset.join(' '))}.bin`) : null;
let cachedData: Buffer | undefined;
try {
  if (cacheFile) cachedData = fs.readFileSync(cacheFile);
} catch {
  /* none yet */
}
const script = new vm.Script(source, {
  filename: corePath,
  cachedData,
});
const module = { exports: {} as CoreExports };
if (cacheFile !== null && (!cachedData || script.cachedDataRejected)) {
  process.once('exit', () => writeCache(cacheFile, module.exports));
}
(script.runInThisContext() as Core)(module.exports, require, module, require, import.meta.url, (specifier) => import(specifier));

/** Writes the cache at exit, if V8's flags are still those it was compiled under. */
function writeCache(cacheFile: string, core: CoreExports): void {
  try {
    if (!core.v8FlagsAsLaunched?.()) return;
    const data = script.createCachedData();
    fs.mkdirSync(cacheDir, { recursive: true });
    // Caches of earlier builds go: one file per build would pile up.
    for (const f of fs.readdirSync(cacheDir)) {
      if (f.startsWith('core-') && f.endsWith('.bin') && !f.startsWith(build)) fs.rmSync(path.join(cacheDir, f), { force: true });
    }
    const tmp = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, cacheFile);
  } catch {
    /* no cache: start-up stays as it is */
  }
}
