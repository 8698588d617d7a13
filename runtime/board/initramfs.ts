// The default guest's initramfs: Debian's busybox-static and an /init script, as an uncompressed
// cpio newc archive (the kernel unpacks it into its rootfs; no compression means no decompression
// cost at boot). /init mounts /proc, /sys and /dev, prints the marker line the boot tests and
// `armvisor bench boot` wait for, then, by the kernel command-line option `armvisor.init=`,
// either powers off (`poweroff`: CI and benchmarks) or runs an interactive shell on the console
// (`shell`, the default; leaving the shell powers off).

import { CpioWriter } from './cpio.js';

/** The line /init prints once user space runs. */
export const INIT_MARKER = 'ARMVISOR-INIT-OK';
/** The command-line option /init reads from /proc/cmdline. */
export const INIT_OPTION = 'armvisor.init';
export type InitMode = 'shell' | 'poweroff';

/** The /init script (busybox sh). */
export function initScript(): string {
  return `#!/bin/sh
# armvisor's initramfs init: mount the kernel's file systems, say we got here, then act on
# ${INIT_OPTION}=shell|poweroff from the kernel command line.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo ${INIT_MARKER}
mode=shell
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    ${INIT_OPTION}=*) mode=\${arg#${INIT_OPTION}=} ;;
  esac
done
case "$mode" in
  poweroff) ;;
  shell)
    echo "busybox shell; 'exit' powers off"
    setsid cttyhack sh
    ;;
  *) echo "init: unknown ${INIT_OPTION}=$mode (shell or poweroff); powering off" ;;
esac
poweroff -f
`;
}

/** The archive: /bin/busybox (with /bin/sh), /init, /dev/console, and the mount points. */
export function buildInitramfs(busybox: Uint8Array): Uint8Array {
  if (busybox.length < 4 || busybox[0] !== 0x7f || busybox[1] !== 0x45 || busybox[2] !== 0x4c || busybox[3] !== 0x46) {
    throw new Error('initramfs: the busybox given is not an ELF executable');
  }
  return new CpioWriter()
    .dir('/bin')
    .dir('/dev')
    .dir('/proc', 0o555)
    .dir('/sys', 0o555)
    .dir('/tmp', 0o1777)
    .dir('/root', 0o700)
    .file('/bin/busybox', busybox, 0o755)
    .symlink('/bin/sh', 'busybox')
    .device('/dev/console', 'c', 5, 1, 0o600)
    .device('/dev/null', 'c', 1, 3, 0o666)
    .file('/init', initScript(), 0o755)
    .finish();
}
