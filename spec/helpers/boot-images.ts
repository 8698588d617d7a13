// Synthetic kernel files for the boot tests: a zImage header (with an optional appended device
// tree), a minimal ARM ELF executable, an uncompressed Image's recognisable start.
import { ZIMAGE_MAGIC } from '../../runtime/board/kernel.js';

/** A zImage of `size` bytes: a NOP, the header magic, start/end and the endianness word. */
export function zImage(size: number, opts: { start?: number; appended?: Uint8Array; bigEndian?: boolean } = {}): Uint8Array {
  const img = new Uint8Array(size + (opts.appended?.length ?? 0));
  const dv = new DataView(img.buffer);
  dv.setUint32(0, 0xe1a00000, true);
  dv.setUint32(0x24, ZIMAGE_MAGIC, !opts.bigEndian);
  dv.setUint32(0x28, opts.start ?? 0, !opts.bigEndian);
  dv.setUint32(0x2c, (opts.start ?? 0) + size, !opts.bigEndian);
  dv.setUint32(0x30, 0x04030201, !opts.bigEndian);
  if (opts.appended) img.set(opts.appended, size);
  return img;
}

/** A minimal ARM ET_EXEC with the given PT_LOAD segments (paddr, bytes, memsz). */
export function elfImage(entry: number, segs: { paddr: number; data: Uint8Array; memsz?: number }[]): Uint8Array {
  const phoff = 52;
  let off = phoff + 32 * segs.length;
  const out = new Uint8Array(off + segs.reduce((a, s) => a + s.data.length, 0));
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true);
  dv.setUint16(18, 40, true);
  dv.setUint32(20, 1, true);
  dv.setUint32(24, entry, true);
  dv.setUint32(28, phoff, true);
  dv.setUint16(42, 32, true);
  dv.setUint16(44, segs.length, true);
  segs.forEach((s, i) => {
    const o = phoff + 32 * i;
    dv.setUint32(o, 1, true);
    dv.setUint32(o + 4, off, true);
    dv.setUint32(o + 8, s.paddr, true);
    dv.setUint32(o + 12, s.paddr, true);
    dv.setUint32(o + 16, s.data.length, true);
    dv.setUint32(o + 20, s.memsz ?? s.data.length, true);
    out.set(s.data, off);
    off += s.data.length;
  });
  return out;
}

/** An uncompressed Image of `size` bytes (at least 0x1000): an AL instruction first, the banner inside. */
export function linuxImage(size: number, textOffsetInsn?: number): Uint8Array {
  const img = new Uint8Array(Math.max(size, 0x1000));
  const dv = new DataView(img.buffer);
  dv.setUint32(0, 0xe1a00000, true);
  if (textOffsetInsn !== undefined) dv.setUint32(8, textOffsetInsn, true);
  img.set(new TextEncoder().encode('Linux version 6.1.0-armvisor-test'), 0x800);
  return img;
}
