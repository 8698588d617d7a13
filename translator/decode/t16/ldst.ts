// t16 encodings: ldst group (rows filled in by its owner).
import type { Row } from '../pattern.js';

export const ROWS: Row[] = [];
