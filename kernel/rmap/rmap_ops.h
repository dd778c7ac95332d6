/*
 * rmap_ops.h - the protocol's replaceable steps as an ops vector (locktorture's torture_ops):
 * the rmap lock and unlock of both modes, the iterator's read of the head, the ager's Accessed
 * clear, the zap's SPTE clear, and one zap policy flag. rmap_variants[] (variants.c) holds the
 * correct entry "none" first and then the broken variants (DESIGN §5), each naming the
 * invariant it must trip. An MMU picks one by name at init; the hot paths load the pointer
 * once per call and pay one predictable indirect call per step.
 */
#ifndef RMAP_RMAP_OPS_H
#define RMAP_RMAP_OPS_H

#include <stdbool.h>
#include <stdint.h>

struct rmap_head;

struct rmap_ops {
	const char *name;
	const char *inv;		/* invariant the variant must trip; NULL for "none" */
	const char *description;
	/* the writer's lock (mmu_lock held for write) and unlock storing the new chain */
	unsigned long (*lock)(struct rmap_head *head);
	void (*unlock)(struct rmap_head *head, unsigned long new_val);
	/* the ager's lock; unlock returns false when val was not old_val | LOCKED */
	unsigned long (*lock_readonly)(struct rmap_head *head);
	bool (*unlock_readonly)(struct rmap_head *head, unsigned long old_val);
	/* the lock holder's read of the chain for the iterator (LOCKED masked) */
	unsigned long (*get)(struct rmap_head *head);
	/* the ager's Accessed clear; returns the SPTE before it */
	uint64_t (*age_spte)(uint64_t *sptep);
	/* the zap's clear of a SPTE at level (writer, mmu_lock); returns the SPTE before it */
	uint64_t (*clear_spte)(uint64_t *sptep, int level);
	/* zapping a table page: drop its leaves from their rmaps first (false: the bug) */
	bool zap_drops_rmaps;
};

/* The correct steps ("none") that live beside their callers; the lock's are in rmap.h. */
uint64_t age_spte_clear_accessed(uint64_t *sptep);	/* rmap/age.c */
uint64_t mmu_spte_clear(uint64_t *sptep, int level);	/* mmu/zap.c */

extern const struct rmap_ops rmap_variants[];
extern const unsigned rmap_nr_variants;

/* The variant called name, or NULL. */
const struct rmap_ops *rmap_ops_find(const char *name);

#endif /* RMAP_RMAP_OPS_H */
