// The virt board's flash region (QEMU maps two 64 MiB CFI flash banks at 0): here a read-only
// memory device that reads as zeros except where the loader put bytes (an ELF segment linked
// there). Guest writes are ignored (no CFI command set). Storage is sparse, 4 KiB pages
// allocated only when loaded, so the 128 MiB window costs nothing unused. Code cannot execute
// from it (the system memory fetches from RAM only): an instruction fetch there prefetch-aborts.
import type { MmioDevice } from '../devices/bus.js';

const PAGE = 4096;

export class Flash implements MmioDevice {
  private readonly pages = new Map<number, Uint8Array>();

  constructor(
    readonly size: number,
    readonly name = 'flash',
  ) {}

  /** Puts `bytes` at `offset` (the boot loader's copy). */
  load(offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset + bytes.length > this.size) throw new RangeError(`flash: ${bytes.length} bytes at 0x${offset.toString(16)} do not fit`);
    for (let i = 0; i < bytes.length; ) {
      const o = offset + i;
      const n = Math.min(PAGE - (o % PAGE), bytes.length - i);
      this.page(Math.floor(o / PAGE), true)!.set(bytes.subarray(i, i + n), o % PAGE);
      i += n;
    }
  }

  private page(n: number, create: boolean): Uint8Array | undefined {
    let p = this.pages.get(n);
    if (!p && create) this.pages.set(n, (p = new Uint8Array(PAGE)));
    return p;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) {
      const o = offset + i;
      const p = this.page(Math.floor(o / PAGE), false);
      v |= (p ? p[o % PAGE] : 0) << (8 * i);
    }
    return v >>> 0;
  }

  write(): void {
    /* read-only */
  }
}
