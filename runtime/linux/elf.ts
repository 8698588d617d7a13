// ELF loader for 32-bit little-endian ARM executables (System V gABI, ARM ELF ABI):
// checks the header and program headers, then maps the PT_LOAD segments into the guest's
// address space. Everything wrong with the file is an ElfError with a one-line reason.

import { PAGE_SIZE, TASK_SIZE } from '../memory/flat.js';
import type { AddressSpace } from './mm.js';
import { pageAlignDown, pageAlignUp } from './mm.js';

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_ARM = 40;
export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PT_GNU_STACK = 0x6474e551;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;
const EHDR_SIZE = 52;
const PHDR_SIZE = 32;

/** A file the loader refuses; the message is one line meant for the user. */
export class ElfError extends Error {}

export interface Phdr {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: number;
  align: number;
}

export interface ElfImage {
  type: number;
  entry: number;
  flags: number;
  phoff: number;
  phnum: number;
  phdrs: Phdr[];
  /** PT_INTERP path, or null for a static executable. */
  interp: string | null;
  data: Uint8Array;
}

/** Parses and validates an ELF image; throws ElfError and nothing else. */
export function parseElf(data: Uint8Array): ElfImage {
  if (data.length < 4 || data[0] !== 0x7f || data[1] !== 0x45 || data[2] !== 0x4c || data[3] !== 0x46) throw new ElfError('not an ELF file');
  if (data.length < EHDR_SIZE) throw new ElfError('truncated ELF header');
  if (data[4] !== 1) throw new ElfError(data[4] === 2 ? 'not a 32-bit ELF (ELFCLASS64)' : 'bad ELF class');
  if (data[5] !== 1) throw new ElfError(data[5] === 2 ? 'not a little-endian ELF (big-endian ARM is not supported)' : 'bad ELF data encoding');
  if (data[6] !== 1) throw new ElfError('bad ELF version');
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_ARM) throw new ElfError(`not an ARM executable (e_machine ${machine})`);
  if (type !== ET_EXEC && type !== ET_DYN) throw new ElfError(type === 1 ? 'a relocatable object, not an executable' : type === 4 ? 'a core file, not an executable' : `unsupported ELF type ${type}`);
  if (dv.getUint32(20, true) !== 1) throw new ElfError('bad ELF version');
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const flags = dv.getUint32(36, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  if (flags >>> 24 === 0 && flags !== 0) throw new ElfError('an old-ABI (OABI) executable; only EABI is supported');
  if (phnum === 0) throw new ElfError('no program headers');
  if (phentsize !== PHDR_SIZE) throw new ElfError(`bad program header size ${phentsize}`);
  if (phoff + phnum * PHDR_SIZE > data.length) throw new ElfError('truncated program headers');
  const phdrs: Phdr[] = [];
  let interp: string | null = null;
  let loads = 0;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * PHDR_SIZE;
    const ph: Phdr = {
      type: dv.getUint32(o, true),
      offset: dv.getUint32(o + 4, true),
      vaddr: dv.getUint32(o + 8, true),
      filesz: dv.getUint32(o + 16, true),
      memsz: dv.getUint32(o + 20, true),
      flags: dv.getUint32(o + 24, true),
      align: dv.getUint32(o + 28, true),
    };
    phdrs.push(ph);
    if (ph.type === PT_LOAD) {
      loads++;
      if (ph.offset + ph.filesz > data.length) throw new ElfError(`truncated: segment ${i} extends past the end of the file`);
      if (ph.filesz > ph.memsz) throw new ElfError(`segment ${i}: file size exceeds memory size`);
      if (ph.vaddr + ph.memsz > TASK_SIZE) throw new ElfError(`segment ${i} lies outside user space`);
      if ((ph.vaddr - ph.offset) % PAGE_SIZE !== 0) throw new ElfError(`segment ${i} is not page-congruent with its file offset`);
    } else if (ph.type === PT_INTERP) {
      if (ph.offset + ph.filesz > data.length || ph.filesz < 2) throw new ElfError('truncated interpreter path');
      const s = data.subarray(ph.offset, ph.offset + ph.filesz);
      const nul = s.indexOf(0);
      if (nul <= 0) throw new ElfError('bad interpreter path');
      interp = Buffer.from(s.subarray(0, nul)).toString('utf8');
    }
  }
  if (loads === 0) throw new ElfError('no loadable segments');
  return { type, entry, flags, phoff, phnum, phdrs, interp, data };
}

/** Where an image ended up. */
export interface LoadedImage {
  /** Load bias added to every p_vaddr (0 for ET_EXEC). */
  bias: number;
  entry: number;
  /** Guest address of the program headers (AT_PHDR), 0 when not in a segment. */
  phdr: number;
  phnum: number;
  /** Lowest and highest (exclusive) addresses of the loaded segments. */
  low: number;
  high: number;
}

/** Lowest and highest (exclusive, page aligned) addresses the PT_LOAD segments span. */
export function imageSpan(img: ElfImage): { low: number; high: number } {
  let low = Infinity;
  let high = 0;
  for (const ph of img.phdrs) {
    if (ph.type !== PT_LOAD) continue;
    low = Math.min(low, pageAlignDown(ph.vaddr));
    high = Math.max(high, pageAlignUp(ph.vaddr + ph.memsz));
  }
  return { low, high };
}

/** Maps the PT_LOAD segments at `bias` and copies their contents in. */
export function loadImage(as: AddressSpace, img: ElfImage, bias: number): LoadedImage {
  const { low, high } = imageSpan(img);
  if (bias + high > TASK_SIZE || bias + low < PAGE_SIZE) throw new ElfError('segments do not fit in user space');
  const mem = as.mem;
  let phdr = 0;
  for (const ph of img.phdrs) {
    if (ph.type !== PT_LOAD) continue;
    const start = pageAlignDown(bias + ph.vaddr);
    const end = pageAlignUp(bias + ph.vaddr + ph.memsz);
    const prot = (ph.flags & PF_R ? 1 : 0) | (ph.flags & PF_W ? 2 : 0) | (ph.flags & PF_X ? 4 : 0);
    // Segments may share a page at their edges: keep the union of permissions there.
    for (let a = start; a < end; a += PAGE_SIZE) {
      const old = as.isMapped(a) ? as.protOf(a) : -1;
      if (old < 0) as.map(a, PAGE_SIZE, prot);
      else as.protect(a, PAGE_SIZE, old | prot);
    }
    mem.write(bias + ph.vaddr, img.data.subarray(ph.offset, ph.offset + ph.filesz));
    // The bss: pages past the file data were mapped zeroed; clear the rest of the data's last page.
    const bss = bias + ph.vaddr + ph.filesz;
    mem.zero(bss, Math.min(ph.memsz - ph.filesz, pageAlignUp(bss) - bss));
    if (img.phoff >= ph.offset && img.phoff + img.phnum * PHDR_SIZE <= ph.offset + ph.filesz) phdr = bias + ph.vaddr + (img.phoff - ph.offset);
  }
  const pph = img.phdrs.find((p) => p.type === PT_PHDR);
  if (pph) phdr = bias + pph.vaddr;
  return { bias, entry: (bias + img.entry) >>> 0, phdr: phdr >>> 0, phnum: img.phnum, low: bias + low, high: bias + high };
}
