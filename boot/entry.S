/*
 * boot/entry.S - from GRUB's 32-bit protected mode to kmain() in long mode, on the BSP.
 * Owns the boot page tables (identity map of the first 4 GiB with 2 MiB pages; kernel/paging.c
 * extends it to all RAM later), the boot GDT and the BSP's boot stack.
 * Machine state on entry (multiboot2 spec 3.3): EAX = 0x36d76289, EBX = physical address of
 * the info block, protected mode with paging off, A20 on, flat CS/DS; EFI boot services have
 * exited (we request no EFI handover), so the same path serves BIOS and UEFI.
 */
#define EFER_MSR   0xc0000080
#define EFER_LME   (1 << 8)
#define CR0_PE     (1 << 0)
#define CR0_MP     (1 << 1)
#define CR0_ET     (1 << 4)
#define CR0_NE     (1 << 5)
#define CR0_WP     (1 << 16)
#define CR0_PG     (1 << 31)
#define CR4_PAE    (1 << 5)
#define CR4_MCE    (1 << 6)
/*
 * Explicit values, not firmware's with bits added: CR0 without CD/NW (caches on), TS, EM or AM;
 * CR4 with PAE and MCE only (a machine check is #MC and a report, not a shutdown; no LA57, PKE
 * or SMEP/SMAP left on by firmware). boot/trampoline.S loads the same on every AP, whose
 * CR0 after INIT has CD and NW set.
 */
#define BOOT_CR0   (CR0_PE | CR0_MP | CR0_ET | CR0_NE)
#define BOOT_CR4   (CR4_PAE | CR4_MCE)
#define PTE_P      (1 << 0)
#define PTE_W      (1 << 1)
#define PTE_PS     (1 << 7)
#define BOOT_STACK_SIZE 32768

	.section .text.boot, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	/* keep magic and info pointer in .data: .bss is about to be cleared */
	movl %eax, boot_magic
	movl %ebx, boot_info

	/* GRUB zero-fills bss, but the spec does not promise it */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	movl $boot_stack_top, %esp

	/* CPUID 0x80000001 EDX bit 29: long mode; without it say so and stop */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories */
	movl $boot_pdpt + (PTE_P | PTE_W), boot_pml4
	movl $boot_pdpt, %edi
	movl $boot_pd + (PTE_P | PTE_W), %eax
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 1b

	/* 2048 PDEs of 2 MiB: identity map of [0, 4 GiB); high dwords stay 0 from the clear */
	movl $boot_pd, %edi
	movl $(PTE_P | PTE_W | PTE_PS), %eax
	movl $2048, %ecx
2:	movl %eax, (%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 2b

	/* Intel SDM 3A 10.8.5 "Initializing IA-32e Mode": PAE, CR3, EFER.LME, then CR0.PG */
	movl $BOOT_CR0, %eax
	movl %eax, %cr0
	movl $BOOT_CR4, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl $(BOOT_CR0 | CR0_WP | CR0_PG), %eax
	movl %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $0x08, $start64

no_long_mode:
	/* COM1 without init (firmware leaves it usable on QEMU and most PCs), and VGA text */
	movl $no_lm_msg, %esi
	movl $0xb8000, %edi
3:	movb (%esi), %al
	testb %al, %al
	jz 4f
	movw $0x3f8, %dx
	outb %al, %dx
	movb %al, (%edi)
	movb $0x4f, 1(%edi)
	addl $2, %edi
	incl %esi
	jmp 3b
4:	hlt
	jmp 4b

	.code64
start64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp			/* ends the frame-pointer chain for backtraces */
	movl boot_magic, %edi		/* kmain(uint32_t magic, uint64_t info_phys) */
	movl boot_info, %esi
	call kmain
5:	cli
	hlt
	jmp 5b

	.section .rodata
no_lm_msg:
	.asciz "rmap-harness: this CPU has no long mode (CPUID 0x80000001 EDX.LM); halting\r\n"

	.data
	.balign 8
	.globl boot_magic, boot_info
boot_magic:	.long 0
boot_info:	.long 0
	/* null, 64-bit code (0x08), data (0x10); kernel/arch/gdt.c loads the per-CPU GDT later */
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
boot_gdt_end:
boot_gdt_desc:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.bss
	.balign 4096
	.globl boot_pml4, boot_pdpt, boot_pd
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.balign 16
	.globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:
