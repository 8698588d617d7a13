// The wasm byte builder's module layout: names (ASCII written byte by byte, others as UTF-8),
// sections sized through reused buffers, nested ones (the name section's) included.
import { FuncBody, I32, ModuleBuilder } from '../translator/wasm/builder.js';

function module(names: boolean): Uint8Array {
  const m = new ModuleBuilder();
  m.customSection('ascii', Uint8Array.of(1, 2, 3));
  m.customSection('n\u00e4me \u2713', Uint8Array.of(9));
  const a = m.addFunction([I32], [I32], new FuncBody(1).get(0).i32(1).op(0x6a));
  const b = m.addFunction([I32], [I32], new FuncBody(1).get(0).i32(2).op(0x6c));
  m.export('inc', a);
  m.export('dbl \u00e9', b);
  if (names) {
    m.nameFunction(a, 'inc_fn');
    m.nameFunction(b, 'dbl\u00e9');
  }
  return m.finish();
}

test.each([false, true])('names ASCII and not, custom sections and the name section (%s) read back from V8', (names) => {
  const bytes = module(names);
  const mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  expect(WebAssembly.Module.exports(mod).map((e) => e.name)).toEqual(['inc', 'dbl \u00e9']);
  expect([...new Uint8Array(WebAssembly.Module.customSections(mod, 'ascii')[0]!)]).toEqual([1, 2, 3]);
  expect([...new Uint8Array(WebAssembly.Module.customSections(mod, 'n\u00e4me \u2713')[0]!)]).toEqual([9]);
  expect(WebAssembly.Module.customSections(mod, 'name').length).toBe(names ? 1 : 0);
  const ex = new WebAssembly.Instance(mod).exports as Record<string, (x: number) => number>;
  expect(ex['inc']!(41)).toBe(42);
  expect(ex['dbl \u00e9']!(21)).toBe(42);
  // built twice, the same bytes (the reused buffers leave nothing behind)
  expect(module(names)).toEqual(bytes);
});
