// Times a zImage's decompressor alone: boots the kernel on the virt machine (system JIT, V8's
// Liftoff tier only, as `armvisor boot` runs it) until the PC first reaches the kernel's
// virtual addresses (>= 0xc0000000), and prints instructions, CPU time and MIPS.
// Usage: node --liftoff-only scripts/decomp-bench.mjs [zImage] [--dump ADDR]   (after npm run build)
// --dump ADDR: at the end, the wasm text of the region of ADDR's virtual page goes to ./region.wat.
// Debugging: STOP_AT=N stops after N instructions; SAMPLE=1 prints the block PCs slices end at.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planBoot } from '../dist/runtime/board/bootplan.js';
import { identifyKernel } from '../dist/runtime/board/kernel.js';
import { VirtMachine } from '../dist/runtime/board/machine.js';
import { W } from '../dist/translator/state.js';

const args = process.argv.slice(2);
const dumpAt = args.includes('--dump') ? Number(args[args.indexOf('--dump') + 1]) : undefined;
const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--dump') ?? path.join(os.homedir(), '.cache/armvisor/kernel/vmlinuz');
const machine = new VirtMachine({ ramSize: 512 << 20, clock: 'icount', output: () => {}, engine: 'jit', jitOptions: process.env.MAXRB ? { maxRegionBlocks: Number(process.env.MAXRB) } : {} });
const bytes = new Uint8Array(fs.readFileSync(file));
const plan = planBoot({ kernel: identifyKernel(bytes, file), kernelName: file, fdt: machine.deviceTree(), ram: machine.ramRegion, rom: [] });
machine.load(plan);
const cpu = machine.cpu;
const st = cpu.state.i32;
const stopAt = process.env.STOP_AT ? Number(process.env.STOP_AT) : Infinity; // debugging: stop after this many instructions
const sampling = !!process.env.SAMPLE; // debugging: histogram of PCs at slice ends
const samples = new Map();
const t0 = process.cpuUsage();
const n0 = cpu.state.icount;
for (;;) {
  const r = cpu.run(sampling ? 997 + ((cpu.state.icount * 7) % 1000) : 50_000);
  if (sampling) samples.set(st[W.PC] >>> 0, (samples.get(st[W.PC] >>> 0) ?? 0) + 1);
  if (r !== 'budget') throw new Error(`decomp-bench: the CPU stopped (${r}) at 0x${(st[W.PC] >>> 0).toString(16)}`);
  if (st[W.PC] >>> 0 >= 0xc0000000 || cpu.state.icount - n0 >= stopAt) break;
}
const u = process.cpuUsage(t0);
const insns = cpu.state.icount - n0;
const s = (u.user + u.system) / 1e6;
const js = cpu.jit.stats;
console.log(`decompressor: ${(insns / 1e6).toFixed(0)} M instructions, ${s.toFixed(2)} s CPU, ${(insns / 1e6 / s).toFixed(0)} MIPS; interpreted ${(js.interpInsns / 1e6).toFixed(1)} M, entries ${js.entries}, misses ${js.misses}, compile ${js.compileMs.toFixed(0)} ms, ${js.wasmBytes} wasm bytes, modules ${js.modules} regions ${js.regions} blocks ${js.blocks} recompiled ${js.recompiled}`);
if (dumpAt !== undefined) {
  // The region of the live blocks on the virtual page holding dumpAt.
  const blocks = [];
  for (let b of cpu.blocks.values()) for (; b; b = b.next) if (!b.dead && b.region && b.block.pc >>> 12 === dumpAt >>> 12) blocks.push(b.block);
  const { regionWat } = await import('../dist/translator/jit/wat.js');
  fs.writeFileSync('region.wat', await regionWat(blocks.sort((a, b) => a.pc - b.pc), cpu.jit.target));
  console.log(`wrote region.wat (${blocks.length} blocks)`);
}
if (sampling) console.log([...samples].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([pc, n]) => `${pc.toString(16)}:${n}`).join(' '));
