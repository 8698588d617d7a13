// Constant folding for tier-1 code generation: the value of a pure binary op on constants, as
// the wasm instruction codegen.ts would emit for it computes it (shift counts mod 32,
// comparisons 0/1). The lifter writes x - imm as x + NOT(imm) + 1 (AddWithCarry), so without
// folding every SUB/CMP with an immediate costs V8's baseline compiler three extra operations.

import { Op } from '../ir.js';

/** op(a, b) for a foldable binary op, or undefined. */
export function foldBinary(op: number, a: number, b: number): number | undefined {
  switch (op) {
    case Op.ADD:
      return (a + b) | 0;
    case Op.SUB:
      return (a - b) | 0;
    case Op.AND:
      return a & b;
    case Op.OR:
      return a | b;
    case Op.XOR:
      return a ^ b;
    case Op.SHL:
      return a << (b & 31);
    case Op.SHR:
      return (a >>> (b & 31)) | 0;
    case Op.SAR:
      return a >> (b & 31);
    case Op.ROR: {
      const n = b & 31;
      return n === 0 ? a | 0 : ((a >>> n) | (a << (32 - n))) | 0;
    }
    case Op.MUL:
      return Math.imul(a, b);
    case Op.EQ:
      return a === b ? 1 : 0;
    case Op.NE:
      return a !== b ? 1 : 0;
    case Op.LTU:
      return a >>> 0 < b >>> 0 ? 1 : 0;
    case Op.LTS:
      return a < b ? 1 : 0;
    case Op.LEU:
      return a >>> 0 <= b >>> 0 ? 1 : 0;
    case Op.LES:
      return a <= b ? 1 : 0;
    default:
      return undefined;
  }
}
