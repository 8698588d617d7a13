@ A vector table that can be copied anywhere (absolute handler addresses), for the high-vectors
@ check; and a position-independent function to copy into mapped pages and run.
        .syntax unified
        .arch   armv7ve
        .arm
        .text
        .balign 32
        .global hivec, hivec_end
hivec:
        .rept   8
        ldr     pc, [pc, #24]
        .endr
        .word   _start, v_und, v_svc, v_pabt, v_dabt, v_hyp, v_irq, v_fiq
hivec_end:

        .global ret42, ret42_end
ret42:  mov     r0, #42
        bx      lr
ret42_end:

@ Accesses with base writeback; each returns the base register as it is afterwards. When the
@ access aborts (the test's handler skips the instruction), the base must be unchanged.
        .global ldm_wb, at_ldm_wb, str_pre_wb, ldr_post_wb, stm_db_wb
ldm_wb: push    {r4, r5}
        mov     r1, r0
at_ldm_wb:
        ldmia   r1!, {r4, r5}
        mov     r0, r1
        pop     {r4, r5}
        bx      lr
str_pre_wb:
        mov     r1, r0
        str     r0, [r1, #8]!
        mov     r0, r1
        bx      lr
ldr_post_wb:
        mov     r1, r0
        ldr     r2, [r1], #4
        mov     r0, r1
        bx      lr
stm_db_wb:
        mov     r1, r0
        stmdb   r1!, {r0, r2, r3}
        mov     r0, r1
        bx      lr
