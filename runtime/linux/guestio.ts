// Host-side access to guest memory for system calls: checked views (EFAULT when a page is
// missing or lacks the permission), strings, and little-endian struct fields. Writes drop
// translations of code pages they touch, as a guest store would.

import { PAGE_SHIFT, Perm, type FlatMemory } from '../memory/flat.js';
import { E, SyscallError } from './errno.js';

export const PATH_MAX = 4096;

export class GuestIO {
  constructor(
    readonly mem: FlatMemory,
    private readonly invalidate: (page: number) => void,
  ) {}

  /** A view of [addr, addr+len) for the host to read; EFAULT if not readable. */
  in(addr: number, len: number): Uint8Array {
    addr >>>= 0;
    if (len === 0) return new Uint8Array(0);
    if (!this.mem.accessible(addr, len, Perm.R)) throw new SyscallError(E.EFAULT);
    return this.mem.u8.subarray(addr, addr + len);
  }

  /** A view of [addr, addr+len) for the host to fill; EFAULT if not writable. */
  out(addr: number, len: number): Uint8Array {
    addr >>>= 0;
    if (len === 0) return new Uint8Array(0);
    if (!this.mem.accessible(addr, len, Perm.W)) throw new SyscallError(E.EFAULT);
    const p1 = (addr + len - 1) >>> PAGE_SHIFT;
    for (let p = addr >>> PAGE_SHIFT; p <= p1; p++) if (this.mem.clearCode(p)) this.invalidate(p);
    return this.mem.u8.subarray(addr, addr + len);
  }

  /** Copies bytes out to the guest. */
  write(addr: number, data: Uint8Array): void {
    this.out(addr, data.length).set(data);
  }

  /** A NUL-terminated string (EFAULT, ENAMETOOLONG). */
  cstr(addr: number, max = PATH_MAX): string {
    addr >>>= 0;
    const mem = this.mem;
    for (let end = addr; end - addr < max; end++) {
      if ((mem.perm[end >>> PAGE_SHIFT] & Perm.R) === 0) throw new SyscallError(E.EFAULT);
      if (mem.u8[end] === 0) return Buffer.from(mem.u8.buffer, addr, end - addr).toString('utf8');
    }
    throw new SyscallError(E.ENAMETOOLONG);
  }

  /** The raw bytes of a NUL-terminated string (for paths that are not UTF-8). */
  cbytes(addr: number, max = PATH_MAX): Buffer {
    const s = this.cstr(addr, max);
    const len = Buffer.byteLength(s);
    return Buffer.from(this.mem.u8.slice(addr >>> 0, (addr >>> 0) + len));
  }

  u32(addr: number): number {
    const v = this.in(addr, 4);
    return (v[0] | (v[1] << 8) | (v[2] << 16) | (v[3] << 24)) >>> 0;
  }
  i32(addr: number): number {
    return this.u32(addr) | 0;
  }
  u64(addr: number): bigint {
    this.in(addr, 8);
    return this.mem.dv.getBigUint64(addr >>> 0, true);
  }
  setU32(addr: number, v: number): void {
    this.out(addr, 4);
    this.mem.dv.setUint32(addr >>> 0, v >>> 0, true);
  }
  setU64(addr: number, v: bigint | number): void {
    this.out(addr, 8);
    this.mem.dv.setBigUint64(addr >>> 0, BigInt.asUintN(64, BigInt(v)), true);
  }
}

/** Builds a little-endian struct on the host before one copy to the guest. */
export class StructBuf {
  readonly buf: Buffer;
  constructor(size: number) {
    this.buf = Buffer.alloc(size);
  }
  u8(off: number, v: number): this {
    this.buf.writeUInt8(v & 0xff, off);
    return this;
  }
  u16(off: number, v: number): this {
    this.buf.writeUInt16LE(v & 0xffff, off);
    return this;
  }
  u32(off: number, v: number | bigint): this {
    this.buf.writeUInt32LE(Number(BigInt.asUintN(32, BigInt(v))), off);
    return this;
  }
  i32(off: number, v: number): this {
    this.buf.writeInt32LE(v | 0, off);
    return this;
  }
  u64(off: number, v: number | bigint): this {
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(typeof v === 'number' ? Math.trunc(v) : v)), off);
    return this;
  }
  str(off: number, s: string, max: number): this {
    const b = Buffer.from(s, 'utf8').subarray(0, max - 1);
    b.copy(this.buf, off);
    return this;
  }
}
