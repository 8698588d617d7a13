// Constant folding in tier-1 code generation (translator/jit/fold.ts): every foldable IR op,
// folded in JavaScript, must give what the wasm instruction codegen.ts emits for it computes,
// on edge values and random ones.
import { Op } from '../translator/ir.js';
import { foldBinary } from '../translator/jit/fold.js';
import { FuncBody, I32, ModuleBuilder, O } from '../translator/wasm/builder.js';
import { Xorshift32 } from '../bench/data.js';

const OPS: [string, number, number][] = [
  ['ADD', Op.ADD, O.i32_add],
  ['SUB', Op.SUB, O.i32_sub],
  ['AND', Op.AND, O.i32_and],
  ['OR', Op.OR, O.i32_or],
  ['XOR', Op.XOR, O.i32_xor],
  ['SHL', Op.SHL, O.i32_shl],
  ['SHR', Op.SHR, O.i32_shr_u],
  ['SAR', Op.SAR, O.i32_shr_s],
  ['ROR', Op.ROR, O.i32_rotr],
  ['MUL', Op.MUL, O.i32_mul],
  ['EQ', Op.EQ, O.i32_eq],
  ['NE', Op.NE, O.i32_ne],
  ['LTU', Op.LTU, O.i32_lt_u],
  ['LTS', Op.LTS, O.i32_lt_s],
  ['LEU', Op.LEU, O.i32_le_u],
  ['LES', Op.LES, O.i32_le_s],
];

/** One wasm function per op: (a, b) -> a op b. */
function wasmOps(): ((a: number, b: number) => number)[] {
  const m = new ModuleBuilder();
  OPS.forEach(([name, , wop]) => {
    const f = new FuncBody(2);
    f.get(0).get(1).op(wop);
    m.export(name, m.addFunction([I32, I32], [I32], f));
  });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(m.finish()));
  return OPS.map(([name]) => inst.exports[name] as (a: number, b: number) => number);
}

test('foldBinary computes what the emitted wasm instruction computes', () => {
  const fns = wasmOps();
  const edge = [0, 1, -1, 2, 31, 32, 33, 63, 0x7fffffff, -0x80000000, 0xffff, 0x10000, -32];
  const r = new Xorshift32(7);
  const values = [...edge, ...Array.from({ length: 40 }, () => r.next() | 0)];
  let checked = 0;
  OPS.forEach(([name, op], i) => {
    for (const a of values)
      for (const b of values) {
        const want = fns[i](a, b);
        const got = foldBinary(op, a, b);
        if (got !== want) throw new Error(`${name}(${a}, ${b}): folded ${got}, wasm ${want}`);
        checked++;
      }
  });
  expect(checked).toBe(OPS.length * values.length * values.length);
  expect(foldBinary(Op.LOAD, 1, 2)).toBeUndefined();
});
