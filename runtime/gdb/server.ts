// `--gdb PORT`: listens on localhost (127.0.0.1 only), waits for one gdb to connect and runs
// the session on that socket. Port 0 picks a free port (printed in the waiting line).

import * as net from 'node:net';
import { GdbConnection, type SessionEnd } from './connection.js';
import type { GdbTarget } from './target.js';

/** A port that cannot be used: one line for the user. */
export class GdbPortError extends Error {}

/** The port number of `--gdb PORT`. */
export function parseGdbPort(text: string): number {
  const n = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new GdbPortError(`--gdb ${text}: expected a TCP port number (1-65535, or 0 for any free port)`);
  return n;
}

/** Listens on 127.0.0.1:port; a busy or forbidden port is a GdbPortError. */
export function listenForGdb(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE' ? 'the port is already in use' : e.code === 'EACCES' ? 'permission denied' : (e.message.split('\n')[0] ?? String(e));
      reject(new GdbPortError(`--gdb ${port}: cannot listen on localhost:${port}: ${why}`));
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

export interface ServeOptions {
  port: number;
  /** armvisor's own messages (the "waiting for gdb" line). */
  log: (line: string) => void;
  /** Log every packet (ARMVISOR_GDB_TRACE). */
  trace?: (line: string) => void;
}

/** Waits for gdb on the port, then lets it drive `target` until it detaches, kills, or the program ends. */
export async function serveGdb(target: GdbTarget, opts: ServeOptions): Promise<SessionEnd> {
  const server = await listenForGdb(opts.port);
  const port = (server.address() as net.AddressInfo).port;
  opts.log(`armvisor: waiting for gdb on localhost:${port}`);
  const socket = await new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  server.close(); // one debugger per run
  socket.setNoDelay(true);
  const conn = new GdbConnection(
    target,
    (data) => {
      if (!socket.destroyed) socket.write(data, 'latin1');
    },
    { log: opts.trace },
  );
  socket.on('data', (c: Buffer) => conn.receive(c));
  socket.on('close', () => conn.closed());
  socket.on('error', () => {
    /* 'close' follows */
  });
  try {
    return await conn.done;
  } finally {
    await closeGently(socket);
  }
}

/** Flushes what was written (the last stop reply) and closes; gives up after a second. */
function closeGently(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, 1000);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
