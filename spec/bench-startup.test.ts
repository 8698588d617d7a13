// `bench cpu`'s start-up measurement (issue 4: `armvisor run` of a trivial static program in at
// most 150 ms): medians of armvisor, qemu-arm and a bare Node running the exitcode guest.
import { measureStartup } from '../bench/cpu.js';

test('start-up: armvisor, qemu-arm and node -e 0 each timed, armvisor above Node alone', async () => {
  const r = await measureStartup(3);
  expect(r.prog).toBe('exitcode-arm');
  expect(r.runs).toBe(3);
  for (const ms of [r.armvisorMs, r.qemuMs, r.nodeMs]) expect(ms).toBeGreaterThan(0);
  // armvisor is Node plus the emulator: its run cannot be shorter than Node starting.
  expect(r.armvisorMs).toBeGreaterThan(r.nodeMs);
}, 60_000);
