// `armvisor boot` as a user meets it (dist/cli/main.js in a child process): small bare-metal
// programs assembled here with Debian's binutils (console input through a pipe, a guest that
// spins past --timeout, one that waits for an interrupt nothing can raise, a signal), bad input
// (one line, exit 1), and --clock icount giving the same instruction count every run.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armvisorMain, runProcess } from '../bench/guestrun.js';
import { baremetalElf } from './baremetal/run.js';

let dir: string;

/** Assembles `src` (ARM, linked at 0x40010000) into an ELF with arm-linux-gnueabihf-as/ld. */
function elf(name: string, src: string): string {
  const s = join(dir, `${name}.s`);
  writeFileSync(s, `.syntax unified\n.arch armv7-a\n.arch_extension virt\n.text\n.global _start\n_start:\n${src}\n`);
  execFileSync('arm-linux-gnueabihf-as', ['-o', join(dir, `${name}.o`), s]);
  execFileSync('arm-linux-gnueabihf-ld', ['-Ttext', '0x40010000', '-e', '_start', '-o', join(dir, `${name}.elf`), join(dir, `${name}.o`)]);
  return join(dir, `${name}.elf`);
}

const boot = (args: string[], opts: { input?: string; timeoutMs?: number } = {}) =>
  runProcess(process.execPath, [armvisorMain(), 'boot', ...args], { input: opts.input, timeoutMs: opts.timeoutMs ?? 60_000 });

const SYSTEM_OFF = `
  ldr r0, =0x84000008
  hvc #0
  b .
  .ltorg`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'armvisor-boot-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('console input through a pipe reaches the PL011 and its output comes back', async () => {
  // Enables the UART, echoes each received byte + 1 until 'q', then powers off.
  const echo = elf(
    'echo',
    `
  ldr r4, =0x09000000
  ldr r0, =0x301          @ UARTCR: UARTEN, TXE, RXE
  str r0, [r4, #0x30]
1: ldr r0, [r4, #0x18]    @ UARTFR
  tst r0, #0x10           @ RXFE
  bne 1b
  ldr r0, [r4]
  and r0, r0, #0xff
  cmp r0, #'q'
  beq 2f
  add r0, r0, #1
  str r0, [r4]
  b 1b
2:${SYSTEM_OFF}`,
  );
  const r = await boot(['--kernel', echo], { input: 'HAL\nq' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.toString()).toBe('IBM\x0b');
});

test('--timeout ends a guest that never powers off: one line, exit 124', async () => {
  const spin = elf('spin', '1: b 1b');
  const r = await boot(['--kernel', spin, '--timeout', '1']);
  expect(r.status).toBe(124);
  expect(r.stderr).toBe('armvisor: guest did not finish within 1 s\n');
});

test('a WFI nothing can end (interrupts masked, no timer, input closed) stops the run: exit 2', async () => {
  const wfi = elf('wfi', 'cpsid if\n1: wfi\nb 1b');
  const r = await boot(['--kernel', wfi, '--timeout', '30']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^armvisor: the guest waits for an interrupt .*\n$/);
});

test('SIGTERM ends the run with status 143', async () => {
  // Prints '!' and spins: the signal is sent once the guest runs.
  const spin = elf('spin2', "ldr r4, =0x09000000\nmov r0, #'!'\nstr r0, [r4]\n1: b 1b\n.ltorg");
  const child = spawn(process.execPath, [armvisorMain(), 'boot', '--kernel', spin], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  child.stdout.once('data', () => child.kill('SIGTERM'));
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  expect(err).toBe('');
  expect(code).toBe(143);
});

test('PSCI through HVC: the version, NOT_SUPPORTED for an unknown function, SYSTEM_OFF', async () => {
  // Prints r0 of PSCI_VERSION and of function 0x12345 as 'V' + major and 'N' + (r0 + 2), i.e. "V1N1".
  const psci = elf(
    'psci',
    `
  ldr r4, =0x09000000
  ldr r0, =0x84000000
  hvc #0
  lsr r0, r0, #16
  add r0, r0, #'0'
  mov r1, #'V'
  str r1, [r4]
  str r0, [r4]
  ldr r0, =0x12345
  hvc #0
  add r0, r0, #'2'
  mov r1, #'N'
  str r1, [r4]
  str r0, [r4]
${SYSTEM_OFF}`,
  );
  const r = await boot(['--kernel', psci]);
  expect(r.status).toBe(0);
  expect(r.stdout.toString()).toBe('V1N1');
});

describe('bad input: one line on stderr, exit 1', () => {
  test.each([
    ['no --kernel', ['--append', 'console=ttyAMA0'], /^armvisor: --kernel FILE is required \(or --default-guest/],
    ['a missing kernel', ['--kernel', '/nonexistent/vmlinuz'], /^armvisor: --kernel \/nonexistent\/vmlinuz: no such file$/],
    ['a file that is no kernel', ['--kernel', 'package.json'], /^armvisor: package.json: not a kernel image/],
    ['a bad --memory', ['--kernel', 'package.json', '--memory', '0'], /^armvisor: --memory 0: expected/],
    ['a bad --timeout', ['--kernel', 'package.json', '--timeout', 'soon'], /^armvisor: --timeout soon: expected/],
    ['a bad --clock', ['--kernel', 'package.json', '--clock', 'sundial'], /sundial/],
  ])('%s', async (_what, args, want) => {
    const r = await boot(args);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(want);
  });

  test('a --dtb that does not parse, an initrd with an ELF program', async () => {
    const spin = elf('spin3', '1: b 1b');
    const junk = join(dir, 'junk.dtb');
    writeFileSync(junk, 'not a device tree at all');
    const r1 = await boot(['--kernel', spin, '--dtb', junk]);
    expect(r1.status).toBe(1);
    expect(r1.stderr).toMatch(/^armvisor: .*junk\.dtb: not a valid device tree blob: .*\n$/);
    const r2 = await boot(['--kernel', spin, '--initrd', junk]);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(/^armvisor: .*junk\.dtb: an initrd needs a Linux kernel.*\n$/);
  });
});

test('--clock icount: two runs of the timer test retire the same number of instructions', async () => {
  const t = baremetalElf('timer_gic');
  if (!existsSync(t)) throw new Error(`${t} not found: run \`npm test\` (its pretest step builds the bare-metal tests)`);
  const count = async () => {
    const r = await boot(['--kernel', t, '--clock', 'icount', '--profile']);
    expect(r.status).toBe(0);
    const m = /profile: ([\d,]+) guest instructions/.exec(r.stderr);
    expect(m).not.toBeNull();
    return { insns: m![1], console: r.stdout.toString() };
  };
  const a = await count();
  const b = await count();
  expect(b).toEqual(a);
  expect(a.console).toMatch(/DONE\n$/);
});
