// Shared pieces of disassembly text (UAL syntax, as objdump prints it).

const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'sl', 'fp', 'ip', 'sp', 'lr', 'pc'];
const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror'];

export const r = (n: number): string => REG_NAMES[n & 15];

export const imm = (v: number): string => `#${v | 0}`;

export const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** ", lsl #3" etc. for DecodeImmShift(type, imm5); '' for LSL #0. */
export function shiftImm(type: number, imm5: number): string {
  if (type === 0 && imm5 === 0) return '';
  if (type === 3 && imm5 === 0) return ', rrx';
  const n = imm5 === 0 && (type === 1 || type === 2) ? 32 : imm5;
  return `, ${SHIFT_NAMES[type]} #${n}`;
}

export function shiftReg(type: number, rs: number): string {
  return `, ${SHIFT_NAMES[type]} ${r(rs)}`;
}

/** "{r0, r4-r7, lr}" from a 16-bit register mask. */
export function regList(mask: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i++) {
    if (!((mask >>> i) & 1)) continue;
    let j = i;
    while (j + 1 < 16 && (mask >>> (j + 1)) & 1) j++;
    parts.push(j > i + 1 ? `${r(i)}-${r(j)}` : j === i + 1 ? `${r(i)}, ${r(j)}` : r(i));
    i = j;
  }
  return `{${parts.join(', ')}}`;
}

/** Mnemonic with S and condition suffix, plus the Thumb width qualifier when asked. */
export function mn(base: string, s: number | undefined, cc: string): string {
  return `${base}${s ? 's' : ''}${cc}`;
}
