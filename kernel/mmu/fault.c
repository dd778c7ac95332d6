/*
 * kernel/mmu/fault.c - mapping a gfn, under mmu_lock held for write: walk one root from the
 * top, drop a huge leaf that is in the way (drop_large_spte), allocate missing intermediate
 * tables from the writer's memory cache, replace a table that is in the way of a huge leaf,
 * install the leaf (gfn -> deterministic pfn, Accessed set, Dirty on a write under strict,
 * always under kvm) and add it to its rmap. New tables hold the profile's non-present value.
 * Links are published with release stores, for the accessors' acquire loads.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/mmu.h"
#include "rmap/rmap.h"

/* A new table for entry i of parent, linked in. Its page comes zeroed from the pool. */
static struct mmu_page *link_new_sp(struct mmu *mmu, struct mmu_caches *mc,
				    struct mmu_page *parent, unsigned i)
{
	uint64_t *spt = mmu_memory_cache_alloc(&mc->pages);
	struct mmu_page *sp = sptep_to_sp(mmu, spt);

	sp->level = parent->level - 1;
	sp->root = parent->root;
	sp->gfn = sp_gfn_at(parent, i);
	sp->parent = parent;
	sp->parent_index = i;
	sp->present_count = 0;
	sp->on_prune = false;
	sp->ad_disabled = parent->ad_disabled;
	mmu_init_table(mmu, spt);
	__builtin_memset(sp->audit_mark, 0, sizeof(sp->audit_mark));
	/* relaxed: the metadata reaches other CPUs through the release store below or an rmap */
	atomic_set(&sp->state, (unsigned)SP_LIVE, MO_RELAXED);
	/*
	 * release: the zeroed table and its metadata are visible before the link; pairs with the
	 * acquire load of this entry in mmu_access (the page walker descending).
	 */
	atomic_set(&parent->spt[i], mmu->slot.profile == MMU_PROFILE_KVM ?
				    kvm_make_nonleaf_spte(spt, sp->ad_disabled) : make_nonleaf_spte(spt),
		   MO_RELEASE);
	parent->present_count++;
	mmu->stats.pages_allocated++;
	return sp;
}

enum mmu_fault_result mmu_fault(struct mmu *mmu, struct mmu_caches *mc, unsigned root,
				gfn_t gfn, int level, bool write)
{
	struct mmu_page *sp;
	uint64_t *sptep, spte;
	unsigned i;

	ENV_ASSERT(mmu_lock_held_write(&mmu->lock));
	ENV_ASSERT(root < mmu->nr_roots && level >= PG_LEVEL_4K && level <= MMU_MAX_LEAF_LEVEL);
	ENV_ASSERT(gfn >= mmu->slot.base_gfn && gfn - mmu->slot.base_gfn < mmu->slot.npages);
	ENV_ASSERT(!mmu->backing_pfn || level <= mmu->backing_max_level);	/* real frames */
	/* rmap_can_add and enough pages for a full path: else the caller drops the lock and tops up */
	if (mc->descs.nobjs < 1 || mc->pages.nobjs < MMU_ROOT_LEVEL - 1)
		return FAULT_RETRY;
	mmu->stats.faults++;
	gfn &= ~(pages_per_level(level) - 1);

	sp = mmu->roots[root];
	while (sp->level > level) {
		i = spte_index_of(gfn, sp->level);
		/* relaxed: the writer reads its own entries; only A/D of a leaf change under it */
		spte = atomic_read(&sp->spt[i], MO_RELAXED);
		if (is_shadow_present_pte(spte) && is_last_spte(spte, sp->level)) {
			mmu_drop_leaf(mmu, sp, i);	/* a huge page over our smaller one */
			spte = SPTE_NONPRESENT;
		}
		if (is_shadow_present_pte(spte))
			sp = sptep_to_sp(mmu, spte_to_child_spt(spte));
		else
			sp = link_new_sp(mmu, mc, sp, i);
	}

	i = spte_index_of(gfn, level);
	sptep = &sp->spt[i];
	spte = atomic_read(sptep, MO_RELAXED);
	if (is_shadow_present_pte(spte) && is_last_spte(spte, level)) {
		mmu->stats.faults_present++;
		mmu_commit_zap(mmu);
		return FAULT_PRESENT;
	}
	if (is_shadow_present_pte(spte))
		mmu_zap_subtree(mmu, sp, i);	/* smaller pages under our huge one */

	/*
	 * strict: A set, D on a write fault. kvm: make_spte's value, A and D both set (every SPTE
	 * we map is writable, and upstream creates writable SPTEs dirty since 6.13). A real
	 * guest's MMU (strict, mmu_set_backing) may ask for neither, so every A/D in the leaf is
	 * the CPU walker's (KVM prefaults them on purpose, to spare the walker the locked update),
	 * or for both, a fault path the guest test must catch.
	 * relaxed: a leaf publishes no memory; agers find it through pte_list_add's release.
	 */
	spte = mmu->slot.profile == MMU_PROFILE_KVM ?
	       kvm_make_leaf_spte(mmu_gfn_to_pfn(mmu, gfn, level), level, sp->ad_disabled) :
	       make_leaf_spte(mmu_gfn_to_pfn(mmu, gfn, level), level,
			      mmu->leaf_ad != MMU_LEAF_AD_CLEAR,
			      mmu->leaf_ad == MMU_LEAF_AD_SET || (mmu->leaf_ad == MMU_LEAF_AD_PROFILE && write));
	atomic_set(sptep, spte, MO_RELAXED);
	sp->present_count++;
	mmu->stats.leaves_installed++;
	mmu->stats.set_a += is_accessed_spte(spte);
	mmu->stats.set_d += is_dirty_spte(spte);
	pte_list_add(&mmu->slot, &mc->descs, sptep, gfn_to_rmap(&mmu->slot, gfn, level));
	mmu_commit_zap(mmu);
	return FAULT_INSTALLED;
}
