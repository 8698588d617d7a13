// kallsyms extraction: synthetic tables in both layouts scripts/kallsyms.c has produced (offsets
// before kallsyms_num_syms up to Linux 6.3, after the token index since), with and without
// kallsyms_seqs_of_names, one- and two-byte name lengths, buried in random bytes; and Debian's
// kernel Image: a sane, sorted map whose addresses point at the code they name.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { extractKallsyms, formatSystemMap, KallsymsError, type KernelSymbol } from '../runtime/board/kallsyms.js';
import { identifyKernel } from '../runtime/board/kernel.js';
import { kernelFile } from './helpers/kernel.js';
import { systemMapSymbols } from '../runtime/symbols.js';

/** Multi-character tokens given to byte values no symbol character uses. */
const MULTI = ['_pa', 'init', 'kernel', 'start', '__', 'get_', 'set_', 'irq', 'dev', 'mem', 'T_', 't_', 'lock', 'ata'];

function tokenTable(): string[] {
  const t: string[] = [];
  let m = 0;
  for (let b = 0; b < 256; b++) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9_.$]/.test(ch)) t.push(ch);
    else t.push(m < MULTI.length ? MULTI[m++] : `x${b}`); // unused tokens still need distinct text
  }
  return t;
}

const multiOf = new WeakMap<string[], number[]>();
function multi(table: string[]): number[] {
  let m = multiOf.get(table);
  if (!m) multiOf.set(table, (m = table.flatMap((t, b) => (t.length > 1 ? [b] : []))));
  return m;
}

/** Greedy compression of `s` with the table (longest multi-character token first). */
function compress(s: string, table: string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    let best = -1;
    for (const b of multi(table)) if (s.startsWith(table[b], i) && (best < 0 || table[b].length > table[best].length)) best = b;
    if (best >= 0) {
      out.push(best);
      i += table[best].length;
    } else {
      out.push(s.charCodeAt(i));
      i++;
    }
  }
  return out;
}

class Bytes {
  b: number[] = [];
  u8(...v: number[]): void {
    this.b.push(...v);
  }
  u16(v: number): void {
    this.b.push(v & 0xff, v >>> 8);
  }
  u32(v: number): void {
    this.b.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  }
  align(n: number): void {
    while (this.b.length % n) this.b.push(0);
  }
}

/** The .rodata a kernel with these symbols would carry, in one of the layouts, inside noise. */
function build(syms: KernelSymbol[], opts: { newLayout: boolean; seqs: boolean; noise: number[] }): Uint8Array {
  const sorted = [...syms].sort((a, b) => a.addr - b.addr);
  const base = sorted[0].addr;
  const table = tokenTable();
  const o = new Bytes();
  o.u8(...opts.noise);
  o.align(4);
  const offsets = (): void => {
    for (const s of sorted) o.u32(s.addr - base);
    o.u32(base); // kallsyms_relative_base
  };
  if (!opts.newLayout) offsets();
  o.u32(sorted.length);
  const start = o.b.length;
  const markers: number[] = [];
  sorted.forEach((s, i) => {
    if (i % 256 === 0) markers.push(o.b.length - start);
    const c = compress(s.type + s.name, table);
    if (c.length > 127) o.u8((c.length & 0x7f) | 0x80, c.length >> 7);
    else o.u8(c.length);
    o.u8(...c);
  });
  o.align(4);
  markers.forEach((m) => o.u32(m));
  if (opts.seqs) sorted.forEach((_, i) => o.u8(i >> 16, (i >> 8) & 0xff, i & 0xff));
  o.align(4);
  const tt = o.b.length;
  const idx: number[] = [];
  for (const t of table) {
    idx.push(o.b.length - tt);
    o.u8(...[...t].map((c) => c.charCodeAt(0)), 0);
  }
  o.align(4);
  idx.forEach((v) => o.u16(v));
  if (opts.newLayout) {
    o.align(4);
    offsets();
  }
  o.u8(...opts.noise.slice().reverse());
  return new Uint8Array(o.b);
}

const symbolArb = fc.record({
  addr: fc.integer({ min: 0xc0008000, max: 0xc1ffffff }),
  type: fc.constantFrom('T', 't', 'W', 'D'),
  name: fc.stringMatching(/^[a-z_][a-z0-9_.]{0,20}$/).chain((n) => fc.constantFrom(n, `${n}${'_long'.repeat(30)}`, `${n}.init_kernel_start`)),
});

describe('synthetic kallsyms tables', () => {
  test('both layouts, with and without seqs_of_names, recovered exactly', () => {
    fc.assert(
      fc.property(fc.array(symbolArb, { minLength: 256, maxLength: 600 }), fc.boolean(), fc.boolean(), fc.uint8Array({ maxLength: 64 }), (syms, newLayout, seqs, noise) => {
        const got = extractKallsyms(build(syms, { newLayout, seqs, noise: [...noise] }));
        const want = [...syms].sort((a, b) => a.addr - b.addr || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        expect(got).toEqual(want);
      }),
      { numRuns: 25 },
    );
  });
  test('zero padding before kallsyms_num_syms does not pass for offsets in the newer layout', () => {
    const syms = Array.from({ length: 300 }, (_, i) => ({ addr: 0xc0100000 + 16 * i, type: 'T', name: `f${i}` }));
    expect(extractKallsyms(build(syms, { newLayout: true, seqs: true, noise: new Array(4096).fill(0) }))).toEqual(syms);
    expect(extractKallsyms(build(syms, { newLayout: false, seqs: false, noise: new Array(4096).fill(0) }))).toEqual(syms);
  });
  test('no table: a one-line KallsymsError', () => {
    expect(() => extractKallsyms(new Uint8Array(4096).fill(0x41))).toThrow(KallsymsError);
    expect(() => extractKallsyms(new Uint8Array(0))).toThrow(/no kallsyms token table/);
  });
  test('System.map format', () => {
    expect(formatSystemMap([{ addr: 0xc0008000, type: 'T', name: 'stext' }, { addr: 0x10, type: 't', name: 'a' }])).toBe('c0008000 T stext\n00000010 t a\n');
  });
});

describe("Debian's kernel Image", () => {
  let syms: KernelSymbol[];
  let image: Uint8Array;
  const at = (name: string): number => {
    const s = syms.find((x) => x.name === name);
    if (!s) throw new Error(`${name} not in kallsyms`);
    return s.addr;
  };
  beforeAll(() => {
    image = readFileSync(kernelFile('Image'));
    syms = extractKallsyms(image);
  });

  test('tens of thousands of text symbols, sorted, start_kernel in init text', () => {
    expect(syms.length).toBeGreaterThan(30000);
    expect(syms.findIndex((s, i) => i > 0 && s.addr < syms[i - 1].addr)).toBe(-1);
    expect(at('_stext')).toBeLessThan(at('_etext'));
    expect(at('start_kernel')).toBeGreaterThanOrEqual(at('_sinittext'));
    expect(at('start_kernel')).toBeLessThan(at('_einittext'));
    expect(syms.filter((s) => s.addr < 0xc0000000)).toEqual([]);
    expect(new Set(syms.map((s) => s.type))).toEqual(new Set(['T', 't', 'W', 'D']));
  });

  test('addresses point at their code: __turn_mmu_on writes SCTLR, start_kernel opens a frame', () => {
    const k = identifyKernel(image, 'Image');
    if (k.kind !== 'image') throw new Error('not an Image');
    const imageVa = 0xc0000000 + k.textOffset; // PAGE_OFFSET + TEXT_OFFSET (CONFIG_PAGE_OFFSET=0xC0000000)
    const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
    const word = (va: number, i: number): number => dv.getUint32(va - imageVa + 4 * i, true);
    const mmu = at('__turn_mmu_on');
    expect([word(mmu, 0), word(mmu, 2)]).toEqual([0xe1a00000, 0xee010f10]); // mov r0, r0; ...; mcr p15, 0, r0, c1, c0, 0
    // Every function begins with code: start_kernel's first instructions include a push {..., lr}.
    const firsts = [0, 1, 2, 3, 4, 5].map((i) => word(at('start_kernel'), i));
    expect(firsts.some((w) => (w & 0xffff4000) >>> 0 === 0xe92d4000)).toBe(true);
  });
});

describe('System.map as profiler symbols (systemMapSymbols)', () => {
  test('a text symbol names the addresses up to the next; data symbols and the text ends name none', () => {
    const map = ['c0400000 T _stext', 'c0400000 T first', 'c0400040 t second', 'c0400080 D _etext', 'c0500000 T init_fn', 'c0500100 T _einittext', 'c0600000 d some_data'].join('\n');
    const s = systemMapSymbols(map);
    expect(['first', '_stext']).toContain(s.lookup(0xc0400000)?.name); // they share the address; either names it
    expect(s.format(0xc040003c)).toMatch(/^(first|_stext)\+0x3c$/);
    expect(s.lookup(0xc0400044)).toEqual({ name: 'second', offset: 4 });
    expect(s.lookup(0xc0400080)).toBeNull(); // past _etext
    expect(s.lookup(0xc04fffff)).toBeNull();
    expect(s.lookup(0xc05000fc)).toEqual({ name: 'init_fn', offset: 0xfc });
    expect(s.lookup(0xc0500100)).toBeNull(); // past _einittext
    expect(s.lookup(0xffff0000)).toBeNull(); // the vector page
    expect(s.lookup(0xbf000000)).toBeNull(); // below the kernel (modules)
  });

  test("Debian's System.map: start_kernel names its own code, the vector page names nothing", () => {
    const s = systemMapSymbols(readFileSync(kernelFile('System.map'), 'latin1'));
    const sk = s.addressOf('start_kernel')!;
    expect(s.format(sk + 8)).toBe('start_kernel+0x8');
    expect(s.lookup(0xffff0000)).toBeNull();
  });
});
