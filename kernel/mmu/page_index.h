/*
 * page_index.h - a map from a 4 KiB page's address to a pointer, readable without locks: how
 * the core finds a table page's shadow-page metadata from an SPTE pointer (KVM's
 * sptep_to_sp, which uses struct page's private field) and tells its own desc pages from any
 * other memory. A 4-level radix tree over address bits 12-47, nodes are env pages.
 *
 * Entries are set once, when a pool first takes a page from the environment (outside
 * mmu_lock, under the pool's lock), and only cleared by page_index_destroy; nodes are never
 * freed before then. Lookups are lock-free from any CPU.
 */
#ifndef MMU_PAGE_INDEX_H
#define MMU_PAGE_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_INDEX_LEVELS	4
#define PAGE_INDEX_VA_BITS	48

struct page_index {
	void **root;		/* a node: 512 pointers to nodes, at the last level to values */
	uint64_t nodes;		/* env pages in use, for statistics */
};

bool page_index_init(struct page_index *pi);
/* Sets the value for the page holding addr; allocates nodes; false when out of pages. */
bool page_index_set(struct page_index *pi, const void *addr, void *value);
/* The value for the page holding addr, or NULL. Any CPU, any time. */
void *page_index_get(const struct page_index *pi, const void *addr);
void page_index_destroy(struct page_index *pi);

#endif /* MMU_PAGE_INDEX_H */
