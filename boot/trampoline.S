/*
 * boot/trampoline.S - where an AP starts: real mode at CS:IP = (page << 8):0 after a SIPI
 * (SDM 3A 9.4.4, 10.4 on older editions), then 32-bit protected mode, then long mode with the
 * BSP's page tables, then ap_entry(slot) in kernel/smp/smp.c on a stack of its own.
 * This image is copied to a free page below 1 MiB (smp.c picks it from the memory map); the
 * BSP patches the parameter block (tr_*) in the copy with absolute addresses first, so the
 * APs never write to the page except the slot counter. Many APs may run it at once: each
 * takes its stack slot with one locked xadd.
 */
#define EFER_MSR 0xc0000080

	.section .rodata, "a"
	.balign 16
	.globl trampoline_start, trampoline_end
	.globl tr_gdt, tr_gdt_desc, tr_far32, tr_far64, tr_cr3, tr_stacks, tr_entry, tr_slot
	.globl tr_protected, tr_long
	.code16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	xorl %ebx, %ebx			/* ebx = linear address of this page */
	movw %cs, %bx
	shll $4, %ebx
	lgdtl (tr_gdt_desc - trampoline_start)
	/* explicit CR0: PE, MP, ET, NE; INIT left CD and NW set (caches off): not kept */
	movl $0x33, %eax
	movl %eax, %cr0
	ljmpl *(tr_far32 - trampoline_start)

	.code32
tr_protected:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $((1 << 5) | (1 << 6)), %eax	/* CR4: PAE, MCE, nothing else (entry.S) */
	movl %eax, %cr4
	movl (tr_cr3 - trampoline_start)(%ebx), %eax
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $(1 << 8), %eax		/* EFER.LME */
	wrmsr
	movl $(0x33 | (1 << 31) | (1 << 16)), %eax	/* and CR0.PG, CR0.WP */
	movl %eax, %cr0
	ljmpl *(tr_far64 - trampoline_start)(%ebx)

	.code64
tr_long:
	movl %ebx, %ebx			/* upper halves are undefined after the mode switch */
	movl $1, %eax
	lock xaddl %eax, (tr_slot - trampoline_start)(%rbx)	/* eax = this AP's stack slot */
	movl %eax, %edi			/* ap_entry(slot) */
	movq (tr_stacks - trampoline_start)(%rbx), %rcx
	movq (%rcx,%rax,8), %rsp	/* stack top of this slot */
	xorl %ebp, %ebp			/* ends the backtrace chain */
	movq (tr_entry - trampoline_start)(%rbx), %rax
	call *%rax
1:	cli
	hlt
	jmp 1b

	/* parameter block: patched by the BSP in the low copy */
	.balign 8
tr_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00cf9a000000ffff	/* 0x18: 32-bit code */
tr_gdt_desc:
	.short 31
	.long 0				/* linear address of tr_gdt */
	.balign 8
tr_far32:
	.long 0				/* linear address of tr_protected */
	.short 0x18
	.balign 8
tr_far64:
	.long 0				/* linear address of tr_long */
	.short 0x08
	.balign 8
tr_cr3:		.quad 0
tr_stacks:	.quad 0			/* table of stack tops, indexed by slot */
tr_entry:	.quad 0			/* ap_entry */
tr_slot:	.long 0
trampoline_end:
