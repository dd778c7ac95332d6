/*
 * boot/segments.S - reload the segment registers after a new GDT is loaded (SDM 3A 3.4.3):
 * CS only through a far transfer, here a far return to the next instruction.
 * void gdt_reload_segments(void): CS = 0x08, DS = ES = SS = 0x10 (kernel/include/gdt.h).
 */
	.text
	.code64
	.globl gdt_reload_segments
gdt_reload_segments:
	pushq $0x08
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
1:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	ret
