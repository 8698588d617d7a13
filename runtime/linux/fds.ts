// The guest's file descriptor table. A guest fd names an open file description (shared by
// dup'ed fds, like the kernel's struct file): a host fd opened through Node's fs, with the
// file offset kept here (Node has no lseek, so seekable files use pread/pwrite), or an
// in-memory pipe (Node has no pipe(2); one process never blocks on itself).

import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { E, SyscallError } from './errno.js';

/** An in-memory pipe buffer shared by its two ends. */
export class PipeBuffer {
  chunks: Buffer[] = [];
  readers = 0;
  writers = 0;
  get size(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }
}

export class OpenFile {
  refs = 0;
  /** Offset for seekable files. */
  pos = 0;
  /**
   * Inherited stdio file: I/O goes through the host kernel's offset (shared with the shell),
   * `pos` shadows it; a seek elsewhere switches to our own offset (Node cannot lseek).
   */
  kernelPos = false;
  /** Directory listing snapshot for getdents64, made on first use. */
  dirents: { name: string; ino: bigint; type: number }[] | null = null;

  constructor(
    /** Host fd, or -1 for a pipe end. */
    readonly hostFd: number,
    /** Guest-visible status flags (O_ACCMODE | O_APPEND | O_NONBLOCK...), ARM values. */
    public flags: number,
    /** Host path it was opened by (for *at and fchdir), or null. */
    readonly path: string | null,
    readonly seekable: boolean,
    readonly isDir: boolean,
    readonly pipe: PipeBuffer | null = null,
    readonly pipeWrite = false,
  ) {}

  get isTty(): boolean {
    if (this.hostFd < 0) return false;
    // Only a character device can be a terminal. Asked first because node:tty loads Node's
    // net and streams (~3 ms), and glibc asks about stdout (TCGETS) in nearly every program,
    // whose stdout is usually a pipe or a file.
    // Nor is a memory device (/dev/null, /dev/zero...: major 1, Linux's devices.txt), where
    // output is often sent.
    try {
      const st = fs.fstatSync(this.hostFd);
      if (!st.isCharacterDevice() || ((st.rdev >>> 8) & 0xfff) === 1) return false;
    } catch {
      return false;
    }
    return tty.isatty(this.hostFd);
  }
}

interface Slot {
  file: OpenFile;
  cloexec: boolean;
}

/** The host kernel's offset of a host fd (from /proc/self/fdinfo), or -1. */
export function hostOffset(fd: number): number {
  try {
    const m = /pos:\s*(\d+)/.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

/** Host stdio fds stay open for armvisor's own messages even if the guest closes them. */
const HOST_STDIO = 3;

export class FdTable {
  private readonly slots = new Map<number, Slot>();
  /** RLIMIT_NOFILE as the guest sees it. */
  limit = 1024;

  /** Guest fds 0, 1, 2 are the host's. */
  initStdio(): void {
    for (let fd = 0; fd < 3; fd++) {
      let st: fs.Stats | null = null;
      try {
        st = fs.fstatSync(fd);
      } catch {
        continue; // closed on the host: closed for the guest too
      }
      const seekable = st.isFile() || st.isBlockDevice();
      const f = new OpenFile(fd, fd === 0 ? 0 : 1, null, seekable, st.isDirectory());
      // The access mode, O_APPEND and (for files) the shell's offset live in /proc/self/fdinfo.
      try {
        const info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
        const pos = /pos:\s*(\d+)/.exec(info);
        const flags = /flags:\s*([0-7]+)/.exec(info);
        if (flags) f.flags = parseInt(flags[1], 8) & 0o2003;
        if (seekable && pos) {
          f.pos = Number(pos[1]);
          f.kernelPos = true;
        }
      } catch {
        /* not Linux: keep the defaults */
      }
      this.install(fd, f, false);
    }
  }

  get(fd: number): OpenFile {
    const s = this.slots.get(fd);
    if (!s) throw new SyscallError(E.EBADF);
    return s.file;
  }

  has(fd: number): boolean {
    return this.slots.has(fd);
  }

  cloexec(fd: number): boolean {
    return this.slots.get(fd)?.cloexec ?? false;
  }
  setCloexec(fd: number, v: boolean): void {
    const s = this.slots.get(fd);
    if (!s) throw new SyscallError(E.EBADF);
    s.cloexec = v;
  }

  /** Lowest free fd >= min. */
  lowestFree(min = 0): number {
    let fd = min;
    while (this.slots.has(fd)) fd++;
    if (fd >= this.limit) throw new SyscallError(E.EMFILE);
    return fd;
  }

  /** Puts `file` at `fd` (closing what was there). */
  install(fd: number, file: OpenFile, cloexec: boolean): number {
    if (this.slots.has(fd)) this.close(fd);
    file.refs++;
    if (file.pipe) {
      if (file.pipeWrite) file.pipe.writers++;
      else file.pipe.readers++;
    }
    this.slots.set(fd, { file, cloexec });
    return fd;
  }

  /** Installs at the lowest free fd. */
  add(file: OpenFile, cloexec: boolean, min = 0): number {
    return this.install(this.lowestFree(min), file, cloexec);
  }

  close(fd: number): void {
    const s = this.slots.get(fd);
    if (!s) throw new SyscallError(E.EBADF);
    this.slots.delete(fd);
    const f = s.file;
    if (f.pipe) {
      if (f.pipeWrite) f.pipe.writers--;
      else f.pipe.readers--;
    }
    if (--f.refs === 0 && f.hostFd >= HOST_STDIO) {
      try {
        fs.closeSync(f.hostFd);
      } catch {
        /* already gone */
      }
    }
  }

  /** Every open guest fd (for tests and poll). */
  fds(): number[] {
    return [...this.slots.keys()].sort((a, b) => a - b);
  }
}
