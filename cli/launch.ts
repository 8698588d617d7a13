#!/usr/bin/env node
// The `armvisor` command, dist/armvisor.mjs: a small launcher that runs the CLI bundle
// dist/armvisor-core.cjs (scripts/bundle.mjs) through V8's code cache, kept in
// ~/.cache/armvisor/v8-cache. Compiling the bundle's ~700 KB of JavaScript (and lazily, each
// function the run reaches) is a good part of a short run's start-up; the cache holds that work.
// It is written at the exit of a run whose V8 flags are the defaults, or by a run that reaches
// the JIT just before it sets `--liftoff-only` (v8flags.ts); V8 itself rejects it if the
// source or flags differ. Errors
// reading or writing it are ignored: the cache only makes start-up faster.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
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
  v8FlagsAtDefaults?: () => boolean;
}

const corePath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'armvisor-core.cjs');
const source = fs.readFileSync(corePath, 'utf8').replace(/^#!/, '//');
/** The cache of this build of the bundle under this Node (null: no place for one). */
function cachePath(): string | null {
  try {
    const stat = fs.statSync(corePath);
    const home = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    return path.join(home, 'armvisor', 'v8-cache', `core-${process.version}-${process.arch}-${stat.size}-${Math.trunc(stat.mtimeMs)}.bin`);
  } catch {
    return null;
  }
}
const cacheFile = cachePath();
let cachedData: Buffer | undefined;
try {
  if (cacheFile) cachedData = fs.readFileSync(cacheFile);
} catch {
  /* none yet */
}
const script = new vm.Script(`(function (exports, require, module, __armvisorRequire, __armvisorUrl, __armvisorImport) {${source}\n})`, {
  filename: corePath,
  cachedData,
});
const module = { exports: {} as CoreExports };
const needCache = cacheFile !== null && (!cachedData || script.cachedDataRejected);
if (needCache) {
  process.once('exit', () => writeCache(cacheFile, module.exports));
  // For a run that reaches the JIT: v8flags.ts calls it before setting a flag it cannot undo.
  globalThis.__armvisorWriteCodeCache = () => writeCache(cacheFile, null);
}
(script.runInThisContext() as Core)(module.exports, require, module, require, import.meta.url, (specifier) => import(specifier));

/** Writes the cache; `core` given (at exit): only if V8's flags are at their defaults then. */
function writeCache(cacheFile: string, core: CoreExports | null): void {
  try {
    if (core && !core.v8FlagsAtDefaults?.()) return;
    const data = script.createCachedData();
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const dir = path.dirname(cacheFile);
    // Caches of earlier builds go: one file per build would pile up.
    for (const f of fs.readdirSync(dir)) if (f.startsWith('core-') && f.endsWith('.bin')) fs.rmSync(path.join(dir, f), { force: true });
    const tmp = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, cacheFile);
  } catch {
    /* no cache: start-up stays as it is */
  }
}
