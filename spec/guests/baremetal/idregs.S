@ The VFP system registers, read with VMRS (CPACR must grant CP10/CP11 first).
        .syntax unified
        .arch   armv7ve
        .fpu    neon-vfpv4
        .arm
        .text
        .global read_fpsid, read_mvfr0, read_mvfr1, read_fpexc, write_fpexc
read_fpsid:
        vmrs    r0, fpsid
        bx      lr
read_mvfr0:
        vmrs    r0, mvfr0
        bx      lr
read_mvfr1:
        vmrs    r0, mvfr1
        bx      lr
read_fpexc:
        vmrs    r0, fpexc
        bx      lr
write_fpexc:
        vmsr    fpexc, r0
        bx      lr
