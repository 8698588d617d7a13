// `bench cpu`'s translation micro-benchmark runs in a process of its own (benchTranslateApart,
// bench/translate-child.ts): the built files, as the benchmark runs them.

import type * as Translate from '../bench/translate.js';

const built = (await import(new URL('../dist/bench/translate.js', import.meta.url).href)) as typeof Translate;

test('the translation suite runs in a child process and its results come back whole', async () => {
  const results = await built.benchTranslateApart({ quick: true });
  expect(results.map((r) => r.name)).toEqual([
    'lift A32 blocks',
    'lift Thumb-2 blocks',
    'tier 1 (wasm, V8 compile, instantiation): A32 blocks',
    'tier 1 (wasm, V8 compile, instantiation): Thumb-2 blocks',
  ]);
  for (const r of results) {
    expect(r.insns).toBeGreaterThan(1000);
    expect(r.usPerInsn).toBeGreaterThan(0);
    expect(Number.isFinite(r.usPerInsn)).toBe(true);
    expect(r.cpuUsPerInsn).toBeGreaterThan(0);
  }
  // The child's results are numbers the report can print.
  expect(built.translateLines(results)).toHaveLength(4);
}, 120_000);

test('a suite that does not end in time is stopped, with a one-line error', async () => {
  await expect(built.benchTranslateApart({ quick: true, timeoutMs: 50 })).rejects.toThrow(/^translation benchmark did not end within 0\.05 s$/);
}, 30_000);
