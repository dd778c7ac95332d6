/*
 * mmu.h - the shadow MMU under test: several roots of 4-level EPT- or NPT-format tables over one
 * memslot, faults and zaps by a writer holding mmu_lock for write, lockless accessors that
 * play the CPU's page walker, the remote TLB flush that keeps them off freed tables, the
 * per-frame A/D state zaps harvest into, and the structural walker and audit.
 *
 * Shadow pages: each table page is paired for life with a struct mmu_page (its metadata) when
 * the table pool first takes the page; sptep_to_sp() finds it through a page-address index
 * (page_index.h), as KVM finds it through struct page. The pairing survives free and reuse,
 * so a stale pointer always lands on metadata whose `state` says whether it is in use.
 *
 * Locking: everything in struct mmu except the vcpus[] counters, the pools (own lock) and
 * the rmap heads (rmap protocol) belongs to the holder of mmu_lock for write.
 */
#ifndef MMU_MMU_H
#define MMU_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include "mmu/mmu_lock.h"
#include "mmu/page_index.h"
#include "mmu/parray.h"
#include "mmu/pool.h"
#include "mmu/spte.h"
#include "rmap/memslot.h"

#define MMU_MAX_ROOTS	64
#define MMU_MAX_VCPUS	512
#define MMU_PFN_BASE	0x100000ull	/* pfn of gfn 0: frames from 4 GiB up (never touched) */

/* FREE: in the pool; LIVE: linked in a tree; ZAPPED: unlinked, waiting for the flush. */
enum sp_state { SP_FREE = 0, SP_LIVE = 1, SP_ZAPPED = 2 };

struct mmu_page {
	uint64_t *spt;			/* the table page: 512 SPTEs */
	struct mmu_page *parent;	/* NULL for a root */
	unsigned parent_index;		/* our entry in parent->spt */
	int level;			/* of the entries in spt: 1 = 4K leaves */
	unsigned root;			/* which root's tree */
	gfn_t gfn;			/* first gfn spt maps */
	unsigned present_count;		/* present entries in spt (writer) */
	unsigned state;			/* atomic: enum sp_state (checks read it locklessly) */
	struct mmu_page *next_prune;	/* the writer's prune list, when on_prune */
	struct mmu_page *next_free;	/* the writer's free list, once unlinked */
	bool on_prune;
	bool ad_disabled;		/* kvm: the tree's A/D are off (KVM's role.ad_disabled) */
	uint64_t audit_mark[SPTE_ENTRIES / 64];	/* audit: entries some rmap names */
};

/* One accessor ("vCPU"): seq is odd while it walks the tables (in "guest mode"). */
struct mmu_vcpu {
	unsigned long seq;		/* atomic; written only by its accessor */
	char pad[64 - sizeof(unsigned long)];
} __attribute__((aligned(64)));

/*
 * Per-frame state (of a huge leaf: its first gfn's). FRAME_ACCESSED/DIRTY: what a strict zap
 * harvests (KVM's kvm_set_pfn_accessed/dirty). FRAME_D_SEEN, in both profiles: the MMU took D
 * out of a leaf of this frame (a zap found it set, or dirty logging cleared it), so a write
 * the leaf recorded is accounted for; the harness's walker probe reads and resets it after
 * each op, under mmu_lock (tests/kernel/harness/guest_probe.c). A has no such flag: the
 * probe needs to know whose leaf (which root) lost it, so a strict zap tells memslot.young.
 */
#define FRAME_ACCESSED	1u
#define FRAME_DIRTY	2u
#define FRAME_D_SEEN	4u

struct mmu_stats {			/* writer-owned (mmu_lock for write) */
	uint64_t faults, faults_present, leaves_installed, leaves_zapped;
	uint64_t rmaps_zapped, pages_allocated, pages_freed, flushes, flush_waits;
	uint64_t flush_kicks;		/* vCPUs the flush kicked (mmu->kick_vcpu) before its wait */
	uint64_t set_a, set_d;		/* A/D a fault installed (counted as sets) */
	uint64_t harvest_a, harvest_d;	/* A/D a zap found set (strict records them in the frame) */
	uint64_t cleared_d;		/* D cleared by dirty logging (mmu_clear_dirty_gfn_range) */
};

struct mmu_access_stats {		/* per accessor */
	uint64_t walks, misses, set_a, set_d, cmpxchg_failed;
	uint64_t fast_pf;		/* kvm, A/D disabled: SPTEs fast_page_fault fixed */
};

/* A/D in the leaves strict's faults create (profile=kvm always sets both, as upstream). */
enum mmu_leaf_ad {
	MMU_LEAF_AD_PROFILE,	/* the default: A, and D on a write fault */
	MMU_LEAF_AD_CLEAR,	/* neither: any A/D is the CPU walker's (a real guest) */
	MMU_LEAF_AD_SET,	/* both, on every fault: a broken fault path for svm-guest's own test */
};

struct mmu {
	struct mmu_lock lock;
	struct memslot slot;
	unsigned nr_roots;
	struct mmu_page *roots[MMU_MAX_ROOTS];
	struct pool desc_pool;		/* struct pte_list_desc */
	struct pool pt_pool;		/* table pages */
	struct pool meta_pool;		/* struct mmu_page, never freed */
	struct page_index sp_index;	/* table page -> struct mmu_page */
	struct page_index desc_index;	/* desc page -> &desc_pool */
	struct parray frames;		/* uint8_t FRAME_* per gfn of the slot (writer) */
	struct mmu_page *free_list;	/* unlinked pages waiting for the flush (writer) */
	struct mmu_page *prune_list;	/* pages that may have emptied (writer) */
	unsigned nr_vcpus;
	struct mmu_vcpu vcpus[MMU_MAX_VCPUS];
	struct mmu_stats stats;
	bool format_held;		/* mmu_init took spte_format_hold(); destroy releases it */
	/*
	 * mmu_set_backing (a guest runs on this MMU; default: neither). backing_pfn: gfn g maps
	 * the real frame backing_pfn + (g - base_gfn), not a fake one from MMU_PFN_BASE.
	 * backing_max_level: the largest leaf the backing can hold: 2 MiB when backing_pfn is
	 * 2 MiB-aligned and the slot a whole number of 2 MiB (a 2 MiB leaf's frame must be
	 * aligned, and it maps frames that exist), else 4 KiB; never 1 GiB (that would need a
	 * GiB of aligned memory per slot). leaf_ad: what A/D strict's faults put in new leaves.
	 */
	pfn_t backing_pfn;
	int backing_max_level;
	enum mmu_leaf_ad leaf_ad;
	/*
	 * A backed MMU's leaves are cached by a real walker's TLB (the nested TLB), so a zapped
	 * leaf needs the remote TLB flush as much as an unlinked table does (KVM's
	 * kvm_zap_gfn_range flushes when it zapped any SPTE): set by the zap of a present leaf,
	 * cleared by mmu_commit_zap (writer). The software accessors cache nothing past one walk,
	 * so the fake-frame MMU flushes only for tables, as before.
	 */
	bool flush_pending;
	/*
	 * Optional: called by mmu_flush_remote_tlbs for each vCPU it finds in guest mode, before
	 * it waits for that vCPU to leave (KVM's kvm_make_all_cpus_request kicks with an IPI a
	 * vCPU that is IN_GUEST_MODE). NULL: just wait (the software accessors leave on their own).
	 * Set before the MMU is shared; kick_arg is passed back.
	 */
	void (*kick_vcpu)(void *kick_arg, unsigned vcpu);
	void *kick_arg;
};

/* What a writer tops up before taking mmu_lock (KVM: per vCPU). */
struct mmu_caches {
	struct mmu_memory_cache descs;
	struct mmu_memory_cache pages;
};

/* mmu.c: setup. ops: a variant from rmap_variants[]; 0 on success. The SPTE format
 * (spte_set_format) is fixed from mmu_init to mmu_destroy. */
int mmu_init(struct mmu *mmu, gfn_t base_gfn, uint64_t npages, unsigned nr_roots,
	     unsigned nr_vcpus, const struct rmap_ops *ops, bool checks);
void mmu_destroy(struct mmu *mmu);
/* Before the first fault: the profile (mmu/profile.h) and, under kvm, how many roots (the first
 * ones) run with A/D disabled. 0 on success; -1 if the MMU is in use or the values are bad
 * (A/D-disabled roots under strict, or in a format without them: spte_fmt.ad_disabled_ok). */
int mmu_set_profile(struct mmu *mmu, enum mmu_profile profile, unsigned ad_disabled_roots);
/* A new table page's entries: the profile's non-present value. */
void mmu_init_table(const struct mmu *mmu, uint64_t *spt);
int mmu_topup_memory_caches(struct mmu *mmu, struct mmu_caches *mc);
void mmu_free_memory_caches(struct mmu *mmu, struct mmu_caches *mc);
struct mmu_page *sptep_to_sp(const struct mmu *mmu, const uint64_t *sptep);
unsigned spte_index(const uint64_t *sptep);
/* The first gfn entry i of sp maps (KVM's kvm_mmu_page_get_gfn for a direct page). */
gfn_t sp_gfn_at(const struct mmu_page *sp, unsigned i);
pfn_t mmu_gfn_to_pfn(const struct mmu *mmu, gfn_t gfn, int level);
/* The inverse, for a leaf's frame (a huge leaf's first gfn); outside the slot if foreign. */
gfn_t mmu_pfn_to_gfn(const struct mmu *mmu, pfn_t pfn);
/* Before the first fault: map gfns to the real frames from backing_pfn (0: the fake frames
 * again), and the A/D of new leaves. 0 on success, -1 if the MMU is in use. Sets
 * backing_max_level (see struct mmu); faults above it are a bug of the caller. */
int mmu_set_backing(struct mmu *mmu, pfn_t backing_pfn, enum mmu_leaf_ad leaf_ad);
uint8_t *mmu_frame(const struct mmu *mmu, gfn_t gfn);

/* fault.c: map gfn at level in root; mmu_lock held for write. */
enum mmu_fault_result { FAULT_INSTALLED, FAULT_PRESENT, FAULT_RETRY };
enum mmu_fault_result mmu_fault(struct mmu *mmu, struct mmu_caches *mc, unsigned root,
				gfn_t gfn, int level, bool write);

/* zap.c: mmu_lock held for write. Each frees what it emptied before returning. */
void mmu_zap_gfn_range(struct mmu *mmu, gfn_t start, gfn_t end);
void mmu_zap_all(struct mmu *mmu);
/* One root's leaf for gfn at level, if present: one SPTE leaves the middle of its chain. */
bool mmu_zap_leaf(struct mmu *mmu, unsigned root, gfn_t gfn, int level);
/* zap.c, for fault.c: drop one leaf / a whole subtree; mmu_commit_zap frees the pages. */
void mmu_drop_leaf(struct mmu *mmu, struct mmu_page *sp, unsigned i);
void mmu_zap_subtree(struct mmu *mmu, struct mmu_page *parent, unsigned i);
void mmu_commit_zap(struct mmu *mmu);

/* dirty.c: dirty logging's clear of D in the 4K SPTEs of [start, end); mmu_lock for write.
 * In a backed MMU, a clear of D flushes remote TLBs before returning (mmu_commit_zap). */
void mmu_clear_dirty_gfn_range(struct mmu *mmu, gfn_t start, gfn_t end);

/* access.c: accessors (no lock) and the writer's remote TLB flush. */
void mmu_guest_enter(struct mmu *mmu, unsigned vcpu);
void mmu_guest_exit(struct mmu *mmu, unsigned vcpu);
bool mmu_access(struct mmu *mmu, unsigned vcpu, unsigned root, gfn_t gfn, bool write,
		struct mmu_access_stats *st);
void mmu_flush_remote_tlbs(struct mmu *mmu);

/* walk.c: the structural walker, pre-order. No lock of its own: the caller keeps the tables
 * still (mmu_lock for write, or every other CPU stopped). */
struct mmu_walk_ops {
	void (*page)(void *ctx, struct mmu_page *sp);
	void (*entry)(void *ctx, struct mmu_page *sp, unsigned i, uint64_t spte);
};
void mmu_walk(struct mmu *mmu, const struct mmu_walk_ops *ops, void *ctx);

/* audit.c: the DESIGN §4 `audit` at a stop-the-world checkpoint; returns violations found. */
uint64_t mmu_audit(struct mmu *mmu);
/* A/D set in present leaves now (the "still set" term of ad-conservation). */
void mmu_count_ad(struct mmu *mmu, uint64_t *accessed, uint64_t *dirty);
/* ad-conservation, the profile's contract. strict: A/D sets (faults' and accessors') == clears
 * (agers' A, dirty logging's D) + zaps' harvests + still set. kvm: the same for D only; A is a
 * hint upstream may drop or keep (spte_needs_atomic_update). Same stop-the-world condition;
 * the caller sums the other CPUs' statistics. 0 or 1. */
uint64_t mmu_check_ad_conservation(struct mmu *mmu, uint64_t accessor_set_a,
				   uint64_t accessor_set_d, uint64_t ager_cleared_a);

#endif /* MMU_MMU_H */
