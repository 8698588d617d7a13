/* A quiet guest for debugger tests, without libc: the same source assembles as A32 (-marm)
   and as Thumb-2 (-mthumb). `loop` calls `bump` ITERATIONS times; at the k-th entry to bump
   (k from 0) r4 = k, r5 = ITERATIONS - k and d0 = 1.0 + 0.5 k; bump adds 2 to r6 on odd
   counts (an IT block in Thumb). Prints nothing; exits with (r4 + r6) & 0xff. */
	.syntax unified
#ifdef __thumb__
	.thumb
#else
	.arm
#endif
	.equ	ITERATIONS, 3000
	.text
	.global _start
	.type _start, %function
_start:
	movs	r4, #0
	movs	r6, #0
	ldr	r5, =ITERATIONS
	vmov.f64	d0, #1.0
	vmov.f64	d1, #0.5
	.global loop
	.type loop, %function
loop:
	bl	bump
	subs	r5, r5, #1
	bne	loop
	add	r0, r4, r6
	and	r0, r0, #0xff
	mov	r7, #1		/* exit */
	svc	#0

	.global bump
	.type bump, %function
bump:
	adds	r4, r4, #1
	vadd.f64	d0, d0, d1
	tst	r4, #1
	it	ne
	addne	r6, r6, #2
	bx	lr
	.ltorg
