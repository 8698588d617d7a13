// Packet framing of GDB's remote serial protocol (GDB manual, "Overview" of the Remote
// Protocol): `$payload#xx`, xx the modulo-256 sum of the payload's bytes as two hex digits;
// `+`/`-` acknowledge a packet (until QStartNoAckMode); a lone 0x03 byte is an interrupt.
// Inside a payload, `}` escapes the next byte (sent XOR 0x20) and `c*n` repeats c another
// n-29 times (run-length encoding). Payloads are handled as latin1 strings: one char a byte.

import { hex2 } from './hex.js';

/** Bytes that must be escaped in a payload: `#`, `$`, `}`, and `*` (which would start a run). */
const MUST_ESCAPE = new Set([0x23, 0x24, 0x7d, 0x2a]);
const ESCAPE = 0x7d;
const RUN = 0x2a;
/** Largest repeat a run can say: count char '~' (126) - 29. */
const MAX_RUN = 126 - 29;

/** Sum of the bytes of `s` modulo 256. */
export function checksum(s: string): number {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s.charCodeAt(i);
  return sum & 0xff;
}

/** Escapes and run-length encodes a payload (GDB accepts both from a stub). */
export function encodePayload(payload: string, runLength = true): string {
  let out = '';
  let i = 0;
  while (i < payload.length) {
    const c = payload.charCodeAt(i);
    if (c > 0xff) throw new RangeError('payload is not a byte string');
    if (MUST_ESCAPE.has(c)) {
      out += '}' + String.fromCharCode(c ^ 0x20);
      i++;
      continue;
    }
    let n = 1;
    while (i + n < payload.length && payload.charCodeAt(i + n) === c) n++;
    out += payload[i];
    let extra = n - 1;
    while (runLength && extra >= 3) {
      // The count char must not be '#' or '$' (repeats 6 and 7): say 5 and go on.
      let k = Math.min(extra, MAX_RUN);
      if (k === 6 || k === 7) k = 5;
      out += '*' + String.fromCharCode(k + 29);
      extra -= k;
    }
    out += payload[i].repeat(extra);
    i += n;
  }
  return out;
}

/** A complete packet `$...#xx` for a payload. */
export function framePacket(payload: string, runLength = true): string {
  const body = encodePayload(payload, runLength);
  return `$${body}#${hex2(checksum(body))}`;
}

/** Undoes escapes and runs; null when the body is malformed (dangling `}`, a run with nothing to repeat, a bad count). */
export function decodePayload(body: string): string | null {
  const out: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === ESCAPE) {
      if (i + 1 >= body.length) return null;
      out.push(String.fromCharCode(body.charCodeAt(++i) ^ 0x20));
    } else if (c === RUN) {
      if (out.length === 0 || i + 1 >= body.length) return null;
      const n = body.charCodeAt(++i) - 29;
      if (n < 3 || n > MAX_RUN) return null;
      const last = out[out.length - 1];
      out.push(last[last.length - 1].repeat(n));
    } else {
      out.push(body[i]);
    }
  }
  return out.join('');
}

/** What the decoder found in the byte stream. */
export type WireEvent =
  | { type: 'packet'; payload: string }
  /** A packet whose checksum, escapes or length were wrong: answer `-` (in ack mode). */
  | { type: 'bad'; why: string }
  | { type: 'ack' }
  | { type: 'nack' }
  | { type: 'interrupt' };

/**
 * Splits the incoming byte stream into packets, acks and interrupts. Bytes outside a packet
 * other than `+`, `-`, 0x03 and `$` are ignored; a `$` inside a packet starts it over (as
 * GDB's own reader does).
 */
export class PacketDecoder {
  private state: 'idle' | 'body' | 'sum1' | 'sum2' = 'idle';
  private body: string[] = [];
  private bodyLen = 0;
  private sum = '';

  constructor(
    /** Longest packet body accepted (bytes between `$` and `#`); PacketSize in qSupported. */
    readonly maxBody: number,
  ) {}

  /** Feeds bytes; returns the events they complete, in order. */
  push(chunk: Uint8Array): WireEvent[] {
    const ev: WireEvent[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'idle':
          if (b === 0x24) this.start();
          else if (b === 0x2b) ev.push({ type: 'ack' });
          else if (b === 0x2d) ev.push({ type: 'nack' });
          else if (b === 0x03) ev.push({ type: 'interrupt' });
          break;
        case 'body':
          if (b === 0x24) this.start();
          else if (b === 0x23) this.state = 'sum1';
          else if (this.bodyLen >= this.maxBody) {
            this.state = 'idle';
            ev.push({ type: 'bad', why: `packet longer than ${this.maxBody} bytes` });
          } else {
            this.body.push(String.fromCharCode(b));
            this.bodyLen++;
          }
          break;
        case 'sum1':
        case 'sum2':
          // '$' is never a checksum digit: the unfinished packet is bad and a new one starts.
          if (b === 0x24) {
            ev.push({ type: 'bad', why: 'packet cut short by a new one' });
            this.start();
          } else if (this.state === 'sum1') {
            this.sum = String.fromCharCode(b);
            this.state = 'sum2';
          } else {
            this.state = 'idle';
            ev.push(this.finish(this.sum + String.fromCharCode(b)));
          }
          break;
      }
    }
    return ev;
  }

  private start(): void {
    this.state = 'body';
    this.body = [];
    this.bodyLen = 0;
  }

  private finish(sumText: string): WireEvent {
    const body = this.body.join('');
    this.body = [];
    if (!/^[0-9a-fA-F]{2}$/.test(sumText)) return { type: 'bad', why: `checksum '${sumText}' is not hex` };
    if (parseInt(sumText, 16) !== checksum(body)) return { type: 'bad', why: 'checksum mismatch' };
    const payload = decodePayload(body);
    if (payload === null) return { type: 'bad', why: 'malformed escape or run-length encoding' };
    return { type: 'packet', payload };
  }
}
