// The gdb stub's command handlers (runtime/gdb/commands.ts) and connection
// (runtime/gdb/connection.ts) against a fake target: every packet we support, the target
// description, acks and no-ack mode, running with Ctrl-C, the ends of a session.

import fc from 'fast-check';
import { GdbSession } from '../runtime/gdb/commands.js';
import { GdbConnection, type SessionEnd } from '../runtime/gdb/connection.js';
import { ARM_REGISTERS, ARM_TARGET_XML, REG_CPSR, REG_D0, REG_FPSCR } from '../runtime/gdb/arm-regs.js';
import { PacketDecoder, framePacket } from '../runtime/gdb/packet.js';
import type { GdbTarget, StopEvent } from '../runtime/gdb/target.js';
import { toHex } from '../runtime/gdb/hex.js';

/** Registers as byte arrays, memory mapped at [0x1000, 0x3000), scripted runs. */
class FakeTarget implements GdbTarget {
  readonly registers = ARM_REGISTERS;
  regs = ARM_REGISTERS.sizes.map((n, i) => new Uint8Array(n).map((_, k) => (i * 16 + k) & 0xff));
  mem = new Uint8Array(0x2000).map((_, i) => i & 0xff);
  breakpoints: number[] = [];
  /** What resume() returns, one entry per call (null: still running); then null forever. */
  script: (StopEvent | null)[] = [];
  resumes = 0;
  steps = 0;
  interrupted = 0;
  detached = 0;
  killed = 0;

  readRegister(n: number): Uint8Array {
    return this.regs[n].slice();
  }
  writeRegister(n: number, v: Uint8Array): void {
    this.regs[n] = v.slice();
  }
  private mapped = (a: number) => a >= 0x1000 && a < 0x3000;
  readMemory(addr: number, len: number): Uint8Array {
    let n = 0;
    while (n < len && this.mapped(addr + n)) n++;
    return this.mem.slice(addr - 0x1000, addr - 0x1000 + n);
  }
  writeMemory(addr: number, data: Uint8Array): boolean {
    if (!this.mapped(addr) || !this.mapped(addr + data.length - 1)) return false;
    this.mem.set(data, addr - 0x1000);
    return true;
  }
  setBreakpoints(addrs: ReadonlySet<number>): void {
    this.breakpoints = [...addrs].sort((a, b) => a - b);
  }
  step(): StopEvent {
    this.steps++;
    return { kind: 'stopped', signal: 5 };
  }
  resume(): StopEvent | null {
    this.resumes++;
    return this.script.length ? this.script.shift()! : null;
  }
  interrupt(): StopEvent {
    this.interrupted++;
    return { kind: 'stopped', signal: 2 };
  }
  detach(): void {
    this.detached++;
  }
  kill(): void {
    this.killed++;
  }
  offsets(): { text: number; data: number } | null {
    return null;
  }
}

function session() {
  const t = new FakeTarget();
  const s = new GdbSession(t, 0x4000);
  const ask = (p: string): string => {
    const a = s.handle(p);
    if (a.kind !== 'reply') throw new Error(`${p}: ${a.kind}, not a reply`);
    return a.payload;
  };
  return { t, s, ask };
}

const le32 = (v: number) => toHex(new Uint8Array(new Uint32Array([v]).buffer));

describe('target description', () => {
  test('core and VFP features with GDB’s register names, numbered in order', () => {
    const names = [...ARM_TARGET_XML.matchAll(/<reg name="([^"]+)" bitsize="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    const want = [
      ...Array.from({ length: 13 }, (_, i) => [`r${i}`, 32]),
      ['sp', 32],
      ['lr', 32],
      ['pc', 32],
      ['cpsr', 32],
      ...Array.from({ length: 32 }, (_, i) => [`d${i}`, 64]),
      ['fpscr', 32],
    ];
    expect(names).toEqual(want);
    expect(ARM_REGISTERS.sizes).toEqual(want.map(([, b]) => (b as number) / 8));
    expect(ARM_TARGET_XML).toContain('<feature name="org.gnu.gdb.arm.core">');
    expect(ARM_TARGET_XML).toContain('<feature name="org.gnu.gdb.arm.vfp">');
    expect(ARM_TARGET_XML).toContain('<architecture>arm</architecture>');
    expect(ARM_TARGET_XML).not.toContain('regnum');
    expect([REG_CPSR, REG_D0, REG_FPSCR]).toEqual([16, 17, 49]);
  });

  test('qXfer reads it in pieces of any size', () => {
    const { ask } = session();
    for (const len of [3, 100, 0x3fff]) {
      let xml = '';
      for (let off = 0; ; ) {
        const r = ask(`qXfer:features:read:target.xml:${off.toString(16)},${len.toString(16)}`);
        expect(r[0]).toMatch(/[ml]/);
        xml += r.slice(1);
        off += r.length - 1;
        if (r[0] === 'l') break;
      }
      expect(xml).toBe(ARM_TARGET_XML);
    }
    expect(ask('qXfer:features:read:other.xml:0,100')).toBe('E00');
    expect(ask('qXfer:features:read:target.xml:zz,100')).toBe('E22');
    expect(ask(`qXfer:features:read:target.xml:${(ARM_TARGET_XML.length + 1).toString(16)},10`)).toBe('E22');
  });
});

describe('packets', () => {
  test('qSupported offers PacketSize, target.xml, no-ack mode; swbreak only when gdb has it', () => {
    const { ask } = session();
    expect(ask('qSupported:multiprocess+;xmlRegisters=i386;qRelocInsn+')).toBe('PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+');
    expect(ask('qSupported:swbreak+;hwbreak+')).toBe('PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+;swbreak+;hwbreak+');
  });

  test('threads, attach state, offsets, symbols; unknown packets get the empty reply', () => {
    const { ask } = session();
    expect(ask('qAttached')).toBe('1');
    expect(ask('qAttached:1')).toBe('1');
    expect(ask('qC')).toBe('QC01');
    expect(ask('qfThreadInfo')).toBe('m01');
    expect(ask('qsThreadInfo')).toBe('l');
    expect(ask('Hg0')).toBe('OK');
    expect(ask('Hc-1')).toBe('OK');
    expect(ask('Hg1')).toBe('OK');
    expect(ask('Hg2')).toBe('E22');
    expect(ask('T1')).toBe('OK');
    expect(ask('qOffsets')).toBe('Text=0;Data=0;Bss=0');
    expect(ask('qSymbol::')).toBe('OK');
    for (const p of ['qTStatus', 'vMustReplyEmpty', 'QNonStop:1', 'Z2,1000,4', 'vRun;abc', '!', 'qRcmd,6869', 'vFile:open:']) expect(ask(p)).toBe('');
  });

  test('? reports the last stop with the thread and the pc', () => {
    const { ask, t } = session();
    t.regs[15] = new Uint8Array([0x40, 0x03, 0x01, 0x00]);
    expect(ask('?')).toBe('T05f:40030100;thread:01;');
  });

  test('g and G: every register in order', () => {
    const { ask, t } = session();
    const all = t.regs.map(toHex).join('');
    expect(all.length).toBe(2 * (17 * 4 + 32 * 8 + 4));
    expect(ask('g')).toBe(all);
    const next = all.replace(/[0-9a-f]/g, (c) => ((parseInt(c, 16) + 3) & 15).toString(16));
    expect(ask(`G${next}`)).toBe('OK');
    expect(ask('g')).toBe(next);
    expect(ask(`G${next.slice(2)}`)).toBe('E22');
    expect(ask('Gzz')).toBe('E22');
  });

  test('p and P by register number', () => {
    const { ask } = session();
    expect(ask('p10')).toBe(toHex(new Uint8Array([0, 1, 2, 3]).map((b) => b + 16 * 16)));
    expect(ask(`P11=${'ab'.repeat(8)}`)).toBe('OK');
    expect(ask('p11')).toBe('ab'.repeat(8));
    expect(ask(`Pf=${le32(0x10344)}`)).toBe('OK');
    expect(ask('pf')).toBe('44030100');
    expect(ask('p32')).toBe('E22'); // one past fpscr
    expect(ask('P11=abcd')).toBe('E22'); // d0 takes 8 bytes
    expect(ask('Px=00')).toBe('E22');
  });

  test('m, M and X: memory, partial reads, errors', () => {
    const { ask, t } = session();
    expect(ask('m1000,4')).toBe('00010203');
    expect(ask('m2ffe,8')).toBe('feff'); // the mapping ends
    expect(ask('m0,4')).toBe('E14');
    expect(ask('m1000')).toBe('E22');
    expect(ask('M1004,2:aabb')).toBe('OK');
    expect(ask('m1004,3')).toBe('aabb06');
    expect(ask('M0,1:00')).toBe('E14');
    expect(ask('M1004,2:aa')).toBe('E22');
    expect(ask('X1000,0:')).toBe('OK'); // gdb's probe
    expect(ask('X1010,4:}#$*')).toBe('OK'); // binary, as the packet layer left it
    expect([...t.mem.slice(0x10, 0x14)]).toEqual([0x7d, 0x23, 0x24, 0x2a]);
    expect(ask('X0,1:a')).toBe('E14');
    expect(ask('X1000,2:a')).toBe('E22');
    // A long read is cut to what fits in a packet.
    expect(ask('m1000,100000').length).toBe(0x4000 - 4 - (0x4000 % 2));
  });

  test('Z0/Z1 and z0/z1: the target gets the union; watchpoints are not supported', () => {
    const { ask, t } = session();
    expect(ask('Z0,10340,4')).toBe('OK');
    expect(ask('Z1,10400,2')).toBe('OK');
    expect(ask('Z0,10340,4')).toBe('OK'); // idempotent
    expect(t.breakpoints).toEqual([0x10340, 0x10400]);
    expect(ask('Z1,10340,4')).toBe('OK');
    expect(ask('z0,10340,4')).toBe('OK');
    expect(t.breakpoints).toEqual([0x10340, 0x10400]); // still a hardware breakpoint
    expect(ask('z1,10340,4')).toBe('OK');
    expect(ask('z1,10400,2')).toBe('OK');
    expect(t.breakpoints).toEqual([]);
    expect(ask('Z0,10340,3;X2,0a')).toBe('OK'); // a condition list is accepted (gdb evaluates)
    expect(ask('Z2,1000,4')).toBe('');
    expect(ask('Z0,zz,4')).toBe('E22');
    expect(ask('Z9,1000,4')).toBe('E22');
  });

  test('resuming: s, c, vCont; c ADDR sets the pc first', () => {
    const { s, ask, t } = session();
    expect(ask('vCont?')).toBe('vCont;c;C;s;S');
    expect(s.handle('s')).toEqual({ kind: 'resume', step: true });
    expect(s.handle('c')).toEqual({ kind: 'resume', step: false });
    expect(s.handle('vCont;s:1;c')).toEqual({ kind: 'resume', step: true });
    expect(s.handle('vCont;s:2;c')).toEqual({ kind: 'resume', step: false });
    expect(s.handle('vCont;c:-1')).toEqual({ kind: 'resume', step: false });
    expect(s.handle('vCont;S0b:1')).toEqual({ kind: 'resume', step: true });
    expect(s.handle('C0b')).toEqual({ kind: 'resume', step: false });
    expect(s.handle('vCont;r1000,2000:1')).toEqual({ kind: 'reply', payload: 'E22' });
    expect(s.handle('c10400')).toEqual({ kind: 'resume', step: false });
    expect([...t.regs[15]]).toEqual([0x00, 0x04, 0x01, 0x00]);
  });

  test('stop replies: breakpoints with swbreak/hwbreak when gdb asked, exits, signals', () => {
    const { s, ask, t } = session();
    t.regs[15] = new Uint8Array([0x40, 0x03, 0x01, 0x00]);
    ask('Z0,10340,4');
    expect(s.stopReply({ kind: 'stopped', signal: 5, breakpoint: 0x10340 })).toBe('T05f:40030100;thread:01;');
    ask('qSupported:swbreak+;hwbreak+');
    expect(s.stopReply({ kind: 'stopped', signal: 5, breakpoint: 0x10340 })).toBe('T05f:40030100;thread:01;swbreak:;');
    ask('z0,10340,4');
    ask('Z1,10340,4');
    expect(s.stopReply({ kind: 'stopped', signal: 5, breakpoint: 0x10340 })).toBe('T05f:40030100;thread:01;hwbreak:;');
    expect(s.stopReply({ kind: 'stopped', signal: 2 })).toBe('T02f:40030100;thread:01;');
    expect(s.stopReply({ kind: 'exited', status: 3 })).toBe('W03');
    expect(s.stopReply({ kind: 'signalled', signal: 11 })).toBe('X0b');
  });

  test('k, vKill and D end the session', () => {
    const { s } = session();
    expect(s.handle('k')).toEqual({ kind: 'kill', reply: null });
    expect(s.handle('vKill;1')).toEqual({ kind: 'kill', reply: 'OK' });
    expect(s.handle('D')).toEqual({ kind: 'detach' });
    expect(s.handle('D;1')).toEqual({ kind: 'detach' });
  });

  test('any packet gets an answer, never an exception', () => {
    fc.assert(
      fc.property(fc.constantFrom('', 'q', 'Q', 'm', 'M', 'X', 'g', 'G', 'p', 'P', 'Z', 'z', 'H', 'T', 'v', 'vCont;', 'qXfer:features:read:', 'c', 's', 'C', 'S'), fc.string({ maxLength: 40 }), (head, tail) => {
        const { s } = session();
        const a = s.handle(head + tail);
        expect(['reply', 'resume', 'detach', 'kill']).toContain(a.kind);
      }),
      { numRuns: 2000 },
    );
  });
});

/** A connection to a fake target with gdb's side of the wire. */
function wire(opts: { slice?: number } = {}) {
  const t = new FakeTarget();
  let out = '';
  const c = new GdbConnection(t, (d) => (out += d), { slice: opts.slice });
  const ends: SessionEnd[] = [];
  void c.done.then((e) => ends.push(e));
  const send = (s: string) => c.receive(Buffer.from(s, 'latin1'));
  /** Everything written since the last take(). */
  const take = () => {
    const s = out;
    out = '';
    return s;
  };
  /** Replies (decoded payloads) in what was written. */
  const replies = (s: string) =>
    new PacketDecoder(1 << 20)
      .push(Buffer.from(s, 'latin1'))
      .filter((e) => e.type === 'packet')
      .map((e) => (e as { payload: string }).payload);
  return { t, c, send, take, replies, ends };
}

/** Lets the connection's run loop turn (it yields with setImmediate between slices). */
async function until(cond: () => boolean, turns = 1000): Promise<void> {
  for (let i = 0; i < turns && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error('condition not reached');
}

describe('connection', () => {
  test('acks each packet, answers, retransmits on -, rejects a bad checksum with -', () => {
    const w = wire();
    w.send(framePacket('qC'));
    expect(w.take()).toBe('+' + framePacket('QC01'));
    w.send('-');
    expect(w.take()).toBe(framePacket('QC01'));
    w.send('$qC#00');
    expect(w.take()).toBe('-');
    w.send('+');
    expect(w.take()).toBe('');
  });

  test('QStartNoAckMode: acked and answered, then no more acks', () => {
    const w = wire();
    w.send(framePacket('QStartNoAckMode'));
    expect(w.take()).toBe('+' + framePacket('OK'));
    w.send(framePacket('qC'));
    expect(w.take()).toBe(framePacket('QC01'));
    w.send('-'); // no retransmission without acks
    w.send('$qC#00');
    expect(w.take()).toBe('');
  });

  test('continue runs in slices until Ctrl-C, then reports SIGINT', async () => {
    const w = wire({ slice: 10 });
    w.send(framePacket('vCont;c'));
    expect(w.take()).toBe('+');
    await until(() => w.t.resumes >= 5);
    expect(w.take()).toBe('');
    w.send('\x03');
    let got: string[] = [];
    await until(() => (got = got.concat(w.replies(w.take()))).length === 1);
    expect(got).toEqual(['T02f:f0f1f2f3;thread:01;']);
    expect(w.t.interrupted).toBe(1);
  });

  test('continue to a breakpoint, then the exit: T05 then W, and the session ends', async () => {
    const w = wire();
    w.t.script = [null, null, { kind: 'stopped', signal: 5, breakpoint: 0x1000 }, null, { kind: 'exited', status: 7 }];
    w.send(framePacket('c'));
    let got: string[] = [];
    await until(() => (got = got.concat(w.replies(w.take()))).length === 1);
    expect(got).toEqual(['T05f:f0f1f2f3;thread:01;']);
    // Packets are answered while stopped; a second continue reaches the exit.
    w.send(framePacket('qC') + framePacket('c'));
    got = [];
    await until(() => (got = got.concat(w.replies(w.take()))).length === 2);
    expect(got).toEqual(['QC01', 'W07']);
    await until(() => w.ends.length === 1);
    expect(w.ends).toEqual([{ kind: 'ended', stop: { kind: 'exited', status: 7 } }]);
  });

  test('a packet that arrives while running waits for the stop', async () => {
    const w = wire();
    w.t.script = [null, null, null, { kind: 'stopped', signal: 5 }];
    w.send(framePacket('c') + framePacket('qC'));
    let got: string[] = [];
    await until(() => (got = got.concat(w.replies(w.take()))).length === 2);
    expect(got).toEqual(['T05f:f0f1f2f3;thread:01;', 'QC01']);
  });

  test('s steps one instruction', async () => {
    const w = wire();
    w.send(framePacket('vCont;s:1'));
    let got: string[] = [];
    await until(() => (got = got.concat(w.replies(w.take()))).length === 1);
    expect(got).toEqual(['T05f:f0f1f2f3;thread:01;']);
    expect([w.t.steps, w.t.resumes]).toEqual([1, 0]);
  });

  test('D detaches; the target clears its breakpoints', async () => {
    const w = wire();
    w.send(framePacket('D'));
    expect(w.replies(w.take())).toEqual(['OK']);
    await until(() => w.ends.length === 1);
    expect(w.ends).toEqual([{ kind: 'detached' }]);
    expect(w.t.detached).toBe(1);
  });

  test('the connection closing while running detaches', async () => {
    const w = wire();
    w.send(framePacket('c'));
    await until(() => w.t.resumes > 2);
    w.c.closed();
    await until(() => w.ends.length === 1);
    expect(w.ends).toEqual([{ kind: 'detached' }]);
    expect(w.t.detached).toBe(1);
  });

  test('k kills without a reply; vKill replies OK', async () => {
    const a = wire();
    a.send(framePacket('k'));
    expect(a.take()).toBe('+');
    await until(() => a.ends.length === 1);
    expect(a.ends).toEqual([{ kind: 'killed' }]);
    expect(a.t.killed).toBe(1);
    const b = wire();
    b.send(framePacket('vKill;1'));
    expect(b.replies(b.take())).toEqual(['OK']);
    await until(() => b.ends.length === 1);
    expect(b.ends).toEqual([{ kind: 'killed' }]);
  });
});
