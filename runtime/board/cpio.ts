// cpio "newc" (SVR4 without CRC, magic 070701) archives, the format the Linux kernel unpacks
// as an initramfs (Documentation/driver-api/early-userspace/buffer-format.rst): directories,
// regular files, symlinks and device nodes, ending with the TRAILER!!! entry. Paths are stored
// without a leading '/'; modification times default to 0 so archives are reproducible.

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const TRAILER = 'TRAILER!!!';

/** Ownership and time of an entry; everything defaults to 0 (root, the epoch). */
export interface CpioMeta {
  uid?: number;
  gid?: number;
  mtime?: number;
}

const enc = new TextEncoder();

/** Builds a newc archive entry by entry; `finish()` returns the bytes. */
export class CpioWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private ino = 1;
  private readonly names = new Set<string>();
  private done = false;

  /** A directory (mode: the permission bits, default 0755). */
  dir(path: string, mode = 0o755, meta: CpioMeta = {}): this {
    return this.entry(path, S_IFDIR | (mode & 0o7777), 2, new Uint8Array(0), 0, 0, meta);
  }

  /** A regular file with its contents (a string is written as UTF-8). */
  file(path: string, data: Uint8Array | string, mode = 0o644, meta: CpioMeta = {}): this {
    return this.entry(path, S_IFREG | (mode & 0o7777), 1, typeof data === 'string' ? enc.encode(data) : data, 0, 0, meta);
  }

  /** A symbolic link to `target` (its data is the target path). */
  symlink(path: string, target: string, meta: CpioMeta = {}): this {
    if (target === '' || target.includes('\0')) throw new RangeError(`cpio: bad symlink target '${target}'`);
    return this.entry(path, S_IFLNK | 0o777, 1, enc.encode(target), 0, 0, meta);
  }

  /** A character ('c') or block ('b') device node, e.g. device('/dev/console', 'c', 5, 1). */
  device(path: string, kind: 'c' | 'b', major: number, minor: number, mode = 0o600, meta: CpioMeta = {}): this {
    return this.entry(path, (kind === 'c' ? S_IFCHR : S_IFBLK) | (mode & 0o7777), 1, new Uint8Array(0), major, minor, meta);
  }

  /** Appends the trailer and returns the archive. */
  finish(): Uint8Array {
    if (!this.done) {
      this.header(TRAILER, 0, 0, 1, 0, 0, 0, {}, 0);
      this.done = true;
    }
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }

  private entry(path: string, mode: number, nlink: number, data: Uint8Array, rmajor: number, rminor: number, meta: CpioMeta): this {
    if (this.done) throw new Error('cpio: archive already finished');
    const name = path.replace(/^\/+/, '').replace(/\/+$/, '');
    if (name === '' || name.includes('\0') || name.split('/').some((p) => p === '..' || p === '') || name === TRAILER) {
      throw new RangeError(`cpio: bad path '${path}'`);
    }
    if (this.names.has(name)) throw new RangeError(`cpio: '${name}' is already in the archive`);
    this.names.add(name);
    this.header(name, this.ino++, mode, nlink, data.length, rmajor, rminor, meta, 0);
    this.push(data);
    this.pad();
    return this;
  }

  private header(name: string, ino: number, mode: number, nlink: number, size: number, rmajor: number, rminor: number, meta: CpioMeta, check: number): void {
    const nameBytes = enc.encode(name);
    const fields = [ino, mode, meta.uid ?? 0, meta.gid ?? 0, nlink, meta.mtime ?? 0, size, 0, 0, rmajor, rminor, nameBytes.length + 1, check];
    for (const f of fields) {
      if (!Number.isInteger(f) || f < 0 || f > 0xffffffff) throw new RangeError(`cpio: field value ${f} of '${name}' does not fit in 32 bits`);
    }
    const text = '070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join('');
    this.push(enc.encode(text));
    this.push(nameBytes);
    this.push(new Uint8Array(1));
    this.pad();
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  private pad(): void {
    const n = (4 - (this.length % 4)) % 4;
    if (n) this.push(new Uint8Array(n));
  }
}
