// ELF images for tests: the loaders' own inputs built byte by byte (ELF32, little-endian, ARM),
// so a test can state exactly what a header says.
import { ET_EXEC, PT_INTERP, PT_LOAD } from '../../runtime/linux/elf.js';

export interface Seg {
  vaddr: number;
  data: Uint8Array;
  memsz: number;
  flags: number;
}

/**
 * A minimal ELF32 LE ARM image: header, program headers (PT_INTERP first when `interp` is
 * given), then each segment at a file offset congruent to its address modulo 4 KiB, from
 * 0x1000; `cls` other than 1 makes it claim another ELF class.
 */
export function buildElf(opts: { type?: number; entry?: number; segs: Seg[]; interp?: string; machine?: number; eflags?: number; cls?: number }): Uint8Array {
  const phnum = opts.segs.length + (opts.interp ? 1 : 0);
  const phoff = 52;
  let off = 0x1000;
  const layout = opts.segs.map((s) => {
    const o = off + (s.vaddr & 0xfff);
    off = Math.ceil((o + s.data.length) / 0x1000) * 0x1000 + 0x1000;
    return o;
  });
  const interpOff = off;
  const interpBytes = opts.interp ? Buffer.from(opts.interp + '\0') : Buffer.alloc(0);
  const dataEnd = Math.max(0, ...opts.segs.map((s, k) => layout[k] + s.data.length));
  const total = opts.interp ? interpOff + interpBytes.length : dataEnd;
  const buf = new Uint8Array(total);
  const dv = new DataView(buf.buffer);
  buf.set([0x7f, 0x45, 0x4c, 0x46, opts.cls ?? 1, 1, 1, 0]);
  dv.setUint16(16, opts.type ?? ET_EXEC, true);
  dv.setUint16(18, opts.machine ?? 40, true);
  dv.setUint32(20, 1, true);
  dv.setUint32(24, opts.entry ?? opts.segs[0]?.vaddr ?? 0, true);
  dv.setUint32(28, phoff, true);
  dv.setUint32(36, opts.eflags ?? 0x05000400, true);
  dv.setUint16(40, 52, true);
  dv.setUint16(42, 32, true);
  dv.setUint16(44, phnum, true);
  let i = 0;
  const ph = (type: number, offset: number, vaddr: number, filesz: number, memsz: number, flags: number) => {
    const o = phoff + 32 * i++;
    dv.setUint32(o, type, true);
    dv.setUint32(o + 4, offset, true);
    dv.setUint32(o + 8, vaddr, true);
    dv.setUint32(o + 12, vaddr, true);
    dv.setUint32(o + 16, filesz, true);
    dv.setUint32(o + 20, memsz, true);
    dv.setUint32(o + 24, flags, true);
    dv.setUint32(o + 28, 0x1000, true);
  };
  if (opts.interp) ph(PT_INTERP, interpOff, 0, interpBytes.length, interpBytes.length, 4);
  opts.segs.forEach((s, k) => {
    ph(PT_LOAD, layout[k], s.vaddr, s.data.length, s.memsz, s.flags);
    buf.set(s.data, layout[k]);
  });
  if (opts.interp) buf.set(interpBytes, interpOff);
  return buf;
}

/** The bytes of 32-bit instruction words, little-endian. */
export function words(code: number[]): Uint8Array {
  const out = new Uint8Array(code.length * 4);
  const dv = new DataView(out.buffer);
  code.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return out;
}
