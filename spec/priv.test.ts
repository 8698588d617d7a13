// The privileged CPU on bare-metal sequences (assembled with arm-linux-gnueabihf-as, run by the
// system-mode interpreter on flat RAM): mode switches and banked registers, SVC/UNDEF/abort/IRQ
// entry and return, MMU faults in both descriptor formats with their DFSR/DFAR, SRS/RFE,
// LDM/STM ^, WFI, HVC/SMC handlers, CP15 and the VFP enable. Expected values follow the ARM ARM
// pseudocode (B1.8, B9.3) and the fault status tables (B3.13).
import { ArmCpu } from '../runtime/cpu/cpu.js';
import { Exc } from '../runtime/cpu/exception.js';
import { PhysAbort } from '../runtime/mmu/types.js';
import { Mode } from '../translator/modes.js';
import { W } from '../translator/state.js';
import { EXIT_DEV, RAM_BASE, assemble, bareCpu, runBoth, vectorProgram, MMU_ON, SCTLR_M_ON, sectionTables } from './helpers/bare.js';

const program = vectorProgram;

/**
 * Runs until the program writes the exit device (or `budget` instructions) under the
 * interpreter, and again with every block compiled (the JIT, threshold 0): both runs must end
 * in the same state (runBoth). Returns the interpreter's run.
 */
function run(src: string, setup?: (cpu: ArmCpu, ram: Uint8Array) => void, budget = 100000) {
  return runBoth(src, { setup, budget }).interp;
}

const addrOf = (src: string, label: string): number => {
  // The address of `label`: assemble again with the label's address moved into r0 at the end.
  const img = assemble(`${src}\n.word ${label}\n`, RAM_BASE);
  return new DataView(img.buffer).getUint32(img.length - 4, true);
};

describe('modes and banked registers', () => {
  test('CPS and MSR switch modes; each mode keeps its SP/LR (and FIQ its R8-R12), read back in the mode and from the state block', () => {
    const { r, stop, cpu } = run(
      program(`
  cps #0x12
  ldr sp, =0x2000
  mov lr, #0x21
  cps #0x11
  ldr sp, =0x3000
  mov r8, #8
  mov r12, #12
  cps #0x13
  mov r8, #0x88
  mrs r0, cpsr
  cps #0x12
  mov r1, sp
  mov r2, lr
  cps #0x11
  mov r3, sp
  mov r4, r8
  mov r5, r12
  msr cpsr_c, #0xd3
  mov r6, sp
  mov r7, r8
  cps #0x12
  mov r9, sp
  cps #0x11
  mov r0, r8
  cps #0x1b
  ldr lr, =0x1234
  cps #0x13
  mov r10, r0
  mrs r0, cpsr
`),
    );
    expect(stop).toBe('stopped');
    expect([r(1), r(2), r(3), r(4), r(5), r(6), r(7), r(9), r(10)]).toEqual([0x2000, 0x21, 0x3000, 8, 12, RAM_BASE + 0x10000, 0x88, 0x2000, 8]);
    expect(r(0)).toBe(0x1d3); // SVC, A I F masked (reset)
    expect(cpu.mode).toBe(Mode.SVC);
    // The other modes' registers as the state block banks them while SVC is current.
    const w = (i: number) => cpu.state.u32[i];
    expect([w(W.SP_IRQ), w(W.LR_IRQ), w(W.SP_FIQ), w(W.R8_FIQ), w(W.R8_FIQ + 4), w(W.LR_UND)]).toEqual([0x2000, 0x21, 0x3000, 8, 12, 0x1234]);
  });

  test('MRS/MSR (banked register) are UNDEFINED: no Virtualization Extensions (as QEMU\'s Cortex-A15 without EL2)', () => {
    const src = program(
      `
  mov r8, #0
  mov r0, #0x55
  mov r1, #0x11
  cps #0x12
  mov sp, #0x77
  cps #0x13
m1:
  mrs r1, sp_irq
m2:
  msr sp_irq, r0
m3:
  mrs r2, spsr_irq
  cps #0x12
  mov r3, sp
  cps #0x13
`,
      { undef: '  add r8, r8, #1\n  mov r9, lr\n  movs pc, lr' },
    );
    const { r, stop } = run(src);
    expect(stop).toBe('stopped');
    expect(r(8)).toBe(3); // three UNDEFINED exceptions
    expect(r(9)).toBe(addrOf(src, 'm3') + 4); // the last one's LR: the next instruction
    expect(r(1)).toBe(0x11); // nothing read
    expect(r(3)).toBe(0x77); // nothing written
  });

  test('at PL0, CPS is a NOP, MSR cannot change the mode or masks, MRS SPSR is UNDEFINED', () => {
    const { r, cpu } = run(
      program(
        `
  cps #0x1f
  ldr sp, =${RAM_BASE + 0x20000}
  cps #0x13
  mov r0, #0x10
  msr spsr_cxsf, r0
  adr lr, user
  movs pc, lr
user:
  cpsid i
  cps #0x13
  msr cpsr_c, #0xd3
  mrs r1, cpsr
  mrs r2, spsr
  mov r3, #3
`,
        { undef: '  mrs r4, spsr\n  mov r5, lr\n  b done' },
      ),
    );
    expect(r(1) & 0x1ff).toBe(0x10); // still User, IRQs unmasked
    expect(r(3)).toBe(0); // the MRS SPSR trapped
    expect(r(4) & 0x1f).toBe(Mode.USR);
    expect(cpu.mode).toBe(Mode.UND);
    expect(cpu.exceptions[Exc.UNDEF]).toBe(1);
  });
});

describe('exceptions', () => {
  test('SVC from User mode: SVC mode, LR = next instruction, SPSR = the User CPSR; MOVS PC, LR returns', () => {
    const src = program(
      `
  cps #0x1f
  ldr sp, =${RAM_BASE + 0x20000}
  cps #0x13
  mov r0, #0x10
  msr spsr_cxsf, r0
  adr lr, user
  movs pc, lr
user:
  mov r0, #5
  adds r1, r0, #0
svc_insn:
  svc #0x42
after_svc:
  add r0, r0, #1
  mrs r3, cpsr
  b done
`,
      { svc: '  mrs r4, spsr\n  mov r6, lr\n  ldr r2, [lr, #-4]\n  bic r5, r2, #0xff000000\n  add r0, r0, r0\n  mrs r7, cpsr\n  movs pc, lr' },
    );
    const { r, cpu } = run(src);
    expect(r(0)).toBe(11);
    expect(r(3) & 0x1f).toBe(Mode.USR);
    expect(r(4)).toBe(0x10); // User, flags clear (ADDS 5+0 sets none)
    expect(r(5)).toBe(0x42);
    expect(r(6)).toBe(addrOf(src, 'after_svc'));
    expect(r(7) & 0x1ff).toBe(0x093); // SVC mode, I set; A and F as in User mode (clear)
    expect(cpu.mode).toBe(Mode.USR);
  });

  test('UNDEF: Undefined mode, LR = instruction + 4 (ARM) and + 2 (Thumb), return with MOVS PC, LR', () => {
    const src = program(
      `
  mov r1, #0
udf1:
  udf #1
  add r1, r1, #1
  adr r0, thumb_code + 1
  bx r0
.thumb
thumb_code:
udf2:
  udf #2
  adds r1, r1, #1
  adr r0, back
  bx r0
.align 2
.arm
back:
  mov r2, r8
  mov r3, r9
`,
      { undef: '  add r8, r8, #1\n  mov r9, lr\n  mrs r10, spsr\n  movs pc, lr' },
    );
    const { r, cpu } = run(src);
    expect(r(1)).toBe(2);
    expect(r(2)).toBe(2);
    expect(r(3)).toBe(addrOf(src, 'udf2') + 2);
    expect(r(10) & 0x20).toBe(0x20); // SPSR.T of the Thumb UDF
    expect(cpu.exceptions[Exc.UNDEF]).toBe(2);
  });

  test('UNDEF inside an IT block saves that instruction\'s ITSTATE in the SPSR', () => {
    const src = program(
      `
  adr r0, t + 1
  bx r0
.thumb
t:
  cmp r0, r0
  itte eq
  moveq r1, #1
  udfeq #3
  movne r1, #2
`,
      { undef: '  mrs r10, spsr\n  mov r9, lr\n  b done' },
    );
    const { r } = run(src);
    // ITTE EQ: mask 0110; the second instruction runs with ITSTATE 0000:01100 (B1.3.3, A8.8.55).
    expect(((r(10) >>> 25) & 3) | (((r(10) >>> 10) & 0x3f) << 2)).toBe(0x0c);
    expect(r(10) & 0x20).toBe(0x20);
    expect(r(1)).toBe(1);
  });

  test('SRS and RFE save and restore LR/SPSR on the SVC stack', () => {
    const src = program(
      `
  ldr r0, =0x80000010
  msr spsr_cxsf, r0
  mov r0, #0
  svc #1
  mov r1, #1
  mrs r2, cpsr
`,
      {
        svc: `
  srsdb sp!, #0x13
  mov r4, sp
  ldr r5, [sp]
  ldr r6, [sp, #4]
  mrs r7, spsr
  rfeia sp!`,
      },
    );
    const { r } = run(src);
    expect(r(4)).toBe(RAM_BASE + 0x10000 - 8);
    expect(r(6)).toBe(0x1d3); // SPSR_svc: the CPSR at the SVC (SVC, A I F), not the value MSR put there before
    expect(r(7)).toBe(r(6));
    expect(r(1)).toBe(1);
    expect(r(2) & 0x1f).toBe(Mode.SVC);
  });

  test('LDM ^ and STM ^ reach the User bank; LDM ^ with the PC is an exception return', () => {
    const src = program(`
  cps #0x1f
  ldr sp, =0x5555
  ldr lr, =0x6666
  cps #0x13
  ldr r0, =buf
  stm r0, {sp, lr}^
  ldr r1, [r0]
  ldr r2, [r0, #4]
  ldr r3, =vals
  ldm r3, {sp, lr}^
  nop
  cps #0x1f
  mov r4, sp
  mov r5, lr
  cps #0x13
  mov r0, #0x10
  msr spsr_cxsf, r0
  ldr r3, =frame
  ldm r3, {r6, pc}^
buf: .word 0, 0
vals: .word 0x1111, 0x2222
frame: .word 0x66, user
user:
  mrs r7, cpsr
  b done
`);
    const { r, cpu } = run(src);
    expect([r(1), r(2), r(4), r(5), r(6)]).toEqual([0x5555, 0x6666, 0x1111, 0x2222, 0x66]);
    expect(r(7) & 0x1f).toBe(Mode.USR);
    expect(cpu.mode).toBe(Mode.USR);
  });

  test('HVC and SMC go to the installed handlers; without one they are UNDEFINED', () => {
    const src = program(
      `
  mov r0, #1
  hvc #0x123
  mov r1, r0
  smc #3
  mov r2, r0
`,
      { undef: '  mov r3, lr\n  movs pc, lr' },
    );
    const { r, cpu } = run(src, (cpu) => {
      cpu.onHvc = (c, imm) => {
        c.state.u32[0] = imm + c.state.u32[0];
        return true;
      };
    });
    expect(r(1)).toBe(0x124);
    expect(r(2)).toBe(0x124); // SMC: no handler -> UNDEF -> handler skipped it
    expect(cpu.exceptions[Exc.UNDEF]).toBe(1);
  });
});

/** sectionTables with the test's devices mapped. */
const shortTables = (ram: Uint8Array, extra: Record<number, number> = {}): number => sectionTables(ram, [EXIT_DEV], extra);

const DABT = '  mrc p15, 0, r3, c5, c0, 0\n  mrc p15, 0, r4, c6, c0, 0\n  mov r5, lr\n  add r9, r9, #1\n  subs pc, lr, #4';

describe('MMU faults', () => {
  test('short descriptors: translation fault on a read, permission fault on a write to a read-only section', () => {
    const src = program(
      `${MMU_ON}
  ldr r1, =0x80000010
ld1:
  ldr r2, [r1]
  mov r7, #7
  mov r8, r3
  mov r10, r4
  ldr r1, =0x90000020
  ldr r2, [r1]
st1:
  str r2, [r1]
  mov r6, r3
`,
      { dabt: DABT },
    );
    // 0x90000000: a read-only section (APX=1, AP=01: PL1 read-only) onto RAM.
    const { r, cpu } = run(src, (_c, ram) => shortTables(ram, { 0x90000000: RAM_BASE | (1 << 15) | (1 << 10) | 2 }));
    expect(r(7)).toBe(7);
    expect(r(8)).toBe(0x005); // section translation fault (B3.13.3)
    expect(r(10)).toBe(0x80000010);
    expect(r(6)).toBe(0x80d); // WnR, section permission fault, domain 0
    expect(r(4)).toBe(0x90000020);
    expect(r(5)).toBe(addrOf(src, 'st1') + 8);
    expect(r(9)).toBe(2);
    expect(cpu.mmuEnabled).toBe(true);
  });

  test('LDRT/STRT at PL1 are checked with PL0 permissions', () => {
    const src = program(
      `${MMU_ON}
  ldr r1, =0xa0000000
  ldr r2, [r1]
  mov r7, #7
  ldrt r2, [r1]
  mov r8, r3
  strt r2, [r1]
  mov r10, r3
`,
      { dabt: DABT },
    );
    // 0xa0000000: PL1 read/write, no PL0 access (AP=01).
    const { r } = run(src, (_c, ram) => shortTables(ram, { 0xa0000000: RAM_BASE | (1 << 10) | 2 }));
    expect(r(7)).toBe(7);
    expect(r(8)).toBe(0x00d); // section permission fault
    expect(r(10)).toBe(0x80d);
    expect(r(9)).toBe(2);
  });

  test('long descriptors (TTBCR.EAE): a level 1 translation fault reports the LPAE format', () => {
    const src = program(
      `
  ldr r0, =${RAM_BASE + 0x100000}
  mov r1, #0
  mcrr p15, 0, r0, r1, c2
  ldr r0, =0x80000000
  mcr p15, 0, r0, c2, c0, 2
  mov r0, #0xff
  mcr p15, 0, r0, c10, c2, 0${SCTLR_M_ON}  ldr r1, =0x80000010
  ldr r2, [r1]
  mov r8, r3
  mrrc p15, 0, r6, r7, c2
`,
      { dabt: DABT },
    );
    const { r } = run(src, (_c, ram) => {
      const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
      // First level (T0SZ=0): four 1 GB entries; entry 1 a block onto RAM: AF, AP=00, AttrIndx 0.
      dv.setUint32(0x100000 + 8, RAM_BASE | (1 << 10) | 1, true);
      dv.setUint32(0x100000, (1 << 10) | 1, true); // 0-1 GB identity (the exit device)
      dv.setUint32(0x100000 + 12, 0, true);
    });
    expect(r(8)).toBe(0x205); // LPAE, level 1 translation fault
    expect(r(4)).toBe(0x80000010);
    expect([r(6), r(7)]).toEqual([RAM_BASE + 0x100000, 0]);
  });

  test('alignment faults: LDM always, LDR only with SCTLR.A; DFSR 0x001 (0x221 with LPAE)', () => {
    const src = program(
      `
  ldr r1, =${RAM_BASE + 0x20001}
  ldr r2, [r1]
  mov r7, #7
  ldm r1, {r2, r3}
  mov r8, r3
  mrc p15, 0, r0, c1, c0, 0
  orr r0, r0, #2
  mcr p15, 0, r0, c1, c0, 0
  ldr r2, [r1]
  mov r10, r3
  mov r0, #0x80000000
  mcr p15, 0, r0, c2, c0, 2
  strh r2, [r1]
  mov r6, r3
`,
      { dabt: DABT },
    );
    const { r } = run(src);
    expect([r(7), r(8), r(10), r(6)]).toEqual([7, 0x001, 0x001, 0x221 | 0x800]);
    expect(r(4)).toBe(RAM_BASE + 0x20001);
    expect(r(9)).toBe(3);
  });

  test('a translation table in no memory: synchronous external abort on the walk (PAR FS 0b01100)', () => {
    const src = program(`${MMU_ON}
  ldr r0, =0x20000000
  mcr p15, 0, r0, c2, c0, 1
  mov r0, #1
  mcr p15, 0, r0, c2, c0, 2
  ldr r1, =0x80000000
  mcr p15, 0, r1, c7, c8, 0
  mrc p15, 0, r2, c7, c4, 0
`);
    // TTBCR.N = 1: VA >= 2 GB walks TTBR1's table at 0x20000000, where nothing answers.
    const { r } = run(src, (_c, ram) => shortTables(ram));
    expect(r(2)).toBe((0b01100 << 1) | 1);
  });

  test('prefetch abort on an unmapped page: IFSR, IFAR, LR = address + 4', () => {
    const src = program(
      `${MMU_ON}
  ldr r0, =0x80000000
  blx r0
`,
      { pabt: '  mrc p15, 0, r3, c5, c0, 1\n  mrc p15, 0, r4, c6, c0, 2\n  mov r5, lr\n  b done' },
    );
    const { r } = run(src, (_c, ram) => shortTables(ram));
    expect([r(3), r(4), r(5)]).toEqual([0x005, 0x80000000, 0x80000004]);
  });

  test('ATS1CPR writes the PAR; an unmapped address sets PAR.F with the fault status', () => {
    const src = program(`${MMU_ON}
  ldr r0, =${RAM_BASE + 0x1234}
  mcr p15, 0, r0, c7, c8, 0
  mrc p15, 0, r1, c7, c4, 0
  ldr r0, =0x80000000
  mcr p15, 0, r0, c7, c8, 0
  mrc p15, 0, r2, c7, c4, 0
`);
    const { r } = run(src, (_c, ram) => shortTables(ram));
    expect(r(1) & 0xfffff001).toBe(RAM_BASE + 0x1000);
    expect(r(2)).toBe((0x5 << 1) | 1);
  });

  test('an access outside RAM goes to the MMIO callback; nothing there is a synchronous external abort', () => {
    const src = program(
      `
  ldr r1, =0x09000000
  ldr r2, [r1]
  str r2, [r1, #4]
  ldr r1, =0x0a000000
  ldr r2, [r1]
  mov r8, r3
`,
      { dabt: DABT },
    );
    const { cpu, log } = bareCpu(src, {
      mmio: (pa, _s, w) => {
        if (pa === EXIT_DEV) {
          cpu.stop();
          return 0;
        }
        if (pa >>> 24 === 0x09) return w ? 0 : 0x5a;
        throw new PhysAbort(pa);
      },
    });
    cpu.run(10000);
    expect(log.slice(0, 2)).toEqual([
      { pa: 0x09000000, size: 4, write: false, value: 0 },
      { pa: 0x09000004, size: 4, write: true, value: 0x5a },
    ]);
    expect(cpu.state.u32[8]).toBe(0x008);
  });
});

describe('interrupts', () => {
  test('IRQ taken between instructions when unmasked; LR = next + 4; SUBS PC, LR, #4 resumes', () => {
    const src = program(
      `
  cps #0x12
  ldr sp, =${RAM_BASE + 0x18000}
  cps #0x13
  mov r0, #0
  cpsie i
loop:
  add r0, r0, #1
  cmp r6, #0
  beq loop
`,
      { irq: `  add r6, r6, #1\n  mov r7, lr\n  mrs r8, spsr\n  ldr r1, =0x0b000000\n  str r1, [r1]\n  subs pc, lr, #4` },
    );
    let cpu!: ArmCpu;
    ({ cpu } = bareCpu(src, {
      mmio: (pa) => {
        if (pa === EXIT_DEV) cpu.stop();
        else if (pa === 0x0b000000) cpu.setIrq(false);
        else throw new PhysAbort(pa);
        return 0;
      },
    }));
    expect(cpu.run(500)).toBe('budget');
    expect(cpu.state.u32[6]).toBe(0);
    cpu.setIrq(true);
    expect(cpu.run(100000)).toBe('stopped');
    const st = cpu.state.u32;
    expect(st[6]).toBe(1);
    expect(cpu.exceptions[Exc.IRQ]).toBe(1);
    expect(st[8] & 0x1ff).toBe(0x153); // the interrupted SVC-mode CPSR: I clear, A still set from reset
    const loop = addrOf(src, 'loop');
    expect(st[7] - 4).toBeGreaterThanOrEqual(loop);
    expect(st[7] - 4).toBeLessThanOrEqual(loop + 8);
  });

  test('masked IRQs wait; WFI halts until the line rises, even while masked', () => {
    const src = program(`
  mov r1, #1
  wfi
  mov r1, #2
  cpsie i
  mov r1, #3
`, { irq: '  mov r2, r1\n  b done' });
    let cpu!: ArmCpu;
    ({ cpu } = bareCpu(src, {
      mmio: (pa) => {
        if (pa === EXIT_DEV) cpu.stop();
        return 0;
      },
    }));
    expect(cpu.run(10000)).toBe('wfi');
    expect(cpu.state.u32[1]).toBe(1);
    expect(cpu.run(10000)).toBe('wfi'); // nothing pending: still waiting
    cpu.setIrq(true);
    expect(cpu.run(10000)).toBe('stopped');
    expect(cpu.state.u32[2]).toBe(2); // taken right after CPSIE (the block ended there)
  });

  test('FIQ has priority over IRQ and banks R8-R12', () => {
    const src = program(`
  mov r8, #0x88
  cpsie if
  b .
`, { fiq: '  mov r8, #1\n  mrs r0, cpsr\n  b done', irq: '  mov r9, #0x99\n  b done' });
    let cpu!: ArmCpu;
    ({ cpu } = bareCpu(src, { mmio: (pa) => (pa === EXIT_DEV && cpu.stop(), 0) }));
    cpu.setIrq(true);
    cpu.setFiq(true);
    cpu.run(10000);
    expect(cpu.state.u32[0] & 0x1ff).toBe(0x1d1);
    expect(cpu.state.u32[9]).toBe(0);
    cpu.cpsr = (cpu.cpsr & ~0x1f) | Mode.SVC;
    expect(cpu.state.u32[8]).toBe(0x88);
  });
});

describe('CP15, VFP enable, code invalidation', () => {
  test('ID registers read as a Cortex-A15; CSSELR selects CCSIDR; PL0 cannot read MIDR', () => {
    const src = program(
      `
  mrc p15, 0, r0, c0, c0, 0
  mrc p15, 0, r1, c0, c0, 5
  mrc p15, 0, r2, c0, c0, 1
  mrc p15, 1, r3, c0, c0, 1
  mov r4, #1
  mcr p15, 2, r4, c0, c0, 0
  mrc p15, 1, r4, c0, c0, 0
  mrc p15, 0, r5, c0, c1, 0
  mrc p14, 0, r6, c0, c0, 0
  ldr r7, =0xf00000
  mcr p15, 0, r7, c1, c0, 2
  vmrs r7, fpsid
  cps #0x10
  mrc p15, 0, r8, c0, c0, 0
`,
      { undef: '  mov r9, lr\n  b done' },
    );
    const { r } = run(src);
    expect([r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7)]).toEqual([0x414fc0f0, 0x80000000, 0x8444c004, 0x0a200023, 0x201fe00a, 0x00001131, 0x3515f021, 0x410430f0]);
    expect(r(8)).toBe(0);
    expect(r(9)).toBeGreaterThan(RAM_BASE);
  });

  test('registerSysRegs: an external register (the timer shape) is readable and writable at PL0 when it says so', () => {
    let freq = 62500000n;
    const src = program(`
  mrc p15, 0, r0, c14, c0, 0
  ldr r1, =24000000
  mcr p15, 0, r1, c14, c0, 0
  mov r2, #0x10
  msr cpsr_c, r2
  mrc p15, 0, r3, c14, c0, 0
  mrrc p15, 1, r4, r5, c14
`);
    const { r } = run(src, (cpu) => (
      (freq = 62500000n), // each engine's run starts from the reset value
      cpu.registerSysRegs([
        { name: 'CNTFRQ', coproc: 15, opc1: 0, crn: 14, crm: 0, opc2: 0, wide: false, pl0: () => true, read: () => freq, write: (v) => (freq = v) },
        { name: 'CNTVCT', coproc: 15, opc1: 1, crn: 0, crm: 14, opc2: 0, wide: true, pl0: () => true, read: () => 0x123456789an, write: () => {} },
      ])
    ));
    expect([r(0), r(3), r(4), r(5)]).toEqual([62500000, 24000000, 0x3456789a, 0x12]);
  });

  test('PMU: PMCR reads as QEMU\'s A15 PMU (six event counters); the cycle counter counts instructions when enabled; PL0 needs PMUSERENR.EN', () => {
    const src = program(
      `
  mrc p15, 0, r0, c9, c12, 0
  mov r1, #0x80000000
  mcr p15, 0, r1, c9, c12, 1
  mov r1, #5
  mcr p15, 0, r1, c9, c12, 0
  mrc p15, 0, r2, c9, c13, 0
  b 1f
1:
  nop
  nop
  mrc p15, 0, r3, c9, c13, 0
  mov r1, #0
  mcr p15, 0, r1, c9, c12, 0
  mrc p15, 0, r8, c9, c13, 0
  b 2f
2:
  mrc p15, 0, r9, c9, c13, 0
  cps #0x10
  mrc p15, 0, r4, c9, c14, 0
  mrc p15, 0, r5, c9, c13, 0
  mov r6, #6
`,
      { undef: '  mov r7, lr\n  b done' },
    );
    const { r } = run(src);
    expect(r(0) >>> 0).toBe(0x410f3000);
    // It counts retired instructions, updated at block boundaries (the interpreter's granularity).
    expect(r(3) - r(2)).toBeGreaterThan(0);
    expect(r(9)).toBe(r(8)); // stopped with PMCR.E clear
    expect(r(4)).toBe(0);
    expect(r(6)).toBe(0); // PMCCNTR at PL0 trapped
    expect(r(7)).toBeGreaterThan(RAM_BASE);
  });

  test('VFP instructions are UNDEFINED until CPACR and FPEXC.EN enable them', () => {
    const src = program(
      `
  vmrs r0, fpexc
  vmov s0, r0
  ldr r0, =0xf00000
  mcr p15, 0, r0, c1, c0, 2
  isb
  mov r0, #0x40000000
  vmsr fpexc, r0
  ldr r0, =0x3f800000
  vmov s1, r0
  vadd.f32 s2, s1, s1
  vmov r1, s2
`,
      { undef: '  add r8, r8, #1\n  movs pc, lr' },
    );
    const { r } = run(src);
    expect(r(8)).toBe(2); // VMRS FPEXC without CPACR access, VMOV without FPEXC.EN
    expect(r(1)).toBe(0x40000000);
  });

  test('a store to a page holding translated code drops it (self-modifying code)', () => {
    const src = program(`
  mov r5, #0
again:
  bl patchme
  add r5, r5, #1
  cmp r5, #2
  beq out
  ldr r0, =0xe3a01002
  ldr r1, =patchme
  str r0, [r1]
  mcr p15, 0, r0, c7, c5, 0
  b again
patchme:
  mov r1, #1
  bx lr
out:
`);
    const { r } = run(src);
    expect(r(1)).toBe(2);
  });

  test('code changed behind the CPU (physWritten, e.g. DMA) runs after the guest invalidates the I-cache', () => {
    const src = program(`
again:
  bl patchme
  add r5, r5, #1
  cmp r5, #1
  bne out
  ldr r0, =${EXIT_DEV}
  str r0, [r0, #4]
  bl patchme
  mov r6, r1
  mcr p15, 0, r0, c7, c5, 0
  b again
patchme:
  mov r1, #1
  bx lr
out:
`);
    let cpu!: ArmCpu;
    let ram!: Uint8Array;
    ({ cpu, ram } = bareCpu(src, {
      mmio: (pa) => {
        if (pa === EXIT_DEV) cpu.stop();
        else {
          // The "device" patches `mov r1, #1` into `mov r1, #2` in RAM directly.
          const at = addrOf(src, 'patchme') - RAM_BASE;
          new DataView(ram.buffer, ram.byteOffset, ram.byteLength).setUint32(at, 0xe3a01002, true);
          cpu.physWritten(RAM_BASE + at, 4);
        }
        return 0;
      },
    }));
    cpu.run(100000);
    expect(cpu.state.u32[6]).toBe(1); // before the ICIALLU: the old translation
    expect(cpu.state.u32[1]).toBe(2); // after it: the new code
  });

  test('exception vectors: high vectors with SCTLR.V, Thumb handlers with SCTLR.TE', () => {
    const { cpu } = bareCpu('b .');
    const st = cpu.state.i32;
    cpu.cp15.sctlr |= 1 << 13;
    cpu.exception(Exc.IRQ, RAM_BASE);
    expect(st[W.PC] >>> 0).toBe(0xffff0018);
    cpu.cp15.sctlr = (cpu.cp15.sctlr & ~(1 << 13)) | (1 << 30);
    cpu.cp15.vbar = 0x40001000;
    cpu.exception(Exc.DATA_ABORT, RAM_BASE + 0x100);
    expect(st[W.PC] >>> 0).toBe(0x40001010);
    expect(st[W.T]).toBe(1);
    expect(st[W.LR] >>> 0).toBe(RAM_BASE + 0x108);
    expect(cpu.mode).toBe(Mode.ABT);
  });
});
