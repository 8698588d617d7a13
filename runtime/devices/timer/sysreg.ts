// A system register as the CP15 table takes it from a device: its MRC/MCR encoding
// (coproc, opc1, CRn, CRm, opc2) or, when `wide`, its MRRC/MCRR encoding (coproc, opc1, CRm;
// crn and opc2 are 0). Values are unsigned: 32-bit registers read as 0..2^32-1.
// The shape is the CPU's coprocessor table's (runtime/cpu/sysregs.ts), declared once there.

export type { SysRegDef as SysReg } from '../../cpu/sysregs.js';
