/*
 * memslot.h - one memslot's rmaps (KVM's slot->arch.rmap[level - 1][]): a head per (gfn,
 * level), levels 4K..1G, indexed as KVM's gfn_to_index. Each head sits in an rmap_cell beside
 * a holder count for the `mutex` check. The slot also carries what the rmap code needs from
 * its MMU: the ops vector (correct or broken variant), the profile (strict or kvm,
 * mmu/profile.h), whether checks run, how often a lock holder lingers and how long an ager
 * dwells in upstream's re-read window (torture knobs, locktorture's long hold and delays:
 * more waiting, wider races, same protocol), mmu_lock for the writer's assertion, the desc
 * pool and the page indexes the checks consult. All of it is fixed between memslot_init and
 * memslot_destroy except the heads, holder counts and descs_live (written under the rmap
 * protocol and mmu_lock respectively).
 */
#ifndef RMAP_MEMSLOT_H
#define RMAP_MEMSLOT_H

#include <stdbool.h>
#include <stdint.h>
#include "mmu/parray.h"
#include "mmu/profile.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

struct rmap_ops;
struct mmu_lock;
struct pool;
struct page_index;

struct rmap_cell {
	struct rmap_head head;
	uint32_t holders;		/* atomic: rmap lock holders now (checks only) */
	uint32_t holder_cpu;		/* atomic: env_cpu_id() + 1 of the last holder (reports) */
};
_Static_assert(sizeof(struct rmap_cell) == 16, "rmap_cell is a power of two");

struct memslot {
	gfn_t base_gfn;
	uint64_t npages;
	struct parray rmap[MMU_MAX_LEAF_LEVEL];	/* [level - 1]: struct rmap_cell */
	const struct rmap_ops *ops;
	enum mmu_profile profile;
	bool no_reread;			/* kvm with reread=off: after an elided lock, walk nothing */
	bool checks;			/* run the DESIGN §4 checks on the hot paths */
	unsigned torture_hold_every;	/* 1 in N rmap-lock holds relaxes inside (0: never) */
	unsigned torture_window_us;	/* agers: delay after an elided lock and per SPTE read */
	uint64_t writer_holds;		/* the writer's count for it; mmu_lock held for write */
	struct mmu_lock *mmu_lock;
	struct pool *desc_pool;
	struct pool *pt_pool;			/* table pages (reports: who freed one) */
	const struct page_index *desc_index;	/* desc pages (checks) */
	const struct page_index *sp_index;	/* table page -> struct mmu_page (checks) */
	uint64_t descs_live;		/* descs in chains; mmu_lock held for write */
	/*
	 * Optional (NULL: nobody listens): told whenever the MMU takes Accessed out of the SPTE
	 * at sptep (in gfn's rmap at level) and hands it to the host's mm: on the ager's CPU,
	 * after an ager (lockless or locked) cleared it, still holding the rmap lock, as the mm
	 * marks a folio referenced when kvm_age_gfn says young; and on the writer's, when a
	 * strict zap finds it set, as kvm_set_pfn_accessed did before v6.13 (mmu/zap.c). Set
	 * before the slot is shared. The harness's guests use it (tests/kernel/harness/
	 * guest_probe.c): it is the only way they learn which root's leaf lost its A to whom.
	 */
	void (*young)(void *young_arg, uint64_t *sptep, gfn_t gfn, int level);
	void *young_arg;
};

/* KVM's gfn_to_index: which head of `level` covers gfn. */
static inline uint64_t gfn_to_index(gfn_t gfn, gfn_t base_gfn, int level)
{
	int shift = (level - 1) * SPTE_LEVEL_BITS;

	return (gfn >> shift) - (base_gfn >> shift);
}

static inline uint64_t memslot_nheads(const struct memslot *slot, int level)
{
	return slot->rmap[level - 1].n;
}

static inline struct rmap_cell *rmap_cell_of(struct rmap_head *head)
{
	return (struct rmap_cell *)((char *)head - offsetof(struct rmap_cell, head));
}

static inline struct rmap_head *gfn_to_rmap(const struct memslot *slot, gfn_t gfn, int level)
{
	struct rmap_cell *cell = parray_at(&slot->rmap[level - 1],
					   gfn_to_index(gfn, slot->base_gfn, level));

	return &cell->head;
}

/* The first gfn of the head at idx of level. */
static inline gfn_t memslot_index_to_gfn(const struct memslot *slot, int level, uint64_t idx)
{
	int shift = (level - 1) * SPTE_LEVEL_BITS;

	return ((slot->base_gfn >> shift) + idx) << shift;
}

/* The variant the hot paths run (through rmap_op_*, rmap_ops.h): the slot's, or the correct
 * protocol fixed at compile time in a -DRMAP_OPS_DIRECT kernel (rmap_ops.h says why). */
static inline const struct rmap_ops *rmap_slot_ops(const struct memslot *slot)
{
#ifdef RMAP_OPS_DIRECT
	(void)slot;
	return RMAP_OPS_NONE;
#else
	return slot->ops;
#endif
}

bool memslot_init(struct memslot *slot, gfn_t base_gfn, uint64_t npages);
void memslot_destroy(struct memslot *slot);
/* Which (gfn, level) a head belongs to (violation reports; a linear search). */
bool memslot_head_to_gfn(const struct memslot *slot, const struct rmap_head *head,
			 gfn_t *gfn, int *level);

#endif /* RMAP_MEMSLOT_H */
