/*
 * kernel/mmu/zap.c - taking mappings away, under mmu_lock held for write: clear a leaf
 * (exchange when bits may change under us: every leaf under strict, those
 * spte_needs_atomic_update names under kvm), harvest its A/D into the frame (strict), remove
 * it from its rmap;
 * zap a gfn range through its rmaps, or a whole subtree or every root through the tables; then
 * free the table pages that emptied, only once nothing references them: unlinked from their
 * parent, no leaf left in any rmap, and every accessor past a remote TLB flush (with checks,
 * each one proven empty first). The free and
 * prune lists (mmu->free_list, mmu->prune_list) belong to the writer.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/mmu.h"
#include "rmap/check.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

uint64_t mmu_spte_clear(const struct memslot *slot, uint64_t *sptep, int level)
{
	uint64_t nonpresent = spte_nonpresent_value(slot->profile);
	/* relaxed: only the writer changes a SPTE's non-volatile bits, and it holds mmu_lock */
	uint64_t old = atomic_read(sptep, MO_RELAXED);
	/*
	 * strict: every present leaf is volatile (A/D set by accessors, A cleared by agers).
	 * kvm: only what spte_needs_atomic_update says KVM must not lose: a lost A is upstream's
	 * contract (mmu_spte_clear_track_bits since v6.15 tests exactly this).
	 */
	bool atomic = slot->profile == MMU_PROFILE_KVM ?
		      is_shadow_present_pte(old) && is_last_spte(old, level) &&
		      spte_needs_atomic_update(old) :
		      spte_has_volatile_bits(old, level);

	if (!atomic) {
		/* KVM's __update_clear_spte_fast: nobody else writes a bit we must keep */
		atomic_set(sptep, nonpresent, MO_RELAXED);
		return old;
	}
	/*
	 * KVM's __update_clear_spte_slow. relaxed: atomicity is what counts: an accessor's A/D
	 * set or an ager's A clear lands either before (we harvest it) or after (it fails, or
	 * changes a non-present SPTE). The rmap unlock and the flush order the rest.
	 */
	return atomic_xchg(sptep, nonpresent, MO_RELAXED);
}

/*
 * KVM's mmu_spte_clear_track_bits: clear, and (strict) record A/D in the frame's state, as
 * kvm_set_pfn_accessed/dirty did. kvm harvests nothing (v6.13 dropped both: pages are marked
 * dirty when a writable SPTE is made, and accessed by aging); the A/D the old value had are
 * counted either way, as what the zap saw (the ad-conservation terms).
 */
static uint64_t mmu_spte_clear_track_bits(struct mmu *mmu, uint64_t *sptep, int level)
{
	uint64_t old = rmap_op_clear_spte(rmap_slot_ops(&mmu->slot), &mmu->slot, sptep, level);
	gfn_t gfn = mmu_pfn_to_gfn(mmu, spte_to_pfn(old));

	if (!is_shadow_present_pte(old))
		return old;
	mmu->stats.leaves_zapped++;
	if (mmu->backing_pfn)
		mmu->flush_pending = true;	/* a real walker may cache it: see struct mmu */
	if (gfn < mmu->slot.base_gfn || gfn - mmu->slot.base_gfn >= mmu->slot.npages) {
		env_violation("audit", gfn, level, "zap of %p found %#llx, no frame of this slot",
			      (void *)sptep, (unsigned long long)old);
		return old;
	}
	mmu->stats.harvest_a += is_accessed_spte(old);
	mmu->stats.harvest_d += is_dirty_spte(old);
	if (mmu->slot.profile == MMU_PROFILE_STRICT)
		*mmu_frame(mmu, gfn) |= (is_accessed_spte(old) ? FRAME_ACCESSED : 0) |
					(is_dirty_spte(old) ? FRAME_DIRTY : 0);
	/* strict hands the A it harvests to the mm, as the agers do theirs (memslot.young) */
	if (mmu->slot.profile == MMU_PROFILE_STRICT && is_accessed_spte(old) && mmu->slot.young)
		mmu->slot.young(mmu->slot.young_arg, sptep, gfn, level);
	*mmu_frame(mmu, gfn) |= is_dirty_spte(old) ? FRAME_D_SEEN : 0;	/* both profiles: mmu.h */
	return old;
}

static void prune_add(struct mmu *mmu, struct mmu_page *sp)
{
	if (sp->on_prune)
		return;
	sp->on_prune = true;
	sp->next_prune = mmu->prune_list;
	mmu->prune_list = sp;
}

/* Unlink sp from its parent (an accessor may still be inside: the flush waits for it). */
static void unlink_sp(struct mmu *mmu, struct mmu_page *sp)
{
	struct mmu_page *parent = sp->parent;

	/* seq_cst: the flush's handshake with the accessors (access.c) orders it before the free */
	atomic_set(&parent->spt[sp->parent_index], spte_nonpresent_value(mmu->slot.profile),
		   MO_SEQ_CST);
	parent->present_count--;
	atomic_set(&sp->state, (unsigned)SP_ZAPPED, MO_RELAXED);
	sp->parent = NULL;
	sp->next_free = mmu->free_list;
	mmu->free_list = sp;
}

void mmu_drop_leaf(struct mmu *mmu, struct mmu_page *sp, unsigned i)
{
	uint64_t *sptep = &sp->spt[i];
	uint64_t old = mmu_spte_clear_track_bits(mmu, sptep, sp->level);

	if (!is_shadow_present_pte(old))
		return;
	ENV_ASSERT(is_last_spte(old, sp->level));
	pte_list_remove(&mmu->slot, sptep, gfn_to_rmap(&mmu->slot, sp_gfn_at(sp, i), sp->level));
	sp->present_count--;
}

/* Zap every entry of an unlinked page: leaves leave their rmaps, tables go recursively. */
static void zap_page_entries(struct mmu *mmu, struct mmu_page *sp)
{
	bool drop_rmaps = rmap_slot_ops(&mmu->slot)->zap_drops_rmaps;

	for (unsigned i = 0; i < SPTE_ENTRIES; i++) {
		/* relaxed: see mmu_spte_clear */
		uint64_t spte = atomic_read(&sp->spt[i], MO_RELAXED);

		if (!is_shadow_present_pte(spte))
			continue;
		if (!is_last_spte(spte, sp->level))
			mmu_zap_subtree(mmu, sp, i);
		else if (drop_rmaps)
			mmu_drop_leaf(mmu, sp, i);
		else if (is_shadow_present_pte(mmu_spte_clear_track_bits(mmu, &sp->spt[i], sp->level)))
			sp->present_count--;	/* the pt-free-referenced bug: left in its rmap */
	}
}

void mmu_zap_subtree(struct mmu *mmu, struct mmu_page *parent, unsigned i)
{
	/* relaxed: non-leaf entries are the writer's alone */
	uint64_t spte = atomic_read(&parent->spt[i], MO_RELAXED);
	struct mmu_page *child = sptep_to_sp(mmu, spte_to_child_spt(spte));

	ENV_ASSERT(child && child->parent == parent && child->parent_index == i);
	unlink_sp(mmu, child);
	zap_page_entries(mmu, child);
}

/* Unlink pages that emptied, and their parents if they empty in turn (never a root). */
static void prune_empty(struct mmu *mmu)
{
	while (mmu->prune_list) {
		struct mmu_page *sp = mmu->prune_list;

		mmu->prune_list = sp->next_prune;
		sp->on_prune = false;
		/* relaxed: the writer reads its own stores */
		while (sp->parent && !sp->present_count &&
		       atomic_read(&sp->state, MO_RELAXED) == SP_LIVE) {
			struct mmu_page *parent = sp->parent;

			unlink_sp(mmu, sp);
			sp = parent;
		}
	}
}

/*
 * KVM's is_empty_shadow_page (MMU_WARN_ON in kvm_mmu_free_shadow_page): a table is freed only
 * once every entry was cleared. One still present here was written after its zap cleared it
 * (an ager's or a fault handler's store from a stale read), and the free would hide it.
 */
static void check_empty_table(const struct mmu_page *sp)
{
	for (unsigned i = 0; i < SPTE_ENTRIES; i++) {
		/* relaxed: every walker that could still store here is past the flush */
		uint64_t spte = atomic_read(&sp->spt[i], MO_RELAXED);

		if (is_shadow_present_pte(spte))
			env_violation("audit", sp_gfn_at(sp, i), sp->level,
				      "table %p freed with entry %u present (%#llx): stored after its zap cleared it",
				      (void *)sp->spt, i, (unsigned long long)spte);
	}
}

void mmu_commit_zap(struct mmu *mmu)
{
	prune_empty(mmu);
	if (!mmu->free_list && !mmu->flush_pending)
		return;
	/*
	 * kvm_mmu_commit_zap_page: no accessor may still walk an unlinked table when we free it,
	 * and (a backed MMU, flush_pending) no vCPU may still use a zapped leaf's translation
	 * when its frame is reused. The zap-no-flush mutation skips the flush for both: with the
	 * software accessors the walk check (access.c: stale-tlb on a freed table) catches it;
	 * with a real guest (svm-zap) the zapped leaves' frames are poisoned after the commit
	 * and the guest's writes through its stale nested-TLB entry break the poison.
	 */
	mmu->flush_pending = false;
	if (rmap_slot_ops(&mmu->slot)->zap_flushes)
		mmu_flush_remote_tlbs(mmu);
	while (mmu->free_list) {
		struct mmu_page *sp = mmu->free_list;

		mmu->free_list = sp->next_free;
		if (mmu->slot.checks)
			check_empty_table(sp);
		/* relaxed: checkers read state only after finding sp through a chain or table */
		atomic_set(&sp->state, (unsigned)SP_FREE, MO_RELAXED);
		pool_free(&mmu->pt_pool, sp->spt, "mmu_commit_zap");
		mmu->stats.pages_freed++;
	}
}

bool mmu_zap_leaf(struct mmu *mmu, unsigned root, gfn_t gfn, int level)
{
	struct mmu_page *sp = mmu->roots[root];
	uint64_t spte;
	unsigned i;

	ENV_ASSERT(mmu_lock_held_write(&mmu->lock));
	ENV_ASSERT(root < mmu->nr_roots && level >= PG_LEVEL_4K && level <= MMU_MAX_LEAF_LEVEL);
	while (sp->level > level) {
		/* relaxed: non-leaf entries are the writer's alone */
		spte = atomic_read(&sp->spt[spte_index_of(gfn, sp->level)], MO_RELAXED);
		if (!is_shadow_present_pte(spte) || is_last_spte(spte, sp->level))
			return false;
		sp = sptep_to_sp(mmu, spte_to_child_spt(spte));
	}
	i = spte_index_of(gfn, level);
	/* relaxed: see mmu_spte_clear; mmu_drop_leaf reads it again atomically */
	spte = atomic_read(&sp->spt[i], MO_RELAXED);
	if (!is_shadow_present_pte(spte) || !is_last_spte(spte, level))
		return false;
	mmu_drop_leaf(mmu, sp, i);
	if (!sp->present_count)
		prune_add(mmu, sp);
	mmu_commit_zap(mmu);
	return true;
}

struct zap_rmap_ctx {
	struct mmu *mmu;
	gfn_t gfn;
	int level;
};

/* rmap_zap_fn for zap_all_rmap_sptes: called with that rmap locked. */
static void zap_rmap_spte(void *arg, uint64_t *sptep)
{
	struct zap_rmap_ctx *ctx = arg;
	struct mmu *mmu = ctx->mmu;
	struct mmu_page *sp;

	/* with checks, never write through a pointer the chain should not hold */
	if (mmu->slot.checks && !rmap_check_sptep(&mmu->slot, sptep, ctx->gfn, ctx->level))
		return;
	sp = sptep_to_sp(mmu, sptep);
	ENV_ASSERT(sp);
	if (!is_shadow_present_pte(mmu_spte_clear_track_bits(mmu, sptep, sp->level)))
		return;
	if (--sp->present_count == 0)
		prune_add(mmu, sp);
}

void mmu_zap_gfn_range(struct mmu *mmu, gfn_t start, gfn_t end)
{
	struct memslot *slot = &mmu->slot;
	gfn_t slot_end = slot->base_gfn + slot->npages;

	ENV_ASSERT(mmu_lock_held_write(&mmu->lock));
	if (start < slot->base_gfn)
		start = slot->base_gfn;
	if (end > slot_end)
		end = slot_end;
	for (int level = PG_LEVEL_4K; level <= MMU_MAX_LEAF_LEVEL && start < end; level++) {
		uint64_t last = gfn_to_index(end - 1, slot->base_gfn, level);

		for (uint64_t idx = gfn_to_index(start, slot->base_gfn, level); idx <= last; idx++) {
			struct zap_rmap_ctx ctx = { mmu, memslot_index_to_gfn(slot, level, idx), level };

			mmu->stats.rmaps_zapped += zap_all_rmap_sptes(slot,
								      gfn_to_rmap(slot, ctx.gfn, level),
								      zap_rmap_spte, &ctx);
		}
	}
	mmu_commit_zap(mmu);
}

void mmu_zap_all(struct mmu *mmu)
{
	ENV_ASSERT(mmu_lock_held_write(&mmu->lock));
	for (unsigned r = 0; r < mmu->nr_roots; r++) {
		struct mmu_page *root = mmu->roots[r];

		for (unsigned i = 0; i < SPTE_ENTRIES && root->present_count; i++)
			/* relaxed: root entries are non-leaf, the writer's alone */
			if (is_shadow_present_pte(atomic_read(&root->spt[i], MO_RELAXED)))
				mmu_zap_subtree(mmu, root, i);
	}
	mmu_commit_zap(mmu);
}
