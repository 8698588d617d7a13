// The decode tables the build compiles into dist/ (scripts/gen-decode.mjs, translator/decode/
// prebuilt.ts), which the `armvisor` command decodes with: they must be the tables of the
// sources, row for row, and each prebuilt extractor must give what the run-time one gives.
import fc from 'fast-check';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractor, type Args, type PrebuiltRow } from '../translator/decode/pattern.js';
import { ALL_DECODERS } from '../translator/decode/tables.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

test("the build's prebuilt decode tables are the sources' tables, extractor for extractor (property)", async () => {
  const { PREBUILT } = (await import(pathToFileURL(path.join(root, 'dist/translator/decode/prebuilt.js')).href)) as { PREBUILT: Record<string, () => PrebuiltRow[]> };
  const pairs: [PrebuiltRow, ReturnType<typeof extractor>, number, number][] = [];
  for (const d of ALL_DECODERS) {
    const pre = PREBUILT[d.tableName]();
    expect(pre.map((p) => p[0])).toEqual(d.rows.map((c) => c.row.name));
    d.rows.forEach((c, i) => {
      expect([pre[i][1], pre[i][2]]).toEqual([c.mask, c.bits]);
      pairs.push([pre[i], extractor(c), c.mask, c.bits]);
    });
  }
  expect(pairs.length).toBeGreaterThan(500);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: pairs.length - 1 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (r, word) => {
      const [pre, fx, mask, bits] = pairs[r];
      const insn = (word & ~mask) | bits; // an instruction word of the row
      expect(pre[3](insn) as Args).toEqual(fx(insn));
    }),
    { numRuns: 5000 },
  );
});
