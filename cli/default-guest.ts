// `armvisor boot --default-guest`: what `npm start` boots. Debian's kernel (the zImage) and our
// busybox initramfs from the cache that scripts/fetch-kernel.sh and
// scripts/build-kernel-guest.mjs fill (${XDG_CACHE_HOME:-~/.cache}/armvisor/kernel), with a
// command line that ends in a busybox shell on the PL011 console. --kernel, --initrd and
// --append still replace their part (e.g. the uncompressed Image, or more kernel options).

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { BootCliOptions } from './boot.js';
import { UsageError } from './run.js';

/** The default guest's kernel command line: the console on the PL011, then /init runs a shell. */
export const DEFAULT_GUEST_APPEND = 'console=ttyAMA0 armvisor.init=shell';

/** Where the default guest's files live. */
export function kernelCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'armvisor', 'kernel');
}

/** The options with the default guest's kernel, initrd and command line filled in where not given, and a line saying what boots. */
export function withDefaultGuest(opts: BootCliOptions): { opts: BootCliOptions; banner: string } {
  const dir = kernelCacheDir();
  const need = (name: string): string => {
    const p = join(dir, name);
    if (!existsSync(p)) {
      throw new UsageError(`--default-guest: ${p} is missing; \`npm start\` fetches and builds it (scripts/fetch-kernel.sh, then node scripts/build-kernel-guest.mjs)`);
    }
    return p;
  };
  const kernel = opts.kernel ?? need('vmlinuz');
  const initrd = opts.initrd ?? need('initramfs.cpio');
  const append = opts.append ?? DEFAULT_GUEST_APPEND;
  const versionFile = join(dir, 'VERSION');
  const release = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : 'unknown release';
  const banner =
    `armvisor: booting Debian's Linux ${release} (${kernel}) with the busybox initramfs, command line "${append}"; ` +
    `${opts.kernel === undefined ? 'the zImage first decompresses itself without a word (2 billion guest instructions), then ' : ''}` +
    `its log scrolls by, then a busybox shell on this console ('exit' or poweroff -f ends it${process.stdin.isTTY ? ', Ctrl-A x quits' : ''})`;
  return { opts: { ...opts, kernel, initrd, append }, banner };
}
