/*
 * kernel/rmap/age_locked.c - aging under mmu_lock held for write: the baseline the lockless
 * protocol replaced (kvm_age_gfn before v6.15, which ran under mmu_lock). The caller holds
 * mmu_lock for write; each non-empty rmap of the range, at every level, is taken with the
 * writer's rmap lock (as this series' writers take it: only read-only holders can race with
 * it here), its SPTEs are made old with the same step as the lockless walk, and the chain is
 * stored back unchanged. Every entry is a present leaf here: zaps clear and unlink an SPTE
 * in one mmu_lock hold, so a non-present one is an `audit` violation (with checks).
 *
 * Differs from upstream on purpose: pre-v6.15 KVM had no rmap lock and walked the chain bare
 * under mmu_lock; taking the lock here costs one uncontended cmpxchg per rmap and lets the
 * harness count a locked ager's overlap with read-only holders (the `held` callback).
 */
#include "atomic.h"
#include "env.h"
#include "rmap/check.h"
#include "rmap/memslot.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

/* One rmap, held with the writer's lock; with checks its chain validated first. */
static void age_rmap_locked(struct memslot *slot, const struct rmap_ops *ops, gfn_t gfn,
			    int level, struct age_stats *st, rmap_held_fn held, void *arg)
{
	struct rmap_head *head = gfn_to_rmap(slot, gfn, level);
	unsigned long val = rmap_lock(slot, head), chain;
	struct rmap_iterator iter;
	uint64_t *sptep, spte, fp = 0, ndesc;

	if (!val) {
		st->rmaps_elided++;	/* empty: nothing to walk, nothing to store back */
		return;
	}
	st->rmaps_locked++;
	if (held)
		held(arg, gfn, level);
	chain = rmap_op_get(ops, head);
	if (!slot->checks || rmap_check_chain(slot, gfn, level, chain, &fp, &ndesc)) {
		for (sptep = slot->checks ? rmap_check_get_first(slot, chain, &iter, gfn, level) :
					    rmap_get_first(chain, &iter);
		     sptep;
		     sptep = slot->checks ? rmap_check_get_next(slot, &iter, gfn, level) :
					    rmap_get_next(&iter)) {
			/* relaxed: A/D may move under us (accessors, lockless agers) */
			spte = atomic_read(sptep, MO_RELAXED);
			st->sptes_seen++;
			if (!is_shadow_present_pte(spte)) {
				if (slot->checks)
					env_violation("audit", gfn, level,
						      "rmap val=%#lx names sptep %p, non-present (%#llx) under mmu_lock",
						      chain, (void *)sptep, (unsigned long long)spte);
				continue;
			}
			if (!is_accessed_spte(spte))
				continue;
			st->accessed_cleared += age_spte_make_old(ops, sptep, spte);
			if (slot->young)
				slot->young(slot->young_arg, sptep, gfn, level);
		}
		if (slot->checks)
			rmap_check_stable(slot, head, gfn, level, val, fp);
	}
	rmap_unlock(slot, head, val, val);
}

void age_gfn_range_locked(struct memslot *slot, gfn_t start, gfn_t end, struct age_stats *st,
			  rmap_held_fn held, void *arg)
{
	const struct rmap_ops *ops = rmap_slot_ops(slot);
	gfn_t slot_end = slot->base_gfn + slot->npages;

	if (start < slot->base_gfn)
		start = slot->base_gfn;
	if (end > slot_end)
		end = slot_end;
	if (start >= end)
		return;
	/* every head that covers part of the range, once (strict's stepping in age.c) */
	for (int level = PG_LEVEL_4K; level <= MMU_MAX_LEAF_LEVEL; level++) {
		uint64_t last = gfn_to_index(end - 1, slot->base_gfn, level);

		for (uint64_t idx = gfn_to_index(start, slot->base_gfn, level); idx <= last; idx++)
			age_rmap_locked(slot, ops, memslot_index_to_gfn(slot, level, idx), level, st,
					held, arg);
	}
}
