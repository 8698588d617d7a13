// VFPv3-D32 encodings, A32 (with cond) and T32 (cond replaced by 1110).
import type { Row } from '../pattern.js';

export const VFP_A32: Row[] = [];
export const VFP_T32: Row[] = [];
