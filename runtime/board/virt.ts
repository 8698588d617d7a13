// The `virt` board: a memory map and interrupt assignment like QEMU's `virt` machine for a
// 32-bit Cortex-A15 without EL2/EL3 (QEMU 7.2, hw/arm/virt.c facts: flash at 0, GICv2 at
// 0x08000000, PL011 at 0x09000000 on SPI 1, PL031 at 0x09010000 on SPI 2, RAM at 0x40000000,
// PSCI through HVC), and the device tree Linux boots from, generated from that description.
// Only the devices armvisor models are described (no fw_cfg, virtio-mmio, PCIe, PL061, GICv2m).

import { Fdt, FdtNode } from './fdt.js';

/** A region of the physical address space. */
export interface Region {
  base: number;
  size: number;
}

/** The physical memory map (QEMU's base_memmap for `virt`, the parts we model). */
export const VIRT_MAP = {
  /** Two 64 MiB CFI flash banks in QEMU; a ROM region here (bare-metal ELF images may load there). */
  flash: { base: 0x0000_0000, size: 0x0800_0000 },
  gicDist: { base: 0x0800_0000, size: 0x1_0000 },
  gicCpu: { base: 0x0801_0000, size: 0x1_0000 },
  uart: { base: 0x0900_0000, size: 0x1000 },
  rtc: { base: 0x0901_0000, size: 0x1000 },
  /** RAM starts here; its size is the board's `ramSize`. */
  ramBase: 0x4000_0000,
} as const;

/** The highest RAM size the 32-bit map holds (RAM up to 4 GiB, as QEMU's virt without highmem). */
export const VIRT_MAX_RAM = 0x1_0000_0000 - VIRT_MAP.ramBase;

/** Shared peripheral interrupts (SPI numbers: the GIC interrupt ID is 32 + n). */
export const VIRT_SPI = { uart: 1, rtc: 2 } as const;

/**
 * Generic timer private peripheral interrupts (PPI numbers: the GIC ID is 16 + n), in the order
 * of the binding's `interrupts` property: secure physical (29), non-secure physical (30),
 * virtual (27), hypervisor (26).
 */
export const TIMER_PPI = { secPhys: 13, nsPhys: 14, virt: 11, hyp: 10 } as const;

/** The APB clock QEMU gives its PrimeCell devices (a fixed 24 MHz clock). */
export const APB_PCLK_HZ = 24_000_000;

/** PSCI 0.2 function IDs (SMC32 calling convention) that the /psci node names for old kernels. */
export const PSCI_FN = { cpuSuspend: 0x8400_0001, cpuOff: 0x8400_0002, cpuOn: 0x8400_0003, migrate: 0x8400_0005 } as const;

// Interrupt specifier cells of arm,cortex-a15-gic (#interrupt-cells 3).
const GIC_SPI = 0;
const GIC_PPI = 1;
const IRQ_TYPE_LEVEL_HIGH = 4;

export interface VirtConfig {
  /** RAM size in bytes (a multiple of 1 MiB, at most VIRT_MAX_RAM). */
  ramSize: number;
  /** Number of CPUs (1 today; more need PSCI CPU_ON). */
  cpus?: number;
  /** The PSCI conduit: HVC as QEMU without virtualization=on, SMC otherwise. */
  psciMethod?: 'hvc' | 'smc';
  /** The timer's `clock-frequency`; leave undefined when CNTFRQ is programmed (QEMU's way). */
  timerFrequency?: number;
  /** /chosen: kernel command line. */
  bootargs?: string;
  /** /chosen: the initrd's physical range [start, end). */
  initrd?: { start: number; end: number };
}

export function checkRamSize(ramSize: number): void {
  if (!Number.isInteger(ramSize) || ramSize <= 0 || ramSize % 0x10_0000 !== 0) throw new RangeError(`RAM size ${ramSize} is not a positive multiple of 1 MiB`);
  if (ramSize > VIRT_MAX_RAM) throw new RangeError(`RAM size ${ramSize / 0x10_0000} MiB is more than the virt board's ${VIRT_MAX_RAM / 0x10_0000} MiB`);
}

/** Two-cell (64-bit) address/size pairs, as the root's #address-cells = #size-cells = 2. */
function reg2(...regions: Region[]): number[] {
  return regions.flatMap((r) => [0, r.base >>> 0, 0, r.size >>> 0]);
}

/** The device tree of the board, in QEMU's node names and properties for the devices we model. */
export function virtDeviceTree(cfg: VirtConfig): Fdt {
  checkRamSize(cfg.ramSize);
  const cpus = cfg.cpus ?? 1;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 8) throw new RangeError(`${cpus} CPUs: the GICv2 takes 1 to 8`);
  const fdt = new Fdt();
  const root = fdt.root;
  root.u32('#address-cells', 2).u32('#size-cells', 2).string('compatible', 'linux,dummy-virt').string('model', 'linux,dummy-virt');

  // The GIC first, so its phandle exists for interrupt-parent.
  const gic = root.child(`intc@${hex(VIRT_MAP.gicDist.base)}`);
  gic.strings('compatible', ['arm,cortex-a15-gic']).u32('#interrupt-cells', 3).empty('interrupt-controller');
  gic.u32('#address-cells', 2).u32('#size-cells', 2).empty('ranges');
  gic.u32s('reg', reg2(VIRT_MAP.gicDist, VIRT_MAP.gicCpu));
  root.u32('interrupt-parent', gic.phandle());

  const clk = root.child('apb-pclk');
  clk.string('compatible', 'fixed-clock').u32('#clock-cells', 0).u32('clock-frequency', APB_PCLK_HZ).string('clock-output-names', 'clk24mhz');
  const clkPh = clk.phandle();

  const psci = root.child('psci');
  psci.strings('compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']).string('method', cfg.psciMethod ?? 'hvc');
  psci.u32('cpu_suspend', PSCI_FN.cpuSuspend).u32('cpu_off', PSCI_FN.cpuOff).u32('cpu_on', PSCI_FN.cpuOn).u32('migrate', PSCI_FN.migrate);

  root.child(`memory@${hex(VIRT_MAP.ramBase)}`).string('device_type', 'memory').u32s('reg', reg2({ base: VIRT_MAP.ramBase, size: cfg.ramSize }));

  const cpusNode = root.child('cpus');
  cpusNode.u32('#address-cells', 1).u32('#size-cells', 0);
  for (let i = 0; i < cpus; i++) {
    const cpu = cpusNode.child(`cpu@${i}`);
    cpu.string('device_type', 'cpu').string('compatible', 'arm,cortex-a15').u32('reg', i);
    // Secondary CPUs start through PSCI CPU_ON (QEMU names the method only with several CPUs).
    if (cpus > 1) cpu.string('enable-method', 'psci');
  }

  // Each PPI's flags carry the mask of CPUs it is wired to (GICv2 binding, bits [15:8]).
  const ppiFlags = IRQ_TYPE_LEVEL_HIGH | (((1 << cpus) - 1) << 8);
  const timer = root.child('timer');
  timer.string('compatible', 'arm,armv7-timer');
  timer.u32s('interrupts', [TIMER_PPI.secPhys, TIMER_PPI.nsPhys, TIMER_PPI.virt, TIMER_PPI.hyp].flatMap((ppi) => [GIC_PPI, ppi, ppiFlags]));
  timer.empty('always-on');
  if (cfg.timerFrequency !== undefined) timer.u32('clock-frequency', cfg.timerFrequency);

  const uartPath = `/pl011@${hex(VIRT_MAP.uart.base)}`;
  const uart = root.child(uartPath.slice(1));
  uart.strings('compatible', ['arm,pl011', 'arm,primecell']).u32s('reg', reg2(VIRT_MAP.uart));
  uart.u32s('interrupts', [GIC_SPI, VIRT_SPI.uart, IRQ_TYPE_LEVEL_HIGH]).u32s('clocks', [clkPh, clkPh]).strings('clock-names', ['uartclk', 'apb_pclk']);

  const rtc = root.child(`pl031@${hex(VIRT_MAP.rtc.base)}`);
  rtc.strings('compatible', ['arm,pl031', 'arm,primecell']).u32s('reg', reg2(VIRT_MAP.rtc));
  rtc.u32s('interrupts', [GIC_SPI, VIRT_SPI.rtc, IRQ_TYPE_LEVEL_HIGH]).u32('clocks', clkPh).string('clock-names', 'apb_pclk');

  root.child('aliases').string('serial0', uartPath);
  const chosen = root.child('chosen');
  chosen.string('stdout-path', uartPath);
  patchChosen(fdt, { bootargs: cfg.bootargs, initrd: cfg.initrd });
  return fdt;
}

/**
 * Sets what a boot loader writes into any device tree, ours or the user's (QEMU's load_dtb does
 * the same): /chosen bootargs and linux,initrd-start/-end, and optionally /memory's reg in the
 * root's cell sizes. Values left undefined are not touched.
 */
export function patchChosen(fdt: Fdt, what: { bootargs?: string; initrd?: { start: number; end: number }; memory?: Region }): void {
  const chosen = fdt.root.child('chosen');
  if (what.bootargs !== undefined) chosen.string('bootargs', what.bootargs);
  if (what.initrd) {
    // One cell each, as QEMU writes them; Linux reads either width.
    chosen.u32('linux,initrd-start', what.initrd.start).u32('linux,initrd-end', what.initrd.end);
  }
  if (what.memory) {
    const ac = fdt.root.getU32('#address-cells') ?? 2;
    const sc = fdt.root.getU32('#size-cells') ?? 1;
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2) throw new RangeError(`the device tree's root has #address-cells ${ac} and #size-cells ${sc}; 1 or 2 expected`);
    const mem = fdt.root.children.find((c) => c.name === 'memory' || c.name.startsWith('memory@')) ?? fdt.root.child(`memory@${hex(what.memory.base)}`);
    mem.string('device_type', 'memory');
    const cells = (v: number, n: number): number[] => (n === 2 ? [Math.floor(v / 0x1_0000_0000), v >>> 0] : [v >>> 0]);
    mem.u32s('reg', [...cells(what.memory.base, ac), ...cells(what.memory.size, sc)]);
  }
}

/** The node a `stdout-path` or alias names, or undefined. */
export function resolvePath(fdt: Fdt, path: string): FdtNode | undefined {
  const p = path.split(':')[0];
  if (!p.startsWith('/')) {
    const target = fdt.root.find('aliases')?.getString(p);
    return target ? fdt.root.find(target) : undefined;
  }
  return fdt.root.find(p);
}

function hex(v: number): string {
  return v.toString(16);
}
