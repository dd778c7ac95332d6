/*
 * rmap.h - the reverse map of Linux v6.15+ arch/x86/kvm/mmu/mmu.c: for each (gfn, level) of a
 * memslot, one rmap_head word naming every SPTE that maps that gfn at that level, through a
 * chain of pte_list_desc; the KVM_RMAP_LOCKED bit that lets agers walk a chain without
 * mmu_lock; the lockless iterator. The rules (who may change what under which lock) open
 * kernel/rmap/rmap_lock.c. The memslot that holds the heads is rmap/memslot.h.
 */
#ifndef RMAP_RMAP_H
#define RMAP_RMAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "mmu/spte.h"

/*
 * rmap_head.val: 0 = empty; bit 0 clear = the only SPTE pointer; bit 0 set (RMAP_MANY) =
 * pointer to the head pte_list_desc; bit 1 (RMAP_LOCKED) = a walker holds the rmap lock.
 * SPTE pointers are 8-aligned and descs 128-aligned, so both bits are free.
 */
#define RMAP_MANY	1ul
#define RMAP_LOCKED	2ul

struct rmap_head {
	unsigned long val;	/* atomic */
};

/*
 * pte_list_desc, exactly KVM's: entries go into the head desc; when it is full a new head is
 * pushed in front, so every tail desc is full (PTE_LIST_EXT entries) and its tail_count never
 * changes. Removal moves the head desc's last entry into the hole and frees the head when it
 * empties. Unused sptes[] slots are NULL.
 */
#define PTE_LIST_EXT	14

struct pte_list_desc {
	struct pte_list_desc *more;	/* next (older, full) desc, or NULL */
	uint32_t spte_count;		/* entries in this desc */
	uint32_t tail_count;		/* entries in all descs after this one */
	uint64_t *sptes[PTE_LIST_EXT];
};

_Static_assert(sizeof(struct pte_list_desc) == 128, "pte_list_desc is 128 bytes, as in KVM");
_Static_assert(offsetof(struct pte_list_desc, sptes) == 16, "more, spte_count, tail_count, sptes[]");
_Static_assert(sizeof(unsigned long) == sizeof(void *), "rmap_head.val holds a pointer");

struct memslot;
struct mmu_memory_cache;

/* The lock (rmap_lock.c). The __ helpers are the raw protocol, the ops vector's "none" entry. */
/* Spin (declared to the watchdog) until val, last read as old_val, has LOCKED clear; returns it. */
unsigned long rmap_wait_unlocked(struct rmap_head *head, unsigned long old_val);
unsigned long __rmap_lock(struct rmap_head *head);
void __rmap_unlock(struct rmap_head *head, unsigned long new_val);
bool __rmap_unlock_readonly(struct rmap_head *head, unsigned long old_val);
unsigned long __rmap_get(struct rmap_head *head);

/* Writers: mmu_lock held for write (asserted when checks are on). */
unsigned long rmap_lock(struct memslot *slot, struct rmap_head *head);
void rmap_unlock(struct memslot *slot, struct rmap_head *head, unsigned long old_val,
		 unsigned long new_val);
/* Agers: no mmu_lock; may not change the chain. Reports `unlock-readonly` on a mismatch. */
unsigned long rmap_lock_readonly(struct memslot *slot, struct rmap_head *head);
void rmap_unlock_readonly(struct memslot *slot, struct rmap_head *head, unsigned long old_val);

/* Chains (pte_list.c). mmu_lock held for write; they take the rmap lock themselves. */
int pte_list_add(struct memslot *slot, struct mmu_memory_cache *cache, uint64_t *sptep,
		 struct rmap_head *head);
void pte_list_remove(struct memslot *slot, uint64_t *sptep, struct rmap_head *head);
/* Zap every SPTE of one rmap with zap_spte (rmap locked), free the descs, leave it empty. */
typedef void (*rmap_zap_fn)(void *ctx, uint64_t *sptep);
bool zap_all_rmap_sptes(struct memslot *slot, struct rmap_head *head, rmap_zap_fn zap_spte,
			void *ctx);
/* Entries in a chain value (masked of LOCKED), from the head desc's counts. */
unsigned pte_list_count(unsigned long rmap_val);

/*
 * The iterator: start from a chain value read by the holder of the rmap lock (LOCKED masked),
 * then call rmap_get_next until NULL. The caller writes the loop and decides what to do with
 * each sptep, e.g. skip a non-present SPTE:
 *
 *	for (sptep = rmap_get_first(val, &iter); sptep; sptep = rmap_get_next(&iter))
 *
 * Plain loads of the descs are safe: the chain is stable while the rmap lock is held (and its
 * acquire ordered the writer's stores before them).
 */
struct rmap_iterator {
	struct pte_list_desc *desc;	/* NULL for a single-entry rmap */
	unsigned pos;			/* index of the current sptep in desc */
};

static inline uint64_t *rmap_get_first(unsigned long rmap_val, struct rmap_iterator *iter)
{
	if (!rmap_val)
		return NULL;
	iter->pos = 0;
	if (!(rmap_val & RMAP_MANY)) {
		iter->desc = NULL;
		return (uint64_t *)rmap_val;
	}
	iter->desc = (struct pte_list_desc *)(rmap_val & ~RMAP_MANY);
	return iter->desc->sptes[0];
}

static inline uint64_t *rmap_get_next(struct rmap_iterator *iter)
{
	if (!iter->desc)
		return NULL;
	if (++iter->pos < iter->desc->spte_count)
		return iter->desc->sptes[iter->pos];
	iter->desc = iter->desc->more;
	iter->pos = 0;
	/* a tail desc is full, so sptes[0] of the next desc exists */
	return iter->desc ? iter->desc->sptes[0] : NULL;
}

/* Aging (age.c): lockless, rmap locked read-only. Statistics for the caller. */
struct age_stats {
	uint64_t rmaps_locked;		/* non-empty rmaps walked */
	uint64_t sptes_seen;
	uint64_t nonpresent_skipped;	/* zapped under a read-only lock: allowed */
	uint64_t accessed_cleared;	/* A 1->0 transitions this ager made */
	uint64_t young;			/* calls that found an accessed SPTE */
	uint64_t rmaps_elided;		/* read-only locks that returned 0 (empty rmap) */
	uint64_t reread_walks;		/* kvm: of those, re-reads that found a chain, walked unheld */
	uint64_t huge_skipped;		/* kvm: heads in the range the gfn stepping never visited */
};

bool age_gfn_range(struct memslot *slot, gfn_t start, gfn_t end, struct age_stats *st);
struct rmap_ops;
/* Make one accessed SPTE (read as spte) old: clear_bit(A) if its A/D are enabled, the access-
 * tracking cmpxchg if not (kvm). True if this call made it old. Also for aging under mmu_lock. */
bool age_spte_make_old(const struct rmap_ops *ops, uint64_t *sptep, uint64_t spte);
bool test_age_gfn_range(struct memslot *slot, gfn_t start, gfn_t end, struct age_stats *st);
/*
 * Aging under mmu_lock held for write (age_locked.c): the pre-v6.15 baseline. held, if not
 * NULL, is called with each non-empty rmap held (the harness's lost-update counters).
 */
typedef void (*rmap_held_fn)(void *arg, gfn_t gfn, int level);
void age_gfn_range_locked(struct memslot *slot, gfn_t start, gfn_t end, struct age_stats *st,
			  rmap_held_fn held, void *arg);

#endif /* RMAP_RMAP_H */
