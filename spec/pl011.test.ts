// The PL011 UART (ARM DDI 0183) at the register level, as Linux's amba-pl011 driver and its
// earlycon use it: the AMBA identification the bus probes, FR flags, transmission, the receive
// FIFO with and without FEN, trigger levels, RX/RT/TX interrupts and the combined line, ICR,
// loopback, break; and the host console's Ctrl-A escape and its pipe mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { Pl011 } from '../runtime/devices/pl011.js';
import { EscapeFilter, HostConsole } from '../runtime/devices/console.js';

const DR = 0x00, RSR = 0x04, FR = 0x18, IBRD = 0x24, FBRD = 0x28, LCR_H = 0x2c, CR = 0x30, IFLS = 0x34;
const IMSC = 0x38, RIS = 0x3c, MIS = 0x40, ICR = 0x44, DMACR = 0x48;
const RXFE = 0x10, TXFF = 0x20, RXFF = 0x40, TXFE = 0x80, BUSY = 0x08;
const RXI = 0x10, TXI = 0x20, RTI = 0x40, BEI = 0x200;
const FEN = 0x10, UARTEN = 1, TXE = 0x100, RXE = 0x200, LBE = 0x80;

function setup() {
  const out: number[] = [];
  let line = false;
  const levels: boolean[] = [];
  const u = new Pl011((b) => out.push(b), (l) => {
    line = l;
    levels.push(l);
  });
  const r = (off: number) => u.read(off, 4);
  const w = (off: number, v: number) => u.write(off, 4, v);
  /** Linux's pl011_startup in short: 8N1 with FIFOs, RX and RT interrupts unmasked, enabled. */
  const linuxStartup = () => {
    w(IBRD, 1);
    w(FBRD, 0);
    w(LCR_H, 0x60 | FEN);
    w(IFLS, 0x12); // RX 1/2, TX 1/2
    w(ICR, 0x7ff);
    w(IMSC, RXI | RTI);
    w(CR, UARTEN | TXE | RXE);
  };
  return { u, out, r, w, levels, line: () => line, linuxStartup };
}

describe('identification and reset', () => {
  test('AMBA PeriphID 0x00141011 (PL011 revision 1) and PCellID 0xb105f00d, as Linux reads them', () => {
    const { r } = setup();
    const id = (base: number) => [0, 1, 2, 3].reduce((v, i) => v | ((r(base + 4 * i) & 0xff) << (8 * i)), 0) >>> 0;
    const periph = id(0xfe0);
    const cell = id(0xff0);
    expect(cell).toBe(0xb105f00d);
    expect(periph).toBe(0x00141011);
    expect(periph & 0x000fffff).toBe(0x00041011); // amba-pl011's id table entry (ARM)
    expect((periph >> 20) & 0xf).toBe(1); // revision 1: 16-entry FIFOs
  });

  test('reset values: FR = TXFE|RXFE, CR = TXE|RXE, IFLS = 0x12, nothing pending', () => {
    const { r } = setup();
    expect(r(FR)).toBe(TXFE | RXFE);
    expect(r(CR)).toBe(TXE | RXE);
    expect(r(IFLS)).toBe(0x12);
    expect([r(IMSC), r(RIS), r(MIS), r(LCR_H), r(DMACR), r(RSR)]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('register widths', () => {
    const { r, w } = setup();
    w(IBRD, 0xfffff);
    w(FBRD, 0xff);
    w(IFLS, 0xff);
    w(IMSC, 0xffff);
    w(DMACR, 0xff);
    expect([r(IBRD), r(FBRD), r(IFLS), r(IMSC), r(DMACR)]).toEqual([0xffff, 0x3f, 0x3f, 0x7ff, 7]);
  });
});

describe('transmit', () => {
  test('bytes go out at once; TX FIFO never full or busy; TXRIS rises on a write, ICR clears it', () => {
    const { u, out, r, w, line } = setup();
    for (const c of 'hi\n') w(DR, c.charCodeAt(0) | 0x100);
    expect(Buffer.from(out).toString()).toBe('hi\n');
    expect(r(FR) & (TXFF | BUSY)).toBe(0);
    expect(r(FR) & TXFE).toBe(TXFE);
    expect(r(RIS) & TXI).toBe(TXI);
    expect(line()).toBe(false);
    w(IMSC, TXI);
    expect(line()).toBe(true);
    expect(r(MIS)).toBe(TXI);
    w(ICR, TXI);
    expect(line()).toBe(false);
    u.write(DR, 1, 0x41);
    u.write(DR, 2, 0x42);
    expect(out.slice(3)).toEqual([0x41, 0x42]);
  });

  test('loopback sends transmitted bytes to the receive FIFO', () => {
    const { out, r, w } = setup();
    w(CR, UARTEN | TXE | RXE | LBE);
    w(DR, 0x55);
    expect(out).toEqual([]);
    expect(r(FR) & RXFE).toBe(0);
    expect(r(DR)).toBe(0x55);
  });
});

describe('receive', () => {
  test('input waits while the UART is disabled, then enters the FIFO', () => {
    const { u, r, w } = setup();
    u.receive([0x61, 0x62]);
    expect(r(FR) & RXFE).toBe(RXFE);
    expect(u.pendingInput).toBe(2);
    w(CR, UARTEN | TXE | RXE);
    expect(r(FR) & RXFE).toBe(0);
    expect(r(FR) & RXFF).toBe(RXFF); // FIFOs disabled: one entry
    expect(r(DR)).toBe(0x61);
    expect(r(DR)).toBe(0x62);
    expect(r(FR) & RXFE).toBe(RXFE);
    expect(u.pendingInput).toBe(0);
  });

  test('FIFO of 16, RX at the trigger level, RT as soon as data arrives, both cleared by reading', () => {
    const { u, r, w, line, linuxStartup } = setup();
    linuxStartup();
    u.receive([1, 2, 3]);
    expect(r(RIS) & (RXI | RTI)).toBe(RTI); // 3 < 8: timeout only
    expect(line()).toBe(true);
    u.receive(Array.from({ length: 20 }, (_, i) => 4 + i));
    expect(r(FR) & RXFF).toBe(RXFF);
    expect(r(RIS) & RXI).toBe(RXI);
    const got: number[] = [];
    while (!(r(FR) & RXFE)) got.push(r(DR) & 0xff);
    expect(got).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    expect(r(RIS) & (RXI | RTI)).toBe(0);
    expect(line()).toBe(false);
  });

  test('ICR clears RT and RX; they come back with new data', () => {
    const { u, r, w, line, linuxStartup } = setup();
    linuxStartup();
    u.receive([0x30]);
    expect(line()).toBe(true);
    w(ICR, RTI | RXI);
    expect(line()).toBe(false);
    expect(r(FR) & RXFE).toBe(0);
    u.receive([0x31]);
    expect(line()).toBe(true);
  });

  test('turning FEN off and on keeps the received bytes in order', () => {
    const { u, r, w, linuxStartup } = setup();
    linuxStartup();
    u.receive([1, 2, 3, 4, 5]);
    expect(r(DR)).toBe(1);
    w(LCR_H, 0x60);
    expect(r(DR)).toBe(2);
    w(LCR_H, 0x60 | FEN);
    expect([r(DR), r(DR), r(DR)]).toEqual([3, 4, 5]);
  });

  test('a break reads as a zero byte with BE and raises BEIS', () => {
    const { u, r, w, linuxStartup } = setup();
    linuxStartup();
    w(IMSC, BEI);
    u.sendBreak();
    expect(r(RIS) & BEI).toBe(BEI);
    expect(r(DR)).toBe(0x400);
    expect(r(RSR)).toBe(0x4);
    w(RSR, 0);
    expect(r(RSR)).toBe(0);
  });

  test('property: any input split into any chunks is read back whole and in order', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }), fc.integer({ min: 0, max: 4 }), (chunks, lvl) => {
        const { u, r, w, linuxStartup } = setup();
        linuxStartup();
        w(IFLS, lvl << 3);
        const got: number[] = [];
        for (const c of chunks) {
          u.receive(c);
          // the guest reads a few bytes per interrupt
          for (let i = 0; i < 7 && !(r(FR) & RXFE); i++) got.push(r(DR));
        }
        while (!(r(FR) & RXFE)) got.push(r(DR));
        expect(got).toEqual(chunks.flatMap((c) => [...c]));
        expect(r(RIS) & (RXI | RTI)).toBe(0);
      }),
    );
  });
});

describe('host console', () => {
  test('Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A b breaks, across chunk boundaries', () => {
    const e = new EscapeFilter();
    expect(e.feed([0x61, 0x01, 0x01, 0x62])).toEqual({ data: [0x61, 0x01, 0x62], quit: false, brk: false, help: false });
    expect(e.feed([0x63, 0x01])).toEqual({ data: [0x63], quit: false, brk: false, help: false });
    expect(e.feed([0x62, 0x01, 0x7a, 0x64])).toEqual({ data: [0x64], quit: false, brk: true, help: false }); // C-a z: dropped
    const q = e.feed([0x65, 0x01, 0x78, 0x66]);
    expect(q.quit).toBe(true);
    expect(q.data).toEqual([0x65]);
  });

  // On a real terminal (a pty from util-linux's `script`), with the built console module.
  const built = resolve('dist/runtime/devices/console.js');
  const hasScript = spawnSync('script', ['--version']).status === 0;
  (hasScript ? test : test.skip)('terminal mode: raw input, Ctrl-A escapes, the mode restored on close', async () => {
    if (!existsSync(built)) throw new Error(`${built} not found: run \`npm test\` (its pretest step builds dist/)`);
    const dir = mkdtempSync(join(tmpdir(), 'armvisor-tty-'));
    let p: ReturnType<typeof spawn> | undefined;
    try {
      const child = join(dir, 'child.mjs');
      writeFileSync(
        child,
        `import { HostConsole } from ${JSON.stringify(built)};
const got = [];
const con = new HostConsole({ onQuit: () => {
  const raw = process.stdin.isRaw;
  con.close();
  process.stdout.write('QUIT ' + JSON.stringify(got) + ' raw-before=' + raw + ' raw-after=' + process.stdin.isRaw + ' tty=' + con.terminal + '\\n');
  process.exit(0);
} });
con.attach({ receive: (b) => got.push(...b), sendBreak: () => got.push('BRK') });
process.stdout.write('READY\\n');
`,
      );
      p = spawn('script', ['-qfec', `${process.execPath} ${child}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      const done = new Promise<void>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`no QUIT from the child; output: ${JSON.stringify(out)}`)), 20000);
        p!.stdout!.on('data', (d: Buffer) => {
          const before = out;
          out += d.toString('latin1');
          if (!before.includes('READY') && out.includes('READY')) p!.stdin!.write(Buffer.from([0x61, 0x03, 0x01, 0x01, 0x01, 0x62, 0x01, 0x78, 0x7a]));
          if (/QUIT .*tty=\w+/.test(out)) {
            clearTimeout(t);
            res();
          }
        });
      });
      const exited = new Promise((res) => p!.once('exit', res));
      await done;
      p.stdin!.end();
      await exited; // the child exits on C-a x, and `script` with it
      // Ctrl-C (0x03) reaches the guest; C-a C-a is one C-a; C-a b is a break; C-a x quits
      expect(out).toMatch(/QUIT \[97,3,1,"BRK"\] raw-before=true raw-after=false tty=true/);
    } finally {
      if (p && p.exitCode === null) p.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('pipe mode: bytes pass through untouched (Ctrl-A included); output is written to the fd', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'armvisor-console-'));
    try {
      const file = join(dir, 'out');
      const fd = openSync(file, 'w');
      const input = new PassThrough() as unknown as NodeJS.ReadStream;
      let quit = false;
      const con = new HostConsole({ input, outputFd: fd, onQuit: () => (quit = true) });
      expect(con.terminal).toBe(false);
      const { u, r, out, linuxStartup } = setup();
      linuxStartup();
      con.attach(u);
      (input as unknown as PassThrough).write(Buffer.from([0x01, 0x78, 0x41]));
      await new Promise((res) => setImmediate(res));
      expect([r(DR), r(DR), r(DR)]).toEqual([0x01, 0x78, 0x41]);
      expect(quit).toBe(false);
      for (const b of Buffer.from('no newline')) con.write(b);
      await new Promise((res) => setImmediate(res)); // flushed on the next turn
      expect(readFileSync(file, 'latin1')).toBe('no newline');
      for (const b of Buffer.from(' then\n')) con.write(b);
      expect(readFileSync(file, 'latin1')).toBe('no newline then\n');
      con.close();
      closeSync(fd);
      expect(out).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
