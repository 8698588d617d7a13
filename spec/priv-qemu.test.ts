// One bare-metal program (spec/guests/priv/qemu-diff.S) under qemu-system-arm -M virt
// -cpu cortex-a15 and under armvisor's system-mode CPU: the ID registers, and what SVC,
// UNDEF (ARM, T16, T32), data aborts (MMU off, short and long descriptors, alignment),
// prefetch aborts and ATS leave in LR, SPSR, DFSR/DFAR, IFSR/IFAR and PAR must print the same.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArmCpu } from '../runtime/cpu/cpu.js';
import { PhysAbort } from '../runtime/mmu/types.js';

const SRC = join(process.cwd(), 'spec/guests/priv/qemu-diff.S');
const LOAD = 0x40010000;
const UART = 0x09000000;
const PSCI_SYSTEM_OFF = 0x84000008;

function build(dir: string): { elf: string; bin: Uint8Array } {
  execFileSync('arm-linux-gnueabihf-as', ['-o', join(dir, 'q.o'), SRC]);
  execFileSync('arm-linux-gnueabihf-ld', ['-Ttext', `0x${LOAD.toString(16)}`, '-e', '_start', '-o', join(dir, 'q.elf'), join(dir, 'q.o')]);
  execFileSync('arm-linux-gnueabihf-objcopy', ['-O', 'binary', join(dir, 'q.elf'), join(dir, 'q.bin')]);
  return { elf: join(dir, 'q.elf'), bin: new Uint8Array(readFileSync(join(dir, 'q.bin'))) };
}

function underQemu(elf: string): string {
  return execFileSync('qemu-system-arm', ['-M', 'virt', '-cpu', 'cortex-a15', '-m', '256', '-nographic', '-monitor', 'none', '-nic', 'none', '-kernel', elf], {
    timeout: 60000,
  }).toString();
}

function underArmvisor(bin: Uint8Array): string {
  const ram = new Uint8Array(16 << 20);
  ram.set(bin, LOAD - 0x40000000);
  let out = '';
  const cpu = new ArmCpu({
    ram,
    ramBase: 0x40000000,
    mmio: (pa, _size, write, value) => {
      if (pa === UART && write) {
        out += String.fromCharCode(value & 0xff);
        return 0;
      }
      throw new PhysAbort(pa);
    },
  });
  cpu.onHvc = (c) => {
    if (c.state.u32[0] !== PSCI_SYSTEM_OFF) return false;
    c.stop();
    return true;
  };
  cpu.reset(LOAD);
  expect(cpu.run(5_000_000)).toBe('stopped');
  return out;
}

test('bare-metal exceptions and ID registers print the same under qemu-system-arm and armvisor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'armvisor-priv-'));
  try {
    const { elf, bin } = build(dir);
    const qemu = underQemu(elf);
    const ours = underArmvisor(bin);
    expect(qemu).toContain('done=00000000');
    expect(ours.split('\n')).toEqual(qemu.split('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
