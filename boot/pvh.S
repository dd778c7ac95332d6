/*
 * boot/pvh.S - the second way into the kernel: direct boot by QEMU's -kernel (and its microvm
 * machine), through the PVH entry of the x86/HVM direct boot ABI. QEMU loads an ELF64 kernel
 * only if it carries a XEN_ELFNOTE_PHYS32_ENTRY note (its multiboot1 loader takes ELF32 only,
 * so PVH, not multiboot1, is the way to boot this ELF64 image without GRUB): the note names
 * pvh_start32, which QEMU's PVH option ROM jumps to in 32-bit protected mode, paging off, with
 * EBX = the physical address of struct hvm_start_info (kernel/include/pvh.h). The GRUB path
 * (boot/header.S, multiboot2) stays the one real machines boot.
 *
 * The machine state is multiboot2's in every way entry.S relies on (flat 32-bit segments,
 * paging off, no stack yet), so the entry only marks the protocol in EAX, where multiboot2
 * puts its magic, and joins _start32; kmain tells the two apart by that value.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define PVH_START_MAGIC			0x336ec578	/* XEN_HVM_START_MAGIC_VALUE */

	.section .note.pvh, "a", @note
	.balign 4
	.long 4				/* namesz: "Xen\0" */
	.long 4				/* descsz: a 32-bit physical address */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long pvh_start32
	.balign 4

	.section .text.boot, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	movl $PVH_START_MAGIC, %eax
	jmp _start32
