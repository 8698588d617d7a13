// `armvisor boot` as a user meets it (dist/cli/main.js in a child process): small bare-metal
// programs assembled here with Debian's binutils (console input through a pipe, a guest that
// spins past --timeout, one that waits for an interrupt nothing can raise, a signal), bad input
// (a missing, empty or non-kernel file, a bad --dtb, an initrd too big for RAM, --memory out of
// range, unknown flags: one line, exit 1), --clock icount giving the same instruction count
// every run, and --profile's hottest functions named from an ELF's own symbols, a System.map
// (--symbols), or the System.map beside Debian's kernel.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armvisorMain, runProcess } from '../bench/guestrun.js';
import { baremetalElf } from './baremetal/run.js';
import { kernelFile } from './helpers/kernel.js';

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
    ['--memory above the board\'s RAM window', ['--kernel', 'package.json', '--memory', '5000'], /^armvisor: --memory 5000: expected a whole number of MiB from 1 to 3072$/],
    ['--memory not in decimal MiB', ['--kernel', 'package.json', '--memory', '0x10'], /^armvisor: --memory 0x10: expected/],
    ['--memory with a fraction', ['--kernel', 'package.json', '--memory', '1.5'], /^armvisor: --memory 1\.5: expected/],
    ['an unknown flag', ['--kernel', 'package.json', '--bogus'], /^armvisor: unknown option '--bogus'$/],
    ['a stray argument', ['--kernel', 'package.json', 'extra'], /^armvisor: too many arguments/],
    ['a directory as the kernel', ['--kernel', 'spec'], /^armvisor: --kernel spec: is a directory$/],
    ['an empty kernel file', ['--kernel', '/dev/null'], /^armvisor: \/dev\/null: not a kernel image/],
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

  test('an initrd too big for RAM', async () => {
    // A zImage header (the plan fails before anything runs) and, with 16 MiB of RAM, an initrd
    // placed at RAM + 8 MiB that needs 9 MiB.
    const z = new Uint8Array(0x1000);
    const dv = new DataView(z.buffer);
    dv.setUint32(0x24, 0x016f2818, true);
    dv.setUint32(0x2c, z.length, true);
    dv.setUint32(0x30, 0x04030201, true);
    const kernel = join(dir, 'tiny.zimage');
    const initrd = join(dir, 'big.initrd');
    writeFileSync(kernel, z);
    writeFileSync(initrd, new Uint8Array(9 * 0x10_0000));
    const r = await boot(['--kernel', kernel, '--initrd', initrd, '--memory', '16']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^armvisor: .*big\.initrd: the initrd \(9437184 bytes\) does not fit in RAM: .*\(give more memory\)\n$/);
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
  // --stats: the same counts without the PC sampler (whose short slices would cost a boot ~7%).
  const r = await boot(['--kernel', t, '--clock', 'icount', '--stats']);
  expect(r.status).toBe(0);
  expect(/profile: ([\d,]+) guest instructions/.exec(r.stderr)?.[1]).toBe(a.insns);
  expect(r.stderr).toMatch(/^profile: JIT: /m);
  expect(r.stderr).not.toMatch(/hottest/);
  expect(r.stdout.toString()).toBe(a.console);
});

describe('--profile: the hottest guest functions', () => {
  // `hot` runs 200 x 2000 iterations, `cold` 20 000: about 95% and 5% of the instructions.
  const PROGRAM = `
  bl cold
  mov r6, #0
1: bl hot
  add r6, r6, #1
  cmp r6, #200
  bne 1b
${SYSTEM_OFF}
  .type hot, %function
hot:
  ldr r0, =2000
2: subs r0, r0, #1
  bne 2b
  bx lr
  .ltorg
  .size hot, .-hot
  .type cold, %function
cold:
  ldr r0, =20000
3: subs r0, r0, #1
  bne 3b
  bx lr
  .ltorg
  .size cold, .-cold`;

  /** The table after the "hottest" line: [percent, instructions, name]. */
  function hottest(stderr: string): { header: string; rows: [number, number, string][] } {
    const lines = stderr.split('\n');
    const at = lines.findIndex((l) => l.startsWith('profile: hottest '));
    expect(at).toBeGreaterThanOrEqual(0);
    const rows: [number, number, string][] = [];
    for (const l of lines.slice(at + 1)) {
      const m = /^profile:\s+([\d.]+)%\s+([\d,]+)\s+(\S+)$/.exec(l);
      if (!m) break;
      rows.push([Number(m[1]), Number(m[2].replace(/,/g, '')), m[3]]);
    }
    return { header: lines[at], rows };
  }

  const share = (rows: [number, number, string][], name: string) => rows.find((r) => r[2] === name)?.[0] ?? 0;

  test("an ELF kernel's own symbols by default; a System.map by --symbols; --profile-out writes speedscope JSON", async () => {
    const prog = elf('hotcold', PROGRAM);
    const a = await boot(['--kernel', prog, '--clock', 'icount', '--profile']);
    expect(a.status).toBe(0);
    const ta = hottest(a.stderr);
    expect(ta.header).toContain(`symbols: ${prog}`);
    expect(ta.rows[0][2]).toBe('hot');
    expect(share(ta.rows, 'hot')).toBeGreaterThan(88);
    expect(share(ta.rows, 'cold')).toBeGreaterThan(1);
    expect(share(ta.rows, 'cold')).toBeLessThan(10);

    // The same run, stripped, named from nm's output in System.map form.
    const stripped = join(dir, 'hotcold.stripped');
    execFileSync('arm-linux-gnueabihf-objcopy', ['--strip-all', prog, stripped]);
    const map = join(dir, 'hotcold.map');
    writeFileSync(map, execFileSync('arm-linux-gnueabihf-nm', ['-n', prog]));
    const out = join(dir, 'hotcold.speedscope.json');
    const b = await boot(['--kernel', stripped, '--clock', 'icount', '--profile', '--symbols', map, '--profile-out', out]);
    expect(b.status).toBe(0);
    const tb = hottest(b.stderr);
    expect(tb.header).toContain(`symbols: ${map}`);
    expect(tb.rows[0][2]).toBe('hot');
    expect(share(tb.rows, 'hot')).toBeGreaterThan(88);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { shared: { frames: { name: string }[] }; profiles: { weights: number[]; samples: number[][] }[] };
    const p = json.profiles[0];
    const heaviest = p.samples[p.weights.indexOf(Math.max(...p.weights))][0];
    expect(json.shared.frames[heaviest].name).toBe('hot');
  });

  test('code that ends run-loop slices itself (a timer register write) is not credited with them', async () => {
    // `tick` (3 instructions) writes CNTV_TVAL, which ends the slice; `work` runs ~1000.
    const prog = elf(
      'tickwork',
      `
  mov r6, #0
  ldr r7, =2000
1: bl tick
  bl work
  add r6, r6, #1
  cmp r6, r7
  bne 1b
${SYSTEM_OFF}
  .type tick, %function
tick:
  mov r0, #1000
  mcr p15, 0, r0, c14, c3, 0
  bx lr
  .size tick, .-tick
  .type work, %function
work:
  ldr r0, =500
2: subs r0, r0, #1
  bne 2b
  bx lr
  .ltorg
  .size work, .-work`,
    );
    const r = await boot(['--kernel', prog, '--clock', 'icount', '--profile']);
    expect(r.status).toBe(0);
    const t = hottest(r.stderr);
    expect(t.rows[0][2]).toBe('work');
    expect(share(t.rows, 'work')).toBeGreaterThan(95);
    expect(share(t.rows, 'tick')).toBeLessThan(3);
  });

  test('bad --symbols and --profile-out: one line, exit 1', async () => {
    const prog = elf('hotcold2', PROGRAM);
    const r1 = await boot(['--kernel', prog, '--profile', '--symbols', join(dir, 'nope.map')]);
    expect(r1.status).toBe(1);
    expect(r1.stderr).toMatch(/^armvisor: --symbols .*nope\.map: no such file\n$/);
    const junk = join(dir, 'junk.map');
    writeFileSync(junk, 'hello\nworld\n');
    const r2 = await boot(['--kernel', prog, '--profile', '--symbols', junk]);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(/^armvisor: --symbols .*junk\.map: no function symbols .*\n$/);
    const r3 = await boot(['--kernel', prog, '--profile-out', join(dir, 'no/such/dir/p.json')]);
    expect(r3.status).toBe(1);
    expect(r3.stderr).toMatch(/^armvisor: --profile-out .*p\.json: no such directory\n$/);
  });

  test("Debian's kernel for 2 s: kernel functions named from the System.map beside the Image", async () => {
    const image = kernelFile('Image');
    const names = new Set(readFileSync(kernelFile('System.map'), 'latin1').split('\n').map((l) => l.split(' ')[2]));
    const r = await boot(['--kernel', image, '--initrd', kernelFile('initramfs.cpio'), '--timeout', '2', '--profile']);
    expect(r.status).toBe(124);
    const t = hottest(r.stderr);
    expect(t.header).toContain(`symbols: ${kernelFile('System.map')}`);
    expect(t.rows).toHaveLength(15);
    for (const [, , name] of t.rows) expect(names.has(name)).toBe(true);
    const total = Number(/([\d,]+) instructions sampled/.exec(t.header)![1].replace(/,/g, ''));
    expect(t.rows.reduce((a, r) => a + r[1], 0)).toBeLessThanOrEqual(total);
    expect(total).toBeGreaterThan(1_000_000);
  });
});
