@ The exceptions test's own vector table, whose handlers return by the other paths than the
@ default SRS/RFE: MOVS PC, LR (undef), LDM ^ (SVC), SUBS PC, LR, #4/#8 (data abort); and the
@ triggers, each with a global label at the instruction that raises the exception.
        .syntax unified
        .arch   armv7ve
        .arm

        .bss
        .balign 4
@ rec: kind, lr, spsr, fsr, far, svc immediate, handler sp, handler cpsr, dabt re-execute flag
        .global rec
rec:    .space  36
saved_sp:
        .space  4

        .text
        .balign 32
        .global alt_vectors
alt_vectors:
        b       .
        b       a_und
        b       a_svc
        b       .
        b       a_dabt
        b       .
        b       .
        b       .

a_und:  push    {r0, r1}
        ldr     r0, =rec
        mov     r1, #1
        str     r1, [r0]
        str     lr, [r0, #4]
        mrs     r1, spsr
        str     r1, [r0, #8]
        add     r1, sp, #8
        str     r1, [r0, #24]
        mrs     r1, cpsr
        str     r1, [r0, #28]
        mrs     r1, spsr                @ Thumb: LR is the UDF's address + 2 whatever its size;
        tst     r1, #0x20               @ step over the second halfword of a 32-bit one
        beq     1f
        ldrh    r1, [lr, #-2]
        cmp     r1, #0xe800
        addhs   lr, lr, #2
1:      pop     {r0, r1}
        movs    pc, lr

a_svc:  push    {r0-r3, lr}
        ldr     r0, =rec
        mov     r1, #2
        str     r1, [r0]
        str     lr, [r0, #4]
        mrs     r1, spsr
        str     r1, [r0, #8]
        tst     r1, #0x20
        ldrhne  r2, [lr, #-2]
        andne   r2, r2, #0xff
        ldreq   r2, [lr, #-4]
        biceq   r2, r2, #0xff000000
        str     r2, [r0, #20]
        add     r3, sp, #20
        str     r3, [r0, #24]
        mrs     r3, cpsr
        str     r3, [r0, #28]
        cmp     r2, #0x100              @ svc #0x100 from user mode: back to run_user_ldm's caller
        bne     1f
        bic     r1, r1, #0x1f
        orr     r1, r1, #0x13
        msr     spsr_fsxc, r1
        ldr     r3, =user_back_ldm
        str     r3, [sp, #16]
1:      ldm     sp!, {r0-r3, pc}^

a_dabt: push    {r0, r2}
        ldr     r0, =rec
        mov     r2, #4
        str     r2, [r0]
        str     lr, [r0, #4]
        mrs     r2, spsr
        str     r2, [r0, #8]
        mrc     p15, 0, r2, c5, c0, 0
        str     r2, [r0, #12]
        mrc     p15, 0, r2, c6, c0, 0
        str     r2, [r0, #16]
        mrs     r2, cpsr
        str     r2, [r0, #28]
        ldr     r2, [r0, #32]
        cmp     r2, #0
        pop     {r0, r2}
        bicne   r1, r1, #3              @ fix the base register and run the access again
        subsne  pc, lr, #8
        subs    pc, lr, #4

@ Triggers (called from C; each returns normally after the handler resumes it).
        .global trig_svc_arm, at_svc_arm, trig_udf_arm, at_udf_arm, trig_hvc, at_hvc, trig_smc, at_smc
        .global trig_bkpt, at_bkpt, trig_ldr, at_ldr, trig_str, at_str, trig_ldm, at_ldm, trig_ldrd, at_ldrd
trig_svc_arm:
        push    {lr}
at_svc_arm:
        svc     #0x123456
        pop     {pc}
trig_udf_arm:
at_udf_arm:
        udf     #0xabc
        bx      lr
@ u32 trig_hvc(u32 fn): HVC #0x12 with r0 = fn, r1-r3 = 0x11, 0x22, 0x33; returns r0 (and
@ hvc_regs = r1-r3 after the call)
trig_hvc:
        mov     r1, #0x11
        mov     r2, #0x22
        mov     r3, #0x33
at_hvc: hvc     #0x12
        ldr     r12, =hvc_regs
        stm     r12, {r1-r3}
        bx      lr
        .global mrs_banked, at_mrs_banked, msr_banked, at_msr_banked
mrs_banked:
at_mrs_banked:
        mrs     r0, SP_irq
        bx      lr
msr_banked:
at_msr_banked:
        msr     LR_fiq, r0
        bx      lr
trig_smc:
at_smc: smc     #0
        bx      lr
trig_bkpt:
at_bkpt:
        bkpt    #0x42
        bx      lr
@ u32 trig_ldr(u32 addr): loads from addr (r1 is the base the re-execute handler realigns)
trig_ldr:
        mov     r1, r0
        mov     r0, #0
at_ldr: ldr     r0, [r1]
        bx      lr
trig_str:
        mov     r1, r0
        mov     r0, #0
at_str: str     r0, [r1]
        bx      lr
trig_ldm:
        push    {r4, r5}
        mov     r1, r0
        mov     r4, #0
        mov     r5, #0
at_ldm: ldm     r1, {r4, r5}
        add     r0, r4, r5
        pop     {r4, r5}
        bx      lr
trig_ldrd:
        push    {r4, r5}
        mov     r1, r0
        mov     r4, #0
        mov     r5, #0
at_ldrd:
        ldrd    r4, r5, [r1]
        add     r0, r4, r5
        pop     {r4, r5}
        bx      lr

        .thumb
        .global trig_ldr_thumb, at_ldr_thumb
@ u32 trig_ldr_thumb(u32 addr): a 32-bit Thumb LDR, so SUBS PC, LR, #4 resumes after it
        .thumb_func
trig_ldr_thumb:
        mov     r1, r0
        movs    r0, #0
at_ldr_thumb:
        ldr.w   r0, [r1]
        bx      lr
        .global trig_svc_thumb, at_svc_thumb, trig_udf_thumb, at_udf_thumb, trig_udfw_thumb, at_udfw_thumb
        .thumb_func
trig_svc_thumb:
        push    {lr}
at_svc_thumb:
        svc     #0x7b
        pop     {pc}
        .thumb_func
trig_udf_thumb:
at_udf_thumb:
        udf     #0x21
        bx      lr
        .thumb_func
trig_udfw_thumb:
at_udfw_thumb:
        udf.w   #0x321
        bx      lr
        .arm

@ void bank_probe(u32 *out): gives SP, LR (and SPSR) of FIQ, IRQ, ABT, UND and SYS distinct
@ values after switching with MSR, reads them back after switching with CPS, and restores the
@ real stack pointers. out receives, per mode,
@ sp, lr, spsr (SYS: 0).
        .global bank_probe
bank_probe:
        push    {r4-r11, lr}
        mrs     r11, cpsr
        cpsid   if
        ldr     r1, =bank_data          @ only r0-r7 are used: FIQ mode banks r8-r12
        mov     r3, #0x50000000
        mov     r7, #0
1:      ldr     r2, [r1, r7, lsl #2]
        cmp     r2, #0
        beq     2f
        mrs     r4, cpsr
        bic     r4, r4, #0x1f
        orr     r4, r4, r2
        msr     cpsr_c, r4              @ mode switch with MSR
        add     r5, r1, #48
        str     sp, [r5, r7, lsl #2]
        orr     sp, r3, r2, lsl #8
        orr     lr, sp, #4
        cmp     r2, #0x1f
        addne   r5, r1, #24
        ldrne   r5, [r5, r7, lsl #2]
        msrne   spsr_fsxc, r5
        cps     #0x13
        add     r7, r7, #1
        b       1b
2:      mov     r7, #0
3:      ldr     r2, [r1, r7, lsl #2]
        cmp     r2, #0
        beq     4f
        cmp     r2, #0x11               @ mode switches with CPS (unconditional: branch around)
        bne     5f
        cps     #0x11
        b       9f
5:      cmp     r2, #0x12
        bne     5f
        cps     #0x12
        b       9f
5:      cmp     r2, #0x17
        bne     5f
        cps     #0x17
        b       9f
5:      cmp     r2, #0x1b
        bne     5f
        cps     #0x1b
        b       9f
5:      cps     #0x1f
9:      mov     r4, sp
        mov     r5, lr
        cmp     r2, #0x1f
        moveq   r6, #0
        mrsne   r6, spsr
        add     r3, r1, #48
        ldr     sp, [r3, r7, lsl #2]    @ the real stack back
        cps     #0x13
        stmia   r0!, {r4-r6}
        add     r7, r7, #1
        b       3b
4:
        msr     cpsr_c, r11
        pop     {r4-r11, pc}
        .ltorg
        .data
        .balign 4
bank_data:
        .word   0x11, 0x12, 0x17, 0x1b, 0x1f, 0
        .word   0x800001d3, 0x400001d0, 0x200001d2, 0x100001d1, 0, 0
        .space  24
        .text

@ void fiq_bank(u32 *out): r8-r12 seen from SYS, FIQ and SVC (reached with MSR); 15 words.
        .global fiq_bank
fiq_bank:
        push    {r4-r11, lr}
        mrs     r1, cpsr
        mov     r8, #0x81
        mov     r9, #0x91
        mov     r10, #0xa1
        mov     r11, #0xb1
        mov     r12, #0xc1
        cps     #0x11
        mov     r8, #0x88
        mov     r9, #0x98
        mov     r10, #0xa8
        mov     r11, #0xb8
        mov     r12, #0xc8
        cps     #0x1f
        stmia   r0!, {r8-r12}
        cps     #0x11
        stmia   r0!, {r8-r12}
        msr     cpsr_c, #0xd3
        stmia   r0!, {r8-r12}
        msr     cpsr_c, r1
        pop     {r4-r11, pc}

@ u32 user_bank(u32 v): writes the User SP with LDM ^ from SVC, reads SP and LR back with STM ^
@ and returns the SP seen from System mode (equal to v); the User SP is restored.
        .global user_bank
user_bank:
        push    {r4-r6, lr}
        sub     sp, sp, #16
        cps     #0x1f
        mov     r4, sp
        mov     r5, lr
        cps     #0x13
        str     r0, [sp]
        ldm     sp, {sp}^
        nop
        stmia   sp, {sp, lr}^
        ldr     r1, [sp]
        ldr     r2, [sp, #4]
        cps     #0x1f
        mov     r6, sp
        mov     sp, r4
        cps     #0x13
        cmp     r1, r6
        cmpeq   r2, r5
        movne   r6, #0
        mov     r0, r6
        add     sp, sp, #16
        pop     {r4-r6, pc}

@ u32 run_user_ldm(u32 (*fn)(void)): enters fn in User mode with MOVS PC, LR (SPSR = User, IRQ/FIQ
@ masked); fn ends with SVC #0x100, whose handler returns here in SVC mode; returns fn's r0.
        .global run_user_ldm
run_user_ldm:
        push    {r4-r11, lr}
        ldr     r1, =saved_sp
        str     sp, [r1]
        mrs     r1, cpsr
        bic     r1, r1, #0x1f
        orr     r1, r1, #0x10
        msr     spsr_fsxc, r1
        mov     lr, r0
        movs    pc, lr
user_back_ldm:
        ldr     r1, =saved_sp
        ldr     sp, [r1]
        pop     {r4-r11, pc}

@ The User-mode body: CPSR as read in User mode, after CPS #0x13 (ignored in User mode) and
@ after MSR CPSR_c (control field ignored in User mode), an SVC from User mode; then SVC #0x100.
        .global user_fn, user_out
user_fn:
        ldr     r4, =user_out
        mrs     r0, cpsr
        cps     #0x13
        mrs     r1, cpsr
        msr     cpsr_c, #0xd3
        mrs     r2, cpsr
        svc     #0x42
        mrs     r3, cpsr
        stmia   r4, {r0-r3}
        mov     r0, #0x77
        svc     #0x100
        .ltorg
        .bss
user_out:
        .space  16
        .global hvc_regs
hvc_regs:
        .space  12
