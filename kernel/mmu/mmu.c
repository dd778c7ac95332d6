/*
 * kernel/mmu/mmu.c - setting up and tearing down a struct mmu (mmu.h): the memslot's rmaps,
 * the three pools and their page indexes, the roots, the per-frame state; the memory-cache
 * top-up a writer does before taking mmu_lock; the small lookups (sptep -> shadow page,
 * gfn -> pfn, gfn -> frame) everything else uses. Init and destroy run with no other user.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/mmu.h"
#include "rmap/rmap_ops.h"

#define DESC_QUARANTINE	256
#define PT_QUARANTINE	64
#define META_SIZE	256
#define MMU_ALIGN_GFNS	(1ull << (2 * SPTE_LEVEL_BITS))	/* 1 GiB: huge frames stay in the slot */

_Static_assert(sizeof(struct mmu_page) <= META_SIZE, "struct mmu_page fits its pool object");

/* Pair a new table page with its metadata for life (pt_pool lock held). */
static bool pt_new_page(struct pool *p, void *page)
{
	struct mmu *mmu = p->ctx;
	struct mmu_page *sp = pool_alloc(&mmu->meta_pool);

	if (!sp)
		return false;
	sp->spt = page;
	sp->state = SP_FREE;
	return page_index_set(&mmu->sp_index, page, sp);
}

/* Register a desc page, so the checks can tell a desc pointer from any other (desc_pool lock). */
static bool desc_new_page(struct pool *p, void *page)
{
	struct mmu *mmu = p->ctx;

	return page_index_set(&mmu->desc_index, page, &mmu->desc_pool);
}

static struct mmu_page *mmu_alloc_root(struct mmu *mmu, unsigned root)
{
	uint64_t *spt = pool_alloc(&mmu->pt_pool);
	struct mmu_page *sp;

	if (!spt)
		return NULL;
	sp = sptep_to_sp(mmu, spt);
	sp->level = MMU_ROOT_LEVEL;
	sp->root = root;
	sp->gfn = 0;
	sp->parent = NULL;
	sp->present_count = 0;
	sp->ad_disabled = false;
	/* relaxed: nothing is published through state; the tree is not shared yet */
	atomic_set(&sp->state, (unsigned)SP_LIVE, MO_RELAXED);
	mmu->stats.pages_allocated++;
	return sp;
}

void mmu_init_table(const struct mmu *mmu, uint64_t *spt)
{
	uint64_t nonpresent = spte_nonpresent_value(mmu->slot.profile);

	/*
	 * Pages come zeroed from the pool: strict's value. kvm fills SHADOW_NONPRESENT_VALUE in,
	 * as upstream's shadow-page cache does when it is topped up (init_value); here the
	 * writer does it before the link's release store publishes the page.
	 */
	if (nonpresent)
		for (unsigned i = 0; i < SPTE_ENTRIES; i++)
			/* relaxed: published by the caller's release store, or not yet shared */
			atomic_set(&spt[i], nonpresent, MO_RELAXED);
}

int mmu_set_profile(struct mmu *mmu, enum mmu_profile profile, unsigned ad_disabled_roots)
{
	/* A/D-disabled roots: kvm's only, and only in a format that has them (not TDP NPT) */
	if (mmu->stats.pages_allocated != mmu->nr_roots || profile >= MMU_NR_PROFILES ||
	    ad_disabled_roots > mmu->nr_roots ||
	    (ad_disabled_roots && (profile != MMU_PROFILE_KVM || !spte_fmt.ad_disabled_ok)))
		return -1;
	mmu->slot.profile = profile;
	for (unsigned r = 0; r < mmu->nr_roots; r++) {
		mmu->roots[r]->ad_disabled = r < ad_disabled_roots;
		mmu_init_table(mmu, mmu->roots[r]->spt);
	}
	return 0;
}

int mmu_init(struct mmu *mmu, gfn_t base_gfn, uint64_t npages, unsigned nr_roots,
	     unsigned nr_vcpus, const struct rmap_ops *ops, bool checks)
{
	__builtin_memset(mmu, 0, sizeof(*mmu));
	if (base_gfn % MMU_ALIGN_GFNS || nr_roots == 0 || nr_roots > MMU_MAX_ROOTS ||
	    nr_vcpus > MMU_MAX_VCPUS || !ops)
		return -1;
	/* the format (spte_format.h) stays as it is until mmu_destroy */
	spte_format_hold();
	mmu->format_held = true;
	mmu_lock_init(&mmu->lock);
	pool_init(&mmu->meta_pool, "mmu_page", META_SIZE, 0, NULL, NULL);
	pool_init(&mmu->pt_pool, "table page", ENV_PAGE_SIZE, PT_QUARANTINE, pt_new_page, mmu);
	pool_init(&mmu->desc_pool, "pte_list_desc", sizeof(struct pte_list_desc),
		  DESC_QUARANTINE, desc_new_page, mmu);
	if (!page_index_init(&mmu->sp_index) || !page_index_init(&mmu->desc_index) ||
	    !memslot_init(&mmu->slot, base_gfn, npages) || !parray_init(&mmu->frames, npages, 0))
		goto fail;
	mmu->slot.ops = ops;
	mmu->slot.checks = checks;
	mmu->slot.mmu_lock = &mmu->lock;
	mmu->slot.desc_pool = &mmu->desc_pool;
	mmu->slot.pt_pool = &mmu->pt_pool;
	mmu->slot.desc_index = &mmu->desc_index;
	mmu->slot.sp_index = &mmu->sp_index;
	mmu->nr_vcpus = nr_vcpus;
	mmu->nr_roots = nr_roots;
	for (unsigned r = 0; r < nr_roots; r++) {
		mmu->roots[r] = mmu_alloc_root(mmu, r);
		if (!mmu->roots[r])
			goto fail;
	}
	return 0;
fail:
	mmu_destroy(mmu);
	return -1;
}

void mmu_destroy(struct mmu *mmu)
{
	pool_destroy(&mmu->desc_pool);
	pool_destroy(&mmu->pt_pool);
	pool_destroy(&mmu->meta_pool);
	page_index_destroy(&mmu->sp_index);
	page_index_destroy(&mmu->desc_index);
	memslot_destroy(&mmu->slot);
	parray_destroy(&mmu->frames);
	mmu->nr_roots = 0;
	if (mmu->format_held)
		spte_format_release();
	mmu->format_held = false;
}

int mmu_topup_memory_caches(struct mmu *mmu, struct mmu_caches *mc)
{
	/* enough for several faults: each takes at most one desc and MMU_ROOT_LEVEL - 1 pages */
	if (mmu_topup_memory_cache(&mmu->desc_pool, &mc->descs, 8))
		return -1;
	return mmu_topup_memory_cache(&mmu->pt_pool, &mc->pages, 8);
}

void mmu_free_memory_caches(struct mmu *mmu, struct mmu_caches *mc)
{
	mmu_free_memory_cache(&mmu->desc_pool, &mc->descs);
	mmu_free_memory_cache(&mmu->pt_pool, &mc->pages);
}

struct mmu_page *sptep_to_sp(const struct mmu *mmu, const uint64_t *sptep)
{
	return page_index_get(&mmu->sp_index, sptep);
}

unsigned spte_index(const uint64_t *sptep)
{
	return (unsigned)(((uintptr_t)sptep / sizeof(uint64_t)) & (SPTE_ENTRIES - 1));
}

gfn_t sp_gfn_at(const struct mmu_page *sp, unsigned i)
{
	return sp->gfn + (gfn_t)i * pages_per_level(sp->level);
}

int mmu_set_backing(struct mmu *mmu, pfn_t backing_pfn, enum mmu_leaf_ad leaf_ad)
{
	if (mmu->stats.leaves_installed || leaf_ad > MMU_LEAF_AD_SET)
		return -1;
	mmu->backing_pfn = backing_pfn;
	mmu->leaf_ad = leaf_ad;
	/* base_gfn is 1 GiB-aligned (mmu_init), so a 2 MiB-aligned pfn keeps leaves aligned */
	mmu->backing_max_level = backing_pfn % pages_per_level(PG_LEVEL_2M) == 0 &&
				 mmu->slot.npages % pages_per_level(PG_LEVEL_2M) == 0 ?
				 PG_LEVEL_2M : PG_LEVEL_4K;
	return 0;
}

pfn_t mmu_gfn_to_pfn(const struct mmu *mmu, gfn_t gfn, int level)
{
	/* a guest's memory: real frames, leaves up to backing_max_level (mmu_fault asserts it) */
	if (mmu->backing_pfn)
		return mmu->backing_pfn + ((gfn & ~(pages_per_level(level) - 1)) - mmu->slot.base_gfn);
	return MMU_PFN_BASE + (gfn & ~(pages_per_level(level) - 1));
}

gfn_t mmu_pfn_to_gfn(const struct mmu *mmu, pfn_t pfn)
{
	if (mmu->backing_pfn)
		return pfn - mmu->backing_pfn + mmu->slot.base_gfn;
	return pfn - MMU_PFN_BASE;
}

uint8_t *mmu_frame(const struct mmu *mmu, gfn_t gfn)
{
	ENV_ASSERT(gfn >= mmu->slot.base_gfn && gfn - mmu->slot.base_gfn < mmu->frames.n);
	return parray_at(&mmu->frames, gfn - mmu->slot.base_gfn);
}
