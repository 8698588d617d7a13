// `armvisor boot --gdb PORT`: the virt machine as a gdb target. In process: memory through the
// MMU as a debugger sees it (permissions ignored, the CPU's TLB untouched, unmapped = short or
// empty), breakpoints set before and after code was translated, single steps, the run ending.
// End to end: Debian's gdb-multiarch breaks in start_kernel (System.map's address, a virtual
// PC: the kernel runs with the MMU on there) of the uncompressed Image and must see the same
// registers and memory as against `qemu-system-arm -gdb` booting the same blobs; Ctrl-C, detach
// (the guest runs on), kill, and a busy port.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { armvisorMain, runProcess } from '../bench/guestrun.js';
import { planBoot } from '../runtime/board/bootplan.js';
import { MachineGdbTarget } from '../runtime/board/gdb-target.js';
import { identifyKernel } from '../runtime/board/kernel.js';
import { VirtMachine } from '../runtime/board/machine.js';
import { RunLoop } from '../runtime/board/runloop.js';
import { VIRT_MAP } from '../runtime/board/virt.js';
import { DebugAccess } from '../runtime/cpu/debug-access.js';
import { REG_CPSR, REG_FPEXC } from '../runtime/gdb/arm-regs.js';
import { PacketDecoder, framePacket } from '../runtime/gdb/packet.js';
import type { StopEvent } from '../runtime/gdb/target.js';
import { assemble } from './helpers/bare.js';
import { freePort, kernelFile, QEMU_VIRT, requireTool } from './helpers/kernel.js';
import { tempDir } from './helpers/differential.js';

const LOAD = 0x40010000;

function machine(src: string): { m: VirtMachine; loop: RunLoop; target: MachineGdbTarget } {
  const m = new VirtMachine({ ramSize: 16 << 20, clock: 'icount', output: () => {} });
  m.load({
    blobs: [{ what: 'kernel', addr: LOAD, bytes: assemble(`.global _start\n_start:\n${src}`, LOAD), zero: 0 }],
    regs: { r0: 0, r1: 0xffffffff, r2: 0x40000000, pc: LOAD, cpsr: 0x1d3 },
    dtb: null,
    initrd: null,
    notes: [],
  });
  const loop = new RunLoop(m);
  return { m, loop, target: new MachineGdbTarget(m, loop) };
}

async function cont(t: MachineGdbTarget): Promise<StopEvent> {
  for (;;) {
    const ev = await t.resume(10_000);
    if (ev) return ev;
  }
}

const u32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const le32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v]).buffer);

describe('the machine as a gdb target, in process', () => {
  // r5 counts to 1000 in a loop, then the guest powers off.
  const LOOP = `
  mov r5, #0
loop:
  add r5, r5, #1
  cmp r5, #1000
  bne loop
  ldr r0, =0x84000008
  hvc #0
  b .
  .ltorg`;

  test('breakpoints stop before the instruction, each time round; a step is one instruction; the run ends with the guest', async () => {
    const { m, target } = machine(LOOP);
    const r5 = () => u32(target.readRegister(5));
    const pc = () => u32(target.readRegister(15));
    expect(target.step()).toEqual({ kind: 'stopped', signal: 5 });
    expect(pc()).toBe(LOAD + 4);
    target.setBreakpoints(new Set([LOAD + 4]));
    // Stopped on the breakpoint's address already: resuming executes it first.
    expect(await cont(target)).toEqual({ kind: 'stopped', signal: 5, breakpoint: LOAD + 4 });
    expect([pc(), r5()]).toEqual([LOAD + 4, 1]);
    expect(await cont(target)).toEqual({ kind: 'stopped', signal: 5, breakpoint: LOAD + 4 });
    expect(r5()).toBe(2);
    target.step();
    expect([pc(), r5()]).toEqual([LOAD + 8, 3]);
    target.setBreakpoints(new Set());
    expect(await cont(target)).toEqual({ kind: 'exited', status: 0 });
    expect(target.end).toEqual({ kind: 'system-off' });
    expect(r5()).toBe(1000);
    expect(m.powerEvent).toBe('system-off');
  });

  test('a breakpoint set in code already translated, mid-block, still stops there', async () => {
    const { target } = machine(LOOP);
    expect(await target.resume(200)).toBeNull(); // the loop's block is lifted and has run
    const before = u32(target.readRegister(5));
    expect(before).toBeGreaterThan(10);
    target.setBreakpoints(new Set([LOAD + 8])); // the cmp, inside the loop's block
    expect(await cont(target)).toEqual({ kind: 'stopped', signal: 5, breakpoint: LOAD + 8 });
    expect(u32(target.readRegister(5))).toBe(before + 1);
  });

  test('registers: CPSR with its mode (an invalid mode is refused), FPEXC', () => {
    const { m, target } = machine(LOOP);
    expect(u32(target.readRegister(REG_CPSR))).toBe(m.cpu.cpsr);
    expect(m.cpu.cpsr & 0x1f).toBe(0x13);
    target.writeRegister(REG_CPSR, le32(0x600001d2)); // IRQ mode, Z and C
    expect(m.cpu.cpsr >>> 0).toBe(0x600001d2);
    target.writeRegister(REG_CPSR, le32(0x000001c5)); // no such mode: the mode stays
    expect(m.cpu.cpsr >>> 0).toBe(0x000001d2);
    target.writeRegister(REG_FPEXC, le32(0x40000000));
    expect(u32(target.readRegister(REG_FPEXC))).toBe(0x40000000);
  });

  test('memory through the current translation: permissions ignored, unmapped short or empty, no TLB fill, no device read', () => {
    const { m } = machine(LOOP);
    const cpu = m.cpu;
    const dbg = new DebugAccess(cpu, (pa) => m.quietRead(pa));
    const ram = (pa: number) => pa - VIRT_MAP.ramBase;
    // MMU off: VA = PA. RAM, flash (zeros) are readable; the UART is not (its reads have effects).
    expect([...dbg.read(LOAD, 4)]).toEqual([...m.ram.subarray(ram(LOAD), ram(LOAD) + 4)]);
    expect([...dbg.read(0x100, 4)]).toEqual([0, 0, 0, 0]);
    expect(dbg.read(VIRT_MAP.uart.base, 4).length).toBe(0);

    // A short-descriptor table at 0x40100000: VA 0x80000000 -> section at PA 0x40200000 with
    // AP = 0 (no access at any level) in domain 0, and every domain "no access" in DACR.
    const table = 0x40100000;
    new DataView(m.ram.buffer, m.ram.byteOffset, m.ram.byteLength).setUint32(ram(table) + 0x800 * 4, 0x40200000 | 0b10, true);
    m.ram.set([1, 2, 3, 4, 5, 6, 7, 8], ram(0x40200000) + 0xffff8);
    cpu.cp15.ttbr0lo = table;
    cpu.cp15.dacr = 0;
    cpu.cp15.sctlr |= 1;
    cpu.mem.flushTlb();
    const fills = cpu.mem.tlbFills;
    expect([...dbg.read(0x800ffff8, 16)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // runs into the unmapped next MiB
    expect(dbg.read(0x80100000, 4).length).toBe(0);
    expect(dbg.read(LOAD, 4).length).toBe(0); // no identity mapping any more
    expect(dbg.write(0x800ffffc, new Uint8Array([9, 9, 9, 9]))).toBe(true);
    expect([...m.ram.subarray(ram(0x40200000) + 0xffffc, ram(0x40200000) + 0x100000)]).toEqual([9, 9, 9, 9]);
    expect(dbg.write(0x800ffffe, new Uint8Array([7, 7, 7, 7]))).toBe(false); // all or nothing
    expect([...m.ram.subarray(ram(0x40200000) + 0xffffe, ram(0x40200000) + 0x100000)]).toEqual([9, 9]);
    expect(cpu.mem.tlbFills).toBe(fills);
  });

  test('a memory write into translated code is what runs next', async () => {
    // r5 = 1 by a mov that the debugger rewrites to mov r5, #2 once the block has run.
    const { m, target } = machine(`
  mov r6, #0
again:
  mov r5, #1
  add r6, r6, #1
  b again`);
    expect(await target.resume(100)).toBeNull();
    target.setBreakpoints(new Set([LOAD + 4]));
    expect((await cont(target)).kind).toBe('stopped');
    expect(target.writeMemory(LOAD + 4, le32(0xe3a05002))).toBe(true);
    target.step();
    expect(u32(target.readRegister(5))).toBe(2);
    expect(m.cpu.state.u32[15]).toBe(LOAD + 8);
  });
});

// ---- end to end: gdb-multiarch against armvisor boot and qemu-system-arm ---------------------

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Run {
  status: number | null;
  stderr: string;
}

/** `armvisor boot ... --gdb 0`: resolves with the port once it waits for gdb, and the whole run. */
async function bootUnderGdb(args: string[]): Promise<{ port: number; done: Promise<Run> }> {
  const child = spawn(process.execPath, [armvisorMain(), 'boot', '--gdb', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  const done = new Promise<Run>((resolve) => child.on('close', (status) => resolve({ status, stderr: err })));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /waiting for gdb on localhost:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    void done.then(() => reject(new Error(`armvisor ended before gdb connected: ${err}`)));
  });
  return { port, done };
}

/** gdb-multiarch in batch mode, connected to PORT, running `cmds`. */
async function gdb(port: number, cmds: string[]): Promise<string> {
  const args = ['-nx', '-batch', '-ex', 'set pagination off', '-ex', 'set architecture arm', '-ex', `target remote 127.0.0.1:${port}`];
  for (const c of cmds) args.push('-ex', c);
  const r = await runProcess('gdb-multiarch', args, { timeoutMs: 90_000 });
  if (r.timedOut) throw new Error(`gdb-multiarch timed out:\n${r.stdout}${r.stderr}`);
  return r.stdout.toString() + r.stderr;
}

/** `info registers` lines: name → value (the first of each name). */
function registers(out: string): Record<string, number> {
  const m: Record<string, number> = {};
  for (const [, name, v] of out.matchAll(/^(r\d+|sp|lr|pc|cpsr|fpscr|fpexc)\s+0x([0-9a-f]+)\s/gm)) if (!(name in m)) m[name] = parseInt(v, 16) >>> 0;
  return m;
}

/** `x/Nxw` words in order. */
const words = (out: string, at: number): number[] => {
  const line = new RegExp(`^0x${at.toString(16)}:\\s+((?:0x[0-9a-f]+\\s*)+)$`, 'm').exec(out);
  return line ? line[1].trim().split(/\s+/).map((w) => parseInt(w, 16) >>> 0) : [];
};

describe("armvisor boot --gdb with Debian's kernel (the uncompressed Image)", () => {
  const tmp = tempDir('gdb-boot');
  afterAll(() => tmp.remove());

  const image = () => kernelFile('Image');
  const initrd = () => kernelFile('initramfs.cpio');
  const startKernel = (): number => parseInt(/^([0-9a-f]{8}) T start_kernel$/m.exec(readFileSync(kernelFile('System.map'), 'latin1'))![1], 16);
  const APPEND = 'console=ttyAMA0 armvisor.init=poweroff';

  /** What `armvisor boot` does with the Image, initramfs and APPEND. */
  const imagePlan = () => {
    const m = new VirtMachine({ output: () => {} });
    return planBoot({ kernel: identifyKernel(readFileSync(image()), 'Image'), kernelName: 'Image', initrd: readFileSync(initrd()), initrdName: 'initramfs.cpio', fdt: m.deviceTree(), bootargs: APPEND, ram: m.ramRegion, rom: [VIRT_MAP.flash] });
  };

  /** qemu-system-arm booting our plan's blobs (kernel, initrd, our DTB) with our hand-over registers, waiting for gdb. */
  async function qemuUnderGdb(): Promise<{ port: number; done: Promise<unknown> }> {
    const plan = imagePlan();
    const args = [...QEMU_VIRT];
    plan.blobs.forEach((b, i) => {
      const f = join(tmp.dir, `blob${i}`);
      writeFileSync(f, b.bytes);
      args.push('-device', `loader,file=${f},addr=0x${b.addr.toString(16)},force-raw=on`);
    });
    // mov r0, #0; mvn r1, #0; ldr r2, [pc]; ldr pc, [pc]; .word r2, pc (high in RAM, clear of every blob)
    const stubAt = VIRT_MAP.ramBase + 0xc00_0000;
    const stub = join(tmp.dir, 'stub');
    writeFileSync(stub, new Uint8Array(new Uint32Array([0xe3a00000, 0xe3e01000, 0xe59f2000, 0xe59ff000, plan.regs.r2, plan.regs.pc]).buffer));
    args.push('-device', `loader,file=${stub},addr=0x${stubAt.toString(16)},force-raw=on`, '-device', `loader,addr=0x${stubAt.toString(16)},cpu-num=0`);
    const port = await freePort();
    const child = spawn('qemu-system-arm', [...args, '-gdb', `tcp:127.0.0.1:${port}`, '-S'], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(child);
    return { port, done: new Promise((r) => child.on('close', r)) };
  }

  test('break in start_kernel: the same registers and memory as QEMU; stepi; unmapped memory is an error; kill ends the run (137)', async () => {
    requireTool('gdb-multiarch', 'gdb-multiarch');
    requireTool('qemu-system-arm', 'qemu-system-arm');
    const sk = startKernel();
    const hex = (v: number) => `0x${v.toString(16)}`;
    const script = [`break *${hex(sk)}`, 'continue', 'info registers', `x/4xw ${hex(sk)}`, 'x/4xw 0x1000', 'stepi', 'info registers pc', 'kill'];

    const a = await bootUnderGdb(['--kernel', image(), '--initrd', initrd(), '--append', APPEND, '--clock', 'icount']);
    const ours = await gdb(a.port, script);
    const run = await a.done;
    const q = await qemuUnderGdb();
    const theirs = await gdb(q.port, script);
    await q.done;

    expect(ours).toContain(`Breakpoint 1, ${hex(sk)} in ?? ()`);
    const regs = registers(ours);
    expect(regs.pc).toBe(sk);
    expect(regs.cpsr & 0x1f).toBe(0x13); // SVC
    expect(regs.cpsr & 0xc0).toBe(0xc0); // IRQ and FIQ masked this early
    expect(registers(theirs)).toEqual(regs);
    // The code at start_kernel is the Image's bytes: the kernel maps RAM at 0xc0000000.
    const code = words(ours, sk);
    expect(code).toHaveLength(4);
    expect(words(theirs, sk)).toEqual(code);
    const img = readFileSync(image());
    const loadedAt = imagePlan().blobs.find((b) => b.what === 'kernel')!.addr;
    const off = sk - 0xc0000000 - (loadedAt - VIRT_MAP.ramBase);
    expect(code).toEqual([0, 1, 2, 3].map((i) => img.readUInt32LE(off + 4 * i)));
    expect(ours).toContain('Cannot access memory at address 0x1000');
    // stepi: start_kernel's first instruction is a push, so the pc moves on by one instruction.
    const pcs = [...ours.matchAll(/^pc\s+0x([0-9a-f]+)/gm)].map((x) => parseInt(x[1], 16));
    expect(pcs).toEqual([sk, sk + 4]);
    expect([...theirs.matchAll(/^pc\s+0x([0-9a-f]+)/gm)].map((x) => parseInt(x[1], 16))).toEqual(pcs);
    expect(ours).toContain('[Inferior 1 (Remote target) killed]');
    expect(run.status).toBe(137);
    expect(run.stderr).toMatch(/^armvisor: waiting for gdb on localhost:\d+\narmvisor: guest killed by gdb\n$/);
  });

  test('Ctrl-C stops the running kernel (T02); after a detach it runs on (to its --timeout)', async () => {
    const a = await bootUnderGdb(['--kernel', image(), '--initrd', initrd(), '--append', APPEND, '--timeout', '1']);
    const sock = net.connect(a.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const dec = new PacketDecoder(1 << 20);
    const replies: string[] = [];
    let wake: (() => void) | null = null;
    sock.on('data', (b: Buffer) => {
      for (const e of dec.push(b)) if (e.type === 'packet') replies.push(e.payload);
      wake?.();
    });
    const next = async (): Promise<string> => {
      while (!replies.length) await new Promise<void>((r) => (wake = r));
      return replies.shift()!;
    };
    const send = (p: string) => sock.write(framePacket(p), 'latin1');
    send('c');
    await new Promise((r) => setTimeout(r, 300));
    sock.write('\x03');
    const stop = /^T02f:([0-9a-f]{8});thread:01;$/.exec(await next());
    expect(stop).not.toBeNull();
    send('p10'); // cpsr: a valid mode of the running kernel
    const cpsr = u32(Buffer.from(await next(), 'hex'));
    expect([0x10, 0x11, 0x12, 0x13, 0x17, 0x1b, 0x1f]).toContain(cpsr & 0x1f);
    send('D');
    expect(await next()).toBe('OK');
    const run = await a.done;
    expect(run.status).toBe(124);
    expect(run.stderr).toContain('armvisor: guest did not finish within 1 s');
    sock.destroy();
  });

  test('a busy port is one line and exit 1', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as net.AddressInfo).port;
    try {
      const r = await runProcess(process.execPath, [armvisorMain(), 'boot', '--kernel', image(), '--gdb', String(port)], { timeoutMs: 30_000 });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([`armvisor: --gdb ${port}: cannot listen on localhost:${port}: the port is already in use`]);
    } finally {
      s.close();
    }
  });
});
