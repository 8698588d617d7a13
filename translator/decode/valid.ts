// Register constraints shared by the rows' `valid` predicates (UNPREDICTABLE operand choices).

/** None of the registers is the PC (A32: R15 UNPREDICTABLE as most operands). */
export const noPC = (...rs: (number | undefined)[]): boolean => rs.every((x) => x === undefined || x !== 15);

/** None of the registers is SP or PC (T32: R13/R15 UNPREDICTABLE as most operands, A6.3). */
export const noSPPC = (...rs: (number | undefined)[]): boolean => rs.every((x) => x === undefined || (x !== 13 && x !== 15));
