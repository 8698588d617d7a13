// A worker thread that compiles wasm module bytes into a WebAssembly.Module and hands it back
// (V8 shares a module's compiled code between threads), so that tier 2's compile by V8's
// optimizing compiler (jit/reopt.ts) runs on the other core while the guest goes on. A user-mode
// run never returns to Node's event loop, so the replies are taken from a MessagePort that the
// engine polls (receiveMessageOnPort), as tier2.ts does. Which V8 compiler handles which
// function is up to V8's flags (module.ts OPTIMIZED_FUNC_INDEX); this file knows nothing of them.

import { Worker, MessageChannel, receiveMessageOnPort, SHARE_ENV, type MessagePort } from 'node:worker_threads';

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

export interface CompileReply {
  id: number;
  /** The compiled module, or undefined when V8 refused the bytes (`error` says why). */
  module?: WebAssembly.Module;
  error?: string;
  /** The compile's time on the worker thread, ms. */
  ms: number;
}

export class CompileWorker {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private nextId = 1;
  /** The worker could not be started or died: no more requests are taken. */
  private broken = false;

  /** Sends `bytes` to be compiled; returns the request's id, or -1 when there is no worker. */
  request(bytes: Uint8Array<ArrayBuffer>): number {
    if (this.broken) return -1;
    let port = this.port;
    if (!port) {
      try {
        port = this.start();
      } catch {
        this.broken = true;
        return -1;
      }
    }
    const id = this.nextId++;
    port.postMessage({ id, bytes }, [bytes.buffer]);
    return id;
  }

  private start(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    // Its stdio is not piped to this thread (it writes nothing) and it shares this thread's
    // environment variables: 2-3 ms less of the ~4-5 ms a Worker costs the main thread.
    const w = new Worker(SOURCE, { eval: true, workerData: { port: port2 }, transferList: [port2], env: SHARE_ENV, stdin: false, stdout: true, stderr: true, trackUnmanagedFds: false });
    w.unref(); // never keeps the process alive
    port1.unref();
    w.on('error', () => this.stop());
    this.worker = w;
    return (this.port = port1);
  }

  /** The replies that have come in, without waiting. */
  poll(): CompileReply[] {
    const out: CompileReply[] = [];
    if (!this.port) return out;
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) out.push(m.message as CompileReply);
    return out;
  }

  stop(): void {
    void this.worker?.terminate();
    this.worker = null;
    this.port = null;
    this.broken = true;
  }
}
