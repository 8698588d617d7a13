// Interrupt wiring between devices, the GIC and the CPU.

/** A CPU's interrupt inputs, driven by its GIC CPU interface (the CPU implements this). */
export interface IrqSink {
  setIrq(level: boolean): void;
  setFiq(level: boolean): void;
}

/** One interrupt output of a device: called with the new level whenever it may have changed. */
export type IrqLine = (level: boolean) => void;
