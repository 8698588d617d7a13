// Drives QEMU's device models through its qtest protocol (`-qtest stdio`: one command per line,
// `readl ADDR` answers `OK 0x...`, `writel ADDR VALUE` answers `OK`), so register-level tests
// can run the same accesses against QEMU's `virt` board and against our devices. The machine is
// stopped (-S): no guest code runs, only the accesses we send.
import { spawn, spawnSync } from 'node:child_process';

export const hasQemuSystemArm = spawnSync('qemu-system-arm', ['--version']).status === 0;

export interface MmioOp {
  write: boolean;
  size: 1 | 2 | 4;
  addr: number;
  value: number;
}

const SUFFIX = { 1: 'b', 2: 'w', 4: 'l' } as const;

function line(op: MmioOp): string {
  const a = `0x${op.addr.toString(16)}`;
  return op.write ? `write${SUFFIX[op.size]} ${a} 0x${(op.value >>> 0).toString(16)}` : `read${SUFFIX[op.size]} ${a}`;
}

/** Runs `ops` on a fresh `qemu-system-arm -M virt -cpu cortex-a15`; returns each read's value
 *  (undefined for writes). */
export function runQtest(ops: readonly MmioOp[], timeoutMs = 30000): Promise<(number | undefined)[]> {
  return new Promise((resolve, reject) => {
    const q = spawn('qemu-system-arm', ['-M', 'virt', '-cpu', 'cortex-a15', '-display', 'none', '-nodefaults', '-S', '-qtest', 'stdio', '-qtest-log', '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const replies: string[] = [];
    let pending = '';
    let stderr = '';
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      q.kill('SIGKILL');
      if (err) reject(err);
      else {
        const out: (number | undefined)[] = [];
        for (let i = 0; i < ops.length; i++) {
          const r = replies[i];
          if (!r.startsWith('OK')) return reject(new Error(`qtest: "${line(ops[i])}" answered "${r}"`));
          out.push(ops[i].write ? undefined : Number(BigInt(r.slice(3))));
        }
        resolve(out);
      }
    };
    const timer = setTimeout(() => finish(new Error(`qtest: no answer after ${timeoutMs} ms (${replies.length}/${ops.length}); stderr: ${stderr}`)), timeoutMs);
    q.stdout.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const l = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (l.startsWith('IRQ')) continue; // asynchronous interrupt notices
        replies.push(l);
      }
      if (replies.length >= ops.length) finish();
    });
    q.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    q.on('error', (e) => finish(e));
    q.on('exit', (code) => {
      if (replies.length < ops.length) finish(new Error(`qemu-system-arm exited (${code}) after ${replies.length}/${ops.length} answers: ${stderr.trim()}`));
    });
    q.stdin.on('error', () => {}); // qemu killed before reading everything
    q.stdin.write(ops.map(line).join('\n') + '\n');
    if (ops.length === 0) finish();
  });
}
