// The boot plan: where a boot loader puts the kernel, the initrd and the device tree in physical
// memory, and the CPU state it hands over, computed without touching any memory. The rules are
// the Linux ARM boot protocol (Documentation/arch/arm/booting.rst: MMU off, caches off, SVC mode
// with IRQ and FIQ masked, r0 = 0, r1 = machine type (~0: "use the device tree"), r2 = the DTB's
// physical address) with QEMU's placement (hw/arm/boot.c), so that a kernel sees the same
// addresses under both: a zImage at RAM + 0x10000, the initrd at RAM + min(RAM/2, 128 MiB) or
// after the kernel, the DTB after the initrd on a 4 KiB boundary. An ELF image is treated as
// QEMU does: a bare-metal program loaded by physical address, entered at e_entry (bit 0 selects
// Thumb) with r0-r2 zero, the DTB at the base of RAM when that is free.

import { Fdt, FdtError, parseFdt, writeFdt } from './fdt.js';
import { BootError, KernelImage } from './kernel.js';
import { patchChosen, Region } from './virt.js';

/** Where QEMU loads a 32-bit kernel above the start of RAM (KERNEL_LOAD_ADDR). */
export const ZIMAGE_LOAD_OFFSET = 0x1_0000;
/** The initrd goes at least this far into RAM (or half of RAM when smaller). */
export const INITRD_MIN_OFFSET = 128 * 0x10_0000;
/** The DTB's alignment after the initrd (some 32-bit kernels clobber the initrd's last page). */
export const DTB_ALIGN = 0x1000;
const PAGE = 0x1000;

/** CPSR at the hand-over: SVC mode (0x13), A, I and F masked, ARM state, little-endian (the reset value). */
export const BOOT_CPSR = 0x1d3;
const CPSR_T = 1 << 5;
/** r1 for a device-tree boot: no machine type. */
export const MACH_TYPE_DT = 0xffff_ffff;

export interface BootInput {
  kernel: KernelImage;
  /** File names, for error messages. */
  kernelName: string;
  initrd?: Uint8Array;
  initrdName?: string;
  /** The tree to pass: the board's generated one or the user's parsed --dtb. It is patched (/chosen, /memory). */
  fdt: Fdt;
  /** The kernel command line (/chosen bootargs); undefined keeps what the tree has. */
  bootargs?: string;
  ram: Region;
  /** Other regions an ELF image may load into (the board's flash). */
  rom?: readonly Region[];
}

/** One piece of memory to fill: `bytes` at `addr`, then `zero` zero bytes (an ELF segment's bss). */
export interface BootBlob {
  what: 'kernel' | 'initrd' | 'dtb';
  addr: number;
  bytes: Uint8Array;
  zero: number;
}

/** The CPU state at the first kernel instruction (other registers: their reset values). */
export interface BootRegs {
  r0: number;
  r1: number;
  r2: number;
  pc: number;
  cpsr: number;
}

export interface BootPlan {
  /** In placement order: kernel (one blob, or one per ELF segment), initrd, dtb. */
  blobs: BootBlob[];
  regs: BootRegs;
  /** The DTB as placed (null when an ELF image leaves no room at the base of RAM, as in QEMU). */
  dtb: { addr: number; size: number } | null;
  initrd: { start: number; end: number } | null;
  /** Things the user should know (e.g. an appended DTB overriding ours), one line each. */
  notes: string[];
}

/**
 * Parses a user's --dtb; a malformed blob, or one whose root cell sizes leave no way to write
 * /memory (#address-cells and #size-cells must be 1 or 2), is a one-line BootError naming the file.
 */
export function parseUserDtb(bytes: Uint8Array, name: string): Fdt {
  let fdt: Fdt;
  try {
    fdt = parseFdt(bytes);
  } catch (e) {
    if (e instanceof FdtError) throw new BootError(`${name}: not a valid device tree blob: ${e.message}`);
    throw e;
  }
  for (const [prop, dflt] of [['#address-cells', 2], ['#size-cells', 1]] as const) {
    const raw = fdt.root.props.get(prop);
    const v = fdt.root.getU32(prop) ?? (raw === undefined ? dflt : -1);
    if (v < 1 || v > 2) throw new BootError(`${name}: the root node's ${prop} must be one 32-bit cell of value 1 or 2`);
  }
  return fdt;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Plans a boot; every problem (something not fitting in RAM) is a BootError. */
export function planBoot(input: BootInput): BootPlan {
  const { kernel, ram } = input;
  const ramEnd = ram.base + ram.size;
  const inRam = (addr: number, size: number): boolean => addr >= ram.base && addr + size <= ramEnd;
  const notes: string[] = [];

  if (kernel.kind === 'elf') return planElf(input, ramEnd);

  // A Linux kernel: zImage (position-independent, or at its link address) or Image at TEXT_OFFSET
  // (a zImage finds its own TEXT_OFFSET when it decompresses).
  let kaddr: number;
  if (kernel.kind === 'zimage') {
    kaddr = kernel.start !== 0 ? kernel.start : ram.base + ZIMAGE_LOAD_OFFSET;
    if (kernel.appendedDtb) notes.push(`${input.kernelName} has a device tree appended: the kernel's decompressor uses it instead of the board's (CONFIG_ARM_APPENDED_DTB)`);
  } else {
    kaddr = ram.base + kernel.textOffset;
  }
  const kbytes = kernel.image;
  if (!inRam(kaddr, kbytes.length)) throw new BootError(`${input.kernelName}: the kernel (${kbytes.length} bytes at ${hex(kaddr)}) does not fit in RAM (${hex(ram.base)}-${hex(ramEnd - 1)})`);
  const blobs: BootBlob[] = [{ what: 'kernel', addr: kaddr, bytes: kbytes, zero: 0 }];

  let initrdStart = Math.max(ram.base + Math.min(ram.size / 2, INITRD_MIN_OFFSET), kaddr + kbytes.length);
  initrdStart = alignUp(initrdStart, PAGE);
  let initrd: BootPlan['initrd'] = null;
  let afterInitrd = initrdStart;
  if (input.initrd) {
    const size = input.initrd.length;
    const name = input.initrdName ?? 'initrd';
    if (initrdStart + size > ramEnd) {
      const free = Math.max(0, ramEnd - initrdStart);
      throw new BootError(`${name}: the initrd (${size} bytes) does not fit in RAM: ${free} bytes free at ${hex(initrdStart)} (give more memory)`);
    }
    initrd = { start: initrdStart, end: initrdStart + size };
    blobs.push({ what: 'initrd', addr: initrdStart, bytes: input.initrd, zero: 0 });
    afterInitrd = initrd.end;
  }

  patchChosen(input.fdt, { bootargs: input.bootargs, initrd: initrd ?? undefined, memory: ram });
  if (!initrd) dropInitrd(input.fdt);
  const dtbBytes = writeFdt(input.fdt);
  const dtbAddr = alignUp(afterInitrd, DTB_ALIGN);
  if (dtbAddr + dtbBytes.length > ramEnd) throw new BootError(`no room for the device tree (${dtbBytes.length} bytes) after the kernel and initrd: RAM ends at ${hex(ramEnd)} (give more memory)`);
  blobs.push({ what: 'dtb', addr: dtbAddr, bytes: dtbBytes, zero: 0 });
  return {
    blobs,
    regs: { r0: 0, r1: MACH_TYPE_DT, r2: dtbAddr, pc: kaddr, cpsr: BOOT_CPSR },
    dtb: { addr: dtbAddr, size: dtbBytes.length },
    initrd,
    notes,
  };
}

/** A tree handed in with a stale initrd from elsewhere loses it when we load none. */
function dropInitrd(fdt: Fdt): void {
  const chosen = fdt.root.find('chosen');
  chosen?.props.delete('linux,initrd-start');
  chosen?.props.delete('linux,initrd-end');
}

function planElf(input: BootInput, ramEnd: number): BootPlan {
  const { ram } = input;
  const kernel = input.kernel as Extract<KernelImage, { kind: 'elf' }>;
  if (input.initrd) throw new BootError(`${input.initrdName ?? 'initrd'}: an initrd needs a Linux kernel (zImage or Image); ${input.kernelName} is an ELF program`);
  const regions = [ram, ...(input.rom ?? [])];
  const blobs: BootBlob[] = [];
  let low = Infinity;
  let high = 0;
  kernel.segments.forEach((s, i) => {
    if (!regions.some((r) => s.paddr >= r.base && s.paddr + s.memsz <= r.base + r.size)) {
      throw new BootError(`${input.kernelName}: ELF segment ${i} (${hex(s.paddr)}-${hex(s.paddr + s.memsz - 1)}) lies outside the board's RAM and flash`);
    }
    blobs.push({ what: 'kernel', addr: s.paddr, bytes: s.data, zero: s.memsz - s.data.length });
    low = Math.min(low, s.paddr);
    high = Math.max(high, s.paddr + s.memsz);
  });
  const overlap = blobs.find((a, i) => blobs.some((b, j) => j > i && a.addr < b.addr + b.bytes.length + b.zero && b.addr < a.addr + a.bytes.length + a.zero));
  if (overlap) throw new BootError(`${input.kernelName}: ELF segments overlap at ${hex(overlap.addr)}`);

  // The DTB goes at the base of RAM if the program leaves it free, and must end below the
  // program when the program sits above it in RAM; otherwise there is none (QEMU's rule).
  patchChosen(input.fdt, { bootargs: input.bootargs, memory: ram });
  dropInitrd(input.fdt);
  let dtb: BootPlan['dtb'] = null;
  if (low > ram.base || high <= ram.base) {
    const bytes = writeFdt(input.fdt);
    const limit = low > ram.base && low < ramEnd ? low : ramEnd;
    if (ram.base + bytes.length <= limit) {
      blobs.push({ what: 'dtb', addr: ram.base, bytes, zero: 0 });
      dtb = { addr: ram.base, size: bytes.length };
    }
  }
  return {
    blobs,
    regs: { r0: 0, r1: 0, r2: 0, pc: (kernel.entry & ~1) >>> 0, cpsr: BOOT_CPSR | (kernel.entry & 1 ? CPSR_T : 0) },
    dtb,
    initrd: null,
    notes: dtb ? [] : [`${input.kernelName} occupies the base of RAM: no device tree is passed`],
  };
}
