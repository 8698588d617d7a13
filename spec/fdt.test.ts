// Device tree blobs: our writer's output checked by Debian's dtc, dtc's blobs
// read by our parser, random trees round-tripping, and malformed blobs refused with FdtError only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { requireTool } from './helpers/kernel.js';
import { Fdt, FdtError, FdtNode, fdtTotalSize, isFdt, parseFdt, writeFdt } from '../runtime/board/fdt.js';

// scripts/setup-tools.sh installs dtc; without it the suite fails rather than skipping checks.
requireTool('dtc', 'device-tree-compiler');
const withDtc = test;

interface Plain {
  name: string;
  props: [string, string][];
  children: Plain[];
}
function plain(n: FdtNode): Plain {
  return {
    name: n.name,
    props: [...n.props].map(([k, v]) => [k, Buffer.from(v).toString('hex')]),
    children: n.children.map(plain),
  };
}

/** A tree shaped like QEMU's virt board. */
function virtTree(): Fdt {
  const fdt = new Fdt();
  fdt.reserve(0x48000000, 0x10000).reserve(0x1_0000_0000n, 0x2000);
  const r = fdt.root;
  r.u32('#address-cells', 2).u32('#size-cells', 2).string('compatible', 'linux,dummy-virt').string('model', 'armvisor virt');
  const gic = r.child('intc@8000000');
  gic.strings('compatible', ['arm,cortex-a15-gic']).u32('#interrupt-cells', 3).empty('interrupt-controller');
  gic.u32s('reg', [0, 0x08000000, 0, 0x10000, 0, 0x08010000, 0, 0x10000]);
  const ph = gic.phandle();
  r.u32('interrupt-parent', ph);
  r.child('memory@40000000').string('device_type', 'memory').u32s('reg', [0, 0x40000000, 0, 0x20000000]);
  r.child('chosen').string('bootargs', 'console=ttyAMA0 rdinit=/init').u64('linux,initrd-start', 0x48000000).u64('linux,initrd-end', 0x48100000).string('stdout-path', '/pl011@9000000');
  r.child('pl011@9000000').strings('compatible', ['arm,pl011', 'arm,primecell']).u32s('interrupts', [0, 1, 4]).bytes('raw', new Uint8Array([1, 2, 3]));
  r.child('psci').strings('compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']).string('method', 'hvc');
  return fdt;
}

describe('writer and parser', () => {
  test('header: version 17, last compatible 16, blocks in order, reservations', () => {
    const blob = writeFdt(virtTree());
    const dv = new DataView(blob.buffer);
    expect(dv.getUint32(0)).toBe(0xd00dfeed);
    expect(dv.getUint32(4)).toBe(blob.length);
    expect(dv.getUint32(20)).toBe(17);
    expect(dv.getUint32(24)).toBe(16);
    const rsv = dv.getUint32(16);
    expect(rsv % 8).toBe(0);
    expect(dv.getBigUint64(rsv)).toBe(0x48000000n);
    expect(dv.getBigUint64(rsv + 16)).toBe(0x1_0000_0000n);
    expect(dv.getBigUint64(rsv + 32)).toBe(0n);
    expect(dv.getUint32(8)).toBe(rsv + 48); // structure block after the reservations
    expect(dv.getUint32(12)).toBe(dv.getUint32(8) + dv.getUint32(36));
    expect(isFdt(blob)).toBe(true);
    expect(fdtTotalSize(blob)).toBe(blob.length);
  });

  test('round trip keeps every node, property, reservation and the boot CPU', () => {
    const t = virtTree();
    t.bootCpuidPhys = 3;
    const back = parseFdt(writeFdt(t));
    expect(plain(back.root)).toEqual(plain(t.root));
    expect(back.reservations).toEqual(t.reservations);
    expect(back.bootCpuidPhys).toBe(3);
    const chosen = back.root.find('/chosen')!;
    expect(chosen.getString('bootargs')).toBe('console=ttyAMA0 rdinit=/init');
    expect(chosen.getU64('linux,initrd-end')).toBe(0x48100000n);
    expect(back.root.find('/memory')!.getU32s('reg')).toEqual([0, 0x40000000, 0, 0x20000000]);
    expect(back.root.find('/pl011@9000000')!.getStrings('compatible')).toEqual(['arm,pl011', 'arm,primecell']);
    expect(back.root.find('/intc')!.getU32('phandle')).toBe(1);
    expect(back.root.find('/intc')!.path()).toBe('/intc@8000000');
    // Trailing bytes (an appended DTB followed by anything) are ignored.
    const padded = new Uint8Array(writeFdt(t).length + 100);
    padded.set(writeFdt(t));
    expect(plain(parseFdt(padded).root)).toEqual(plain(t.root));
  });

  test('phandles are unique', () => {
    const t = virtTree();
    const a = t.root.child('a').phandle();
    const b = t.root.child('b').phandle();
    expect(new Set([a, b, t.root.find('/intc')!.phandle()]).size).toBe(3);
    expect(t.root.child('a').phandle()).toBe(a);
  });

  withDtc('dtc decompiles our blob to the source we meant', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdt-'));
    try {
      writeFileSync(join(dir, 'a.dtb'), writeFdt(virtTree()));
      const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', '-q', join(dir, 'a.dtb')], { encoding: 'utf8' });
      expect(dts).toContain('/memreserve/\t0x0000000048000000 0x0000000000010000;');
      expect(dts).toContain('/memreserve/\t0x0000000100000000 0x0000000000002000;');
      expect(dts).toContain('compatible = "linux,dummy-virt";');
      expect(dts).toContain('compatible = "arm,psci-1.0\\0arm,psci-0.2\\0arm,psci";');
      expect(dts).toContain('reg = <0x00 0x40000000 0x00 0x20000000>;');
      expect(dts).toContain('linux,initrd-start = <0x00 0x48000000>;');
      expect(dts).toContain('interrupt-controller;');
      expect(dts).toContain('raw = [01 02 03];');
      expect(dts).toContain('phandle = <0x01>;');
      expect(dts).toMatch(/intc@8000000 \{/);
      // dtc's own blob of the same tree parses to the same tree.
      execFileSync('dtc', ['-I', 'dtb', '-O', 'dtb', '-q', '-o', join(dir, 'b.dtb'), join(dir, 'a.dtb')]);
      const theirs = parseFdt(new Uint8Array(readFileSync(join(dir, 'b.dtb'))));
      expect(plain(theirs.root)).toEqual(plain(virtTree().root));
      expect(theirs.reservations).toEqual(virtTree().reservations);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  withDtc('a blob dtc compiles from source parses as written (including NOP-free v17 and v16 output)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdt-'));
    try {
      writeFileSync(
        join(dir, 'x.dts'),
        '/dts-v1/;\n/memreserve/ 0x1000 0x2000;\n/ {\n #address-cells = <1>;\n a: node@10 { reg = <0x10 0x20>; s = "x", "yz"; b = [de ad]; };\n other { ref = <&a>; e; };\n};\n',
      );
      for (const v of ['17', '16']) {
        execFileSync('dtc', ['-I', 'dts', '-O', 'dtb', '-V', v, '-q', '-o', join(dir, `x${v}.dtb`), join(dir, 'x.dts')]);
        const t = parseFdt(new Uint8Array(readFileSync(join(dir, `x${v}.dtb`))));
        const node = t.root.find('/node@10')!;
        expect(node.getU32s('reg')).toEqual([0x10, 0x20]);
        expect(node.getStrings('s')).toEqual(['x', 'yz']);
        expect(Array.from(node.get('b')!)).toEqual([0xde, 0xad]);
        expect(t.root.find('/other')!.getU32('ref')).toBe(node.getU32('phandle'));
        expect(t.root.find('/other')!.get('e')!.length).toBe(0);
        expect(t.reservations).toEqual([{ address: 0x1000n, size: 0x2000n }]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('malformed blobs', () => {
  const good = () => writeFdt(virtTree());
  const set32 = (b: Uint8Array, off: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(off, v);
  const get32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off);
  const err = (b: Uint8Array): string => {
    try {
      parseFdt(b);
    } catch (e) {
      expect(e).toBeInstanceOf(FdtError);
      const msg = (e as Error).message;
      expect(msg).not.toContain('\n');
      return msg;
    }
    throw new Error('parsed a malformed blob');
  };

  test('each defect has its own one-line error', () => {
    let b = good();
    b[0] = 0;
    expect(err(b)).toMatch(/bad magic/);
    expect(err(good().subarray(0, 100))).toMatch(/truncated/);
    expect(err(new Uint8Array([0xd0, 0x0d, 0xfe, 0xed]))).toMatch(/truncated|header/);
    b = good();
    set32(b, 20, 2);
    set32(b, 24, 2);
    expect(err(b)).toMatch(/version/);
    b = good();
    set32(b, 8, b.length + 8);
    expect(err(b)).toMatch(/structure block/);
    b = good();
    set32(b, 32, 0x10000);
    expect(err(b)).toMatch(/strings block/);
    b = good();
    set32(b, 8, get32(b, 8) + 2);
    expect(err(b)).toMatch(/aligned|outside|token/);
    // An unterminated property name: the strings block shrunk to cut the last name.
    b = good();
    set32(b, 32, get32(b, 32) - 1);
    expect(err(b)).toMatch(/NUL-terminated/);
    // An empty property name (the writer refuses one): the root's first property pointed at a NUL.
    b = good();
    const st = get32(b, 8);
    expect([get32(b, st), get32(b, st + 8)]).toEqual([1, 3]); // BEGIN_NODE "", PROP
    set32(b, st + 16, b.indexOf(0, get32(b, 12)) - get32(b, 12));
    expect(err(b)).toMatch(/is empty/);
    // The FDT_END token replaced by END_NODE: nesting error.
    b = good();
    const end = get32(b, 8) + get32(b, 36) - 4;
    set32(b, end, 2);
    expect(err(b)).toMatch(/closes no node|ends inside/);
    // The last END_NODE replaced by NOP: a node left open at FDT_END.
    b = good();
    set32(b, end - 4, 4);
    expect(err(b)).toMatch(/still open/);
    // An unknown token.
    b = good();
    set32(b, get32(b, 8), 7);
    expect(err(b)).toMatch(/unknown token 0x7/);
    // A root with a name.
    b = good();
    b[get32(b, 8) + 4] = 0x61;
    expect(err(b)).toMatch(/root node/);
    // A root named by a control character: still one line (the name is quoted with escapes).
    b = good();
    b[get32(b, 8) + 4] = 0x0a;
    expect(err(b)).toMatch(/root node has the name "\\n"/);
    // A reservation block without its terminator.
    b = good();
    set32(b, 16, (b.length - 8) & ~7);
    for (let i = (b.length - 8) & ~7; i < b.length; i++) b[i] = 0xff;
    expect(err(b)).toMatch(/terminating/);
  });

  test('random corruption and truncation only ever raise FdtError', () => {
    const base = good();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(base.length), (edits, cut) => {
        const b = base.slice(0, Math.max(cut, 4));
        for (const [at, v] of edits) if (at < b.length) b[at] = v;
        b.set([0xd0, 0x0d, 0xfe, 0xed]);
        try {
          parseFdt(b);
        } catch (e) {
          if (!(e instanceof FdtError)) throw e;
          expect((e as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        const b = new Uint8Array(bytes.length + 8);
        b.set([0xd0, 0x0d, 0xfe, 0xed]);
        b.set(bytes, 8);
        new DataView(b.buffer).setUint32(4, Math.min(b.length, bytes[0] ?? 0));
        try {
          parseFdt(b);
        } catch (e) {
          if (!(e instanceof FdtError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('properties', () => {
  const nodeName = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9,._+-]{0,12}$/), fc.option(fc.integer({ min: 0, max: 0xffffffff }))).map(([n, a]) => (a === null ? n : `${n}@${a.toString(16)}`));
  const propName = fc.stringMatching(/^[a-z#][a-z0-9,._+?#-]{0,15}$/);
  interface Spec {
    name: string;
    props: [string, Uint8Array][];
    children: Spec[];
  }
  const node: fc.Memo<Spec> = fc.memo((depth) =>
    fc.record({
      name: nodeName,
      props: fc.array(fc.tuple(propName, fc.uint8Array({ maxLength: 40 })), { maxLength: 6 }),
      children: depth > 1 ? fc.array(node(depth - 1), { maxLength: 3 }) : fc.constant([]),
    }),
  );
  const tree = node(4);

  function build(into: FdtNode, s: Spec): void {
    for (const [k, v] of s.props) into.bytes(k, v);
    for (const c of s.children) if (!into.children.some((x) => x.name === c.name)) build(into.child(c.name), c);
  }

  test('random trees round-trip exactly', () => {
    fc.assert(
      fc.property(tree, fc.array(fc.tuple(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })).filter(([a, s]) => a !== 0n || s !== 0n), { maxLength: 4 }), (spec, rsv) => {
        const t = new Fdt();
        build(t.root, spec);
        for (const [a, s] of rsv) t.reserve(a, s);
        const blob = writeFdt(t);
        const back = parseFdt(blob);
        expect(plain(back.root)).toEqual(plain(t.root));
        expect(back.reservations).toEqual(t.reservations);
        expect(writeFdt(back)).toEqual(blob);
      }),
      { numRuns: 500 },
    );
  });

  withDtc('random trees survive a dtc dtb-to-dtb pass unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdt-'));
    try {
      fc.assert(
        fc.property(tree, (spec) => {
          const t = new Fdt();
          build(t.root, spec);
          writeFileSync(join(dir, 'r.dtb'), writeFdt(t));
          execFileSync('dtc', ['-I', 'dtb', '-O', 'dtb', '-q', '-o', join(dir, 'o.dtb'), join(dir, 'r.dtb')]);
          expect(plain(parseFdt(new Uint8Array(readFileSync(join(dir, 'o.dtb')))).root)).toEqual(plain(t.root));
        }),
        { numRuns: 40 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
