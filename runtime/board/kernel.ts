// Kernel images the board boots (Linux Documentation/arch/arm/booting.rst): a zImage (the
// self-decompressing kernel, recognised by its header magic, with an optional device tree
// appended after its end), an uncompressed `Image` (the kernel's own binary, placed at RAM base +
// TEXT_OFFSET), or an ELF executable (a bare-metal program: loaded by physical address and
// entered without the Linux register protocol, as QEMU treats ELF images). Anything else is a
// BootError naming the file.

import { fdtTotalSize, FdtError, isFdt } from './fdt.js';

/** A file the board refuses to boot; the message is one line meant for the user. */
export class BootError extends Error {}

/** zImage header words (arch/arm/boot/compressed/head.S), little-endian, at these offsets. */
export const ZIMAGE_MAGIC_OFFSET = 0x24;
export const ZIMAGE_MAGIC = 0x016f2818;
const ZIMAGE_START_OFFSET = 0x28;
const ZIMAGE_END_OFFSET = 0x2c;
const ZIMAGE_ENDIAN_OFFSET = 0x30;
const ZIMAGE_ENDIAN_LE = 0x04030201;

/** TEXT_OFFSET, where an uncompressed Image sits above the start of RAM, unless it says otherwise. */
export const DEFAULT_TEXT_OFFSET = 0x8000;

export interface ElfSegment {
  /** Physical load address (p_paddr). */
  paddr: number;
  /** The file bytes; memsz - data.length zero bytes follow. */
  data: Uint8Array;
  memsz: number;
}

export type KernelImage =
  | {
      kind: 'zimage';
      /** The zImage proper: bytes [0, end - start) of the file. */
      image: Uint8Array;
      /** Its link address; 0 for the usual position-independent zImage. */
      start: number;
      /** A device tree appended after the zImage (CONFIG_ARM_APPENDED_DTB), if any. */
      appendedDtb?: Uint8Array;
    }
  | {
      kind: 'image';
      image: Uint8Array;
      /** Where it must sit above the start of RAM (imageTextOffset). */
      textOffset: number;
    }
  | { kind: 'elf'; entry: number; segments: ElfSegment[] };

const EM_ARM = 40;
const PT_LOAD = 1;

/** Identifies a kernel file's format; `name` is the file name used in error messages. */
export function identifyKernel(bytes: Uint8Array, name: string): KernelImage {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (off: number): number => dv.getUint32(off, true);
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) return parseElfKernel(bytes, dv, name);
  if (bytes.length >= ZIMAGE_END_OFFSET + 4 && u32(ZIMAGE_MAGIC_OFFSET) === ZIMAGE_MAGIC) {
    const start = u32(ZIMAGE_START_OFFSET);
    const end = u32(ZIMAGE_END_OFFSET);
    if (bytes.length >= ZIMAGE_ENDIAN_OFFSET + 4 && u32(ZIMAGE_ENDIAN_OFFSET) !== ZIMAGE_ENDIAN_LE && dv.getUint32(ZIMAGE_ENDIAN_OFFSET, false) === ZIMAGE_ENDIAN_LE) {
      throw new BootError(`${name}: a big-endian zImage; only little-endian kernels are supported`);
    }
    const size = (end - start) >>> 0;
    if (end < start || size < ZIMAGE_END_OFFSET + 4) throw new BootError(`${name}: zImage header has a bad start/end (0x${start.toString(16)}/0x${end.toString(16)})`);
    if (size > bytes.length) throw new BootError(`${name}: truncated zImage (its header says ${size} bytes, the file has ${bytes.length})`);
    const out: KernelImage = { kind: 'zimage', image: bytes.subarray(0, size), start };
    if (isFdt(bytes, size)) {
      try {
        out.appendedDtb = bytes.subarray(size, size + fdtTotalSize(bytes, size));
      } catch (e) {
        if (e instanceof FdtError) throw new BootError(`${name}: the device tree appended to the zImage is malformed: ${e.message}`);
        throw e;
      }
    }
    return out;
  }
  if (bytes.length >= ZIMAGE_MAGIC_OFFSET + 4 && dv.getUint32(ZIMAGE_MAGIC_OFFSET, false) === ZIMAGE_MAGIC) throw new BootError(`${name}: a big-endian zImage; only little-endian kernels are supported`);
  if (looksLikeImage(bytes)) return { kind: 'image', image: bytes, textOffset: imageTextOffset(bytes) };
  throw new BootError(`${name}: not a kernel image (neither a zImage, an ARM ELF nor an uncompressed Linux Image)`);
}

/**
 * An uncompressed 32-bit ARM Image has no header, so recognise it by content: its first word is
 * an ARM instruction that executes always (condition AL; head.S starts with code, or with the
 * EFI stub's "MZ" NOP-equivalent, 0x13105a4d) and it carries the kernel's "Linux version " banner.
 */
function looksLikeImage(bytes: Uint8Array): boolean {
  if (bytes.length < 0x1000) return false;
  const first = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (first >>> 28 !== 0xe && first !== 0x13105a4d) return false;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('Linux version ') >= 0;
}

/**
 * TEXT_OFFSET of an uncompressed 32-bit Image (where it must sit above the start of RAM): Linux
 * 5.x and later head.S compute PHYS_OFFSET with `sub r8, r8, #TEXT_OFFSET` among their first
 * instructions; older kernels and others get the usual 0x8000. (Debian's armmp kernels have
 * 0x208000: CONFIG_ARCH_MESON keeps the first 2 MiB free.)
 */
export function imageTextOffset(image: Uint8Array): number {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  for (let o = 0; o + 4 <= Math.min(image.length, 0x200); o += 4) {
    const insn = dv.getUint32(o, true);
    if ((insn & 0xfffff000) >>> 0 === 0xe2488000) {
      // SUB (immediate), A1: imm12 is an 8-bit value rotated right by twice the top 4 bits.
      const rot = ((insn >>> 8) & 15) * 2;
      const imm8 = insn & 0xff;
      const v = ((imm8 >>> rot) | (imm8 << (32 - rot))) >>> 0;
      if (v % 0x1000 === 0 && v < 0x100_0000) return v;
    }
  }
  return DEFAULT_TEXT_OFFSET;
}

function parseElfKernel(bytes: Uint8Array, dv: DataView, name: string): KernelImage {
  const bad = (why: string): never => {
    throw new BootError(`${name}: ${why}`);
  };
  if (bytes.length < 52) bad('truncated ELF header');
  if (bytes[4] !== 1) bad('not a 32-bit ELF');
  if (bytes[5] !== 1) bad('not a little-endian ELF');
  if (dv.getUint16(18, true) !== EM_ARM) bad(`not an ARM ELF (e_machine ${dv.getUint16(18, true)})`);
  const type = dv.getUint16(16, true);
  if (type !== 2) bad(`ELF type ${type} is not an executable (ET_EXEC)`);
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  if (phnum === 0 || phentsize < 32) bad('ELF has no usable program headers');
  if (phoff + phnum * phentsize > bytes.length) bad('truncated ELF program headers');
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (dv.getUint32(o, true) !== PT_LOAD) continue;
    const offset = dv.getUint32(o + 4, true);
    const paddr = dv.getUint32(o + 12, true);
    const filesz = dv.getUint32(o + 16, true);
    const memsz = dv.getUint32(o + 20, true);
    if (memsz === 0) continue;
    if (offset + filesz > bytes.length) bad(`ELF segment ${i} extends past the end of the file`);
    if (filesz > memsz) bad(`ELF segment ${i}: file size exceeds memory size`);
    if (paddr + memsz > 0x1_0000_0000) bad(`ELF segment ${i} extends past 4 GiB`);
    segments.push({ paddr, data: bytes.subarray(offset, offset + filesz), memsz });
  }
  if (segments.length === 0) bad('ELF has no loadable segments');
  return { kind: 'elf', entry, segments };
}

/** The compression of a zImage's payload, and where the compressed stream starts in the file. */
export interface ZImagePayload {
  format: 'xz' | 'gzip';
  offset: number;
}

/**
 * Finds the compressed kernel inside a zImage (the piggy data after the decompressor's code).
 * Only the stream's start is located, by a magic number whose header also checks out (the
 * decompressor's own strings contain the bare xz magic); a decompressor stops at the stream end.
 * xz (Debian's CONFIG_KERNEL_XZ) and gzip are recognised.
 */
export function zimagePayload(image: Uint8Array): ZImagePayload | undefined {
  const b = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const found: ZImagePayload[] = [];
  const xzMagic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  for (let at = b.indexOf(xzMagic); at >= 0; at = b.indexOf(xzMagic, at + 1)) {
    // Stream header: magic, 2 flag bytes (the first 0, the check type < 16), CRC32 of the flags.
    if (at + 12 > b.length || b[at + 6] !== 0 || b[at + 7] > 15) continue;
    if (crc32(b.subarray(at + 6, at + 8)) === b.readUInt32LE(at + 8)) {
      found.push({ format: 'xz', offset: at });
      break;
    }
  }
  const gzMagic = Buffer.from([0x1f, 0x8b, 0x08]);
  for (let at = b.indexOf(gzMagic); at >= 0; at = b.indexOf(gzMagic, at + 1)) {
    // FLG's reserved bits are zero; XFL is 0, 2 or 4; OS is a small number (Unix: 3).
    if (at + 10 <= b.length && (b[at + 3] & 0xe0) === 0 && [0, 2, 4].includes(b[at + 8]) && b[at + 9] <= 13) {
      found.push({ format: 'gzip', offset: at });
      break;
    }
  }
  found.sort((x, y) => x.offset - y.offset);
  return found[0];
}

let crcTable: Uint32Array | undefined;
/** CRC-32 (IEEE 802.3, reflected), as xz's stream header uses. */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const byte of data) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
