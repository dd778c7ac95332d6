/*
 * bootinfo.h - the platform as booted (kernel/bootinfo.c): from the multiboot2 information it
 * starts the page allocator, extends the identity map, opens the framebuffer console, reads
 * ACPI and calibrates the TSC, and keeps the facts the banner and the tests report.
 */
#ifndef BOOTINFO_H
#define BOOTINFO_H

#include <stdint.h>
#include <stdbool.h>
#include "mb2.h"

struct boot_platform {
	bool uefi;
	char loader[64];		/* how the kernel was entered: multiboot2 (by whom) or PVH */
	unsigned cpus_online, cpus_present;
	uint64_t mem_mib;		/* usable RAM in the memory map */
	uint64_t free_ranges;		/* after reservations */
	const char *cmdline;		/* "" when GRUB passed none; quotes shown as ' */
	uint64_t trampoline_page;	/* free page below 1 MiB for the AP trampoline, or 0 */
	const char *fatal;		/* set when the platform cannot run tests */
	char fb_status[96];
	/* TSC at the end of each boot phase, from kmain's entry (make bench's boot section) */
	uint64_t t_entry, t_mem, t_fb, t_acpi, t_tsc, t_smp, t_banner;
};

void bootinfo_init(const struct mb2_info *mi, struct boot_platform *bp);
void bootinfo_print(const struct boot_platform *bp);	/* the lines after the banner */

#endif
