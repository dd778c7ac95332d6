/*
 * kernel/mmu/dirty.c - dirty logging's clear, under mmu_lock held for write: get the 4K SPTEs
 * of a gfn range ready for another round of dirty logging (KVM's kvm_mmu_clear_dirty_pt_masked
 * -> __rmap_clear_dirty, the PML case), clearing D in A/D-enabled SPTEs and W in A/D-disabled
 * ones. Its point here: a writable SPTE with D clear is the one SPTE whose D the CPU may still
 * set under the writer, and so the one KVM must never lose D in (spte_needs_atomic_update).
 * Without it, under kvm every writable SPTE is born dirty and D could never be lost.
 *
 * The chain is read without the rmap lock, as upstream's for_each_rmap_spte does: only
 * holders of mmu_lock for write change chains, and we are one. With checks each chain is
 * validated first, as the zap's entries are.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/mmu.h"
#include "rmap/check.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

/* One SPTE; true if it lost D here (counted as a clear by the conservation). */
static bool spte_clear_dirty(const struct memslot *slot, uint64_t *sptep)
{
	/* relaxed: the writer's own bits; A/D may move under it (see below) */
	uint64_t old = atomic_read(sptep, MO_RELAXED);

	if (!is_shadow_present_pte(old))
		return false;
	if (slot->profile == MMU_PROFILE_STRICT)
		/* strict: one atomic AND, like the ager's A clear: no A/D set or cleared is lost */
		return is_dirty_spte(atomic_fetch_and(sptep, ~spte_fmt.dirty_mask, MO_RELAXED));
	if (!spte_ad_enabled(old)) {
		/* kvm, A/D disabled: test_and_clear_bit(PT_WRITABLE_SHIFT); D is not theirs */
		(void)atomic_fetch_and(sptep, ~SPTE_WRITABLE, MO_RELAXED);
		return false;
	}
	if (!is_dirty_spte(old))
		return false;
	/*
	 * kvm: spte_clear_dirty -> mmu_spte_update(sptep, old & ~D). A writable SPTE with D set
	 * needs no atomic update (spte_needs_atomic_update), so this is a plain store: an A the
	 * CPU sets meanwhile is lost, an ager's A clear undone. Upstream's contract allows both;
	 * strict's ad-conservation would not, which is why only kvm stores plainly.
	 */
	if (spte_needs_atomic_update(old))
		return is_dirty_spte(atomic_xchg(sptep, old & ~spte_fmt.dirty_mask, MO_RELAXED));
	atomic_set(sptep, old & ~spte_fmt.dirty_mask, MO_RELAXED);
	return true;
}

void mmu_clear_dirty_gfn_range(struct mmu *mmu, gfn_t start, gfn_t end)
{
	struct memslot *slot = &mmu->slot;
	const struct rmap_ops *ops = rmap_slot_ops(slot);
	gfn_t slot_end = slot->base_gfn + slot->npages;

	ENV_ASSERT(mmu_lock_held_write(&mmu->lock));
	if (start < slot->base_gfn)
		start = slot->base_gfn;
	for (gfn_t gfn = start; gfn < end && gfn < slot_end; gfn++) {
		struct rmap_iterator iter;
		unsigned long val = rmap_op_get(ops, gfn_to_rmap(slot, gfn, PG_LEVEL_4K));
		uint64_t fp, ndesc;

		/* with checks, never write through a chain that names what it should not */
		if (slot->checks && !rmap_check_chain(slot, gfn, PG_LEVEL_4K, val, &fp, &ndesc))
			continue;
		for (uint64_t *sptep = rmap_get_first(val, &iter); sptep; sptep = rmap_get_next(&iter)) {
			if (!spte_clear_dirty(slot, sptep))
				continue;
			mmu->stats.cleared_d++;
			*mmu_frame(mmu, gfn) |= FRAME_D_SEEN;	/* the write is logged: mmu.h */
			/* a real walker's TLB may hold the SPTE with D: it would write on without
			 * setting D again until flushed (kvm_clear_dirty_log_protect calls
			 * kvm_arch_flush_remote_tlbs_memslot after the clear, outside mmu_lock;
			 * here the commit flushes before mmu_lock is dropped, the stricter order) */
			if (mmu->backing_pfn)
				mmu->flush_pending = true;
		}
	}
	mmu_commit_zap(mmu);	/* the flush, if D went from a backed MMU's leaves */
}
