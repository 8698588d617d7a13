// Guest symbols for the profiler: function names from an ELF symbol table (.symtab/.dynsym),
// or from a kernel's System.map. Lookups are by binary search over sorted start addresses.

export class Symbols {
  private readonly addrs: number[] = [];
  private readonly names: string[] = [];
  private readonly sizes: number[] = [];

  /** `entries` with an empty name are end markers: addresses from there to the next symbol name nothing. */
  constructor(entries: { addr: number; size: number; name: string }[]) {
    // An end marker sorts before a symbol at its address, which the lookup then finds.
    entries.sort((a, b) => a.addr - b.addr || (a.name === '' ? 0 : 1) - (b.name === '' ? 0 : 1));
    for (const e of entries) {
      this.addrs.push(e.addr);
      this.names.push(e.name);
      this.sizes.push(e.size);
    }
  }

  /** The number of symbols (end markers included). */
  get size(): number {
    return this.addrs.length;
  }

  /** The function containing `pc` ("name+0x1c"), or null. */
  lookup(pc: number): { name: string; offset: number } | null {
    const a = this.addrs;
    let lo = 0;
    let hi = a.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] <= pc) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0 || this.names[best] === '') return null; // before the first symbol, or past an end marker
    const off = pc - a[best];
    // A sized symbol covers only its size; an unsized one (System.map) up to the next.
    if (this.sizes[best] > 0 && off >= this.sizes[best]) return null;
    return { name: this.names[best], offset: off };
  }

  /** The address of the function `name` (its first definition), or null. */
  addressOf(name: string): number | null {
    const i = this.names.indexOf(name);
    return i < 0 ? null : this.addrs[i];
  }

  /** "name+0x10" or the bare hex address. */
  format(pc: number): string {
    const s = this.lookup(pc);
    if (!s) return `0x${(pc >>> 0).toString(16).padStart(8, '0')}`;
    return s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name;
  }
}

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;

const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;

/** A symbol (or, with an empty name, the end of the code before it). */
export type SymbolEntry = { addr: number; size: number; name: string };

/** Function symbols of a 32-bit little-endian ELF file (empty when stripped or malformed). */
export function elfSymbols(data: Uint8Array, bias = 0): Symbols {
  return new Symbols(elfSymbolEntries(data, bias));
}

/**
 * elfSymbols' entries, with an end marker at the end of each code section: a function symbol
 * without a size (crt's `_init` and `_fini`) reaches to the next symbol, and without the
 * marker every address past the file's last function (a shared library's) was `_fini`'s.
 */
export function elfSymbolEntries(data: Uint8Array, bias: number): SymbolEntry[] {
  const out: SymbolEntry[] = [];
  try {
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const shoff = dv.getUint32(32, true);
    const shentsize = dv.getUint16(46, true);
    const shnum = dv.getUint16(48, true);
    if (!shoff || shentsize < 40) return out;
    const sh = (i: number) => {
      const o = shoff + i * shentsize;
      return {
        type: dv.getUint32(o + 4, true),
        flags: dv.getUint32(o + 8, true),
        addr: dv.getUint32(o + 12, true),
        offset: dv.getUint32(o + 16, true),
        size: dv.getUint32(o + 20, true),
        link: dv.getUint32(o + 24, true),
        entsize: dv.getUint32(o + 36, true),
      };
    };
    const dec = new TextDecoder();
    for (let i = 0; i < shnum; i++) {
      const s = sh(i);
      if ((s.flags & (SHF_ALLOC | SHF_EXECINSTR)) === (SHF_ALLOC | SHF_EXECINSTR)) out.push({ addr: (s.addr + s.size + bias) >>> 0, size: 0, name: '' });
      if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
      const str = sh(s.link);
      const n = Math.floor(s.size / (s.entsize || 16));
      for (let k = 1; k < n; k++) {
        const o = s.offset + k * 16;
        const info = data[o + 12];
        if ((info & 15) !== STT_FUNC) continue;
        const value = dv.getUint32(o + 4, true);
        const nameOff = str.offset + dv.getUint32(o, true);
        let end = nameOff;
        while (end < data.length && data[end] !== 0) end++;
        // Thumb functions have bit 0 set in st_value (ARM ELF ABI).
        out.push({ addr: ((value & ~1) + bias) >>> 0, size: dv.getUint32(o + 8, true), name: dec.decode(data.subarray(nameOff, end)) });
      }
    }
  } catch {
    // A malformed section table just means no symbols.
  }
  return out;
}

/** Symbols marking the end of a text section in a kernel's System.map. */
const TEXT_ENDS = new Set(['_etext', '_einittext', '__init_end', '_end']);

/**
 * Symbols from a System.map ("c0008000 T stext" per line). Text symbols (t, T, w, W) are
 * functions, unsized, each reaching to the next; any other symbol and the section ends
 * (`_etext`, `_einittext`) end the function before them, so an address past the kernel's text
 * (the vector page, a module) names no function.
 */
export function systemMapSymbols(text: string): Symbols {
  const out: { addr: number; size: number; name: string }[] = [];
  const ends: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]{8})\s+([a-zA-Z])\s+(\S+)/.exec(line);
    if (!m) continue;
    const addr = parseInt(m[1], 16);
    if ('tTwW'.includes(m[2]) && !TEXT_ENDS.has(m[3])) out.push({ addr, size: 0, name: m[3] });
    else ends.push(addr);
  }
  const starts = new Set(out.map((e) => e.addr));
  for (const a of ends) if (!starts.has(a)) out.push({ addr: a, size: 0, name: '' });
  return new Symbols(out);
}
