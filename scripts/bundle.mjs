// Bundles the compiled CLI (dist/cli/main.js and everything `armvisor run` imports) into one
// file, dist/armvisor-core.cjs, which the `armvisor` command, dist/armvisor.cjs (the launcher
// cli/launch.ts), runs through V8's code cache. Measured on this project (issue 4): loading
// ~100 separate ES modules cost about as much CPU as Node's own start-up; one file halves the
// import time, and the code cache saves most of what is left of compiling it. What the run
// path does not need stays outside and is loaded on demand from dist/: the benchmarks
// (bench/), tier 2's worker script, binaryen, wabt, benny.

import { build } from 'esbuild';
import { builtinModules, createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Node's built-in modules through require(), not `import`: importing a built-in as an ES module
 * makes Node build its ESM facade, which reads every export, and reading getters such as
 * fs.ReadStream or crypto.webcrypto loads and compiles whole subsystems (streams, WebCrypto)
 * the run never uses: measured as a fifth of start-up CPU.
 */
const builtinsViaRequire = {
  name: 'builtins-via-require',
  setup(b) {
    const names = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!names.has(args.path)) return undefined;
      const name = args.path.replace(/^node:/, '');
      return LAZY.has(name) ? { path: args.path, namespace: 'builtin' } : { path: `node:${name}`, external: true };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: builtinModule(args.path.replace(/^node:/, '')), loader: 'js' }));
  },
};

/**
 * Built-ins that are imported at start-up but used only on rare paths: commander's executable
 * subcommands and `armvisor demo` (child_process, which pulls in net and streams), tier 2's
 * worker (worker_threads), the gdb server (net), the TCGETS ioctl's isatty (tty, which loads
 * net and streams too: ~3 ms of a trivial run), createRequire (node:module, which loads Node's
 * ES module loader: ~4 ms). They are loaded when a property is first read.
 */
const LAZY = new Set(['child_process', 'worker_threads', 'tty', 'net', 'module']);

function builtinModule(name) {
  const spec = JSON.stringify(`node:${name}`);
  if (!LAZY.has(name)) return `module.exports = __armvisorRequire(${spec});`;
  const keys = JSON.stringify(Object.keys(createRequire(import.meta.url)(`node:${name}`)));
  return `const keys = ${keys};
let real;
const load = () => (real ??= __armvisorRequire(${spec}));
module.exports = new Proxy({}, {
  get: (_, k) => load()[k],
  has: (_, k) => keys.includes(k) || k in load(),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_, k) => (keys.includes(k) ? { configurable: true, enumerable: true, writable: false, value: undefined } : undefined),
});`;
}

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Writes `bytes` to `file` unless the file already holds exactly those: the bundle's size and
 * modification time name the build (cli/launch.ts), so a rebuild that changes nothing keeps
 * V8's code cache and the translation store of the build before.
 */
function writeIfChanged(file, bytes, mode) {
  try {
    if (Buffer.from(bytes).equals(readFileSync(file))) return;
  } catch {
    /* not there yet */
  }
  writeFileSync(file, bytes, { mode });
  chmodSync(file, mode);
}

// The decode tables compiled now, into dist/ (translator/decode/prebuilt.ts), before bundling.
await import('./gen-decode.mjs');

// The CLI as one CommonJS file, which the launcher compiles with V8's code cache (cli/launch.ts:
// Node 20 has no code cache for ES modules). Its import.meta.url is the launcher's, so paths
// resolve from dist/ as before, and its built-ins come through the launcher's require(). Its
// dynamic imports of files outside it (benchmarks, wabt) go through the launcher's import(),
// `__armvisorImport`: Node 20 loses a vm.Script's import() callback when the script comes from
// a code cache.
const core = await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/armvisor-core.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['binaryen', 'wabt', 'benny'],
  define: { 'import.meta.url': '__armvisorUrl' },
  plugins: [builtinsViaRequire],
  logLevel: 'warning',
  write: false,
  metafile: true,
});
const external = Object.values(core.metafile.inputs).flatMap((i) => i.imports).filter((i) => i.kind === 'dynamic-import' && i.external).length;
const [out] = core.outputFiles;
let rewritten = 0;
let text = out.text.replace(/(?<![\w$.])import\(/g, () => (rewritten++, '__armvisorImport('));
// Every import() esbuild left is one of an external file: those it lists, and those whose path
// is computed at run time (which it cannot list).
if (rewritten < external) throw new Error(`bundle: found ${rewritten} import( in dist/armvisor-core.cjs, expected at least the ${external} dynamic imports of external files`);
// A namespace import of a built-in (`import * as fs from 'node:fs'`) is the module itself, not
// esbuild's interop copy: __toESM defines a getter for each of its exports (fs has ~100), at
// every import site (~1.5 ms of every run). The copy differs only by its `default`, which no
// such namespace reads (checked here).
let interop = 0;
const direct = text.replace(/var ([\w$]+) = __toESM\(require\(("node:[a-z_/]+")\), 1\);/g, (all, name, spec) => {
  if (new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}\\.default\\b`).test(text)) return all;
  interop++;
  return `var ${name} = require(${spec});`;
});
if (interop === 0) throw new Error('bundle: expected namespace imports of built-ins (var x = __toESM(require("node:...")))');
text = direct;

// Written as the function expression the launcher compiles, in ASCII, so that the launcher
// reads it as it is: as latin1 (no UTF-8 decoding of ~1 MB) and without building a wrapped copy
// of the source (together ~2 ms of every run). esbuild escapes non-ASCII characters in strings
// and identifiers; what is left is in comments, escaped here.
const wrapped =
  '(function (exports, require, module, __armvisorRequire, __armvisorUrl, __armvisorImport) {' +
  text.replace(/^#!.*\n/, '').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) +
  '\n})';
writeIfChanged(out.path, Buffer.from(wrapped, 'latin1'), 0o644);

// The `armvisor` command: the launcher, as CommonJS: an ES module entry point makes Node load
// its ES module loader first (~4 ms of every run).
const launcher = await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/launch.js'],
  outfile: 'dist/armvisor.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: '"use strict";\nconst __launcherUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__launcherUrl' },
  logLevel: 'warning',
  write: false,
});
const [launcherOut] = launcher.outputFiles;
writeIfChanged(launcherOut.path, launcherOut.contents, 0o755); // package.json's bin

// The launcher of earlier builds.
rmSync(path.join(root, 'dist', 'armvisor.mjs'), { force: true });
