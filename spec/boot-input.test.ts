// Property tests of what `armvisor boot` reads from the user's files: kernel recognition
// (identifyKernel on mutated ELF, zImage and Image files and on random bytes), --dtb parsing
// (parseUserDtb on mutated and random blobs) and the boot plan built from what they accept.
// Every input either yields a result whose parts lie within the input (and within RAM) or is
// refused with the one-line BootError naming the file; nothing else may escape, and no input
// may take long (each call is timed).
import fc from 'fast-check';
import { parseUserDtb, planBoot } from '../runtime/board/bootplan.js';
import { writeFdt } from '../runtime/board/fdt.js';
import { BootError, identifyKernel, imageTextOffset, zimagePayload, type KernelImage } from '../runtime/board/kernel.js';
import { VIRT_MAP, virtDeviceTree } from '../runtime/board/virt.js';
import { elfImage, linuxImage, zImage } from './helpers/boot-images.js';

const MiB = 0x10_0000;
/**
 * A call slower than this means a loop that barely advances (inputs are a few KiB, initrds up to
 * 40 MiB; generous, as the suite shares a busy machine; a loop that never ends hits jest's timeout).
 */
const SLOW_MS = 5000;

/** Runs `f`; returns its value or undefined for a BootError (one line, naming a file of `names`); anything else fails. */
function valueOrBootError<T>(names: string | string[], f: () => T): T | undefined {
  const t0 = performance.now();
  try {
    return f();
  } catch (e) {
    if (!(e instanceof BootError)) throw e;
    expect(e.message).not.toContain('\n');
    const named = [names].flat().some((n) => e.message.startsWith(`${n}: `));
    expect(named || e.message.startsWith('no room for the device tree')).toBe(true);
    return undefined;
  } finally {
    expect(performance.now() - t0).toBeLessThan(SLOW_MS);
  }
}

/** Byte edits: (offset, value) pairs applied to a copy, then a cut to `keep` bytes. */
const mutation = (len: number) =>
  fc.record({
    edits: fc.array(fc.tuple(fc.nat(len - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
    keep: fc.oneof(fc.constant(len), fc.nat(len)),
  });
function mutate(base: Uint8Array, m: { edits: [number, number][]; keep: number }): Uint8Array {
  const b = base.slice(0, m.keep);
  for (const [at, v] of m.edits) if (at < b.length) b[at] = v;
  return b;
}
/** Edits that mostly hit the headers (the first 0x80 bytes), where the parsers branch. */
const headerMutation = (len: number) =>
  fc.record({
    edits: fc.array(fc.tuple(fc.oneof(fc.nat(Math.min(len, 0x80) - 1), fc.nat(len - 1)), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
    keep: fc.oneof({ weight: 3, arbitrary: fc.constant(len) }, { weight: 1, arbitrary: fc.nat(len) }),
  });

/** The parts of a recognised kernel lie within the file. */
function checkKernel(k: KernelImage, file: Uint8Array): void {
  const within = (part: Uint8Array) => {
    expect(part.buffer).toBe(file.buffer);
    expect(part.byteOffset - file.byteOffset + part.length).toBeLessThanOrEqual(file.length);
  };
  if (k.kind === 'elf') {
    expect(k.segments.length).toBeGreaterThan(0);
    for (const s of k.segments) {
      within(s.data);
      expect(s.memsz).toBeGreaterThanOrEqual(s.data.length);
      expect(s.paddr + s.memsz).toBeLessThanOrEqual(2 ** 32);
    }
  } else if (k.kind === 'zimage') {
    within(k.image);
    expect(k.image.length).toBeGreaterThanOrEqual(0x30);
    if (k.appendedDtb) {
      within(k.appendedDtb);
      valueOrBootError('appended', () => parseUserDtb(k.appendedDtb!, 'appended'));
    }
  } else {
    expect(k.textOffset % 0x1000).toBe(0);
    expect(k.textOffset).toBeLessThan(16 * MiB);
  }
}

const ram = { base: VIRT_MAP.ramBase, size: 64 * MiB };
const boardFdt = writeFdt(virtDeviceTree({ ramSize: ram.size }));
const tinyZImage = identifyKernel(zImage(0x100), 'z');

describe('identifyKernel on mutated and random files: a kernel whose parts lie within the file, or a BootError', () => {
  test('mutated ELF executables (headers, program headers, truncation)', () => {
    const base = elfImage(0x40010000, [
      { paddr: 0x40010000, data: new Uint8Array(200).fill(1), memsz: 400 },
      { paddr: 0x40020000, data: new Uint8Array(64).fill(2) },
    ]);
    fc.assert(
      fc.property(headerMutation(base.length), (m) => {
        const b = mutate(base, m);
        const k = valueOrBootError('e.elf', () => identifyKernel(b, 'e.elf'));
        if (k) checkKernel(k, b);
      }),
      { numRuns: 3000 },
    );
  });

  test('mutated zImages with an appended device tree (header words, the tree, truncation)', () => {
    const dtb = writeFdt(virtDeviceTree({ ramSize: ram.size }));
    const base = zImage(0x200, { appended: dtb });
    fc.assert(
      fc.property(mutation(base.length), fc.boolean(), (m, headerOnly) => {
        const b = mutate(base, headerOnly ? { ...m, edits: m.edits.map(([at, v]) => [0x24 + (at % 16), v] as [number, number]) } : m);
        const k = valueOrBootError('z', () => identifyKernel(b, 'z'));
        if (k) checkKernel(k, b);
        zimagePayload(b); // a search: never throws
      }),
      { numRuns: 2000 },
    );
  });

  test('mutated uncompressed Images and their TEXT_OFFSET', () => {
    const base = linuxImage(0x1000, 0xe2488902); // sub r8, r8, #0x8000
    fc.assert(
      fc.property(mutation(base.length), fc.integer({ min: 0, max: 0xffffffff }), (m, insn) => {
        const b = mutate(base, m);
        if (b.length >= 12) new DataView(b.buffer, b.byteOffset).setUint32(8, insn, true);
        const k = valueOrBootError('Image', () => identifyKernel(b, 'Image'));
        if (k) checkKernel(k, b);
        const off = imageTextOffset(b);
        expect(off % 0x1000).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  test('random bytes behind each format magic', () => {
    const magics = [[], [0x7f, 0x45, 0x4c, 0x46], [0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(magics.length), (bytes, which) => {
        const b = new Uint8Array(Math.max(bytes.length, 0x34));
        b.set(bytes);
        if (which < magics.length) b.set(magics[which]);
        else new DataView(b.buffer).setUint32(0x24, 0x016f2818, true);
        const k = valueOrBootError('f', () => identifyKernel(b, 'f'));
        if (k) checkKernel(k, b);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseUserDtb: a tree or a BootError naming the file', () => {
  test('mutated copies of the board tree', () => {
    fc.assert(
      fc.property(headerMutation(boardFdt.length), (m) => {
        const b = mutate(boardFdt, m);
        const fdt = valueOrBootError('my.dtb', () => parseUserDtb(b, 'my.dtb'));
        // what parses goes through the boot path: patched (/chosen, /memory) and written again
        if (fdt) valueOrBootError('z', () => planBoot({ kernel: tinyZImage, kernelName: 'z', fdt, bootargs: 'console=ttyAMA0', ram }));
      }),
      { numRuns: 3000 },
    );
  });

  test('random bytes, with and without the magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (bytes, magic) => {
        const b = bytes.slice();
        if (magic && b.length >= 4) b.set([0xd0, 0x0d, 0xfe, 0xed]);
        valueOrBootError('r.dtb', () => parseUserDtb(b, 'r.dtb'));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('planBoot from what identifyKernel accepts', () => {
  test('random kernel kinds, sizes, RAM sizes and initrds: blobs inside RAM (or flash), or a BootError', () => {
    const kernelArb = fc.oneof(
      fc.record({ size: fc.integer({ min: 0x40, max: 0x4000 }), start: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff_f000 })) }).map(({ size, start }) => zImage(size, { start })),
      fc.integer({ min: 0, max: 0x3000 }).map((n) => linuxImage(0x1000 + n)),
      fc
        .array(fc.record({ paddr: fc.integer({ min: 0, max: 0xffff_ff00 }), len: fc.integer({ min: 1, max: 64 }), bss: fc.integer({ min: 0, max: 0x1000 }) }), { minLength: 1, maxLength: 3 })
        .map((segs) => elfImage(0x40010000, segs.map((s) => ({ paddr: s.paddr, data: new Uint8Array(s.len), memsz: s.len + s.bss })))),
    );
    fc.assert(
      fc.property(kernelArb, fc.integer({ min: 1, max: 64 }), fc.option(fc.integer({ min: 0, max: 40 * MiB })), (file, ramMiB, initrdSize) => {
        const region = { base: VIRT_MAP.ramBase, size: ramMiB * MiB };
        const k = valueOrBootError('k', () => identifyKernel(file, 'k'));
        if (!k) return;
        const initrd = initrdSize === null ? undefined : new Uint8Array(initrdSize);
        const plan = valueOrBootError(['k', 'rd'], () =>
          planBoot({ kernel: k, kernelName: 'k', initrd, initrdName: 'rd', fdt: virtDeviceTree({ ramSize: region.size }), ram: region, rom: [VIRT_MAP.flash] }),
        );
        if (!plan) return;
        const flash = VIRT_MAP.flash;
        for (const b of plan.blobs) {
          const end = b.addr + b.bytes.length + b.zero;
          const inRam = b.addr >= region.base && end <= region.base + region.size;
          const inFlash = b.what === 'kernel' && k.kind === 'elf' && b.addr >= flash.base && end <= flash.base + flash.size;
          expect(inRam || inFlash).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});
