// The ELF files whose code a guest process runs, and where, for the profiler's function names:
// the program and its interpreter as the loader placed them (process.ts), and every file the
// guest maps executable (syscalls/memory.ts mmap), which is how the dynamic loader brings in
// shared libraries.

import { elfSymbolEntries, Symbols, type SymbolEntry } from '../symbols.js';
import { parseElf, PT_LOAD } from './elf.js';

/** An image placed by the loader `bias` from its link addresses, or mapped by the guest from `fileOffset` to `addr`. */
export type CodeImage = { path: string; bias: number } | { path: string; fileOffset: number; addr: number };

/** The load bias of a mapping of ELF file `data` from `fileOffset` at `addr` (its PT_LOAD's), or null. */
function mappingBias(data: Uint8Array, fileOffset: number, addr: number): number | null {
  let img;
  try {
    img = parseElf(data);
  } catch {
    return null;
  }
  for (const ph of img.phdrs) {
    if (ph.type !== PT_LOAD) continue;
    // The dynamic loader maps a segment from its page: file offset and address rounded down alike.
    const pageOff = ph.offset & ~0xfff;
    if (fileOffset >= pageOff && fileOffset < ph.offset + Math.max(ph.filesz, 1)) return (addr - ((ph.vaddr & ~0xfff) + (fileOffset - pageOff))) | 0;
  }
  return null;
}

/**
 * Function names for a process's code: each image's symbols (.symtab or .dynsym) where it
 * runs. `read` gives a file's bytes, or null when it cannot be read; each file is read once, and
 * one that is not an ARM ELF file, or has no symbols, adds nothing.
 */
export function imageSymbols(images: readonly CodeImage[], read: (path: string) => Uint8Array | null): Symbols {
  const files = new Map<string, Uint8Array | null>();
  const placed = new Set<string>();
  const entries: SymbolEntry[] = [];
  for (const img of images) {
    if (!files.has(img.path)) files.set(img.path, read(img.path));
    const data = files.get(img.path);
    if (!data) continue;
    const bias = 'bias' in img ? img.bias : mappingBias(data, img.fileOffset, img.addr);
    if (bias === null || placed.has(`${img.path}@${bias}`)) continue;
    placed.add(`${img.path}@${bias}`);
    entries.push(...elfSymbolEntries(data, bias));
  }
  return new Symbols(entries);
}
