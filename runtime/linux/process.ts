// One guest Linux process: loads the program (and its interpreter), builds the initial
// stack, then runs the Engine and handles what it exits for: system calls, faults turned
// into signals, breakpoints. The result is the guest's exit status.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { BREAKPOINT_HIT, Engine, type EngineOptions } from '../exec.js';
import { flatJitTarget } from '../memory/flat-jit.js';
import { FlatMemory, PAGE_SIZE, STATE_BASE } from '../memory/flat.js';
import { TranslationFile } from './transcache.js';
import { CpuState, W } from '../../translator/state.js';
import { Exit } from '../../translator/ir.js';
import { fetchInsn } from '../../translator/lift/block.js';
import { AddressSpace, MMAP_BASE, STACK_SIZE, STACK_TOP, pageAlignUp } from './mm.js';
import { ElfError, ET_DYN, imageSpan, loadImage, parseElf, type ElfImage } from './elf.js';
import { buildStack } from './stack.js';
import { installKuserPage } from './kuser.js';
import { FdTable } from './fds.js';
import { GuestIO } from './guestio.js';
import { GuestKilled, SI, SIG, Signals, hex8, sigName, type SigInfo } from './signals.js';
import { E, hostErrno, isHostError } from './errno.js';
import { SYSCALLS } from './syscalls/index.js';
import { SYSCALL_NAMES } from './syscalls/numbers.js';
import type { SyscallDef } from './syscalls/common.js';
import { formatSyscall } from './syscalls/strace.js';
import type { CodeImage } from './images.js';

/** Where an ET_DYN main program (static-pie, or ld.so run directly) is placed. */
export const ET_DYN_BASE = 0x00400000;

/** Most executable file mappings LinuxProcess.codeImages keeps for the profiler's names. */
const MAX_CODE_IMAGES = 1024;

export interface ProcessOptions {
  /** 'jit' (default: tier 1, hot regions compiled to wasm) or 'interp' (tier 0 only). */
  engine?: 'jit' | 'interp';
  /** Further engine settings: JIT thresholds, tier 2, --check-jit, the profiler. */
  engineOptions?: Omit<EngineOptions, 'trace' | 'jit' | 'checkJit'> & { checkJit?: boolean };
  /** Host path of the program file. */
  program: string;
  /** Guest argv (argv[0] is the program as given). */
  argv: string[];
  /** Guest environment ("VAR=value"). */
  env: string[];
  /** -L: where absolute guest paths are looked up first, and the interpreter is found. */
  sysroot?: string;
  /** Per-instruction trace (address, encoding, disassembly). */
  trace?: (line: string) => void;
  /** Log each system call. */
  strace?: boolean;
  /** Where armvisor's own messages go (warnings, crash reports); default stderr. */
  log?: (line: string) => void;
  /** Fixed AT_RANDOM bytes (tests). */
  random?: Uint8Array;
  /**
   * Keep the JIT's translations of this program between runs (transcache.ts): a later run
   * takes the blocks and modules whose code is unchanged instead of translating them again.
   */
  translationCache?: boolean;
}

/** The guest called exit or exit_group. */
export class GuestExit {
  constructor(readonly status: number) {}
}

/** A program armvisor cannot start (one line for the user). */
export class LoadError extends Error {}

/** How a stretch of the run (runSlice, stepOne) ended. */
export type RunEnd =
  /** The guest is gone: its exit status (128 + signal when a signal killed it). */
  | { kind: 'exit'; status: number; signal?: number }
  /** The engine stopped before an instruction at a debugger breakpoint. */
  | { kind: 'breakpoint' }
  /** The instruction budget ran out; the guest can go on. */
  | { kind: 'paused' };

export class LinuxProcess {
  readonly mem = new FlatMemory();
  readonly cpu: CpuState;
  readonly as: AddressSpace;
  readonly fds = new FdTable();
  readonly signals = new Signals();
  readonly io: GuestIO;
  readonly engine: Engine;
  /** Where this program's translations are kept between runs, when they are. */
  readonly translations: TranslationFile | null;
  readonly log: (line: string) => void;
  readonly sysroot: string | null;
  /** Absolute host path of the program (readlink /proc/self/exe). */
  readonly exePath: string;
  readonly pid = process.pid;
  /** Where the main program was loaded relative to its link addresses (ET_DYN), else 0. */
  loadBias = 0;
  /**
   * The ELF files whose code the guest runs, and where: the program and its interpreter as the
   * loader placed them, then every file the guest maps executable (the dynamic loader's shared
   * libraries). The profiler names functions from them (images.ts imageSymbols).
   */
  readonly codeImages: CodeImage[] = [];
  private readonly codeImageKeys = new Set<string>();
  /** prctl PR_SET_NAME. */
  comm: string;
  /** The auxiliary vector given to the program, as its bytes (/proc/self/auxv). */
  auxv = new Uint8Array(0);
  private readonly warned = new Set<string>();

  constructor(readonly opts: ProcessOptions) {
    this.log = opts.log ?? ((l) => process.stderr.write(l + '\n'));
    this.cpu = new CpuState(this.mem.memory.buffer, STATE_BASE);
    this.as = new AddressSpace(this.mem);
    const eo = opts.engineOptions ?? {};
    const jit = opts.engine === 'interp' ? undefined : flatJitTarget(this.mem, this.cpu);
    // Module keys include the target's layout: generated code addresses the state, the
    // permission table and the dispatcher's table directly.
    const seed = jit ? [jit.pages, jit.cpu.base, (jit.strategy as { permBase?: number }).permBase ?? -1, (jit.strategy as { fastBase?: number }).fastBase ?? -1, jit.dispatchBase ?? -1] : [];
    this.translations = jit && opts.translationCache && !opts.trace && !eo.checkJit ? TranslationFile.open(opts.program, this.mem.i32, seed) : null;
    this.engine = new Engine(this.cpu, this.mem, {
      ...eo,
      trace: opts.trace,
      jit,
      checkJit: eo.checkJit ? this.mem : undefined,
      store: this.translations?.store,
    });
    const inval = (p: number) => this.engine.invalidatePage(p);
    this.as.onInvalidate = inval;
    this.mem.onCodeWrite = inval;
    this.io = new GuestIO(this.mem, inval);
    this.sysroot = opts.sysroot ? path.resolve(opts.sysroot) : null;
    this.exePath = path.resolve(opts.program);
    this.comm = path.basename(opts.program).slice(0, 15);
    this.load();
  }

  /**
   * The guest mapped `path` executable from `fileOffset` at `addr` (codeImages). The same mapping
   * again adds nothing, and at most MAX_CODE_IMAGES are kept: a guest that maps and unmaps in a
   * loop must not grow this without bound.
   */
  noteCodeMapping(path: string, fileOffset: number, addr: number): void {
    const key = `${path}\0${fileOffset}\0${addr}`;
    if (this.codeImages.length >= MAX_CODE_IMAGES || this.codeImageKeys.has(key)) return;
    this.codeImageKeys.add(key);
    this.codeImages.push({ path, fileOffset, addr });
  }

  /** Prints a warning once per key. */
  warnOnce(key: string, line: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log(line);
  }

  /** Maps an absolute guest path into the sysroot when the file exists there (like qemu -L). */
  hostPath(p: string): string {
    if (this.sysroot && p.startsWith('/')) {
      const q = path.join(this.sysroot, p);
      if (fs.existsSync(q)) return q;
    }
    return p;
  }

  private readImage(file: string, what: string): ElfImage {
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      throw new LoadError(`${what}${describeHostError(e)}`);
    }
    try {
      return parseElf(data);
    } catch (e) {
      if (e instanceof ElfError) throw new LoadError(`${what}${e.message}`);
      throw e;
    }
  }

  private load(): void {
    const img = this.readImage(this.opts.program, '');
    let interpImg: ElfImage | null = null;
    let interpPath = '';
    if (img.interp) {
      if (!this.sysroot)
        throw new LoadError(`dynamically linked (interpreter ${img.interp}); give the ARM sysroot with -L (e.g. -L /usr/arm-linux-gnueabihf)`);
      const ip = (interpPath = path.join(this.sysroot, img.interp));
      interpImg = this.readImage(ip, `interpreter ${ip}: `);
      if (interpImg.interp) throw new LoadError(`interpreter ${ip}: is itself dynamically linked`);
    }
    try {
      const mainBias = img.type === ET_DYN ? ET_DYN_BASE - imageSpan(img).low : 0;
      const main = loadImage(this.as, img, mainBias);
      this.loadBias = mainBias;
      this.codeImages.push({ path: this.opts.program, bias: mainBias });
      this.as.brkStart = this.as.brk = pageAlignUp(main.high);
      let entry = main.entry;
      let base = 0;
      if (interpImg) {
        const span = imageSpan(interpImg);
        const at = interpImg.type === ET_DYN ? this.as.findFree(span.high - span.low, MMAP_BASE) : span.low;
        if (at < 0) throw new ElfError('no room for the interpreter');
        const li = loadImage(this.as, interpImg, interpImg.type === ET_DYN ? at - span.low : 0);
        this.codeImages.push({ path: interpPath, bias: li.bias });
        base = li.bias;
        entry = li.entry;
      }
      // Stack with a guard page below it.
      this.as.map(STACK_TOP - STACK_SIZE, STACK_SIZE, 3);
      installKuserPage(this.as);
      const uid = process.getuid?.() ?? 0;
      const gid = process.getgid?.() ?? 0;
      const st = buildStack(this.mem, STACK_TOP, {
        argv: this.opts.argv,
        envp: this.opts.env,
        execfn: this.opts.argv[0] ?? this.opts.program,
        phdr: main.phdr,
        phnum: main.phnum,
        base,
        entry: main.entry,
        uid,
        gid,
        random: this.opts.random,
      });
      this.auxv = this.mem.u8.slice(st.auxv, st.auxv + st.auxvBytes);
      const cpu = this.cpu;
      cpu.setReg(13, st.sp);
      cpu.setReg(0, 0);
      cpu.setReg(1, this.mem.dv.getUint32(st.sp + 4, true));
      cpu.setReg(2, this.mem.dv.getUint32(st.sp + 8, true));
      cpu.i32[W.T] = entry & 1;
      cpu.pc = (entry & ~1) >>> 0;
    } catch (e) {
      if (e instanceof ElfError) throw new LoadError(e.message);
      throw e;
    }
    this.fds.initStdio();
  }

  /** Runs the guest to its end; returns the exit status (128 + signal when killed). */
  run(): number {
    for (;;) {
      const end = this.runSlice(Infinity);
      if (end.kind === 'exit') return end.status;
    }
  }

  /** Runs about `budget` guest instructions (Infinity: until the end or a breakpoint). */
  runSlice(budget: number): RunEnd {
    const cpu = this.cpu;
    const start = cpu.icount;
    try {
      for (;;) {
        const left = budget - (cpu.icount - start);
        if (left <= 0) return { kind: 'paused' };
        const r = this.engine.run(left);
        if (r === BREAKPOINT_HIT) return { kind: 'breakpoint' };
        this.handleExit(r);
      }
    } catch (e) {
      return this.ended(e);
    }
  }

  /** Executes one guest instruction (a debugger's step), with the system call or signal it causes. */
  stepOne(): RunEnd {
    try {
      this.handleExit(this.engine.step());
      return { kind: 'paused' };
    } catch (e) {
      return this.ended(e);
    }
  }

  private ended(e: unknown): RunEnd {
    if (e instanceof GuestExit) return { kind: 'exit', status: e.status };
    if (e instanceof GuestKilled) {
      if (e.message) this.log(e.message);
      return { kind: 'exit', status: 128 + e.signo, signal: e.signo };
    }
    throw e;
  }

  /** Handles what a block exited for (system call, fault), then delivers pending signals. */
  private handleExit(r: number): void {
    const cpu = this.cpu;
    switch (r) {
      case Exit.SVC:
        this.syscall();
        break;
      case Exit.UNDEF:
      case Exit.SMC:
      case Exit.HVC: {
        const f = fetchInsn(this.mem, cpu.pc, cpu.thumb);
        const enc = f ? (f[1] === 2 ? f[0].toString(16).padStart(4, '0') : cpu.thumb ? `${(f[0] >>> 16).toString(16).padStart(4, '0')} ${(f[0] & 0xffff).toString(16).padStart(4, '0')}` : hex8(f[0])) : '?';
        this.fault({ signo: SIG.SIGILL, code: SI.ILL_ILLOPC, addr: cpu.pc, message: `armvisor: guest SIGILL at pc=0x${hex8(cpu.pc)} (undefined instruction ${enc})` });
        break;
      }
      case Exit.BKPT:
        this.fault({ signo: SIG.SIGTRAP, code: SI.TRAP_BRKPT, addr: cpu.pc, message: `armvisor: guest SIGTRAP at pc=0x${hex8(cpu.pc)} (bkpt #${cpu.u32[W.TRAP_IMM]})` });
        break;
      case Exit.DATA_ABORT: {
        const addr = cpu.u32[W.FAULT_ADDR];
        const mapped = this.as.isMapped(addr);
        this.fault({ signo: SIG.SIGSEGV, code: mapped ? SI.SEGV_ACCERR : SI.SEGV_MAPERR, addr, message: `armvisor: guest SIGSEGV at pc=0x${hex8(cpu.pc)} accessing 0x${hex8(addr)}` });
        break;
      }
      case Exit.PREFETCH_ABORT:
        this.fault({ signo: SIG.SIGSEGV, code: this.as.isMapped(cpu.pc) ? SI.SEGV_ACCERR : SI.SEGV_MAPERR, addr: cpu.pc, message: `armvisor: guest SIGSEGV at pc=0x${hex8(cpu.pc)} accessing 0x${hex8(cpu.pc)} (instruction fetch)` });
        break;
      case Exit.ALIGN_FAULT: {
        const addr = cpu.u32[W.FAULT_ADDR];
        this.fault({ signo: SIG.SIGBUS, code: SI.BUS_ADRALN, addr, message: `armvisor: guest SIGBUS at pc=0x${hex8(cpu.pc)} accessing 0x${hex8(addr)} (alignment)` });
        break;
      }
      default:
        break; // NEXT, YIELD: carry on
    }
    if (this.signals.hasDeliverable()) this.signals.deliverPending(cpu, this.mem);
  }

  private fault(info: SigInfo): void {
    this.signals.force(this.cpu, this.mem, info);
  }

  /** One ARM EABI system call: number in r7, arguments in r0-r6, result in r0. */
  syscall(): void {
    const cpu = this.cpu;
    const nr = cpu.reg(7);
    const args = [cpu.reg(0), cpu.reg(1), cpu.reg(2), cpu.reg(3), cpu.reg(4), cpu.reg(5), cpu.reg(6)];
    const def = SYSCALLS.get(nr);
    const prof = this.opts.engineOptions?.profiler;
    const t0 = prof ? performance.now() : 0;
    try {
      this.dispatchSyscall(nr, def, args);
    } finally {
      // --profile: time and count each call (a run's "syscalls" row and list).
      if (prof) prof.event('syscall', def?.name ?? SYSCALL_NAMES.get(nr) ?? `syscall_${nr}`, performance.now() - t0);
    }
  }

  private dispatchSyscall(nr: number, def: SyscallDef | undefined, args: number[]): void {
    const cpu = this.cpu;
    let ret: number | void;
    if (!def) {
      this.warnOnce(`sys${nr}`, `armvisor: Unsupported syscall: ${nr}${SYSCALL_NAMES.has(nr) ? ` (${SYSCALL_NAMES.get(nr)})` : ''}`);
      ret = -E.ENOSYS;
    } else {
      try {
        ret = def.fn(this, args);
      } catch (e) {
        if (e instanceof GuestExit || e instanceof GuestKilled) {
          if (this.opts.strace) this.log(`${this.pid} ${formatSyscall(this, def, args)} = ?`);
          throw e;
        }
        if (!isHostError(e)) throw e;
        ret = -hostErrno(e);
      }
    }
    if (this.opts.strace) {
      const shown = ret === undefined ? '(restored)' : ret < 0 && ret > -4096 ? `-1 errno=${-ret} (${errnoName(-ret)})` : `${ret >>> 0 > 0xffff ? '0x' + (ret >>> 0).toString(16) : ret >>> 0}`;
      this.log(`${this.pid} ${def ? formatSyscall(this, def, args) : `syscall_${nr}(...)`} = ${shown}`);
    }
    if (ret !== undefined) cpu.setReg(0, ret >>> 0);
  }

  /** Queues a signal for this process (kill, tgkill, raise). */
  raise(sig: number, code: number = SI.USER): void {
    this.signals.raise({ signo: sig, code, pid: this.pid, uid: process.getuid?.() ?? 0 });
  }

  /** Exits the guest (exit, exit_group). */
  exit(status: number): never {
    throw new GuestExit(status & 0xff);
  }

  get pageSize(): number {
    return PAGE_SIZE;
  }
}

const ERRNO_NAMES = new Map<number, string>();
for (const [k, v] of Object.entries(E)) if (!ERRNO_NAMES.has(v)) ERRNO_NAMES.set(v, k);
export const errnoName = (n: number): string => ERRNO_NAMES.get(n) ?? `E${n}`;

/** "No such file or directory" for a host error thrown by fs. */
export function describeHostError(e: unknown): string {
  const code = (e as { code?: string })?.code;
  const text: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    EISDIR: 'Is a directory',
    ENOTDIR: 'Not a directory',
    ELOOP: 'Too many levels of symbolic links',
    EMFILE: 'Too many open files',
    ENAMETOOLONG: 'File name too long',
  };
  if (code && text[code]) return text[code];
  if (code === 'ERR_FS_FILE_TOO_LARGE') return 'file too large';
  return (e as Error)?.message?.split('\n')[0] ?? String(e);
}

export { sigName };
