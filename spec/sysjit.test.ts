// The system-mode JIT (runtime/cpu/sysjit.ts, translator/jit/softmmu.ts) on targeted bare-metal
// sequences: every block is compiled before it first runs (threshold 0; the tests of regions
// spanning a section's pages compile after 50 instructions, as a boot would), and each program also
// runs under the interpreter, which must end in exactly the same state (registers, banked
// registers, CP15 fault registers, instruction count, device accesses). On top of that each test
// checks what the JIT itself must have done: the softmmu TLB's entries, code-page invalidation,
// exceptions raised from generated code at the right instruction.
import type { ArmCpu } from '../runtime/cpu/cpu.js';
import { Exc } from '../runtime/cpu/exception.js';
import { PhysAbort } from '../runtime/mmu/types.js';
import { MMU_PL0, MMU_PL1, TLB_ENTRIES, TLB_READ, TLB_TABLE_BYTES, TLB_WRITE, tlbSlot } from '../translator/jit/softmmu.js';
import { W } from '../translator/state.js';
import { SPACE_TLB } from '../runtime/cpu/sysspace.js';
import { EXIT_DEV, RAM_BASE, bareCpu, runBoth, vectorProgram, type BareRun, type RunBothOptions, MMU_ON, SCTLR_M_ON, deviceSection, section, sectionTables } from './helpers/bare.js';

const DEV = 0x1d000000;
/** The nG bit of a short-descriptor section. */
const NG = 1 << 17;
const program = vectorProgram;

/** sectionTables with the test's devices mapped. */
const shortTables = (ram: Uint8Array, extra: Record<number, number> = {}): number => sectionTables(ram, [EXIT_DEV, DEV], extra);

/**
 * Runs `src` under the interpreter and under the JIT (threshold 0) until the exit device is
 * written; both must end alike (runBoth). `device` answers accesses to DEV. Returns the JIT's
 * run, which must have run as generated code only.
 */
function both(src: string, opts: RunBothOptions = {}): BareRun {
  const device = opts.device;
  const { jit } = runBoth(src, {
    ...opts,
    device: (cpu, pa, w, v) => {
      if (pa >= DEV && pa < DEV + 0x1000 && device) return device(cpu, pa, w, v);
      throw new PhysAbort(pa);
    },
  });
  expect(jit.stop).toBe('stopped');
  expect(jit.cpu.jit!.stats.interpInsns).toBe(0);
  expect(jit.cpu.jit!.stats.entries).toBeGreaterThan(0);
  return jit;
}

/** Generated code's TLB entry for `va` in the table of `mmu`: [read tag, write tag]. */
/** `mov r0, #1; bx lr` at RAM + 2 MiB and `mov r0, #2; bx lr` at RAM + 3 MiB. */
function returnFunctions(ram: Uint8Array): void {
  const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  for (const [at, v] of [[0x200000, 1], [0x300000, 2]]) {
    dv.setUint32(at, 0xe3a00000 | v, true); // mov r0, #v
    dv.setUint32(at + 4, 0xe12fff1e, true); // bx lr
  }
}

function tlbEntry(ram: Uint8Array, mmu: number, va: number): [number, number] {
  const words = new Int32Array(ram.buffer, SPACE_TLB + mmu * TLB_TABLE_BYTES, TLB_ENTRIES * 4);
  const e = tlbSlot(va) * 4;
  return [words[e + TLB_READ] >>> 0, words[e + TLB_WRITE] >>> 0];
}

const DABT = '  mrc p15, 0, r3, c5, c0, 0\n  mrc p15, 0, r4, c6, c0, 0\n  mov r5, lr\n  add r9, r9, #1\n  subs pc, lr, #4';

describe('softmmu TLB in generated code', () => {
  test('a miss fills the PL1 table (read and write tags); TLBIMVAA drops the entry', () => {
    const src = program(`${MMU_ON}
  ldr r1, =0x80000100
  mov r2, #0
  mov r6, #10
1:
  ldr r3, [r1]
  add r2, r2, r3
  str r2, [r1, #4]
  subs r6, r6, #1
  bne 1b
  ldr r4, =0x80000000
  mcr p15, 0, r4, c8, c7, 3
  ldr r7, [r1, #4]
`);
    // 0x80000000: a 1 MiB section onto RAM + 2 MiB, PL1 read/write.
    let ram: Uint8Array | undefined;
    const run = both(src, {
      setup: (_c, r) => {
        shortTables(r, { 0x80000000: (RAM_BASE + 0x200000) | (1 << 10) | 2 });
        new DataView(r.buffer, r.byteOffset).setUint32(0x200100, 7, true);
        ram = r;
      },
    });
    expect(run.r(2)).toBe(70);
    expect(run.r(7)).toBe(70);
    // The load after the TLBIMVAA filled the entry again, read and write as the section allows.
    expect(tlbEntry(ram!, MMU_PL1, 0x80000100)).toEqual([0x80000000, 0x80000000]);
    expect(tlbEntry(ram!, MMU_PL0, 0x80000100)).toEqual([0xffffffff, 0xffffffff]);
    expect(run.cpu.tlbFlushes.mvaa).toBe(1);
  });

  test('a permission fault in generated code: exact DFSR/DFAR, LR, and the instructions before it retired', () => {
    const src = program(
      `${MMU_ON}
  ldr r1, =0x90000020
  mov r6, #3
1:
  ldr r2, [r1]
  add r7, r7, #1
  subs r6, r6, #1
  bne 1b
st1:
  add r8, r8, #1
  str r2, [r1]
  add r10, r10, #1
`,
      { dabt: DABT },
    );
    // 0x90000000: PL1 read-only (APX=1, AP=01).
    const run = both(src, { setup: (_c, ram) => shortTables(ram, { 0x90000000: RAM_BASE | (1 << 15) | (1 << 10) | 2 }) });
    expect(run.r(3)).toBe(0x80d); // WnR, section permission fault, domain 0
    expect(run.r(4)).toBe(0x90000020);
    expect([run.r(7), run.r(8), run.r(9), run.r(10)]).toEqual([3, 1, 1, 1]);
    expect(run.cpu.exceptions[Exc.DATA_ABORT]).toBe(1);
    // LR_abt = the store + 8: the store follows the add at st1.
    const st1 = run.r(5) - 8 - 4;
    expect(st1 % 4).toBe(0);
    expect(tlbEntry(run.ram, MMU_PL1, 0x90000020)).toEqual([0x90000000, 0xffffffff]);
  });

  test('LDRT at PL1 uses the PL0 table; LDR the PL1 one', () => {
    const src = program(
      `${MMU_ON}
  ldr r1, =0xa0000000
  ldr r2, [r1]
  ldr r1, =0xb0000000
  ldrt r6, [r1]
  mov r7, #7
  ldr r1, =0xa0000000
  ldrt r2, [r1]
  mov r8, r3
`,
      { dabt: DABT },
    );
    // 0xa0000000: PL1 read/write, no PL0 access (AP=01); 0xb0000000: PL0 read-only (AP=10).
    const run = both(src, {
      setup: (_c, ram) => shortTables(ram, { 0xa0000000: RAM_BASE | (1 << 10) | 2, 0xb0000000: RAM_BASE | (2 << 10) | 2 }),
    });
    expect(run.r(7)).toBe(7);
    expect(run.r(8)).toBe(0x00d); // section permission fault at PL0
    expect(run.r(6)).toBe(new DataView(run.ram.buffer, run.ram.byteOffset).getUint32(0, true));
    // 0xa0000000 maps the page this program's code is on: readable, but stores go slow (code page).
    expect(tlbEntry(run.ram, MMU_PL1, 0xa0000000)).toEqual([0xa0000000, 0xffffffff]);
    expect(tlbEntry(run.ram, MMU_PL0, 0xb0000000)).toEqual([0xb0000000, 0xffffffff]);
    expect(tlbEntry(run.ram, MMU_PL0, 0xa0000000)[0]).not.toBe(0xa0000000);
  });

  test('device accesses from generated code go to the MMIO handler, in order, every time', () => {
    let reg = 0;
    const src = program(`${MMU_ON}
  ldr r1, =${DEV}
  mov r6, #5
1:
  str r6, [r1, #8]
  ldr r2, [r1, #8]
  add r7, r7, r2
  strb r6, [r1, #1]
  subs r6, r6, #1
  bne 1b
`);
    const run = both(src, {
      setup: (_c, ram) => ((reg = 0), shortTables(ram)),
      device: (_c, pa, w, v) => {
        if (w) reg = v + (pa & 0xff);
        return reg;
      },
    });
    expect(run.r(7)).toBe(5 + 4 + 3 + 2 + 1 + 5 * 8);
    expect(run.log.filter((a) => a.pa >= DEV && a.pa < DEV + 0x1000)).toHaveLength(15);
    const dev = DEV & ~0xfff;
    expect(tlbEntry(run.ram, MMU_PL1, dev)[0]).not.toBe(dev); // a device never gets a TLB entry
  });
});

describe('code changes and exceptions in generated code', () => {
  test('a store to a page holding translated code drops it: the new instruction runs (same page and another)', () => {
    // g's page is written as data first (its TLB entry gets a write tag), then run (it becomes
    // a code page: the write tag must go), then written again from compiled code.
    const src = program(`
  mov r6, #0
  bl f
  add r6, r6, r0
  ldr r1, =f
  ldr r2, =0xe3a00002   @ mov r0, #2
  str r2, [r1]
  bl f
  add r6, r6, r0
  ldr r1, =g
  ldr r2, =0xe3a00008   @ mov r0, #8
  str r2, [r1]
  ldr r2, =0xe12fff1e   @ bx lr
  str r2, [r1, #4]
  bl g
  add r6, r6, r0
  ldr r2, =0xe3a00010   @ mov r0, #16
  str r2, [r1]
  bl g
  add r6, r6, r0
  b done
f:
  mov r0, #1
  bx lr
.ltorg
.balign 4096
g:
  .word 0, 0
`);
    const run = both(src);
    expect(run.r(6)).toBe(1 + 2 + 8 + 16);
  });

  test('remapping a virtual page of entered code (section descriptor + TLBIMVAA): the new code runs', () => {
    // 0x80000000 maps RAM + 2 MiB, then RAM + 3 MiB; each holds a function returning 1 or 2.
    const src = program(`${MMU_ON}
  ldr r4, =0x80000000
  mov r6, #0
  mov r7, #20
1:
  blx r4
  add r6, r6, r0
  subs r7, r7, #1
  bne 1b
  ldr r1, =${RAM_BASE + 0x100000 + (0x800 << 2)}
  ldr r2, =${section(RAM_BASE + 0x300000)}
  str r2, [r1]
  mcr p15, 0, r4, c8, c7, 3
  mov r7, #20
2:
  blx r4
  add r6, r6, r0, lsl #8
  subs r7, r7, #1
  bne 2b
`);
    const run = both(src, {
      setup: (_c, ram) => {
        shortTables(ram, { 0x80000000: section(RAM_BASE + 0x200000) });
        returnFunctions(ram);
      },
    });
    expect(run.r(6)).toBe(20 * 1 + 20 * 2 * 256);
  });

  test('a TTBR0 write with a new ASID: non-global code TTBR0 translates is looked up again, code under TTBR1 runs on', () => {
    // TTBCR.N = 1: TTBR0 translates below 2 GiB, TTBR1 above. 0x10000000 (TTBR0, not global)
    // maps RAM + 2 MiB under table A (ASID 1), RAM + 3 MiB under table B (ASID 2); 0x80000000
    // (TTBR1, global) maps RAM + 3 MiB.
    const a = RAM_BASE + 0x100000;
    const b = RAM_BASE + 0x104000;
    const t1 = RAM_BASE + 0x108000;
    const src = program(`
  mov r0, #1
  mcr p15, 0, r0, c2, c0, 2
  mcr p15, 0, r0, c13, c0, 1
  ldr r0, =${a}
  mcr p15, 0, r0, c2, c0, 0
  ldr r0, =${t1}
  mcr p15, 0, r0, c2, c0, 1
  mov r0, #1
  mcr p15, 0, r0, c3, c0, 0${SCTLR_M_ON}  ldr r4, =0x10000000
  ldr r5, =0x80000000
  mov r6, #0
  mov r8, #0
  mov r7, #20
1:
  blx r4
  add r6, r6, r0
  blx r5
  add r8, r8, r0
  subs r7, r7, #1
  bne 1b
  mov r0, #2
  mcr p15, 0, r0, c13, c0, 1
  ldr r0, =${b}
  mcr p15, 0, r0, c2, c0, 0
  isb
  mov r7, #20
2:
  blx r4
  add r6, r6, r0, lsl #8
  blx r5
  add r8, r8, r0, lsl #8
  subs r7, r7, #1
  bne 2b
`);
    const run = both(src, {
      setup: (_c, ram) => {
        const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
        for (const ttb of [a, b]) {
          const at = (va: number, pa: number) => dv.setUint32(ttb - RAM_BASE + (va >>> 20) * 4, section(pa), true);
          for (let mb = 0; mb < 4; mb++) at(RAM_BASE + (mb << 20), RAM_BASE + (mb << 20));
          for (const d of [EXIT_DEV, DEV]) dv.setUint32(ttb - RAM_BASE + (d >>> 20) * 4, deviceSection(d), true);
          at(0x10000000, (RAM_BASE + (ttb === a ? 0x200000 : 0x300000)) | NG);
        }
        dv.setUint32(t1 - RAM_BASE + (0x80000000 >>> 20) * 4, section(RAM_BASE + 0x300000), true);
        returnFunctions(ram);
      },
    });
    expect(run.r(6)).toBe(20 * 1 + 20 * 2 * 256);
    expect(run.r(8)).toBe(20 * 2 + 20 * 2 * 256);
  });

  test('TLBIALL with the mappings of entered code unchanged keeps their dispatcher entries; a remapped one runs its new code', () => {
    // 0x80000000 maps RAM + 2 MiB (a function returning 1), 0x10000000 RAM + 3 MiB (returning 2);
    // 20 rounds of TLBIALL + calls, then 0x80000000 is remapped to RAM + 3 MiB + TLBIALL.
    const src = program(`${MMU_ON}
  ldr r4, =0x80000000
  ldr r5, =0x10000000
  mov r6, #0
  mov r7, #20
1:
  mcr p15, 0, r0, c8, c7, 0
  blx r4
  add r6, r6, r0
  blx r5
  add r6, r6, r0
  subs r7, r7, #1
  bne 1b
  ldr r1, =${RAM_BASE + 0x100000 + (0x800 << 2)}
  ldr r2, =${section(RAM_BASE + 0x300000)}
  str r2, [r1]
  mcr p15, 0, r0, c8, c7, 0
  blx r4
  add r6, r6, r0, lsl #8
`);
    const run = both(src, {
      setup: (_c, ram) => {
        shortTables(ram, { 0x80000000: section(RAM_BASE + 0x200000), 0x10000000: section(RAM_BASE + 0x300000) });
        returnFunctions(ram);
      },
    });
    expect(run.r(6)).toBe(20 * 3 + 2 * 256);
    expect(run.cpu.tlbFlushes.all).toBe(21);
    // Each function and each return point misses once at most, not once per TLBIALL.
    expect(run.cpu.jit!.stats.misses).toBeLessThan(12);
  });

  test('an ASID change keeps global TLB entries and drops non-global ones; TLBIASID likewise', () => {
    // 0x80000000: global section onto RAM + 2 MiB; 0x10000000: non-global section onto RAM + 3 MiB
    // (0x80000xxx and 0x10005xxx use different TLB slots).
    const src = program(`${MMU_ON}
  mov r0, #1
  mcr p15, 0, r0, c13, c0, 1
  isb
  ldr r4, =0x80000100
  ldr r5, =0x10005100
  ldr r6, [r4]
  ldr r7, [r5]
  mov r0, #2
  mcr p15, 0, r0, c13, c0, 1
  isb
  ldr r1, =0x80000200
  ldr r8, [r1]
  ldr r1, =0x10005200
  ldr r9, [r1]
  mcr p15, 0, r0, c8, c7, 2
  ldr r1, =0x80000300
  ldr r10, [r1]
`);
    let ram: Uint8Array | undefined;
    const run = both(src, {
      setup: (_c, r) => {
        shortTables(r, { 0x80000000: section(RAM_BASE + 0x200000), 0x10000000: section(RAM_BASE + 0x300000, NG) });
        const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
        for (const [at, v] of [[0x200100, 11], [0x305100, 22], [0x200200, 33], [0x305200, 44], [0x200300, 55]]) dv.setUint32(at, v, true);
        ram = r;
      },
    });
    expect([6, 7, 8, 9, 10].map((n) => run.r(n))).toEqual([11, 22, 33, 44, 55]);
    // After the ASID change the global entry filled before it is still there; TLBIASID then
    // dropped the non-global one filled under ASID 2 and kept the global one.
    expect(run.cpu.tlbFlushes.asid).toBe(1);
    expect(tlbEntry(ram!, MMU_PL1, 0x80000000)).toEqual([0x80000000, 0x80000000]);
    expect(tlbEntry(ram!, MMU_PL1, 0x10005000)).toEqual([0xffffffff, 0xffffffff]);
  });

  test('an ASID change: a global mapping filled before it is not walked again', () => {
    // Loads through a global section, then an ASID change, then loads again: the second round
    // needs no TLB fill for that section (a non-global one needs one).
    const body = `${MMU_ON}
  ldr r4, =0x80000100
  ldr r6, [r4]
  mov r0, #2
  mcr p15, 0, r0, c13, c0, 1
  isb
  ldr r7, [r4]
`;
    const fills = (ng: number): number => {
      let before = 0;
      const run = both(program(body), {
        setup: (c, r) => {
          shortTables(r, { 0x80000000: section(RAM_BASE + 0x200000, ng) });
          new DataView(r.buffer, r.byteOffset, r.byteLength).setUint32(0x200100, 5, true);
          before = c.mem.tlbFills;
        },
      });
      expect([run.r(6), run.r(7)]).toEqual([5, 5]);
      return run.cpu.mem.tlbFills - before;
    };
    expect(fills(NG)).toBe(fills(0) + 1);
  });

  test('kernel code without VFP instructions stays installed across FPEXC.EN changes (one dispatcher entry for every VFP state)', () => {
    const src = program(`
  ldr r0, =(0xf << 20)
  mcr p15, 0, r0, c1, c0, 2
  isb
  mov r6, #0
  mov r7, #20
1:
  mov r0, #0x40000000
  vmsr fpexc, r0
  bl f
  mov r0, #0
  vmsr fpexc, r0
  bl f
  subs r7, r7, #1
  bne 1b
  b done
f:
  add r6, r6, #1
  bx lr
`);
    const run = both(src);
    expect(run.r(6)).toBe(40);
    expect(run.cpu.jit!.stats.misses).toBeLessThan(10);
  });

  test('an MRC that traps at PL0 inside compiled code: UNDEF at that instruction, what came before retired', () => {
    const src = program(
      `
  cps #0x10
  mov r1, #1
  add r2, r1, #1
mrc1:
  mrc p15, 0, r5, c9, c13, 0   @ PMCCNTR at PL0 without PMUSERENR.EN: UNDEFINED
  mov r3, #3
`,
      { undef: '  mov r9, lr\n  mrs r10, spsr\n  b done' },
    );
    const run = both(src);
    expect([run.r(1), run.r(2), run.r(3)]).toEqual([1, 2, 0]);
    expect(run.r(10) & 0x1f).toBe(0x10);
    expect(run.cpu.exceptions[Exc.UNDEF]).toBe(1);
    expect(run.r(9) % 4).toBe(0);
  });

  test('an IRQ raised while a compiled loop spins is taken at the same instruction as interpreted', () => {
    let n = 0;
    const src = program(
      `
  cpsie i
  ldr r1, =${DEV}
  mov r6, #0
1:
  add r6, r6, #1
  add r7, r6, r6
  ldr r2, [r1]        @ the device raises the IRQ at its 50th read
  cmp r6, #1000
  bne 1b
`,
      { irq: '  mov r8, lr\n  mov r9, r6\n  b done' },
    );
    const run = both(src, {
      setup: () => (n = 0),
      device: (cpu) => {
        if (++n === 50) cpu.setIrq(true);
        return 0;
      },
    });
    expect(run.r(9)).toBe(50);
    expect(run.cpu.exceptions[Exc.IRQ]).toBe(1);
  });

  test('an IRQ pending while masked is taken right after cpsie, inside the wasm dispatcher loop too', () => {
    // The third pass raises the line while IRQs are masked; the code after cpsie ran (and was
    // installed in the dispatcher) in the passes before, so only the dispatcher's check stops it.
    const src = program(
      `
  ldr r1, =${DEV}
  mov r5, #0
2:
  cpsid i
  cmp r5, #2
  ldreq r2, [r1]      @ third pass: the device raises the IRQ line (masked: nothing happens)
  b 3f                @ generated code returns to the CPU loop here (the line rose)...
3:
  mov r7, #7
  cpsie i             @ ...and is entered again, with the line already up
  add r8, r8, #1
  add r5, r5, #1
  cmp r5, #3
  bne 2b
`,
      { irq: '  mov r9, lr\n  b done' },
    );
    const run = both(src, { device: (cpu) => (cpu.setIrq(true), 0) });
    expect([run.r(5), run.r(7), run.r(8)]).toEqual([2, 7, 2]);
    expect(run.cpu.exceptions[Exc.IRQ]).toBe(1);
  });

  test('a pure compiled loop with no exits is interrupted by setIrq between run slices', () => {
    const src = program(
      `
  cpsie i
  mov r6, #0
1:
  add r6, r6, #1
  b 1b
`,
      { irq: '  mov r9, r6\n  b done' },
    );
    const { cpu } = bareCpu(src, { engine: 'jit', mmio: (pa) => (pa === EXIT_DEV ? (cpu.stop(), 0) : 0) });
    expect(cpu.run(100_000)).toBe('budget');
    // A fractional budget (a slice computed from host time) ends at the whole number below.
    const n0 = cpu.state.icount;
    expect(cpu.run(5_000.5)).toBe('budget');
    expect(cpu.state.icount - n0).toBeGreaterThanOrEqual(5_000);
    expect(cpu.state.icount - n0).toBeLessThan(5_100);
    const spun = cpu.state.u32[6];
    expect(spun).toBeGreaterThan(10_000);
    expect(cpu.jit!.stats.interpInsns).toBe(0);
    cpu.setIrq(true);
    expect(cpu.run(100_000)).toBe('stopped');
    expect(cpu.state.u32[9]).toBe(spun);
  });
});

describe('regions spanning the pages of a large mapping', () => {
  // f (ARM, position-independent) spans three pages of the program and calls t0, Thumb code on
  // the next two, whose 32-bit ADD.W starts 2 bytes before the second. The program runs f at the alias
  // 0x80000000, a section mapping the program's MiB (or a copy of it at RAM + 2 / 3 MiB).
  // f loops r3 times: r0 = ((r0 + 1) * 3 ^ K) + A, K the EOR's immediate, A the ADD.W's
  // register (r1 = 3, or r2 = 7 once patched).
  const F = `
callf:
  push {lr}
  mov r0, #0
  mov r12, #40
1:
  mov r3, #5
  blx r4
  subs r12, r12, #1
  bne 1b
  pop {pc}
.balign 4096
f0:
  push {lr}
f_loop:
  add r0, r0, #1
  b f1
f_ret:
  subs r3, r3, #1
  bne f_loop
  pop {pc}
.balign 4096
f1:
  add r0, r0, r0, lsl #1
  b f2
.balign 4096
f2:
fk:
  eor r0, r0, #5
  blx t0
  b f_ret
.balign 4096
.space 4092
.thumb
.thumb_func
t0:
  movs r1, #3
  add.w r0, r0, r1
  bx lr
tmpl_add:
  add.w r0, r0, r2
.arm
.balign 4
tmpl_eor:
  eor r0, r0, #11
`;
  const TTB_ALIAS = RAM_BASE + 0x100000 + (0x80000000 >>> 20) * 4;
  /** Loads `label`'s address in the alias (the program is linked at RAM_BASE) into `reg`. */
  const at = (reg: string, label: string) => `ldr ${reg}, =${label}\n  add ${reg}, ${reg}, #${0x80000000 - RAM_BASE}`;
  /**
   * callf's result to `reg`: callf calls f 40 times, 5 iterations each; it is compiled in the
   * first phase, so later its calls of f go through the wasm dispatcher, not through JavaScript.
   */
  const call = (reg: number) => `
  bl callf
  mov r${reg}, r0`;
  const expected = (k: number, a: number) => {
    let r0 = 0;
    for (let i = 0; i < 200; i++) r0 = ((Math.imul(r0 + 1, 3) ^ k) + a) >>> 0;
    return r0;
  };
  /** The program's first 64 KiB copied to RAM + 2 MiB and + 3 MiB, there with EOR #9 and #17. */
  const setup = (_c: ArmCpu, ram: Uint8Array) => {
    shortTables(ram, { 0x80000000: section(RAM_BASE) });
    const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
    let eor = -1;
    for (let o = 0; o < 0x10000; o += 4) if (dv.getUint32(o, true) === 0xe2200005) eor = o;
    expect(eor).toBeGreaterThan(0);
    for (const [base, k] of [[0x200000, 9], [0x300000, 17]]) {
      ram.copyWithin(base, 0, 0x10000);
      dv.setUint32(base + eor, 0xe2200000 | k, true);
    }
  };

  test('blocks on different pages of a section share a region, and run as interpreted', () => {
    const src = program(`${MMU_ON}
  ${at('r4', 'f0')}
  mov r2, #7
${call(6)}
  b done
.ltorg
${F}`);
    const { jit } = runBoth(src, { setup, threshold: 50 });
    expect(jit.stop).toBe('stopped');
    expect(jit.r(6)).toBe(expected(5, 3));
    const cpu = jit.cpu;
    const base = 0x80000000;
    const f0 = cpu.compiledRegion(base + 0x1000 * firstPage(jit.ram) + 4); // f_loop
    expect(f0).not.toBeNull();
    expect(cpu.compiledRegion(base + 0x1000 * (firstPage(jit.ram) + 1))).toBe(f0);
    expect(cpu.compiledRegion(base + 0x1000 * (firstPage(jit.ram) + 2))).toBe(f0);
  });

  test('remapping the section (TLBIMVAA of another page, TLBIALL, then as 4 KiB pages), writing one of its pages, patching a Thumb instruction across pages', () => {
    const src = program(`${MMU_ON}
  ${at('r4', 'f0')}
  mov r2, #7
${call(6)}
  @ the alias now maps the copy at RAM + 2 MiB; TLBIMVAA of an address on f's third page
  ldr r1, =${TTB_ALIAS}
  ldr r5, =${section(RAM_BASE + 0x200000)}
  str r5, [r1]
  ${at('r5', 'f2')}
  mcr p15, 0, r5, c8, c7, 3
  isb
${call(7)}
  @ a store to f's third page (through the alias: the copy): EOR #11
  ldr r1, =tmpl_eor
  ldr r5, [r1]
  ${at('r1', 'fk')}
  str r5, [r1]
  mcr p15, 0, r0, c7, c5, 0
  isb
${call(8)}
  @ the second halfword of t0's ADD.W, on the next page: ADD.W r0, r0, r2
  ldr r1, =tmpl_add
  ldrh r5, [r1, #2]
  ${at('r1', 't0')}
  bic r1, r1, #1
  strh r5, [r1, #4]
  mcr p15, 0, r0, c7, c5, 0
  isb
${call(9)}
  @ the alias maps the copy at RAM + 3 MiB; TLBIALL
  ldr r1, =${TTB_ALIAS}
  ldr r5, =${section(RAM_BASE + 0x300000)}
  str r5, [r1]
  mcr p15, 0, r0, c8, c7, 0
  isb
${call(10)}
  @ 4 KiB pages (L2 at RAM + 0x104000): f's first pages stay where they were, its third page
  @ is the program's; TLBIALL. f_loop's physical page is the same, its mapping is not.
  ldr r1, =${TTB_ALIAS}
  ldr r5, =${RAM_BASE + 0x104001}
  str r5, [r1]
  mcr p15, 0, r0, c8, c7, 0
  isb
${call(5)}
  b done
.ltorg
${F}`);
    const pages = (_c: ArmCpu, ram: Uint8Array) => {
      const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
      const f2 = firstPage(ram) + 2;
      for (let i = 0; i < 256; i++) dv.setUint32(0x104000 + i * 4, (RAM_BASE + (i === f2 ? 0 : 0x300000) + i * 0x1000) | (3 << 4) | 0xc | 2, true);
    };
    const { jit } = runBoth(src, { setup: (c, ram) => (setup(c, ram), pages(c, ram)), threshold: 50 });
    expect(jit.stop).toBe('stopped');
    expect([jit.r(6), jit.r(7), jit.r(8), jit.r(9), jit.r(10), jit.r(5)]).toEqual([expected(5, 3), expected(9, 3), expected(11, 3), expected(11, 7), expected(17, 3), expected(5, 3)]);
    // Under 4 KiB pages, f's pages ran as regions of their own.
    const f0 = jit.cpu.compiledRegion(0x80000000 + 0x1000 * firstPage(jit.ram) + 4); // f_loop
    expect(f0).not.toBeNull();
    expect(jit.cpu.compiledRegion(0x80000000 + 0x1000 * (firstPage(jit.ram) + 2))).not.toBe(f0);
  });
});

/** The page number (in the program) of f0: the first page-aligned PUSH {lr}. */
function firstPage(ram: Uint8Array): number {
  const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  for (let p = 1; p < 16; p++) if (dv.getUint32(p * 0x1000, true) === 0xe52de004) return p;
  throw new Error('f0 not found');
}
