// QEMU's side: the harness under `qemu-arm -cpu cortex-a15`, many cases per process.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ARM_FILL } from './layout.js';
import { decodeResults, encodeCases, type CaseInput, type CaseResult } from './wire.js';

export const harnessPath = (): string =>
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'armvisor', 'diff', 'harness');

export function haveTool(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Builds the harness with spec/diff/build.sh (a no-op when up to date); returns an error text or null. */
export function buildHarness(): string | null {
  const script = new URL('./build.sh', import.meta.url).pathname;
  const r = spawnSync('bash', [script], { encoding: 'utf8' });
  if (r.status !== 0) return `spec/diff/build.sh failed: ${(r.stderr || r.stdout || '').trim()}`;
  return existsSync(harnessPath()) ? null : 'spec/diff/build.sh built nothing';
}

export class QemuRunner {
  constructor(
    readonly harness = harnessPath(),
    readonly command: string[] = ['qemu-arm', '-cpu', 'cortex-a15'],
  ) {}

  private once(cases: readonly CaseInput[]): { results: CaseResult[]; error: string } {
    const [cmd, ...args] = this.command;
    const r = spawnSync(cmd, [...args, this.harness], {
      input: encodeCases(cases),
      maxBuffer: 1 << 30,
      timeout: 120000 + 250 * cases.length,
    });
    const results = decodeResults(r.stdout ?? Buffer.alloc(0));
    const error = r.error
      ? String(r.error.message)
      : r.status !== 0
        ? `exit ${r.status ?? 'signal ' + r.signal}: ${String(r.stderr ?? '').trim().split('\n')[0]}`
        : '';
    return { results, error };
  }

  /**
   * Runs all cases; a case that kills the harness (or hangs it) gets a result with sig -1
   * and the run goes on with the next one.
   */
  run(cases: readonly CaseInput[]): { results: CaseResult[]; errors: string[] } {
    const results: CaseResult[] = [];
    const errors: string[] = [];
    let from = 0;
    while (from < cases.length) {
      const { results: got, error } = this.once(cases.slice(from));
      results.push(...got);
      from += got.length;
      if (from < cases.length) {
        errors.push(`case ${from}: harness died (${error || 'short output'})`);
        results.push(deadResult());
        from++;
      }
    }
    return { results, errors };
  }

  /** The harness's TLS pointer (what MRC TPIDRURO reads), from a one-case probe. */
  probeTpidruro(): number {
    const code = new Uint8Array(4);
    new DataView(code.buffer).setUint32(0, ARM_FILL, true);
    const probe: CaseInput = { thumb: false, code, r: new Uint32Array(15), apsr: 0, fpscr: 0, tpidrurw: 0, memSeed: 1, d: new Uint32Array(64) };
    const { results, error } = this.once([probe]);
    if (results.length !== 1) throw new Error(`diff: the harness does not run under ${this.command.join(' ')}: ${error}`);
    return results[0].tpidruro;
  }
}

function deadResult(): CaseResult {
  return { sig: -1, addr: 0, r: new Uint32Array(16), cpsr: 0, fpscr: 0, tpidrurw: 0, tpidruro: 0, d: new Uint32Array(64), changes: [] };
}
