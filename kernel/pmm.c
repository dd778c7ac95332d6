/*
 * kernel/pmm.c - owns physical pages after boot: `pmm` holds the free ranges (each handed out
 * from its bottom by a bump pointer), the FIFO of freed pages and the counters, all under one
 * lock. A freed page is filled with PMM_POISON, its first word links the FIFO, and it is not
 * reused while fewer than PMM_QUARANTINE_PAGES pages stand behind it, so a stale pointer
 * into it reads poison for a while. On reuse the poison is checked before the page is zeroed.
 */
#include "pmm.h"
#include "spinlock.h"
#include "percpu.h"
#include "report.h"
#include "console.h"

#define PMM_MAX_RANGES 128
#define FOUR_GIB (1ull << 32)

static struct {
	struct spinlock lock;
	struct memrange range[PMM_MAX_RANGES];	/* [base, end); base moves up as pages go out */
	unsigned nranges;
	uint64_t *fifo_head, *fifo_tail;	/* freed pages, oldest first */
	uint64_t fifo_len;
	uint64_t total, free;			/* pages */
} pmm = { .lock = SPINLOCK_INIT("pmm") };

int pmm_init(const struct memrange *ranges, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (pmm.nranges == PMM_MAX_RANGES) {
			kprintf("pmm: more than %u free ranges; the rest (from 0x%llx) left unused\n",
				PMM_MAX_RANGES, (unsigned long long)ranges[i].base);
			break;
		}
		if (ranges[i].end <= ranges[i].base)
			continue;
		pmm.range[pmm.nranges++] = ranges[i];
		pmm.total += (ranges[i].end - ranges[i].base) / PAGE_SIZE;
	}
	pmm.free = pmm.total;
	return pmm.total ? 0 : -1;
}

uint64_t pmm_total_pages(void) { return pmm.total; }
uint64_t pmm_free_pages(void) { return __atomic_load_n(&pmm.free, __ATOMIC_RELAXED); }

static uint64_t *take_fresh(uint64_t limit)
{
	for (unsigned i = 0; i < pmm.nranges; i++) {
		struct memrange *r = &pmm.range[i];

		if (r->base < r->end && r->base + PAGE_SIZE <= limit) {
			uint64_t *p = (uint64_t *)r->base;

			r->base += PAGE_SIZE;
			return p;
		}
	}
	return NULL;
}

static uint64_t *take_freed(uint64_t limit)
{
	uint64_t *p = pmm.fifo_head;

	if (!p || (uint64_t)p + PAGE_SIZE > limit)
		return NULL;
	pmm.fifo_head = (uint64_t *)p[0];
	if (!pmm.fifo_head)
		pmm.fifo_tail = NULL;
	pmm.fifo_len--;
	return p;
}

/* The page sat poisoned in the quarantine: any other byte means someone wrote after free. */
static void check_poison(const uint64_t *p)
{
	const uint8_t *b = (const uint8_t *)p;

	for (unsigned i = sizeof(uint64_t); i < PAGE_SIZE; i++) {
		if (b[i] != PMM_POISON) {
			report_violation("uaf", "page=0x%llx offset=0x%x value=0x%02x detail=\"freed page written while in quarantine\"",
					 (unsigned long long)p, i, b[i]);
			return;
		}
	}
}

static void *alloc_below(uint64_t limit)
{
	uint64_t *p = NULL;
	int reused = 0;

	spin_lock(&pmm.lock, (int)cpu_id());
	if (pmm.fifo_len > PMM_QUARANTINE_PAGES)
		reused = (p = take_freed(limit)) != NULL;
	if (!p)
		p = take_fresh(limit);
	if (!p)
		reused = (p = take_freed(limit)) != NULL;	/* fresh pages gone: quarantine shrinks */
	if (p)
		pmm.free--;
	spin_unlock(&pmm.lock);
	if (!p)
		return NULL;
	if (reused)
		check_poison(p);
	__builtin_memset(p, 0, PAGE_SIZE);
	return p;
}

void *pmm_alloc_contig(unsigned npages)
{
	uint64_t bytes = (uint64_t)npages * PAGE_SIZE;
	void *p = NULL;

	spin_lock(&pmm.lock, (int)cpu_id());
	for (unsigned i = 0; i < pmm.nranges && !p; i++) {
		struct memrange *r = &pmm.range[i];

		if (r->end - r->base >= bytes) {
			p = (void *)r->base;
			r->base += bytes;
			pmm.free -= npages;
		}
	}
	spin_unlock(&pmm.lock);
	if (p)
		__builtin_memset(p, 0, bytes);
	return p;
}

void *page_alloc(void)
{
	return alloc_below(~0ull);
}

void *pmm_alloc_low(void)
{
	return alloc_below(FOUR_GIB);
}

void page_free(void *page)
{
	uint64_t *p = page;

	__builtin_memset(p, PMM_POISON, PAGE_SIZE);
	p[0] = 0;
	spin_lock(&pmm.lock, (int)cpu_id());
	if (pmm.fifo_tail)
		pmm.fifo_tail[0] = (uint64_t)p;
	else
		pmm.fifo_head = p;
	pmm.fifo_tail = p;
	pmm.fifo_len++;
	pmm.free++;
	spin_unlock(&pmm.lock);
}
