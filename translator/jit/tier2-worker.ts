// Tier 2's worker thread: reads a tier-1 module into binaryen IR, optimizes it and returns
// the new bytes, on the MessagePort the main thread passed in workerData (and polls). binaryen
// is large and ESM-only, so it is loaded here, lazily, never on the main thread.

import { workerData, type MessagePort } from 'node:worker_threads';

interface Request {
  id: number;
  bytes: Uint8Array;
  level: number;
}

type Binaryen = typeof import('binaryen').default;
let binaryen: Binaryen | null = null;

const port = (workerData as { port: MessagePort }).port;

port.on('message', async (req: Request) => {
  try {
    if (!binaryen) binaryen = (await import('binaryen')).default;
    const t0 = performance.now();
    const mod = binaryen.readBinary(req.bytes);
    // Atomics: user mode's memory is shared (module.ts isShared). ExceptionHandling: region functions catch the exception of a faulting slow-path access (codegen.ts).
    mod.setFeatures(binaryen.Features.MVP | binaryen.Features.SignExt | binaryen.Features.MutableGlobals | binaryen.Features.ExceptionHandling | binaryen.Features.Atomics);
    binaryen.setOptimizeLevel(req.level);
    binaryen.setShrinkLevel(0);
    mod.optimize();
    const out = mod.emitBinary();
    mod.dispose();
    port.postMessage({ id: req.id, bytes: out, ms: performance.now() - t0 });
  } catch (e) {
    port.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) });
  }
});
