// The `virt` machine assembled: guest RAM at 0x40000000 (in the machine's one WebAssembly.Memory
// with the CPU state and the JIT's TLB: cpu/sysspace.ts), one Cortex-A15 (runtime/cpu) whose
// physical accesses outside RAM go to the MMIO bus, and on that bus the devices of virt.ts's
// map: flash (read-only zeros, or an ELF segment linked there), the GICv2 distributor and CPU
// interface, the PL011 (SPI 1 = GIC ID 33) and the PL031 (SPI 2 = ID 34). The GIC drives the
// CPU's IRQ/FIQ lines; the generic timer's CP15 registers join the CPU's coprocessor table and
// its outputs drive PPIs 26/27/30. PSCI is the conduit QEMU gives a Cortex-A15 without EL2/EL3:
// every HVC is a PSCI call (unknown functions return NOT_SUPPORTED in r0), SMC is UNDEFINED.
// SYSTEM_OFF, SYSTEM_RESET and CPU_OFF (of the only CPU) end the run: `powerEvent` says which.
//
// Time comes from a Clock: the host's (default) or the guest instruction count (icount), in
// which case the instructions the CPU would have run while it waited in WFI for a timer are
// added as `idleInsns` (QEMU's icount warp), so two runs see identical times.
// The run loop that drives a machine is runloop.ts.

import { ArmCpu } from '../cpu/cpu.js';
import { MmioBus } from '../devices/bus.js';
import { Gic } from '../devices/gic/gic.js';
import type { IrqSink } from '../devices/irq.js';
import { Pl011 } from '../devices/pl011.js';
import { clockSeconds, hostSeconds, Pl031 } from '../devices/pl031.js';
import { Psci } from '../devices/psci.js';
import { HostClock, IcountClock, type Clock } from '../devices/timer/clock.js';
import { GenericTimer } from '../devices/timer/generic-timer.js';
import { W } from '../../translator/state.js';
import type { JitOptions } from '../../translator/jit/jit.js';
import { createSysSpace, type SysSpace } from '../cpu/sysspace.js';
import type { BootPlan } from './bootplan.js';
import { Flash } from './flash.js';
import { checkRamSize, VIRT_MAP, VIRT_SPI, virtDeviceTree, type Region } from './virt.js';
import type { Fdt } from './fdt.js';

export const DEFAULT_RAM_MIB = 512;
/** The guest's GIC interrupt IDs of the devices (SPI n is ID 32 + n). */
export const VIRT_IRQ = { uart: 32 + VIRT_SPI.uart, rtc: 32 + VIRT_SPI.rtc } as const;
/** The RTC's epoch under --clock icount (2026-01-01T00:00:00Z): the same date every run. */
export const ICOUNT_RTC_EPOCH = 1_767_225_600;

export type ClockKind = 'host' | 'icount';
/** Why the guest stopped by itself. */
export type PowerEvent = 'system-off' | 'system-reset' | 'cpu-off';

export interface VirtMachineOptions {
  /** RAM in bytes (a multiple of 1 MiB); default 512 MiB. */
  ramSize?: number;
  clock?: ClockKind;
  /** Nanoseconds per guest instruction under the icount clock (default 1). */
  nsPerInsn?: number;
  /** Receives every byte the guest writes to the UART. */
  output: (byte: number) => void;
  /** 'jit' (default): hot code as tier-1 wasm regions; 'interp': the IR interpreter only. */
  engine?: 'jit' | 'interp';
  jitOptions?: Partial<JitOptions>;
}

/** The IRQ and FIQ levels the GIC drives, forwarded to the CPU and remembered for the run loop. */
class CpuLines implements IrqSink {
  irq = false;
  fiq = false;
  cpu: ArmCpu | undefined;

  setIrq(level: boolean): void {
    this.irq = level;
    this.cpu?.setIrq(level);
  }
  setFiq(level: boolean): void {
    this.fiq = level;
    this.cpu?.setFiq(level);
  }
}

export class VirtMachine {
  readonly ramSize: number;
  /** Guest RAM: a view into the machine's one WebAssembly.Memory (space). */
  readonly ram: Uint8Array;
  readonly space: SysSpace;
  readonly bus = new MmioBus();
  readonly cpu: ArmCpu;
  readonly gic: Gic;
  readonly timer: GenericTimer;
  readonly uart: Pl011;
  readonly rtc: Pl031;
  readonly psci = new Psci([0]);
  readonly flash = new Flash(VIRT_MAP.flash.size);
  readonly clock: Clock;
  readonly clockKind: ClockKind;
  /** Under icount: instructions counted as run while the CPU idled until a timer deadline. */
  idleInsns = 0;
  readonly nsPerInsn: bigint;
  /** Set when the guest powered off, reset or stopped its only CPU. */
  powerEvent: PowerEvent | null = null;
  private readonly lines = new CpuLines();

  constructor(opts: VirtMachineOptions) {
    this.ramSize = opts.ramSize ?? DEFAULT_RAM_MIB * 0x10_0000;
    checkRamSize(this.ramSize);
    this.space = createSysSpace(this.ramSize);
    this.ram = this.space.ram;
    this.clockKind = opts.clock ?? 'host';
    this.nsPerInsn = BigInt(opts.nsPerInsn ?? 1);
    const bus = this.bus;
    this.cpu = new ArmCpu({
      space: this.space,
      engine: opts.engine,
      jitOptions: opts.jitOptions,
      ramBase: VIRT_MAP.ramBase,
      mmio: (pa, size, isWrite, value) => {
        if (isWrite) {
          bus.write(pa, size as 1 | 2 | 4, value);
          return 0;
        }
        return bus.read(pa, size as 1 | 2 | 4);
      },
    });
    this.lines.cpu = this.cpu;
    this.clock =
      this.clockKind === 'icount' ? new IcountClock(() => BigInt(this.cpu.state.icount + this.idleInsns), this.nsPerInsn) : new HostClock();

    this.gic = new Gic(this.lines);
    this.timer = new GenericTimer(this.clock, (irq, level) => this.gic.setPpi(0, irq, level));
    // Glue around the timer's registers: a read brings the outputs up to the clock (software
    // that sees CTL.ISTATUS must find the interrupt asserted, as on hardware), and a write ends
    // the run loop's slice so it recomputes the next deadline (a timer armed mid-slice under
    // icount fires at its instruction, not at the slice's end).
    this.cpu.registerSysRegs(
      this.timer.sysregs().map((r) => ({
        ...r,
        read: () => {
          const v = r.read();
          this.timer.update();
          return v;
        },
        write: (v: bigint) => {
          r.write(v);
          this.cpu.stop();
        },
      })),
    );
    this.uart = new Pl011(opts.output, (l) => this.gic.setLine(VIRT_IRQ.uart, l));
    const seconds = this.clockKind === 'icount' ? clockSeconds(ICOUNT_RTC_EPOCH, this.clock) : hostSeconds;
    this.rtc = new Pl031(seconds, (l) => this.gic.setLine(VIRT_IRQ.rtc, l));

    bus.map(VIRT_MAP.flash.base, this.flash);
    bus.map(VIRT_MAP.gicDist.base, this.gic.distributor);
    bus.map(VIRT_MAP.gicCpu.base, this.gic.cpuInterface);
    bus.map(VIRT_MAP.uart.base, this.uart);
    bus.map(VIRT_MAP.rtc.base, this.rtc);

    this.cpu.onHvc = (cpu) => this.psciCall(cpu);
  }

  /** RAM as a Region of the physical map. */
  get ramRegion(): Region {
    return { base: VIRT_MAP.ramBase, size: this.ramSize };
  }

  /** The board's own device tree (planBoot adds /chosen and /memory). */
  deviceTree(): Fdt {
    return virtDeviceTree({ ramSize: this.ramSize });
  }

  /** Is the GIC driving the CPU's IRQ or FIQ input? */
  get interruptPending(): boolean {
    return this.lines.irq || this.lines.fiq;
  }

  /** Every HVC: a PSCI call with the function ID in r0 and arguments in r1-r3, result in r0. */
  private psciCall(cpu: ArmCpu): boolean {
    const r = cpu.state.i32;
    const out = this.psci.call(0, r[0], r[1], r[2], r[3]);
    r[0] = out.r0 | 0;
    switch (out.effect.kind) {
      case 'wfi':
        cpu.halted = true;
        break;
      case 'system-off':
      case 'system-reset':
      case 'cpu-off':
        this.powerEvent = out.effect.kind;
        cpu.stop();
        break;
      default:
        break; // 'none'; 'cpu-on' cannot happen with one CPU (PSCI answers ALREADY_ON or INVALID_PARAMETERS)
    }
    return true;
  }

  /** Copies the boot plan's blobs into RAM (or flash) and sets the CPU's hand-over state. */
  load(plan: BootPlan): void {
    const ramBase = VIRT_MAP.ramBase;
    for (const b of plan.blobs) {
      const len = b.bytes.length + b.zero;
      if (b.addr >= ramBase && b.addr + len <= ramBase + this.ramSize) {
        const o = b.addr - ramBase;
        this.ram.set(b.bytes, o);
        this.ram.fill(0, o + b.bytes.length, o + len);
        this.cpu.physWritten(b.addr, len);
      } else {
        this.flash.load(b.addr - VIRT_MAP.flash.base, b.bytes); // planBoot put it in RAM or flash
      }
    }
    const { regs } = plan;
    this.cpu.reset(regs.pc);
    this.cpu.cpsr = regs.cpsr;
    const st = this.cpu.state.i32;
    st[0] = regs.r0 | 0;
    st[1] = regs.r1 | 0;
    st[2] = regs.r2 | 0;
    st[W.PC] = regs.pc | 0;
  }

  /** Brings the devices up to the clock: timer outputs and the RTC match. */
  updateDevices(): void {
    this.timer.update();
    this.rtc.update();
  }

  /** A byte of physical memory outside RAM that reads without side effects (flash), else null: a debugger's view. */
  quietRead(pa: number): number | null {
    const f = VIRT_MAP.flash;
    return pa >= f.base && pa < f.base + f.size ? this.flash.read(pa - f.base, 1) : null;
  }

  /** Guest instructions retired (not counting icount idle time). */
  get instructions(): number {
    return this.cpu.state.icount;
  }
}
