@ diff_enter(struct enter_block *b): loads D0-D31, FPSCR, TPIDRURW, APSR (NZCVQ, GE) and R0-R15 from
@ the block and so jumps to the test code (bit 0 of the loaded PC selects Thumb). Never
@ returns: the harness's signal handler takes over when the test code faults.
	.syntax unified
	.arch armv7-a
	.fpu vfpv3
	.arm
	.text
	.global diff_enter
	.type diff_enter, %function
diff_enter:
	add	r1, r0, #80
	vldmia	r1!, {d0-d15}
	vldmia	r1, {d16-d31}
	ldr	r1, [r0, #68]
	vmsr	fpscr, r1
	ldr	r1, [r0, #72]
	mcr	p15, 0, r1, c13, c0, 2	@ TPIDRURW
	ldr	r1, [r0, #64]
	msr	APSR_nzcvqg, r1
	clrex
	ldm	r0, {r0-r15}
	.size diff_enter, .-diff_enter
	.section .note.GNU-stack,"",%progbits
