@ A bare-metal program run under both armvisor and qemu-system-arm -M virt -cpu cortex-a15:
@ it prints (PL011 at 0x09000000) the ID registers and what SVC, UNDEF, data and prefetch
@ aborts (MMU off, short and long descriptors) leave in LR, SPSR and the fault registers,
@ then powers off with PSCI SYSTEM_OFF over HVC. spec/priv-qemu.test.ts compares the outputs.
.syntax unified
.arch armv7-a
.arch_extension virt
.arch_extension sec
.fpu vfpv3-d16
.arm
.global _start
_start:
  b reset
  b undef_h
  b svc_h
  b pabt_h
  b dabt_h
  b unexpected
  b unexpected
  b unexpected

.macro SHOW name
  .pushsection .rodata
9: .asciz "\name="
  .popsection
  push {r0-r3, r12, lr}
  mov r12, r0
  ldr r0, =9b
  bl puts
  mov r0, r12
  bl puthex
  pop {r0-r3, r12, lr}
.endm

.macro MRC15 name, opc1, crn, crm, opc2
  mrc p15, \opc1, r0, \crn, \crm, \opc2
  SHOW \name
.endm

uart_putc:            @ r0 = char
  ldr r3, =0x09000000
  str r0, [r3]
  bx lr
puts:                 @ r0 = string
  push {r4, lr}
  mov r4, r0
1: ldrb r0, [r4], #1
  cmp r0, #0
  beq 2f
  bl uart_putc
  b 1b
2: pop {r4, pc}
puthex:               @ r0 = value, then newline
  push {r4, r5, lr}
  mov r4, r0
  mov r5, #28
1: lsr r0, r4, r5
  and r0, r0, #15
  cmp r0, #10
  addlo r0, r0, #'0'
  addhs r0, r0, #'a' - 10
  bl uart_putc
  subs r5, r5, #4
  bpl 1b
  mov r0, #10
  bl uart_putc
  pop {r4, r5, pc}

unexpected:
  mov r0, lr
  SHOW unexpected
  b poweroff
poweroff:
  ldr r0, =0x84000008
  hvc #0
  b .

reset:
  ldr r0, =_start
  mcr p15, 0, r0, c12, c0, 0
  cps #0x1b
  ldr sp, =0x40070000
  cps #0x17
  ldr sp, =0x40078000
  cps #0x13
  ldr sp, =0x40080000
  msr cpsr_f, #0          @ the flags are UNKNOWN at reset
  mrs r0, cpsr
  SHOW cpsr
  MRC15 midr, 0, c0, c0, 0
  MRC15 ctr, 0, c0, c0, 1
  MRC15 tlbtr, 0, c0, c0, 3
  MRC15 mpidr, 0, c0, c0, 5
  MRC15 revidr, 0, c0, c0, 6
  MRC15 id_pfr0, 0, c0, c1, 0
  MRC15 id_pfr1, 0, c0, c1, 1
  MRC15 id_dfr0, 0, c0, c1, 2
  MRC15 id_afr0, 0, c0, c1, 3
  MRC15 id_mmfr0, 0, c0, c1, 4
  MRC15 id_mmfr1, 0, c0, c1, 5
  MRC15 id_mmfr2, 0, c0, c1, 6
  MRC15 id_mmfr3, 0, c0, c1, 7
  MRC15 id_isar0, 0, c0, c2, 0
  MRC15 id_isar1, 0, c0, c2, 1
  MRC15 id_isar2, 0, c0, c2, 2
  MRC15 id_isar3, 0, c0, c2, 3
  MRC15 id_isar4, 0, c0, c2, 4
  MRC15 id_isar5, 0, c0, c2, 5
  MRC15 clidr, 1, c0, c0, 1
  MRC15 aidr, 1, c0, c0, 7
  mov r0, #0
  mcr p15, 2, r0, c0, c0, 0
  MRC15 ccsidr0, 1, c0, c0, 0
  mov r0, #1
  mcr p15, 2, r0, c0, c0, 0
  MRC15 ccsidr1, 1, c0, c0, 0
  mov r0, #2
  mcr p15, 2, r0, c0, c0, 0
  MRC15 ccsidr2, 1, c0, c0, 0
  MRC15 csselr, 2, c0, c0, 0
  MRC15 sctlr, 0, c1, c0, 0
  MRC15 actlr, 0, c1, c0, 1
  MRC15 ttbcr, 0, c2, c0, 2
  MRC15 l2ctlr, 1, c9, c0, 2
  mrc p14, 0, r0, c0, c0, 0
  SHOW dbgdidr
  vmrs r0, fpsid
  SHOW fpsid
  vmrs r0, mvfr0
  SHOW mvfr0
  vmrs r0, fpexc
  SHOW fpexc

  @ SVC and UNDEF from SVC mode, ARM and Thumb
  ldr r0, =0xa0000000
  msr cpsr_f, r0
  svc #0x12
  udf #0x34
  adr r0, thumb_part + 1
  bx r0
.thumb
thumb_part:
  svc #0x56
  udf #0x78
  udf.w #0x9a
  adr r0, arm_again
  bx r0
.align 2
.arm
arm_again:
  @ A data abort with the MMU off: nothing at 0x0a100000 (between the virt board's devices)
  ldr r1, =0x0a100000
  ldr r2, [r1]
  @ Short descriptors: identity sections for RAM and the UART, nothing at 2 GB
  ldr r0, =0x40100000
  ldr r1, =0x40000c0e
  add r3, r0, #0x1000
  str r1, [r3]
  ldr r1, =0x09000c06
  str r1, [r0, #0x240]
  ldr r1, =0x40008402     @ 0x90000000: a section onto RAM, APX=1 AP=01 (PL1 read-only)
  add r3, r0, #0x2400
  str r1, [r3]
  mcr p15, 0, r0, c2, c0, 0
  mov r0, #1
  mcr p15, 0, r0, c3, c0, 0
  mrc p15, 0, r0, c1, c0, 0
  orr r0, r0, #1
  mcr p15, 0, r0, c1, c0, 0
  isb
  ldr r1, =0x80000010
  ldr r2, [r1]
  ldr r1, =0x90000020
  ldr r2, [r1]
  str r2, [r1]
  ldr r1, =0x40000003
  ldm r1, {r2, r3}
  ldr r0, =0x40001234
  mcr p15, 0, r0, c7, c8, 0
  MRC15 par_ok, 0, c7, c4, 0
  ldr r0, =0x80000000
  mcr p15, 0, r0, c7, c8, 3
  MRC15 par_fault, 0, c7, c4, 0
  adr lr, after_pabt
  ldr r0, =0x80000000
  bx r0
after_pabt:
  @ Long descriptors: TTBCR.EAE, a first-level table with 1 GB blocks for 0-2 GB
  mrc p15, 0, r0, c1, c0, 0
  bic r0, r0, #1
  mcr p15, 0, r0, c1, c0, 0
  isb
  ldr r0, =0x40104000
  ldr r1, =0x00000401      @ 0-1 GB: block, AF, AttrIndx 0
  str r1, [r0]
  ldr r1, =0x40000401      @ 1-2 GB
  str r1, [r0, #8]
  mov r1, #0
  mcrr p15, 0, r0, r1, c2
  ldr r0, =0x80000000
  mcr p15, 0, r0, c2, c0, 2
  ldr r0, =0x000000ff
  mcr p15, 0, r0, c10, c2, 0
  mrc p15, 0, r0, c1, c0, 0
  orr r0, r0, #1
  mcr p15, 0, r0, c1, c0, 0
  isb
  ldr r1, =0x80000010
  str r2, [r1]
  ldr r0, =0x40001234
  mcr p15, 0, r0, c7, c8, 0
  mrrc p15, 0, r0, r1, c7
  SHOW par64_lo
  mov r0, r1
  SHOW par64_hi
  mov r0, #0
  SHOW done
  b poweroff

svc_h:
  mov r0, lr
  SHOW svc_lr
  mrs r0, spsr
  SHOW svc_spsr
  movs pc, lr

undef_h:
  mov r0, lr
  SHOW undef_lr
  mrs r0, spsr
  SHOW undef_spsr
  mrs r0, cpsr
  SHOW undef_cpsr
  mrs r0, spsr
  tst r0, #0x20
  ldrhne r0, [lr, #-2]
  ldreq r0, [lr, #-4]
  SHOW undef_insn
  mrs r0, spsr
  tst r0, #0x20
  beq 1f
  ldrh r0, [lr, #-2]      @ a 32-bit Thumb UDF: skip its second halfword too
  cmp r0, #0xe800
  addhs lr, lr, #2
1: movs pc, lr

dabt_h:
  mov r0, lr
  SHOW dabt_lr
  mrs r0, spsr
  SHOW dabt_spsr
  mrc p15, 0, r0, c5, c0, 0
  SHOW dfsr
  mrc p15, 0, r0, c6, c0, 0
  SHOW dfar
  subs pc, lr, #4

pabt_h:
  mov r0, lr
  SHOW pabt_lr
  mrc p15, 0, r0, c5, c0, 1
  SHOW ifsr
  mrc p15, 0, r0, c6, c0, 2
  SHOW ifar
  mrs r0, spsr
  bic r0, r0, #0x20
  msr spsr_cxsf, r0
  ldr lr, =after_pabt
  movs pc, lr
.ltorg
