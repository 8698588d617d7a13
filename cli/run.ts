// `armvisor run [options] PROG [ARGS...]`: Linux user mode, what qemu-arm does.

import * as fs from 'node:fs';
import { LinuxProcess, LoadError } from '../runtime/linux/process.js';
import { Profiler } from '../runtime/profile.js';
import { memoryUse } from '../runtime/memstat.js';
import { imageSymbols } from '../runtime/linux/images.js';
import { JitDivergence } from '../runtime/lockstep.js';
import { GdbPortError, parseGdbPort, serveGdb } from '../runtime/gdb/server.js';
import { LinuxGdbTarget } from '../runtime/linux/gdb-target.js';
import { setV8Flag } from './v8flags.js';
import { JS_TIER_UP_FLAG, LIFTOFF_ONLY_FLAG, runCodeFlags } from './v8preset.js';

export interface RunCliOptions {
  sysroot?: string;
  /** -E VAR=VALUE, repeatable. */
  env?: string[];
  /** -U VAR, repeatable. */
  unset?: string[];
  trace?: boolean;
  strace?: boolean;
  engine?: string;
  /** Overrides argv[0] (-0 like qemu-arm). */
  argv0?: string;
  /** --check-jit: every compiled block also runs under the interpreter; stop at a divergence. */
  checkJit?: boolean;
  /** --tier2 off|on|turbofan (default turbofan). */
  tier2?: string;
  /** --jit-threshold N: interpreted instructions on a page before it is compiled. */
  jitThreshold?: string;
  profile?: boolean;
  profileOut?: string;
  /** --dump-region ADDR: print the wasm of the region holding ADDR when the run ends. */
  dumpRegion?: string;
  /** --gdb PORT: wait for gdb on localhost:PORT before the first instruction. */
  gdb?: string;
  /** --translation-cache on|off: keep translations between runs (default on). */
  translationCache?: string;
}

/** A problem with the user's input: print `armvisor: <message>` and exit 1. */
export class UsageError extends Error {}

/** Opens an output file the run writes at its end (--profile-out), so a bad path fails before the guest runs. */
export function openOutput(file: string, what: string): number {
  try {
    return fs.openSync(file, 'w');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${what} ${file}: ${code === 'ENOENT' ? 'no such directory' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}

export const ENGINES = ['jit', 'interp'] as const;
/** --tier2: off; on (binaryen, in a worker: jit/tier2.ts); turbofan (V8's optimizing compiler: jit/reopt.ts). */
export const TIER2_MODES = ['off', 'on', 'turbofan'] as const;

/** The guest environment: the host's, with -U removals and -E additions (qemu-arm's rules). */
export function guestEnv(opts: RunCliOptions): string[] {
  const env = new Map<string, string>(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  for (const u of opts.unset ?? []) env.delete(u);
  for (const e of opts.env ?? []) {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new UsageError(`-E ${e}: expected VAR=VALUE`);
    env.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

const stderrLine = (line: string): void => {
  try {
    fs.writeSync(2, line + '\n');
  } catch {
    /* stderr gone */
  }
};

/** A whole-number option of at least `min` (1 or 0), or undefined when not given. */
export function parseCount(flag: string, v: string | undefined, min: 0 | 1 = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} ${v}: expected a ${min === 1 ? 'positive ' : ''}whole number`);
  return n;
}

function parseAddress(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`--dump-region ${v}: expected an address such as 0x10400`);
  return n;
}

/** Raises V8's JavaScript tier-up budget (JS_TIER_UP_FLAG) before the translator's code first
 *  runs: set later (at the first region compile), it kept only half of its gain. */
function setJsTierUp(): void {
  setV8Flag(JS_TIER_UP_FLAG);
}

/** Keeps generated code in V8's baseline compiler (Liftoff). */
export function setLiftoffOnly(): void {
  setV8Flag(LIFTOFF_ONLY_FLAG);
}

/** A GdbPortError as a UsageError (one line, exit 1). */
function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GdbPortError) throw new UsageError(e.message);
    throw e;
  }
}

/** SIGKILL: the status of a program gdb killed, as a shell would report it (128 + 9). */
const KILLED_STATUS = 128 + 9;

/**
 * `--gdb PORT`: the program waits for gdb before its first instruction, runs as gdb says,
 * and runs on to its end when gdb detaches or disconnects.
 */
async function runUnderGdb(proc: LinuxProcess, port: number): Promise<number> {
  const target = new LinuxGdbTarget(proc);
  let end;
  try {
    end = await serveGdb(target, { port, log: stderrLine, trace: process.env.ARMVISOR_GDB_TRACE ? stderrLine : undefined });
  } catch (e) {
    if (e instanceof GdbPortError) throw new UsageError(e.message);
    throw e;
  }
  switch (end.kind) {
    case 'ended':
      return target.end!.status;
    case 'killed':
      stderrLine('armvisor: program killed by gdb');
      return KILLED_STATUS;
    case 'detached':
      return proc.run();
  }
}

/**
 * A regular file's bytes, or null when it cannot be read (symbols are a nicety). A guest may map
 * anything executable: a device such as /dev/zero would never end, and a huge file is no ELF
 * worth reading for names.
 */
function readOrNull(file: string): Uint8Array | null {
  try {
    const st = fs.statSync(file);
    return st.isFile() && st.size <= 1 << 30 ? fs.readFileSync(file) : null;
  } catch {
    return null;
  }
}

/** Runs a guest program; returns its exit status. Throws UsageError / LoadError for bad input. */
export async function runProgram(prog: string, args: string[], opts: RunCliOptions): Promise<number> {
  if (opts.engine && !(ENGINES as readonly string[]).includes(opts.engine)) throw new UsageError(`unknown engine '${opts.engine}' (choices: ${ENGINES.join(', ')})`);
  const engine = opts.engine === 'interp' ? 'interp' : 'jit';
  if (opts.tier2 && !(TIER2_MODES as readonly string[]).includes(opts.tier2)) throw new UsageError(`--tier2 ${opts.tier2}: expected ${TIER2_MODES.join(', ')}`);
  if (opts.checkJit && engine !== 'jit') throw new UsageError('--check-jit needs --engine jit');
  if (opts.translationCache && opts.translationCache !== 'on' && opts.translationCache !== 'off') throw new UsageError(`--translation-cache ${opts.translationCache}: expected on or off`);
  const threshold = parseCount('--jit-threshold', opts.jitThreshold);
  const dumpAt = parseAddress(opts.dumpRegion);
  const gdbPort = opts.gdb === undefined ? undefined : usage(() => parseGdbPort(opts.gdb!));
  const profiler = opts.profile || opts.profileOut ? new Profiler() : undefined;
  const profileFd = opts.profileOut ? openOutput(opts.profileOut, '--profile-out') : undefined;
  setJsTierUp();
  // Measured (docs/ARCHITECTURE.md, "V8's tiers"): V8's optimizing compiler costs more on our
  // region functions than it saves on typical runs, so tier-1 code stays in Liftoff, and tier 2
  // (turbofan, the default) compiles only the regions that keep running with it, on a worker
  // thread, at the one function index V8 is told to optimize; --tier2 on brings V8's own tier-up
  // back for binaryen's regions. Set just before the first region is compiled (under the
  // launcher they are set already: v8preset.ts).
  const tier2 = opts.tier2 ?? 'turbofan';
  const codeFlags = runCodeFlags(engine === 'jit', tier2);
  const firstCompile = codeFlags.length ? () => codeFlags.forEach((f) => setV8Flag(f)) : undefined;
  let proc: LinuxProcess;
  try {
    proc = new LinuxProcess({
      program: prog,
      argv: [opts.argv0 ?? prog, ...args],
      env: guestEnv(opts),
      sysroot: opts.sysroot,
      trace: opts.trace ? stderrLine : undefined,
      strace: opts.strace,
      log: stderrLine,
      engine,
      // Not under gdb: the debugger may change code behind the store's back.
      translationCache: opts.translationCache !== 'off' && opts.gdb === undefined,
      engineOptions: {
        profiler,
        checkJit: opts.checkJit,
        jitOptions: {
          ...(threshold ? { threshold } : {}),
          tier2: opts.tier2 === 'on',
          ...(tier2 === 'turbofan' ? { optimize: 'worker' as const } : {}),
          beforeFirstCompile: firstCompile,
        },
      },
    });
  } catch (e) {
    if (e instanceof LoadError) throw new LoadError(`${prog}: ${e.message}`);
    throw e;
  }
  if (profiler) profiler.store = proc.translations?.store.stats ?? null;
  let status: number;
  try {
    status = gdbPort === undefined ? proc.run() : await runUnderGdb(proc, gdbPort);
    proc.translations?.save();
  } catch (e) {
    if (e instanceof JitDivergence) {
      stderrLine(`armvisor: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    proc.engine.jit?.tier2?.stop();
    proc.engine.jit?.reopt?.stop();
  }
  const jit = proc.engine.jit;
  // Named from the program, its interpreter and the shared libraries it mapped, where each was.
  const symbols = profiler || dumpAt !== undefined ? imageSymbols(proc.codeImages, readOrNull) : null;
  if (profiler) {
    profiler.symbols = symbols;
    profiler.reopt = jit?.reopt?.stats ?? null;
    if (opts.profile) stderrLine(profiler.report(proc.cpu.icount, jit?.stats ?? null, jit?.tier2?.stats ?? null, memoryUse(proc.mem.memory)));
    if (profileFd !== undefined) {
      fs.writeSync(profileFd, JSON.stringify(profiler.speedscope(prog)));
      fs.closeSync(profileFd);
    }
  }
  if (dumpAt !== undefined) {
    const blocks = proc.engine.cache.onPage(dumpAt >>> 12).map((e) => e.block);
    if (!blocks.length || !jit) stderrLine(`armvisor: --dump-region: no translated code at 0x${dumpAt.toString(16)}`);
    else {
      const { regionBlockTable, regionWat } = await import('../translator/jit/wat.js');
      const name = (pc: number): string | null => (symbols?.lookup(pc) ? symbols.format(pc) : null);
      process.stdout.write(regionBlockTable(blocks, name) + (await regionWat(blocks, jit.target)));
    }
  }
  return status;
}
