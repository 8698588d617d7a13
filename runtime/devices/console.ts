// The host side of the emulated UART: stdin into the guest, the guest's output to stdout.
// When stdin is a terminal it is put in raw mode (every key goes to the guest, Ctrl-C
// included) and QEMU's escape applies: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A,
// Ctrl-A b sends a break, Ctrl-A h prints the keys; the terminal mode is restored on close()
// and at process exit. When stdin is not a terminal, bytes pass through untouched (pipes, so
// scripts can drive the guest). Output is buffered and written with writeSync: at each newline,
// when 4 KiB accumulate, at flush(), and on the next event-loop turn.
import { writeSync } from 'node:fs';

export const CTRL_A = 0x01;

export interface EscapeResult {
  /** Bytes for the guest. */
  data: number[];
  quit: boolean;
  /** Ctrl-A b: send a break. */
  brk: boolean;
  /** Ctrl-A h: print the help line. */
  help: boolean;
}

/** QEMU's Ctrl-A escape over a byte stream; the prefix may end one chunk and its command
 *  begin the next. Unknown commands are dropped, as in QEMU. */
export class EscapeFilter {
  private prefix = false;

  feed(chunk: ArrayLike<number>): EscapeResult {
    const r: EscapeResult = { data: [], quit: false, brk: false, help: false };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (!this.prefix) {
        if (b === CTRL_A) this.prefix = true;
        else r.data.push(b);
        continue;
      }
      this.prefix = false;
      if (b === CTRL_A) r.data.push(CTRL_A);
      else if (b === 0x78 /* x */ || b === 0x58) {
        r.quit = true;
        break;
      } else if (b === 0x62 /* b */) r.brk = true;
      else if (b === 0x68 /* h */ || b === 0x3f) r.help = true;
    }
    return r;
  }
}

/** Where the guest's console goes and what feeds it (the UART's host side). */
export interface ConsoleGuest {
  receive(bytes: ArrayLike<number>): void;
  sendBreak(): void;
}

export interface HostConsoleOptions {
  input?: NodeJS.ReadStream;
  outputFd?: number;
  /** Called on Ctrl-A x (terminal mode only). */
  onQuit: () => void;
}

const HELP = 'C-a x    exit\r\nC-a b    send break\r\nC-a C-a  send C-a\r\nC-a h    this help\r\n';

export class HostConsole {
  readonly input: NodeJS.ReadStream;
  readonly outputFd: number;
  /** stdin is a terminal: raw mode and the Ctrl-A escape. */
  readonly terminal: boolean;
  private readonly escape = new EscapeFilter();
  private buf = Buffer.allocUnsafe(4096);
  private len = 0;
  private flushQueued = false;
  private guest: ConsoleGuest | undefined;
  private readonly onData = (chunk: Buffer) => this.fromHost(chunk);
  private readonly restore = () => this.restoreMode();
  private closed = false;

  constructor(private readonly opts: HostConsoleOptions) {
    this.input = opts.input ?? process.stdin;
    this.outputFd = opts.outputFd ?? 1;
    this.terminal = this.input.isTTY === true;
  }

  /** Starts feeding host input to `guest`. */
  attach(guest: ConsoleGuest): void {
    this.guest = guest;
    if (this.terminal) {
      this.input.setRawMode(true);
      process.on('exit', this.restore);
    }
    this.input.on('data', this.onData);
    this.input.resume();
  }

  private fromHost(chunk: Buffer): void {
    const g = this.guest;
    if (g === undefined) return;
    if (!this.terminal) {
      g.receive(chunk);
      return;
    }
    const r = this.escape.feed(chunk);
    if (r.data.length) g.receive(r.data);
    if (r.brk) g.sendBreak();
    if (r.help) writeAll(2, Buffer.from(HELP));
    if (r.quit) this.opts.onQuit();
  }

  /** One byte of guest output. */
  write(byte: number): void {
    this.buf[this.len++] = byte;
    if (byte === 0x0a || this.len === this.buf.length) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => {
        this.flushQueued = false;
        this.flush();
      });
    }
  }

  flush(): void {
    if (this.len === 0) return;
    writeAll(this.outputFd, this.buf.subarray(0, this.len));
    this.len = 0;
  }

  /** Flushes output, stops reading input and restores the terminal. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    this.input.off('data', this.onData);
    this.input.pause();
    this.restoreMode();
    process.off('exit', this.restore);
  }

  private restoreMode(): void {
    if (this.terminal && this.input.isRaw) this.input.setRawMode(false);
  }
}

/** writeSync until everything is written; a non-blocking pipe that is full is retried, and
 *  output to a reader that went away (EPIPE) is dropped. */
function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
