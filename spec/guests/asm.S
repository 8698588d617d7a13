/* A guest in assembly, without libc: the same source assembles as A32 (-marm) and as Thumb-2
   (-mthumb). Exercises conditional execution / IT blocks, flags, multiplies, bit operations,
   exclusives and raw syscalls; prints each result as a hex line and exits with status 5. */
	.syntax unified
#ifdef __thumb__
	.thumb
#else
	.arm
#endif
	.text
	.global _start
	.type _start, %function
_start:
	/* flags and conditional execution */
	movs	r4, #0
	mov	r0, #5
	cmp	r0, #3
	ite	gt
	addgt	r4, r4, #0x10
	addle	r4, r4, #0x20
	subs	r0, r0, #5
	itt	eq
	orreq	r4, r4, #0x100
	moveq	r5, #1
	adds	r1, r0, #0
	mvn	r1, #0
	adds	r1, r1, #1          /* carry out, zero */
	adc	r4, r4, #0x1000
	mov	r0, r4
	bl	print_hex

	/* multiplies */
	ldr	r0, =0x9e3779b9
	ldr	r1, =0x7f4a7c15
	umull	r2, r3, r0, r1
	eor	r0, r2, r3
	bl	print_hex
	ldr	r0, =0x9e3779b9
	ldr	r1, =0x7f4a7c15
	smull	r2, r3, r0, r1
	mla	r0, r2, r3, r1
	bl	print_hex

	/* bit operations */
	ldr	r0, =0x00f01234
	clz	r1, r0
	rev	r2, r0
	rbit	r3, r0
	ubfx	r6, r0, #4, #12
	bfi	r3, r6, #8, #8
	add	r0, r1, r2
	eor	r0, r0, r3
	bl	print_hex
	ldr	r0, =0x80000001
	mov	r1, #3
	ror	r2, r0, r1
	asr	r3, r0, #4
	lsls	r6, r0, #1
	adc	r0, r2, r3
	bl	print_hex

	/* exclusives: an atomic add loop on a word in .data */
	ldr	r1, =counter
	mov	r2, #10
1:	ldrex	r0, [r1]
	add	r0, r0, #7
	strex	r3, r0, [r1]
	cmp	r3, #0
	bne	1b
	subs	r2, r2, #1
	bne	1b
	dmb	ish
	ldr	r0, [r1]
	bl	print_hex

	/* exit(5) */
	mov	r0, #5
	mov	r7, #1
	svc	#0

	/* print_hex(r0): writes "0x%08x\n" to stdout; clobbers r0-r3, r7, r12 */
	.type print_hex, %function
print_hex:
	push	{r4, lr}
	sub	sp, sp, #16
	mov	r4, r0
	mov	r0, #'0'
	strb	r0, [sp]
	mov	r0, #'x'
	strb	r0, [sp, #1]
	mov	r1, #0
2:	lsr	r2, r4, #28
	cmp	r2, #10
	ite	lt
	addlt	r2, r2, #'0'
	addge	r2, r2, #('a' - 10)
	add	r3, sp, #2
	strb	r2, [r3, r1]
	lsl	r4, r4, #4
	add	r1, r1, #1
	cmp	r1, #8
	bne	2b
	mov	r0, #10
	strb	r0, [sp, #10]
	mov	r0, #1
	mov	r1, sp
	mov	r2, #11
	mov	r7, #4
	svc	#0
	add	sp, sp, #16
	pop	{r4, pc}
	.ltorg

	.data
	.align 2
counter:
	.word	100
