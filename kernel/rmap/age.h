/*
 * age.h - what the two aging walks share (kernel/rmap/age.c, the walk under the read-only
 * rmap lock; kernel/rmap/age_reread.c, profile=kvm's walk of a chain re-read after an elided
 * lock): the step on one SPTE and the torture window. Internal to kernel/rmap.
 */
#ifndef RMAP_AGE_H
#define RMAP_AGE_H

#include <stdbool.h>
#include <stdint.h>
#include "env.h"
#include "rmap/memslot.h"
#include "rmap/rmap.h"

/*
 * window_us= (memslot.torture_window_us): a busy delay at the points where upstream's walk
 * after an elided lock is exposed: after the lock returned 0 (before the head is re-read) and
 * after each sptep is read from a chain (before it is followed). Both profiles take the same
 * delays at the same points, so a difference between their verdicts is the protocol's.
 */
static inline void age_window(const struct memslot *slot)
{
	if (slot->torture_window_us)
		env_delay_us(slot->torture_window_us);
}

/*
 * One SPTE of a walk, sptep already validated if the caller validates: read it once
 * (mmu_spte_get_lockless), skip it if not present, and unless test_only clear Accessed
 * (KVM's clear_bit). True if it was accessed.
 */
bool age_one_spte(const struct rmap_ops *ops, uint64_t *sptep, bool test_only,
		  struct age_stats *st);

/* profile=kvm, after rmap_lock_readonly returned 0 at t_elided: age_reread.c. */
bool age_rmap_reread(struct memslot *slot, const struct rmap_ops *ops, struct rmap_head *head,
		     gfn_t gfn, int level, bool test_only, uint64_t t_elided, struct age_stats *st);

#endif /* RMAP_AGE_H */
