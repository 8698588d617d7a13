// t16 encodings: branch group (rows filled in by its owner).
import type { Row } from '../pattern.js';

export const ROWS: Row[] = [];
