// The command line as a user meets it (spawned `node dist/cli/main.js`, built by `npm test`'s
// pretest): help and version, one-line errors with exit 1 for bad input, the guest's exit
// status, crash reports with 128+signal, --trace and --strace. The guests here are tiny ELF
// files written by the test, using only data-processing instructions, SVC and UDF.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { guestEnv } from '../cli/run.js';
import { buildElf, words } from './helpers/elf-image.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const main = path.join(root, 'dist', 'cli', 'main.js');

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}
function armvisor(args: string[], env: NodeJS.ProcessEnv = process.env): Result {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env, timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** One line on stderr, no JavaScript stack trace. */
function oneLine(r: Result): string {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  return lines[0];
}

/** ELF32 ARM with one R+X segment at 0x10000 holding `code`; options corrupt it in known ways. */
function elf(code: number[], o: { machine?: number; interp?: string; cls?: number; data?: Uint8Array } = {}): Buffer {
  const data = Buffer.concat([words(code), o.data ?? new Uint8Array(0)]);
  return Buffer.from(buildElf({ segs: [{ vaddr: 0x10000, data, memsz: data.length, flags: 5 }], machine: o.machine, interp: o.interp, cls: o.cls }));
}

const MOV_R0_42 = 0xe3a0002a;
const MOV_R7_1 = 0xe3a07001;
const SVC_0 = 0xef000000;
// write(1, msg, 6); exit(7): the message follows the code (adr r1 = pc + 8 + 16 -> 0x10020)
const HELLO = [0xe3a00001, 0xe28f1014, 0xe3a02006, 0xe3a07004, SVC_0, 0xe3a00007, MOV_R7_1, SVC_0];

let dir: string;
const file = (name: string, data: Uint8Array | string): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  return f;
};
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armvisor-cli-'));
  expect(fs.existsSync(main)).toBe(true);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('help and version', () => {
  test('--version prints the package version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const r = armvisor(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  test('--help lists every command with its options', () => {
    const r = armvisor(['--help']);
    expect(r.status).toBe(0);
    for (const s of ['run', 'demo', 'bench cpu', '--sysroot', '-E, --env', '--trace', '--strace', '--engine']) expect(r.stdout).toContain(s);
  });

  test('a wrong flag is a one-line commander error, exit 1', () => {
    const r = armvisor(['run', '--bogus', 'x']);
    expect(r.status).toBe(1);
    expect(oneLine(r)).toMatch(/unknown option '--bogus'/);
  });

  test('an unknown engine is refused', () => {
    const r = armvisor(['run', '--engine', 'warp', file('t0', elf([MOV_R0_42, MOV_R7_1, SVC_0]))]);
    expect(r.status).toBe(1);
    expect(oneLine(r)).toMatch(/warp/);
  });
});

describe('bad programs: one line, exit 1', () => {
  test.each([
    ['missing file', () => path.join(dir, 'nope'), /: No such file or directory$/],
    ['a directory', () => dir, /: Is a directory$/],
    ['a text file', () => file('script.sh', '#!/bin/sh\necho hi\n'), /: not an ELF file$/],
    ['an empty file', () => file('empty', ''), /: not an ELF file$/],
    ['an x86 ELF', () => file('x86', elf([MOV_R0_42], { machine: 3 })), /: not an ARM executable \(e_machine 3\)$/],
    ['a 64-bit ELF', () => file('elf64', Buffer.concat([elf([MOV_R0_42], { cls: 2 }), Buffer.alloc(64)])), /: not a 32-bit ELF/],
    ['a truncated ELF', () => file('trunc', elf([MOV_R0_42, MOV_R7_1, SVC_0]).subarray(0, 0x1004)), /: truncated/],
    ['a dynamic ELF without -L', () => file('dyn', elf([MOV_R0_42], { interp: '/lib/ld-linux-armhf.so.3' })), /dynamically linked.*-L/],
  ])('%s', (_name, make, msg) => {
    const prog = make();
    const r = armvisor(['run', prog]);
    expect(r.status).toBe(1);
    const line = oneLine(r);
    expect(line.startsWith(`armvisor: ${prog}: `)).toBe(true);
    expect(line).toMatch(msg);
  });

  test('a dynamic ELF whose interpreter is missing from the sysroot', () => {
    const r = armvisor(['run', '-L', dir, file('dyn2', elf([MOV_R0_42], { interp: '/lib/ld-missing.so' }))]);
    expect(r.status).toBe(1);
    expect(oneLine(r)).toMatch(/interpreter .*ld-missing\.so: No such file or directory/);
  });
});

describe('running guests', () => {
  test("the guest's exit status is armvisor's", () => {
    const r = armvisor(['run', file('exit42', elf([MOV_R0_42, MOV_R7_1, SVC_0]))]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(42);
  });

  test('stdout from write(2); guest arguments that look like options pass through', () => {
    const r = armvisor(['run', file('hello', elf(HELLO, { data: Buffer.from('hello\n') })), '-r', '--bogus']);
    expect(r.stdout).toBe('hello\n');
    expect(r.status).toBe(7);
  });

  test('an undefined instruction: SIGILL report and 128+4', () => {
    const r = armvisor(['run', file('udf', elf([0xe7f000f0]))]);
    expect(r.status).toBe(132);
    expect(oneLine(r)).toBe('armvisor: guest SIGILL at pc=0x00010000 (undefined instruction e7f000f0)');
  });

  test('a jump to an unmapped address: SIGSEGV report and 128+11', () => {
    const r = armvisor(['run', file('jump0', elf([0xe3a0f000]))]); // mov pc, #0
    expect(r.status).toBe(139);
    expect(oneLine(r)).toMatch(/^armvisor: guest SIGSEGV at pc=0x00000000 accessing 0x00000000/);
  });

  test('a load from NULL: SIGSEGV report with the address, 128+11', () => {
    const r = armvisor(['run', file('null', elf([0xe3a01000, 0xe5910000]))]); // mov r1, #0; ldr r0, [r1]
    expect(r.status).toBe(139);
    expect(oneLine(r)).toBe('armvisor: guest SIGSEGV at pc=0x00010004 accessing 0x00000000');
  });

  test('an unaligned LDREX: SIGBUS, 128+7', () => {
    const r = armvisor(['run', file('align', elf([0xe59f1004, 0xe1910f9f, 0xe3a0002a, 0x00010001]))]); // ldr r1, =0x10001; ldrex r0, [r1]
    expect(r.status).toBe(135);
    expect(oneLine(r)).toMatch(/^armvisor: guest SIGBUS at pc=0x00010004 accessing 0x00010001/);
  });

  test('BKPT: SIGTRAP, 128+5', () => {
    const r = armvisor(['run', file('bkpt', elf([0xe1200070]))]);
    expect(r.status).toBe(133);
    expect(oneLine(r)).toMatch(/^armvisor: guest SIGTRAP at pc=0x00010000/);
  });

  test('--strace logs system calls', () => {
    const r = armvisor(['run', '--strace', file('hello2', elf(HELLO, { data: Buffer.from('hello\n') }))]);
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(/write\(1,0x10020,6\) = 6/);
    expect(r.stderr).toMatch(/exit\(7\)/);
  });

  test('--dump-region prints the wasm text of the region holding an address', () => {
    // mov r0, #0; 1: add r0, r0, #1; cmp r0, #100; bne 1b; exit(r0): hot enough to compile
    const loop = [0xe3a00000, 0xe2800001, 0xe3500064, 0x1afffffc, MOV_R7_1, SVC_0];
    const r = armvisor(['run', '--jit-threshold', '1', '--dump-region', '0x10004', file('loop100', elf(loop))]);
    expect(r.status).toBe(100);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/\(module/);
    // User mode: slow paths leave the region (jit/slowexit.ts); no try/catch_all, no slow-path imports.
    expect(out).not.toMatch(/catch_all|\$slow_load/);
    // the block table: each block's br_table index and guest address
    expect(out).toMatch(/^;; region of \d+ blocks?;/m);
    expect(out).toMatch(/^;;\s+\d+: 0x00010004 A32, \d+ insns/m);
    // Locals and imports by name: the region's parameter, the guest registers and flags it keeps
    // in locals, the slow paths.
    expect(out).toMatch(/\(func \$region0 \(type \d+\) \(param \$entry i32\)/);
    expect(out).toMatch(/local\.get \$r0\b/);
    expect(out).toMatch(/\(local \$[a-z]/);
    expect(out).toMatch(/\$budget\b/);
    // where each block's code begins
    expect(out).toMatch(/^\s+;; block \d+: 0x00010004 A32, \d+ insns$/m);
    expect(out).not.toMatch(/internal error/);
  });

  test('--trace prints address, encoding and disassembly of executed instructions', () => {
    const r = armvisor(['run', '--trace', file('exit42b', elf([MOV_R0_42, MOV_R7_1, SVC_0]))]);
    expect(r.status).toBe(42);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^00010000: e3a0002a\s+mov r0, #42/);
    expect(lines[2]).toMatch(/^00010008: ef000000\s+svc/);
  });
});

describe('demo', () => {
  test('`armvisor demo` says what it runs, then runs the demo guest to a clean exit', () => {
    const r = armvisor(['demo']);
    expect(r.stderr).not.toMatch(/^\s+at |internal error/m);
    const lines = r.stdout.split('\n');
    const intro = lines.findIndex((l) => /running the bundled demo guest/.test(l));
    expect(intro).toBeGreaterThanOrEqual(0);
    expect(lines.slice(intro + 1).join('\n')).toMatch(/Hello from an ARMv7-A guest/);
    expect(r.status).toBe(0);
  });
});

describe('guest environment', () => {
  test('-E adds, -U removes, the host environment is the base (like qemu-arm)', () => {
    const saved = process.env.ARMVISOR_T;
    process.env.ARMVISOR_T = 'host';
    try {
      const env = guestEnv({ env: ['A=1', 'B=x=y'], unset: ['ARMVISOR_T'] });
      expect(env).toContain('A=1');
      expect(env).toContain('B=x=y');
      expect(env.some((e) => e.startsWith('ARMVISOR_T='))).toBe(false);
      expect(guestEnv({})).toContain('ARMVISOR_T=host');
      expect(() => guestEnv({ env: ['novalue'] })).toThrow(/VAR=VALUE/);
    } finally {
      if (saved === undefined) delete process.env.ARMVISOR_T;
      else process.env.ARMVISOR_T = saved;
    }
  });
});
