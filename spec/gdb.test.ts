// `armvisor run --gdb PORT` end to end: Debian's gdb-multiarch drives it in batch mode (break,
// continue, registers, memory, stepi, VFP registers, the exit), and the same gdb script
// against `qemu-arm -g PORT` must see the same values. Plus the command line's edges: a bad or
// busy port, gdb disconnecting (the program runs on), k, Ctrl-C over a raw socket.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { armvisorMain, guestPath, runProcess, type RunResult } from '../bench/guestrun.js';
import { elfSymbols } from '../runtime/symbols.js';
import { PacketDecoder, framePacket } from '../runtime/gdb/packet.js';
import { guestEnv, requireFile } from './helpers/differential.js';

/** A port nothing listens on right now (qemu-arm needs a number). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** Every emulator a test started: killed after each test, so a failure cannot leave one running. */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Debuggee {
  port: number;
  /** The emulator's whole run. */
  result: Promise<RunResult>;
  child: ChildProcess;
}

/** Collects a child's output into a RunResult-like record. */
function collect(child: ChildProcess): Promise<RunResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const t0 = Date.now();
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  return new Promise((resolve) =>
    child.on('close', (code, signal) =>
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString(), status: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), timedOut: false, ms: Date.now() - t0 }),
    ),
  );
}

/** `armvisor run --gdb 0 PROG`: waits for its "waiting for gdb on localhost:PORT" line. */
async function armvisorUnderGdb(prog: string, args: string[] = [], flags: string[] = []): Promise<Debuggee> {
  requireFile(armvisorMain(), 'armvisor CLI (dist/cli/main.js)');
  const child = spawn(process.execPath, [armvisorMain(), 'run', '--gdb', '0', ...flags, prog, ...args], { env: guestEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const result = collect(child);
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`armvisor never said it was waiting for gdb: ${text}`)), 30_000);
    child.stderr!.on('data', (b: Buffer) => {
      text += b.toString();
      const m = /waiting for gdb on localhost:(\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void result.then(() => reject(new Error(`armvisor ended before gdb connected: ${text}`)));
  });
  return { port, result, child };
}

/** `qemu-arm -cpu cortex-a15 -g PORT PROG` (gdb retries its connection while qemu starts). */
async function qemuUnderGdb(prog: string, args: string[] = []): Promise<Debuggee> {
  const port = await freePort();
  const child = spawn('qemu-arm', ['-cpu', 'cortex-a15', '-g', String(port), prog, ...args], { env: guestEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return { port, result: collect(child), child };
}

/** gdb-multiarch in batch mode on PROG's symbols, connected to PORT, running `cmds`. */
async function gdb(prog: string, port: number, cmds: string[]): Promise<string> {
  const args = ['-nx', '-batch', '-ex', 'set pagination off', prog, '-ex', `target remote 127.0.0.1:${port}`];
  for (const c of cmds) args.push('-ex', c);
  const r = await runProcess('gdb-multiarch', args, { env: guestEnv(), timeoutMs: 90_000 });
  if (r.timedOut) throw new Error(`gdb-multiarch timed out:\n${r.stdout}${r.stderr}`);
  return r.stdout.toString() + r.stderr;
}

/** Runs one gdb script against armvisor and against qemu-arm (one after the other). */
async function bothUnderGdb(prog: string, cmds: string[]) {
  const a = await armvisorUnderGdb(prog);
  const aOut = await gdb(prog, a.port, cmds);
  const aRun = await a.result;
  const q = await qemuUnderGdb(prog);
  const qOut = await gdb(prog, q.port, cmds);
  const qRun = await q.result;
  return { a: { gdb: aOut, run: aRun }, q: { gdb: qOut, run: qRun } };
}

const hex = (s: string) => parseInt(s, 16) >>> 0;

/** `info registers` lines: name → value. */
function registers(out: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const [, name, v] of out.matchAll(/^(r\d+|sp|lr|pc|cpsr|fpscr)\s+0x([0-9a-f]+)\s/gm)) if (!m.has(name)) m.set(name, hex(v));
  return m;
}

/** `p $x` results in order. */
const printed = (out: string) => [...out.matchAll(/^\$\d+ = (.*)$/gm)].map((m) => m[1]);

function requireGdb(): void {
  if (!fs.existsSync('/usr/bin/gdb-multiarch')) throw new Error('gdb-multiarch not found: run `npm test` (its pretest step runs scripts/setup-tools.sh)');
}

/**
 * Both emulators' stacks lie at different addresses (ours below 0xbf000000, qemu-arm's
 * elsewhere); a value within 1 MiB of sp is compared as an offset from sp.
 */
function normalize(v: number, sp: number): string {
  return Math.abs(v - sp) < 0x100000 ? `sp${v - sp >= 0 ? '+' : ''}${v - sp}` : `0x${v.toString(16)}`;
}

for (const isa of ['arm', 'thumb'] as const) {
  describe(`gdb-multiarch against armvisor run --gdb, ${isa}`, () => {
    test(`demo-${isa}: break main, registers, memory, stepi, d0, the exit — as under qemu-arm -g`, async () => {
      requireGdb();
      const prog = guestPath('demo', isa);
      requireFile(prog, 'demo guest');
      const main = elfSymbols(fs.readFileSync(prog)).addressOf('main')!;
      const cmds = ['break main', 'continue', 'info registers', 'p $pc', 'x/4x $sp', 'stepi', 'p $pc', 'info registers d0', 'continue'];
      const { a, q } = await bothUnderGdb(prog, cmds);

      // The breakpoint is at main (after its prologue) and is where the program stopped.
      const at = /Breakpoint 1 at 0x([0-9a-f]+)/.exec(a.gdb);
      expect(at).not.toBeNull();
      const bp = hex(at![1]);
      expect(bp - main).toBeGreaterThanOrEqual(0);
      expect(bp - main).toBeLessThan(0x40);
      expect(a.gdb).toMatch(new RegExp(`Breakpoint 1, 0x0*${bp.toString(16)} in main \\(\\)`));
      const ra = registers(a.gdb);
      const rq = registers(q.gdb);
      expect(ra.get('pc')).toBe(bp);
      expect(ra.get('cpsr')! & 0x20).toBe(isa === 'thumb' ? 0x20 : 0);
      expect(ra.get('cpsr')! & 0x1f).toBe(0x10); // user mode
      // Every core register as qemu-arm has it (stack addresses relative to sp).
      const names = [...Array.from({ length: 13 }, (_, i) => `r${i}`), 'sp', 'lr', 'pc', 'cpsr', 'fpscr'];
      // CPSR.GE (bits 19:16) is left by glibc's string routines (UADD8/SEL) run over data that
      // includes AT_RANDOM's bytes, which differ from run to run: masked.
      const value = (r: Map<string, number>, n: string) => (n === 'cpsr' ? r.get(n)! & ~0x000f0000 : r.get(n)!);
      const norm = (r: Map<string, number>) => names.map((n) => `${n}=${r.has(n) ? normalize(value(r, n), r.get('sp')!) : 'missing'}`);
      expect(norm(ra)).toEqual(norm(rq));
      // p $pc before and after stepi: the breakpoint, then the next instruction, as on qemu.
      const pa = printed(a.gdb);
      expect(pa[0]).toMatch(new RegExp(`0x${bp.toString(16)} <main\\+\\d+>`));
      expect(pa[1]).toBe(printed(q.gdb)[1]);
      const stepped = hex(/0x([0-9a-f]+) <main\+\d+>/.exec(pa[1])![1]);
      expect([2, 4]).toContain(stepped - bp);
      if (isa === 'arm') expect(stepped - bp).toBe(4);
      // x/4x $sp: the same words.
      const words = (out: string) => /^0x[0-9a-f]+:\s+(0x\S+)\s+(0x\S+)\s+(0x\S+)\s+(0x\S+)/m.exec(out)!.slice(1).map(hex);
      expect(words(a.gdb).map((w) => normalize(w, ra.get('sp')!))).toEqual(words(q.gdb).map((w) => normalize(w, rq.get('sp')!)));
      // d0 is a double (qemu-arm's NEON description shows it as a vector: not compared here).
      expect(a.gdb).toMatch(/^d0\s+\S+\s+\(raw 0x[0-9a-f]{16}\)$/m);
      // The run goes on to its end: gdb sees the exit, the program printed what it prints.
      expect(a.gdb).toMatch(/\[Inferior 1 \(.*\) exited normally\]/);
      expect(a.run.status).toBe(0);
      expect(a.run.stdout.toString()).toBe(q.run.stdout.toString());
      expect(a.run.stdout.toString()).toContain('Goodbye.');
    });

    test(`bploop-${isa}: 501 stops at bump under the JIT, r4 and d0 as under qemu-arm -g`, async () => {
      requireGdb();
      const prog = guestPath('bploop', isa);
      requireFile(prog, 'bploop guest');
      const cmds = ['break bump', 'continue', 'continue 500', 'p $r4', 'p $d0', 'info breakpoints', 'delete', 'continue'];
      const { a, q } = await bothUnderGdb(prog, cmds);
      const [r4, d0] = printed(a.gdb);
      const [qr4, qd0] = printed(q.gdb);
      expect(r4).toBe(qr4);
      // qemu-arm describes d0 as a NEON vector; its f64 member is the double.
      expect(d0).toBe(/f64 = ([^,}]+)/.exec(qd0)![1]);
      // The 501st entry (k = 500): r4 = k and d0 = 1 + k/2 at bump; one more of each when gdb's
      // prologue analysis put `break bump` past the adds and the vadd (Thumb: at the IT).
      expect([500, 501]).toContain(Number(r4));
      expect(Number(d0)).toBe(1 + 0.5 * Number(r4));
      expect(a.gdb).toContain('breakpoint already hit 501 times');
      expect(a.gdb).toMatch(/exited with code 0160/); // (3000 + 3000) & 0xff = 112, in octal
      expect(a.run.status).toBe(112);
    });
  });
}

/** A bare-bones gdb client on a socket: sends packets, collects replies. */
async function rawClient(port: number) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const dec = new PacketDecoder(1 << 20);
  const replies: string[] = [];
  let waiters: (() => void)[] = [];
  sock.on('data', (b: Buffer) => {
    for (const e of dec.push(b)) if (e.type === 'packet') replies.push(e.payload);
    for (const w of waiters) w();
    waiters = [];
  });
  const next = async (): Promise<string> => {
    while (!replies.length) await new Promise<void>((r) => waiters.push(r));
    return replies.shift()!;
  };
  return { sock, send: (p: string) => sock.write(framePacket(p), 'latin1'), raw: (s: string) => sock.write(s, 'latin1'), next };
}

describe('armvisor run --gdb: the command line', () => {
  const run = (args: string[]) => runProcess(process.execPath, [armvisorMain(), 'run', ...args], { env: guestEnv(), timeoutMs: 30_000 });

  test('a port that is not a number is one line and exit 1', async () => {
    for (const bad of ['abc', '70000', '-1', '']) {
      const r = await run(['--gdb', bad, guestPath('bploop', 'arm')]);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([`armvisor: --gdb ${bad}: expected a TCP port number (1-65535, or 0 for any free port)`]);
    }
  });

  test('a busy port is one line and exit 1', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as net.AddressInfo).port;
    try {
      const r = await run(['--gdb', String(port), guestPath('bploop', 'arm')]);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([`armvisor: --gdb ${port}: cannot listen on localhost:${port}: the port is already in use`]);
    } finally {
      s.close();
    }
  });

  test('gdb going away (the socket closes) lets the program run to its end', async () => {
    const d = await armvisorUnderGdb(guestPath('demo', 'thumb'));
    const c = await rawClient(d.port);
    c.send('qC');
    expect(await c.next()).toBe('QC01');
    c.sock.end();
    const r = await d.result;
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain('Goodbye.');
  });

  test('gdb detach lets the program run to its end', async () => {
    const prog = guestPath('demo', 'arm');
    const d = await armvisorUnderGdb(prog);
    const out = await gdb(prog, d.port, ['break main', 'continue', 'detach']);
    expect(out).toContain('Breakpoint 1,');
    expect(out).toMatch(/\[Inferior 1 \(.*\) detached\]/);
    const r = await d.result;
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain('Goodbye.');
  });

  test('Ctrl-C stops a running program (T02); k kills it (exit 137)', async () => {
    const d = await armvisorUnderGdb(guestPath('nbody', 'arm'), ['100000000']);
    const c = await rawClient(d.port);
    c.send('vCont;c');
    await new Promise((r) => setTimeout(r, 300));
    c.raw('\x03');
    const stop = /^T02f:([0-9a-f]{8});thread:01;$/.exec(await c.next());
    expect(stop).not.toBeNull();
    // It is really stopped where it says: the pc reads back the same.
    c.send('pf');
    expect(await c.next()).toBe(stop![1]);
    c.send('c');
    await new Promise((r) => setTimeout(r, 100));
    c.raw('\x03');
    expect(await c.next()).toMatch(/^T02/);
    c.send('k');
    const r = await d.result;
    expect(r.status).toBe(137);
    expect(r.stderr).toContain('armvisor: program killed by gdb');
  });
});
