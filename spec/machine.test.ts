// The virt machine and its run loop in-process: the boot plan's blobs and registers land where
// they should (RAM and flash), the devices answer at virt's addresses, PSCI answers every HVC,
// and under --clock icount a WFI jumps the clock exactly to the timer's deadline, the same way
// every run.
import { VirtMachine } from '../runtime/board/machine.js';
import { RunLoop } from '../runtime/board/runloop.js';
import type { BootPlan } from '../runtime/board/bootplan.js';
import { assemble } from './helpers/bare.js';

const LOAD = 0x40010000;

function machine(src: string, clock: 'host' | 'icount' = 'icount', extra: BootPlan['blobs'] = []): { m: VirtMachine; out: number[] } {
  const out: number[] = [];
  const m = new VirtMachine({ ramSize: 16 << 20, clock, output: (b) => out.push(b) });
  m.load({
    blobs: [{ what: 'kernel', addr: LOAD, bytes: assemble(src, LOAD), zero: 0 }, ...extra],
    regs: { r0: 0, r1: 0xffffffff, r2: 0x40000000, pc: LOAD, cpsr: 0x1d3 },
    dtb: null,
    initrd: null,
    notes: [],
  });
  return { m, out };
}

const OFF = `
  ldr r0, =0x84000008
  hvc #0
  b .
  .ltorg`;

test('load(): registers, RAM and a flash blob; the devices at their addresses; PSCI on HVC', async () => {
  const { m, out } = machine(
    `
  mov r7, r0              @ r0-r2 as the plan says
  mov r8, r1
  mov r9, r2
  ldr r4, =0x09000000     @ PL011
  mov r0, #'A'
  str r0, [r4]
  ldr r0, [r4, #0xfe0]    @ UARTPeriphID0
  mov r10, r0
  ldr r0, =0x08000004     @ GICD_TYPER
  ldr r11, [r0]
  mov r0, #0x100
  ldr r12, [r0]           @ flash
  ldr r0, =0x84000000     @ PSCI_VERSION
  hvc #0
  mov r6, r0
  ldr r0, =0x12345678     @ unknown: NOT_SUPPORTED
  hvc #0
  mov r5, r0
${OFF}`,
    'icount',
    [{ what: 'kernel', addr: 0x100, bytes: new Uint8Array([0x78, 0x56, 0x34, 0x12]), zero: 0 }],
  );
  const end = await new RunLoop(m).run();
  expect(end).toEqual({ kind: 'system-off' });
  const r = m.cpu.state.u32;
  expect([r[7], r[8], r[9]]).toEqual([0, 0xffffffff, 0x40000000]);
  expect(String.fromCharCode(...out)).toBe('A');
  expect(r[10]).toBe(0x11);
  expect(r[11] & 0x1f).toBe(8); // 288 interrupt IDs: ITLinesNumber 8
  expect(r[12]).toBe(0x12345678);
  expect(r[6]).toBe(0x00010001); // PSCI_VERSION: 1.1, as QEMU 7.2
  expect(r[5]).toBe(0xffffffff);
  expect(m.bus.stats().find((s) => s.name === 'pl011')?.writes).toBe(1);
});

// The GIC's distributor and CPU interface on, PPI 27 (the virtual timer) enabled, priority mask open.
const GIC_PPI27 = `
  ldr r4, =0x08000000
  mov r0, #1
  str r0, [r4]            @ GICD_CTLR
  ldr r0, =(1 << 27)
  str r0, [r4, #0x100]    @ GICD_ISENABLER0: PPI 27
  ldr r4, =0x08010000
  mov r0, #0xff
  str r0, [r4, #4]        @ GICC_PMR
  mov r0, #1
  str r0, [r4]            @ GICC_CTLR`;

// Arms the virtual timer `ticks` ahead with IRQs masked at the CPU, enables PPI 27 at the GIC,
// waits in WFI, then reads CNTVCT (r6/r7) and the timer's CVAL (r8/r9) and powers off.
const WFI_TIMER = (ticks: number) => `
${GIC_PPI27}
  ldr r0, =${ticks}
  mcr p15, 0, r0, c14, c3, 0   @ CNTV_TVAL
  mov r0, #1
  mcr p15, 0, r0, c14, c3, 1   @ CNTV_CTL: enable
  wfi
  mrrc p15, 1, r6, r7, c14     @ CNTVCT
  mrrc p15, 3, r8, r9, c14     @ CNTV_CVAL
${OFF}`;

test('icount: WFI jumps the clock to the timer deadline, identically each run', async () => {
  const once = async () => {
    const { m } = machine(WFI_TIMER(1_000_000)); // 16 ms of guest time at 62.5 MHz
    expect(await new RunLoop(m).run()).toEqual({ kind: 'system-off' });
    const r = m.cpu.state.u32;
    return { cntvct: r[6], cval: r[8], idle: m.idleInsns, insns: m.instructions };
  };
  const a = await once();
  // Woken at the deadline: the counter is at CVAL, give or take the few instructions after WFI.
  expect(a.cntvct - a.cval).toBeGreaterThanOrEqual(0);
  expect(a.cntvct - a.cval).toBeLessThan(4);
  expect(a.idle).toBeGreaterThan(15_000_000); // ~16 ms at 1 ns per instruction
  expect(await once()).toEqual(a);
});

// The virtual timer interrupts a counting loop 5000 ticks (80 000 instructions) after arming:
// its handler records the loop counter (r11) and the interrupt ID (r12), disables the timer.
const LOOP_IRQ = `
  ldr r0, =vectors
  mcr p15, 0, r0, c12, c0, 0   @ VBAR
${GIC_PPI27}
  ldr r0, =5000
  mcr p15, 0, r0, c14, c3, 0   @ CNTV_TVAL
  mov r0, #1
  mcr p15, 0, r0, c14, c3, 1   @ CNTV_CTL: enable
  mov r11, #0
  cpsie i
  mov r5, #0
  ldr r6, =100000
1: add r5, r5, #1
  cmp r5, r6
  bne 1b
${OFF}
  .balign 32
vectors:
  b .
  b .
  b .
  b .
  b .
  b .
  b irq
  b .
irq:
  mov r11, r5
  ldr r0, =0x08010000
  ldr r12, [r0, #0xc]     @ GICC_IAR
  mov r1, #0
  mcr p15, 0, r1, c14, c3, 1   @ CNTV_CTL: off
  str r12, [r0, #0x10]    @ GICC_EOIR
  subs pc, lr, #4
  .ltorg`;

test('icount: sampling the PC for --profile (short, varied slices) changes nothing the guest sees', async () => {
  const once = async (sample: boolean) => {
    const { m } = machine(LOOP_IRQ);
    const loop = new RunLoop(m);
    const pcs = new Map<number, number>();
    if (sample) loop.sample(100, (pc, n) => pcs.set(pc, (pcs.get(pc) ?? 0) + n));
    expect(await loop.run()).toEqual({ kind: 'system-off' });
    const r = m.cpu.state.u32;
    return { guest: { r5: r[5], r11: r[11], r12: r[12], insns: m.instructions }, slices: loop.stats.slices, sampled: [...pcs.values()].reduce((a, b) => a + b, 0) };
  };
  const plain = await once(false);
  expect(plain.guest.r12).toBe(27); // the virtual timer's PPI
  expect(plain.guest.r11).toBeGreaterThan(20_000); // mid-loop
  expect(plain.guest.r11).toBeLessThan(30_000);
  const sampled = await once(true);
  expect(sampled.slices).toBeGreaterThan(100 * plain.slices);
  expect(sampled.guest).toEqual(plain.guest);
  // Every instruction is in some sample but those after the last one.
  expect(sampled.sampled).toBeLessThanOrEqual(sampled.guest.insns);
  expect(sampled.sampled).toBeGreaterThan(sampled.guest.insns - 200);
});

test('host clock: WFI sleeps until the timer deadline', async () => {
  const { m } = machine(WFI_TIMER(6_250_000), 'host'); // 100 ms
  const loop = new RunLoop(m);
  expect(await loop.run()).toEqual({ kind: 'system-off' });
  const r = m.cpu.state.u32;
  expect(r[6] - r[8]).toBeGreaterThanOrEqual(0);
  expect(loop.stats.idleMs).toBeGreaterThan(50);
  expect(m.instructions).toBeLessThan(1000);
});
