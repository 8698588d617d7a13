// Real guest code for the translation benchmark: the A32 and Thumb stretches of a static
// executable, found from its ARM mapping symbols ($a, $t and $d mark where A32 code, Thumb code
// and data begin; ELF for the ARM Architecture, "Mapping symbols"), loaded into guest memory.

import { FlatMemory, Perm, PAGE_SIZE } from '../runtime/memory/flat.js';

export interface CodeRange {
  start: number;
  end: number;
  thumb: boolean;
}

const SHT_SYMTAB = 2;
const PT_LOAD = 1;

/** The A32 ($a) and Thumb ($t) ranges of an ARM ELF file, in address order. */
export function codeRanges(file: Uint8Array): CodeRange[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shoff = dv.getUint32(32, true);
  const shentsize = dv.getUint16(46, true);
  const shnum = dv.getUint16(48, true);
  const marks: { addr: number; kind: string }[] = [];
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (dv.getUint32(sh + 4, true) !== SHT_SYMTAB) continue;
    const symoff = dv.getUint32(sh + 16, true);
    const symsize = dv.getUint32(sh + 20, true);
    const strsh = shoff + dv.getUint32(sh + 24, true) * shentsize;
    const stroff = dv.getUint32(strsh + 16, true);
    for (let s = symoff; s + 16 <= symoff + symsize; s += 16) {
      const name = stroff + dv.getUint32(s, true);
      if (file[name] !== 0x24 /* $ */ || file[name + 2] !== 0 && file[name + 2] !== 0x2e /* . */) continue;
      const kind = String.fromCharCode(file[name + 1]!);
      if (kind === 'a' || kind === 't' || kind === 'd') marks.push({ addr: dv.getUint32(s + 4, true) & ~1, kind });
    }
  }
  marks.sort((x, y) => x.addr - y.addr);
  const ranges: CodeRange[] = [];
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    const end = i + 1 < marks.length ? marks[i + 1]!.addr : m.addr;
    if (m.kind !== 'd' && end > m.addr) ranges.push({ start: m.addr, end, thumb: m.kind === 't' });
  }
  return ranges;
}

export interface FunctionSymbol {
  name: string;
  /** Start address (the Thumb bit cleared). */
  addr: number;
  size: number;
  /** Thumb code (the symbol's value has bit 0 set). */
  thumb: boolean;
}

const STT_FUNC = 2;

/** The function symbols (STT_FUNC) of an ARM ELF file's symbol table. */
export function functionSymbols(file: Uint8Array): FunctionSymbol[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shoff = dv.getUint32(32, true);
  const shentsize = dv.getUint16(46, true);
  const shnum = dv.getUint16(48, true);
  const out: FunctionSymbol[] = [];
  const dec = new TextDecoder();
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (dv.getUint32(sh + 4, true) !== SHT_SYMTAB) continue;
    const symoff = dv.getUint32(sh + 16, true);
    const symsize = dv.getUint32(sh + 20, true);
    const stroff = dv.getUint32(shoff + dv.getUint32(sh + 24, true) * shentsize + 16, true);
    for (let s = symoff; s + 16 <= symoff + symsize; s += 16) {
      if ((file[s + 12]! & 0xf) !== STT_FUNC) continue;
      const at = stroff + dv.getUint32(s, true);
      let end = at;
      while (file[end] !== 0) end++;
      const value = dv.getUint32(s + 4, true);
      out.push({ name: dec.decode(file.subarray(at, end)), addr: value & ~1, size: dv.getUint32(s + 8, true), thumb: (value & 1) === 1 });
    }
  }
  return out;
}

/** Guest memory holding the file's PT_LOAD segments (read/execute), as a CodeSource for the lifter. */
export function loadSegments(file: Uint8Array, mem = new FlatMemory()): FlatMemory {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const phoff = dv.getUint32(28, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (dv.getUint32(ph, true) !== PT_LOAD) continue;
    const offset = dv.getUint32(ph + 4, true);
    const vaddr = dv.getUint32(ph + 8, true);
    const filesz = dv.getUint32(ph + 16, true);
    const memsz = dv.getUint32(ph + 20, true);
    const lo = vaddr & ~(PAGE_SIZE - 1);
    const hi = (vaddr + memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    mem.protect(lo, hi - lo, Perm.R | Perm.X);
    mem.u8.set(file.subarray(offset, offset + filesz), vaddr);
  }
  return mem;
}
