/*
 * kernel/mmu/parray.c - allocation and teardown of the paged arrays of parray.h. Single-owner
 * at init/destroy; no locking.
 */
#include "env.h"
#include "mmu/parray.h"

#define PAGE_SHIFT	12

bool parray_init(struct parray *a, uint64_t n, unsigned elem_shift)
{
	uint64_t per_page;

	__builtin_memset(a, 0, sizeof(*a));
	if (elem_shift > PAGE_SHIFT || n == 0)
		return false;
	a->n = n;
	a->elem_shift = elem_shift;
	a->per_page_shift = PAGE_SHIFT - elem_shift;
	per_page = 1ull << a->per_page_shift;
	if ((n + per_page - 1) / per_page > PARRAY_MAX_PAGES)
		return false;
	a->dir = env_page_alloc();
	if (!a->dir)
		return false;
	while ((uint64_t)a->pages * per_page < n) {
		a->dir[a->pages] = env_page_alloc();
		if (!a->dir[a->pages]) {
			parray_destroy(a);
			return false;
		}
		a->pages++;
	}
	return true;
}

void parray_destroy(struct parray *a)
{
	if (!a->dir)
		return;
	for (unsigned i = 0; i < a->pages; i++)
		env_page_free(a->dir[i]);
	env_page_free(a->dir);
	a->dir = NULL;
	a->pages = 0;
}

int64_t parray_index_of(const struct parray *a, const void *elem)
{
	const char *e = elem;

	for (unsigned i = 0; i < a->pages; i++) {
		if (e >= a->dir[i] && e < a->dir[i] + (1u << PAGE_SHIFT)) {
			uint64_t idx = ((uint64_t)i << a->per_page_shift) +
				       (uint64_t)((e - a->dir[i]) >> a->elem_shift);

			return idx < a->n ? (int64_t)idx : -1;
		}
	}
	return -1;
}
