// The ELF loader: valid images load where their headers say; random, truncated and corrupted
// files are refused with the loader's own one-line ElfError and nothing else.
import fc from 'fast-check';
import { FlatMemory, Perm } from '../runtime/memory/flat.js';
import { AddressSpace } from '../runtime/linux/mm.js';
import { ElfError, ET_DYN, ET_EXEC, imageSpan, loadImage, parseElf, PT_LOAD } from '../runtime/linux/elf.js';
import { buildElf } from './helpers/elf-image.js';

const CODE = Uint8Array.from([0x01, 0x00, 0xa0, 0xe3, 0x01, 0x70, 0xa0, 0xe3, 0x00, 0x00, 0x00, 0xef]); // mov r0,#1; mov r7,#1; svc 0
const sample = (): Uint8Array =>
  buildElf({
    segs: [
      { vaddr: 0x10000, data: CODE, memsz: CODE.length, flags: 5 },
      { vaddr: 0x21000, data: Uint8Array.from([1, 2, 3, 4]), memsz: 0x2000, flags: 6 },
    ],
  });

/** Runs f; passes when it returns or throws an ElfError with a one-line message. */
function onlyElfErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ElfError)) throw new Error(`threw ${String(e)} instead of an ElfError`);
    expect(e.message).not.toMatch(/\n/);
    expect(e.message.length).toBeGreaterThan(0);
  }
}

let mem: FlatMemory;
beforeAll(() => {
  mem = new FlatMemory();
});
const freshSpace = (): AddressSpace => {
  mem.perm.fill(0);
  return new AddressSpace(mem);
};

describe('parseElf', () => {
  test('a valid static executable', () => {
    const img = parseElf(sample());
    expect(img.type).toBe(ET_EXEC);
    expect(img.entry).toBe(0x10000);
    expect(img.interp).toBeNull();
    expect(img.phdrs.filter((p) => p.type === PT_LOAD)).toHaveLength(2);
    expect(imageSpan(img)).toEqual({ low: 0x10000, high: 0x23000 });
  });

  test('PT_INTERP names the interpreter', () => {
    const img = parseElf(buildElf({ type: ET_DYN, segs: [{ vaddr: 0, data: CODE, memsz: 12, flags: 5 }], interp: '/lib/ld-linux-armhf.so.3' }));
    expect(img.interp).toBe('/lib/ld-linux-armhf.so.3');
  });

  test.each([
    ['empty', new Uint8Array(0), /not an ELF/],
    ['text', Buffer.from('#!/bin/sh\necho hi\n'), /not an ELF/],
    ['64-bit', Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, ...new Array(57).fill(0)]), /32-bit/],
    ['big-endian', Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 1, 2, 1, ...new Array(45).fill(0)]), /little-endian/],
    ['truncated header', sample().subarray(0, 30), /truncated/],
    ['truncated segment', sample().subarray(0, 0x1004), /truncated/],
  ])('refuses %s', (_name, data, msg) => {
    expect(() => parseElf(data)).toThrow(ElfError);
    expect(() => parseElf(data)).toThrow(msg);
  });

  test('refuses x86 and other machines by e_machine', () => {
    const x86 = buildElf({ machine: 3, segs: [{ vaddr: 0x10000, data: CODE, memsz: 12, flags: 5 }] });
    expect(() => parseElf(x86)).toThrow(/not an ARM executable \(e_machine 3\)/);
  });

  test('random bytes never throw anything but ElfError (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => onlyElfErrors(() => parseElf(b))));
  });

  test('random bytes behind a valid magic never throw anything but ElfError (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.boolean(), (b, arm) => {
        const d = new Uint8Array(b.length + 20);
        d.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
        d.set(b, 7);
        if (arm && d.length > 20) d[18] = 40;
        onlyElfErrors(() => parseElf(d));
      }),
    );
  });

  test('every truncation of a valid file is refused cleanly (property)', () => {
    const full = sample();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: full.length - 1 }), (n) => {
        expect(() => parseElf(full.subarray(0, n))).toThrow(ElfError);
      }),
    );
  });

  test('corrupting header and program header bytes gives a loadable image or ElfError (property)', () => {
    const full = sample();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 52 + 64 - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const d = Uint8Array.from(full);
        for (const [i, v] of edits) d[i] = v;
        onlyElfErrors(() => {
          const img = parseElf(d);
          const as = freshSpace();
          const span = imageSpan(img);
          loadImage(as, img, img.type === ET_DYN ? 0x400000 - span.low : 0);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('loadImage', () => {
  test('segments land at their addresses with their permissions, bss zeroed', () => {
    const as = freshSpace();
    // Stale bytes of an earlier mapping must not show through the bss.
    as.map(0x21000, 0x2000, 3);
    mem.u8.fill(0xaa, 0x21000, 0x23000);
    as.unmap(0x21000, 0x2000);
    const li = loadImage(as, parseElf(sample()), 0);
    expect(li.entry).toBe(0x10000);
    expect(mem.dv.getUint32(0x10000, true)).toBe(0xe3a00001);
    expect(mem.perm[0x10] & 7).toBe(Perm.R | Perm.X);
    expect(mem.perm[0x21] & 7).toBe(Perm.R | Perm.W);
    expect(mem.perm[0x22] & 7).toBe(Perm.R | Perm.W);
    expect(mem.perm[0x23] & 7).toBe(0);
    expect([...mem.u8.subarray(0x21000, 0x21006)]).toEqual([1, 2, 3, 4, 0, 0]);
    expect(mem.u8[0x22fff]).toBe(0);
    expect(li.phdr).toBe(0); // program headers are not inside a segment here
  });

  test('ET_DYN loads at a bias; entry and span move with it', () => {
    const as = freshSpace();
    const img = parseElf(buildElf({ type: ET_DYN, entry: 0x8, segs: [{ vaddr: 0, data: CODE, memsz: 12, flags: 5 }] }));
    const li = loadImage(as, img, 0x400000);
    expect(li.entry).toBe(0x400008);
    expect(li.low).toBe(0x400000);
    expect(mem.dv.getUint32(0x400008, true)).toBe(0xef000000);
  });

  test('random segment layouts load or fail with ElfError only (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ vaddr: fc.integer({ min: 0, max: 0xffffffff }), len: fc.integer({ min: 0, max: 64 }), extra: fc.integer({ min: 0, max: 0x3000 }), flags: fc.integer({ min: 0, max: 7 }) }), { minLength: 1, maxLength: 3 }),
        (segs) => {
          const d = buildElf({ segs: segs.map((s) => ({ vaddr: s.vaddr, data: new Uint8Array(s.len).fill(7), memsz: s.len + s.extra, flags: s.flags })) });
          onlyElfErrors(() => loadImage(freshSpace(), parseElf(d), 0));
        },
      ),
      { numRuns: 200 },
    );
  });
});
