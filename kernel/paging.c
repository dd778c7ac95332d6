/*
 * kernel/paging.c - owns the kernel page tables after boot/entry.S built them: PML4 → PDPT →
 * PD with 2 MiB leaves, identity-mapped. Tables are only ever added, never removed, so no TLB
 * shootdown is needed (x86 does not cache not-present entries, SDM 3A 4.10.2.3). Callers are
 * the BSP at boot and, later, code holding no other lock: one lock guards table allocation.
 */
#include "paging.h"
#include "pmm.h"
#include "spinlock.h"
#include "percpu.h"
#include "arch/x86.h"

#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_PS		(1ull << 7)
#define PTE_ADDR	0x000ffffffffff000ull
#define SZ_2M		(1ull << 21)

extern uint64_t boot_pml4[512];

static struct {
	struct spinlock lock;	/* guards adding tables */
	unsigned phys_bits;
} pg = { SPINLOCK_INIT("page tables"), 0 };

unsigned paging_phys_bits(void)
{
	uint32_t a, b, c, d;

	if (pg.phys_bits)
		return pg.phys_bits;
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &b, &c, &d);
		pg.phys_bits = a & 0xff;
	} else {
		pg.phys_bits = 36;
	}
	return pg.phys_bits;
}

/* Next-level table under *entry, allocated when absent; NULL when out of pages. */
static uint64_t *next_table(uint64_t *entry)
{
	void *page;

	if (*entry & PTE_P)
		return (uint64_t *)(*entry & PTE_ADDR);
	page = pmm_alloc_low();		/* must itself be reachable: below 4 GiB */
	if (!page)
		return NULL;
	*entry = (uint64_t)page | PTE_P | PTE_W;
	return page;
}

int paging_map_identity(uint64_t pa, uint64_t len)
{
	uint64_t start = pa & ~(SZ_2M - 1);
	uint64_t end = pa + len;
	int ret = 0;

	if (len == 0)
		return 0;
	if (end < pa || end > (1ull << paging_phys_bits()))
		return -1;
	spin_lock(&pg.lock, (int)cpu_id());
	for (uint64_t a = start; a < end; a += SZ_2M) {
		uint64_t *pdpt = next_table(&boot_pml4[(a >> 39) & 511]);
		uint64_t *pd = pdpt ? next_table(&pdpt[(a >> 30) & 511]) : NULL;

		if (!pd) {
			ret = -1;
			break;
		}
		if (!(pd[(a >> 21) & 511] & PTE_P))
			pd[(a >> 21) & 511] = a | PTE_P | PTE_W | PTE_PS;
	}
	spin_unlock(&pg.lock);
	return ret;
}
