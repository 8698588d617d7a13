// The virt board's device tree: it parses back, has what Linux needs, its references resolve,
// and the devices armvisor models are described as QEMU's own `virt` describes them (QEMU's
// dumpdtb compared node by node). patchChosen on a user's tree.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Fdt, FdtNode, parseFdt, writeFdt } from '../runtime/board/fdt.js';
import { patchChosen, resolvePath, TIMER_PPI, VIRT_MAP, VIRT_SPI, virtDeviceTree } from '../runtime/board/virt.js';
import { tempDir } from './helpers/differential.js';
import { requireTool } from './helpers/kernel.js';

const MiB = 0x10_0000;

function byPhandle(fdt: Fdt, ph: number): FdtNode | undefined {
  const walk = (n: FdtNode): FdtNode | undefined => (n.getU32('phandle') === ph ? n : n.children.map(walk).find((x) => x));
  return walk(fdt.root);
}

describe('generated tree', () => {
  const fdt = parseFdt(writeFdt(virtDeviceTree({ ramSize: 512 * MiB, bootargs: 'console=ttyAMA0', initrd: { start: 0x48000000, end: 0x48100000 } })));
  const r = fdt.root;

  test('has the nodes Linux needs', () => {
    expect(r.getString('compatible')).toBe('linux,dummy-virt');
    expect([r.getU32('#address-cells'), r.getU32('#size-cells')]).toEqual([2, 2]);
    expect(r.find('memory@40000000')?.getU32s('reg')).toEqual([0, 0x40000000, 0, 512 * MiB]);
    expect(r.find('memory')?.getString('device_type')).toBe('memory');
    expect(r.find('cpus/cpu@0')?.getString('compatible')).toBe('arm,cortex-a15');
    expect(r.find('cpus/cpu@0')?.getString('enable-method')).toBeUndefined();
    expect(r.find('psci')?.getString('method')).toBe('hvc');
    expect(r.find('timer')?.getStrings('compatible')).toEqual(['arm,armv7-timer']);
    expect(r.find('timer')?.get('clock-frequency')).toBeUndefined();
    const chosen = r.find('chosen')!;
    expect(chosen.getString('bootargs')).toBe('console=ttyAMA0');
    expect([chosen.getU32('linux,initrd-start'), chosen.getU32('linux,initrd-end')]).toEqual([0x48000000, 0x48100000]);
  });

  test('references resolve: interrupt-parent, clocks, stdout-path, aliases', () => {
    const gic = byPhandle(fdt, r.getU32('interrupt-parent')!);
    expect(gic?.name).toBe('intc@8000000');
    expect(gic?.get('interrupt-controller')).toEqual(new Uint8Array(0));
    for (const dev of ['pl011@9000000', 'pl031@9010000']) {
      for (const ph of r.find(dev)!.getU32s('clocks')!) expect(byPhandle(fdt, ph)?.name).toBe('apb-pclk');
    }
    expect(resolvePath(fdt, r.find('chosen')!.getString('stdout-path')!)?.name).toBe('pl011@9000000');
    expect(resolvePath(fdt, 'serial0')?.name).toBe('pl011@9000000');
  });

  test('interrupts: PL011 on SPI 1, PL031 on SPI 2, the timer on PPIs 13, 14, 11, 10 (GIC IDs 29, 30, 27, 26)', () => {
    expect(r.find('pl011')!.getU32s('interrupts')).toEqual([0, VIRT_SPI.uart, 4]);
    expect(r.find('pl031')!.getU32s('interrupts')).toEqual([0, VIRT_SPI.rtc, 4]);
    const t = r.find('timer')!.getU32s('interrupts')!;
    expect([t[1], t[4], t[7], t[10]].map((p) => p + 16)).toEqual([29, 30, 27, 26]);
    expect([t[1], t[4], t[7], t[10]]).toEqual([TIMER_PPI.secPhys, TIMER_PPI.nsPhys, TIMER_PPI.virt, TIMER_PPI.hyp]);
  });

  test('options: several CPUs, SMC conduit, timer clock-frequency; bad sizes refused', () => {
    const t = virtDeviceTree({ ramSize: 256 * MiB, cpus: 2, psciMethod: 'smc', timerFrequency: 62_500_000 }).root;
    expect(t.find('cpus/cpu@1')?.getString('enable-method')).toBe('psci');
    expect(t.find('psci')?.getString('method')).toBe('smc');
    expect(t.find('timer')?.getU32('clock-frequency')).toBe(62_500_000);
    expect(t.find('timer')?.getU32s('interrupts')?.[2]).toBe(0x304);
    expect(t.find('chosen')?.get('linux,initrd-start')).toBeUndefined();
    expect(() => virtDeviceTree({ ramSize: 3 })).toThrow(RangeError);
    expect(() => virtDeviceTree({ ramSize: 4096 * MiB })).toThrow(/more than/);
    expect(() => virtDeviceTree({ ramSize: 64 * MiB, cpus: 9 })).toThrow(RangeError);
  });

  test('any RAM size and command line round-trips through the blob', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3072 }), fc.string({ unit: 'grapheme-ascii' }).filter((s) => !s.includes('\0')), (mib, args) => {
        const t = parseFdt(writeFdt(virtDeviceTree({ ramSize: mib * MiB, bootargs: args })));
        expect(t.root.find('memory')?.getU32s('reg')).toEqual([0, VIRT_MAP.ramBase, 0, mib * MiB]);
        expect(t.root.find('chosen')?.getString('bootargs')).toBe(args);
      }),
    );
  });
});

describe('patchChosen on a user tree', () => {
  test('one-cell addresses, no /chosen or /memory yet', () => {
    const fdt = new Fdt();
    fdt.root.u32('#address-cells', 1).u32('#size-cells', 1);
    patchChosen(fdt, { bootargs: 'quiet', initrd: { start: 0x48000000, end: 0x48000400 }, memory: { base: 0x40000000, size: 128 * MiB } });
    const t = parseFdt(writeFdt(fdt)).root;
    expect(t.find('chosen')?.getString('bootargs')).toBe('quiet');
    expect(t.find('chosen')?.getU32('linux,initrd-end')).toBe(0x48000400);
    expect(t.find('memory@40000000')?.getU32s('reg')).toEqual([0x40000000, 128 * MiB]);
  });
  test('an existing memory node is rewritten, other properties kept', () => {
    const fdt = virtDeviceTree({ ramSize: 64 * MiB, bootargs: 'a' });
    patchChosen(fdt, { memory: { base: 0x40000000, size: 128 * MiB } });
    expect(fdt.root.children.filter((c) => c.name.startsWith('memory'))).toHaveLength(1);
    expect(fdt.root.find('memory')?.getU32s('reg')).toEqual([0, 0x40000000, 0, 128 * MiB]);
    expect(fdt.root.find('chosen')?.getString('bootargs')).toBe('a');
    expect(fdt.root.find('chosen')?.getString('stdout-path')).toBe('/pl011@9000000');
  });
  test('odd cell sizes are refused', () => {
    const fdt = new Fdt();
    fdt.root.u32('#address-cells', 3).u32('#size-cells', 2);
    expect(() => patchChosen(fdt, { memory: { base: 0x40000000, size: MiB } })).toThrow(/#address-cells 3/);
  });
});

describe("against QEMU's virt (qemu-system-arm -M virt,dumpdtb)", () => {
  const tmp = tempDir('virt');
  afterAll(() => tmp.remove());

  function qemuTree(mib: number, smp: number): Fdt {
    requireTool('qemu-system-arm', 'qemu-system-arm');
    const file = join(tmp.dir, `virt-${mib}-${smp}.dtb`);
    execFileSync('qemu-system-arm', ['-M', `virt,dumpdtb=${file}`, '-cpu', 'cortex-a15', '-m', String(mib), '-smp', String(smp), '-nic', 'none', '-nographic'], { stdio: 'pipe' });
    return parseFdt(readFileSync(file));
  }

  /** A node's properties with phandle references replaced by the referenced node's name. */
  function describe_(fdt: Fdt, path: string): Record<string, unknown> {
    const n = fdt.root.find(path);
    if (!n) return { missing: path };
    const out: Record<string, unknown> = { name: n.name };
    for (const [k, v] of n.props) {
      if (k === 'phandle') continue;
      if (k === 'clocks' || k === 'interrupt-parent') out[k] = n.getU32s(k)!.map((p) => byPhandle(fdt, p)?.name);
      else out[k] = Buffer.from(v).toString('hex');
    }
    return out;
  }

  for (const [mib, smp] of [
    [512, 1],
    [256, 2],
  ]) {
    test(`${mib} MiB, ${smp} CPU(s): the modelled devices match node for node`, () => {
      const q = qemuTree(mib, smp);
      const ours = virtDeviceTree({ ramSize: mib * MiB, cpus: smp });
      for (const path of ['/', 'memory@40000000', 'psci', 'timer', 'apb-pclk', 'pl011@9000000', 'pl031@9010000', 'cpus', 'cpus/cpu@0', ...(smp > 1 ? ['cpus/cpu@1'] : [])]) {
        const want = describe_(q, path);
        const got = describe_(ours, path);
        // QEMU's root also names its PCIe/fw_cfg world; compare what a root must say.
        if (path === '/') for (const k of Object.keys(want)) if (!['name', 'compatible', '#address-cells', '#size-cells', 'interrupt-parent', 'model'].includes(k)) delete want[k];
        expect({ path, ...got }).toEqual({ path, ...want });
      }
      // The GIC: QEMU adds a GICv2m MSI frame child; the node itself is the same.
      expect(describe_(ours, 'intc@8000000')).toEqual(describe_(q, 'intc@8000000'));
      expect(ours.root.find('chosen')?.getString('stdout-path')).toBe(q.root.find('chosen')?.getString('stdout-path'));
    });
  }
});
