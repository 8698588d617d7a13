// The gdb stub's packet layer (runtime/gdb/packet.ts, hex.ts): framing, checksums, escapes
// and run-length encoding round-trip any payload however the bytes are split; malformed
// input is reported, never thrown.

import fc from 'fast-check';
import { PacketDecoder, checksum, decodePayload, encodePayload, framePacket, type WireEvent } from '../runtime/gdb/packet.js';
import { fromHex, parseHexNumber, toHex } from '../runtime/gdb/hex.js';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const latin1 = (u: Uint8Array): string => Buffer.from(u).toString('latin1');
/** Any byte string, with long runs and the special characters over-represented. */
const payload = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)),
      fc.constantFrom('$', '#', '}', '*', '+', '-', '\x03', '0'),
      fc.tuple(fc.constantFrom('0', 'f', 'x', '*', '}'), fc.integer({ min: 1, max: 300 })).map(([c, n]) => c.repeat(n)),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

function decodeAll(chunks: Uint8Array[], max = 1 << 20): WireEvent[] {
  const d = new PacketDecoder(max);
  return chunks.flatMap((c) => d.push(c));
}

/** Splits bytes at the given cut points. */
function split(b: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(b.subarray(prev, c));
    prev = c;
  }
  out.push(b.subarray(prev));
  return out;
}

describe('framing', () => {
  test('examples from the GDB manual', () => {
    expect(framePacket('OK')).toBe('$OK#9a');
    expect(checksum('qSupported')).toBe(0x37);
    expect(decodePayload('0* ')).toBe('0000'); // "0* " means the same as "0000"
    expect(decodePayload('}]')).toBe('}'); // } escaped: 0x7d ^ 0x20 = ']'
    expect(encodePayload('$#}*')).toBe('}\x04}\x03}]}\x0a');
  });

  test('runs never use # or $ as the count', () => {
    for (let n = 1; n < 300; n++) {
      const body = encodePayload('0'.repeat(n));
      expect(body).not.toMatch(/[#$]/);
      expect(decodePayload(body)).toBe('0'.repeat(n));
    }
  });

  test('any payload round-trips through framing, however the bytes arrive', () => {
    fc.assert(
      fc.property(payload, fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), (p, rle, cuts) => {
        const frame = bytes(framePacket(p, rle));
        // Only the frame's own $ and # appear raw.
        expect(latin1(frame).slice(1, -3)).not.toMatch(/[#$]/);
        expect(decodeAll(split(frame, cuts))).toEqual([{ type: 'packet', payload: p }]);
      }),
      { numRuns: 500 },
    );
  });

  test('acks, interrupts and noise between packets', () => {
    const stream = bytes(`+xx\x03${framePacket('g')}-\r\n${framePacket('m0,4')}`);
    expect(decodeAll([stream])).toEqual([
      { type: 'ack' },
      { type: 'interrupt' },
      { type: 'packet', payload: 'g' },
      { type: 'nack' },
      { type: 'packet', payload: 'm0,4' },
    ]);
  });

  test('a $ inside a packet starts a new one', () => {
    expect(decodeAll([bytes(`$abc${framePacket('?')}`)])).toEqual([{ type: 'packet', payload: '?' }]);
  });

  test('malformed packets are reported, not thrown', () => {
    const kinds = (s: string) => decodeAll([bytes(s)]).map((e) => (e.type === 'bad' ? 'bad' : e.type));
    expect(kinds('$OK#9b')).toEqual(['bad']); // wrong checksum
    expect(kinds('$OK#zz')).toEqual(['bad']); // not hex
    expect(kinds(`$}#${'7d'}`)).toEqual(['bad']); // dangling escape
    expect(kinds(`$* #${checksum('* ').toString(16)}`)).toEqual(['bad']); // a run with nothing before it
    expect(kinds(`$a*\x1f#${checksum('a*\x1f').toString(16)}`)).toEqual(['bad']); // count below 3
    expect(kinds(`$a*!#${checksum('a*!').toString(16)}`)).toEqual(['packet']); // '!' = 4 more
    const d = new PacketDecoder(8);
    expect(d.push(bytes(framePacket('123456789')))).toEqual([{ type: 'bad', why: 'packet longer than 8 bytes' }]);
    expect(d.push(bytes(framePacket('12345678')))).toEqual([{ type: 'packet', payload: '12345678' }]);
  });

  test('random bytes never throw, and a good packet after them still decodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), payload, (junk, p) => {
        const d = new PacketDecoder(1 << 16);
        for (const ev of d.push(junk)) expect(['packet', 'bad', 'ack', 'nack', 'interrupt']).toContain(ev.type);
        // A '$' resynchronizes the decoder whatever state the junk left it in.
        const evs = d.push(bytes(framePacket(p)));
        expect(evs[evs.length - 1]).toEqual({ type: 'packet', payload: p });
      }),
      { numRuns: 500 },
    );
  });

  test("a '$' inside a checksum starts a new packet (found by the property above: junk '$#')", () => {
    const d = new PacketDecoder(1 << 16);
    expect(d.push(bytes('$#'))).toEqual([]);
    expect(d.push(bytes(framePacket('')))).toEqual([
      { type: 'bad', why: 'packet cut short by a new one' },
      { type: 'packet', payload: '' },
    ]);
    expect(d.push(bytes('$g#6'))).toEqual([]);
    expect(d.push(bytes(framePacket('m0,4')))).toEqual([
      { type: 'bad', why: 'packet cut short by a new one' },
      { type: 'packet', payload: 'm0,4' },
    ]);
  });
});

describe('hex', () => {
  test('bytes round-trip; malformed hex is null', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => expect(fromHex(toHex(b))).toEqual(b)));
    expect(toHex(new Uint8Array([0, 0xab, 0x7]))).toBe('00ab07');
    expect(fromHex('abc')).toBeNull();
    expect(fromHex('zz')).toBeNull();
    expect(parseHexNumber('10400')).toBe(0x10400);
    expect(parseHexNumber('')).toBeNull();
    expect(parseHexNumber('-1')).toBeNull();
    expect(parseHexNumber('1'.repeat(17))).toBeNull();
  });
});
