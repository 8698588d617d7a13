// Tier 1 against the interpreter on random IR blocks: same state, memory, exit and icount.
// wabt validates every module the emitter writes.
import fc from 'fast-check';
import wabtInit from 'wabt';
import { IRBuilder, Op, Exit, Mem, type IRBlock, type OpCode } from '../translator/ir.js';
import { Interpreter } from '../translator/interp.js';
import { CpuState, W } from '../translator/state.js';
import { FlatMemory, PERM_BASE, Perm, STATE_BASE } from '../runtime/memory/flat.js';
import { flatJitTarget } from '../runtime/memory/flat-jit.js';
import { buildModule, compileRegions } from '../translator/jit/module.js';
import { FlatStrategy } from '../translator/jit/flat.js';
import { EXIT_SLOW, isSlowExit, slowExitPoint } from '../translator/jit/slowexit.js';
import { WABT_FEATURES, validate } from '../translator/jit/wat.js';
import { removeDeadSets } from '../translator/opt/deadset.js';
import { dispatchKey } from '../translator/jit/dispatch.js';
import { liftBlock } from '../translator/lift/block.js';

const BIN_OPS: OpCode[] = [Op.ADD, Op.SUB, Op.AND, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.SAR, Op.ROR, Op.MUL, Op.MULHU, Op.MULHS, Op.UDIV, Op.SDIV, Op.EQ, Op.NE, Op.LTU, Op.LTS, Op.LEU, Op.LES];
const UN_OPS: OpCode[] = [Op.CLZ, Op.SEXT8, Op.SEXT16, Op.BSWAP];
const DATA = 0x10000; // one RW page; the next page is unmapped

type Step = [number, number, number, number];
const step = fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer(), fc.integer(), fc.integer());

/** Builds a block from random steps; every value choice is deterministic in the steps. */
function buildBlock(steps: Step[]): IRBlock {
  const b = new IRBuilder();
  // A temp defined inside an IF region is not defined after its ENDIF (the IR's scoping rule).
  const temps: number[] = [];
  const scopes: number[] = [];
  const pick = (n: number) => temps[Math.abs(n) % temps.length];
  let pc = 0x8000;
  b.insn(pc, 4);
  temps.push(b.const(0x12345678), b.get(0), b.get(W.C));
  let ninsns = 1;
  for (const [kind, x, y, z] of steps) {
    switch (kind) {
      case 0:
        temps.push(b.const(x));
        break;
      case 1:
        temps.push(b.get(Math.abs(x) % 20));
        break;
      case 2:
        b.set(Math.abs(x) % 20, pick(y));
        break;
      case 3:
      case 4:
        temps.push(b.bin(BIN_OPS[Math.abs(x) % BIN_OPS.length], pick(y), pick(z)));
        break;
      case 5:
        temps.push(b.un(UN_OPS[Math.abs(x) % UN_OPS.length], pick(y)));
        break;
      case 6:
        temps.push(b.select(pick(x), pick(y), pick(z)));
        break;
      case 7: {
        const size = [1, 2, 4][Math.abs(x) % 3];
        const flags = size | (y & 1 ? Mem.SIGNED : 0) | (y & 2 ? Mem.ALIGN : 0);
        const addr = b.add(b.const(DATA + 0xf00), b.andi(pick(z), 0x1ff));
        temps.push(b.load(addr, flags));
        break;
      }
      case 8: {
        const size = [1, 2, 4][Math.abs(x) % 3];
        const addr = b.add(b.const(DATA + 0xf00), b.andi(pick(z), 0x1ff));
        b.store(addr, pick(y), size | (x & 8 ? Mem.ALIGN : 0));
        break;
      }
      case 9:
        if (b.ifDepth < 3) {
          b.if(b.andi(pick(x), 1));
          scopes.push(temps.length);
        }
        break;
      case 10:
        if (b.ifDepth) {
          b.endif();
          temps.length = scopes.pop()!;
        }
        break;
      default:
        if (b.ifDepth === 0) {
          pc += 4;
          b.insn(pc, 4);
          ninsns++;
        } else if (x & 1) {
          b.set(W.PC, b.const(0x9000));
          b.exit(Exit.SVC);
        }
    }
  }
  while (b.ifDepth) b.endif();
  b.set(W.PC, b.const(pc + 4));
  b.exit(Exit.NEXT);
  return b.finish(0x8000, false, 0, ninsns, pc + 4);
}

function machine(seed: number): { mem: FlatMemory; cpu: CpuState } {
  const mem = new FlatMemory();
  mem.protect(DATA, 4096, Perm.R | Perm.W);
  for (let i = 0; i < 4096; i += 4) mem.dv.setUint32(DATA + i, Math.imul(i + seed, 0x9e3779b1), true);
  const cpu = new CpuState(mem.memory.buffer, STATE_BASE);
  for (let i = 0; i < 24; i++) cpu.i32[i] = Math.imul(i + 1, 0x85ebca6b) ^ seed;
  return { mem, cpu };
}

const A = machine(1);
const B = machine(1);

function reset(m: { mem: FlatMemory; cpu: CpuState }, seed: number): void {
  for (let i = 0; i < 4096; i += 4) m.mem.dv.setUint32(DATA + i, Math.imul(i + seed, 0x9e3779b1), true);
  m.cpu.i32.fill(0);
  for (let i = 0; i < 24; i++) m.cpu.i32[i] = Math.imul(i + 1, 0x85ebca6b) ^ seed;
}

let wabt: Awaited<ReturnType<typeof wabtInit>>;
beforeAll(async () => {
  wabt = await wabtInit();
});

test('tier 1 equals the interpreter on random blocks (slow paths as calls)', () => {
  const interp = new Interpreter(A.cpu, A.mem);
  // Slow-path exits leave for the engine to finish the instruction; here, as in system mode,
  // the slow paths are calls, so a block's run ends as the interpreter's does.
  const target = { ...flatJitTarget(B.mem, B.cpu), strategy: new FlatStrategy(PERM_BASE, false) };
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.integer(), (steps, seed) => {
      const block = buildBlock(steps);
      reset(A, seed);
      reset(B, seed);
      const r1 = interp.run(block);
      A.cpu.i32[W.BUDGET] = B.cpu.i32[W.BUDGET] = 1000;
      const { fns } = compileRegions([[block]], target);
      const r2 = fns[0](0);
      expect(r2).toBe(r1);
      // Generated code counts the budget down by the instructions it retired.
      A.cpu.i32[W.BUDGET] -= A.cpu.icount;
      expect(Array.from(B.cpu.i32.subarray(0, 40))).toEqual(Array.from(A.cpu.i32.subarray(0, 40)));
      expect(Buffer.from(B.mem.read(DATA, 4096)).equals(Buffer.from(A.mem.read(DATA, 4096)))).toBe(true);
    }),
    { numRuns: 300 },
  );
});

test('a failed fast-path test leaves the region before its instruction, with the state of the instructions before it', () => {
  // r0 += 1; r1 = [DATA + 0xffe] (a word across the page end: the slow path); r2 = 7
  for (const [name, addr, slow] of [
    ['page crossing', DATA + 0xffe, true],
    ['inside the page', DATA + 0x10, false],
  ] as const) {
    reset(B, 5);
    const b = new IRBuilder();
    b.insn(0x8000, 4);
    b.set(0, b.addi(b.get(0), 1));
    b.insn(0x8004, 4);
    b.set(1, b.load(b.const(addr), 4));
    b.insn(0x8008, 4);
    b.set(2, b.const(7));
    b.set(W.PC, b.const(0x800c));
    b.exit(Exit.NEXT);
    const block = b.finish(0x8000, false, 0, 3, 0x800c);
    const r0 = B.cpu.i32[0];
    const r1 = B.cpu.i32[1];
    B.cpu.i32[W.BUDGET] = 1000;
    const fn = compileRegions([[block]], flatJitTarget(B.mem, B.cpu)).fns[0];
    const r = fn(0);
    expect([name, isSlowExit(r)]).toEqual([name, slow]);
    if (slow) {
      expect(r & 15).toBe(EXIT_SLOW);
      expect(slowExitPoint(fn, r)).toEqual({ pc: 0x8004, it: -1, index: 1 }); // A32: no ITSTATE to restore
      expect(B.cpu.i32[0]).toBe((r0 + 1) | 0); // the instruction before it retired
      expect(B.cpu.i32[1]).toBe(r1); // the access's own not
      expect(B.cpu.i32[2]).not.toBe(7);
      expect(B.cpu.icount).toBe(0); // its block's instructions are the engine's to count
    } else {
      expect(r).toBe(Exit.NEXT);
      expect(B.cpu.i32[1]).toBe(B.mem.dv.getInt32(DATA + 0x10, true));
      expect(B.cpu.i32[2]).toBe(7);
      expect(B.cpu.icount).toBe(3);
    }
  }
});

test('runs of conditional instructions (one `if` in generated code while the flags stay) equal the interpreter', () => {
  // ADD, CMP (which changes the flags the next instructions test), MOV and LDR under EQ, NE,
  // GT or LE, each condition often repeated, so runs form and break.
  const CODE_AT = 0x20000;
  for (const m of [A, B]) m.mem.protect(CODE_AT, 4096, Perm.R | Perm.X);
  const interp = new Interpreter(A.cpu, A.mem);
  const target = flatJitTarget(B.mem, B.cpu);
  const insn = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 1, 12, 13), fc.boolean(), fc.integer({ min: 0, max: 255 }));
  fc.assert(
    fc.property(fc.array(insn, { minLength: 2, maxLength: 12 }), fc.integer({ min: 0, max: 15 }), fc.integer(), (list, nzcv, seed) => {
      let cond = 0;
      const words = list.map(([kind, c, repeat, imm]) => {
        if (!repeat) cond = c;
        const base = (cond << 28) >>> 0;
        if (kind === 0) return base | 0x02800000 | (0 << 16) | (0 << 12) | imm; // add r0, r0, #imm
        if (kind === 1) return base | 0x03500000 | (0 << 16) | (imm & 7); // cmp r0, #imm
        if (kind === 2) return base | 0x03a00000 | (3 << 12) | imm; // mov r3, #imm
        return base | 0x05900000 | (2 << 16) | (1 << 12) | (imm & 0xfc); // ldr r1, [r2, #imm]
      });
      words.push(0xef000000); // svc: the block ends
      for (const m of [A, B]) {
        reset(m, seed);
        words.forEach((w, i) => m.mem.dv.setUint32(CODE_AT + i * 4, w >>> 0, true));
        m.cpu.i32[0] = seed & 7; // r0 near the CMP immediates
        m.cpu.i32[2] = DATA;
        [W.N, W.Z, W.C, W.V].forEach((w, i) => (m.cpu.i32[w] = (nzcv >> i) & 1));
      }
      const block = liftBlock(A.mem, CODE_AT, false, 0);
      expect(block.ninsns).toBe(words.length);
      const r1 = interp.run(block);
      A.cpu.i32[W.BUDGET] = B.cpu.i32[W.BUDGET] = 1000;
      const r2 = compileRegions([[block]], target).fns[0](0);
      expect(r2).toBe(r1);
      A.cpu.i32[W.BUDGET] -= A.cpu.icount;
      expect(Array.from(B.cpu.i32.subarray(0, 40))).toEqual(Array.from(A.cpu.i32.subarray(0, 40)));
    }),
    {
      numRuns: 300,
      // addne r0, #1; cmpne r0, #1; addne r0, #4 from r0 = 0, Z clear: the CMP sets Z, so the last ADD must not run.
      examples: [[[[0, 1, false, 1], [1, 1, true, 1], [0, 1, true, 4]], 0, 0]],
    },
  );
});

test('dead state writes removed: the interpreter sees the same state, memory and exit', () => {
  const interp = new Interpreter(A.cpu, A.mem);
  const interpB = new Interpreter(B.cpu, B.mem);
  let removed = 0;
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.integer(), (steps, seed) => {
      const block = buildBlock(steps);
      const opt = removeDeadSets(block);
      removed += block.ops.length - opt.ops.length;
      reset(A, seed);
      reset(B, seed);
      expect(interpB.run(opt)).toBe(interp.run(block));
      expect(Array.from(B.cpu.i32.subarray(0, 40))).toEqual(Array.from(A.cpu.i32.subarray(0, 40)));
      expect(Buffer.from(B.mem.read(DATA, 4096)).equals(Buffer.from(A.mem.read(DATA, 4096)))).toBe(true);
    }),
    { numRuns: 500 },
  );
  expect(removed).toBeGreaterThan(0);
});

test('dead state writes: a flag overwritten before any exit, access or read goes, with its computation', () => {
  const b = new IRBuilder();
  b.insn(0x8000, 2);
  const r0 = b.get(0);
  b.set(W.N, b.shri(r0, 31)); // dead: N is set again below before anything can see it
  b.set(W.C, b.get(W.C)); // a word's own value: dead
  b.insn(0x8002, 2);
  b.set(W.N, b.const(0));
  const v = b.load(b.get(1), 4);
  b.set(W.Z, b.const(1)); // live: the LOAD below may fault and leave with the state as it is
  b.store(b.get(2), v, 4);
  b.set(W.Z, b.const(0));
  b.if(r0);
  b.set(W.V, b.const(1)); // live: the SET after the ENDIF comes too late for the side exit
  b.exit(Exit.SVC);
  b.endif();
  b.set(W.V, b.const(0));
  b.exit(Exit.NEXT);
  const opt = removeDeadSets(b.finish(0x8000, true, 0, 2, 0x8004));
  const sets = opt.ops.filter((o) => o.op === Op.SET).map((o) => o.imm);
  expect(sets).toEqual([W.N, W.Z, W.Z, W.V, W.V]);
  expect(opt.ops.some((o) => o.op === Op.SHR)).toBe(false);
  // IF points at its ENDIF in the new op list
  const at = opt.ops.findIndex((o) => o.op === Op.IF);
  expect(opt.ops[opt.ops[at].c].op).toBe(Op.ENDIF);
});

test('emitted modules validate with wabt', () => {
  const target = flatJitTarget(B.mem, B.cpu);
  const blocks = fc.sample(fc.array(step, { minLength: 1, maxLength: 60 }), { numRuns: 20, seed: 42 }).map(buildBlock);
  const { bytes } = buildModule([blocks.slice(0, 10), blocks.slice(10)], target);
  const mod = wabt.readWasm(bytes, { readDebugNames: false, ...WABT_FEATURES });
  expect(() => validate(mod)).not.toThrow();
  expect(mod.toText({})).toContain('(func');
  mod.destroy();
});

/** Block at `pc`: r0 += 1; if r0 < limit go to `loop` else to `out` (a side exit). */
function counterBlock(pc: number, loop: number, out: number, limit: number): IRBlock {
  const b = new IRBuilder();
  b.insn(pc, 4);
  const r0 = b.add(b.get(0), b.const(1));
  b.set(0, r0);
  b.insn(pc + 4, 4);
  b.if(b.bin(Op.LTU, r0, b.const(limit)));
  b.set(W.PC, b.const(loop));
  b.exit(Exit.NEXT);
  b.endif();
  b.set(W.PC, b.const(out));
  b.exit(Exit.NEXT);
  return b.finish(pc, false, 0, 2, pc + 8);
}

test('a region branches between its blocks and honours the budget', () => {
  const target = flatJitTarget(B.mem, B.cpu);
  const blocks = [counterBlock(0x8000, 0x8100, 0x9000, 1000), counterBlock(0x8100, 0x8000, 0x9000, 1000)];
  const { fns } = compileRegions([blocks], target);
  reset(B, 3);
  B.cpu.i32[0] = 0;
  B.cpu.i32[W.BUDGET] = 1 << 20;
  expect(fns[0](0)).toBe(Exit.NEXT);
  expect(B.cpu.i32[0]).toBe(1000);
  expect(B.cpu.u32[W.PC]).toBe(0x9000);
  expect(B.cpu.icount).toBe(2000);
  // A small budget returns to the dispatcher early, with a resumable PC and exact icount.
  reset(B, 3);
  B.cpu.i32[0] = 0;
  B.cpu.i32[W.BUDGET] = 100;
  expect(fns[0](1)).toBe(Exit.NEXT);
  const pc = B.cpu.u32[W.PC];
  expect([0x8000, 0x8100]).toContain(pc);
  expect(B.cpu.icount).toBe(2 * B.cpu.i32[0]);
  expect(B.cpu.icount).toBeGreaterThanOrEqual(100);
  expect(B.cpu.icount).toBeLessThan(110);
});

/** Runs compiled counter blocks (counterBlock) from `e` with r0 = 0 and a large budget. */
function runCounter(e: { region: null | ((i: number) => number); index: number }): number {
  reset(B, 5);
  B.cpu.i32[0] = 0;
  B.cpu.i32[W.BUDGET] = 1 << 20;
  return e.region!(e.index);
}

test('a page hot again compiles its new blocks alone, unless they close a loop with compiled ones', async () => {
  const { Jit, DEFAULT_JIT } = await import('../translator/jit/jit.js');
  const target = flatJitTarget(B.mem, B.cpu);
  type E = { block: IRBlock; region: null | ((i: number) => number); index: number; slot: number; group: null; dead: boolean };
  const entry = (block: IRBlock): E => ({ block, region: null, index: -1, slot: -1, group: null, dead: false, sid: -1, offer: false });
  const page: E[] = [];
  // threshold 1, batch 1: each interpreted run compiles its page's new blocks at once.
  const jit = new Jit({ ...target, dispatchBase: undefined }, (p) => page.filter((e) => e.block.pc >>> 12 === p), { ...DEFAULT_JIT, threshold: 1, batch: 1 });
  // a -> b or c, b -> a: a and b compile first.
  const a = entry(counterBlock(0x8000, 0x8100, 0x8200, 1000));
  const b = entry(counterBlock(0x8100, 0x8000, 0x9000, 1000));
  page.push(a, b);
  jit.noteRun(a);
  expect(a.region).not.toBeNull();
  expect(b.region).toBe(a.region);
  const first = a.region;
  // d, reached from nowhere on the page and leaving it: a region of its own; a and b keep theirs.
  const d = entry(counterBlock(0x8300, 0x9000, 0x9100, 1000));
  page.push(d);
  jit.noteRun(d);
  expect(d.region).not.toBeNull();
  expect(d.region).not.toBe(first);
  expect(a.region).toBe(first);
  // c -> a closes the loop a -> c -> a through compiled a: the page compiles whole again.
  const c = entry(counterBlock(0x8200, 0x8000, 0x9000, 1000));
  page.push(c);
  jit.noteRun(c);
  expect(c.region).not.toBeNull();
  expect(a.region).toBe(c.region);
  expect(b.region).toBe(c.region);
  expect(a.region).not.toBe(first);
  // The region runs: a and b take turns to the limit, then b leaves the page.
  expect(runCounter(a)).toBe(Exit.NEXT);
  expect(B.cpu.i32[0]).toBe(1000);
  expect(B.cpu.u32[W.PC]).toBe(0x9000);
  expect(B.cpu.icount).toBe(2000);
});

test('a loop across a page boundary runs in one region, which a write to either page retires', async () => {
  const { Jit, DEFAULT_JIT } = await import('../translator/jit/jit.js');
  const target = flatJitTarget(B.mem, B.cpu);
  // 0x8ff8 (page 8) and 0x9000 (page 9) branch to each other.
  const blocks = [counterBlock(0x8ff8, 0x9000, 0xa000, 1000), counterBlock(0x9000, 0x8ff8, 0xa000, 1000)];
  const entries = blocks.map((block) => ({ block, region: null as null | ((i: number) => number), index: -1, slot: -1, group: null, dead: false, sid: -1, offer: false }));
  const onPage = (p: number) => entries.filter((e) => e.block.pc >>> 12 === p);
  const jit = new Jit({ ...target, dispatchBase: undefined }, onPage, { ...DEFAULT_JIT, threshold: 0 });
  jit.compileNow(entries[0]);
  jit.compileNow(entries[1]); // page 9's region takes page 8's (compiled) block as a guest
  const [a, b] = entries;
  expect(b.group!.pages.sort()).toEqual([8, 9]);
  expect(a.group!.pages).toEqual([8]); // page 8 was compiled first: page 9's block was not compiled yet
  expect(runCounter(b)).toBe(Exit.NEXT);
  // The whole loop ran inside page 9's region: one call, 1000 iterations.
  expect(B.cpu.i32[0]).toBe(1000);
  expect(B.cpu.u32[W.PC]).toBe(0xa000);
  // A write to page 8 retires page 9's region too (it holds a copy of page 8's block).
  jit.forget([a], 8);
  expect(b.region).toBeNull();
  expect(b.group).toBeNull();
  expect(a.region).toBeNull();
});

test('a call to code on a far page comes into the region whole, or not at all', async () => {
  const { Jit, DEFAULT_JIT } = await import('../translator/jit/jit.js');
  const target = flatJitTarget(B.mem, B.cpu);
  type E = { block: IRBlock; region: null | ((i: number, self?: number) => number); index: number; slot: number; group: null | { pages: number[] }; dead: boolean };
  const entry = (block: IRBlock): E => ({ block, region: null, index: -1, slot: -1, group: null, dead: false, sid: -1, offer: false });
  // home (page 8) -> 0x20000 -> 0x20100 -> home: a loop through a two-block piece on page 0x20.
  const home = entry(counterBlock(0x8000, 0x20000, 0xa000, 1000));
  const far = [entry(counterBlock(0x20000, 0x20100, 0xa000, 1000)), entry(counterBlock(0x20100, 0x8000, 0xa000, 1000))];
  // home2 (page 0x10) -> a chain of 17 blocks on page 0x30: more than a region takes as guests.
  const home2 = entry(counterBlock(0x10000, 0x30000, 0xa000, 1000));
  const chain = Array.from({ length: 17 }, (_, i) => entry(counterBlock(0x30000 + 0x80 * i, i < 16 ? 0x30080 + 0x80 * i : 0x10000, 0xa000, 1000)));
  const all = [home, ...far, home2, ...chain];
  const jit = new Jit({ ...target, dispatchBase: undefined }, (p) => all.filter((e) => e.block.pc >>> 12 === p), { ...DEFAULT_JIT, threshold: 0 });
  jit.compileNow(far[0]);
  jit.compileNow(chain[0]);
  jit.compileNow(home);
  jit.compileNow(home2);
  expect(home.group!.pages.sort((x, y) => x - y)).toEqual([0x8, 0x20]);
  expect(home2.group!.pages).toEqual([0x10]);
  // The whole loop runs in home's region: one call, to the limit.
  expect(runCounter(home)).toBe(Exit.NEXT);
  expect(B.cpu.i32[0]).toBe(1000);
  expect(B.cpu.u32[W.PC]).toBe(0xa000);
  // A write to the far page retires home's region too.
  jit.forget([far[0], far[1]], 0x20);
  expect(home.region).toBeNull();
});

/** `bl callee` at pc: LR = pc + 4, then to `callee`. */
function callBlock(pc: number, callee: number): IRBlock {
  const b = new IRBuilder();
  b.insn(pc, 4);
  b.set(W.LR, b.const(pc + 4));
  b.set(W.PC, b.const(callee));
  b.exit(Exit.NEXT);
  return b.finish(pc, false, 0, 1, pc + 4);
}

/** r1 += 1, then `bx lr` (an indirect branch). */
function leafBlock(pc: number): IRBlock {
  const b = new IRBuilder();
  b.insn(pc, 4);
  b.set(1, b.add(b.get(1), b.const(1)));
  b.insn(pc + 4, 4);
  b.set(W.PC, b.get(W.LR));
  b.exit(Exit.NEXT);
  return b.finish(pc, false, 0, 2, pc + 8);
}

/**
 * Block entries for the JIT of a call and its return: caller 0x8000: bl 0x8800 (the leaf: r1 += 1,
 * bx lr); its return block 0x8004 counts r0 and loops to 0x8000 (to 0xa000 at 1000).
 */
function callAndReturn() {
  type E = { block: IRBlock; region: null | ((i: number, self?: number) => number); index: number; slot: number; group: null | { pages: number[] }; dead: boolean };
  const entry = (block: IRBlock): E => ({ block, region: null, index: -1, slot: -1, group: null, dead: false, sid: -1, offer: false });
  return { leaf: entry(leafBlock(0x8800)), caller: entry(callBlock(0x8000, 0x8800)), ret: entry(counterBlock(0x8004, 0x8000, 0xa000, 1000)) };
}

/** r0 = r1 = 0, A32 as the blocks (an indirect branch's lookup compares T and ITSTATE), a budget that does not stop them. */
function resetForCall(): void {
  reset(B, 3);
  B.cpu.i32[0] = 0;
  B.cpu.i32[1] = 0;
  B.cpu.i32[W.T] = 0;
  B.cpu.i32[W.ITSTATE] = 0;
  B.cpu.i32[W.BUDGET] = 1 << 20;
}

test('a call to a small function compiled earlier on the same page runs inside the caller\'s region, return included', async () => {
  const { Jit, DEFAULT_JIT } = await import('../translator/jit/jit.js');
  const target = flatJitTarget(B.mem, B.cpu);
  const { leaf, caller, ret } = callAndReturn();
  const all = [leaf];
  // threshold 1, batch 1: each interpreted run compiles its page's new blocks at once.
  // With the wasm dispatcher: the region finds the return block through its table (lookup.ts).
  const jit = new Jit(target, (p) => all.filter((e) => e.block.pc >>> 12 === p), { ...DEFAULT_JIT, threshold: 1, batch: 1 });
  jit.noteRun(leaf); // the leaf turns hot first: a region of its own
  all.push(caller, ret);
  jit.noteRun(caller); // then its caller and the return block, in a region of their own
  expect(caller.region).not.toBe(leaf.region);
  expect(ret.region).toBe(caller.region);
  // The caller's region holds a copy of the leaf: 1000 calls and returns in one region call.
  resetForCall();
  expect(caller.region!(caller.index, caller.slot + 1)).toBe(Exit.NEXT);
  expect(B.cpu.i32[0]).toBe(1000);
  expect(B.cpu.i32[1]).toBe(1000);
  expect(B.cpu.u32[W.PC]).toBe(0xa000);
  expect(B.cpu.icount).toBe(5000);
});

test('an indirect branch finds only its own region\'s blocks in the dispatcher\'s table: without its slot it leaves', async () => {
  const { Jit, DEFAULT_JIT } = await import('../translator/jit/jit.js');
  const target = flatJitTarget(B.mem, B.cpu);
  const { leaf, caller, ret } = callAndReturn();
  const all = [leaf, caller, ret];
  const jit = new Jit(target, (p) => all.filter((e) => e.block.pc >>> 12 === p), { ...DEFAULT_JIT, threshold: 1, batch: 1 });
  jit.noteRun(caller); // one region: caller, the return block and the leaf
  expect(ret.region).toBe(caller.region);
  // Called as the region in another slot, or with none known, or with the return block's entry
  // left from an older mapping generation (system mode's context bits in its key, which the
  // dispatcher would not match either): the return (bx lr) leaves with NEXT at the return
  // block, after the call and the leaf's one instruction.
  const d = jit.dispatcher!;
  const cases: [number, number][] = [
    [0, 0],
    [caller.slot + 2, 0],
    [caller.slot + 1, 5 << 11],
  ];
  for (const [self, ctx] of cases) {
    d.installKey(ret.block.pc, dispatchKey(false, 0) | ctx, ret.slot, ret.index);
    resetForCall();
    expect(caller.region!(caller.index, self)).toBe(Exit.NEXT);
    expect(B.cpu.u32[W.PC]).toBe(0x8004);
    expect(B.cpu.i32[1]).toBe(1);
  }
});

test('tier 2 optimizes a region in a worker and the result runs the same', async () => {
  const { Tier2 } = await import('../translator/jit/tier2.js');
  const target = flatJitTarget(B.mem, B.cpu);
  const blocks = [counterBlock(0x8000, 0x8100, 0x9000, 5000), counterBlock(0x8100, 0x8000, 0x9000, 5000)];
  const entries = blocks.map((block, index) => ({ block, region: null as null | ((i: number) => number), index, slot: -1, group: null, dead: false, sid: -1, offer: false }));
  const group = { entries, guests: [], calls: -Infinity, sampled: 0, pages: [8] };
  const t2 = new Tier2(target, (g, fn, own) => {
    expect(g).toBe(group);
    own.forEach((e, i) => {
      e.region = fn;
      e.index = i;
    });
    return true;
  });
  t2.request(group, entries, []);
  // Polled without returning to the event loop, as a user-mode run does (it never yields).
  for (const end = Date.now() + 30_000; Date.now() < end && t2.stats.installed + t2.stats.failed === 0; ) t2.poll();
  t2.stop();
  expect(t2.stats.failed).toBe(0);
  expect(t2.stats.installed).toBe(1);
  reset(B, 3);
  B.cpu.i32[0] = 0;
  B.cpu.i32[W.BUDGET] = 1 << 20;
  expect(entries[1].region!(entries[1].index)).toBe(Exit.NEXT);
  expect(B.cpu.i32[0]).toBe(5000);
  expect(B.cpu.u32[W.PC]).toBe(0x9000);
  expect(B.cpu.icount).toBe(10000);
});

test('the wasm dispatcher runs regions to the 64-bit instruction limit, counting the budget down across its recomputes', async () => {
  const { Dispatcher, MISS } = await import('../translator/jit/dispatch.js');
  const { DISPATCH_BASE } = await import('../runtime/memory/flat.js');
  const target = flatJitTarget(B.mem, B.cpu);
  // Two regions that branch to each other: every transition goes through the dispatcher.
  const n = 1_500_000; // 3M instructions: the countdown (at most 1 << 20) runs out twice
  const [fa] = compileRegions([[counterBlock(0x8000, 0x20000, 0x9000, n)]], target).fns;
  const [fb] = compileRegions([[counterBlock(0x20000, 0x8000, 0x9000, n)]], target).fns;
  const d = new Dispatcher(B.mem.memory, 65536, B.cpu.base, DISPATCH_BASE);
  d.install(0x8000, false, 0, d.addRegion(fa), 0);
  d.install(0x20000, false, 0, d.addRegion(fb), 0);
  const start = () => {
    reset(B, 7);
    B.cpu.i32[0] = 0;
    B.cpu.i32[W.T] = 0;
    B.cpu.i32[W.ITSTATE] = 0;
    B.cpu.u32[W.PC] = 0x8000;
    B.cpu.i32[W.BUDGET] = -5; // stale: the dispatcher computes its own
  };
  // No limit: runs to the miss at 0x9000.
  start();
  expect(d.run(0, 0x100)).toBe(MISS);
  expect(B.cpu.i32[0]).toBe(n);
  expect(B.cpu.u32[W.PC]).toBe(0x9000);
  expect(B.cpu.icount).toBe(2 * n);
  // A limit: stops at the first block boundary at or past it, resumably.
  const limit = 2_100_001;
  start();
  expect(d.run(limit, 0)).toBe(Exit.NEXT);
  expect(B.cpu.icount).toBe(limit + 1);
  expect(B.cpu.i32[0]).toBe((limit + 1) / 2);
  expect(B.cpu.u32[W.PC]).toBe(0x20000); // after an odd number of blocks
  expect(d.run(limit, 0)).toBe(Exit.NEXT); // already there: nothing runs
  expect(B.cpu.icount).toBe(limit + 1);
  expect(d.run(0, 0x100)).toBe(MISS);
  expect(B.cpu.i32[0]).toBe(n);
  expect(B.cpu.icount).toBe(2 * n);
});
