// One gdb connection: the byte stream in (packets, acks, Ctrl-C), replies out, and the
// running of the target. While the target runs, it runs in slices of instructions with a
// turn of the event loop between them, so a Ctrl-C (0x03) or a closed connection is seen
// within one slice. Independent of sockets: the server feeds receive() and gives write().

import { GdbSession, type Action } from './commands.js';
import { PacketDecoder, framePacket } from './packet.js';
import type { GdbTarget, StopEvent } from './target.js';

/** How a gdb session ended. */
export type SessionEnd =
  /** The program ended while gdb watched (W or X was sent). */
  | { kind: 'ended'; stop: StopEvent }
  /** gdb detached or went away; the program is stopped and may run on. */
  | { kind: 'detached' }
  /** gdb killed the program (k, vKill). */
  | { kind: 'killed' };

export interface ConnectionOptions {
  /** Largest packet body accepted (PacketSize); default 16 KiB. */
  maxPacket?: number;
  /** Instructions in the first run slice; slices then adapt to about `sliceMs`. */
  slice?: number;
  sliceMs?: number;
  /** Log each packet in and out (debugging the stub). */
  log?: (line: string) => void;
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class GdbConnection {
  readonly session: GdbSession;
  /** Resolves when the session ends; rejects when the target throws. */
  readonly done: Promise<SessionEnd>;
  private resolveDone!: (e: SessionEnd) => void;
  private rejectDone!: (e: unknown) => void;
  private readonly decoder: PacketDecoder;
  private ackMode = true;
  private lastSent = '';
  private running = false;
  private interruptRequested = false;
  private gone = false;
  private finished = false;
  private readonly queue: string[] = [];
  private slice: number;
  private readonly sliceMs: number;

  constructor(
    readonly target: GdbTarget,
    private readonly write: (data: string) => void,
    readonly opts: ConnectionOptions = {},
  ) {
    const max = opts.maxPacket ?? 0x4000;
    this.session = new GdbSession(target, max);
    this.decoder = new PacketDecoder(max);
    this.slice = opts.slice ?? 100_000;
    this.sliceMs = opts.sliceMs ?? 20;
    this.done = new Promise((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
  }

  /** Bytes from gdb. */
  receive(chunk: Uint8Array): void {
    if (this.finished) return;
    for (const ev of this.decoder.push(chunk)) {
      switch (ev.type) {
        case 'ack':
          break;
        case 'nack':
          if (this.ackMode && this.lastSent) this.write(this.lastSent);
          break;
        case 'interrupt':
          if (this.running) this.interruptRequested = true;
          break;
        case 'bad':
          this.opts.log?.(`gdb: <- bad packet (${ev.why})`);
          if (this.ackMode) this.write('-');
          break;
        case 'packet':
          if (this.ackMode) this.write('+');
          this.opts.log?.(`gdb: <- ${ev.payload}`);
          this.queue.push(ev.payload);
          break;
      }
    }
    this.drain();
  }

  /** The connection closed: like a detach, the program runs on without gdb. */
  closed(): void {
    this.gone = true;
    if (!this.running) this.finish({ kind: 'detached' });
  }

  /** Handles queued packets while the target is stopped. */
  private drain(): void {
    while (!this.running && !this.finished && this.queue.length) {
      let a: Action;
      try {
        a = this.session.handle(this.queue.shift()!);
      } catch (e) {
        this.fail(e);
        return;
      }
      this.act(a);
    }
  }

  private act(a: Action): void {
    switch (a.kind) {
      case 'reply':
        this.send(a.payload);
        if (a.noAck) this.ackMode = false;
        break;
      case 'resume':
        this.running = true;
        void this.run(a.step).then(
          (stop) => this.stopped(stop),
          (e) => this.fail(e),
        );
        break;
      case 'detach':
        this.send('OK');
        this.finish({ kind: 'detached' });
        break;
      case 'kill':
        if (a.reply !== null) this.send(a.reply);
        this.target.kill();
        this.finish({ kind: 'killed' });
        break;
    }
  }

  private send(payload: string): void {
    this.opts.log?.(`gdb: -> ${payload.length > 200 ? payload.slice(0, 200) + '...' : payload}`);
    this.lastSent = framePacket(payload);
    this.write(this.lastSent);
  }

  /** Runs the target until it stops; null when gdb went away meanwhile. */
  private async run(step: boolean): Promise<StopEvent | null> {
    if (step) return this.target.step();
    for (;;) {
      if (this.gone) return null;
      if (this.interruptRequested) return this.target.interrupt();
      const t0 = performance.now();
      const ev = await this.target.resume(this.slice);
      if (ev) return ev;
      // Aim each slice at about sliceMs, so Ctrl-C stays prompt in any engine.
      const ms = performance.now() - t0;
      if (ms < this.sliceMs / 2 && this.slice < 1 << 24) this.slice *= 2;
      else if (ms > this.sliceMs * 2 && this.slice > 1000) this.slice = Math.floor(this.slice / 2);
      await yieldToEventLoop();
    }
  }

  private stopped(stop: StopEvent | null): void {
    this.running = false;
    this.interruptRequested = false;
    if (stop !== null && stop.kind !== 'stopped') {
      if (!this.gone) this.send(this.session.stopReply(stop));
      this.finish({ kind: 'ended', stop });
      return;
    }
    if (stop === null || this.gone) {
      this.finish({ kind: 'detached' });
      return;
    }
    this.session.lastStop = stop;
    this.send(this.session.stopReply(stop));
    this.drain();
  }

  private finish(end: SessionEnd): void {
    if (this.finished) return;
    this.finished = true;
    if (end.kind === 'detached') this.target.detach();
    this.resolveDone(end);
  }

  private fail(e: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.rejectDone(e);
  }
}
