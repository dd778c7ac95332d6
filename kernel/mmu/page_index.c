/*
 * kernel/mmu/page_index.c - the page-address radix tree of page_index.h. Writers (pools, under
 * their own lock) fill slots NULL -> node/value with release stores; readers on any CPU load
 * slots with acquire, so a node or value is initialised before anyone can reach it.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/page_index.h"

#define PI_BITS		9
#define PI_SLOTS	(1u << PI_BITS)

_Static_assert(12 + PAGE_INDEX_LEVELS * PI_BITS == PAGE_INDEX_VA_BITS, "index covers 48 bits");

static unsigned pi_slot(uintptr_t addr, int depth)
{
	int shift = 12 + (PAGE_INDEX_LEVELS - 1 - depth) * PI_BITS;

	return (unsigned)(addr >> shift) & (PI_SLOTS - 1);
}

bool page_index_init(struct page_index *pi)
{
	pi->root = env_page_alloc();
	pi->nodes = pi->root ? 1 : 0;
	return pi->root != NULL;
}

bool page_index_set(struct page_index *pi, const void *addr, void *value)
{
	uintptr_t a = (uintptr_t)addr;
	void **node = pi->root;

	ENV_ASSERT((a >> PAGE_INDEX_VA_BITS) == 0);
	for (int depth = 0; depth < PAGE_INDEX_LEVELS - 1; depth++) {
		void **slot = &node[pi_slot(a, depth)];
		/* relaxed: only writers (serialised by the caller's lock) fill slots */
		void **next = atomic_read(slot, MO_RELAXED);

		if (!next) {
			next = env_page_alloc();
			if (!next)
				return false;
			pi->nodes++;
			/* release: the zeroed node is visible before the slot (pairs with get's acquire) */
			atomic_set(slot, (void *)next, MO_RELEASE);
		}
		node = next;
	}
	/* release: the value's object is initialised before lookups can find it */
	atomic_set(&node[pi_slot(a, PAGE_INDEX_LEVELS - 1)], value, MO_RELEASE);
	return true;
}

void *page_index_get(const struct page_index *pi, const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	void **node = pi->root;

	if (a >> PAGE_INDEX_VA_BITS)
		return NULL;
	for (int depth = 0; depth < PAGE_INDEX_LEVELS - 1 && node; depth++)
		/* acquire: pairs with the release store that published the node */
		node = atomic_read(&node[pi_slot(a, depth)], MO_ACQUIRE);
	if (!node)
		return NULL;
	/* acquire: pairs with the release store of the value in page_index_set */
	return atomic_read(&node[pi_slot(a, PAGE_INDEX_LEVELS - 1)], MO_ACQUIRE);
}

static void pi_free(void **node, int depth)
{
	if (depth < PAGE_INDEX_LEVELS - 1) {
		for (unsigned i = 0; i < PI_SLOTS; i++)
			if (node[i])
				pi_free(node[i], depth + 1);
	}
	env_page_free(node);
}

void page_index_destroy(struct page_index *pi)
{
	if (pi->root)
		pi_free(pi->root, 0);
	pi->root = NULL;
	pi->nodes = 0;
}
