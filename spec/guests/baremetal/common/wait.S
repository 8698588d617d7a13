@ Sleeping until a word becomes non-zero (wait_wfi, wait_wfe: r0 = its address) without the lost
@ wake-up: an interrupt that arrives after the test's load and up to the WFI/WFE (it sets the
@ word, and nothing may come later to end the wait) would return into that window and sleep;
@ exc_dispatch moves such a return back to the load, which then sees the word. So a test can
@ wait with interrupts unmasked, even in User mode, and still take exactly the interrupts it
@ expects.
        .syntax unified
        .arch   armv7ve
        .arm
        .text
        .global wait_wfi, wait_wfe, wait_wfi_insn, wait_wfe_insn
wait_wfi:
1:      ldr     r1, [r0]
        cmp     r1, #0
        bxne    lr
        dsb
wait_wfi_insn:
        wfi
        b       1b

wait_wfe:
1:      ldr     r1, [r0]
        cmp     r1, #0
        bxne    lr
        dsb
wait_wfe_insn:
        wfe
        b       1b
