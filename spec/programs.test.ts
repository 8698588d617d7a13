// Real programs of our own (spec/guests/*.c, *.S), each built for A32 (-marm) and Thumb-2
// (-mthumb) by scripts/build-guests.sh: under armvisor they must write the same bytes to stdout
// and exit with the same status as under `qemu-arm -cpu cortex-a15`.

import { describeDifference, guestEnv, guestPath, runBoth, expectSameRun, tempDir } from './helpers/differential.js';
import { EXACT_AFTER } from '../runtime/exec.js';

// The guests run in a scratch folder (files.c creates and removes files there).
const scratch = tempDir('programs');
afterAll(() => scratch.remove());

interface Case {
  guest: string;
  args?: string[];
  env?: Record<string, string>;
  /** The status the program is written to end with (checked on qemu too, so the case cannot pass vacuously). */
  status: number;
  /** A line the program must print (checked on qemu too). */
  prints?: string;
}

const CASES: Case[] = [
  { guest: 'demo', status: 0, prints: 'Goodbye.' },
  { guest: 'hash', status: 0, prints: 'fnv64 ' },
  { guest: 'hash', args: ['1', '96'], status: 0, prints: 'fnv32 ' },
  { guest: 'sort', status: 0, prints: '8000 nodes, 0 inversions' },
  { guest: 'nbody', status: 0, prints: '-0.169075164' },
  { guest: 'setjmp', status: 0, prints: 'escaped qsort after 50 compares' },
  { guest: 'bigmem', status: 0, prints: 'fresh mmap reads zero: 1' },
  { guest: 'pagetail', status: 0, prints: 'load of 8 at +4092 faulted at +4096' },
  { guest: 'strings', status: 0, prints: 'tokens 13' },
  { guest: 'smc', status: 0, prints: 'literals: 80973000 (want 80973000), store then load: 3000 (want 3000)' },
  { guest: 'files', status: 0, prints: 'dir: . .. data.bin link renamed.txt sub' },
  { guest: 'signals', status: 0, prints: 'recovered from SIGSEGV at 0x210' },
  { guest: 'signals', args: ['die'], status: 143, prints: 'raising SIGTERM' },
  {
    guest: 'args',
    args: ['one', 'two words', '', 'ünïcödé', '--flag=1', '-x'],
    env: { GUEST_ONE: 'first', GUEST_TWO: 'a=b=c', GUEST_EMPTY: '' },
    status: 0,
    prints: 'env GUEST_TWO=a=b=c',
  },
  { guest: 'exitcode', status: 3, prints: 'exiting with 3' },
  { guest: 'exitcode', args: ['0'], status: 0 },
  { guest: 'exitcode', args: ['255'], status: 255 },
  { guest: 'exitcode', args: ['77'], status: 77 },
  { guest: 'crash', status: 139, prints: 'about to dereference NULL' },
  { guest: 'asm', status: 5, prints: '0x000000aa' },
  { guest: 'bploop', status: 112 },
];

// Both engines: the JIT and the interpreter alone. The JIT compiles a page after 100
// interpreted instructions here rather than its default (6000, tuned for speed), so that these
// short programs run mostly as generated code (signals-arm: 447 blocks compiled instead of 8).
const ENGINE_FLAGS = { jit: ['--engine', 'jit', '--jit-threshold', '100'], interp: ['--engine', 'interp'] };
for (const [isa, engine] of [
  ['arm', 'jit'],
  ['thumb', 'jit'],
  ['arm', 'interp'],
  ['thumb', 'interp'],
] as const) {
  describe(`our guests built with -m${isa}, armvisor ${ENGINE_FLAGS[engine].join(' ')} vs qemu-arm`, () => {
    for (const c of CASES) {
      const label = `${c.guest}-${isa}${c.args ? ' ' + JSON.stringify(c.args) : ''}`;
      test(label, async () => {
        const pair = await runBoth(guestPath(c.guest, isa), c.args ?? [], { env: guestEnv(c.env), cwd: scratch.dir }, ENGINE_FLAGS[engine]);
        expect(pair.qemu.status).toBe(c.status);
        if (c.prints) expect(pair.qemu.stdout.toString('utf8')).toContain(c.prints);
        expectSameRun(pair, label);
      });
    }

    // The chunk test (translator/jit/flat.ts) sends pagetail's loop to the slow path, all of
    // its accesses being in the last chunk of a page before an unmapped one, until the engine
    // translates the loop's page again with the exact test (runtime/exec.ts EXACT_AFTER);
    // without that, ~800k exits.
    if (engine === 'jit') {
      test(`pagetail-${isa}: accesses by the end of a mapping stop leaving generated code`, async () => {
        const { armvisor } = await runBoth(guestPath('pagetail', isa), [], { cwd: scratch.dir }, ['--profile']);
        const m = /jit exits\s+slow path ([\d,]+)/.exec(armvisor.stderr);
        expect(m).not.toBeNull();
        const exits = Number(m![1].replace(/,/g, ''));
        expect(exits).toBeGreaterThanOrEqual(EXACT_AFTER);
        expect(exits).toBeLessThan(EXACT_AFTER + 1000);
      });
    }

    test(`crash-${isa}: armvisor names the signal, the pc and the address`, async () => {
      const { armvisor } = await runBoth(guestPath('crash', isa), [], { cwd: scratch.dir });
      expect(armvisor.stderr).toMatch(/armvisor: guest SIGSEGV at pc=0x[0-9a-f]+ accessing 0x0+\b/);
      expect(armvisor.stderr).not.toMatch(/^\s+at .*\.js:\d+/m); // no JavaScript stack trace
    });
  });
}

describe('the comparison itself', () => {
  test('finds the first differing byte and its line', () => {
    const q = Buffer.from('line one\nline two\nline three\n');
    const a = Buffer.from('line one\nline twO\nline three\n');
    expect(describeDifference(q, Buffer.from(q))).toBeUndefined();
    const d = describeDifference(a, q)!;
    expect(d).toMatch(/^stdout differs at byte 16 \(line 2\)/);
    expect(d).toContain('line twO');
    expect(describeDifference(q.subarray(0, 5), q)).toMatch(/armvisor wrote 5 bytes, qemu 29/);
  });
});
