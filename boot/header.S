/*
 * boot/header.S - the multiboot2 header GRUB looks for in the first 32 KiB of the image.
 * Asks for the information tags the kernel parses (command line, memory map, framebuffer,
 * ACPI RSDP, EFI tables) and for a linear framebuffer, which GRUB may refuse (text mode):
 * the framebuffer tag is optional, so a machine without VBE/GOP still boots.
 * Multiboot2 specification, section 3.1: the header is 8-byte aligned, tags 8-byte aligned.
 */
#define MB2_MAGIC        0xe85250d6
#define MB2_ARCH_I386    0
#define MB2_TAG_END      0
#define MB2_TAG_INFO_REQ 1
#define MB2_TAG_FB       5
#define MB2_TAG_OPTIONAL 1

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* information request: optional, so GRUB never refuses to boot over a tag it lacks */
	.balign 8
info_req:
	.short MB2_TAG_INFO_REQ
	.short MB2_TAG_OPTIONAL
	.long info_req_end - info_req
	.long 1		/* command line */
	.long 6		/* memory map */
	.long 8		/* framebuffer */
	.long 14	/* ACPI old RSDP */
	.long 15	/* ACPI new RSDP */
	.long 12	/* EFI 64-bit system table */
	.long 17	/* EFI memory map */
info_req_end:

	/* framebuffer: 1024x768x32 preferred; optional, 0 would mean "no preference" */
	.balign 8
	.short MB2_TAG_FB
	.short MB2_TAG_OPTIONAL
	.long 20
	.long 1024
	.long 768
	.long 32

	.balign 8
	.short MB2_TAG_END
	.short 0
	.long 8
mb2_header_end:
