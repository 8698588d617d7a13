@ Start-up shared by every bare-metal test: the vector table (each entry saves the interrupted
@ registers with SRS and returns with RFE, see exc_dispatch in exc.c), one stack per mode, BSS
@ cleared, VBAR set, then main(); when main returns: the DONE line and PSCI SYSTEM_OFF.
@ QEMU starts an ELF -kernel at its entry in SVC mode with A, I and F masked (the reset state).
        .syntax unified
        .arch   armv7ve
        .arm

        .section .text.start, "ax"
        .global _start
_start:
        cpsid   aif
        ldr     r0, =__stacks_end
        cps     #0x11                   @ FIQ
        sub     sp, r0, #0xa000
        cps     #0x12                   @ IRQ
        sub     sp, r0, #0x8000
        cps     #0x17                   @ Abort
        sub     sp, r0, #0x6000
        cps     #0x1b                   @ Undefined
        sub     sp, r0, #0x4000
        cps     #0x1f                   @ System (and User)
        sub     sp, r0, #0x2000
        cps     #0x13                   @ Supervisor
        mov     sp, r0
        ldr     r0, =vectors
        mcr     p15, 0, r0, c12, c0, 0  @ VBAR
        isb
        ldr     r0, =__bss_start
        ldr     r1, =__bss_end
        mov     r2, #0
1:      cmp     r0, r1
        strlo   r2, [r0], #4
        blo     1b
        bl      main
        bl      finish
2:      b       2b

@ The default vector table. Each entry turns LR into the preferred return address, pushes it and
@ the SPSR onto the mode's stack (SRS), then r0-r12, and calls exc_dispatch(kind, frame).
        .balign 32
        .global vectors, v_und, v_svc, v_pabt, v_dabt, v_hyp, v_irq, v_fiq
vectors:
        b       _start
        b       v_und
        b       v_svc
        b       v_pabt
        b       v_dabt
        b       v_hyp
        b       v_irq
        b       v_fiq

        .macro  entry name, kind, mode, adjust
\name:
        sub     lr, lr, #\adjust
        srsdb   sp!, #\mode
        push    {r0-r12}
        mov     r0, #\kind
        mov     r1, sp
        bl      exc_dispatch
        pop     {r0-r12}
        rfeia   sp!
        .endm

@ Undefined and SVC: the Thumb/ARM instruction length differs, so LR is left as the address of
@ the next instruction (adjust 0); the others return to the faulting instruction.
        entry   v_und,  1, 0x1b, 0
        entry   v_svc,  2, 0x13, 0
        entry   v_pabt, 3, 0x17, 4
        entry   v_dabt, 4, 0x17, 8
        entry   v_hyp,  5, 0x13, 0
        entry   v_irq,  6, 0x12, 4
        entry   v_fiq,  7, 0x11, 4

        .ltorg
