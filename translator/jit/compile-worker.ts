// A worker thread that compiles wasm module bytes into a WebAssembly.Module and hands it back
// (V8 shares a module's compiled code between threads), so that tier 2's compile by V8's
// optimizing compiler (jit/reopt.ts) runs on the other core while the guest goes on. A user-mode
// run never returns to Node's event loop, so the replies are taken from a MessagePort that the
// engine polls (polled-worker.ts). Which V8 compiler handles which
// function is up to V8's flags (module.ts OPTIMIZED_FUNC_INDEX); this file knows nothing of them.

import { SHARE_ENV } from 'node:worker_threads';
import { PolledWorker, type Reply } from './polled-worker.js';

/** The worker's script: small enough to pass as source (no file to find from the bundle or under jest). */
const SOURCE = `
const { workerData } = require('node:worker_threads');
const port = workerData.port;
port.on('message', ({ id, bytes }) => {
  const t0 = performance.now();
  try {
    const module = new WebAssembly.Module(bytes);
    port.postMessage({ id, module, ms: performance.now() - t0 });
  } catch (e) {
    port.postMessage({ id, error: String((e && e.message) || e), ms: performance.now() - t0 });
  }
});
`;

export interface CompileReply extends Reply {
  /** The compiled module, or undefined when V8 refused the bytes (`error` says why). */
  module?: WebAssembly.Module;
  error?: string;
  /** The compile's time on the worker thread, ms. */
  ms: number;
}

/**
 * A compile worker, started at its first request: its stdio is not piped to this thread (it
 * writes nothing) and it shares this thread's environment variables, 2-3 ms less of the ~4-5 ms
 * a Worker costs the main thread.
 */
export function compileWorker(onError: () => void): PolledWorker<CompileReply> {
  return new PolledWorker<CompileReply>(SOURCE, () => ({ eval: true, env: SHARE_ENV, stdin: false, stdout: true, stderr: true, trackUnmanagedFds: false }), onError);
}
