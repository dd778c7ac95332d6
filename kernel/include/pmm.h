/*
 * pmm.h - the physical page allocator (kernel/pmm.c) over every usable RAM range of the
 * memory map, less the kernel image, the multiboot2 info and modules and the first MiB.
 * Freed pages are poisoned (PMM_POISON) and held in a FIFO quarantine before reuse; a page
 * whose poison was disturbed while free is reported as a `uaf` violation when reused.
 */
#ifndef PMM_H
#define PMM_H

#include <stdint.h>
#include "memrange.h"

#define PAGE_SIZE		4096
#define PMM_POISON		0x6b
#define PMM_QUARANTINE_PAGES	512	/* freed pages wait behind at least this many */

/* ranges: page-aligned free ranges, sorted. Keeps a copy. Returns 0 or -1 (none usable). */
int pmm_init(const struct memrange *ranges, unsigned n);
void *page_alloc(void);			/* zeroed, identity-mapped page, or NULL */
void page_free(void *page);
void *pmm_alloc_low(void);
/* npages physically contiguous zeroed pages from never-used memory (per-CPU data, stacks);
 * NULL when no range has that many left. Free them one page at a time, if ever. */
void *pmm_alloc_contig(unsigned npages);		/* like page_alloc, but below 4 GiB (for early tables) */
uint64_t pmm_total_pages(void);
uint64_t pmm_free_pages(void);

#endif
