/*
 * kernel/rmap/age.c - lockless aging, Linux v6.15+ kvm_rmap_age_gfn_range: for each level and
 * each rmap of a gfn range, lock the rmap read-only (no mmu_lock), read each SPTE once, skip
 * non-present ones (a writer may zap them under our lock), and clear Accessed with one atomic
 * AND (never a read-modify-write of the whole SPTE: accessors set A/D and zaps exchange the
 * SPTE concurrently), or, for kvm's A/D-disabled SPTEs, mark it for access tracking with one
 * cmpxchg from the value read. test_age stops at the first accessed SPTE.
 * With slot->checks, each locked chain is validated before it is walked (uaf, spte-owner,
 * audit) and fingerprinted before the unlock (chain-stable).
 *
 * The two profiles (mmu/profile.h) differ here in two steps, each written beside the other:
 * - after an elided lock (the rmap was empty), strict walks nothing, as the seed thread's rule
 *   has it ("the caller is guaranteed to do nothing"); kvm walks whatever it then re-reads
 *   from the head, as upstream's for_each_rmap_spte_lockless does (its rmap_get_first reads
 *   rmap_head->val whatever kvm_rmap_lock_readonly returned): age_rmap_reread, age_reread.c;
 * - strict walks each head of the range once, by index; kvm steps gfn from the range's start
 *   by the level's page count, as upstream does, which skips the last huge head of a range
 *   that starts unaligned (counted: age_stats.huge_skipped).
 */
#include "atomic.h"
#include "env.h"
#include "rmap/age.h"
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
	return atomic_fetch_and(sptep, ~spte_fmt.accessed_mask, MO_RELAXED);
}

uint64_t age_spte_mark_access_track(uint64_t *sptep, uint64_t spte)
{
	uint64_t old = spte;

	/*
	 * kvm, A/D disabled: upstream's cmpxchg64(sptep, spte, mark_spte_for_access_track(spte)).
	 * If it fails, a zap, the fast page fault or the writer changed the SPTE since we read
	 * it ("should most likely stay young"): nothing is retried. relaxed: as the A clear above.
	 */
	atomic_try_cmpxchg(sptep, &old, mark_spte_for_access_track(spte), MO_RELAXED);
	return old;
}

bool age_spte_make_old(const struct rmap_ops *ops, uint64_t *sptep, uint64_t spte)
{
	/* kvm_rmap_age_gfn_range: clear_bit for A/D-enabled SPTEs (every SPTE under strict), the
	 * access-tracking cmpxchg for A/D-disabled ones */
	if (spte_ad_enabled(spte))
		return is_accessed_spte(rmap_op_age_spte(ops, sptep));
	return rmap_op_age_spte_track(ops, sptep, spte) == spte;
}

bool age_one_spte(const struct rmap_ops *ops, uint64_t *sptep, bool test_only,
		  struct age_stats *st)
{
	/* mmu_spte_get_lockless. relaxed: we use the value, nothing it points to */
	uint64_t spte = atomic_read(sptep, MO_RELAXED);

	st->sptes_seen++;
	if (!is_shadow_present_pte(spte)) {
		st->nonpresent_skipped++;
		return false;
	}
	if (!is_accessed_spte(spte) || test_only)
		return is_accessed_spte(spte);
	st->accessed_cleared += age_spte_make_old(ops, sptep, spte);
	return true;
}

/* Age the chain rmap_val that the read-only lock holds; true if an accessed SPTE was found. */
static bool age_locked_chain(struct memslot *slot, const struct rmap_ops *ops,
			     struct rmap_head *head, gfn_t gfn, int level, unsigned long rmap_val,
			     bool test_only, struct age_stats *st)
{
	struct rmap_iterator iter;
	unsigned long chain = rmap_op_get(ops, head);
	uint64_t *sptep, fp = 0, ndesc;
	bool young = false;

	if (slot->checks && !rmap_check_chain(slot, gfn, level, chain, &fp, &ndesc))
		return false;
	/* with checks, the checked iterator: a broken hold becomes a report, not a wild read */
	for (sptep = slot->checks ? rmap_check_get_first(slot, chain, &iter, gfn, level) :
				    rmap_get_first(chain, &iter);
	     sptep;
	     sptep = slot->checks ? rmap_check_get_next(slot, &iter, gfn, level) :
				    rmap_get_next(&iter)) {
		age_window(slot);
		if (!age_one_spte(ops, sptep, test_only, st))
			continue;
		young = true;
		if (!test_only && slot->young)
			slot->young(slot->young_arg, sptep, gfn, level);
		if (test_only)
			break;
	}
	/* torture: linger in the critical section now and then (writers wait, races widen) */
	if (slot->torture_hold_every && st->rmaps_locked % slot->torture_hold_every == 0)
		env_cpu_relax();
	if (slot->checks)
		rmap_check_stable(slot, head, gfn, level, rmap_val, fp);
	return young;
}

/* Age one rmap; true if an accessed SPTE was found. */
static bool age_rmap(struct memslot *slot, const struct rmap_ops *ops, struct rmap_head *head,
		     gfn_t gfn, int level, bool test_only, struct age_stats *st)
{
	unsigned long rmap_val = rmap_lock_readonly(slot, head);
	bool young = false;

	if (rmap_val) {
		st->rmaps_locked++;
		young = age_locked_chain(slot, ops, head, gfn, level, rmap_val, test_only, st);
	} else {
		/* elided: the rmap was empty and nothing is held. The time is only for a report
		 * of the kvm walk below, which needs checks: no clock read otherwise. */
		uint64_t t_elided = slot->profile == MMU_PROFILE_KVM && slot->checks ?
				    env_now_ns() : 0;

		st->rmaps_elided++;
		age_window(slot);
		/* strict: nothing to walk. kvm: upstream re-reads the head and walks what it finds
		 * (reread=off, kvm's other shapes without this one: nothing, as strict) */
		if (slot->profile == MMU_PROFILE_KVM && !slot->no_reread)
			young = age_rmap_reread(slot, ops, head, gfn, level, test_only, t_elided, st);
	}
	/* As KVM, the unlock runs even when the lock was elided: it is the no-op then. */
	rmap_unlock_readonly(slot, head, rmap_val);
	return young;
}

/* Age the heads of one level that cover [start, end); stops at the first young one if test_only. */
static bool age_level(struct memslot *slot, const struct rmap_ops *ops, gfn_t start, gfn_t end,
		      int level, bool test_only, struct age_stats *st)
{
	uint64_t first = gfn_to_index(start, slot->base_gfn, level);
	uint64_t last = gfn_to_index(end - 1, slot->base_gfn, level);
	bool young = false;

	if (slot->profile == MMU_PROFILE_KVM) {
		/* kvm_rmap_age_gfn_range: gfn += KVM_PAGES_PER_HPAGE(level) from range->start */
		uint64_t walked = 0;

		for (gfn_t gfn = start; gfn < end && !(young && test_only);
		     gfn += pages_per_level(level), walked++)
			young |= age_rmap(slot, ops, gfn_to_rmap(slot, gfn, level), gfn, level,
					  test_only, st);
		if (!(young && test_only))
			st->huge_skipped += last - first + 1 - walked;
		return young;
	}
	/* strict: every head that covers part of the range, once */
	for (uint64_t idx = first; idx <= last && !(young && test_only); idx++) {
		gfn_t gfn = memslot_index_to_gfn(slot, level, idx);

		young |= age_rmap(slot, ops, gfn_to_rmap(slot, gfn, level), gfn, level, test_only,
				  st);
	}
	return young;
}

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
	for (int level = PG_LEVEL_4K; level <= MMU_MAX_LEAF_LEVEL && !(young && test_only); level++)
		young |= age_level(slot, ops, start, end, level, test_only, st);
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
