/*
 * kernel/rmap/memslot.c - allocation of a memslot's rmap heads (memslot.h) and the reverse
 * lookup head -> (gfn, level) for violation reports. Single-owner at init/destroy.
 */
#include "env.h"
#include "rmap/memslot.h"

#define RMAP_CELL_SHIFT	4	/* log2(sizeof(struct rmap_cell)) */

bool memslot_init(struct memslot *slot, gfn_t base_gfn, uint64_t npages)
{
	__builtin_memset(slot, 0, sizeof(*slot));
	if (npages == 0)
		return false;
	slot->base_gfn = base_gfn;
	slot->npages = npages;
	for (int level = PG_LEVEL_4K; level <= MMU_MAX_LEAF_LEVEL; level++) {
		uint64_t n = gfn_to_index(base_gfn + npages - 1, base_gfn, level) + 1;

		if (!parray_init(&slot->rmap[level - 1], n, RMAP_CELL_SHIFT)) {
			memslot_destroy(slot);
			return false;
		}
	}
	return true;
}

void memslot_destroy(struct memslot *slot)
{
	for (int level = PG_LEVEL_4K; level <= MMU_MAX_LEAF_LEVEL; level++)
		parray_destroy(&slot->rmap[level - 1]);
}

bool memslot_head_to_gfn(const struct memslot *slot, const struct rmap_head *head,
			 gfn_t *gfn, int *level)
{
	for (int l = PG_LEVEL_4K; l <= MMU_MAX_LEAF_LEVEL; l++) {
		int64_t idx = parray_index_of(&slot->rmap[l - 1], rmap_cell_of((struct rmap_head *)head));

		if (idx >= 0) {
			*gfn = memslot_index_to_gfn(slot, l, (uint64_t)idx);
			*level = l;
			return true;
		}
	}
	return false;
}
