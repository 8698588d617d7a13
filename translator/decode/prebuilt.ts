// The decode tables compiled by the build: for each table (by Decoder name), a function giving
// its rows in order as PrebuiltRow (name, mask, fixed bits, extractor as ordinary code). This
// source is a stub: `npm run build` replaces its dist/ copy (scripts/gen-decode.mjs, run by
// scripts/bundle.mjs) before bundling, so the `armvisor` command carries the tables while jest
// and tools that import the sources compile rows at run time (pattern.ts Decoder). A table whose
// rows no longer match the prebuilt names is compiled at run time too.

import type { PrebuiltRow } from './pattern.js';

export const PREBUILT: Record<string, () => PrebuiltRow[]> | null = null;
