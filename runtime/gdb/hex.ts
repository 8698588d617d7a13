// Hex text as GDB's remote protocol writes it: bytes as two lower-case digits each, numbers
// (addresses, lengths, register numbers) as big-endian digits without a prefix.

/** Bytes as hex text ("0a1b..."). */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/** Hex text (an even number of digits) as bytes; null when it is not valid hex. */
export function fromHex(s: string): Uint8Array | null {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}

/** A hex number of at most 16 digits (addresses, lengths); null when malformed. */
export function parseHexNumber(s: string): number | null {
  if (!/^[0-9a-fA-F]{1,16}$/.test(s)) return null;
  const n = parseInt(s, 16);
  return Number.isSafeInteger(n) ? n : null;
}

/** A byte as two hex digits. */
export const hex2 = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
