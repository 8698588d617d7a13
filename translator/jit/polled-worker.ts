// A worker thread that answers requests on a MessagePort the engine polls: a user-mode run
// never returns to Node's event loop, so replies are taken with receiveMessageOnPort whenever
// generated code returns to JavaScript, never delivered as events. Tier 2's two workers use it
// (tier2.ts: binaryen; reopt.ts through compile-worker.ts: V8's compile). It starts at the first
// request and never keeps the process alive.

import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort, type WorkerOptions } from 'node:worker_threads';

/** What every reply carries: the id of the request it answers. */
export interface Reply {
  id: number;
}

export class PolledWorker<R extends Reply> {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private nextId = 1;
  /** The worker could not be started, or was stopped: no more requests are taken. */
  private broken = false;

  constructor(
    /** The worker's script: a file path, or source with `options.eval`. It gets the port as workerData.port. */
    readonly script: string,
    /** The Worker's options, asked for when it starts (reading node:worker_threads' exports earlier would load it in every run). */
    readonly options: () => WorkerOptions = () => ({}),
    /** Called when the worker dies: its requests will never be answered (the next request starts another). */
    readonly onError: () => void = () => {},
  ) {}

  /** Sends `body` with a fresh id (starting the worker if need be); returns the id, or -1 when there is no worker. */
  request(body: object, transfer: ArrayBuffer[] = []): number {
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
    port.postMessage({ ...body, id }, transfer);
    return id;
  }

  private start(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    const w = new Worker(this.script, { ...this.options(), workerData: { port: port2 }, transferList: [port2] });
    w.unref();
    port1.unref();
    w.on('error', () => {
      this.worker = null;
      this.port = null;
      this.onError();
    });
    this.worker = w;
    return (this.port = port1);
  }

  /** The replies that have come in, without waiting. */
  poll(): R[] {
    const out: R[] = [];
    if (!this.port) return out;
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) out.push(m.message as R);
    return out;
  }

  stop(): void {
    void this.worker?.terminate();
    this.worker = null;
    this.port = null;
    this.broken = true;
  }
}
