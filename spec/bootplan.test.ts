// Kernel image recognition and the boot plan: synthetic images of each kind and every refusal as
// a one-line BootError naming the file; placement rules as property tests; and against QEMU:
// the CPU state QEMU's own loader hands Debian's zImage equals our plan's, the kernel reaches
// the System.map's start_kernel, and our plan for the uncompressed Image, placed into QEMU's
// memory blob by blob, boots to the initramfs marker.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { BOOT_CPSR, MACH_TYPE_DT, parseUserDtb, planBoot, type BootInput } from '../runtime/board/bootplan.js';
import { Fdt, parseFdt, writeFdt } from '../runtime/board/fdt.js';
import { INIT_MARKER } from '../runtime/board/initramfs.js';
import { BootError, identifyKernel, zimagePayload, ZIMAGE_MAGIC } from '../runtime/board/kernel.js';
import { VIRT_MAP, virtDeviceTree } from '../runtime/board/virt.js';
import { elfImage as elf, zImage } from './helpers/boot-images.js';
import { tempDir } from './helpers/differential.js';
import { freePort, kernelFile, QEMU_VIRT, requireTool, runQemu } from './helpers/kernel.js';

const MiB = 0x10_0000;
const RAM = { base: VIRT_MAP.ramBase, size: 512 * MiB };

function input(kernel: Uint8Array, extra: Partial<BootInput> = {}): BootInput {
  return { kernel: identifyKernel(kernel, 'k.img'), kernelName: 'k.img', fdt: virtDeviceTree({ ramSize: RAM.size }), ram: RAM, ...extra };
}

describe('identifyKernel', () => {
  test('a zImage: its extent from the header, an appended device tree found', () => {
    const dtb = writeFdt(virtDeviceTree({ ramSize: 64 * MiB }));
    const k = identifyKernel(zImage(0x1000, { appended: dtb }), 'z');
    expect(k.kind).toBe('zimage');
    if (k.kind !== 'zimage') return;
    expect(k.image.length).toBe(0x1000);
    expect(k.appendedDtb).toEqual(dtb);
    const plain = identifyKernel(zImage(0x1000), 'z');
    expect(plain.kind === 'zimage' && plain.appendedDtb).toBeUndefined();
  });
  test("Debian's zImage: an xz payload that is an xz stream header", () => {
    const k = identifyKernel(readFileSync(kernelFile('vmlinuz')), 'vmlinuz');
    expect(k.kind).toBe('zimage');
    if (k.kind !== 'zimage') return;
    const p = zimagePayload(k.image)!;
    expect(p.format).toBe('xz');
    expect(Buffer.from(k.image.subarray(p.offset, p.offset + 6)).toString('latin1')).toBe('\xfd7zXZ\0');
    // the decompressor's own strings hold the bare magic earlier: the header CRC told them apart
    expect(Buffer.from(k.image).indexOf(Buffer.from('\xfd7zXZ\0', 'latin1'))).toBeLessThan(p.offset);
  });
  test("Debian's Image: TEXT_OFFSET 0x208000 read from head.S", () => {
    const k = identifyKernel(readFileSync(kernelFile('Image')), 'Image');
    expect(k).toMatchObject({ kind: 'image', textOffset: 0x208000 });
  });
  test('an ELF: its loadable segments by physical address', () => {
    const k = identifyKernel(elf(0x40000001, [{ paddr: 0x40000000, data: new Uint8Array(8), memsz: 64 }]), 'e');
    expect(k).toMatchObject({ kind: 'elf', entry: 0x40000001, segments: [{ paddr: 0x40000000, memsz: 64 }] });
  });
  test.each([
    ['empty', new Uint8Array(0), /k\.img: not a kernel image/],
    ['text', new TextEncoder().encode('hello world, this is not a kernel\n'.repeat(200)), /not a kernel image/],
    ['truncated zImage', zImage(0x1000).subarray(0, 0x800), /truncated zImage/],
    ['bad end', (() => { const z = zImage(0x1000); new DataView(z.buffer).setUint32(0x2c, 4, true); return z; })(), /bad start\/end/],
    ['big-endian zImage', zImage(0x1000, { bigEndian: true }), /big-endian/],
    ['bad appended DTB', zImage(0x1000, { appended: writeFdt(new Fdt()).subarray(0, 30) }), /appended.*malformed/],
    ['ELF64', (() => { const e = elf(0, [{ paddr: 0, data: new Uint8Array(4) }]); e[4] = 2; return e; })(), /not a 32-bit ELF/],
    ['ELF for x86', (() => { const e = elf(0, [{ paddr: 0, data: new Uint8Array(4) }]); e[18] = 3; return e; })(), /not an ARM ELF/],
    ['ELF without segments', elf(0, []), /no usable program headers/],
    ['ELF cut short', elf(0, [{ paddr: 0, data: new Uint8Array(64) }]).subarray(0, 100), /past the end/],
  ])('%s is refused with one line naming the file', (_what, bytes, msg) => {
    let err: unknown;
    try {
      identifyKernel(bytes, 'k.img');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BootError);
    expect((err as Error).message).toMatch(msg);
    expect((err as Error).message).toMatch(/^k\.img: /);
    expect((err as Error).message).not.toContain('\n');
  });
  test('arbitrary bytes: a kernel or a BootError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, magic) => {
        const b = new Uint8Array(Math.max(bytes.length, magic ? 0x34 : 0));
        b.set(bytes);
        if (magic) new DataView(b.buffer).setUint32(0x24, ZIMAGE_MAGIC, true);
        try {
          identifyKernel(b, 'f');
        } catch (e) {
          expect(e).toBeInstanceOf(BootError);
        }
      }),
    );
  });
});

describe('planBoot', () => {
  test("a zImage as QEMU places it: kernel at RAM + 64 KiB, initrd at RAM + 128 MiB, DTB after it; r0 = 0, r1 = ~0, r2 = DTB, SVC with A/I/F masked", () => {
    const initrd = new Uint8Array(0x12345).fill(7);
    const fdt = virtDeviceTree({ ramSize: RAM.size });
    const plan = planBoot({ ...input(zImage(0x4000)), initrd, initrdName: 'rd', fdt, bootargs: 'console=ttyAMA0' });
    expect(plan.blobs.map((b) => [b.what, b.addr])).toEqual([
      ['kernel', 0x40010000],
      ['initrd', 0x48000000],
      ['dtb', 0x48013000],
    ]);
    expect(plan.regs).toEqual({ r0: 0, r1: MACH_TYPE_DT, r2: 0x48013000, pc: 0x40010000, cpsr: BOOT_CPSR });
    expect(BOOT_CPSR & 0x1f).toBe(0x13);
    expect(BOOT_CPSR & 0x1c0).toBe(0x1c0);
    expect(plan.initrd).toEqual({ start: 0x48000000, end: 0x48012345 });
    const tree = parseFdt(plan.blobs[2].bytes);
    expect(tree.root.find('chosen')?.getU32('linux,initrd-start')).toBe(0x48000000);
    expect(tree.root.find('chosen')?.getU32('linux,initrd-end')).toBe(0x48012345);
    expect(tree.root.find('chosen')?.getString('bootargs')).toBe('console=ttyAMA0');
    expect(plan.dtb).toEqual({ addr: 0x48013000, size: plan.blobs[2].bytes.length });
  });

  test('small RAM: the initrd at half of RAM, or after a kernel that reaches past it', () => {
    const small = { base: VIRT_MAP.ramBase, size: 64 * MiB };
    const p = planBoot({ ...input(zImage(0x4000)), ram: small, initrd: new Uint8Array(10) });
    expect(p.initrd?.start).toBe(0x42000000);
    const big = planBoot({ ...input(zImage(40 * MiB)), ram: small, initrd: new Uint8Array(10) });
    expect(big.initrd?.start).toBe(0x40010000 + 40 * MiB);
  });

  test('an Image at RAM + TEXT_OFFSET; a zImage linked at a fixed address goes there', () => {
    const img = new Uint8Array(0x2000);
    new DataView(img.buffer).setUint32(0, 0xea000000, true);
    new DataView(img.buffer).setUint32(0x60, 0xe2488982, true); // sub r8, r8, #0x208000
    img.set(new TextEncoder().encode('Linux version 6.1'), 0x1000);
    expect(planBoot(input(img)).regs.pc).toBe(0x40208000);
    expect(planBoot(input(zImage(0x1000, { start: 0x40800000 }))).regs.pc).toBe(0x40800000);
  });

  test('no initrd: none in /chosen (even one the user tree had), DTB where the initrd would be', () => {
    const fdt = virtDeviceTree({ ramSize: RAM.size, initrd: { start: 1, end: 2 } });
    const p = planBoot({ ...input(zImage(0x1000)), fdt });
    expect(p.initrd).toBeNull();
    expect(p.dtb?.addr).toBe(0x48000000);
    expect(parseFdt(p.blobs[1].bytes).root.find('chosen')?.get('linux,initrd-start')).toBeUndefined();
  });

  test('an appended DTB is reported', () => {
    const p = planBoot(input(zImage(0x1000, { appended: writeFdt(virtDeviceTree({ ramSize: MiB })) })));
    expect(p.notes.join()).toMatch(/appended/);
  });

  test('too big: the initrd, the DTB, the kernel; one line each', () => {
    const small = { base: VIRT_MAP.ramBase, size: 16 * MiB };
    expect(() => planBoot({ ...input(zImage(0x1000)), ram: small, initrd: new Uint8Array(9 * MiB), initrdName: 'big.cpio' })).toThrow(/^big\.cpio: the initrd \(9437184 bytes\) does not fit in RAM: 8388608 bytes free at 0x40800000/);
    expect(() => planBoot({ ...input(zImage(0x1000)), ram: small, initrd: new Uint8Array(8 * MiB - 100) })).toThrow(/no room for the device tree/);
    expect(() => planBoot({ ...input(zImage(17 * MiB)), ram: small })).toThrow(/^k\.img: the kernel .* does not fit in RAM/);
  });

  test('property: blobs lie in RAM, do not overlap, the DTB is 4 KiB aligned and names the initrd', () => {
    // One buffer serves every case (a header rewritten per case), so no case allocates megabytes.
    const kbuf = zImage(24 * MiB);
    const rdbuf = new Uint8Array(64 * MiB);
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 1024 }), fc.integer({ min: 0x100, max: 24 * MiB }), fc.option(fc.integer({ min: 1, max: 64 * MiB })), (mib, ksize, rdsize) => {
        const ram = { base: VIRT_MAP.ramBase, size: mib * MiB };
        new DataView(kbuf.buffer).setUint32(0x2c, ksize, true);
        let plan;
        try {
          plan = planBoot({ ...input(kbuf.subarray(0, ksize)), ram, fdt: virtDeviceTree({ ramSize: ram.size }), initrd: rdsize === null ? undefined : rdbuf.subarray(0, rdsize) });
        } catch (e) {
          expect(e).toBeInstanceOf(BootError);
          return;
        }
        const spans = plan.blobs.map((b) => [b.addr, b.addr + b.bytes.length] as const);
        for (const [a, e] of spans) expect(a >= ram.base && e <= ram.base + ram.size).toBe(true);
        for (let i = 0; i < spans.length; i++) for (let j = i + 1; j < spans.length; j++) expect(spans[i][1] <= spans[j][0] || spans[j][1] <= spans[i][0]).toBe(true);
        expect(plan.regs.r2 % 0x1000).toBe(0);
        const chosen = parseFdt(plan.blobs[plan.blobs.length - 1].bytes).root.find('chosen')!;
        expect(chosen.getU32('linux,initrd-start')).toBe(plan.initrd?.start);
      }),
    );
  });

  test('an ELF: segments by paddr (bss zeroed), r0-r2 zero, Thumb entry, DTB at the base of RAM when free', () => {
    const k = elf(0x40100001, [{ paddr: 0x40100000, data: new Uint8Array(100), memsz: 4096 }]);
    const p = planBoot(input(k, { bootargs: 'x' }));
    expect(p.blobs[0]).toMatchObject({ what: 'kernel', addr: 0x40100000, zero: 3996 });
    expect(p.regs).toEqual({ r0: 0, r1: 0, r2: 0, pc: 0x40100000, cpsr: BOOT_CPSR | 0x20 });
    expect(p.dtb?.addr).toBe(0x40000000);
    expect(parseFdt(p.blobs[1].bytes).root.find('chosen')?.getString('bootargs')).toBe('x');
    // in flash, leaving RAM free
    expect(planBoot(input(elf(0x100, [{ paddr: 0, data: new Uint8Array(4) }]), { rom: [VIRT_MAP.flash] })).dtb?.addr).toBe(0x40000000);
    // at the base of RAM: no DTB, said so
    const at0 = planBoot(input(elf(0x40000000, [{ paddr: 0x40000000, data: new Uint8Array(4) }])));
    expect(at0.dtb).toBeNull();
    expect(at0.notes.join()).toMatch(/no device tree/);
    // just above the base, too close for the DTB
    expect(planBoot(input(elf(0x40000100, [{ paddr: 0x40000100, data: new Uint8Array(4) }]))).dtb).toBeNull();
  });

  test('an ELF: refusals', () => {
    expect(() => planBoot(input(elf(0, [{ paddr: 0x09000000, data: new Uint8Array(4) }])))).toThrow(/^k\.img: ELF segment 0 \(0x09000000-0x09000003\) lies outside/);
    expect(() => planBoot(input(elf(0, [{ paddr: 0, data: new Uint8Array(4) }])))).toThrow(/outside the board's RAM and flash/);
    expect(() => planBoot(input(elf(0x40000000, [{ paddr: 0x40000000, data: new Uint8Array(8) }, { paddr: 0x40000004, data: new Uint8Array(8) }])))).toThrow(/overlap/);
    expect(() => planBoot(input(elf(0x40000000, [{ paddr: 0x40000000, data: new Uint8Array(8) }]), { initrd: new Uint8Array(4), initrdName: 'rd' }))).toThrow(/^rd: an initrd needs a Linux kernel/);
  });

  test('a user DTB: parsed, or refused in one line naming the file', () => {
    const good = writeFdt(virtDeviceTree({ ramSize: MiB }));
    expect(parseUserDtb(good, 'my.dtb').root.find('pl011')).toBeDefined();
    expect(() => parseUserDtb(good.subarray(0, 50), 'my.dtb')).toThrow(/^my\.dtb: not a valid device tree blob: .*truncated/);
    expect(() => parseUserDtb(new Uint8Array(64), 'my.dtb')).toThrow(BootError);
    // Root cell sizes /memory cannot be written in: refused here rather than when the plan patches it.
    for (const [prop, v] of [['#address-cells', [3]], ['#size-cells', [0]], ['#size-cells', [1, 1]]] as const) {
      const t = virtDeviceTree({ ramSize: MiB });
      t.root.u32s(prop, [...v]);
      expect(() => parseUserDtb(writeFdt(t), 'my.dtb')).toThrow(new RegExp(`^my\\.dtb: the root node's ${prop} must be`));
    }
  });
});

describe("against QEMU, with Debian's kernel", () => {
  const tmp = tempDir('bootplan');
  afterAll(() => tmp.remove());

  test("QEMU's loader hands the zImage the CPU state our plan computes, and the kernel reaches System.map's start_kernel", async () => {
    requireTool('qemu-system-arm', 'qemu-system-arm');
    requireTool('gdb-multiarch', 'gdb-multiarch');
    const vmlinuz = kernelFile('vmlinuz');
    const cpio = kernelFile('initramfs.cpio');
    const map = readFileSync(kernelFile('System.map'), 'latin1');
    const startKernel = parseInt(/^([0-9a-f]{8}) T start_kernel$/m.exec(map)![1], 16);
    const plan = planBoot({ ...input(readFileSync(vmlinuz)), initrd: readFileSync(cpio), bootargs: 'console=ttyAMA0' });

    const port = await freePort();
    const qemu = runQemu([...QEMU_VIRT, '-kernel', vmlinuz, '-initrd', cpio, '-append', 'console=ttyAMA0 armvisor.init=poweroff', '-gdb', `tcp:127.0.0.1:${port}`, '-S'], { timeoutMs: 90_000 });
    const hex = (v: number): string => `0x${v.toString(16)}`;
    const gdb = await new Promise<string>((resolve) => {
      const args = ['-nx', '-batch', '-ex', 'set architecture arm', '-ex', `target remote 127.0.0.1:${port}`];
      for (const stop of [plan.regs.pc, startKernel]) args.push('-ex', `hbreak *${hex(stop)}`, '-ex', 'continue', '-ex', 'info registers r0 r1 r2 pc cpsr', '-ex', 'delete');
      args.push('-ex', 'kill');
      const child = spawn('gdb-multiarch', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', () => resolve(out));
    });
    await qemu;
    const regs = [...gdb.matchAll(/^(r0|r1|r2|pc|cpsr)\s+(0x[0-9a-f]+)/gm)].map((m) => [m[1], parseInt(m[2], 16)] as const);
    expect(regs.length).toBe(10);
    const atEntry = Object.fromEntries(regs.slice(0, 5));
    expect({ ...atEntry, cpsr: atEntry.cpsr & 0x1ff }).toEqual({ ...plan.regs, cpsr: plan.regs.cpsr });
    expect(regs[8]).toEqual(['pc', startKernel]);
    expect(regs[9][1] & 0x1f).toBe(0x13); // start_kernel runs in SVC mode
  });

  test('our plan for the uncompressed Image, loaded blob by blob, boots to the initramfs marker', async () => {
    requireTool('qemu-system-arm', 'qemu-system-arm');
    const plan = planBoot({ ...input(readFileSync(kernelFile('Image'))), initrd: readFileSync(kernelFile('initramfs.cpio')), bootargs: 'console=ttyAMA0 armvisor.init=poweroff' });
    expect(plan.regs.pc).toBe(0x40208000);
    const args = [...QEMU_VIRT];
    plan.blobs.forEach((b, i) => {
      const f = join(tmp.dir, `blob${i}`);
      writeFileSync(f, b.bytes);
      args.push('-device', `loader,file=${f},addr=0x${b.addr.toString(16)},force-raw=on`);
    });
    // Our registers by a 6-word stub: mov r0,#0; mvn r1,#0; ldr r2,[pc]; ldr pc,[pc]; .word r2, pc
    // (QEMU keeps its own DTB in the first MiB of RAM when no -kernel is given: the stub goes high.)
    const stubAt = RAM.base + 0xc00_0000;
    const stub = join(tmp.dir, 'stub');
    writeFileSync(stub, new Uint8Array(new Uint32Array([0xe3a00000, 0xe3e01000, 0xe59f2000, 0xe59ff000, plan.regs.r2, plan.regs.pc]).buffer));
    args.push('-device', `loader,file=${stub},addr=0x${stubAt.toString(16)},force-raw=on`, '-device', `loader,addr=0x${stubAt.toString(16)},cpu-num=0`);
    const run = await runQemu(args, { timeoutMs: 90_000 });
    expect(run.out).toContain('Machine model: linux,dummy-virt');
    expect(run.out).toContain(INIT_MARKER);
    expect(run.out).toContain('reboot: Power down');
    expect(run.status).toBe(0);
  });
});
