// A system register as the CP15 table takes it from a device: its MRC/MCR encoding
// (coproc, opc1, CRn, CRm, opc2) or, when `wide`, its MRRC/MCRR encoding (coproc, opc1, CRm;
// crn and opc2 are 0). Values are unsigned: 32-bit registers read as 0..2^32-1.

export interface SysReg {
  name: string;
  coproc: number;
  opc1: number;
  crn: number;
  crm: number;
  opc2: number;
  /** MCRR/MRRC 64-bit register. */
  wide: boolean;
  /** Whether PL0 may access it now (absent: PL1 only). */
  pl0?: () => boolean;
  read(): bigint;
  write(value: bigint): void;
}
