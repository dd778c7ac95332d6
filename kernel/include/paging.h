/*
 * paging.h - the kernel's own (x86-64, non-EPT) page tables: an identity map of physical
 * memory, started by boot/entry.S for the first 4 GiB and extended here (kernel/paging.c) to
 * all RAM, the framebuffer and any ACPI table or MMIO range above it. 2 MiB pages throughout.
 */
#ifndef PAGING_H
#define PAGING_H

#include <stdint.h>

/* Makes [pa, pa+len) reachable at the same virtual address. Returns 0, or -1 when the range
 * is beyond the CPU's physical address width or no page could be had for a table. */
int paging_map_identity(uint64_t pa, uint64_t len);
unsigned paging_phys_bits(void);

#endif
