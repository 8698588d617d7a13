// Bundles the compiled CLI (dist/cli/main.js and everything `armvisor run` imports) into one
// ES module, dist/armvisor.mjs: the `armvisor` command. Measured on this project (issue 4):
// loading ~100 separate ES modules cost about as much CPU as Node's own start-up; one file
// halves the import time. What the run path does not need stays outside and is loaded on
// demand from dist/: the benchmarks (bench/), tier 2's worker script, binaryen, wabt, benny.

import { build } from 'esbuild';
import { builtinModules, createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

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
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => (names.has(args.path) ? { path: args.path, namespace: 'builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: builtinModule(args.path.replace(/^node:/, '')), loader: 'js' }));
  },
};

/**
 * Built-ins that are imported at start-up but used only on rare paths: commander's executable
 * subcommands and `armvisor demo` (child_process, which pulls in net and streams), tier 2's
 * worker (worker_threads). They are loaded when a property is first read.
 */
const LAZY = new Set(['child_process', 'worker_threads']);

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

await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/armvisor.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['binaryen', 'wabt', 'benny'],
  // The require() the built-ins are loaded with (see builtinsViaRequire).
  banner: { js: "import { createRequire as __armvisorCreateRequire } from 'node:module';\nconst __armvisorRequire = __armvisorCreateRequire(import.meta.url);" },
  plugins: [builtinsViaRequire],
  logLevel: 'warning',
});
