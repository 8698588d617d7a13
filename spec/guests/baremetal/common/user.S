@ u32 run_user(void (*fn)(void), u32 irqs_on): runs fn in User mode (entered by an exception
@ return: SPSR = User, IRQs unmasked when irqs_on) on the User stack; fn finishes with
@ `svc #0xff` with a result in r0 (see user_exit in lib.h), which exc_dispatch turns into a
@ return from run_user with that result, in the caller's mode.
        .syntax unified
        .arch   armv7ve
        .arm
        .text
        .global run_user, user_back
run_user:
        push    {r4-r11, lr}
        ldr     r2, =user_saved_sp
        str     sp, [r2]
        mrs     r2, cpsr
        ldr     r3, =user_saved_cpsr
        str     r2, [r3]
        bic     r2, r2, #0x1f
        orr     r2, r2, #0x10
        cmp     r1, #0
        bicne   r2, r2, #0x80
        msr     spsr_fsxc, r2
        mov     lr, r0
        movs    pc, lr
user_back:
        ldr     r1, =user_saved_sp
        ldr     sp, [r1]
        ldr     r0, =user_result
        ldr     r0, [r0]
        pop     {r4-r11, pc}
        .ltorg
        .bss
        .global user_saved_cpsr, user_result
user_saved_sp:
        .space  4
user_saved_cpsr:
        .space  4
user_result:
        .space  4
