// The translation store (translator/persist/, runtime/linux/transcache.ts): a block comes back
// from a saved store exactly as it was lifted, and only while memory holds the code it was
// lifted from under the same permissions; a malformed store is an empty one, never an
// exception; and `armvisor run` gives the same output on a program's first and later runs
// (ordinary and self-modifying code), the later ones taking blocks and modules from the store.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { Engine } from '../runtime/exec.js';
import { FlatMemory, Perm, STATE_BASE } from '../runtime/memory/flat.js';
import { flatJitTarget } from '../runtime/memory/flat-jit.js';
import { Exit } from '../translator/ir.js';
import { CpuState } from '../translator/state.js';
import { liftBlock } from '../translator/lift/block.js';
import { TranslationStore } from '../translator/persist/store.js';
import { translationsDir } from '../runtime/linux/transcache.js';
import type { IRBlock } from '../translator/ir.js';
import { guestEnv, guestPath, requireFile, tempDir } from './helpers/differential.js';

const SEED = [1, 2, 3];
const BASE = 0x10000;

/** A memory with `words` (A32 code) at BASE on a page with permissions `perm`. */
function codeMemory(words: number[], perm = Perm.R | Perm.X): FlatMemory {
  const mem = new FlatMemory();
  mem.setPerm(BASE >>> 12, perm);
  words.forEach((w, i) => mem.dv.setUint32(BASE + 4 * i, w >>> 0, true));
  return mem;
}

// add r0, r0, #1; ldr r1, [pc, #4] (a literal on the page); cmp r0, r1; bne BASE; bx lr; .word 77
const CODE = [0xe2800001, 0xe59f1004, 0xe1500001, 0x1afffffb, 0xe12fff1e, 77];

const same = (a: IRBlock, b: IRBlock): void => {
  expect([b.pc, b.thumb, b.itstate, b.nops, b.ntemps, b.ninsns, b.end]).toEqual([a.pc, a.thumb, a.itstate, a.nops, a.ntemps, a.ninsns, a.end]);
  expect(b.code.slice(0, b.nops * 6)).toEqual(a.code.slice(0, a.nops * 6));
  expect(b.callArgs).toEqual(a.callArgs);
};

/** A store saved after lifting the block at BASE from `mem`, and that block. */
function saved(mem: FlatMemory): { bytes: Uint8Array; block: IRBlock } {
  const store = TranslationStore.empty(mem.i32, SEED);
  const block = liftBlock(mem, BASE, false, 0);
  store.add(block, mem);
  store.addModule({ bytes: new Uint8Array(12), sites: Int32Array.of(1, 2) }, Int32Array.of(1, 1, 0, BASE, 0, block.end, store.idOf(block)));
  return { bytes: store.serialize(), block };
}

test('a stored block comes back as lifted while its page holds the same code', () => {
  const { bytes, block } = saved(codeMemory(CODE));
  const mem = codeMemory(CODE);
  const found = TranslationStore.parse(bytes, mem.i32, SEED).block(BASE, false, 0, mem);
  expect(found).not.toBeNull();
  same(block, found!);
  // Found, the page is marked as holding code: a store to it now drops the block.
  expect(mem.perm[BASE >>> 12] & Perm.CODE).toBe(Perm.CODE);
});

test('a stored block is not used when its code, its literal or its page permissions differ', () => {
  const { bytes } = saved(codeMemory(CODE));
  const changed = [...CODE];
  changed[0] = 0xe2800002; // add r0, r0, #2
  const literal = [...CODE];
  literal[5] = 78; // the literal the lifter inlined
  for (const mem of [codeMemory(changed), codeMemory(literal), codeMemory(CODE, Perm.X), codeMemory(CODE, Perm.R)]) {
    expect(TranslationStore.parse(bytes, mem.i32, SEED).block(BASE, false, 0, mem)).toBeNull();
  }
  // Nor for another instruction set or IT state at the same address.
  const mem = codeMemory(CODE);
  expect(TranslationStore.parse(bytes, mem.i32, SEED).block(BASE, true, 0, mem)).toBeNull();
});

test('a store saved again keeps earlier blocks, renumbering their pages', () => {
  const mem = codeMemory(CODE);
  const first = saved(mem);
  const again = TranslationStore.parse(first.bytes, mem.i32, SEED);
  // A second block, on another page, lifted in the "later run".
  mem.setPerm((BASE >>> 12) + 1, Perm.R | Perm.X);
  mem.dv.setUint32(BASE + 4096, 0xe12fff1e, true);
  const second = liftBlock(mem, BASE + 4096, false, 0);
  again.add(second, mem);
  const third = TranslationStore.parse(again.serialize(), mem.i32, SEED);
  same(first.block, third.block(BASE, false, 0, mem)!);
  same(second, third.block(BASE + 4096, false, 0, mem)!);
});

test('a module comes back with its layout, once; it is kept only while every block it names is', () => {
  const mem = codeMemory(CODE);
  const s = TranslationStore.empty(mem.i32, SEED);
  const block = liftBlock(mem, BASE, false, 0);
  s.add(block, mem);
  const id = s.idOf(block);
  expect(id).toBe(0);
  const module = { bytes: Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 9), sites: Int32Array.of(5, BASE) };
  const layout = Int32Array.of(1, 1, 0, BASE, 0, block.end, id);
  s.addModule(module, layout);
  // Another module naming a block the store does not have is not kept.
  s.addModule(module, Int32Array.of(1, 1, 0, BASE + 8, 0, BASE + 12, 7));
  const t = TranslationStore.parse(s.serialize(), mem.i32, SEED);
  expect(t.batchFor(BASE + 8, false, 0)).toBeUndefined();
  const found = t.batchFor(BASE, false, 0)!;
  expect([...found.layout]).toEqual([...layout]);
  const m = found.module()!;
  expect([...m.bytes]).toEqual([...module.bytes]);
  expect([...m.sites]).toEqual([...module.sites]);
  expect(t.batchFor(BASE, false, 0)).toBeUndefined();
  // The block found gives its record's id: the JIT matches it with the layout's.
  expect(t.idOf(t.block(BASE, false, 0, mem)!)).toBe(id);
  // A module with the layout of one the store has is not added again.
  t.addModule(module, layout);
  expect(t.dirty).toBe(false);
  // A store made for another JIT target layout (seed) is empty.
  expect(TranslationStore.parse(s.serialize(), mem.i32, [1, 2, 4]).block(BASE, false, 0, mem)).toBeNull();
});

test('code rewritten again and again is not copied again and again', () => {
  // In one run: after its third change a page is no longer copied (its blocks are not kept).
  const mem = codeMemory(CODE);
  const s = TranslationStore.empty(mem.i32, SEED);
  for (let v = 0; v < 10; v++) {
    mem.dv.setUint32(BASE, 0xe2800000 + v, true); // add r0, r0, #v
    s.forgetPage(BASE >>> 12);
    s.add(liftBlock(mem, BASE, false, 0), mem);
  }
  expect(s.stats.blocksAdded).toBe(3);
  // Across runs: blocks lifted from other versions of the page are kept, but at most four
  // versions of it (the latest runs' blocks first).
  let bytes = s.serialize();
  for (let run = 0; run < 6; run++) {
    const m = codeMemory(CODE);
    m.dv.setUint32(BASE + 0x800, run, true);
    const t = TranslationStore.parse(bytes, m.i32, SEED);
    t.add(liftBlock(m, BASE + 4 * (run % 5), false, 0), m);
    bytes = t.serialize();
  }
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  let pages = 0;
  // (The header: magic, version, saves, next id, the seed's length and the seed; page records' tag is 3.)
  for (let k = 5 + SEED.length; k < words.length; k += words[k]) if (words[k + 1] === 3) pages++;
  expect(pages).toBe(4);
});

test('a store keeps what the runs of its last eight saves used, and drops the rest', () => {
  const mem = codeMemory(CODE);
  mem.setPerm((BASE >>> 12) + 1, Perm.R | Perm.X);
  for (let i = 0; i < 8; i++) mem.dv.setUint32(BASE + 4096 + 4 * i, 0xe2800000 + i, true);
  const survivors = (useAt: number): boolean[] => {
    let bytes = saved(mem).bytes; // save 1 holds the block at BASE
    const alive: boolean[] = [];
    for (let run = 1; run <= 12; run++) {
      const t = TranslationStore.parse(bytes, mem.i32, SEED);
      if (run === useAt) expect(t.block(BASE, false, 0, mem)).not.toBeNull();
      t.add(liftBlock(mem, BASE + 4096 + 4 * (run % 8), false, 0), mem); // something new: the run saves
      bytes = t.serialize();
      alive.push(TranslationStore.parse(bytes, mem.i32, SEED).block(BASE, false, 0, mem) !== null);
    }
    return alive;
  };
  // Unused, it is gone at the eighth save after its own.
  expect(survivors(0).indexOf(false)).toBe(7);
  // Used by the run of the fourth save, it lasts eight saves from there.
  expect(survivors(4).indexOf(false)).toBe(11);
});

describe('the engine with a store', () => {
  // r0 = 0; r1 = 1000; loop: r0 += r1 (add r0, r0, #K); subs r1, r1, #1; bne loop; svc 0
  const loop = (k: number): number[] => [0xe3a00000, 0xe3a01ffa, 0xe2800000 + k, 0xe2511001, 0x1afffffc, 0xef000000];
  /** Runs the loop to its SVC with a store made from `saved` (or empty); returns r0, the store and the JIT's counts. */
  const runLoop = (k: number, saved?: Uint8Array) => {
    const mem = codeMemory(loop(k));
    const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
    const store = saved ? TranslationStore.parse(saved, mem.i32, SEED) : TranslationStore.empty(mem.i32, SEED);
    const e = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0 }, store });
    cpu.pc = BASE;
    expect(e.run()).toBe(Exit.SVC);
    return { r0: cpu.i32[0], store, jit: e.jit!.stats };
  };

  test('a later run adopts the stored modules, with the same result', () => {
    const first = runLoop(1);
    expect(first.r0).toBe(1000);
    expect(first.store.stats.modulesAdded).toBeGreaterThan(0);
    const later = runLoop(1, first.store.serialize());
    expect(later.r0).toBe(1000);
    expect(later.store.stats.blocksAdded).toBe(0);
    // Every module it compiled came from the store (the page's second module, which holds both
    // blocks, stands for the first).
    expect(later.jit.modulesStored).toBeGreaterThan(0);
    expect(later.jit.modulesStored).toBe(later.jit.modules);
    expect(later.store.stats.modulesAdded).toBe(0);
  });

  test('a stored module holding a copy of code that changed is not used', () => {
    // Three pages: E sets up and branches to L; L (r0 += K) branches to M; M counts r1 down and
    // loops back to L. Compiled when first reached (threshold 0), M's region takes L, on the page
    // before, as a guest: a copy of L's code.
    const b = (from: number, to: number, cond = 0xe) => ((cond << 28) | 0x0a000000 | (((to - from - 8) >> 2) & 0xffffff)) >>> 0;
    const E = BASE;
    const L = BASE + 4096;
    const M = BASE + 8192;
    const run = (k: number, saved?: Uint8Array) => {
      const mem = new FlatMemory();
      for (const p of [E, L, M]) mem.setPerm(p >>> 12, Perm.R | Perm.X);
      const put = (at: number, words: number[]) => words.forEach((w, i) => mem.dv.setUint32(at + 4 * i, w >>> 0, true));
      put(E, [0xe3a00000, 0xe3a01ffa, b(E + 8, L)]);
      put(L, [0xe2800000 + k, b(L + 4, M)]);
      put(M, [0xe2511001, b(M + 4, L, 0x1), 0xef000000]);
      const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
      const store = saved ? TranslationStore.parse(saved, mem.i32, SEED) : TranslationStore.empty(mem.i32, SEED);
      const e = new Engine(cpu, mem, { jit: flatJitTarget(mem, cpu), jitOptions: { threshold: 0 }, store });
      cpu.pc = E;
      expect(e.run()).toBe(Exit.SVC);
      return { r0: cpu.i32[0], store };
    };
    const first = run(1);
    expect(first.r0).toBe(1000);
    // L changed: lifted again (a new record), so M's stored module, whose copy of L is the old
    // record, is not adopted, though M itself is found.
    const later = run(3, first.store.serialize());
    expect(later.r0).toBe(3000);
    expect(later.store.stats.blocksFound).toBeGreaterThan(0);
  });

  test('changed code is lifted and compiled again: nothing of the old is used', () => {
    const first = runLoop(1);
    const later = runLoop(3, first.store.serialize());
    expect(later.r0).toBe(3000);
    expect(later.store.stats.blocksFound).toBe(0);
    expect(later.jit.modulesStored).toBe(0);
  });
});

test('malformed stores are empty stores: random bytes, and a saved store with one word changed', () => {
  const mem = codeMemory(CODE);
  const { bytes } = saved(mem);
  const words = new Int32Array(bytes.buffer.slice(0));
  const probe = (s: TranslationStore): void => {
    s.block(BASE, false, 0, mem);
    s.batchFor(BASE, false, 0)?.module();
    s.serialize();
  };
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 256 }), (b) => {
      probe(TranslationStore.parse(b, mem.i32, SEED));
    }),
  );
  fc.assert(
    fc.property(fc.nat(words.length - 1), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (at, v) => {
      const w = words.slice();
      w[at] = v;
      probe(TranslationStore.parse(new Uint8Array(w.buffer), mem.i32, SEED));
    }),
  );
});

describe('armvisor run with its translation store', () => {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const launcher = path.join(root, 'dist', 'armvisor.cjs');
  const scratch = tempDir('store');
  afterAll(() => scratch.remove());

  const run = (flags: string[], prog: string, args: string[]) => {
    const r = spawnSync(process.execPath, [launcher, 'run', ...flags, prog, ...args], {
      encoding: 'utf8',
      env: guestEnv({ XDG_CACHE_HOME: scratch.dir }),
      timeout: 120_000,
    });
    expect(r.stderr).not.toMatch(/Error|at .*\.cjs/);
    return r;
  };
  const storeLine = (stderr: string) => /translation store\s+([\d,]+) blocks and ([\d,]+) modules from earlier runs/.exec(stderr);

  test.each([
    ['hash', ['3', '64']],
    ['smc', []],
  ])('%s: first and later runs print what a run without the store prints', (name, args) => {
    for (const isa of ['arm', 'thumb']) {
      const prog = guestPath(name, isa);
      requireFile(prog, `the ${name} guest`);
      const plain = run(['--translation-cache', 'off'], prog, args);
      const first = run(['--profile'], prog, args);
      const later = run(['--profile'], prog, args);
      for (const r of [first, later]) {
        expect(r.status).toBe(plain.status);
        expect(r.stdout).toBe(plain.stdout);
      }
      expect(storeLine(first.stderr)?.[1]).toBe('0');
      const found = storeLine(later.stderr)!;
      expect(Number(found[1].replace(/,/g, ''))).toBeGreaterThan(0);
      // The time split names the blocks taken from the store apart from those lifted.
      expect(first.stderr).not.toMatch(/^ {4}from the store /m);
      // (Those the guest reached; the rest of the found ones came with adopted modules.)
      const reached = Number(/^ {4}from the store\s+[\d.]+ s\s+[\d.]+%\s+\(([\d,]+) blocks/m.exec(later.stderr)?.[1].replace(/,/g, ''));
      expect(reached).toBeGreaterThan(0);
      expect(reached).toBeLessThanOrEqual(Number(found[1].replace(/,/g, '')));
      if (name === 'hash') {
        expect(Number(found[2])).toBeGreaterThan(0);
        // Everything the first run compiled is found: a later run of the same program on the same
        // input adds nothing (so it does not write the store again).
        expect(/([\d,]+) blocks and ([\d,]+) modules added/.exec(later.stderr)?.slice(1)).toEqual(['0', '0']);
      }
    }
    expect(fs.readdirSync(translationsDir({ XDG_CACHE_HOME: scratch.dir })).length).toBe(1);
  });

  test('a store whose module bytes are damaged: the modules are generated again, the output is the same', () => {
    const prog = path.join(scratch.dir, 'damaged');
    fs.copyFileSync(guestPath('hash', 'arm'), prog);
    const args = ['3', '64'];
    const plain = run(['--translation-cache', 'off'], prog, args);
    expect(run([], prog, args).status).toBe(0);
    const build = translationsDir({ XDG_CACHE_HOME: scratch.dir });
    const dir = path.join(build, fs.readdirSync(build)[0]);
    const file = path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith('damaged-'))!);
    // Every module's version field: not a module V8 can compile.
    const bytes = fs.readFileSync(file);
    const magic = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    let n = 0;
    for (let at = bytes.indexOf(magic); at >= 0; at = bytes.indexOf(magic, at + 1), n++) bytes[at + 4] = 2;
    expect(n).toBeGreaterThan(0);
    fs.writeFileSync(file, bytes);
    const later = run(['--profile'], prog, args);
    expect(later.status).toBe(0);
    expect(later.stdout).toBe(plain.stdout);
    expect(/tier 1\s+([\d,]+) modules/.exec(later.stderr)?.[1]).not.toBe('0');
  });

  test('no place for a store (the cache folder is a file): the run is as without one', () => {
    const file = path.join(scratch.dir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const prog = guestPath('hash', 'arm');
    const r = spawnSync(process.execPath, [launcher, 'run', prog, '3', '64'], { encoding: 'utf8', env: guestEnv({ XDG_CACHE_HOME: file }), timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(run(['--translation-cache', 'off'], prog, ['3', '64']).stdout);
  });

  test('one store per program: a rebuilt program (another size or time) replaces its store', () => {
    const prog = path.join(scratch.dir, 'myhash');
    fs.copyFileSync(guestPath('hash', 'arm'), prog);
    const build = translationsDir({ XDG_CACHE_HOME: scratch.dir });
    const mine = () => fs.readdirSync(path.join(build, fs.readdirSync(build)[0])).filter((f) => f.startsWith('myhash-'));
    expect(run([], prog, ['3', '64']).status).toBe(0);
    const before = mine();
    expect(before).toHaveLength(1);
    fs.utimesSync(prog, new Date(), new Date(Date.now() + 5000));
    expect(run([], prog, ['3', '64']).status).toBe(0);
    const after = mine();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
  });
});
