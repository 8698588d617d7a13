@ Code templates the self-modifying-code test copies into RAM and patches.
        .syntax unified
        .arch   armv7ve
        .text

@ u32 hot(u32 n): adds an immediate n times (the ADD at hot_add is patched)
        .arm
        .global hot, hot_add, hot_end
hot:    mov     r1, #0
1:
hot_add:
        add     r1, r1, #1
        subs    r0, r0, #1
        bne     1b
        mov     r0, r1
        bx      lr
hot_end:

@ u32 self_patch(u32 insn): stores insn over patch_me, ahead of it in the same function, makes
@ it visible to instruction fetch (DCCMVAU, DSB, ICIMVAU, BPIALL, DSB, ISB) and runs it. The
@ original patch_me returns 1; the caller passes `mov r0, #N` to get N.
        .global self_patch, self_patch_end
self_patch:
        adr     r1, patch_me
        str     r0, [r1]
        mcr     p15, 0, r1, c7, c11, 1  @ DCCMVAU
        dsb
        mcr     p15, 0, r1, c7, c5, 1   @ ICIMVAU
        mcr     p15, 0, r1, c7, c5, 6   @ BPIALL
        dsb
        isb
patch_me:
        mov     r0, #1
        bx      lr
self_patch_end:
