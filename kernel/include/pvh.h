/*
 * pvh.h - the x86/HVM direct boot ABI's start info (Xen's public arch-x86/hvm/start_info.h,
 * as QEMU's -kernel fills it for a kernel with a PVH entry note, boot/pvh.S), and its parser:
 * pvh_parse() turns it into the struct mb2_info the rest of the boot reads (command line,
 * memory map, ACPI RSDP, modules), so bootinfo.c serves both entries unchanged.
 */
#ifndef PVH_H
#define PVH_H

#include <stddef.h>
#include <stdint.h>
#include "mb2.h"

#define PVH_START_MAGIC		0x336ec578u	/* start_info.magic, and EAX from boot/pvh.S */
#define PVH_MAX_MEMMAP		1024		/* entries; more is a corrupt table */
#define PVH_CMDLINE_BOUND	4096		/* bytes searched for the command line's NUL */
#define PVH_MAX_MODULES		256		/* more is a corrupt count */

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;		/* 1 and later carry the memory map */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;		/* struct hvm_modlist_entry[nr_modules] */
	uint64_t cmdline_paddr;		/* NUL-terminated, or 0 */
	uint64_t rsdp_paddr;		/* the ACPI RSDP, or 0 */
	uint64_t memmap_paddr;		/* version >= 1: struct hvm_memmap_table_entry[] */
	uint32_t memmap_entries;
	uint32_t reserved;
};

/* The layout of a multiboot2 memory map entry: mb2_info.mmap can point at the table as is. */
struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;			/* 1 RAM, 2 reserved, 3 ACPI, 4 NVS, ... (E820) */
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

/*
 * Fills *out from the start info at info (physical = virtual: identity-mapped): boot_mode
 * MB2_BOOT_DIRECT, base/total_size the span of memory holding the start info, command line
 * and memory map (kept out of the page allocator and the trampoline), no framebuffer. Returns
 * 0, or an enum mb2_err with one line in err: a NULL pointer, a wrong magic, version 0 (no
 * memory map), an empty or oversized map, a command line without a NUL within the bound, more
 * than PVH_MAX_MODULES modules, or anything it would read (map, command line, RSDP, module
 * list) or keep (a module) lying above 4 GiB or wrapping: each checked before it is read.
 */
int pvh_parse(const void *info, struct mb2_info *out, char *err, size_t errsize);

#endif /* PVH_H */
