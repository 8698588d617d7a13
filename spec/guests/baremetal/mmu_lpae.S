@ A position-independent function to copy into mapped pages and run.
        .syntax unified
        .arch   armv7ve
        .arm
        .text
        .global ret42, ret42_end
ret42:  mov     r0, #42
        bx      lr
ret42_end:
