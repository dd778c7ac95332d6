/*
 * boot/isr.S - entry stubs for the 32 exception vectors and the two interrupt vectors used.
 * Each stub makes the stack uniform (a 0 error code where the CPU pushes none, then the vector),
 * saves every general register and calls trap_dispatch(struct trap_frame *) in kernel/trap.c.
 * The layout pushed here is struct trap_frame in kernel/include/trap.h; keep them in step.
 */
	.text
	.code64

.macro ISR_NOERR vec
isr_\vec:
	pushq $0
	pushq $\vec
	jmp isr_common
.endm

.macro ISR_ERR vec
isr_\vec:
	pushq $\vec
	jmp isr_common
.endm

/* vectors with a CPU-pushed error code: 8 10 11 12 13 14 17 21 29 30 (SDM 3A table 6-1) */
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_ERR   14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR   21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR   29
ISR_ERR   30
ISR_NOERR 31
/* interrupts: LAPIC timer (watchdog), wake-up IPI, irq_hz= timer, spurious 8259 IRQ7,
 * spurious LAPIC / IRQ15 */
ISR_NOERR 32
ISR_NOERR 33
ISR_NOERR 34
ISR_NOERR 247
ISR_NOERR 255
	.globl isr_32, isr_33, isr_34, isr_247, isr_255

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi		/* struct trap_frame *: 22 quadwords, so RSP stays 16-aligned */
	cld
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector and error code */
	iretq

	.section .rodata
	.balign 8
	.globl isr_stub_table
isr_stub_table:
.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr_\vec
.endr
