/*
 * kernel/mmu/walk.c - the structural walker: every table page of every root, pre-order, with
 * a callback per page and per entry other than the profile's non-present value. It follows a non-leaf entry only to a page the
 * index knows (an unknown one is the audit's to report). The caller keeps the tables still.
 */
#include "atomic.h"
#include "mmu/mmu.h"

static void walk_page(struct mmu *mmu, struct mmu_page *sp, const struct mmu_walk_ops *ops,
		      void *ctx)
{
	uint64_t nonpresent = spte_nonpresent_value(mmu->slot.profile);

	if (ops->page)
		ops->page(ctx, sp);
	for (unsigned i = 0; i < SPTE_ENTRIES; i++) {
		/* relaxed: the world is stopped or we hold mmu_lock; A/D may still move under it */
		uint64_t spte = atomic_read(&sp->spt[i], MO_RELAXED);
		struct mmu_page *child;

		if (spte == nonpresent)
			continue;
		if (ops->entry)
			ops->entry(ctx, sp, i, spte);
		if (!is_shadow_present_pte(spte) || is_last_spte(spte, sp->level))
			continue;
		child = sptep_to_sp(mmu, spte_to_child_spt(spte));
		if (child && child->level == sp->level - 1)
			walk_page(mmu, child, ops, ctx);
	}
}

void mmu_walk(struct mmu *mmu, const struct mmu_walk_ops *ops, void *ctx)
{
	for (unsigned r = 0; r < mmu->nr_roots; r++)
		walk_page(mmu, mmu->roots[r], ops, ctx);
}
