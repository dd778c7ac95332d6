/*
 * rmap_ops.h - the protocol's replaceable steps as an ops vector (locktorture's torture_ops):
 * the rmap lock and unlock of both modes, the iterator's read of the head, the ager's Accessed
 * clear, the zap's SPTE clear, a zap policy flag and a hook on desc frees. rmap_variants[]
 * (variants.c) holds the correct entry "none" first and then the broken variants (DESIGN §5),
 * each naming the invariant it must trip. An MMU picks one by name at init; the hot paths call
 * the correct steps directly unless a broken variant was picked (rmap_op_*, below).
 */
#ifndef RMAP_RMAP_OPS_H
#define RMAP_RMAP_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include "mmu/profile.h"
#include "mmu/spte_format.h"
#include "rmap/rmap.h"

struct memslot;

struct rmap_ops {
	const char *name;
	const char *inv;		/* invariant the variant must trip; NULL for "none" */
	const char *description;
	unsigned profiles;		/* RMAP_PROFILES_ALL, or the one profile it means something in */
	unsigned formats;		/* RMAP_FORMATS_ALL, or the one SPTE format it needs */
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
	/* A/D-disabled SPTEs (kvm): the ager's mark for access tracking, a cmpxchg from spte;
	 * returns the SPTE it found (== spte: marked by us) */
	uint64_t (*age_spte_track)(uint64_t *sptep, uint64_t spte);
	/* the zap's clear of a SPTE at level (writer, mmu_lock); returns the SPTE before it */
	uint64_t (*clear_spte)(const struct memslot *slot, uint64_t *sptep, int level);
	/* zapping a table page: drop its leaves from their rmaps first (false: the bug) */
	bool zap_drops_rmaps;
	/* free unlinked tables only after the remote TLB flush (false: the bug) */
	bool zap_flushes;
	/*
	 * NULL, except in the desc-free-early variant: called by a writer that holds the rmap
	 * lock (old_val), has freed descs that old_val still names and is about to publish the
	 * chain without them; returns the value it holds the lock with afterwards.
	 */
	unsigned long (*desc_freed)(struct memslot *slot, struct rmap_head *head,
				    unsigned long old_val);
};

/* Which profiles (mmu/profile.h) a variant runs under: a mutation of a step only one profile
 * has, or one that is a bug only under one profile's contract, is refused under the other. */
#define RMAP_PROFILES_ALL	((1u << MMU_NR_PROFILES) - 1)
#define RMAP_STRICT_ONLY	(1u << MMU_PROFILE_STRICT)
#define RMAP_KVM_ONLY		(1u << MMU_PROFILE_KVM)

static inline bool rmap_ops_runs_under(const struct rmap_ops *ops, enum mmu_profile profile)
{
	return ops->profiles & (1u << profile);
}

/* Which SPTE formats (mmu/spte_format.h) a variant runs under: one that breaks a step only
 * one format has (access tracking, with A/D disabled: EPT's) is refused under the other. */
#define RMAP_FORMATS_ALL	((1u << SPTE_NR_FORMATS) - 1)
#define RMAP_EPT_ONLY		(1u << SPTE_FORMAT_EPT)

static inline bool rmap_ops_runs_in_format(const struct rmap_ops *ops, enum spte_format_id format)
{
	return ops->formats & (1u << format);
}

/* "", " (strict only)" or " (kvm only)": the end of a mutation's line in mutate=help, before
 * rmap_ops_format_note's "" or " (ept only)" (each note its own parenthesis, for grep). */
const char *rmap_ops_profile_note(const struct rmap_ops *ops);
const char *rmap_ops_format_note(const struct rmap_ops *ops);

/* The correct steps, the "none" entry; a broken entry overrides one initialiser. */
#define RMAP_CORRECT_STEPS						\
	.profiles = RMAP_PROFILES_ALL, .formats = RMAP_FORMATS_ALL,	\
	.lock = __rmap_lock, .unlock = __rmap_unlock,			\
	.lock_readonly = __rmap_lock, .unlock_readonly = __rmap_unlock_readonly, \
	.get = __rmap_get, .age_spte = age_spte_clear_accessed,	\
	.age_spte_track = age_spte_mark_access_track,			\
	.clear_spte = mmu_spte_clear, .zap_drops_rmaps = true, .zap_flushes = true,	\
	.desc_freed = NULL

/* The correct steps ("none") that live beside their callers; the lock's are in rmap.h. */
uint64_t age_spte_clear_accessed(uint64_t *sptep);	/* rmap/age.c */
uint64_t age_spte_mark_access_track(uint64_t *sptep, uint64_t spte);	/* rmap/age.c */
uint64_t mmu_spte_clear(const struct memslot *slot, uint64_t *sptep, int level); /* mmu/zap.c */

extern const struct rmap_ops rmap_variants[];
extern const unsigned rmap_nr_variants;
/*
 * widen=on|off: whether the broken variants' steps widen their own race windows (variants.c's
 * widen_window and lock-plain-store's test-to-set loop). On by default; off, a broken step is
 * as narrow as the bug it models and only the machine's scheduling (irq_hz=, host preemption)
 * opens it. Set before a test starts. The correct steps have no widening either way.
 */
void rmap_variants_widen(bool on);

/* The variant called name, or NULL. */
const struct rmap_ops *rmap_ops_find(const char *name);

/*
 * The hot paths' calls (rmap lock and unlock of both modes, the iterator's get, the ager's A
 * clear, the zap's SPTE clear) go through these: the correct step, called directly (and
 * inlinable), when the slot runs the correct protocol; the variant's through the table
 * otherwise, as Linux's static branches keep a debug switch off the hot path. What the
 * mutation switch costs the correct protocol is one load of slot->ops (rmap_slot_ops,
 * memslot.h), one compare and one predicted branch per step.
 *
 * Measured, not assumed. `ops-bench` (tests/kernel/harness/ops_bench.c) counts TSC cycles per
 * rmap aged and per SPTE zapped and refaulted on one CPU, best of many rounds, with and
 * without checks. Run it in this kernel and in one built with -DRMAP_OPS_DIRECT, whose hot
 * paths take the correct steps unconditionally (the compare folds away; mutations refused):
 *
 *   make BUILD=build/direct KCC="gcc -DRMAP_OPS_DIRECT" iso
 *   tools/run-qemu.sh -smp 1 --iso build/direct/rmap-harness.iso --cmdline test=ops-bench
 *   tools/run-qemu.sh -smp 1 --cmdline test=ops-bench
 *
 * On a real CPU, this core compiled natively with the same loop (a 2.1 GHz Xeon, checks off,
 * best of 2000 rounds, three runs each): 64-80 cycles per rmap aged (8 SPTEs) with the switch
 * and 65-70 called directly; 180-240 per SPTE zapped and refaulted both ways: no measurable
 * cost. An indirect call per step (the first version) measured 72-77. Under TCG the figures
 * swing by 2x with code layout alone, in either direction (TCG chains jumps directly only
 * within a 4 KiB page, so it depends on which functions share one; -falign-functions=64
 * turned a 1.8x "cost" into a 0.7x one): TCG cannot resolve a compare and a branch.
 */
#define RMAP_OPS_NONE	(&rmap_variants[0])

static inline unsigned long rmap_op_lock(const struct rmap_ops *ops, struct rmap_head *head)
{
	return ops == RMAP_OPS_NONE ? __rmap_lock(head) : ops->lock(head);
}

static inline void rmap_op_unlock(const struct rmap_ops *ops, struct rmap_head *head,
				  unsigned long new_val)
{
	if (ops == RMAP_OPS_NONE)
		__rmap_unlock(head, new_val);
	else
		ops->unlock(head, new_val);
}

static inline unsigned long rmap_op_lock_readonly(const struct rmap_ops *ops,
						  struct rmap_head *head)
{
	return ops == RMAP_OPS_NONE ? __rmap_lock(head) : ops->lock_readonly(head);
}

static inline bool rmap_op_unlock_readonly(const struct rmap_ops *ops, struct rmap_head *head,
					   unsigned long old_val)
{
	return ops == RMAP_OPS_NONE ? __rmap_unlock_readonly(head, old_val) :
				      ops->unlock_readonly(head, old_val);
}

static inline unsigned long rmap_op_get(const struct rmap_ops *ops, struct rmap_head *head)
{
	return ops == RMAP_OPS_NONE ? __rmap_get(head) : ops->get(head);
}

static inline uint64_t rmap_op_age_spte(const struct rmap_ops *ops, uint64_t *sptep)
{
	return ops == RMAP_OPS_NONE ? age_spte_clear_accessed(sptep) : ops->age_spte(sptep);
}

static inline uint64_t rmap_op_age_spte_track(const struct rmap_ops *ops, uint64_t *sptep,
					      uint64_t spte)
{
	return ops == RMAP_OPS_NONE ? age_spte_mark_access_track(sptep, spte) :
				      ops->age_spte_track(sptep, spte);
}

static inline uint64_t rmap_op_clear_spte(const struct rmap_ops *ops, const struct memslot *slot,
					  uint64_t *sptep, int level)
{
	return ops == RMAP_OPS_NONE ? mmu_spte_clear(slot, sptep, level) :
				      ops->clear_spte(slot, sptep, level);
}

#endif /* RMAP_RMAP_OPS_H */
