// The commands of GDB's remote protocol (GDB manual, "Packets", "General Query Packets",
// "Stop Reply Packets"), answered against a GdbTarget while it is stopped. A command either
// has a reply at once, or resumes the target (the stop reply comes when it stops again), or
// ends the session. One thread (id 1), all-stop; anything not supported gets the empty reply,
// which GDB reads as "not supported".

import { fromHex, hex2, parseHexNumber, toHex } from './hex.js';
import { GdbSignal, type GdbTarget, type StopEvent } from './target.js';

export type Action =
  /** Send this reply; `noAck`: then leave acknowledgement mode (QStartNoAckMode). */
  | { kind: 'reply'; payload: string; noAck?: boolean }
  /** Run the target (one instruction when `step`); the stop reply follows the stop. */
  | { kind: 'resume'; step: boolean }
  /** Reply OK, clear the breakpoints and let the program run on without gdb. */
  | { kind: 'detach' }
  /** End the program; send `reply` first when there is one (vKill wants OK, k nothing). */
  | { kind: 'kill'; reply: string | null };

/** Errors as GDB stubs spell them: E + errno (QEMU's choices). */
export const E_FAULT = 'E14';
export const E_INVAL = 'E22';

const reply = (payload: string): Action => ({ kind: 'reply', payload });

/** Our one thread; gdb may also name it 0 (any) or -1 (all). */
function isOurThread(id: string): boolean {
  return id === '-1' || id === '0' || (/^[0-9a-fA-F]{1,8}$/.test(id) && parseInt(id, 16) === 1);
}

export class GdbSession {
  /** Software (Z0) and hardware (Z1) breakpoints: both stop the target the same way. */
  readonly sw = new Set<number>();
  readonly hw = new Set<number>();
  /** Stop-reason features gdb announced in qSupported (swbreak, hwbreak). */
  private readonly gdbFeatures = new Set<string>();
  /** The last stop, for `?`. */
  lastStop: StopEvent = { kind: 'stopped', signal: GdbSignal.SIGTRAP };

  constructor(
    readonly target: GdbTarget,
    /** Largest packet body we accept (PacketSize); also bounds our replies to `m`. */
    readonly maxPacket: number,
  ) {}

  /** The answer to one packet payload. */
  handle(p: string): Action {
    switch (p[0]) {
      case '?':
        return reply(this.stopReply(this.lastStop));
      case 'q':
        return reply(this.query(p));
      case 'Q':
        return p === 'QStartNoAckMode' ? { kind: 'reply', payload: 'OK', noAck: true } : reply('');
      case 'H':
        return reply(isOurThread(p.slice(2)) && (p[1] === 'g' || p[1] === 'c') ? 'OK' : E_INVAL);
      case 'T':
        return reply(isOurThread(p.slice(1)) ? 'OK' : E_INVAL);
      case 'g':
        return reply(this.readAll());
      case 'G':
        return reply(this.writeAll(p.slice(1)));
      case 'p':
        return reply(this.readOne(p.slice(1)));
      case 'P':
        return reply(this.writeOne(p.slice(1)));
      case 'm':
        return reply(this.readMem(p.slice(1)));
      case 'M':
        return reply(this.writeMemHex(p.slice(1)));
      case 'X':
        return reply(this.writeMemBinary(p.slice(1)));
      case 'Z':
      case 'z':
        return reply(this.breakpoint(p[0] === 'Z', p.slice(1)));
      case 'c':
      case 's':
        return this.resumeAt(p[0] === 's', p.slice(1));
      case 'C':
      case 'S': {
        // C sig[;addr]: the signal is not passed to the program (not supported).
        const semi = p.indexOf(';');
        return this.resumeAt(p[0] === 'S', semi < 0 ? '' : p.slice(semi + 1));
      }
      case 'v':
        return this.vPacket(p);
      case 'k':
        return { kind: 'kill', reply: null };
      case 'D':
        return { kind: 'detach' };
      default:
        return reply('');
    }
  }

  /** A stop reply: T (stopped, with thread and PC), W (exited), X (terminated by a signal). */
  stopReply(ev: StopEvent): string {
    switch (ev.kind) {
      case 'exited':
        return `W${hex2(ev.status)}`;
      case 'signalled':
        return `X${hex2(ev.signal)}`;
      case 'stopped': {
        const pcn = this.target.registers.pc;
        let s = `T${hex2(ev.signal)}${pcn.toString(16)}:${toHex(this.target.readRegister(pcn))};thread:01;`;
        if (ev.breakpoint !== undefined) {
          if (this.hw.has(ev.breakpoint) && !this.sw.has(ev.breakpoint) && this.gdbFeatures.has('hwbreak')) s += 'hwbreak:;';
          else if (this.sw.has(ev.breakpoint) && this.gdbFeatures.has('swbreak')) s += 'swbreak:;';
        }
        return s;
      }
    }
  }

  private query(p: string): string {
    if (p.startsWith('qSupported')) {
      for (const f of p.slice('qSupported:'.length).split(';')) if (f.endsWith('+')) this.gdbFeatures.add(f.slice(0, -1));
      const feats = [`PacketSize=${this.maxPacket.toString(16)}`, 'qXfer:features:read+', 'QStartNoAckMode+', 'vContSupported+'];
      if (this.gdbFeatures.has('swbreak')) feats.push('swbreak+');
      if (this.gdbFeatures.has('hwbreak')) feats.push('hwbreak+');
      return feats.join(';');
    }
    if (p.startsWith('qXfer:features:read:')) return this.xferFeatures(p.slice('qXfer:features:read:'.length));
    if (p === 'qAttached' || p.startsWith('qAttached:')) return '1'; // gdb detaches (not kills) on quit
    if (p === 'qC') return 'QC01';
    if (p === 'qfThreadInfo') return 'm01';
    if (p === 'qsThreadInfo') return 'l';
    if (p === 'qOffsets') {
      const o = this.target.offsets?.() ?? { text: 0, data: 0 };
      return `Text=${o.text.toString(16)};Data=${o.data.toString(16)};Bss=${o.data.toString(16)}`;
    }
    if (p.startsWith('qSymbol:')) return 'OK'; // no symbols wanted
    return '';
  }

  /** qXfer:features:read:ANNEX:OFFSET,LENGTH → m<more> or l<last part>. */
  private xferFeatures(rest: string): string {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) return E_INVAL;
    const annex = rest.slice(0, colon);
    const range = this.addrLen(rest.slice(colon + 1));
    if (!range) return E_INVAL;
    if (annex !== 'target.xml') return 'E00';
    const xml = this.target.registers.targetXml;
    const [off, len] = range;
    if (off > xml.length) return E_INVAL;
    const part = xml.slice(off, off + Math.min(len, this.maxPacket - 1));
    return (off + part.length >= xml.length ? 'l' : 'm') + part;
  }

  private readAll(): string {
    let s = '';
    for (let n = 0; n < this.target.registers.sizes.length; n++) s += toHex(this.target.readRegister(n));
    return s;
  }

  private writeAll(hex: string): string {
    const sizes = this.target.registers.sizes;
    const bytes = fromHex(hex);
    if (!bytes || bytes.length !== sizes.reduce((a, b) => a + b, 0)) return E_INVAL;
    let off = 0;
    for (let n = 0; n < sizes.length; n++) {
      this.target.writeRegister(n, bytes.slice(off, off + sizes[n]));
      off += sizes[n];
    }
    return 'OK';
  }

  private regNumber(s: string): number | null {
    const n = parseHexNumber(s);
    return n !== null && n < this.target.registers.sizes.length ? n : null;
  }

  private readOne(arg: string): string {
    const n = this.regNumber(arg);
    return n === null ? E_INVAL : toHex(this.target.readRegister(n));
  }

  private writeOne(arg: string): string {
    const eq = arg.indexOf('=');
    const n = eq < 0 ? null : this.regNumber(arg.slice(0, eq));
    const v = eq < 0 ? null : fromHex(arg.slice(eq + 1));
    if (n === null || !v || v.length !== this.target.registers.sizes[n]) return E_INVAL;
    this.target.writeRegister(n, v);
    return 'OK';
  }

  /** "ADDR,LEN" as numbers; null when malformed or outside the 32-bit space. */
  private addrLen(s: string): [number, number] | null {
    const comma = s.indexOf(',');
    if (comma < 0) return null;
    const a = parseHexNumber(s.slice(0, comma));
    const l = parseHexNumber(s.slice(comma + 1));
    if (a === null || l === null || a > 0xffffffff) return null;
    return [a, l];
  }

  private readMem(arg: string): string {
    const al = this.addrLen(arg);
    if (!al) return E_INVAL;
    const [addr, len] = al;
    if (len === 0) return '';
    const n = Math.min(len, Math.floor((this.maxPacket - 4) / 2), 0x100000000 - addr);
    const data = this.target.readMemory(addr, n);
    return data.length ? toHex(data) : E_FAULT;
  }

  /** Splits "ADDR,LEN:DATA". */
  private memWrite(arg: string): [number, number, string] | null {
    const colon = arg.indexOf(':');
    if (colon < 0) return null;
    const al = this.addrLen(arg.slice(0, colon));
    return al ? [al[0], al[1], arg.slice(colon + 1)] : null;
  }

  private writeMemHex(arg: string): string {
    const w = this.memWrite(arg);
    const data = w && fromHex(w[2]);
    if (!w || !data || data.length !== w[1]) return E_INVAL;
    return this.target.writeMemory(w[0], data) ? 'OK' : E_FAULT;
  }

  private writeMemBinary(arg: string): string {
    const w = this.memWrite(arg);
    if (!w || w[2].length !== w[1]) return E_INVAL;
    if (w[1] === 0) return 'OK'; // gdb's probe for X support
    return this.target.writeMemory(w[0], Buffer.from(w[2], 'latin1')) ? 'OK' : E_FAULT;
  }

  /** Z/z TYPE,ADDR,KIND[;cond...]: types 0 (software) and 1 (hardware); watchpoints are not supported. */
  private breakpoint(insert: boolean, arg: string): string {
    const m = /^([0-4]),([0-9a-fA-F]{1,8}),([0-9a-fA-F]{1,8})(;.*)?$/.exec(arg);
    if (!m) return E_INVAL;
    const type = Number(m[1]);
    if (type > 1) return '';
    const addr = parseInt(m[2], 16) >>> 0;
    const set = type === 0 ? this.sw : this.hw;
    if (insert) set.add(addr);
    else set.delete(addr);
    this.target.setBreakpoints(new Set([...this.sw, ...this.hw]));
    return 'OK';
  }

  /** c/s [ADDR]: resume, at ADDR when given. */
  private resumeAt(step: boolean, addr: string): Action {
    if (addr) {
      const a = parseHexNumber(addr);
      if (a === null || a > 0xffffffff) return reply(E_INVAL);
      const pcn = this.target.registers.pc;
      const v = new Uint8Array(this.target.registers.sizes[pcn]);
      new DataView(v.buffer).setUint32(0, a, true);
      this.target.writeRegister(pcn, v);
    }
    return { kind: 'resume', step };
  }

  private vPacket(p: string): Action {
    if (p === 'vCont?') return reply('vCont;c;C;s;S');
    if (p.startsWith('vCont;')) {
      // The first action that applies to our thread wins (GDB manual, "vCont").
      for (const act of p.slice(6).split(';')) {
        const [what, thread] = act.split(':');
        if (thread !== undefined && !isOurThread(thread)) continue;
        if (what === 'c' || /^C[0-9a-fA-F]{2}$/.test(what)) return { kind: 'resume', step: false };
        if (what === 's' || /^S[0-9a-fA-F]{2}$/.test(what)) return { kind: 'resume', step: true };
        return reply(E_INVAL);
      }
      return reply(E_INVAL);
    }
    if (p.startsWith('vKill')) return { kind: 'kill', reply: 'OK' };
    return reply(''); // vMustReplyEmpty and everything else
  }
}
