// PSCI 1.0 firmware calls (ARM DEN 0022D) over the SMC Calling Convention: the guest issues HVC
// or SMC with the function ID in r0 and arguments in r1-r3; the result goes back in r0. Only the
// SMC32 function IDs exist for an AArch32 guest (the SMC64 ones return NOT_SUPPORTED, as any
// unknown ID does). What a call asks of the machine (stop this CPU, power off, reset, wait for an
// interrupt, start another CPU) is returned as an effect for the run loop to carry out.
//
// CPUs are known by their MPIDR affinity (Aff2.Aff1.Aff0, MPIDR[23:0]); CPU 0 starts on, the
// others off, so a uniprocessor answers CPU_ON for itself with ALREADY_ON and for any other
// affinity with INVALID_PARAMETERS (no such CPU). CPU_SUSPEND enters standby as WFI whatever the
// requested state (allowed: a PSCI implementation may enter a shallower state) and returns
// SUCCESS when woken, as QEMU does.

export const PSCI_VERSION = 0x84000000;
export const PSCI_CPU_SUSPEND = 0x84000001;
export const PSCI_CPU_OFF = 0x84000002;
export const PSCI_CPU_ON = 0x84000003;
export const PSCI_AFFINITY_INFO = 0x84000004;
export const PSCI_MIGRATE = 0x84000005;
export const PSCI_MIGRATE_INFO_TYPE = 0x84000006;
export const PSCI_MIGRATE_INFO_UP_CPU = 0x84000007;
export const PSCI_SYSTEM_OFF = 0x84000008;
export const PSCI_SYSTEM_RESET = 0x84000009;
export const PSCI_FEATURES = 0x8400000a;
/** SMCCC_VERSION (SMCCC 1.1): not implemented, so the guest assumes SMCCC 1.0. */
export const SMCCC_VERSION = 0x80000000;

// Return codes (DEN 0022D 5.2.2)
export const PSCI_SUCCESS = 0;
export const PSCI_NOT_SUPPORTED = -1;
export const PSCI_INVALID_PARAMETERS = -2;
export const PSCI_DENIED = -3;
export const PSCI_ALREADY_ON = -4;
export const PSCI_ON_PENDING = -5;
export const PSCI_INTERNAL_FAILURE = -6;
// AFFINITY_INFO results
export const AFFINITY_ON = 0;
export const AFFINITY_OFF = 1;
export const AFFINITY_ON_PENDING = 2;
/** MIGRATE_INFO_TYPE: no Trusted OS, or one that needs no migration. */
export const MIGRATE_NOT_REQUIRED = 2;

/** PSCI 1.0 (major 1, minor 0). */
/** What PSCI_VERSION answers: 1.1, as QEMU 7.2's virt (1.1 adds no mandatory function to 1.0). */
export const PSCI_VERSION_1_1 = 0x00010001;

export type PsciEffect =
  | { kind: 'none' }
  /** CPU_SUSPEND: wait for an interrupt, then continue after the call (r0 = SUCCESS). */
  | { kind: 'wfi' }
  /** CPU_OFF: the calling CPU stops; it does not return from the call. */
  | { kind: 'cpu-off' }
  | { kind: 'system-off' }
  | { kind: 'system-reset' }
  /** CPU_ON: start `cpu` in the mode and state DEN 0022D 6.4 gives, at `entry` with r0 =
   *  `context`, then call Psci.cpuStarted(cpu). */
  | { kind: 'cpu-on'; cpu: number; entry: number; context: number };

export interface PsciOutcome {
  /** The value for r0, as unsigned 32 bits (negative return codes two's complement). */
  r0: number;
  effect: PsciEffect;
}

type CpuPower = 'on' | 'off' | 'on-pending';

const IMPLEMENTED = new Set([
  PSCI_VERSION, PSCI_CPU_SUSPEND, PSCI_CPU_OFF, PSCI_CPU_ON, PSCI_AFFINITY_INFO,
  PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_FEATURES,
]);

const NONE: PsciEffect = { kind: 'none' };

export class Psci {
  private readonly power: CpuPower[];
  /** Calls per function ID, for the profiler. */
  readonly calls = new Map<number, number>();

  /** @param mpidrs the MPIDR of each CPU, by CPU index (default: one CPU, affinity 0). */
  constructor(readonly mpidrs: readonly number[] = [0]) {
    this.power = mpidrs.map((_, i) => (i === 0 ? 'on' : 'off'));
  }

  /** The index of the CPU with this affinity (MPIDR[23:0]), or -1. */
  cpuIndex(mpidr: number): number {
    const aff = mpidr & 0xffffff;
    return this.mpidrs.findIndex((m) => (m & 0xffffff) === aff);
  }

  /** The run loop started a CPU that CPU_ON asked for. */
  cpuStarted(cpu: number): void {
    this.power[cpu] = 'on';
  }

  /** Power state of each CPU (for the run loop and tests). */
  powerState(cpu: number): CpuPower {
    return this.power[cpu];
  }

  /** Handles the call CPU `cpu` made with registers r0-r3. */
  call(cpu: number, r0: number, r1: number, r2: number, r3: number): PsciOutcome {
    const fid = r0 >>> 0;
    this.calls.set(fid, (this.calls.get(fid) ?? 0) + 1);
    const ret = (v: number, effect: PsciEffect = NONE): PsciOutcome => ({ r0: v >>> 0, effect });
    switch (fid) {
      case PSCI_VERSION:
        return ret(PSCI_VERSION_1_1);
      case PSCI_CPU_SUSPEND:
        return ret(PSCI_SUCCESS, { kind: 'wfi' });
      case PSCI_CPU_OFF:
        this.power[cpu] = 'off';
        return ret(PSCI_SUCCESS, { kind: 'cpu-off' });
      case PSCI_CPU_ON: {
        const t = this.cpuIndex(r1);
        if (t < 0) return ret(PSCI_INVALID_PARAMETERS);
        if (this.power[t] === 'on') return ret(PSCI_ALREADY_ON);
        if (this.power[t] === 'on-pending') return ret(PSCI_ON_PENDING);
        this.power[t] = 'on-pending';
        return ret(PSCI_SUCCESS, { kind: 'cpu-on', cpu: t, entry: r2 >>> 0, context: r3 >>> 0 });
      }
      case PSCI_AFFINITY_INFO:
        return ret(this.affinityInfo(r1, r2 >>> 0));
      case PSCI_MIGRATE_INFO_TYPE:
        return ret(MIGRATE_NOT_REQUIRED);
      case PSCI_SYSTEM_OFF:
        return ret(PSCI_SUCCESS, { kind: 'system-off' });
      case PSCI_SYSTEM_RESET:
        return ret(PSCI_SUCCESS, { kind: 'system-reset' });
      case PSCI_FEATURES:
        // CPU_SUSPEND's feature flags are 0: original power_state format, platform-coordinated.
        return ret(IMPLEMENTED.has(r1 >>> 0) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED);
      default:
        return ret(PSCI_NOT_SUPPORTED);
    }
  }

  /** AFFINITY_INFO: the state of the CPUs whose affinity matches `target` above `level`
   *  (0-2; level 3, Aff3, exists only in AArch64). */
  private affinityInfo(target: number, level: number): number {
    if (level > 2) return PSCI_INVALID_PARAMETERS;
    const mask = (0xffffff << (8 * level)) & 0xffffff;
    let any = false;
    let pending = false;
    for (let i = 0; i < this.mpidrs.length; i++) {
      if (((this.mpidrs[i] ^ target) & mask) !== 0) continue;
      any = true;
      if (this.power[i] === 'on') return AFFINITY_ON;
      if (this.power[i] === 'on-pending') pending = true;
    }
    if (!any) return PSCI_INVALID_PARAMETERS;
    return pending ? AFFINITY_ON_PENDING : AFFINITY_OFF;
  }
}
