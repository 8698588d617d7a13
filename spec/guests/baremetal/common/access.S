@ Single accesses as functions, so a test can run each through try_call and see whether it
@ faulted; and try_call itself: the default abort/undef handlers resume at try_resume.
        .syntax unified
        .arch   armv7ve
        .arm
        .text

        .global ld32, ldt32, st32, stt32, call_at, call_at_n, try_call, try_resume
ld32:   ldr     r0, [r0]
        bx      lr
ldt32:  mov     r1, r0
        ldrt    r0, [r1]
        bx      lr
st32:   ldr     r1, =store_value
        ldr     r1, [r1]
        str     r1, [r0]
        mov     r0, #0
        bx      lr
stt32:  ldr     r1, =store_value
        ldr     r1, [r1]
        strt    r1, [r0]
        mov     r0, #0
        bx      lr
call_at:
        push    {r4, lr}
        blx     r0
        pop     {r4, pc}
call_at_n:
        push    {r4, lr}
        mov     r2, r0
        mov     r0, r1
        blx     r2
        pop     {r4, pc}

@ u32 try_call(u32 (*fn)(u32), u32 arg, u32 *result): 0 when fn returned (its value stored in
@ *result), else the exc_kind that interrupted it (the details in last_fault).
try_call:
        push    {r2, r4-r11, lr}
        ldr     r12, =try_sp
        str     sp, [r12]
        mrs     r3, cpsr
        ldr     r12, =try_cpsr
        str     r3, [r12]
        ldr     r12, =try_active
        mov     r3, #1
        str     r3, [r12]
        mov     r3, r0
        mov     r0, r1
        blx     r3
        ldr     r12, =try_active
        mov     r3, #0
        str     r3, [r12]
        ldr     r2, [sp]
        str     r0, [r2]
        mov     r0, #0
        pop     {r2, r4-r11, pc}
try_resume:
        ldr     r12, =try_sp
        ldr     sp, [r12]
        ldr     r0, =last_fault
        ldr     r0, [r0]
        pop     {r2, r4-r11, pc}
        .ltorg
