/*
 * kernel/rmap/age.c - lockless aging, Linux v6.14+ kvm_rmap_age_gfn_range_lockless: for each
 * level and each rmap of a gfn range, lock the rmap read-only (no mmu_lock), read each SPTE
 * once, skip non-present ones (a writer may zap them under our lock), and clear Accessed with
 * one atomic AND (never a read-modify-write of the whole SPTE: accessors set A/D and zaps
 * exchange the SPTE concurrently). test_age stops at the first accessed SPTE.
 * With slot->checks, each locked chain is validated before it is walked (uaf, spte-owner,
 * audit) and fingerprinted before the unlock (chain-stable).
 */
#include "atomic.h"
#include "env.h"
#include "rmap/check.h"
#include "rmap/memslot.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

uint64_t age_spte_clear_accessed(uint64_t *sptep)
{
	/*
	 * relaxed: one locked AND, KVM's clear_bit(). Accessed is a hint and orders nothing; what
	 * matters is atomicity, so that an accessor's A/D set or a zap's xchg on this SPTE is
	 * never overwritten. Returns the SPTE before the clear: A set there is a 1->0 we made.
	 */
	return atomic_fetch_and(sptep, ~SPTE_ACCESSED, MO_RELAXED);
}

/* Age one rmap; true if an accessed SPTE was found. */
static bool age_rmap(struct memslot *slot, const struct rmap_ops *ops, struct rmap_head *head,
		     gfn_t gfn, int level, bool test_only, struct age_stats *st)
{
	struct rmap_iterator iter;
	unsigned long rmap_val, chain;
	uint64_t *sptep, spte, fp = 0, ndesc;
	bool young = false;

	/* As KVM, the unlock below runs even when the lock was elided: it is the no-op then. */
	rmap_val = rmap_lock_readonly(slot, head);
	st->rmaps_locked += rmap_val != 0;
	/*
	 * Walk only what the lock covers: nothing when it was elided. (The posted KVM series
	 * re-reads the head in rmap_get_first, so after an elided lock it could walk an entry a
	 * writer added meanwhile, unlocked; we do not copy that.)
	 */
	chain = rmap_val ? rmap_op_get(ops, head) : 0;
	if (slot->checks && !rmap_check_chain(slot, gfn, level, chain, &fp, &ndesc))
		goto out;
	for (sptep = rmap_get_first(chain, &iter); sptep; sptep = rmap_get_next(&iter)) {
		st->sptes_seen++;
		/* mmu_spte_get_lockless. relaxed: we use the value, nothing it points to */
		spte = atomic_read(sptep, MO_RELAXED);
		if (!is_shadow_present_pte(spte)) {
			st->nonpresent_skipped++;
			continue;
		}
		if (!is_accessed_spte(spte))
			continue;
		young = true;
		if (test_only)
			break;
		if (is_accessed_spte(rmap_op_age_spte(ops, sptep)))
			st->accessed_cleared++;
	}
	/* torture: linger in the critical section now and then (writers wait, races widen) */
	if (rmap_val && slot->torture_hold_every &&
	    st->rmaps_locked % slot->torture_hold_every == 0)
		env_cpu_relax();
	if (slot->checks && rmap_val)
		rmap_check_stable(slot, head, gfn, level, rmap_val, fp);
out:
	rmap_unlock_readonly(slot, head, rmap_val);
	return young;
}

/*
 * KVM steps gfn from range->start by the level's page count, which can miss the last huge
 * head of an unaligned range (harmless for a hint); we walk head indexes, each once.
 */
static bool __age_gfn_range(struct memslot *slot, gfn_t start, gfn_t end, bool test_only,
			    struct age_stats *st)
{
	/* one load of the variant per call: the loop below pays only the indirect calls */
	const struct rmap_ops *ops = rmap_slot_ops(slot);
	gfn_t slot_end = slot->base_gfn + slot->npages;
	bool young = false;

	if (start < slot->base_gfn)
		start = slot->base_gfn;
	if (end > slot_end)
		end = slot_end;
	if (start >= end)
		return false;
	for (int level = PG_LEVEL_4K; level <= MMU_MAX_LEAF_LEVEL; level++) {
		uint64_t first = gfn_to_index(start, slot->base_gfn, level);
		uint64_t last = gfn_to_index(end - 1, slot->base_gfn, level);

		for (uint64_t idx = first; idx <= last; idx++) {
			gfn_t gfn = memslot_index_to_gfn(slot, level, idx);

			if (!age_rmap(slot, ops, gfn_to_rmap(slot, gfn, level), gfn, level,
				      test_only, st))
				continue;
			young = true;
			if (test_only)
				goto done;
		}
	}
done:
	st->young += young;
	return young;
}

bool age_gfn_range(struct memslot *slot, gfn_t start, gfn_t end, struct age_stats *st)
{
	return __age_gfn_range(slot, start, end, false, st);
}

bool test_age_gfn_range(struct memslot *slot, gfn_t start, gfn_t end, struct age_stats *st)
{
	return __age_gfn_range(slot, start, end, true, st);
}
