// The IR's binary ops that are one wasm instruction each (ROR is emitted as shifts: codegen.ts).

import { Op } from '../ir.js';
import { O } from '../wasm/builder.js';

export const BIN: Partial<Record<number, number>> = {
  [Op.ADD]: O.i32_add,
  [Op.SUB]: O.i32_sub,
  [Op.AND]: O.i32_and,
  [Op.OR]: O.i32_or,
  [Op.XOR]: O.i32_xor,
  [Op.SHL]: O.i32_shl,
  [Op.SHR]: O.i32_shr_u,
  [Op.SAR]: O.i32_shr_s,
  [Op.ROR]: O.i32_rotr, // emitted as shifts (expr)
  [Op.MUL]: O.i32_mul,
  [Op.EQ]: O.i32_eq,
  [Op.NE]: O.i32_ne,
  [Op.LTU]: O.i32_lt_u,
  [Op.LTS]: O.i32_lt_s,
  [Op.LEU]: O.i32_le_u,
  [Op.LES]: O.i32_le_s,
};
