/*
 * parray.h - a large array made of separately allocated env pages (page_alloc hands out single
 * pages, never contiguous runs): a directory page of up to 512 page pointers. Used for the
 * rmap heads of a memslot and the per-frame A/D state. Element size is a power of two that
 * divides 4096. The array's owner says who may touch which element; parray itself is only
 * layout, fixed between init and destroy.
 */
#ifndef MMU_PARRAY_H
#define MMU_PARRAY_H

#include <stdbool.h>
#include <stdint.h>

#define PARRAY_MAX_PAGES	512

struct parray {
	char **dir;		/* PARRAY_MAX_PAGES slots, the first `pages` used */
	uint64_t n;		/* elements */
	unsigned elem_shift;	/* log2 of the element size */
	unsigned per_page_shift;	/* log2 of elements per page */
	unsigned pages;
};

/* n zeroed elements of 1 << elem_shift bytes; false when too large or out of pages. */
bool parray_init(struct parray *a, uint64_t n, unsigned elem_shift);
void parray_destroy(struct parray *a);

static inline void *parray_at(const struct parray *a, uint64_t i)
{
	uint64_t mask = (1ull << a->per_page_shift) - 1;

	return a->dir[i >> a->per_page_shift] + ((i & mask) << a->elem_shift);
}

/* The index of elem if it lies in a, else -1 (diagnostics only: a linear search). */
int64_t parray_index_of(const struct parray *a, const void *elem);

#endif /* MMU_PARRAY_H */
