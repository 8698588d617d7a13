// The translation micro-benchmark's own process: benchTranslateApart (bench/translate.ts) forks
// this file, which runs the suite once and sends its results back over the IPC channel.

import { benchTranslate, type TranslateResult } from './translate.js';

/** What the child sends its parent: the suite's results, or why it could not run. */
export type TranslateChildMessage = { results: TranslateResult[] } | { error: string };

const send = (m: TranslateChildMessage): void => {
  process.send?.(m, () => process.disconnect?.());
};

try {
  send({ results: await benchTranslate({ quick: process.argv.includes('--quick') }) });
} catch (e) {
  send({ error: e instanceof Error ? e.message : String(e) });
}
