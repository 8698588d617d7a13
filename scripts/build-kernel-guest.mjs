#!/usr/bin/env node
// Builds the default system guest's derived files next to what scripts/fetch-kernel.sh fetched,
// in ${XDG_CACHE_HOME:-~/.cache}/armvisor/kernel/, one line per action, silent when up to date:
//   initramfs.cpio  busybox-static and our /init (runtime/board/initramfs.ts): prints
//                   ARMVISOR-INIT-OK, then armvisor.init=shell|poweroff from the command line
//   Image           the zImage's payload, decompressed with Debian's xz (or gzip)
//   System.map      the kernel's own kallsyms table read from Image (runtime/board/kallsyms.ts);
//                   replaces the package's placeholder (the real one is only in the -dbg package)
// Needs `npm run build` (it uses dist/) and fetch-kernel.sh first.
// Usage: node scripts/build-kernel-guest.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kdir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'armvisor', 'kernel');
const fail = (msg) => {
  console.error(`build-kernel-guest: ${msg}`);
  process.exit(1);
};
const say = (msg) => console.log(`build-kernel-guest: ${msg}`);

const dist = join(root, 'dist', 'runtime', 'board');
if (!existsSync(join(dist, 'kallsyms.js'))) fail(`${dist} is missing (run npm run build first)`);
for (const f of ['vmlinuz', 'busybox']) if (!existsSync(join(kdir, f))) fail(`${join(kdir, f)} is missing (run scripts/fetch-kernel.sh first)`);
const { buildInitramfs } = await import(join(dist, 'initramfs.js'));
const { extractKallsyms, formatSystemMap } = await import(join(dist, 'kallsyms.js'));
const { identifyKernel, zimagePayload } = await import(join(dist, 'kernel.js'));

const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : -1);
const self = fileURLToPath(import.meta.url);
/** Is `out` newer than every input (and than this script and the module that makes it)? */
const fresh = (out, ...inputs) => mtime(out) > Math.max(mtime(self), ...inputs.map(mtime));
const writeAtomic = (file, data) => {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
};

const cpio = join(kdir, 'initramfs.cpio');
if (!fresh(cpio, join(kdir, 'busybox'), join(dist, 'initramfs.js'))) {
  say(`writing ${cpio}`);
  writeAtomic(cpio, buildInitramfs(readFileSync(join(kdir, 'busybox'))));
}

const vmlinuz = join(kdir, 'vmlinuz');
const imageFile = join(kdir, 'Image');
if (!fresh(imageFile, vmlinuz)) {
  const kernel = identifyKernel(readFileSync(vmlinuz), vmlinuz);
  if (kernel.kind !== 'zimage') fail(`${vmlinuz} is a ${kernel.kind}, not a zImage`);
  const payload = zimagePayload(kernel.image);
  if (!payload) fail(`${vmlinuz}: no xz or gzip payload found in the zImage`);
  const tool = payload.format === 'xz' ? ['xz', ['-dc', '--single-stream']] : ['gzip', ['-dc']];
  say(`decompressing the ${payload.format} payload of ${vmlinuz} with ${tool[0]}`);
  const r = spawnSync(tool[0], tool[1], { input: kernel.image.subarray(payload.offset), maxBuffer: 1 << 30 });
  if (r.error) fail(`${tool[0]} could not run (${r.error.message}; apt-get install xz-utils)`);
  // gzip warns about the zImage's bytes after the stream ("trailing garbage") with status 2.
  if (!(r.status === 0 || (payload.format === 'gzip' && r.status === 2)) || r.stdout.length === 0) fail(`${tool[0]} failed: ${String(r.stderr).trim().split('\n')[0]}`);
  writeAtomic(imageFile, r.stdout);
}

const map = join(kdir, 'System.map');
const isPlaceholder = !existsSync(map) || !/^[0-9a-f]{8} \S /.test(readFileSync(map, 'latin1').slice(0, 64));
if (isPlaceholder || !fresh(map, imageFile)) {
  say(`reading kallsyms from ${imageFile} into ${map}`);
  let symbols;
  try {
    symbols = extractKallsyms(readFileSync(imageFile));
  } catch (e) {
    fail(`${imageFile}: ${e.message}`);
  }
  writeAtomic(map, formatSystemMap(symbols));
}
